/**
 * Image tensors as PNG data URIs for figures, notebook outputs and reports.
 *
 * Encoding is synchronous (`encodePngPixels` of `src/io`), so that figure
 * builders and notebook displays stay plain functions.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertImage } from "../core/checks.ts";
import { encodePngPixels, type Pixels8 } from "../io/png.ts";

/**
 * Reads an HWC image tensor in [0, 1] back as 8-bit pixels (values clipped to
 * [0, 1], scaled by 255 and rounded). Reads synchronously: call it on images,
 * not inside training loops.
 *
 * @param image HWC tensor with 1 or 3 channels.
 * @param name The argument's name, used in error messages.
 * @returns The pixels.
 */
export function toPixels8(image: tf.Tensor3D, name = "image"): Pixels8 {
  assertImage(image, name);
  const [height, width, channels] = image.shape as [number, number, 1 | 3];
  const scaled = tf.tidy(() => image.clipByValue(0, 1).mul(255).round());
  try {
    return { height, width, channels, data: Uint8Array.from(scaled.dataSync()) };
  } finally {
    scaled.dispose();
  }
}

/**
 * Encodes an image tensor as PNG bytes.
 *
 * @param image HWC tensor in [0, 1] with 1 or 3 channels.
 * @returns The PNG bytes.
 */
export function imagePng(image: tf.Tensor3D): Uint8Array {
  return encodePngPixels(toPixels8(image));
}

/**
 * Encodes an image tensor as a `data:image/png;base64,...` URI, for `<img>`
 * tags and plotly image traces.
 *
 * @param image HWC tensor in [0, 1] with 1 or 3 channels.
 * @returns The data URI.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { imageDataUri } from "./png.ts";
 * await tf.setBackend("cpu");
 * const img = tf.fill([4, 4, 3], 0.5) as tf.Tensor3D;
 * if (!imageDataUri(img).startsWith("data:image/png;base64,")) throw new Error("bad uri");
 * img.dispose();
 * ```
 */
export function imageDataUri(image: tf.Tensor3D): string {
  return pngDataUri(imagePng(image));
}

/**
 * Wraps PNG bytes as a data URI.
 *
 * @param png PNG bytes.
 * @returns `data:image/png;base64,...`.
 */
export function pngDataUri(png: Uint8Array): string {
  return `data:image/png;base64,${base64(png)}`;
}

/**
 * Base64 of bytes (standard alphabet, padded).
 *
 * @param bytes The bytes.
 * @returns The base64 text.
 */
export function base64(bytes: Uint8Array): string {
  let binary = "";
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode(...bytes.subarray(i, i + step));
  }
  return btoa(binary);
}
