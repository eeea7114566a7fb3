/**
 * Pixel errors: root mean square error and mean absolute error, optionally
 * over the pixels a mask selects (the depth metrics of chapter 3 leave out
 * pixels of unknown disparity, stored as 0).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { type MaskOptions, meanError, meanErrorAsync } from "./_mean_error.ts";

export type { MaskOptions };

/**
 * Root mean square error, `sqrt(mean((a - b)²))`, over all elements or the
 * masked ones. Works on tensors of any shape and backend.
 *
 * @param a Reference (not disposed).
 * @param b Compared tensor of the same shape (not disposed).
 * @param options Optional mask.
 * @returns The RMSE, in the images' units.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { rmse } from "./error.ts";
 * await tf.setBackend("cpu");
 * const a = tf.tensor3d([[[0], [0]]]), b = tf.tensor3d([[[0.3], [0.4]]]);
 * console.log(rmse(a, b).toFixed(4)); // 0.3536
 * console.log(rmse(a, b, { mask: tf.tensor3d([[[0], [1]]]) }).toFixed(4)); // 0.4000
 * ```
 */
export function rmse(a: tf.Tensor, b: tf.Tensor, options: MaskOptions = {}): number {
  return Math.sqrt(meanError(a, b, "squared", options.mask, "rmse"));
}

/**
 * {@linkcode rmse} read back asynchronously (for the WebGPU backend, which
 * cannot read synchronously in Deno).
 *
 * @param a Reference (not disposed).
 * @param b Compared tensor of the same shape (not disposed).
 * @param options Optional mask.
 * @returns The RMSE.
 */
export async function rmseAsync(
  a: tf.Tensor,
  b: tf.Tensor,
  options: MaskOptions = {},
): Promise<number> {
  return Math.sqrt(await meanErrorAsync(a, b, "squared", options.mask));
}

/**
 * Mean absolute error, `mean(|a - b|)`, over all elements or the masked ones.
 *
 * @param a Reference (not disposed).
 * @param b Compared tensor of the same shape (not disposed).
 * @param options Optional mask.
 * @returns The MAE, in the images' units.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mae } from "./error.ts";
 * await tf.setBackend("cpu");
 * console.log(mae(tf.tensor1d([0, 0]), tf.tensor1d([0.3, -0.5]))); // 0.4
 * ```
 */
export function mae(a: tf.Tensor, b: tf.Tensor, options: MaskOptions = {}): number {
  return meanError(a, b, "absolute", options.mask, "mae");
}

/**
 * {@linkcode mae} read back asynchronously.
 *
 * @param a Reference (not disposed).
 * @param b Compared tensor of the same shape (not disposed).
 * @param options Optional mask.
 * @returns The MAE.
 */
export function maeAsync(a: tf.Tensor, b: tf.Tensor, options: MaskOptions = {}): Promise<number> {
  return meanErrorAsync(a, b, "absolute", options.mask);
}
