/**
 * Centred crops, as the deep image prior's `crop_image` makes image sides
 * divisible by the network's total downsampling factor.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertShape, formatShape } from "../core/checks.ts";

/**
 * Crops the largest centred region whose height and width are multiples of
 * `k`. As in the deep image prior's `crop_image`, the top-left offset is
 * `floor((size - newSize) / 2)` on each axis, so an odd surplus leaves the
 * extra row (column) at the bottom (right).
 *
 * @param image HWC image, any number of channels (not disposed).
 * @param k The multiple, a positive integer (DIP uses 32, or 64 for larger nets).
 * @returns The cropped image, owned by the caller.
 * @throws {RangeError} When a side is smaller than `k`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { cropToMultiple } from "./crop.ts";
 * await tf.setBackend("cpu");
 * const image = tf.zeros([70, 100, 3]) as tf.Tensor3D;
 * const cropped = cropToMultiple(image, 32);
 * console.log(cropped.shape); // [64, 96, 3]
 * tf.dispose([image, cropped]);
 * ```
 */
export function cropToMultiple(image: tf.Tensor3D, k: number): tf.Tensor3D {
  assertShape(image, [null, null, null], "image");
  assertNumber(k, "k", { min: 1, integer: true });
  const [h, w] = image.shape;
  if (h < k || w < k) {
    throw new RangeError(
      `image of shape ${formatShape(image.shape)} is smaller than the multiple k = ${k}`,
    );
  }
  return centerCrop(image, [h - (h % k), w - (w % k)]);
}

/**
 * Crops a centred `[height, width]` region, with the top-left corner at
 * `floor((H - height) / 2), floor((W - width) / 2)` (the convention of
 * {@linkcode cropToMultiple}).
 *
 * @param image HWC image, any number of channels (not disposed).
 * @param size The `[height, width]` of the crop, at most the image's.
 * @returns The crop, owned by the caller.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { centerCrop } from "./crop.ts";
 * await tf.setBackend("cpu");
 * const image = tf.range(0, 25).reshape([5, 5, 1]) as tf.Tensor3D;
 * console.log(Array.from(centerCrop(image, [1, 1]).dataSync())); // [12]
 * ```
 */
export function centerCrop(image: tf.Tensor3D, size: readonly [number, number]): tf.Tensor3D {
  assertShape(image, [null, null, null], "image");
  if (!Array.isArray(size) || size.length !== 2) {
    throw new TypeError(`size must be [height, width], got ${JSON.stringify(size)}`);
  }
  const [h, w, c] = image.shape;
  const ch = assertNumber(size[0], "size[0] (height)", { min: 1, max: h, integer: true });
  const cw = assertNumber(size[1], "size[1] (width)", { min: 1, max: w, integer: true });
  return tf.slice(image, [Math.floor((h - ch) / 2), Math.floor((w - cw) / 2), 0], [ch, cw, c]);
}
