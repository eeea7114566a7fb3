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
 * pixels has weight `exp(−(d/s)² / 2σ²)`. The filter is separable, so it runs
 * as two 1-D passes, each one weighted sum of shifted slices per output
 * phase; no depthwise-convolution gradient is needed.
 *
 * Two normalisations:
 * - `"interpolating"` (default, used by our experiments): the taps that
 *   reach each output phase sum to 1, so the 2-D kernel sums to s² and every
 *   output pixel is a weighted average of input pixels; a constant input stays
 *   constant, borders included (edge replication). This is the
 *   "interpolating filter" of the thesis (Section 2.4.2): it keeps the
 *   signal's scale, so that λ of the Lipschitz normalisation bounds each layer
 *   the same way at every depth.
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

function upsampleAxis(
  x: tf.Tensor4D,
  axis: 1 | 2,
  phases: PhaseTap[][],
  border: "edge" | "zero",
): tf.Tensor4D {
  const n = x.shape[axis];
  const ms = phases.flat().map((t) => t.m);
  const before = Math.max(0, ...ms);
  const after = Math.max(0, ...ms.map((m) => -m));
  const slab = (t: tf.Tensor4D, start: number, size: number) => {
    const begin = [0, 0, 0, 0];
    const sizes = [-1, -1, -1, -1];
    begin[axis] = start;
    sizes[axis] = size;
    return tf.slice(t, begin, sizes);
  };
  let xp = x;
  if (before + after > 0) {
    if (border === "zero") {
      const pads: [number, number][] = [[0, 0], [0, 0], [0, 0], [0, 0]];
      pads[axis] = [before, after];
      xp = tf.pad(x, pads);
    } else {
      const reps = [1, 1, 1, 1];
      const parts: tf.Tensor4D[] = [];
      if (before > 0) {
        parts.push(tf.tile(slab(x, 0, 1), Object.assign([...reps], { [axis]: before })));
      }
      parts.push(x);
      if (after > 0) {
        parts.push(tf.tile(slab(x, n - 1, 1), Object.assign([...reps], { [axis]: after })));
      }
      xp = tf.concat(parts, axis);
    }
  }
  const outs = phases.map((taps) => {
    if (taps.length === 0) return tf.zerosLike(x);
    let acc: tf.Tensor | null = null;
    for (const { m, w } of taps) {
      const s = slab(xp, before - m, n);
      const term = w === 1 ? s : s.mul(w);
      acc = acc ? acc.add(term) : term;
    }
    return acc as tf.Tensor4D;
  });
  if (outs.length === 1) return outs[0];
  const shape = [...x.shape] as [number, number, number, number];
  shape[axis] = n * outs.length;
  return tf.stack(outs, axis + 1).reshape(shape) as tf.Tensor4D;
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
  const phases = gaussianPhaseTaps(resolved);
  const border = resolved.normalization === "interpolating" ? "edge" : "zero";
  return tf.tidy(() => upsampleAxis(upsampleAxis(x, 1, phases, border), 2, phases, border));
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
