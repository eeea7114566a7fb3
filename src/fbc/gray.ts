/**
 * The gray conversion of the spectral measurements: the thesis author's
 * `rgb2gray` (0.2989 R + 0.5870 G + 0.1140 B, clipped to [0, 1]), which the
 * frequency-band correspondence, the blur metric and the MLV sharpness of this
 * folder all use so that their values match the author's published code.
 * (`toGray` of `src/io` is the Rec. 601 luma 0.299/0.587/0.114; the two differ
 * by at most 1e-4 on [0, 1] images.)
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertImage, assertShape, describe, formatShape } from "../core/checks.ts";

/** Weights of R, G and B in the author's gray conversion. */
export const FBC_GRAY_WEIGHTS: readonly [number, number, number] = [0.2989, 0.5870, 0.1140];

/** A gray image as a plain row-major array, computed in double precision. */
export interface GrayArray {
  /** Pixel values, row-major, `height * width` of them. */
  data: Float64Array;
  /** Number of rows. */
  height: number;
  /** Number of columns. */
  width: number;
}

/**
 * Converts an HWC image to gray with the author's weights (RGB) or drops the
 * channel axis (gray). RGB results are clipped to [0, 1] as the author does.
 *
 * @param image An HWC image with 1 or 3 channels.
 * @returns A `[H, W]` tensor the caller owns.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fbcGray } from "./gray.ts";
 * await tf.setBackend("cpu");
 * const g = fbcGray(tf.ones([2, 2, 3]));
 * console.log(g.shape); // [2, 2]
 * ```
 */
export function fbcGray(image: tf.Tensor3D): tf.Tensor2D {
  assertImage(image, "image");
  const [h, w, c] = image.shape;
  return tf.tidy(() => {
    if (c === 1) return image.reshape([h, w]) as tf.Tensor2D;
    const weights = tf.tensor1d([...FBC_GRAY_WEIGHTS]);
    return image.mul(weights).sum(2).clipByValue(0, 1) as tf.Tensor2D;
  });
}

/**
 * Reads a 2-D signal or an HWC image into a double-precision gray array:
 * `[H, W]` tensors are read as they are, `[H, W, 1]` images drop their channel
 * axis, `[H, W, 3]` images are converted with {@linkcode FBC_GRAY_WEIGHTS} and
 * clipped to [0, 1].
 *
 * @param x The tensor to read.
 * @param name The argument's name, used in error messages.
 * @returns The gray values.
 */
export async function readGray(x: tf.Tensor, name: string): Promise<GrayArray> {
  if (!(x instanceof tf.Tensor)) {
    throw new TypeError(`${name} must be a tf.Tensor, got ${describe(x)}`);
  }
  if (x.rank === 2) {
    assertShape(x, [null, null], name);
  } else {
    assertImage(x, name);
  }
  const [height, width] = x.shape as number[];
  if (height === 0 || width === 0) {
    throw new RangeError(`${name} must not be empty, got shape ${formatShape(x.shape)}`);
  }
  const raw = await x.data();
  const n = height * width;
  const data = new Float64Array(n);
  if (x.rank === 2 || x.shape[2] === 1) {
    for (let i = 0; i < n; i++) data[i] = raw[i];
  } else {
    const [wr, wg, wb] = FBC_GRAY_WEIGHTS;
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      const v = wr * raw[j] + wg * raw[j + 1] + wb * raw[j + 2];
      data[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return { data, height, width };
}
