// A network evaluated tile by tile must give what it gives on the whole image: checked with
// tfjs' own conv2d and avgPool on the whole image (cpu backend) as the reference.
import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { predictTiled, stitchTiles, tileGrid } from "./tiles.ts";

await useBackend("cpu");

function cover(shape: [number, number], tiles: ReturnType<typeof tileGrid>) {
  const count = new Uint8Array(shape[0] * shape[1]);
  for (const t of tiles) {
    for (let r = t.core.top; r < t.core.top + t.core.height; r++) {
      for (let c = t.core.left; c < t.core.left + t.core.width; c++) count[r * shape[1] + c]++;
    }
    assert(t.core.top >= t.top && t.core.top + t.core.height <= t.top + t.height, "core inside");
    assert(t.top >= 0 && t.top + t.height <= shape[0] && t.left + t.width <= shape[1]);
  }
  return count;
}

Deno.test("tileGrid: tiles within the pixel budget whose cores partition the image", () => {
  for (
    const [shape, opts] of [
      [[1000, 1504], { maxPixels: 512 * 512, overlap: 32, multiple: 8 }],
      [[97, 203], { maxPixels: 1000, overlap: 6 }],
      [[50, 40], { maxPixels: 5000 }],
      [[16, 4000], { maxPixels: 4096, overlap: 16, multiple: 4 }],
    ] as const
  ) {
    const tiles = tileGrid(shape, opts);
    assert(tiles.every((t) => t.height * t.width <= opts.maxPixels), "budget");
    assert(cover(shape as [number, number], tiles).every((v) => v === 1), "partition");
    const m = "multiple" in opts ? opts.multiple : 1;
    assert(tiles.every((t) => t.top % m === 0 && t.left % m === 0 && t.core.top % m === 0));
  }
  assertEquals(tileGrid([50, 40], { maxPixels: 5000 }).length, 1);
  assertThrows(
    () => tileGrid([100, 100], { maxPixels: 100, overlap: 32 }),
    RangeError,
    "larger than the overlap",
  );
  assertThrows(
    () => tileGrid([100, 100], { maxPixels: 1e4, multiple: 8 }),
    RangeError,
    "multiples of multiple = 8",
  );
});

Deno.test("predictTiled: a 5x5 convolution tiled with overlap equals the whole-image one", async () => {
  const [h, w] = [61, 83];
  const data = Float32Array.from({ length: h * w }, (_, i) => Math.sin(i * 0.37) + (i % 7) / 7);
  const kernel = tf.tensor4d(Float32Array.from({ length: 25 }, (_, i) => (i % 5) - 2 + 0.1 * i), [
    5,
    5,
    1,
    1,
  ]);
  const net = (x: tf.Tensor4D) => tf.conv2d(x, kernel as tf.Tensor4D, 1, "same");
  const whole = tf.tidy(() => net(tf.tensor4d(data, [1, h, w, 1])).dataSync());
  const before = tf.memory().numTensors;
  const out = await predictTiled({ data, shape: [h, w, 1] }, net, { maxPixels: 900, overlap: 8 });
  assertEquals(tf.memory().numTensors, before, "no tensor left behind");
  assertEquals(out.shape, [h, w, 1]);
  let maxDiff = 0;
  for (let i = 0; i < whole.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(out.data[i] - whole[i]));
  }
  assert(maxDiff < 1e-4, `max difference ${maxDiff}`);
  kernel.dispose();
});

Deno.test("predictTiled at stride 8 (an 8x8 sum pool): count-exact stitching", async () => {
  const [h, w] = [96, 136];
  const data = Float32Array.from({ length: h * w }, (_, i) => (i * 7919) % 13 / 13);
  const net = (x: tf.Tensor4D) => tf.mul(tf.avgPool(x, 8, 8, "valid"), 64);
  const out = await predictTiled({ data, shape: [h, w, 1] }, net, {
    maxPixels: 48 * 48,
    overlap: 16,
    multiple: 8,
  });
  assertEquals(out.shape, [12, 17, 1]);
  const whole = tf.tidy(() => net(tf.tensor4d(data, [1, h, w, 1])).dataSync());
  let total = 0, sum = 0;
  for (let i = 0; i < whole.length; i++) {
    assertAlmostEquals(out.data[i], whole[i], 1e-3);
    sum += out.data[i];
  }
  for (const v of data) total += v;
  assertAlmostEquals(sum, total, 1e-2);
});

Deno.test("stitchTiles mean mode averages overlaps; wrong sizes are errors", () => {
  const tiles = tileGrid([4, 10], { maxPixels: 24, overlap: 2 });
  const outputs = tiles.map((t) => new Float32Array(t.height * t.width).fill(2));
  assert(stitchTiles(outputs, tiles, [4, 10], { mode: "mean" }).every((v) => v === 2));
  assertThrows(
    () => stitchTiles([new Float32Array(3)], tiles.slice(0, 1), [4, 10]),
    RangeError,
    "output 0 has 3 values",
  );
  assertThrows(() => stitchTiles(outputs.slice(1), tiles, [4, 10]), RangeError, "tiles but");
});
