/**
 * Structural similarity (Wang et al. 2004) with scikit-image's
 * `structural_similarity` conventions.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertShape, formatShape } from "../core/checks.ts";
import { assertPair, readAsync, readSync, rowSums, sum64 } from "./_reduce.ts";

/** Options of {@linkcode ssim}; the defaults are scikit-image's, except `gaussian`. */
export interface SsimOptions {
  /** The range of the pixel values (default 1 for [0, 1] images). */
  dataRange?: number;
  /**
   * Weight each window by a Gaussian of standard deviation `sigma`, cut at
   * 3.5 sigma as scikit-image does (11 taps for sigma 1.5), instead of a
   * uniform `winSize` box (default `true`).
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
   * pixels per window (default `true`, scikit-image's default). Wang et al.
   * and the thesis's tables use `false`.
   */
  useSampleCovariance?: boolean;
}

interface Window {
  kernel: Float32Array;
  size: number;
}

function windowOf(options: SsimOptions): Window {
  if (options.gaussian ?? true) {
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
 * @param options Window, constants, covariance normalisation.
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
  const { kernel, size } = windowOf(options);
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
  const cov = (options.useSampleCovariance ?? true) ? n / (n - 1) : 1;
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
 * gaussian_weights=gaussian, sigma=sigma, use_sample_covariance=...)`:
 * local means, variances and covariance from a Gaussian (σ = 1.5, cut at
 * 3.5 σ) or uniform window, the SSIM map averaged over the window positions
 * inside the image, then over channels. Returns a number on any backend that
 * reads synchronously; use {@linkcode ssimAsync} on WebGPU.
 *
 * @param a Reference `[H, W, C]` image, at least window-sized (not disposed).
 * @param b Compared image of the same shape (not disposed).
 * @param options Window, constants and covariance normalisation; for the
 * convention of Wang et al. and the thesis pass `{ useSampleCovariance: false }`.
 * @returns The mean SSIM (1 for identical images).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ssim } from "./ssim.ts";
 * await tf.setBackend("cpu");
 * const a = tf.randomUniform([32, 32, 1], 0, 1, "float32", 1) as tf.Tensor3D;
 * const b = tf.clipByValue(tf.add(a, tf.randomNormal([32, 32, 1], 0, 0.1, "float32", 2)), 0, 1);
 * console.log(ssim(a, a)); // 1
 * console.log(ssim(a, b as tf.Tensor3D, { useSampleCovariance: false }) < 1); // true
 * ```
 */
export function ssim(a: tf.Tensor3D, b: tf.Tensor3D, options: SsimOptions = {}): number {
  const map = ssimMap(a, b, options);
  const size = map.size;
  const sums = tf.tidy(() => rowSums(map));
  map.dispose();
  return sum64(readSync(sums, "ssim")) / size;
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
  return sum64(await readAsync(sums)) / size;
}
