import { assertEquals, assertThrows } from "@std/assert";
import { barFigure } from "./bar.ts";

Deno.test("barFigure: grouped bars, one trace per series", () => {
  const fig = barFigure({
    categories: ["camera", "coins"],
    series: [
      { name: "DIP", values: [28.14, 30.2], errors: [0.1, 0.2] },
      { name: "BM3D", values: [29, NaN], color: "#333" },
    ],
    yTitle: "PSNR (dB)",
    labelDigits: 1,
    valueRange: [20, 35],
  });
  assertEquals(fig.layout.barmode, "group");
  assertEquals(fig.data.map((t) => t.name), ["DIP", "BM3D"]);
  assertEquals(fig.data[0].x, ["camera", "coins"]);
  assertEquals(fig.data[0].y, [28.14, 30.2]);
  assertEquals(fig.data[0].error_y, { type: "data", array: [0.1, 0.2], visible: true });
  assertEquals(fig.data[0].text, ["28.1", "30.2"]);
  assertEquals(fig.data[1].y, [29, null]);
  assertEquals(fig.data[1].text, ["29.0", ""]);
  assertEquals(fig.data[1].marker, { color: "#333" });
  assertEquals(fig.layout.yaxis?.range, [20, 35]);
  assertEquals(fig.layout.xaxis?.type, "category");
});

Deno.test("barFigure: horizontal bars swap the axes", () => {
  const fig = barFigure({
    categories: ["wasm", "webgpu"],
    series: [{ name: "ms/step", values: [120, 40], errors: [5, 2] }],
    horizontal: true,
    xTitle: "backend",
  });
  assertEquals(fig.data[0].orientation, "h");
  assertEquals(fig.data[0].y, ["wasm", "webgpu"]);
  assertEquals(fig.data[0].x, [120, 40]);
  assertEquals(fig.data[0].error_x, { type: "data", array: [5, 2], visible: true });
  assertEquals(fig.layout.yaxis?.type, "category");
  assertEquals(fig.layout.yaxis?.title, { text: "backend" });
});

Deno.test("barFigure: counts that do not match the categories are named", () => {
  assertThrows(
    () => barFigure({ categories: ["a", "b"], series: [{ name: "m", values: [1] }] }),
    RangeError,
    `series[0] ("m") must have one value per category: expected 2, got 1`,
  );
  assertThrows(
    () => barFigure({ categories: ["a"], series: [{ name: "m", values: [1], errors: [1, 2] }] }),
    RangeError,
    "errors must have one value per category",
  );
  assertThrows(() => barFigure({ categories: [], series: [] }), RangeError, "categories");
});
