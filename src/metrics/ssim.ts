/**
 * Structural similarity (Wang et al. 2004), computed as scikit-image's
 * `structural_similarity` computes it, by default in the convention of Wang
 * et al. that the thesis's tables use.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, assertShape, formatShape } from "../core/checks.ts";
import {
  assertPair,
  explainNonFinite,
  explainNonFiniteAsync,
  readAsync,
  readSync,
  rowSums,
  sum64,
} from "./_reduce.ts";

/**
 * The two SSIM conventions in use; each sets the defaults of the window and
 * covariance options (options given explicitly override them):
 *
 * - `"wang"` (the default): Wang et al. 2004 — an 11-tap Gaussian window of
 *   σ = 1.5 and population (co)variances (normalised by N). This is their
 *   MATLAB `ssim_index.m`, TensorFlow's `tf.image.ssim` (the thesis's
 *   chapter 3 networks are TensorFlow code) and scikit-image's
 *   `structural_similarity(..., gaussian_weights=True, sigma=1.5,
 *   use_sample_covariance=False)`, the settings scikit-image documents for
 *   matching Wang et al.
 * - `"scikit-image"`: scikit-image's own defaults — a 7×7 uniform window and
 *   sample (co)variances (normalised by N − 1).
 */
export type SsimConvention = "wang" | "scikit-image";

/** Options of {@linkcode ssim}; the window and covariance defaults follow `convention`. */
export interface SsimOptions {
  /** The range of the pixel values (default 1 for [0, 1] images). */
  dataRange?: number;
  /** Which convention sets the defaults below (default `"wang"`); see {@linkcode SsimConvention}. */
  convention?: SsimConvention;
  /**
   * Weight each window by a Gaussian of standard deviation `sigma`, cut at
   * 3.5 sigma as scikit-image does (11 taps for sigma 1.5), instead of a
   * uniform `winSize` box (default `true` for `"wang"`, `false` for
   * `"scikit-image"`).
   */
  gaussian?: boolean;
  /** Standard deviation of the Gaussian window in pixels (default 1.5). */
  sigma?: number;
  /** Side of the uniform window, odd and ≥ 3 (default 7); only without `gaussian`. */
  winSize?: number;
  /** Stabiliser of the luminance term, `C1 = (K1 · dataRange)²` (default 0.01). */
  K1?: number;
  /** Stabiliser of the contrast-structure term, `C2 = (K2 · dataRange)²` (default 0.03). */
  K2?: number;
  /**
   * Normalise (co)variances by `N - 1` instead of `N`, with `N = winSize²`
   * pixels per window (the window's taps for a Gaussian window, as
   * scikit-image does). Default `false` for `"wang"`, `true` for
   * `"scikit-image"`.
   */
  useSampleCovariance?: boolean;
}

const CONVENTIONS: readonly SsimConvention[] = ["wang", "scikit-image"];

/** The options with the convention's defaults filled in for the window and covariance. */
function resolve(options: SsimOptions): SsimOptions & { gaussian: boolean; sample: boolean } {
  const convention = assertOneOf(options.convention ?? "wang", CONVENTIONS, "convention");
  const wang = convention === "wang";
  return {
    ...options,
    gaussian: options.gaussian ?? wang,
    sample: options.useSampleCovariance ?? !wang,
  };
}

interface Window {
  kernel: Float32Array;
  size: number;
}

function windowOf(options: SsimOptions & { gaussian: boolean }): Window {
  if (options.gaussian) {
    if (options.winSize !== undefined) {
      throw new RangeError(
        `winSize applies to the uniform window only (gaussian: the window follows sigma), ` +
          `got winSize ${options.winSize}`,
      );
    }
    const sigma = assertNumber(options.sigma ?? 1.5, "sigma", { min: 0, minExclusive: true });
    const radius = Math.trunc(3.5 * sigma + 0.5); // as scipy.ndimage with truncate = 3.5
    const taps = Array.from({ length: 2 * radius + 1 }, (_, i) => {
      const x = i - radius;
      return Math.exp((-0.5 * x * x) / (sigma * sigma));
    });
    const total = taps.reduce((s, v) => s + v, 0);
    return { kernel: Float32Array.from(taps, (v) => v / total), size: taps.length };
  }
  const size = assertNumber(options.winSize ?? 7, "winSize", { min: 3, integer: true });
  if (size % 2 === 0) throw new RangeError(`winSize must be odd, got ${size}`);
  return { kernel: new Float32Array(size).fill(1 / size), size };
}

/**
 * The SSIM map over the window positions that lie inside the image: the
 * `(win - 1) / 2` border pixels that scikit-image crops before averaging are
 * not computed. Each channel is compared separately (scikit-image with
 * `channel_axis=-1`; a gray image is its 2-D case).
 *
 * @param a Reference `[H, W, C]` image (not disposed).
 * @param b Compared image of the same shape (not disposed).
 * @param options Convention, window, constants, covariance normalisation.
 * @returns A `[H - win + 1, W - win + 1, C]` map owned by the caller.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ssimMap } from "./ssim.ts";
 * await tf.setBackend("cpu");
 * const a = tf.randomUniform([16, 16, 3]) as tf.Tensor3D;
 * console.log(ssimMap(a, a).shape); // [6, 6, 3] with the 11-tap Gaussian window
 * ```
 */
export function ssimMap(a: tf.Tensor3D, b: tf.Tensor3D, options: SsimOptions = {}): tf.Tensor3D {
  assertShape(a, [null, null, null], "a");
  assertPair(a, b);
  const o = resolve(options);
  const { kernel, size } = windowOf(o);
  const range = assertNumber(options.dataRange ?? 1, "dataRange", { min: 0, minExclusive: true });
  const k1 = assertNumber(options.K1 ?? 0.01, "K1", { min: 0 });
  const k2 = assertNumber(options.K2 ?? 0.03, "K2", { min: 0 });
  const [h, w] = a.shape;
  if (h < size || w < size) {
    throw new RangeError(
      `a must be at least ${size}x${size} pixels for a ${size}-pixel window, ` +
        `got shape ${formatShape(a.shape)}`,
    );
  }
  const n = size * size;
  const cov = o.sample ? n / (n - 1) : 1;
  const c1 = (k1 * range) ** 2, c2 = (k2 * range) ** 2;
  return tf.tidy(() => {
    // Channels become the batch: [C, H, W, 1]; the five moments are filtered at once.
    const planes = (t: tf.Tensor3D) => t.toFloat().transpose([2, 0, 1]).expandDims(3);
    const x = planes(a), y = planes(b);
    const stack = tf.concat([x, y, x.square(), y.square(), x.mul(y)], 0) as tf.Tensor4D;
    const kv = tf.tensor4d(kernel, [size, 1, 1, 1]);
    const kh = tf.tensor4d(kernel, [1, size, 1, 1]);
    const filtered = tf.conv2d(tf.conv2d(stack, kv, 1, "valid"), kh, 1, "valid");
    const [ux, uy, uxx, uyy, uxy] = tf.split(filtered, 5, 0);
    const vx = tf.mul(cov, tf.sub(uxx, tf.square(ux)));
    const vy = tf.mul(cov, tf.sub(uyy, tf.square(uy)));
    const vxy = tf.mul(cov, tf.sub(uxy, tf.mul(ux, uy)));
    const num = tf.mul(tf.add(tf.mul(2, tf.mul(ux, uy)), c1), tf.add(tf.mul(2, vxy), c2));
    const den = tf.mul(
      tf.add(tf.add(tf.square(ux), tf.square(uy)), c1),
      tf.add(tf.add(vx, vy), c2),
    );
    return tf.div(num, den).squeeze([3]).transpose([1, 2, 0]) as tf.Tensor3D;
  });
}

/**
 * Mean structural similarity of two `[H, W, C]` images, as scikit-image's
 * `structural_similarity(a, b, data_range=dataRange, channel_axis=-1,
 * gaussian_weights=gaussian, sigma=sigma, win_size=winSize,
 * use_sample_covariance=useSampleCovariance)`: local means, variances and
 * covariance from a Gaussian (cut at 3.5 σ) or uniform window, the SSIM map
 * averaged over the window positions inside the image, then over channels.
 *
 * By default in Wang et al.'s convention, the one the thesis's tables use
 * (11-tap Gaussian window of σ = 1.5, population covariance; as MATLAB's
 * `ssim_index.m` and `tf.image.ssim`); `{ convention: "scikit-image" }`
 * gives scikit-image's defaults (7×7 uniform window, sample covariance).
 * Returns a number on any backend that reads synchronously; use
 * {@linkcode ssimAsync} on WebGPU.
 *
 * @param a Reference `[H, W, C]` image, at least window-sized (not disposed).
 * @param b Compared image of the same shape (not disposed).
 * @param options Convention, window, constants and covariance normalisation.
 * @returns The mean SSIM (1 for identical images).
 * @throws {RangeError} When an image holds NaN or infinite values, and for
 * images smaller than the window.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ssim } from "./ssim.ts";
 * await tf.setBackend("cpu");
 * const a = tf.randomUniform([32, 32, 1], 0, 1, "float32", 1) as tf.Tensor3D;
 * const b = tf.clipByValue(tf.add(a, tf.randomNormal([32, 32, 1], 0, 0.1, "float32", 2)), 0, 1);
 * console.log(ssim(a, a)); // 1
 * console.log(ssim(a, b as tf.Tensor3D) < 1); // true
 * console.log(ssim(a, b as tf.Tensor3D, { convention: "scikit-image" }) < 1); // true
 * ```
 */
export function ssim(a: tf.Tensor3D, b: tf.Tensor3D, options: SsimOptions = {}): number {
  const map = ssimMap(a, b, options);
  const size = map.size;
  const sums = tf.tidy(() => rowSums(map));
  map.dispose();
  const value = sum64(readSync(sums, "ssim")) / size;
  if (!Number.isFinite(value)) explainNonFinite({ a, b }, "ssim");
  return value;
}

/**
 * {@linkcode ssim} read back asynchronously (for the WebGPU backend, which
 * cannot read synchronously in Deno).
 *
 * @param a Reference `[H, W, C]` image (not disposed).
 * @param b Compared image of the same shape (not disposed).
 * @param options As for {@linkcode ssim}.
 * @returns The mean SSIM.
 */
export async function ssimAsync(
  a: tf.Tensor3D,
  b: tf.Tensor3D,
  options: SsimOptions = {},
): Promise<number> {
  const map = ssimMap(a, b, options);
  const size = map.size;
  const sums = tf.tidy(() => rowSums(map));
  map.dispose();
  const value = sum64(await readAsync(sums)) / size;
  if (!Number.isFinite(value)) await explainNonFiniteAsync({ a, b });
  return value;
}
