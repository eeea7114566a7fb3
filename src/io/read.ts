/**
 * Reading PNG and JPEG images into float32 HWC tensors (or plain arrays) in
 * [0, 1]; 16-bit PNGs with an explicit normalisation (see `png16.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { describe } from "../core/checks.ts";
import { ImageReadError, inspectImage } from "./format.ts";
import { fromRgba, imagescript } from "./_pixels.ts";
import {
  checkNormalization,
  decodePngFloat,
  type FloatImage,
  normalizeSamples,
  type PngNormalization,
} from "./png16.ts";

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
  /**
   * How samples map to [0, 1] (see {@linkcode PngNormalization}): `"depth"`
   * (value / 65535 for 16-bit, / 255 for 8-bit files), `"bits"` (by the bit
   * depth in use, e.g. / 4095 for 12-bit data), `{bits: n}` or
   * `{percentiles: [low, high]}`. Default: none, i.e. 8-bit files divided
   * by 255 and 16-bit PNGs refused, so that reading 16-bit data is always
   * an explicit choice of scale. With a normalisation, 16-bit PNGs are
   * decoded by fast-png with all 16 bits; 8-bit files are decoded as without
   * it and rescaled.
   */
  normalize?: PngNormalization;
}

/**
 * Reads a PNG or JPEG image into a float32 `[H, W, C]` tensor with values in
 * [0, 1] (8-bit samples divided by 255, or as `options.normalize` says).
 *
 * Gray, gray+alpha, RGB, RGBA and palette PNGs of 1 to 8 bits (interlaced or
 * not) and baseline or progressive JPEGs are read; alpha is dropped, not
 * composited. Whether a file is gray is decided by its header (PNG colour
 * type, JPEG component count), as PIL and scikit-image do, not by comparing
 * R, G and B: an RGB file whose pixels happen to be gray stays RGB.
 * Decoding is done by imagescript; 16-bit PNGs are read, with all 16 bits,
 * by fast-png when `options.normalize` is given.
 *
 * @param source A path, a `file:` URL, or the file's bytes.
 * @param options Channel choice and normalisation.
 * @returns The image, owned by the caller.
 * @throws {ImageReadError} When the file is missing, empty, truncated, corrupt,
 * not a PNG/JPEG, or a 16-bit PNG without `normalize` (imagescript keeps only
 * the high byte of 16-bit samples, so such files are refused rather than
 * silently reduced).
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
  const { data, shape } = await readImageData(source, options);
  return tf.tensor3d(data, shape);
}

/**
 * Reads a PNG or JPEG image as {@linkcode readImage} does, but into plain
 * float32 samples (row-major HWC) instead of a tensor: for data pipelines
 * that crop, flip and batch on the CPU before anything goes to the backend.
 *
 * @param source A path, a `file:` URL, or the file's bytes.
 * @param options Channel choice and normalisation.
 * @returns The samples and their `[height, width, channels]`.
 * @throws {ImageReadError} As {@linkcode readImage}.
 * @example
 * ```ts
 * import { readImageData } from "./read.ts";
 * const nuclei = await readImageData(
 *   "data/counting/bbbc039/images/IXMtest_A02_s1_w1051DAA7C-7042-435F-99F0-1E847D9B42CB.png",
 *   { normalize: "bits" }, // 12-bit data in a 16-bit PNG: value / 4095
 * );
 * console.log(nuclei.shape); // [520, 696, 1]
 * ```
 */
export async function readImageData(
  source: string | URL | Uint8Array,
  options: ReadImageOptions = {},
): Promise<FloatImage> {
  const { channels, normalize } = options;
  if (channels !== undefined && channels !== 1 && channels !== 3) {
    throw new RangeError(`channels must be 1 or 3, got ${describe(channels)}`);
  }
  if (normalize !== undefined) checkNormalization(normalize);
  const [bytes, name] = await load(source);
  const info = inspectImage(bytes, name);
  if (info.bitDepth > 8) {
    if (info.format === "png" && normalize !== undefined) {
      const { data, shape } = decodePngFloat(bytes, name, { channels, normalize });
      return { data, shape };
    }
    throw new ImageReadError(
      name,
      info.format === "png"
        ? `16-bit PNG is not supported without a normalisation: imagescript 1.3.1 keeps only ` +
          `the high byte of each sample, so pass { normalize: "depth" } (value / 65535), ` +
          `"bits" (by the bit depth in use, e.g. / 4095 for 12-bit data) or ` +
          `{ percentiles: [1, 99.8] } to read all 16 bits, or convert the file to 8 bits`
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
  const data = fromRgba(decoded.bitmap, c, info.channels === 1);
  if (normalize !== undefined && normalize !== "depth") {
    // Back to the stored 8-bit scale (integers unless a colour file became luma), then rescale.
    const integer = c === 3 || info.channels === 1;
    for (let i = 0; i < data.length; i++) {
      data[i] = integer ? Math.round(data[i] * 255) : data[i] * 255;
    }
    normalizeSamples(data, 8, normalize, name);
  }
  return { data, shape: [info.height, info.width, c] };
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
