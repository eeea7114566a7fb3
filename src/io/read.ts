/**
 * Reading PNG and JPEG images into float32 HWC tensors in [0, 1].
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { describe } from "../core/checks.ts";
import { ImageReadError, inspectImage } from "./format.ts";
import { fromRgba, imagescript } from "./_pixels.ts";

/** Options of {@linkcode readImage}. */
export interface ReadImageOptions {
  /**
   * Channels of the result. `1` turns a colour file into its luma
   * (`0.299 R + 0.587 G + 0.114 B`, as {@linkcode toGray}); `3` repeats a gray
   * file on three channels. Default: as stored, i.e. 1 for gray files (PNG
   * colour types 0 and 4, one-component JPEG) and 3 for colour and palette
   * files.
   */
  channels?: 1 | 3;
}

/**
 * Reads a PNG or JPEG image into a float32 `[H, W, C]` tensor with values in
 * [0, 1] (8-bit samples divided by 255).
 *
 * Gray, gray+alpha, RGB, RGBA and palette PNGs of 1 to 8 bits (interlaced or
 * not) and baseline or progressive JPEGs are read; alpha is dropped, not
 * composited. Whether a file is gray is decided by its header (PNG colour
 * type, JPEG component count), as PIL and scikit-image do, not by comparing
 * R, G and B: an RGB file whose pixels happen to be gray stays RGB.
 * Decoding is done by imagescript.
 *
 * @param source A path, a `file:` URL, or the file's bytes.
 * @param options Channel choice.
 * @returns The image, owned by the caller.
 * @throws {ImageReadError} When the file is missing, empty, truncated, corrupt,
 * not a PNG/JPEG, or a 16-bit PNG (imagescript keeps only the high byte of
 * 16-bit samples, so such files are refused rather than silently reduced).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { readImage } from "./read.ts";
 * await tf.setBackend("cpu");
 * const camera = await readImage("data/camera.png");
 * console.log(camera.shape); // [512, 512, 1]
 * const rgb = await readImage("data/camera.png", { channels: 3 });
 * console.log(rgb.shape); // [512, 512, 3]
 * tf.dispose([camera, rgb]);
 * ```
 */
export async function readImage(
  source: string | URL | Uint8Array,
  options: ReadImageOptions = {},
): Promise<tf.Tensor3D> {
  const { channels } = options;
  if (channels !== undefined && channels !== 1 && channels !== 3) {
    throw new RangeError(`channels must be 1 or 3, got ${describe(channels)}`);
  }
  const [bytes, name] = await load(source);
  const info = inspectImage(bytes, name);
  if (info.bitDepth > 8) {
    throw new ImageReadError(
      name,
      info.format === "png"
        ? `16-bit PNG is not supported: imagescript 1.3.1 keeps only the high byte of each ` +
          `sample; convert the file to 8 bits first`
        : `${info.bitDepth}-bit JPEG is not supported by imagescript 1.3.1`,
    );
  }
  const { Image } = await imagescript();
  let decoded: InstanceType<typeof Image>;
  try {
    decoded = await Image.decode(bytes);
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    throw new ImageReadError(name, `the ${info.format} data cannot be decoded (${msg})`, {
      cause,
    });
  }
  if (decoded.width !== info.width || decoded.height !== info.height) {
    throw new ImageReadError(
      name,
      `decoded size ${decoded.width}x${decoded.height} differs from the header's ` +
        `${info.width}x${info.height}`,
    );
  }
  const c = channels ?? info.channels;
  return tf.tensor3d(fromRgba(decoded.bitmap, c, info.channels === 1), [
    info.height,
    info.width,
    c,
  ]);
}

/** Reads the bytes of a source and names it for error messages. */
async function load(source: string | URL | Uint8Array): Promise<[Uint8Array, string]> {
  if (source instanceof Uint8Array) return [source, `bytes (${source.length} bytes)`];
  if (typeof source !== "string" && !(source instanceof URL)) {
    throw new TypeError(`source must be a path, URL or Uint8Array, got ${describe(source)}`);
  }
  const name = JSON.stringify(source instanceof URL ? source.href : source);
  try {
    return [await Deno.readFile(source), name];
  } catch (cause) {
    const reason = cause instanceof Deno.errors.NotFound
      ? "file not found"
      : cause instanceof Deno.errors.IsADirectory
      ? "it is a directory"
      : cause instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : cause instanceof Error
      ? cause.message
      : String(cause);
    throw new ImageReadError(name, reason, { cause });
  }
}
