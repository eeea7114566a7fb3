/**
 * Writing images to PNG or JPEG files, chosen by the file's extension.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { assertImage, assertNumber } from "../core/checks.ts";
import { encodeJpeg } from "./jpeg.ts";
import { encodePng } from "./png.ts";

/** Options of {@linkcode writeImage}. */
export interface WriteImageOptions {
  /** JPEG quality, an integer in [1, 100] (default 90); not allowed for PNG. */
  quality?: number;
}

/**
 * Writes an image to `path`, as PNG for `.png` and as JPEG for `.jpg` and
 * `.jpeg` (case-insensitive). Values are clipped to [0, 1] and rounded to 8
 * bits (round to nearest; note that the deep image prior's `np_to_pil`
 * truncates instead). Gray images become gray PNGs (colour type 0), RGB
 * images RGB PNGs (colour type 2); JPEGs always hold three components (see
 * {@linkcode encodeJpeg}), so read a gray JPEG back with `{ channels: 1 }`.
 * The folder must exist.
 *
 * @param path Destination file path or `file:` URL.
 * @param image HWC image with 1 or 3 channels (not disposed).
 * @param options JPEG quality.
 * @returns A promise that resolves when the file is written.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { readImage, writeImage } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const path = await Deno.makeTempFile({ suffix: ".png" });
 * const image = tf.fill([8, 8, 3], 0.25) as tf.Tensor3D;
 * await writeImage(path, image);
 * const back = await readImage(path); // [8, 8, 3], values round(0.25 * 255) / 255
 * tf.dispose([image, back]);
 * await Deno.remove(path);
 * ```
 */
export async function writeImage(
  path: string | URL,
  image: tf.Tensor3D,
  options: WriteImageOptions = {},
): Promise<void> {
  assertImage(image, "image");
  const text = path instanceof URL ? path.pathname : String(path);
  const ext = /\.([^./\\]+)$/.exec(text)?.[1]?.toLowerCase();
  let bytes: Uint8Array;
  if (ext === "png") {
    if (options.quality !== undefined) {
      throw new RangeError(`quality applies to JPEG files only, got it for PNG file "${text}"`);
    }
    bytes = await encodePng(image);
  } else if (ext === "jpg" || ext === "jpeg") {
    const quality = options.quality ?? 90;
    assertNumber(quality, "quality", { min: 1, max: 100, integer: true });
    bytes = await encodeJpeg(image, quality);
  } else {
    throw new RangeError(
      `path must end in .png, .jpg or .jpeg, got "${text}"`,
    );
  }
  await Deno.writeFile(path, bytes);
}
