import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { lineFigure } from "./line.ts";
import { imagesHtml, JUPYTER_DISPLAY, show, showImages } from "./show.ts";

await tf.setBackend("cpu");

const fig = () => lineFigure({ title: "curve", series: [{ name: "a", x: [0, 1], y: [2, 3] }] });

Deno.test("show: Deno's kernel finds the display method under Symbol.for('Jupyter.display')", () => {
  assert(JUPYTER_DISPLAY === Symbol.for("Jupyter.display"));
  assertEquals(
    typeof (show(fig()) as unknown as Record<symbol, unknown>)[Symbol.for("Jupyter.display")],
    "function",
  );
});

// One test, in order: the session flag is module state.
Deno.test("show: plotly mime bundle, HTML fallback that inlines plotly.js once per session", async () => {
  const figure = fig();
  const shown = show(figure);
  figure.layout.title = { text: "changed later" }; // snapshot taken at show()
  const first = await shown[JUPYTER_DISPLAY]();
  assertEquals(Object.keys(first).sort(), [
    "application/vnd.plotly.v1+json",
    "text/html",
    "text/plain",
  ]);
  assertEquals((first["application/vnd.plotly.v1+json"] as typeof figure).layout.title, {
    text: "curve",
  });
  assertEquals(first["text/plain"], "<plotly figure: curve>");
  const html1 = String(first["text/html"]);
  assertStringIncludes(html1, "plotly.js v2.35.3");
  assertStringIncludes(html1, "Plotly.newPlot");

  const second = await show(fig())[JUPYTER_DISPLAY]();
  const html2 = String(second["text/html"]);
  assert(!html2.includes("plotly.js v2.35.3"), "plotly.js inlined a second time");
  assert(html2.length < 5000, `fallback is ${html2.length} characters`);

  const forced = await show(fig(), { inlinePlotly: true })[JUPYTER_DISPLAY]();
  assertStringIncludes(String(forced["text/html"]), "plotly.js v2.35.3");
  assertThrows(() => show({ data: 1 } as never), TypeError, "figure must be a plotly figure");
});

Deno.test("showImages: captioned <img> tags read when called", async () => {
  const a = tf.fill([8, 8, 3], 0.5) as tf.Tensor3D;
  const b = tf.zeros([4, 6, 1]) as tf.Tensor3D;
  const shown = showImages([a, b], { titles: ["half <gray>", "black"], title: "pair" });
  tf.dispose([a, b]); // pixels were already read
  const bundle = await shown[JUPYTER_DISPLAY]();
  const html = String(bundle["text/html"]);
  assertEquals(html.match(/<img src="data:image\/png;base64,/g)?.length, 2);
  assertStringIncludes(html, "half &lt;gray&gt;");
  assertStringIncludes(html, `title="4×6 gray"`);
  assertStringIncludes(html, ">pair</div>");
  assertEquals(bundle["text/plain"], "<2 image(s)>");
});

Deno.test("imagesHtml: {image, title} pairs, width, pixelated upscaling; errors named", () => {
  const a = tf.ones([10, 10, 3]) as tf.Tensor3D;
  const html = imagesHtml([{ image: a, title: "white" }], { width: 100 });
  assertStringIncludes(html, `width="100"`);
  assertStringIncludes(html, "image-rendering:pixelated");
  assertStringIncludes(html, ">white</figcaption>");
  assertThrows(() => imagesHtml([a], { titles: ["x", "y"] }), RangeError, "expected 1, got 2");
  assertThrows(() => imagesHtml([]), RangeError, "non-empty");
  a.dispose();
});
