/**
 * Batch normalisation in training mode with a hand-written gradient: the
 * statistics of the batch, the normalised output and, for the backward
 * pass, `dx = (γr/M)·(M·dy − Σdy − x̂·Σ(dy·x̂))` (r = 1/√(var + ε), M = N·H·W,
 * x̂ = (x − μ)·r) in a few element-wise passes, where automatic
 * differentiation of `tf.moments` followed by `tf.batchNorm` takes about
 * twenty-five (their gradients flow through the mean and the variance
 * separately, each broadcast back over the batch).
 *
 * The DIP's networks (`src/dip/normalization.ts`) and the counting
 * networks' batch-norm layer (`batch_norm_layer.ts`) both use it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertShape } from "./checks.ts";

/** What {@linkcode batchNormTraining} returns; the caller disposes all three. */
export interface BatchNormTrainingResult {
  /** `γ·(x − μ)/√(var + ε) + β`, differentiable in x, γ and β. */
  output: tf.Tensor4D;
  /** The batch's mean per channel (not differentiable: for running averages). */
  mean: tf.Tensor1D;
  /** The batch's biased variance per channel (not differentiable). */
  variance: tf.Tensor1D;
}

const AXES = [0, 1, 2];

/**
 * Normalises an NHWC batch with its own statistics over N, H and W (the
 * biased variance, as PyTorch's and Keras's training modes do), scales by γ
 * and shifts by β; the gradient is written out (see the module doc).
 *
 * @param x NHWC batch.
 * @param gamma Scale per channel, `[C]`.
 * @param beta Shift per channel, `[C]`.
 * @param options `epsilon`, the variance guard (> 0; default 1e-5, PyTorch's).
 * @returns The output and the batch's statistics; the caller disposes them.
 * @throws {RangeError} When the shapes do not match or ε is not positive.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { batchNormTraining } from "./batch_norm.ts";
 * await tf.setBackend("cpu");
 * const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
 * const { output, mean, variance } = batchNormTraining(x, tf.ones([1]), tf.zeros([1]));
 * console.log(mean.dataSync()[0], variance.dataSync()[0]); // 2.5 1.25
 * tf.dispose([x, output, mean, variance]);
 * ```
 */
export function batchNormTraining(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  options: { epsilon?: number } = {},
): BatchNormTrainingResult {
  assertShape(x, [null, null, null, null], "x");
  const c = x.shape[3];
  assertShape(gamma, [c], "gamma");
  assertShape(beta, [c], "beta");
  const epsilon = assertNumber(options.epsilon ?? 1e-5, "epsilon", {
    min: 0,
    minExclusive: true,
  });
  let stats: tf.Tensor1D[] = [];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const { mean, variance } = tf.moments(xs, AXES);
    const value = tf.batchNorm(
      xs as tf.Tensor4D,
      mean as tf.Tensor1D,
      variance as tf.Tensor1D,
      b as tf.Tensor1D,
      g as tf.Tensor1D,
      epsilon,
    );
    save([xs, g, mean, variance]);
    // The forward function runs inside a tidy: keep the statistics for the caller.
    stats = [tf.keep(mean as tf.Tensor1D), tf.keep(variance as tf.Tensor1D)];
    return { value, gradFunc: (dy, saved) => batchNormGradient(dy as tf.Tensor4D, saved, epsilon) };
  });
  const output = op(x, gamma, beta) as tf.Tensor4D;
  return { output, mean: stats[0], variance: stats[1] };
}

/** `[dx, dγ, dβ]` of {@linkcode batchNormTraining} from `dy` and the saved `[x, γ, μ, var]`. */
function batchNormGradient(dy: tf.Tensor4D, saved: tf.Tensor[], epsilon: number): tf.Tensor[] {
  const [x, gamma, mean, variance] = saved;
  const m = dy.size / dy.shape[3];
  const r = tf.rsqrt(variance.add(epsilon));
  const xhat = tf.batchNorm(
    x as tf.Tensor4D,
    mean as tf.Tensor1D,
    variance as tf.Tensor1D,
    undefined,
    undefined,
    epsilon,
  );
  const dbeta = dy.sum(AXES);
  const dgamma = dy.mul(xhat).sum(AXES);
  // dx = a·dy + b·x + c per channel, the b·x + c part as one fused affine kernel.
  const a = gamma.mul(r);
  const b = a.mul(r).mul(dgamma).div(-m);
  const c = b.mul(mean).neg().sub(a.mul(dbeta).div(m));
  // batchNorm(x, 0, 1, c, b) with ε = 0 gives b·x + c exactly.
  const affine = tf.batchNorm(
    x as tf.Tensor4D,
    tf.zerosLike(mean) as tf.Tensor1D,
    tf.onesLike(variance) as tf.Tensor1D,
    c as tf.Tensor1D,
    b as tf.Tensor1D,
    0,
  );
  return [affine.add(dy.mul(a)), dgamma, dbeta];
}
