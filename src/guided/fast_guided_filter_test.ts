import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertGreater, assertLess, assertThrows } from "@std/assert";
import { fastGuidedFilter } from "./fast_guided_filter.ts";
import { guidedFilter } from "./guided_filter.ts";
import { decodeArray, loadReference, maxAbsDiff, type StoredArray } from "./_testing.ts";

await tf.setBackend("cpu");

interface Case {
  name: string;
  guide: string;
  src: string;
  radius: number;
  eps: number;
  subsample: number;
  expected: StoredArray;
}

Deno.test("fastGuidedFilter: matches the float64 reference of He & Sun's algorithm", async () => {
  // Values from tools/fixtures/guided_fixtures.py: numpy implementation of He & Sun
  // (arXiv:1505.00996), nearest subsampling at pixel centres, half-pixel bilinear upsampling.
  const ref = await loadReference() as { images: Record<string, StoredArray>; fast: Case[] };
  for (const c of ref.fast) {
    const g = decodeArray(ref.images[c.guide]) as tf.Tensor3D;
    const p = decodeArray(ref.images[c.src]) as tf.Tensor3D;
    const expected = decodeArray(c.expected);
    const q = fastGuidedFilter(g, p, { radius: c.radius, eps: c.eps, subsample: c.subsample });
    const err = maxAbsDiff(q, expected);
    assertLess(err, 2e-5, `${c.name}: max error ${err}`);
    tf.dispose([g, p, expected, q]);
  }
});

Deno.test("fastGuidedFilter: subsample 1 is the guided filter; s = 2 stays close to it", async () => {
  const ref = await loadReference() as { images: Record<string, StoredArray> };
  const g = decodeArray(ref.images.camera) as tf.Tensor3D;
  const exact = guidedFilter(g, g, { radius: 8, eps: 0.01 });
  const same = fastGuidedFilter(g, g, { radius: 8, eps: 0.01, subsample: 1 });
  assertLess(maxAbsDiff(same, exact), 1e-6);
  const fast = fastGuidedFilter(g, g, { radius: 8, eps: 0.01, subsample: 2 });
  const psnr = tf.tidy(() =>
    -10 * Math.log10(tf.squaredDifference(fast, exact).mean().dataSync()[0])
  );
  assertGreater(psnr, 35);
  tf.dispose([g, exact, same, fast]);
});

Deno.test("fastGuidedFilter: leaks no tensors and checks its arguments", () => {
  const g = tf.randomUniform([2, 12, 10, 3], 0, 1, "float32", 1) as tf.Tensor4D;
  fastGuidedFilter(g, g, { radius: 4, subsample: 2 }).dispose();
  const before = tf.memory().numTensors;
  const q = fastGuidedFilter(g, g, { radius: 4, subsample: 3 });
  assertEquals(q.shape, [2, 12, 10, 3]);
  q.dispose();
  assertEquals(tf.memory().numTensors, before);
  assertThrows(() => fastGuidedFilter(g, g, { subsample: 0 }), RangeError, "subsample");
  assertThrows(() => fastGuidedFilter(g, g, { subsample: 1.5 }), RangeError, "subsample");
  g.dispose();
});
