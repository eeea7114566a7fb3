import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertLess, assertThrows } from "@std/assert";
import { boxFilter } from "./box_filter.ts";
import { bruteBox, decodeArray, loadReference, maxAbsDiff, type StoredArray } from "./_testing.ts";

await tf.setBackend("cpu");

Deno.test("boxFilter: small exact example with cut windows at the borders", () => {
  const x = tf.tensor3d([0, 0, 3, 3], [1, 4, 1]);
  const y = boxFilter(x, 1);
  assertEquals(Array.from(y.dataSync()).map((v) => Math.round(v * 1e6) / 1e6), [0, 1, 2, 3]);
  tf.dispose([x, y]);
});

Deno.test("boxFilter: matches SciPy's uniform_filter normalised by the window size", async () => {
  // Values from tools/fixtures/guided_fixtures.py (scipy.ndimage.uniform_filter, float64,
  // zero padding divided by the same filter of ones): no cumulative sums involved.
  const ref = await loadReference() as {
    images: Record<string, StoredArray>;
    box: { radius: number; expected: StoredArray }[];
  };
  const x = decodeArray(ref.images.random) as tf.Tensor3D;
  for (const c of ref.box) {
    const expected = decodeArray(c.expected);
    const y = boxFilter(x, c.radius);
    assertLess(maxAbsDiff(y, expected), 1e-6, `radius ${c.radius}`);
    tf.dispose([y, expected]);
  }
  x.dispose();
});

Deno.test("boxFilter: equals direct summation for radii up to and beyond the image size", () => {
  const shape: [number, number, number] = [7, 5, 3];
  const x = tf.randomUniform(shape, 0, 1, "float32", 11) as tf.Tensor3D;
  const values = x.dataSync();
  for (const r of [0, 1, 2, 3, 4, 6, 7, 50]) {
    const y = boxFilter(x, r);
    const want = tf.tensor(Float32Array.from(bruteBox(values, shape, r)), shape);
    assertLess(maxAbsDiff(y, want), 1e-6, `radius ${r}`);
    tf.dispose([y, want]);
  }
  x.dispose();
});

Deno.test("boxFilter: a batch gives each image's result", () => {
  const a = tf.randomUniform([9, 6, 2], 0, 1, "float32", 1) as tf.Tensor3D;
  const b = tf.randomUniform([9, 6, 2], 0, 1, "float32", 2) as tf.Tensor3D;
  const batch = tf.stack([a, b]) as tf.Tensor4D;
  const y = boxFilter(batch, 2);
  assertEquals(y.shape, [2, 9, 6, 2]);
  const ya = boxFilter(a, 2), yb = boxFilter(b, 2);
  const both = tf.stack([ya, yb]);
  assertLess(maxAbsDiff(y, both), 1e-6);
  tf.dispose([a, b, batch, y, ya, yb, both]);
});

Deno.test("boxFilter: gradient is the transposed filter", () => {
  const shape: [number, number, number] = [5, 6, 1];
  const x = tf.randomUniform(shape, 0, 1, "float32", 4) as tf.Tensor3D;
  const wts = tf.randomUniform(shape, 0, 1, "float32", 5) as tf.Tensor3D;
  const r = 2;
  const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(boxFilter(t as tf.Tensor3D, r), wts)))(x);
  // d/dx_j Σ_i w_i mean_i = Σ_{i: j ∈ window(i)} w_i / |window(i)|.
  const [h, w] = shape;
  const wv = wts.dataSync();
  const n = (i: number, len: number) => Math.min(i + r, len - 1) - Math.max(i - r, 0) + 1;
  const g = grad.dataSync();
  for (let u = 0; u < h; u++) {
    for (let v = 0; v < w; v++) {
      let want = 0;
      for (let i = Math.max(0, u - r); i <= Math.min(h - 1, u + r); i++) {
        for (let j = Math.max(0, v - r); j <= Math.min(w - 1, v + r); j++) {
          want += wv[i * w + j] / (n(i, h) * n(j, w));
        }
      }
      assertAlmostEquals(g[u * w + v], want, 1e-5);
    }
  }
  tf.dispose([x, wts, grad]);
});

Deno.test("boxFilter: leaks no tensors", () => {
  const x = tf.randomUniform([12, 10, 3], 0, 1, "float32", 6) as tf.Tensor3D;
  boxFilter(x, 2).dispose();
  const before = tf.memory().numTensors;
  boxFilter(x, 3).dispose();
  boxFilter(x, 40).dispose();
  assertEquals(tf.memory().numTensors, before);
  x.dispose();
});

Deno.test("boxFilter: rejects bad arguments with their names", () => {
  const x = tf.zeros([4, 4, 1]) as tf.Tensor3D;
  assertThrows(() => boxFilter(x, -1), RangeError, "radius");
  assertThrows(() => boxFilter(x, 1.5), RangeError, "radius");
  assertThrows(() => boxFilter(tf.zeros([4, 4]) as unknown as tf.Tensor3D, 1), RangeError, "image");
  x.dispose();
});
