import * as tf from "@tensorflow/tfjs";
import { Image } from "imagescript";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { imageGridFigure } from "./image_grid.ts";

await tf.setBackend("cpu");

Deno.test("imageGridFigure: one image trace per image on its own square-pixel axes", async () => {
  const a = tf.fill([20, 40, 3], 0.25) as tf.Tensor3D;
  const b = tf.fill([20, 20, 1], 1) as tf.Tensor3D;
  const c = tf.zeros([10, 10, 3]) as tf.Tensor3D;
  const before = tf.memory().numTensors;
  const fig = imageGridFigure(
    [{ image: a, title: "wide" }, { image: b, title: "gray" }, { image: c, title: "small" }],
    { columns: 2, title: "grid", cellWidth: 200 },
  );
  assertEquals(tf.memory().numTensors, before);
  assertEquals(fig.data.map((t) => [t.type, t.xaxis, t.yaxis]), [
    ["image", "x", "y"],
    ["image", "x2", "y2"],
    ["image", "x3", "y3"],
  ]);
  assertEquals(fig.layout.annotations?.map((n) => n.text), ["wide", "gray", "small"]);
  assertEquals((fig.layout.yaxis2 as { scaleanchor: string }).scaleanchor, "x2");
  // Pixel centres at integer coordinates, image rows downwards.
  assertEquals((fig.layout.xaxis as { range: number[] }).range, [-0.5, 39.5]);
  assertEquals((fig.layout.yaxis as { range: number[] }).range, [19.5, -0.5]);
  // Two columns side by side, the third image on the second row.
  const dom = (k: string) => (fig.layout[k] as { domain: [number, number] }).domain;
  assert(dom("xaxis")[1] < dom("xaxis2")[0]);
  assertAlmostEquals(dom("xaxis3")[0], dom("xaxis")[0]);
  assert(dom("yaxis3")[1] < dom("yaxis")[0]);
  assertEquals(fig.layout.width, 2 * 200 + 20);
  // The embedded PNG decodes to the input pixels.
  const src = String(fig.data[1].source);
  const png = Uint8Array.from(atob(src.slice(src.indexOf(",") + 1)), (ch) => ch.charCodeAt(0));
  const decoded = await Image.decode(png);
  assertEquals([decoded.width, decoded.height], [20, 20]);
  assertEquals([...decoded.getRGBAAt(1, 1)], [255, 255, 255, 255]);
  tf.dispose([a, b, c]);
});

Deno.test("imageGridFigure: bad images and options are named", () => {
  assertThrows(() => imageGridFigure([]), RangeError, "images must be a non-empty array");
  const four = tf.zeros([4, 4, 4]) as tf.Tensor3D;
  assertThrows(
    () => imageGridFigure([{ image: four, title: "rgba" }]),
    RangeError,
    "images[0].image must be an HWC image",
  );
  assertThrows(
    () => imageGridFigure([{ image: four, title: "x" }], { columns: 0 }),
    RangeError,
    "columns must be >= 1",
  );
  four.dispose();
});
