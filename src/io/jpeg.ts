/**
 * JPEG encoding and the JPEG compression degradation of the deblocking task.
 *
 * imagescript's encoder uses the standard (IJG) quantisation tables scaled by
 * quality as libjpeg does, but always writes three components without chroma
 * subsampling (4:4:4), whereas PIL, which the thesis uses, writes 4:2:0 for
 * colour images. For gray images the two agree: the thesis deblocks gray (Y)
 * images, and a gray image here is encoded with R = G = B, so its chroma is
 * constant and only the luma is quantised, as in PIL's one-component file.
 * Measured against PIL 12 on a 64x64 crop of `camera.png` (qualities 10, 20,
 * 30): mean absolute difference below 1 gray level, the rest being the
 * encoders' DCT rounding (see `jpeg_test.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertImage, assertNumber } from "../core/checks.ts";
import { fromRgba, imagescript, toBytes, toRgba } from "./_pixels.ts";

/**
 * Encodes an image as a baseline JPEG (4:4:4, IJG tables). Values are clipped
 * to [0, 1] and rounded to 8 bits first; gray images are written as three
 * equal components.
 *
 * @param image HWC image with 1 or 3 channels (not disposed).
 * @param quality JPEG quality, an integer in [1, 100] (default 90).
 * @returns The JPEG file's bytes.
 */
export async function encodeJpeg(image: tf.Tensor3D, quality = 90): Promise<Uint8Array> {
  assertImage(image, "image");
  assertNumber(quality, "quality", { min: 1, max: 100, integer: true });
  const [height, width, channels] = image.shape;
  const { Image } = await imagescript();
  const encoder = new Image(width, height);
  encoder.bitmap.set(toRgba(await toBytes(image), channels));
  return await encoder.encodeJPEG(quality as Parameters<typeof encoder.encodeJPEG>[0]);
}

/**
 * JPEG compression as a degradation: encodes in memory at `quality` and
 * decodes again. The result has the input's channels (a gray image comes back
 * gray, as the luma of the decoded file).
 *
 * @param image HWC image with 1 or 3 channels in [0, 1] (not disposed).
 * @param quality JPEG quality, an integer in [1, 100]; the thesis uses 10, 20 and 30.
 * @returns The compressed image, float32 in [0, 1], owned by the caller.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { jpegCompress } from "./jpeg.ts";
 * await tf.setBackend("cpu");
 * const image = tf.randomUniform([16, 16, 1]) as tf.Tensor3D;
 * const blocky = await jpegCompress(image, 10);
 * console.log(blocky.shape); // [16, 16, 1]
 * tf.dispose([image, blocky]);
 * ```
 */
export async function jpegCompress(image: tf.Tensor3D, quality: number): Promise<tf.Tensor3D> {
  const bytes = await encodeJpeg(image, quality);
  const { Image } = await imagescript();
  const decoded = await Image.decode(bytes);
  const channels = image.shape[2];
  return tf.tensor3d(fromRgba(decoded.bitmap, channels, false), [
    decoded.height,
    decoded.width,
    channels,
  ]);
}
