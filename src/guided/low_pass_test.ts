import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess, assertThrows } from "@std/assert";
import { boxFilter } from "./box_filter.ts";
import { gaussianFilter, type LowPass, lowPassFilter } from "./low_pass.ts";
import { decodeArray, loadReference, maxAbsDiff, type StoredArray } from "./_testing.ts";

await tf.setBackend("cpu");

Deno.test("gaussianFilter: matches SciPy's gaussian_filter normalised at the borders", async () => {
  // Values from tools/fixtures/guided_fixtures.py: scipy.ndimage.gaussian_filter (truncate 4,
  // zero padding) divided by the same filter of ones.
  const ref = await loadReference() as {
    images: Record<string, StoredArray>;
    gaussian: { sigma: number; expected: StoredArray }[];
  };
  const x = decodeArray(ref.images.random) as tf.Tensor3D;
  for (const c of ref.gaussian) {
    const expected = decodeArray(c.expected);
    const y = gaussianFilter(x, c.sigma);
    assertLess(maxAbsDiff(y, expected), 1e-6, `sigma ${c.sigma}`);
    tf.dispose([y, expected]);
  }
  x.dispose();
});

Deno.test("gaussianFilter: keeps constants, handles batches and passes gradients", () => {
  const ones = tf.ones([2, 7, 9, 3]) as tf.Tensor4D;
  const y = gaussianFilter(ones, 1.5);
  assertLess(maxAbsDiff(y, ones), 1e-6);
  const x = tf.randomUniform([7, 9, 2], 0, 1, "float32", 1) as tf.Tensor3D;
  // The filter is linear and self-adjoint up to the border normalisation: check d/dx Σ F(x) > 0.
  const g = tf.grad((t: tf.Tensor) => tf.sum(gaussianFilter(t as tf.Tensor3D, 1)))(x);
  assertEquals(g.shape, [7, 9, 2]);
  assertLess(0, g.min().dataSync()[0]);
  tf.dispose([ones, y, x, g]);
});

Deno.test("lowPassFilter: box cascades equal repeated box filters; defaults apply", () => {
  const x = tf.randomUniform([11, 13, 1], 0, 1, "float32", 2) as tf.Tensor3D;
  const y = lowPassFilter(x, { kind: "box", radius: 2, times: 3 });
  const want = tf.tidy(() => boxFilter(boxFilter(boxFilter(x, 2), 2), 2));
  assertLess(maxAbsDiff(y, want), 1e-6);
  const d = lowPassFilter(x, { kind: "box" }, 3);
  const wantD = tf.tidy(() => boxFilter(boxFilter(x, 3), 3));
  assertLess(maxAbsDiff(d, wantD), 1e-6);
  const before = tf.memory().numTensors;
  lowPassFilter(x, { kind: "gaussian", sigma: 1 }).dispose();
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([x, y, want, d, wantD]);
});

Deno.test("lowPassFilter: rejects bad specifications with their names", () => {
  const x = tf.zeros([4, 4, 1]) as tf.Tensor3D;
  assertThrows(
    () => lowPassFilter(x, { kind: "median" } as unknown as LowPass),
    RangeError,
    "lowPass.kind",
  );
  assertThrows(() => lowPassFilter(x, { kind: "gaussian", sigma: 0 }), RangeError, "lowPass.sigma");
  assertThrows(() => lowPassFilter(x, { kind: "box", times: 0 }), RangeError, "lowPass.times");
  assertThrows(() => gaussianFilter(x, -1), RangeError, "sigma");
  x.dispose();
});
