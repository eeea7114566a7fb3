/**
 * The Gaussian width σ of each annotated point: the kernels a density map
 * (eq. 4.1) and a segmentation map (eq. 4.2) are built with.
 *
 * - `"fixed"`: one σ for every point (default 4, the 15 × 15 kernel of
 *   C-3-Framework; the thesis uses 5 for ShanghaiTech B and 10 for DCC).
 * - `"adaptive"`: geometry-adaptive (Zhang et al. 2016), σ = β · d̄ with d̄
 *   the mean distance to the k nearest other points; β = 0.3, k = 3 as in
 *   CSRNet's generator (which sums the 3 nearest distances and multiplies by
 *   0.1).
 * - `"nonuniform"`: the thesis's eq. 4.7, σ_P = β · the mean of d̄_a over the
 *   points a in the w × h region centred on P (P included), w and h a fraction
 *   of the image's width and height (default 1/8: `|x_a − x_P| ≤ w/2` and
 *   `|y_a − y_P| ≤ h/2`), β = 0.3, k = 5. The text's d̄ averages the k nearest
 *   other points: the default. The author's MATLAB published with the paper
 *   (`data/density.m` of Counting-with-Focus-for-Free) sorts the distances
 *   to all points, the point's own 0 included, and averages the first k:
 *   `includeSelf: true` follows it, and so, presumably, the thesis's
 *   experiments. That code's regions are also 1/8 of the image for density
 *   maps (half-widths of 1/16) but 1/4 in its `segmentation.m` (pass
 *   `region: 1 / 4` for that), on floored coordinates with strict
 *   inequalities (here: the float coordinates, inclusive).
 * - `"boxes"`: from object sizes. σ = `sizeToSigma` · size with the default
 *   factor 1/4: an object of diameter d is a disc of radius 2σ, the thesis's
 *   rule in ch. 5 (Sec. 5.4, "radius approximately equal to 2σ"). The size
 *   is `points.sizes[i]` (a diameter) when given, otherwise the geometric
 *   mean `√(w · h)` of the box `points.boxes` (the side of a square box).
 *
 * Edge cases, for `"adaptive"` and `"nonuniform"`: a point with fewer
 * neighbours than k (an image with ≤ k points) averages those it has; a lone
 * point (1 point in the image) gets `loneSigma`, by default a quarter of the
 * mean image side as in CSRNet's generator; computed σ below `minSigma`
 * (default 0.1 px: only coincident duplicate annotations get there) are
 * raised to it. No points: an empty array.
 *
 * @module
 */
import { assertNumber, assertOneOf, describe } from "../core/checks.ts";
import KDBush from "kdbush";
import { kNearest } from "./knn.ts";
import { type Points, type PointsLike, toPoints } from "./points.ts";

/** How σ is chosen for each point (see the module doc). */
export type DensityKernel = "fixed" | "adaptive" | "nonuniform" | "boxes";

const KERNELS: readonly DensityKernel[] = ["fixed", "adaptive", "nonuniform", "boxes"];

/** Options choosing σ per point; defaults per kernel in the module doc. */
export interface SigmaOptions {
  /** The kernel (default `"adaptive"`). */
  kernel?: DensityKernel;
  /** `"fixed"`: σ in pixels (default 4). */
  sigma?: number;
  /** `"adaptive"`, `"nonuniform"`: σ = β · distance (default 0.3). */
  beta?: number;
  /** `"adaptive"`, `"nonuniform"`: neighbours averaged (default 3 adaptive, 5 non-uniform). */
  k?: number;
  /**
   * `"adaptive"`, `"nonuniform"`: count the point itself (distance 0) among
   * its k nearest, as the thesis author's MATLAB does (default `false`, the
   * text's rule).
   */
  includeSelf?: boolean;
  /**
   * `"nonuniform"`: the region's width and height as fractions of the
   * image's width and height: one number for both or `[h, w]` (default 1/8).
   */
  region?: number | readonly [number, number];
  /** σ of a point alone in its image (default `(height + width) / 2 / 4`). */
  loneSigma?: number;
  /** Smallest computed σ (default 0.1). */
  minSigma?: number;
  /** `"boxes"`: σ = sizeToSigma · size (default 1/4). */
  sizeToSigma?: number;
}

/**
 * σ of each point for the chosen kernel, over exactly the points given
 * (nothing dropped: the neighbours of a point are the other given points).
 *
 * @param points The points (`"boxes"` needs their `sizes` or `boxes`).
 * @param shape `[height, width]` of the image (the region of `"nonuniform"`,
 *   the default `loneSigma`).
 * @param options Kernel and its parameters.
 * @returns σ per point, in the order of the points.
 * @example
 * ```ts
 * import { kernelSigmas } from "./sigma.ts";
 * const s = kernelSigmas([[10, 10], [14, 13], [40, 10]], [64, 64], { kernel: "adaptive", k: 1 });
 * // nearest distances 5, 5 and 26.0: σ = 0.3 · d
 * if (Math.abs(s[0] - 1.5) > 1e-6) throw new Error(`${s[0]}`);
 * ```
 */
export function kernelSigmas(
  points: PointsLike,
  shape: readonly [number, number],
  options: SigmaOptions = {},
): Float32Array {
  const p = toPoints(points);
  const [height, width] = checkShape(shape);
  const kernel = assertOneOf(options.kernel ?? "adaptive", KERNELS, "kernel");
  const n = p.x.length;
  const out = new Float32Array(n);
  if (kernel === "fixed") {
    out.fill(positive(options.sigma ?? 4, "sigma"));
    return out;
  }
  if (kernel === "boxes") return boxSigmas(p, positive(options.sizeToSigma ?? 0.25, "sizeToSigma"));

  const beta = positive(options.beta ?? 0.3, "beta");
  const k = assertNumber(options.k ?? (kernel === "adaptive" ? 3 : 5), "k", {
    min: 1,
    integer: true,
  });
  const lone = positive(options.loneSigma ?? (height + width) / 8, "loneSigma");
  const minSigma = assertNumber(options.minSigma ?? 0.1, "minSigma", { min: 0 });
  const [fh, fw] = regionFractions(options.region ?? 1 / 8);
  if (n === 0) return out;
  if (n === 1) {
    out[0] = lone;
    return out;
  }
  const dbar = meanNeighbourDistance(p, k, options.includeSelf ?? false);
  if (kernel === "adaptive") {
    for (let i = 0; i < n; i++) out[i] = Math.max(beta * dbar[i], minSigma);
    return out;
  }
  const hh = (fh * height) / 2, hw = (fw * width) / 2;
  const index = new KDBush(n, 16, Float64Array);
  for (let i = 0; i < n; i++) index.add(p.x[i], p.y[i]);
  index.finish();
  for (let i = 0; i < n; i++) {
    const x = p.x[i], y = p.y[i];
    // kdbush's range test: minX <= x_a <= maxX and minY <= y_a <= maxY.
    const found = index.range(x - hw, y - hh, x + hw, y + hh);
    let sum = 0;
    for (const j of found) sum += dbar[j];
    out[i] = Math.max((beta * sum) / found.length, minSigma);
  }
  return out;
}

/**
 * d̄ per point: the mean distance to its k nearest neighbours (fewer when the
 * image has fewer; with `includeSelf` the point's own 0 is one of the k).
 *
 * @param points At least 2 points.
 * @param k Neighbours.
 * @param includeSelf Count the point itself.
 * @returns d̄ per point (float64).
 */
export function meanNeighbourDistance(
  points: Points,
  k: number,
  includeSelf: boolean,
): Float64Array {
  const n = points.x.length;
  const { distances } = kNearest(points, k, { includeSelf });
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0, m = 0;
    for (let j = 0; j < k; j++) {
      const d = distances[i * k + j];
      if (d === Infinity) break;
      sum += d;
      m++;
    }
    out[i] = sum / m;
  }
  return out;
}

function boxSigmas(p: Points, factor: number): Float32Array {
  const n = p.x.length;
  const out = new Float32Array(n);
  if (p.sizes === undefined && p.boxes === undefined) {
    throw new TypeError(
      `kernel "boxes" needs points.sizes or points.boxes, got points with neither`,
    );
  }
  for (let i = 0; i < n; i++) {
    let size: number;
    if (p.sizes) {
      size = p.sizes[i];
      if (!(size > 0) || !Number.isFinite(size)) {
        throw new RangeError(`points.sizes[${i}] must be a finite size > 0, got ${size}`);
      }
    } else {
      const b = p.boxes!;
      const w = b[4 * i + 2] - b[4 * i], h = b[4 * i + 3] - b[4 * i + 1];
      size = Math.sqrt(w * h);
      if (!(w > 0) || !(h > 0) || !Number.isFinite(size)) {
        throw new RangeError(
          `points.boxes[${i}] = [${Array.from(b.subarray(4 * i, 4 * i + 4)).join(", ")}] ` +
            `must have width and height > 0, got ${w} x ${h}`,
        );
      }
    }
    out[i] = factor * size;
  }
  return out;
}

function regionFractions(region: number | readonly [number, number]): [number, number] {
  const pair: readonly unknown[] = typeof region === "number" ? [region, region] : region;
  if (!Array.isArray(pair) || pair.length !== 2) {
    throw new TypeError(`region must be a number or [h, w], got ${describe(region)}`);
  }
  return [
    assertNumber(pair[0], "region (height fraction)", { min: 0, minExclusive: true, max: 1 }),
    assertNumber(pair[1], "region (width fraction)", { min: 0, minExclusive: true, max: 1 }),
  ];
}

/**
 * Checks a σ-like parameter: a finite number > 0 (a RangeError otherwise,
 * NaN included).
 *
 * @param value The value.
 * @param name Its name for the message.
 * @returns The value.
 */
export function positive(value: unknown, name: string): number {
  if (typeof value === "number" && Number.isNaN(value)) {
    throw new RangeError(`${name} must be a number > 0, got NaN`);
  }
  return assertNumber(value, name, { min: 0, minExclusive: true });
}

/**
 * Checks an image shape `[height, width]` of positive integers.
 *
 * @param shape The shape.
 * @param name Its name for the message (default `"shape"`).
 * @returns The shape.
 */
export function checkShape(
  shape: readonly [number, number],
  name = "shape",
): [number, number] {
  if (!Array.isArray(shape) || shape.length !== 2) {
    throw new TypeError(`${name} must be [height, width], got ${describe(shape)}`);
  }
  return [
    assertNumber(shape[0], `${name}[0] (height)`, { min: 1, integer: true }),
    assertNumber(shape[1], `${name}[1] (width)`, { min: 1, integer: true }),
  ];
}
