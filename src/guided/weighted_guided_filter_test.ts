import * as tf from "@tensorflow/tfjs";
import {
  assertAlmostEquals,
  assertEquals,
  assertGreater,
  assertLess,
  assertThrows,
} from "@std/assert";
import { guidedFilter } from "./guided_filter.ts";
import { edgeAwareWeighting, weightedGuidedFilter } from "./weighted_guided_filter.ts";
import { decodeArray, loadReference, maxAbsDiff, type StoredArray } from "./_testing.ts";

await tf.setBackend("cpu");

interface Case {
  name: string;
  guide: string;
  src: string;
  radius: number;
  eps: number;
  expected: StoredArray;
}

Deno.test("weightedGuidedFilter: matches the float64 reference of Li et al.'s formulas", async () => {
  // Values from tools/fixtures/guided_fixtures.py: numpy implementation of Li, Zheng, Zhu,
  // Wu, Rahardja (TIP 2015) eqs. 5-12 (thesis eq. 3.6), 3x3 variance, eps = (0.001 L)^2.
  const ref = await loadReference() as { images: Record<string, StoredArray>; weighted: Case[] };
  for (const c of ref.weighted) {
    const g = decodeArray(ref.images[c.guide]) as tf.Tensor3D;
    const p = decodeArray(ref.images[c.src]) as tf.Tensor3D;
    const expected = decodeArray(c.expected);
    const q = weightedGuidedFilter(g, p, { radius: c.radius, eps: c.eps });
    const err = maxAbsDiff(q, expected);
    // Colour guides: the 3 × 3 inverse amplifies float32 rounding where λ/Γ is small.
    assertLess(err, g.shape[2] === 3 ? 2e-4 : 2e-5, `${c.name}: max error ${err}`);
    tf.dispose([g, p, expected, q]);
  }
});

Deno.test("edgeAwareWeighting: mean of 1/Γ is 1, Γ peaks on edges", () => {
  const step = tf.tidy(() =>
    tf.concat([tf.zeros([8, 5, 1]), tf.ones([8, 5, 1])], 1).add(
      tf.randomUniform([8, 10, 1], 0, 0.01, "float32", 1),
    )
  ) as tf.Tensor3D;
  const gamma = edgeAwareWeighting(step);
  assertEquals(gamma.shape, [8, 10, 1]);
  const v = gamma.dataSync();
  assertAlmostEquals(tf.tidy(() => tf.reciprocal(gamma).mean().dataSync()[0]), 1, 1e-4);
  assertGreater(v[3 * 10 + 4], 10 * v[3 * 10 + 1]);
  tf.dispose([step, gamma]);
});

Deno.test("weightedGuidedFilter: smooths flat noise more and edges less than the guided filter", () => {
  // A noisy step: with the same λ = ε, the edge-aware ε is smaller at the edge.
  const g = tf.tidy(() =>
    tf.concat([tf.fill([16, 8, 1], 0.3), tf.fill([16, 8, 1], 0.7)], 1)
      .add(tf.randomNormal([16, 16, 1], 0, 0.02, "float32", 2))
  ) as tf.Tensor3D;
  const gf = guidedFilter(g, g, { radius: 3, eps: 0.02 });
  const wgf = weightedGuidedFilter(g, g, { radius: 3, eps: 0.02 });
  const jump = (t: tf.Tensor) =>
    tf.tidy(() =>
      t.slice([0, 8, 0], [16, 1, 1]).sub(t.slice([0, 7, 0], [16, 1, 1])).mean().dataSync()[0]
    );
  assertGreater(jump(wgf), jump(gf));
  tf.dispose([g, gf, wgf]);
});

Deno.test("weightedGuidedFilter: leaks no tensors and checks its arguments", () => {
  const g = tf.randomUniform([10, 9, 3], 0, 1, "float32", 3) as tf.Tensor3D;
  weightedGuidedFilter(g, g, { radius: 2 }).dispose();
  const before = tf.memory().numTensors;
  weightedGuidedFilter(g, g, { radius: 2 }).dispose();
  edgeAwareWeighting(g).dispose();
  assertEquals(tf.memory().numTensors, before);
  assertThrows(() => weightedGuidedFilter(g, g, { edgeEps: 0 }), RangeError, "edgeEps");
  assertThrows(() => weightedGuidedFilter(g, g, { edgeRadius: 0 }), RangeError, "edgeRadius");
  assertThrows(() => weightedGuidedFilter(g, g, { eps: -1 }), RangeError, "eps");
  g.dispose();
});
