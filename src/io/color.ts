/**
 * Colour conversions of the JPEG (JFIF) YCbCr model, ITU-R BT.601 weights at
 * full range: the gray image of the thesis ("transformed to gray-scale using
 * the YCbCr color model by keeping the Y component only", as PIL's
 * `convert("L")` and `convert("YCbCr")` do on 8-bit images).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertImage } from "../core/checks.ts";

/** BT.601 luma weights of R, G and B: Y = 0.299 R + 0.587 G + 0.114 B. */
export const LUMA_WEIGHTS: readonly [number, number, number] = [0.299, 0.587, 0.114];

/** Rows Y, Cb, Cr of the JFIF RGB → YCbCr matrix (without the chroma offset). */
const RGB_TO_YCBCR: readonly (readonly number[])[] = [
  LUMA_WEIGHTS,
  [-0.168736, -0.331264, 0.5],
  [0.5, -0.418688, -0.081312],
];
/** Chroma offset: 128 on the 8-bit scale, so 8-bit values agree with JPEG and PIL. */
const CHROMA_OFFSET = 128 / 255;
const YCBCR_TO_RGB = invert3(RGB_TO_YCBCR);

/**
 * The gray (luma) image: Y of YCbCr, `0.299 R + 0.587 G + 0.114 B`. A gray
 * input is returned as a copy.
 *
 * @param image HWC image with 1 or 3 channels (not disposed).
 * @returns A `[H, W, 1]` image the caller owns.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { toGray } from "./color.ts";
 * await tf.setBackend("cpu");
 * const gray = toGray(tf.tensor3d([[[1, 0, 0], [0, 0, 1]]]));
 * console.log(gray.shape, Array.from(gray.dataSync())); // [1, 2, 1] [0.299, 0.114]
 * ```
 */
export function toGray(image: tf.Tensor3D): tf.Tensor3D {
  assertImage(image, "image");
  if (image.shape[2] === 1) return image.clone();
  return tf.tidy(() => tf.sum(tf.mul(image, tf.tensor1d([...LUMA_WEIGHTS])), -1, true));
}

/**
 * Converts RGB to YCbCr (JFIF, full range): Y in [0, 1], Cb and Cr centred on
 * 128/255 so that, scaled by 255, the values equal the 8-bit YCbCr of JPEG
 * and PIL.
 *
 * @param image HWC RGB image (not disposed).
 * @returns A `[H, W, 3]` tensor with channels Y, Cb, Cr, owned by the caller.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { rgbToYcbcr, ycbcrToRgb } from "./color.ts";
 * await tf.setBackend("cpu");
 * const rgb = tf.tensor3d([[[0.2, 0.5, 0.9]]]);
 * const ycc = rgbToYcbcr(rgb);
 * console.log(Array.from(ycc.dataSync(), (v) => Math.round(v * 255))); // [116, 192, 81]
 * console.log(Array.from(ycbcrToRgb(ycc).dataSync())); // ≈ [0.2, 0.5, 0.9]
 * ```
 */
export function rgbToYcbcr(image: tf.Tensor3D): tf.Tensor3D {
  assertImage(image, "image", [3]);
  return applyMatrix(image, RGB_TO_YCBCR, [0, CHROMA_OFFSET, CHROMA_OFFSET], false);
}

/**
 * Converts YCbCr (as produced by {@linkcode rgbToYcbcr}) back to RGB. The
 * result is not clipped: values outside [0, 1] mean the YCbCr triple lies
 * outside the RGB cube.
 *
 * @param image HWC image with channels Y, Cb, Cr (not disposed).
 * @returns A `[H, W, 3]` RGB tensor owned by the caller.
 */
export function ycbcrToRgb(image: tf.Tensor3D): tf.Tensor3D {
  assertImage(image, "image", [3]);
  return applyMatrix(image, YCBCR_TO_RGB, [0, CHROMA_OFFSET, CHROMA_OFFSET], true);
}

/** `out = M (x - offset)` if `subtractFirst`, else `out = M x + offset`, per pixel. */
function applyMatrix(
  image: tf.Tensor3D,
  m: readonly (readonly number[])[],
  offset: number[],
  subtractFirst: boolean,
): tf.Tensor3D {
  const [h, w] = image.shape;
  return tf.tidy(() => {
    const mt = tf.tensor2d(m.map((r) => [...r])).transpose();
    let x = tf.reshape(image.toFloat(), [h * w, 3]);
    if (subtractFirst) x = tf.sub(x, tf.tensor1d(offset));
    let y = tf.matMul(x, mt);
    if (!subtractFirst) y = tf.add(y, tf.tensor1d(offset));
    return tf.reshape(y, [h, w, 3]);
  });
}

/** Inverse of a 3x3 matrix in double precision (adjugate over determinant). */
function invert3(m: readonly (readonly number[])[]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const co = [
    [e * i - f * h, c * h - b * i, b * f - c * e],
    [f * g - d * i, a * i - c * g, c * d - a * f],
    [d * h - e * g, b * g - a * h, a * e - b * d],
  ];
  const det = a * co[0][0] + b * co[1][0] + c * co[2][0];
  return co.map((row) => row.map((v) => v / det));
}
