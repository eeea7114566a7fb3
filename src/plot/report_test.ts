import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { barFigure } from "./bar.ts";
import { lineFigure } from "./line.ts";
import { markup, reportHtml, tableHtml, writeReport } from "./report.ts";

await tf.setBackend("cpu");

Deno.test("writeReport: one offline HTML file, plotly.js inlined once for all figures", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/nested/report.html`;
  const image = tf.fill([6, 6, 3], 0.5) as tf.Tensor3D;
  await writeReport(path, {
    title: "Chapter 2 <smoke>",
    intro: "Run with the `smoke` profile.",
    sections: [
      {
        heading: "Curves",
        text: "PSNR **rises**, then falls.\n\n- first\n- second",
        figures: [
          lineFigure({ series: [{ name: "psnr", x: [0, 1], y: [20, 25] }] }),
          barFigure({ categories: ["a"], series: [{ name: "m", values: [1] }] }),
        ],
      },
      {
        heading: "Table and images",
        tables: [{
          caption: "PSNR (dB)",
          columns: ["image", "DIP"],
          rows: [["camera", 28.12345], ["coins", 30]],
        }],
        images: [{ image, title: "gray square" }],
      },
    ],
  });
  image.dispose();
  const html = await Deno.readTextFile(path);
  assert(html.startsWith("<!DOCTYPE html>"));
  assertEquals(html.split("plotly.js v2.35.3").length - 1, 1, "plotly.js inlined exactly once");
  assertEquals(html.split("window.Plotly.newPlot(el,").length - 1, 2);
  assertStringIncludes(html, "<title>Chapter 2 &lt;smoke&gt;</title>");
  assertStringIncludes(html, "<p>Run with the <code>smoke</code> profile.</p>");
  assertStringIncludes(html, "<p>PSNR <strong>rises</strong>, then falls.</p>");
  assertStringIncludes(html, "<ul><li>first</li><li>second</li></ul>");
  assertStringIncludes(html, `<td class="num">28.123</td>`);
  assertStringIncludes(html, `<td class="num">30</td>`);
  assertStringIncludes(html, ">gray square</figcaption>");
  const outsidePlotly = html.replace(/<script[^>]*>if \(!window\.Plotly\)[\s\S]*?<\/script>/, "");
  assert(outsidePlotly.length < 20_000, "the plotly.js script was found and removed");
  assert(!/(src|href)="(https?:)?\/\//.test(outsidePlotly), "no external resources");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("reportHtml: no plotly.js when there are no figures", async () => {
  const html = await reportHtml({ title: "t", sections: [{ heading: "h", text: "only text" }] });
  assert(!html.includes("plotly.js v2.35.3"));
  assert(html.length < 5000);
});

Deno.test("markup: escapes HTML, keeps code spans literal, allows only safe links", () => {
  assertEquals(markup("a <b> `*x*` *y*"), "<p>a &lt;b&gt; <code>*x*</code> <em>y</em></p>");
  assertEquals(
    markup("[docs](https://deno.com) [bad](javascript:alert(1))"),
    `<p><a href="https://deno.com">docs</a> <a href="#">bad</a>)</p>`,
  );
  assertEquals(markup("one\ntwo\n\nthree"), "<p>one two</p>\n<p>three</p>");
});

Deno.test("tableHtml: rows must match the columns", async () => {
  assertThrows(
    () => tableHtml({ columns: ["a", "b"], rows: [[1]] }),
    RangeError,
    "expected 2, got 1",
  );
  assertStringIncludes(tableHtml({ columns: ["x"], rows: [[1.23456]], digits: 1 }), ">1.2<");
  await assertRejects(() => reportHtml({ title: 1 } as never), TypeError, "report must be");
});
