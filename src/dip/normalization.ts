/**
 * Batch normalisation (with batch statistics, as the deep image prior uses
 * it) and the mean-only batch normalisation of the Lipschitz normalisation
 * (eq. 2.5).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { batchNormTraining } from "../core/batch_norm.ts";
import { assertNumber, assertShape } from "../core/checks.ts";

/** Options of {@linkcode batchNorm}. */
export interface BatchNormOptions {
  /** Per-channel scale (default 1). */
  gamma?: tf.Tensor1D;
  /** Per-channel shift (default 0). */
  beta?: tf.Tensor1D;
  /** Variance guard (default 1e-5, PyTorch's). */
  epsilon?: number;
}

/**
 * Batch normalisation of an NHWC batch with the statistics of the batch
 * itself (over N, H, W): `(x − μ) / sqrt(var + ε) · γ + β`, the biased
 * variance as in PyTorch's training mode. The deep image prior always runs
 * its networks in training mode, so there are no running averages. The
 * gradient is written out (`batchNormTraining` of `src/core/batch_norm.ts`).
 *
 * @param x NHWC batch.
 * @param options Scale, shift, ε.
 * @returns A new tensor the caller owns.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { batchNorm } from "./normalization.ts";
 * await tf.setBackend("cpu");
 * const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
 * const y = batchNorm(x);
 * console.log(Array.from(y.dataSync()).map((v) => v.toFixed(3))); // ["-1.342", "-0.447", "0.447", "1.342"]
 * tf.dispose([x, y]);
 * ```
 */
export function batchNorm(x: tf.Tensor4D, options: BatchNormOptions = {}): tf.Tensor4D {
  assertShape(x, [null, null, null, null], "x");
  const c = x.shape[3];
  if (options.gamma) assertShape(options.gamma, [c], "gamma");
  if (options.beta) assertShape(options.beta, [c], "beta");
  const eps = assertNumber(options.epsilon ?? 1e-5, "epsilon", { min: 0, minExclusive: true });
  const gamma = options.gamma ?? tf.ones([c]);
  const beta = options.beta ?? tf.zeros([c]);
  try {
    const { output, mean, variance } = batchNormTraining(x, gamma, beta, { epsilon: eps });
    tf.dispose([mean, variance]);
    return output;
  } finally {
    if (!options.gamma) gamma.dispose();
    if (!options.beta) beta.dispose();
  }
}

const AXES = [0, 1, 2];

/**
 * Mean-only batch normalisation (Salimans & Kingma 2016): subtract the
 * per-channel mean of the batch (over N, H, W), divide by nothing, add a
 * bias. Following a Lipschitz-controlled convolution it is the Lipschitz
 * normalisation of eq. (2.5), `wx / max(1, σ/λ) − μ + b`; unlike batch
 * normalisation it does not undo the kernel's scale (eq. 2.4), so λ keeps
 * bounding the layer.
 *
 * @param x NHWC batch.
 * @param bias Per-channel bias (default none).
 * @returns A new tensor the caller owns.
 */
export function meanOnlyBatchNorm(x: tf.Tensor4D, bias?: tf.Tensor1D): tf.Tensor4D {
  assertShape(x, [null, null, null, null], "x");
  if (bias) assertShape(bias, [x.shape[3]], "bias");
  const b = bias ?? tf.zeros([x.shape[3]]);
  try {
    return meanOnlyOp(x, b) as tf.Tensor4D;
  } finally {
    if (!bias) b.dispose();
  }
}

/** `x − μ + b` with its gradient written out: `dx = dy − Σdy/M`, `db = Σdy`. */
const meanOnlyOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, bias] = args as tf.Tensor[];
  const mean = x.mean(AXES);
  // batchNorm with variance 1 and ε 0 is the subtraction and the bias in one kernel.
  const value = tf.batchNorm(
    x as tf.Tensor4D,
    mean as tf.Tensor1D,
    tf.onesLike(mean) as tf.Tensor1D,
    bias as tf.Tensor1D,
    undefined,
    0,
  );
  return {
    value,
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
      const g = dy as tf.Tensor4D;
      const db = g.sum(AXES);
      return [g.sub(db.div(g.size / g.shape[3])), db];
    },
  };
});

/**
 * A batch normalisation layer with learnable γ (init 1) and β (init 0).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { BatchNorm } from "./normalization.ts";
 * await tf.setBackend("cpu");
 * const bn = new BatchNorm(4);
 * const y = bn.apply(tf.randomNormal([1, 8, 8, 4]));
 * bn.dispose();
 * y.dispose();
 * ```
 */
export class BatchNorm {
  /** Scale γ, or undefined when not affine. */
  readonly gamma?: tf.Variable<tf.Rank.R1>;
  /** Shift β, or undefined when not affine. */
  readonly beta?: tf.Variable<tf.Rank.R1>;
  readonly #epsilon: number;

  /**
   * Creates the layer with γ = 1 and β = 0.
   *
   * @param channels Number of channels.
   * @param options `affine` (default true): learn γ and β; `epsilon` (default 1e-5).
   */
  constructor(channels: number, options: { affine?: boolean; epsilon?: number } = {}) {
    assertNumber(channels, "channels", { min: 1, integer: true });
    this.#epsilon = assertNumber(options.epsilon ?? 1e-5, "epsilon", {
      min: 0,
      minExclusive: true,
    });
    if (options.affine ?? true) {
      this.gamma = tf.tidy(() => tf.variable(tf.ones([channels]) as tf.Tensor1D, true));
      this.beta = tf.tidy(() => tf.variable(tf.zeros([channels]) as tf.Tensor1D, true));
    }
  }

  /**
   * The forward pass (batch statistics).
   *
   * @param x NHWC batch.
   * @returns A new tensor the caller owns.
   */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return batchNorm(x, { gamma: this.gamma, beta: this.beta, epsilon: this.#epsilon });
  }

  /**
   * The trainable variables under stable names.
   *
   * @param prefix Name prefix.
   * @returns `{prefix/gamma, prefix/beta}` (empty when not affine).
   */
  variables(prefix: string): Record<string, tf.Variable> {
    return this.gamma && this.beta
      ? { [`${prefix}/gamma`]: this.gamma, [`${prefix}/beta`]: this.beta }
      : {};
  }

  /** Frees the variables. */
  dispose(): void {
    this.gamma?.dispose();
    this.beta?.dispose();
  }
}

/**
 * A mean-only batch normalisation layer with a learnable bias (init 0): the
 * normalisation half of the Lipschitz normalisation (eq. 2.5).
 */
export class MeanOnlyBatchNorm {
  /** The learnable bias b. */
  readonly bias: tf.Variable<tf.Rank.R1>;

  /**
   * Creates the layer with a zero bias.
   *
   * @param channels Number of channels.
   */
  constructor(channels: number) {
    assertNumber(channels, "channels", { min: 1, integer: true });
    this.bias = tf.tidy(() => tf.variable(tf.zeros([channels]) as tf.Tensor1D, true));
  }

  /**
   * The forward pass.
   *
   * @param x NHWC batch.
   * @returns A new tensor the caller owns.
   */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return meanOnlyBatchNorm(x, this.bias);
  }

  /**
   * The trainable variables under stable names.
   *
   * @param prefix Name prefix.
   * @returns `{prefix/bias}`.
   */
  variables(prefix: string): Record<string, tf.Variable> {
    return { [`${prefix}/bias`]: this.bias };
  }

  /** Frees the variable. */
  dispose(): void {
    this.bias.dispose();
  }
}
