/**
 * The (masked) mean of squared or absolute errors shared by PSNR, RMSE and
 * MAE.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { describe, formatShape } from "../core/checks.ts";
import {
  assertPair,
  explainNonFinite,
  explainNonFiniteAsync,
  readAsync,
  readSync,
  rowSums,
  sum64,
} from "./_reduce.ts";

/** Options of the error metrics (`psnr`, `rmse`, `mae`). */
export interface MaskOptions {
  /**
   * Weights broadcastable to the images' shape, 1 where pixels count and 0
   * where they do not (e.g. `[H, W, 1]` for all channels of a pixel). The
   * metric is the weighted mean `Σ m·e / Σ m`. Default: every pixel counts.
   */
  mask?: tf.Tensor;
}

/** Squared or absolute error. */
export type ErrorKind = "squared" | "absolute";

/**
 * Partial sums of the (masked) error: a `[2, rows]` tensor of numerator and
 * weight row sums, or `[1, rows]` without a mask.
 *
 * @param a Reference.
 * @param b Compared image.
 * @param kind Squared or absolute error.
 * @param mask Optional weights broadcastable to `a`.
 * @returns The partial sums.
 */
export function errorPartials(
  a: tf.Tensor,
  b: tf.Tensor,
  kind: ErrorKind,
  mask?: tf.Tensor,
): tf.Tensor2D {
  assertPair(a, b);
  if (mask !== undefined) assertBroadcastable(mask, a.shape);
  return tf.tidy(() => {
    const diff = tf.sub(a.toFloat(), b.toFloat());
    const err = kind === "squared" ? tf.square(diff) : tf.abs(diff);
    if (mask === undefined) return tf.stack([rowSums(err)]) as tf.Tensor2D;
    const w = tf.broadcastTo(mask.toFloat(), a.shape);
    return tf.stack([rowSums(tf.mul(err, w)), rowSums(w)]) as tf.Tensor2D;
  });
}

/**
 * The weighted mean from {@linkcode errorPartials}' values.
 *
 * @param values The partial sums read back.
 * @param masked Whether the partials carry mask weights.
 * @param size Number of elements of the images (used without a mask).
 * @returns The mean error.
 * @throws {RangeError} When the mask selects nothing.
 */
export function meanFromPartials(values: Float32Array, masked: boolean, size: number): number {
  if (!masked) return sum64(values) / size;
  const half = values.length / 2;
  const weight = sum64(values, half);
  if (!(weight > 0)) throw new RangeError("mask selects no pixels (its weights sum to 0)");
  return sum64(values, 0, half) / weight;
}

function assertBroadcastable(mask: unknown, shape: number[]): void {
  if (!(mask instanceof tf.Tensor)) {
    throw new TypeError(`mask must be a tf.Tensor, got ${describe(mask)}`);
  }
  const ok = mask.rank <= shape.length &&
    (mask.shape as number[]).every((d, i) => d === 1 || d === shape[shape.length - mask.rank + i]);
  if (!ok) {
    throw new RangeError(
      `mask must be broadcastable to shape ${formatShape(shape)}, got ${formatShape(mask.shape)}`,
    );
  }
}

/**
 * Reads the mean error synchronously.
 *
 * @param a Reference.
 * @param b Compared image.
 * @param kind Squared or absolute.
 * @param mask Optional weights.
 * @param fn Caller's name for errors.
 * @returns The mean error.
 * @throws {RangeError} When an input holds NaN or infinite values, or the mask selects nothing.
 */
export function meanError(
  a: tf.Tensor,
  b: tf.Tensor,
  kind: ErrorKind,
  mask: tf.Tensor | undefined,
  fn: string,
): number {
  const values = readSync(errorPartials(a, b, kind, mask), fn);
  if (!values.every(Number.isFinite)) explainNonFinite({ a, b, mask }, fn);
  return meanFromPartials(values, mask !== undefined, a.size);
}

/**
 * Reads the mean error asynchronously.
 *
 * @param a Reference.
 * @param b Compared image.
 * @param kind Squared or absolute.
 * @param mask Optional weights.
 * @returns The mean error.
 * @throws {RangeError} When an input holds NaN or infinite values, or the mask selects nothing.
 */
export async function meanErrorAsync(
  a: tf.Tensor,
  b: tf.Tensor,
  kind: ErrorKind,
  mask: tf.Tensor | undefined,
): Promise<number> {
  const values = await readAsync(errorPartials(a, b, kind, mask));
  if (!values.every(Number.isFinite)) await explainNonFiniteAsync({ a, b, mask });
  return meanFromPartials(values, mask !== undefined, a.size);
}
