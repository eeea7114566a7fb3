/**
 * The spectral norm of a weight by power iteration, and the Lipschitz
 * constraint of eq. (2.3)–(2.5): `w / max(1, ‖w‖sn / λ)`.
 *
 * The weight is seen as the matrix `(out, in·k·k)` of the thesis (here its
 * transpose `(k·k·in, out)`, read straight from the HWIO kernel; transposing
 * does not change singular values).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertShape, formatShape } from "../core/checks.ts";

/** Options of {@linkcode spectralNorm}. */
export interface SpectralNormOptions {
  /** Power iterations from `u` (default 1: one per training step, as spectral-norm layers do). */
  iterations?: number;
}

/** What {@linkcode spectralNorm} returns; the caller owns both tensors. */
export interface SpectralNormResult {
  /** The estimate of the largest singular value (a lower bound that converges to it). */
  sigma: tf.Scalar;
  /** The updated left singular vector estimate (length `out`, unit norm). */
  u: tf.Tensor1D;
}

const EPS = 1e-12;

function unit(v: tf.Tensor): tf.Tensor {
  return v.div(v.norm().add(EPS));
}

/**
 * Estimates the spectral norm (largest singular value) of a weight by power
 * iteration from the vector `u`: `v = M u / ‖M u‖`, `u = Mᵀ v / ‖Mᵀ v‖`,
 * `σ = ‖Mᵀ v‖`, with `M` the weight reshaped to `(k·k·in, out)`. Persisting
 * `u` across training steps makes one iteration per step converge as the
 * weights drift slowly (Miyato et al. 2018).
 *
 * @param weight A weight whose last axis is the output channels (HWIO kernel or `[in, out]`).
 * @param u The current vector, length `out`.
 * @param options Iterations.
 * @returns The estimate and the updated vector (new tensors).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { spectralNorm } from "./spectral_norm.ts";
 * await tf.setBackend("cpu");
 * const w = tf.tensor2d([[3, 0], [0, 1]]);
 * const { sigma, u } = spectralNorm(w, tf.tensor1d([1, 1]), { iterations: 30 });
 * console.log(sigma.dataSync()[0].toFixed(4)); // "3.0000"
 * tf.dispose([w, sigma, u]);
 * ```
 */
export function spectralNorm(
  weight: tf.Tensor,
  u: tf.Tensor1D,
  options: SpectralNormOptions = {},
): SpectralNormResult {
  const iterations = assertNumber(options.iterations ?? 1, "iterations", {
    min: 1,
    integer: true,
  });
  if (!(weight instanceof tf.Tensor) || weight.rank < 2) {
    throw new RangeError(`weight must be a tensor of rank >= 2, got ${formatShape(weight.shape)}`);
  }
  const out = weight.shape[weight.rank - 1];
  assertShape(u, [out], "u");
  return tf.tidy(() => {
    const m = weight.reshape([-1, out]) as tf.Tensor2D;
    let uu: tf.Tensor = u.reshape([out, 1]);
    let mtv: tf.Tensor = uu;
    for (let i = 0; i < iterations; i++) {
      const v = unit(tf.matMul(m, uu));
      mtv = tf.matMul(m, v, true, false);
      uu = unit(mtv);
    }
    const sigma = mtv.norm() as tf.Scalar;
    return { sigma, u: uu.reshape([out]) as tf.Tensor1D };
  });
}

/**
 * The factor `1 / max(1, σ/λ)` of eq. (2.5) as a tensor through which no
 * gradient flows: as in the author's code, the divisor is a constant of each
 * step, not differentiated.
 *
 * @param sigma The spectral norm estimate.
 * @param lambda The bound λ.
 * @returns A new scalar the caller owns.
 */
export function lipschitzFactor(sigma: tf.Scalar, lambda: number): tf.Scalar {
  assertNumber(lambda, "lambda", { min: 0, minExclusive: true });
  return tf.tidy(() => stopGradient(tf.minimum(1, tf.div(lambda, sigma.add(EPS)))) as tf.Scalar);
}

/**
 * The identity in the forward pass with a zero gradient (tfjs has no
 * `stopGradient` op).
 *
 * @param x Any tensor.
 * @returns A new tensor equal to `x` whose gradient is zero.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: (args[0] as tf.Tensor).clone(),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(dy as tf.Tensor),
  }));
  return f(x) as T;
}

/**
 * The Lipschitz-constrained weight `w / max(1, σ/λ)` (eq. 2.3–2.5): left
 * untouched when its spectral norm is at most λ, scaled to spectral norm λ
 * otherwise.
 *
 * @param weight The weight.
 * @param sigma Its spectral norm (estimate).
 * @param lambda The bound λ > 0.
 * @returns A new tensor the caller owns.
 */
export function lipschitzWeight(weight: tf.Tensor, sigma: tf.Scalar, lambda: number): tf.Tensor {
  return tf.tidy(() => weight.mul(lipschitzFactor(sigma, lambda)));
}
