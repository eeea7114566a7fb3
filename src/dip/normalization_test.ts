import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng.ts";
import { BatchNorm, batchNorm, MeanOnlyBatchNorm, meanOnlyBatchNorm } from "./normalization.ts";

await tf.setBackend("cpu");

Deno.test("batchNorm normalises each channel over N, H, W with the biased variance", () => {
  const x = new Rng(1).normalTensor([2, 3, 4, 2], 3, 1) as tf.Tensor4D;
  const gamma = tf.tensor1d([2, 0.5]);
  const beta = tf.tensor1d([1, -1]);
  const y = batchNorm(x, { gamma, beta });
  const v = x.dataSync(), out = y.dataSync();
  for (let c = 0; c < 2; c++) {
    const vals: number[] = [];
    for (let i = c; i < v.length; i += 2) vals.push(v[i]);
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length;
    for (let i = c, k = 0; i < v.length; i += 2, k++) {
      const ref = ((vals[k] - mean) / Math.sqrt(variance + 1e-5)) * [2, 0.5][c] + [1, -1][c];
      assertAlmostEquals(out[i], ref, 1e-4);
    }
  }
  tf.dispose([x, gamma, beta, y]);
});

Deno.test("meanOnlyBatchNorm removes the channel mean, keeps the scale and adds the bias", () => {
  const x = new Rng(2).normalTensor([1, 4, 4, 3], 2, 5) as tf.Tensor4D;
  const bias = tf.tensor1d([0, 1, -2]);
  const y = meanOnlyBatchNorm(x, bias);
  const means = y.mean([0, 1, 2]).dataSync();
  [0, 1, -2].forEach((b, i) => assertAlmostEquals(means[i], b, 1e-5));
  // No division: the spread is untouched (eq. 2.4 would undo a Lipschitz scale).
  const spread = (t: tf.Tensor) => tf.moments(t, [0, 1, 2]).variance.dataSync();
  Array.from(spread(x)).forEach((s, i) => assertAlmostEquals(spread(y)[i], s, 1e-4));
  tf.dispose([x, bias, y]);
});

Deno.test("normalisation layers expose their variables and validate shapes", () => {
  const before = tf.memory().numTensors;
  const bn = new BatchNorm(3);
  const mo = new MeanOnlyBatchNorm(3);
  assertEquals(Object.keys(bn.variables("n")), ["n/gamma", "n/beta"]);
  const plain = new BatchNorm(3, { affine: false });
  assertEquals(Object.keys(plain.variables("n")), []);
  plain.dispose();
  assertEquals(Object.keys(mo.variables("n")), ["n/bias"]);
  const x = tf.zeros([1, 2, 2, 4]) as tf.Tensor4D;
  assertThrows(() => bn.apply(x), RangeError, "gamma must have shape [4]");
  assertThrows(() => mo.apply(x), RangeError, "bias must have shape [4]");
  x.dispose();
  bn.dispose();
  mo.dispose();
  assertEquals(tf.memory().numTensors, before, "the layers leak tensors");
});

Deno.test("batchNorm's hand-written gradient equals automatic differentiation of its formula", () => {
  const rng = new Rng(5);
  const x = rng.normalTensor([2, 3, 4, 3], 2, 1) as tf.Tensor4D;
  const gamma = rng.normalTensor([3]) as tf.Tensor1D;
  const beta = rng.normalTensor([3]) as tf.Tensor1D;
  const w = rng.normalTensor([2, 3, 4, 3]);
  const reference = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(a, [0, 1, 2], true);
    return a.sub(mean).mul(tf.rsqrt(variance.add(1e-5))).mul(g).add(b);
  };
  const loss = (f: (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
    tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => f(a, g, b).mul(w).sum());
  const ours = loss((a, g, b) =>
    batchNorm(a as tf.Tensor4D, { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D })
  )([x, gamma, beta]);
  const ref = loss(reference)([x, gamma, beta]);
  ours.forEach((o, i) => assertAlmostEquals(tf.sub(o, ref[i]).abs().max().dataSync()[0], 0, 1e-4));
  tf.dispose([x, gamma, beta, w, ...ours, ...ref]);
});

Deno.test("meanOnlyBatchNorm's hand-written gradient equals automatic differentiation", () => {
  const rng = new Rng(6);
  const x = rng.normalTensor([1, 5, 4, 3]) as tf.Tensor4D;
  const bias = rng.normalTensor([3]) as tf.Tensor1D;
  const w = rng.normalTensor([1, 5, 4, 3]);
  const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    meanOnlyBatchNorm(a as tf.Tensor4D, b as tf.Tensor1D).mul(w).sum()
  )([x, bias]);
  const ref = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    a.sub(a.mean([0, 1, 2], true)).add(b).mul(w).sum()
  )([x, bias]);
  ours.forEach((o, i) => assertAlmostEquals(tf.sub(o, ref[i]).abs().max().dataSync()[0], 0, 1e-5));
  tf.dispose([x, bias, w, ...ours, ...ref]);
});
