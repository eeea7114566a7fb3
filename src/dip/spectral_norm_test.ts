import { assert, assertAlmostEquals, assertEquals, assertLessOrEqual } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng.ts";
import { Conv2d } from "./conv.ts";
import { lipschitzWeight, spectralNorm } from "./spectral_norm.ts";
import { exactSpectralNorm, symmetricEigenvalues } from "./_test_utils.ts";

await tf.setBackend("cpu");

Deno.test("the Jacobi reference gives known singular values", () => {
  // [[1, 1], [0, 1]] has singular values φ = 1.618… and 1/φ.
  assertAlmostEquals(exactSpectralNorm([1, 1, 0, 1], 2), (1 + Math.sqrt(5)) / 2, 1e-12);
  assertAlmostEquals(exactSpectralNorm([3, 0, 0, -7, 0, 0], 2), 7, 1e-12);
  const eig = symmetricEigenvalues([[2, 1], [1, 2]]).sort();
  assertAlmostEquals(eig[0], 1, 1e-12);
  assertAlmostEquals(eig[1], 3, 1e-12);
});

Deno.test("spectralNorm converges to the exact largest singular value", () => {
  const rng = new Rng(5);
  const w = rng.normalTensor([3, 3, 4, 6]);
  const u0 = rng.normalTensor([6]) as tf.Tensor1D;
  const { sigma, u } = spectralNorm(w, u0, { iterations: 200 });
  const exact = exactSpectralNorm(w.dataSync(), 6);
  assertAlmostEquals(sigma.dataSync()[0], exact, exact * 1e-5);
  assertAlmostEquals(u.norm().dataSync()[0], 1, 1e-5);
  // Power iteration approaches σ from below.
  const one = spectralNorm(w, u0, { iterations: 1 });
  assertLessOrEqual(one.sigma.dataSync()[0], exact * (1 + 1e-6));
  tf.dispose([w, u0, sigma, u, one.sigma, one.u]);
});

Deno.test("lipschitzWeight bounds the spectral norm by λ and leaves small weights alone", () => {
  const rng = new Rng(2);
  const w = rng.normalTensor([3, 3, 5, 4]);
  const exact = exactSpectralNorm(w.dataSync(), 4);
  const sigma = tf.scalar(exact);
  const bounded = lipschitzWeight(w, sigma, 1);
  assertAlmostEquals(exactSpectralNorm(bounded.dataSync(), 4), 1, 1e-5);
  const untouched = lipschitzWeight(w, sigma, exact * 2);
  assertAlmostEquals(tf.sub(untouched, w).abs().max().dataSync()[0], 0, 0);
  tf.dispose([w, sigma, bounded, untouched]);
});

Deno.test("no gradient flows through the spectral norm (the author's detached divisor)", () => {
  const rng = new Rng(4);
  const w = rng.normalTensor([2, 3]);
  const g = rng.normalTensor([2, 3]);
  const sigma = spectralNorm(w, tf.ones([3]) as tf.Tensor1D, { iterations: 50 }).sigma;
  const factor = Math.min(1, 0.5 / sigma.dataSync()[0]);
  const grad = tf.grad((x: tf.Tensor) => {
    const s = spectralNorm(x, tf.ones([3]) as tf.Tensor1D, { iterations: 50 }).sigma;
    return lipschitzWeight(x, s, 0.5).mul(g).sum();
  })(w);
  // d/dw Σ g · w·c = c·g when c is a constant.
  assertAlmostEquals(tf.sub(grad, g.mul(factor)).abs().max().dataSync()[0], 0, 1e-6);
  tf.dispose([w, g, sigma, grad]);
});

Deno.test("a Lipschitz-controlled Conv2d never exceeds λ while it trains", async () => {
  const lambda = 2;
  const rng = new Rng(11);
  const conv = new Conv2d(4, 6, { lambda, rng, bias: false });
  const x = rng.normalTensor([1, 8, 8, 4]) as tf.Tensor4D;
  const target = rng.normalTensor([1, 8, 8, 6]).mul(5);
  const opt = tf.train.adam(0.05);
  let worst = 0;
  let last = 0;
  for (let step = 0; step < 60; step++) {
    opt.minimize(
      () => tf.losses.meanSquaredError(target, conv.apply(x, { training: true })) as tf.Scalar,
      false,
      [conv.weight],
    );
    const eff = conv.effectiveWeight();
    const exact = exactSpectralNorm(await eff.data(), 6);
    eff.dispose();
    worst = Math.max(worst, exact / lambda);
    last = exact / lambda;
  }
  // The target is large, so the raw kernel grows far past λ and the constraint is active.
  assert(exactSpectralNorm(conv.weight.dataSync(), 6) > 2 * lambda);
  // One power iteration per step from the persisted u lags while the kernel changes fast: at
  // this learning rate (50x the thesis's) the estimate is low by at most 1.04% (measured), so
  // the effective norm may exceed λ by that much; tolerance 2%. Once the kernel settles the
  // estimate converges and the bound holds to 1e-4.
  assertLessOrEqual(worst, 1.02);
  assertLessOrEqual(last, 1 + 1e-4);
  opt.dispose();
  tf.dispose([x, target]);
  conv.dispose();
});

Deno.test("after enough power iterations the effective norm is at most λ (tolerance 1e-5)", () => {
  const rng = new Rng(8);
  const conv = new Conv2d(6, 5, { lambda: 0.5, rng, kernelSize: 3 });
  const x = tf.zeros([1, 4, 4, 6]) as tf.Tensor4D;
  for (let i = 0; i < 100; i++) conv.apply(x, { training: true }).dispose();
  const eff = conv.effectiveWeight();
  const exact = exactSpectralNorm(eff.dataSync(), 5);
  assertAlmostEquals(exact, 0.5, 0.5 * 1e-5);
  assert(exactSpectralNorm(conv.weight.dataSync(), 5) > 0.5, "the bound must be active");
  tf.dispose([x, eff]);
  conv.dispose();
});

Deno.test("eval passes leave the power-iteration vector unchanged", () => {
  const conv = new Conv2d(2, 3, { lambda: 1, rng: new Rng(1) });
  const before = conv.u!.dataSync().slice();
  const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
  conv.apply(x).dispose();
  assertEquals(Array.from(conv.u!.dataSync()), Array.from(before));
  conv.apply(x, { training: true }).dispose();
  assert(Array.from(conv.u!.dataSync()).some((v, i) => v !== before[i]));
  x.dispose();
  conv.dispose();
});
