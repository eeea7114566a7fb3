/**
 * Density maps from point annotations (thesis eq. 4.1): a normalised
 * Gaussian per point, summed, so that the map sums to the count.
 *
 * Each point's Gaussian (σ from {@linkcode kernelSigmas}) is evaluated at
 * the pixel centres of a square window of radius `r = ceil(truncate · σ)`
 * pixels (default `truncate` 3) around the pixel containing the point,
 * clipped to the image, and divided by its own sum over that clipped window:
 * every point inside the image adds exactly 1, also at the border (CSRNet's
 * and C-3-Framework's generators lose the mass that falls outside). The
 * kernel is separable, so a point costs `O(r)` exponentials and `(2r + 1)²`
 * additions into one `Float32Array`: a 1024 × 768 map of 2,000 points takes
 * tens of milliseconds (`bench/counting_bench.ts`).
 *
 * Points outside the image (`x < -0.5`, `x ≥ width - 0.5`, same for y; see
 * `points.ts`) are dropped by default, before σ is computed (they are
 * nobody's neighbours); `outside: "error"` makes them a `RangeError`. No
 * points give a zero map. The map sums to the number of points kept, to
 * float32 rounding (≤ 1e-6 relative in the tests).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertOneOf, describe } from "../core/checks.ts";
import { type Points, type PointsLike, selectPoints, toPoints } from "./points.ts";
import type { DensityPlane } from "./plane.ts";
import { checkShape, kernelSigmas, positive, type SigmaOptions } from "./sigma.ts";

/** What to do with points outside the image. */
export type OutsidePoints = "drop" | "error";

/** Options of {@linkcode densityMap} and {@linkcode densityMapData}. */
export interface DensityOptions extends SigmaOptions {
  /** Kernel radius in σ: `r = ceil(truncate · σ)` pixels (default 3). */
  truncate?: number;
  /** Points outside the image: dropped (default) or a `RangeError`. */
  outside?: OutsidePoints;
  /**
   * σ per point, overriding `kernel`: one number per given point (before
   * dropping), each finite and > 0.
   */
  sigmas?: ArrayLike<number>;
}

/** What {@linkcode densityMapData} returns: the map and the σ it used. */
export interface DensityMapData extends DensityPlane {
  /** σ of each point used, in the order of `indices`. */
  sigmas: Float32Array;
  /** Indices (into the given points) of the points inside the image, which the map holds. */
  indices: Int32Array;
}

/**
 * The density map of points as a plain array (what the data pipeline uses;
 * {@linkcode densityMap} wraps it in a tensor).
 *
 * @param points `{x, y, sizes?, boxes?}` or `[[x, y], ...]`, 0-based pixel coordinates.
 * @param shape `[height, width]` of the image.
 * @param options Kernel (see `sigma.ts`), truncation, points outside.
 * @returns The `height × width` map, the σ and indices of the points in it.
 * @example
 * ```ts
 * import { densityMapData } from "./density.ts";
 * const d = densityMapData([[0, 0], [5.5, 3], [9, 7]], [8, 10], { kernel: "fixed", sigma: 1.5 });
 * const sum = d.data.reduce((a, b) => a + b, 0);
 * if (Math.abs(sum - 3) > 1e-5) throw new Error(`${sum}`);
 * ```
 */
export function densityMapData(
  points: PointsLike,
  shape: readonly [number, number],
  options: DensityOptions = {},
): DensityMapData {
  const [height, width] = checkShape(shape);
  const truncate = positive(options.truncate ?? 3, "truncate");
  const { kept, indices, sigmas } = pointsAndSigmas(points, [height, width], options);
  const data = new Float32Array(height * width);
  splatGaussians(data, height, width, kept, sigmas, truncate);
  return { data, height, width, sigmas, indices };
}

/**
 * The density map of points, `[height, width, 1]`, summing to the number of
 * points inside the image.
 *
 * @param points `{x, y, sizes?, boxes?}` or `[[x, y], ...]`, 0-based pixel coordinates.
 * @param shape `[height, width]` of the image.
 * @param options Kernel (see `sigma.ts`: `"fixed"`, `"adaptive"`,
 *   `"nonuniform"`, `"boxes"`), truncation, points outside.
 * @returns A new `[H, W, 1]` float32 tensor the caller owns.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { useBackend } from "../core/backend.ts";
 * import { densityMap } from "./density.ts";
 * await useBackend("cpu");
 * const d = densityMap([[2, 3], [4, 4], [10, 1]], [8, 12], { kernel: "adaptive" });
 * const count = tf.tidy(() => d.sum().dataSync()[0]);
 * if (d.shape[2] !== 1 || Math.abs(count - 3) > 1e-5) throw new Error(`${count}`);
 * d.dispose();
 * ```
 */
export function densityMap(
  points: PointsLike,
  shape: readonly [number, number],
  options: DensityOptions = {},
): tf.Tensor3D {
  const d = densityMapData(points, shape, options);
  return tf.tensor3d(d.data, [d.height, d.width, 1], "float32");
}

/**
 * The points inside the image and their σ, by the rules of
 * {@linkcode DensityOptions} (shared with the segmentation map).
 *
 * @param points The points.
 * @param shape `[height, width]`, already checked.
 * @param options Kernel, explicit σ, points outside.
 * @returns The kept points, their indices and σ.
 */
export function pointsAndSigmas(
  points: PointsLike,
  shape: readonly [number, number],
  options: DensityOptions,
): { kept: Points; indices: Int32Array; sigmas: Float32Array } {
  const outside = assertOneOf(options.outside ?? "drop", ["drop", "error"], "outside");
  const p = toPoints(points, outside === "error" ? { inside: shape } : {});
  const n = p.x.length;
  const [h, w] = shape;
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    if (p.x[i] >= -0.5 && p.x[i] < w - 0.5 && p.y[i] >= -0.5 && p.y[i] < h - 0.5) keep.push(i);
  }
  const kept = keep.length === n ? p : selectPoints(p, keep);
  const indices = Int32Array.from(keep);
  let sigmas: Float32Array;
  if (options.sigmas !== undefined) {
    const given = options.sigmas;
    if (given === null || typeof given !== "object" || typeof given.length !== "number") {
      throw new TypeError(`sigmas must be an array of numbers, got ${describe(given)}`);
    }
    if (given.length !== n) {
      throw new RangeError(
        `sigmas must have one value per point: expected ${n}, got ${given.length}`,
      );
    }
    sigmas = new Float32Array(keep.length);
    keep.forEach((j, i) => {
      sigmas[i] = positive(given[j], `sigmas[${j}]`);
    });
  } else {
    sigmas = kernelSigmas(kept, shape, options);
  }
  for (let i = 0; i < sigmas.length; i++) {
    if (!(sigmas[i] > 0) || !Number.isFinite(sigmas[i])) {
      throw new RangeError(`sigma of point ${indices[i]} must be finite and > 0, got ${sigmas[i]}`);
    }
  }
  return { kept, indices, sigmas };
}

/**
 * Adds one normalised, truncated, separable Gaussian per point into `data`.
 * Exponents are taken relative to the nearest pixel centre (whose weight is
 * 1), so that a tiny σ gives a one-pixel spike instead of 0/0.
 */
function splatGaussians(
  data: Float32Array,
  height: number,
  width: number,
  points: Points,
  sigmas: Float32Array,
  truncate: number,
): void {
  let gx = new Float64Array(0), gy = new Float64Array(0);
  for (let i = 0; i < points.x.length; i++) {
    const x = points.x[i], y = points.y[i], s = sigmas[i];
    const r = Math.ceil(truncate * s);
    if (gx.length < 2 * r + 1) {
      gx = new Float64Array(2 * r + 1);
      gy = new Float64Array(2 * r + 1);
    }
    const cx = Math.floor(x + 0.5), cy = Math.floor(y + 0.5);
    const x0 = Math.max(0, cx - r), x1 = Math.min(width - 1, cx + r);
    const y0 = Math.max(0, cy - r), y1 = Math.min(height - 1, cy + r);
    const inv = 1 / (2 * s * s);
    const ox = (cx - x) * (cx - x), oy = (cy - y) * (cy - y);
    let sx = 0, sy = 0;
    for (let j = x0; j <= x1; j++) {
      const v = Math.exp(-((j - x) * (j - x) - ox) * inv);
      gx[j - x0] = v;
      sx += v;
    }
    for (let j = y0; j <= y1; j++) {
      const v = Math.exp(-((j - y) * (j - y) - oy) * inv);
      gy[j - y0] = v;
      sy += v;
    }
    const norm = 1 / (sx * sy);
    const nx = x1 - x0 + 1;
    for (let row = y0; row <= y1; row++) {
      const a = gy[row - y0] * norm;
      const base = row * width + x0;
      for (let j = 0; j < nx; j++) data[base + j] += a * gx[j];
    }
  }
}
