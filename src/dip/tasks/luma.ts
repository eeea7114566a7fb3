/**
 * The Y channel the super-resolution and deblocking benchmarks are scored on:
 * BT.601 luma in "studio swing", `Y = (16 + 65.481·R + 128.553·G + 24.966·B) / 255`
 * for RGB in [0, 1], i.e. Y in [16/255, 235/255]. This is MATLAB's
 * `rgb2ycbcr` (used by AR-CNN, whose deblocking protocol the thesis follows)
 * and the DIP's `super-resolution_eval_script.py` (OpenCV's YCrCb mapped to
 * [16, 235]). PSNR on it with peak 1 is 1.32 dB lower than on full-range
 * luma of the same images, so the two must not be mixed.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertImage } from "../../core/checks.ts";

/**
 * Studio-swing BT.601 luma of an RGB image; a 1-channel image is returned
 * as a copy (it already is the gray channel the benchmark scores).
 *
 * @param image HWC image in [0, 1] with 1 or 3 channels.
 * @returns The `[H, W, 1]` Y channel, in [16/255, 235/255] for RGB input.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { benchmarkLuma } from "./luma.ts";
 * await tf.setBackend("cpu");
 * const white = tf.ones([2, 2, 3]) as tf.Tensor3D;
 * const y = benchmarkLuma(white); // 235/255 everywhere
 * if (Math.abs(y.dataSync()[0] - 235 / 255) > 1e-6) throw new Error("unexpected");
 * tf.dispose([white, y]);
 * ```
 */
export function benchmarkLuma(image: tf.Tensor3D): tf.Tensor3D {
  assertImage(image, "image");
  if (image.shape[2] === 1) return tf.clone(image);
  return tf.tidy(() => {
    const w = tf.tensor1d([65.481 / 255, 128.553 / 255, 24.966 / 255]);
    return tf.add(tf.sum(tf.mul(image, w), 2, true), 16 / 255) as tf.Tensor3D;
  });
}
