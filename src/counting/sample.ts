/**
 * One sample of a counting dataset: the image as plain float32 HWC samples,
 * its points, and optionally its region-of-interest mask and a target
 * (density) plane of the same height and width. Plain arrays rather than
 * tensors, so that crops, flips and batching happen on the CPU and only the
 * batch goes to the backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Points } from "./points.ts";

/** An image with its annotation. */
export interface CountingSample {
  /** The sample's name in its dataset. */
  name: string;
  /** Samples, row-major HWC, float32 (in [0, 1] for 8-bit files). */
  image: Float32Array;
  /** `[height, width, channels]`. */
  shape: [number, number, number];
  /** The points (0-based pixel coordinates), inside the image. */
  points: Points;
  /** Region of interest, `height × width`, 1 inside (TRANCOS). */
  roi?: Uint8Array;
  /** A target plane, `height × width` (e.g. a density map). */
  target?: Float32Array;
}

/**
 * The sample's image as a `[H, W, C]` tensor.
 *
 * @param sample The sample.
 * @returns A new tensor, owned by the caller.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { sampleImage } from "./sample.ts";
 * await tf.setBackend("cpu");
 * const sample = {
 *   name: "tiny",
 *   image: new Float32Array(2 * 3),
 *   shape: [2, 3, 1] as [number, number, number],
 *   points: { x: new Float32Array([1]), y: new Float32Array([0]) },
 * };
 * const t = sampleImage(sample);
 * console.log(t.shape); // [2, 3, 1]
 * t.dispose();
 * ```
 */
export function sampleImage(sample: CountingSample): tf.Tensor3D {
  return tf.tensor3d(sample.image, sample.shape, "float32");
}

/**
 * The sample's target plane as a `[H, W, 1]` tensor.
 *
 * @param sample A sample with a `target`.
 * @returns A new tensor, owned by the caller.
 */
export function sampleTarget(sample: CountingSample): tf.Tensor3D {
  if (!sample.target) throw new TypeError(`sample "${sample.name}" has no target plane`);
  return tf.tensor3d(sample.target, [sample.shape[0], sample.shape[1], 1], "float32");
}
