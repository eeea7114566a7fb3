import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertGreater, assertLess, assertThrows } from "@std/assert";
import { guidedFilter } from "./guided_filter.ts";
import type { LowPass } from "./low_pass.ts";
import { lowPassFilter } from "./low_pass.ts";
import {
  unsharpMaskGuidedFilter,
  unsharpMaskGuidedFilterParts,
} from "./unsharp_mask_guided_filter.ts";
import { decodeArray, loadReference, maxAbsDiff, type StoredArray } from "./_testing.ts";

await tf.setBackend("cpu");

interface Case {
  name: string;
  guide: string;
  src: string;
  radius: number;
  eps: number;
  amount: "guided" | "weighted";
  lowPass: LowPass;
  expected: StoredArray;
  expectedAmount: StoredArray;
}

const psnr = (a: tf.Tensor, b: tf.Tensor) =>
  tf.tidy(() => -10 * Math.log10(tf.squaredDifference(a, b).mean().dataSync()[0]));

Deno.test("unsharpMaskGuidedFilter: matches the float64 reference of eqs. 3.13–3.15", async () => {
  // Values from tools/fixtures/guided_fixtures.py: numpy implementation of the thesis's
  // Î = ā ⊙ (G − F_L(G)) + F_L(I), ā from the guided or weighted guided filter.
  const ref = await loadReference() as { images: Record<string, StoredArray>; unsharp: Case[] };
  for (const c of ref.unsharp) {
    const g = decodeArray(ref.images[c.guide]) as tf.Tensor3D;
    const p = decodeArray(ref.images[c.src]) as tf.Tensor3D;
    const expected = decodeArray(c.expected), expectedAmount = decodeArray(c.expectedAmount);
    const parts = unsharpMaskGuidedFilterParts(g, p, {
      radius: c.radius,
      eps: c.eps,
      amount: c.amount,
      lowPass: c.lowPass,
    });
    const tol = g.shape[2] === 3 ? 2e-4 : 2e-5;
    const err = maxAbsDiff(parts.output, expected);
    assertLess(err, tol, `${c.name}: max error ${err}`);
    assertLess(maxAbsDiff(parts.amount, expectedAmount), 20 * tol, `${c.name}: amount`);
    tf.dispose([g, p, expected, expectedAmount, ...Object.values(parts)]);
  }
});

Deno.test("unsharpMaskGuidedFilter: as good as the guided filter it approximates (eq. 3.14)", async () => {
  // Thesis Fig. 22 setting on the camera crop: r = 8, ε = 0.05², F_L = two box filters.
  const ref = await loadReference() as { images: Record<string, StoredArray> };
  const g = decodeArray(ref.images.camera) as tf.Tensor3D;
  const gf = guidedFilter(g, g, { radius: 8, eps: 0.05 ** 2 });
  const ours = unsharpMaskGuidedFilter(g, g, { radius: 8, eps: 0.05 ** 2 });
  assertGreater(psnr(ours, gf), 35);
  tf.dispose([g, gf, ours]);
});

Deno.test("unsharpMaskGuidedFilter: tensor amounts: 0 gives F_L(I), 1 gives back G when I = G", () => {
  const g = tf.randomUniform([12, 12, 1], 0, 1, "float32", 1) as tf.Tensor3D;
  const lp: LowPass = { kind: "gaussian", sigma: 2 };
  const zero = tf.zeros([12, 12, 1]) as tf.Tensor3D, one = tf.ones([12, 12, 1]) as tf.Tensor3D;
  const a = unsharpMaskGuidedFilter(g, g, { amount: zero, lowPass: lp });
  const smooth = lowPassFilter(g, lp);
  assertLess(maxAbsDiff(a, smooth), 1e-6);
  const b = unsharpMaskGuidedFilter(g, g, { amount: one, lowPass: lp });
  assertLess(maxAbsDiff(b, g), 1e-6);
  tf.dispose([g, zero, one, a, smooth, b]);
});

Deno.test("unsharpMaskGuidedFilter: colour guides take per-channel or vector amounts", () => {
  const g = tf.randomUniform([2, 8, 8, 3], 0, 1, "float32", 2) as tf.Tensor4D;
  const p = tf.randomUniform([2, 8, 8, 3], 0, 1, "float32", 3) as tf.Tensor4D;
  const per = tf.randomUniform([2, 8, 8, 3], 0, 1, "float32", 4) as tf.Tensor4D;
  const out = unsharpMaskGuidedFilterParts(g, p, { amount: per, radius: 2 });
  // Per channel: Î_c = a_c ⊙ G_m,c + F_L(I)_c.
  const want = tf.tidy(() => tf.add(tf.mul(per, out.guideMask), out.lowPassSrc));
  assertLess(maxAbsDiff(out.output, want), 1e-6);
  // Vector form with a 9-channel amount, zero off the diagonal, is the same.
  const vec = tf.tidy(() => {
    const z = tf.zerosLike(per.slice([0, 0, 0, 0], [-1, -1, -1, 1]));
    const [r, gg, b] = tf.split(per, 3, 3);
    return tf.concat([r, z, z, z, gg, z, z, z, b], 3);
  }) as tf.Tensor4D;
  const viaVector = unsharpMaskGuidedFilter(g, p, { amount: vec, radius: 2 });
  assertLess(maxAbsDiff(viaVector, want), 1e-6);
  const gray = tf.zeros([2, 8, 8, 1]) as tf.Tensor4D;
  assertThrows(() => unsharpMaskGuidedFilter(g, gray, { amount: gray }), RangeError, "amount");
  tf.dispose([g, p, per, want, vec, viaVector, gray, ...Object.values(out)]);
});

Deno.test("unsharpMaskGuidedFilter: leaks no tensors and checks its arguments", () => {
  const g = tf.randomUniform([10, 10, 1], 0, 1, "float32", 5) as tf.Tensor3D;
  unsharpMaskGuidedFilter(g, g, { radius: 2 }).dispose();
  const before = tf.memory().numTensors;
  unsharpMaskGuidedFilter(g, g, { radius: 2, amount: "weighted" }).dispose();
  assertEquals(tf.memory().numTensors, before);
  assertThrows(
    () => unsharpMaskGuidedFilter(g, g, { amount: "learned" as "guided" }),
    RangeError,
    "amount",
  );
  assertThrows(
    () => unsharpMaskGuidedFilter(g, g, { lowPass: { kind: "gaussian", sigma: -1 } }),
    RangeError,
    "lowPass.sigma",
  );
  g.dispose();
});
