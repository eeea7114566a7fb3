/**
 * 16-bit PNG decoding to float, and the normalisations that turn integer
 * samples into [0, 1]: by the file's bit depth, by the bit depth actually in
 * use (microscopy cameras write 12-bit data into 16-bit files, e.g.
 * BBBC039), or by percentiles. Decoding is done by fast-png (imagescript
 * keeps only the high byte of 16-bit samples).
 *
 * @module
 */
import { decode } from "fast-png";
import { describe } from "../core/checks.ts";
import { LUMA_WEIGHTS } from "./color.ts";
import { ImageReadError } from "./format.ts";

/**
 * How integer samples map to [0, 1]:
 *
 * - `"depth"`: by the file's bit depth, `value / (2^depth − 1)`: `/ 65535`
 *   for 16-bit files, `/ 255` for 8-bit ones. Keeps the physical scale;
 *   12-bit data in a 16-bit file then lies in [0, 0.0625].
 * - `"bits"`: by the bit depth in use, the smallest `b` with
 *   `2^b − 1 ≥ max(value)`: `value / 4095` for 12-bit data (max 4095) in a
 *   16-bit file. Every image of a 12-bit camera gets the same scale as long
 *   as one pixel of each reaches 2048; prefer `{bits: 12}` when the camera's
 *   depth is known.
 * - `{bits: n}`: `value / (2^n − 1)`; a sample above `2^n − 1` is an error.
 * - `{percentiles: [lo, hi]}`: `(value − P_lo) / (P_hi − P_lo)` clipped to
 *   [0, 1], with `P_q` the q-th percentile of all samples of the image (all
 *   channels together, alpha excluded), linearly interpolated as numpy's
 *   `percentile` (the default method); e.g. `[1, 99.8]`, CSBDeep's default
 *   for fluorescence microscopy. A constant image gives zeros.
 */
export type PngNormalization =
  | "depth"
  | "bits"
  | { bits: number }
  | { percentiles: readonly [number, number] };

/** An image as plain float32 samples, row-major HWC. */
export interface FloatImage {
  /** Samples, row-major HWC. */
  data: Float32Array;
  /** `[height, width, channels]`. */
  shape: [number, number, number];
}

/** What {@linkcode decodePngFloat} returns: the image and how it was scaled. */
export interface DecodedFloatImage extends FloatImage {
  /** Bits per sample of the file. */
  bitDepth: number;
  /** The stored values that map to 0 and 1: `result = (value − low) / (high − low)`. */
  range: [number, number];
}

/** Options of {@linkcode decodePngFloat}. */
export interface DecodePngFloatOptions {
  /** Channels of the result (as `readImage`): 1 = luma of colour files, 3 = gray repeated. Default: as stored. */
  channels?: 1 | 3;
  /** How samples map to [0, 1] (default `"depth"`). */
  normalize?: PngNormalization;
}

/**
 * Decodes a PNG of any bit depth (1 to 16; meant for 16-bit files) into
 * float32 HWC samples scaled to [0, 1] by a {@linkcode PngNormalization}.
 * Alpha is dropped; gray files give one channel, colour files three. The
 * bytes should have passed `inspectImage` (the reader of `readImage` does
 * that); decoding failures are reported with the file's name.
 *
 * @param bytes The PNG file's contents.
 * @param source How to name the file in errors.
 * @param options Channels and normalisation.
 * @returns The samples, their shape, the file's bit depth and the mapped range.
 * @throws {ImageReadError} When fast-png cannot decode the data, or a sample exceeds `{bits: n}`.
 * @example
 * ```ts
 * import { decodePngFloat } from "./png16.ts";
 * const bytes = await Deno.readFile("testdata/counting_formats/png16/gray12.png");
 * const { shape, range } = decodePngFloat(bytes, "gray12.png", { normalize: "bits" });
 * console.log(shape, range); // [6, 8, 1] [0, 4095]
 * ```
 */
export function decodePngFloat(
  bytes: Uint8Array,
  source: string,
  options: DecodePngFloatOptions = {},
): DecodedFloatImage {
  const { channels } = options;
  const normalize = options.normalize ?? "depth";
  checkNormalization(normalize);
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes);
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    throw new ImageReadError(source, `the png data cannot be decoded (${msg})`, { cause });
  }
  const { width, height, depth } = png;
  if (png.palette) {
    throw new ImageReadError(source, "palette PNGs are decoded by readImage, not decodePngFloat");
  }
  const stored = png.channels >= 3 ? 3 : 1; // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
  const c = channels ?? stored;
  const n = width * height;
  const values = new Float32Array(n * c);
  const src = png.data;
  const step = png.channels;
  const [wr, wg, wb] = LUMA_WEIGHTS;
  for (let i = 0, j = 0; i < n; i++, j += step) {
    if (stored === 1) {
      const v = src[j];
      if (c === 1) values[i] = v;
      else values[3 * i] = values[3 * i + 1] = values[3 * i + 2] = v;
    } else if (c === 3) {
      values[3 * i] = src[j];
      values[3 * i + 1] = src[j + 1];
      values[3 * i + 2] = src[j + 2];
    } else {
      values[i] = wr * src[j] + wg * src[j + 1] + wb * src[j + 2];
    }
  }
  const range = normalizeSamples(values, depth, normalize, source);
  return { data: values, shape: [height, width, c], bitDepth: depth, range };
}

/**
 * Scales samples stored with `bitDepth` bits to [0, 1] in place by a
 * {@linkcode PngNormalization}.
 *
 * @param values Samples on the stored scale (0 to `2^bitDepth − 1`); overwritten.
 * @param bitDepth Bits per stored sample (1 to 16).
 * @param normalize The normalisation.
 * @param source The file's name for error messages.
 * @returns `[low, high]`, the stored values mapped to 0 and 1.
 * @throws {ImageReadError} When a sample exceeds `{bits: n}`.
 */
export function normalizeSamples(
  values: Float32Array,
  bitDepth: number,
  normalize: PngNormalization,
  source = "the image",
): [number, number] {
  checkNormalization(normalize);
  let low = 0, high: number;
  let clip = false;
  if (normalize === "depth") {
    high = 2 ** bitDepth - 1;
  } else if (normalize === "bits") {
    let max = 0;
    for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
    let bits = 1;
    while (2 ** bits - 1 < max) bits++;
    high = 2 ** bits - 1;
  } else if ("bits" in normalize) {
    high = 2 ** normalize.bits - 1;
    let max = 0;
    for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
    if (max > high) {
      throw new ImageReadError(
        source,
        `normalize.bits is ${normalize.bits} (values up to ${high}) but the image holds ` +
          `values up to ${max}`,
      );
    }
  } else {
    const sorted = Float32Array.from(values).sort();
    low = percentile(sorted, normalize.percentiles[0]);
    high = percentile(sorted, normalize.percentiles[1]);
    clip = true;
  }
  const span = high - low;
  if (span <= 0) {
    values.fill(0);
    return [low, high];
  }
  const scale = 1 / span;
  for (let i = 0; i < values.length; i++) {
    const v = (values[i] - low) * scale;
    values[i] = clip ? (v < 0 ? 0 : v > 1 ? 1 : v) : v;
  }
  return [low, high];
}

/**
 * The q-th percentile of sorted values, linearly interpolated between the
 * two nearest ranks (numpy's default, `method="linear"`).
 *
 * @param sorted Values in ascending order (at least one).
 * @param q Percentile in [0, 100].
 * @returns The percentile.
 * @example
 * ```ts
 * import { percentile } from "./png16.ts";
 * console.log(percentile([1, 2, 3, 4], 50)); // 2.5
 * ```
 */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError("percentile of an empty array");
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${q}`);
  const pos = (q / 100) * (sorted.length - 1);
  const i = Math.floor(pos);
  const frac = pos - i;
  if (i + 1 >= sorted.length) return sorted[sorted.length - 1];
  return sorted[i] + (sorted[i + 1] - sorted[i]) * frac;
}

/**
 * Checks a {@linkcode PngNormalization} value.
 *
 * @param normalize The value.
 * @param name Parameter name for messages.
 */
export function checkNormalization(normalize: unknown, name = "normalize"): void {
  if (normalize === "depth" || normalize === "bits") return;
  if (normalize !== null && typeof normalize === "object") {
    if ("bits" in normalize) {
      const bits = (normalize as { bits: unknown }).bits;
      if (typeof bits === "number" && Number.isInteger(bits) && bits >= 1 && bits <= 16) return;
      throw new RangeError(`${name}.bits must be an integer in [1, 16], got ${describe(bits)}`);
    }
    if ("percentiles" in normalize) {
      const p = (normalize as { percentiles: unknown }).percentiles;
      if (
        Array.isArray(p) && p.length === 2 && typeof p[0] === "number" &&
        typeof p[1] === "number" && p[0] >= 0 && p[1] <= 100 && p[0] < p[1]
      ) return;
      throw new RangeError(
        `${name}.percentiles must be [low, high] with 0 <= low < high <= 100, got ${
          Array.isArray(p) ? `[${p.join(", ")}]` : describe(p)
        }`,
      );
    }
  }
  throw new RangeError(
    `${name} must be "depth", "bits", {bits: n} or {percentiles: [low, high]}, got ${
      describe(normalize)
    }`,
  );
}
