import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertThrows } from "@std/assert";
import { heatmapFigure } from "./heatmap.ts";

await tf.setBackend("cpu");

Deno.test("heatmapFigure: nested arrays and 2-D tensors give the same trace", () => {
  const rows = [[0, 1, 2], [3, 4, 5]];
  const t = tf.tensor2d(rows);
  const a = heatmapFigure(rows, { title: "t", zmin: 0, zmax: 5, zTitle: "value" });
  const b = heatmapFigure(t, { title: "t", zmin: 0, zmax: 5, zTitle: "value" });
  t.dispose();
  assertEquals(a, b);
  assertEquals(a.data[0].type, "heatmap");
  assertEquals(a.data[0].z, rows);
  assertEquals(a.data[0].colorscale, "Viridis");
  assertEquals([a.data[0].zmin, a.data[0].zmax], [0, 5]);
  assertEquals(a.data[0].colorbar, { title: { text: "value" } });
});

Deno.test("heatmapFigure: image origin reverses the y axis; labels pass through", () => {
  const fig = heatmapFigure([[1, NaN]], {
    origin: "top",
    colorscale: "Greys",
    x: ["low", "high"],
    y: [0.5],
    xTitle: "band",
  });
  assertEquals(fig.layout.yaxis?.autorange, "reversed");
  assertEquals(fig.data[0].z, [[1, null]]);
  assertEquals(fig.data[0].x, ["low", "high"]);
  assertEquals(fig.layout.xaxis?.title, { text: "band" });
  assertEquals(heatmapFigure([[1]]).layout.yaxis?.autorange, undefined);
});

Deno.test("heatmapFigure: ragged rows, wrong ranks and bad options are named", () => {
  assertThrows(() => heatmapFigure([[1, 2], [3]]), RangeError, "row 0 has 2 values, row 1 has 1");
  assertThrows(() => heatmapFigure([]), TypeError, "z must be a non-empty array");
  const t3 = tf.zeros([2, 2, 1]);
  assertThrows(
    () => heatmapFigure(t3 as unknown as tf.Tensor2D),
    RangeError,
    "z must have shape [*, *]",
  );
  t3.dispose();
  assertThrows(() => heatmapFigure([[1]], { zmin: 2, zmax: 1 }), RangeError, "zmax must be > 2");
  assertThrows(
    () => heatmapFigure([[1]], { origin: "left" as "top" }),
    RangeError,
    "origin must be one of",
  );
});
