/**
 * Upsampling layers: the Gaussian upsampling of eq. (2.6) with its
 * controllable smoothing σ, and bilinear and nearest-neighbour upsampling as
 * in PyTorch's `nn.Upsample` (`align_corners=False`).
 *
 * ## Gaussian upsampling
 * `Up(x) = ↑s(x) ∗ Gσ`: a "bed of nails" expansion (s − 1 zeros between
 * samples, the sample at the top-left of each s×s cell) followed by a
 * `size × size` (default 5×5) Gaussian filter. As in the author's code, σ is
 * measured in input (low-resolution) pixels: the tap at offset `d` output
 * pixels has weight `exp(−(d/s)² / 2σ²)`. It runs as written: nearest-
 * neighbour repetition masked to one pixel per cell (the expansion), then the
 * filter as one depthwise correlation, ops whose gradients are fast on every
 * backend.
 *
 * Two normalisations:
 * - `"interpolating"` (default, used by our experiments): the taps that
 *   reach each output phase sum to 1, so the 2-D kernel sums to s² and every
 *   output pixel is a weighted average of input pixels; near the borders the
 *   weights that fall outside are dropped and the rest renormalised
 *   (normalised convolution), so a constant input stays constant everywhere.
 *   This is the "interpolating filter" of the thesis (Section 2.4.2): it keeps
 *   the signal's scale, so that λ of the Lipschitz normalisation bounds each
 *   layer the same way at every depth.
 * - `"unit-sum"`: the author's released code (a fixed `ConvTranspose2d`,
 *   stride 2, padding 2, output padding 1): the whole kernel sums to 1, so the
 *   DC gain is 1/s² and the output ripples between phases; zero borders.
 *
 * `sigma = 0` is the plain bed-of-nails expansion in both normalisations (the
 * degenerate case the thesis reports as worst, "the upsampling reduces to the
 * bed of nails expansion"): the input at one pixel of each s×s cell, zeros
 * elsewhere. It is the only σ for which the interpolating variant does not
 * preserve constants. For σ > 0 the weights are computed in the log domain,
 * so a tiny σ tends to nearest-tap interpolation rather than underflowing.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, assertShape } from "../core/checks.ts";

/** How an upsampling layer upsamples. */
export type UpsampleMode = "bilinear" | "nearest" | "gaussian";
/** How the Gaussian upsampling kernel is normalised. */
export type GaussianNormalization = "interpolating" | "unit-sum";

const MODES: readonly UpsampleMode[] = ["bilinear", "nearest", "gaussian"];
const NORMALIZATIONS: readonly GaussianNormalization[] = ["interpolating", "unit-sum"];

/** Options of {@linkcode gaussianUpsample}. */
export interface GaussianUpsampleOptions {
  /** Integer factor s ≥ 1 (default 2). */
  scale?: number;
  /** Standard deviation in input pixels (default 0.5, the thesis's choice); 0 is bed of nails. */
  sigma?: number;
  /** Odd kernel size in output pixels (default 5). */
  size?: number;
  /** Kernel normalisation (default `"interpolating"`). */
  normalization?: GaussianNormalization;
}

/** One tap of a 1-D polyphase filter: `out[s·i + p] += w · x[i − m]`. */
export interface PhaseTap {
  /** Input offset. */
  m: number;
  /** Weight. */
  w: number;
}

interface Resolved {
  scale: number;
  sigma: number;
  size: number;
  normalization: GaussianNormalization;
}

function resolve(options: GaussianUpsampleOptions): Resolved {
  const scale = assertNumber(options.scale ?? 2, "scale", { min: 1, integer: true });
  const sigma = assertNumber(options.sigma ?? 0.5, "sigma", { min: 0 });
  const size = assertNumber(options.size ?? 5, "size", { min: 1, integer: true });
  if (size % 2 !== 1) throw new RangeError(`size must be odd, got ${size}`);
  const normalization = assertOneOf(
    options.normalization ?? "interpolating",
    NORMALIZATIONS,
    "normalization",
  );
  return { scale, sigma, size, normalization };
}

/**
 * The 1-D taps of the separable Gaussian upsampling kernel, per output phase
 * `p = 0 … s−1`: output `s·i + p` receives `Σ w · x[i − m]`.
 *
 * @param options Scale, σ, size, normalisation.
 * @returns One list of taps per phase (empty for phases no tap reaches).
 * @example
 * ```ts
 * import { gaussianPhaseTaps } from "./upsample.ts";
 * const phases = gaussianPhaseTaps({ sigma: 0.5 });
 * // Each phase of the interpolating kernel sums to 1.
 * console.log(phases.map((taps) => taps.reduce((a, t) => a + t.w, 0).toFixed(6))); // ["1.000000", "1.000000"]
 * ```
 */
export function gaussianPhaseTaps(options: GaussianUpsampleOptions = {}): PhaseTap[][] {
  const { scale: s, sigma, size, normalization } = resolve(options);
  const r = (size - 1) / 2;
  const logw = (d: number) =>
    sigma === 0 ? (d === 0 ? 0 : -Infinity) : -((d / s) ** 2) / (2 * sigma * sigma);
  const phases: PhaseTap[][] = [];
  // Unit-sum: the 1-D taps of the whole kernel sum to 1 (so the 2-D kernel does).
  let total = 0;
  for (let d = -r; d <= r; d++) total += Math.exp(logw(d));
  for (let p = 0; p < s; p++) {
    const taps: { d: number; lw: number }[] = [];
    for (let d = -r; d <= r; d++) {
      if (((d - p) % s + s) % s === 0 && logw(d) > -Infinity) taps.push({ d, lw: logw(d) });
    }
    if (normalization === "interpolating" && taps.length > 0) {
      const max = Math.max(...taps.map((t) => t.lw));
      const z = taps.reduce((a, t) => a + Math.exp(t.lw - max), 0);
      phases.push(taps.map((t) => ({ m: (t.d - p) / s, w: Math.exp(t.lw - max) / z })));
    } else {
      phases.push(taps.map((t) => ({ m: (t.d - p) / s, w: Math.exp(t.lw) / total })));
    }
  }
  // Taps that underflowed to 0 cost work and add nothing.
  return phases.map((taps) => taps.filter((t) => t.w > 0));
}

/**
 * The `size × size` Gaussian filter applied after the bed-of-nails expansion
 * (the outer product of the 1-D taps), for display and checks.
 *
 * @param options Scale, σ, size, normalisation.
 * @returns Rows of the kernel, centre at `[(size−1)/2][(size−1)/2]`.
 */
export function gaussianUpsampleKernel(options: GaussianUpsampleOptions = {}): number[][] {
  const { scale: s, size } = resolve(options);
  const r = (size - 1) / 2;
  const oneD = new Array<number>(size).fill(0);
  gaussianPhaseTaps(options).forEach((taps, p) => {
    for (const t of taps) oneD[t.m * s + p + r] = t.w;
  });
  return oneD.map((a) => oneD.map((b) => a * b));
}

/** The 1-D taps of the full kernel (length `size`), indexed by output offset d + r. */
function oneDimensionalKernel(phases: PhaseTap[][], scale: number, size: number): Float32Array {
  const r = (size - 1) / 2;
  const k = new Float32Array(size);
  phases.forEach((taps, p) => {
    for (const t of taps) k[t.m * scale + p + r] = t.w;
  });
  return k;
}

/**
 * For each output position along an axis of `n · scale` samples, the sum of
 * the kernel weights that land inside the expanded signal (1 in the
 * interior for the interpolating kernel, less near the borders).
 */
function borderSums(kernel: Float32Array, n: number, scale: number): Float32Array {
  const r = (kernel.length - 1) / 2;
  const out = new Float32Array(n * scale);
  for (let o = 0; o < out.length; o++) {
    let sum = 0;
    for (let d = -r; d <= r; d++) {
      const b = o - d;
      if (b >= 0 && b < out.length && b % scale === 0) sum += kernel[d + r];
    }
    out[o] = sum;
  }
  return out;
}

/**
 * The "bed of nails" expansion: pixel (i, j) at (s·i, s·j), zeros between.
 * Forward: nearest-neighbour repetition times a mask; backward: every s-th
 * pixel of the gradient (a 1×1 average pool with stride s), which is much
 * faster on wasm than the gradient of the nearest-neighbour resize.
 */
function bedOfNails(x: tf.Tensor4D, scale: number): tf.Tensor4D {
  if (scale === 1) return x.clone();
  const [, h, w] = x.shape;
  const expand = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor4D;
    const value = tf.tidy(() => {
      const mask = new Float32Array(h * scale * w * scale);
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) mask[i * scale * w * scale + j * scale] = 1;
      }
      const repeated = tf.image.resizeNearestNeighbor(input, [h * scale, w * scale], false, false);
      return repeated.mul(tf.tensor4d(mask, [1, h * scale, w * scale, 1])) as tf.Tensor4D;
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) =>
        tf.avgPool(dy as tf.Tensor4D, 1, scale, "valid") as tf.Tensor4D,
    };
  });
  return expand(x) as tf.Tensor4D;
}

/**
 * Gaussian upsampling (eq. 2.6): bed-of-nails expansion by `scale`, then a
 * separable Gaussian filter; see the module documentation for σ and the two
 * normalisations.
 *
 * @param x NHWC batch.
 * @param options Scale, σ, size, normalisation.
 * @returns A new `[N, s·H, s·W, C]` tensor the caller owns.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { gaussianUpsample } from "./upsample.ts";
 * await tf.setBackend("cpu");
 * const x = tf.fill([1, 4, 4, 2], 0.3) as tf.Tensor4D;
 * const y = gaussianUpsample(x, { sigma: 0.5 });
 * console.log(y.shape, y.min().dataSync()[0].toFixed(4), y.max().dataSync()[0].toFixed(4));
 * // [1, 8, 8, 2] "0.3000" "0.3000": a constant stays constant
 * tf.dispose([x, y]);
 * ```
 */
export function gaussianUpsample(
  x: tf.Tensor4D,
  options: GaussianUpsampleOptions = {},
): tf.Tensor4D {
  assertShape(x, [null, null, null, null], "x");
  const resolved = resolve(options);
  if (resolved.scale === 1 && resolved.sigma === 0) return x.clone();
  const { scale, size } = resolved;
  const [, h, w, c] = x.shape;
  const kernel = oneDimensionalKernel(gaussianPhaseTaps(resolved), scale, size);
  return tf.tidy(() => {
    let y = bedOfNails(x, scale);
    // The filter as one size×size depthwise correlation (the kernel is symmetric). Not as two
    // 1-D passes: XNNPACK (the wasm backend) has fast 3x3 and 5x5 depthwise kernels, but a
    // 1x5 one runs ~4x slower than the 5x5.
    if (size > 1) {
      const k2 = new Float32Array(size * size);
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < size; j++) k2[i * size + j] = kernel[i] * kernel[j];
      }
      const filter = tf.tile(tf.tensor4d(k2, [size, size, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
      y = tf.depthwiseConv2d(y, filter, 1, "same");
    } else {
      y = y.mul(kernel[0] * kernel[0]);
    }
    if (resolved.normalization === "interpolating" && resolved.sigma > 0) {
      // Renormalise where the kernel hangs over the border, so constants stay constant there.
      const rows = borderSums(kernel, h, scale);
      const cols = borderSums(kernel, w, scale);
      const inverse = new Float32Array(rows.length * cols.length);
      rows.forEach((r, i) => cols.forEach((c, j) => inverse[i * cols.length + j] = 1 / (r * c)));
      y = y.mul(tf.tensor4d(inverse, [1, rows.length, cols.length, 1]));
    }
    return y;
  });
}

/**
 * Bilinear upsampling by an integer factor, as PyTorch's
 * `nn.Upsample(mode="bilinear", align_corners=False)` (tfjs
 * `resizeBilinear` with half-pixel centres).
 *
 * @param x NHWC batch.
 * @param scale Integer factor (default 2).
 * @returns A new tensor the caller owns.
 */
export function bilinearUpsample(x: tf.Tensor4D, scale = 2): tf.Tensor4D {
  assertShape(x, [null, null, null, null], "x");
  assertNumber(scale, "scale", { min: 1, integer: true });
  return tf.image.resizeBilinear(x, [x.shape[1] * scale, x.shape[2] * scale], false, true);
}

/**
 * Nearest-neighbour upsampling by an integer factor (each pixel repeated
 * s×s times), as PyTorch's `nn.Upsample(mode="nearest")`.
 *
 * @param x NHWC batch.
 * @param scale Integer factor (default 2).
 * @returns A new tensor the caller owns.
 */
export function nearestUpsample(x: tf.Tensor4D, scale = 2): tf.Tensor4D {
  assertShape(x, [null, null, null, null], "x");
  assertNumber(scale, "scale", { min: 1, integer: true });
  return tf.image.resizeNearestNeighbor(x, [x.shape[1] * scale, x.shape[2] * scale], false, false);
}

/** Options of {@linkcode upsample} and {@linkcode Upsample}. */
export interface UpsampleOptions extends GaussianUpsampleOptions {
  /** The method (default `"bilinear"`). */
  mode?: UpsampleMode;
}

/**
 * Upsamples by the chosen method.
 *
 * @param x NHWC batch.
 * @param options Method, scale and, for `"gaussian"`, σ, size and normalisation.
 * @returns A new tensor the caller owns.
 */
export function upsample(x: tf.Tensor4D, options: UpsampleOptions = {}): tf.Tensor4D {
  const mode = assertOneOf(options.mode ?? "bilinear", MODES, "mode");
  const scale = options.scale ?? 2;
  if (mode === "bilinear") return bilinearUpsample(x, scale);
  if (mode === "nearest") return nearestUpsample(x, scale);
  return gaussianUpsample(x, options);
}

/**
 * An upsampling layer (no learnable parameters).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { Upsample } from "./upsample.ts";
 * await tf.setBackend("cpu");
 * const up = new Upsample({ mode: "gaussian", sigma: 0.5 });
 * const y = up.apply(tf.zeros([1, 4, 4, 3]));
 * console.log(y.shape); // [1, 8, 8, 3]
 * y.dispose();
 * ```
 */
export class Upsample {
  /** The resolved options. */
  readonly options: Readonly<UpsampleOptions>;

  /**
   * Creates the layer, validating its options.
   *
   * @param options Method, scale, σ, size, normalisation.
   */
  constructor(options: UpsampleOptions = {}) {
    assertOneOf(options.mode ?? "bilinear", MODES, "mode");
    if ((options.mode ?? "bilinear") === "gaussian") resolve(options);
    else assertNumber(options.scale ?? 2, "scale", { min: 1, integer: true });
    this.options = { ...options };
  }

  /**
   * The forward pass.
   *
   * @param x NHWC batch.
   * @returns A new tensor the caller owns.
   */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return upsample(x, this.options);
  }
}
