/**
 * Peak signal-to-noise ratio, as scikit-image's `peak_signal_noise_ratio`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import { type MaskOptions, meanError, meanErrorAsync } from "./_mean_error.ts";

/** Options of {@linkcode psnr}. */
export interface PsnrOptions extends MaskOptions {
  /** The range of the pixel values, `max - min` possible (default 1 for [0, 1] images; 255 for 8-bit values). */
  dataRange?: number;
}

/**
 * PSNR in decibels, `10 log10(dataRange² / mean((a - b)²))`, over all
 * elements (every channel) or the masked ones, as scikit-image's
 * `peak_signal_noise_ratio(a, b, data_range=dataRange)`. Identical images
 * give `Infinity`. Works on tensors of any shape on any backend that reads
 * synchronously (cpu, wasm, webgl); use {@linkcode psnrAsync} on WebGPU.
 *
 * @param a Reference image (not disposed).
 * @param b Compared image of the same shape (not disposed).
 * @param options `dataRange` (default 1) and an optional `mask`.
 * @returns The PSNR in dB.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { psnr } from "./psnr.ts";
 * await tf.setBackend("cpu");
 * const a = tf.fill([4, 4, 1], 0.5), b = tf.fill([4, 4, 1], 0.6);
 * console.log(psnr(a, b).toFixed(2)); // 20.00 (error 0.1 everywhere)
 * ```
 */
export function psnr(a: tf.Tensor, b: tf.Tensor, options: PsnrOptions = {}): number {
  const range = checkRange(options.dataRange);
  return toDecibels(range, meanError(a, b, "squared", options.mask, "psnr"));
}

/**
 * {@linkcode psnr} read back asynchronously (for the WebGPU backend, which
 * cannot read synchronously in Deno).
 *
 * @param a Reference image (not disposed).
 * @param b Compared image of the same shape (not disposed).
 * @param options `dataRange` (default 1) and an optional `mask`.
 * @returns The PSNR in dB.
 */
export async function psnrAsync(
  a: tf.Tensor,
  b: tf.Tensor,
  options: PsnrOptions = {},
): Promise<number> {
  const range = checkRange(options.dataRange);
  return toDecibels(range, await meanErrorAsync(a, b, "squared", options.mask));
}

function checkRange(dataRange = 1): number {
  return assertNumber(dataRange, "dataRange", { min: 0, minExclusive: true });
}

function toDecibels(range: number, mse: number): number {
  return 10 * Math.log10((range * range) / mse);
}
