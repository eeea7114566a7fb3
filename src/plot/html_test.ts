import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { escapeHtml, figureDiv, jsonForScript, plotlyScriptTag, plotlySource } from "./html.ts";

Deno.test("plotlySource: the pinned plotly.js, loaded once", async () => {
  const a = await plotlySource();
  const b = await plotlySource();
  assert(a === b);
  assertStringIncludes(a.slice(0, 200), "plotly.js v2.35.3");
  assert(a.length > 3_000_000, `plotly.js is ${a.length} characters`);
});

Deno.test("plotlyScriptTag: no early </script>, AMD loaders bypassed", () => {
  const tag = plotlyScriptTag(`var s = "</script><b>"; define("x");`);
  assertEquals(tag.match(/<\/script/gi)?.length, 1, "only the closing tag");
  assertStringIncludes(tag, `"<\\/script><b>"`);
  assertStringIncludes(tag, "(function (define, module, exports) {");
  assert(tag.startsWith(`<script type="text/javascript">if (!window.Plotly)`));
});

Deno.test("jsonForScript: strings cannot close the script element", () => {
  const text = jsonForScript({ title: "</script><script>alert(1)</script>&" });
  assert(!text.includes("<") && !text.includes(">") && !text.includes("&"));
  assertEquals(JSON.parse(text), { title: "</script><script>alert(1)</script>&" });
});

Deno.test("figureDiv: a div and a script drawing into it, with a message when plotly is absent", () => {
  const html = figureDiv({ data: [{ type: "scatter", y: [1, 2] }], layout: { height: 300 } }, {
    id: "f1",
  });
  assertStringIncludes(html, `<div id="f1" class="pixelbias-plot" style="min-height:300px"></div>`);
  assertStringIncludes(html, `document.getElementById("f1")`);
  assertStringIncludes(
    html,
    `window.Plotly.newPlot(el, [{"type":"scatter","y":[1,2]}], {"height":300}`,
  );
  assertStringIncludes(html, "plotly.js is not loaded on this page");
  assertStringIncludes(html, `"responsive":true`);
  const fixed = figureDiv({ data: [], layout: { width: 500 } }, { staticPlot: true });
  assertStringIncludes(fixed, `"responsive":false`);
  assertStringIncludes(fixed, `"staticPlot":true`);
  // Fresh ids differ.
  const id = (h: string) => h.match(/id="([^"]+)"/)![1];
  assert(id(figureDiv({ data: [], layout: {} })) !== id(figureDiv({ data: [], layout: {} })));
});

Deno.test("escapeHtml escapes the five special characters", () => {
  assertEquals(
    escapeHtml(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
});
