/**
 * Point annotations: the one representation every reader returns and every
 * density map, metric and augmentation takes.
 *
 * Conventions: `x` is the column and `y` the row, in 0-based pixel
 * coordinates of pixel centres (the centre of the top-left pixel is
 * `(0, 0)`; the image covers `[-0.5, width - 0.5) × [-0.5, height - 0.5)`),
 * float. MATLAB-style 1-based annotations (ShanghaiTech, UCF-QNRF) are
 * converted by their readers. Optional per-object `sizes` (a diameter in
 * pixels) and `boxes` (`[x0, y0, x1, y1]`, end-exclusive) keep the order of
 * the points.
 *
 * @module
 */
import { describe } from "../core/checks.ts";

/** Point annotations of one image (see the module doc for the conventions). */
export interface Points {
  /** Columns, 0-based, float. */
  x: Float32Array;
  /** Rows, 0-based, float. */
  y: Float32Array;
  /** Per-object size (diameter in pixels), same order as the points. */
  sizes?: Float32Array;
  /** Per-object boxes `[x0, y0, x1, y1]` (end-exclusive), flattened: 4 numbers per point. */
  boxes?: Float32Array;
}

/** What functions taking points accept: {@linkcode Points} or an array of `[x, y]`. */
export type PointsLike = Points | readonly (readonly [number, number])[];

/** Options of {@linkcode toPoints}. */
export interface ToPointsOptions {
  /** Parameter name for error messages (default `"points"`). */
  name?: string;
  /**
   * When given as `[height, width]`, every point must lie inside the image,
   * `-0.5 ≤ x < width - 0.5` and `-0.5 ≤ y < height - 0.5`; a point outside
   * is a `RangeError` naming its index and coordinates.
   */
  inside?: readonly [number, number];
}

/**
 * Normalises and validates point annotations: arrays of `[x, y]` become
 * {@linkcode Points}; NaN or infinite coordinates, length mismatches between
 * `x`, `y`, `sizes` and `boxes`, and (with `inside`) points outside the image
 * are errors naming the offending index and value. A `Points` input is
 * returned as is (not copied) when valid.
 *
 * @param points `{x, y}` or `[[x, y], ...]`.
 * @param options Name for messages and the image bounds to check.
 * @returns The points as {@linkcode Points}.
 * @example
 * ```ts
 * import { toPoints } from "./points.ts";
 * const p = toPoints([[3, 4], [10.5, 2]]);
 * if (p.x.length !== 2 || p.y[0] !== 4) throw new Error();
 * ```
 */
export function toPoints(points: PointsLike, options: ToPointsOptions = {}): Points {
  const name = options.name ?? "points";
  let out: Points;
  if (Array.isArray(points)) {
    const n = points.length;
    const x = new Float32Array(n), y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const p = points[i];
      if (!Array.isArray(p) || p.length < 2) {
        throw new TypeError(`${name}[${i}] must be an [x, y] pair, got ${describe(p)}`);
      }
      x[i] = p[0];
      y[i] = p[1];
    }
    out = { x, y };
  } else if (
    points !== null && typeof points === "object" && (points as Points).x instanceof Float32Array &&
    (points as Points).y instanceof Float32Array
  ) {
    out = points as Points;
  } else {
    throw new TypeError(
      `${name} must be {x: Float32Array, y: Float32Array} or an array of [x, y], got ${
        describe(points)
      }`,
    );
  }
  const n = out.x.length;
  if (out.y.length !== n) {
    throw new RangeError(`${name}: x has ${n} values but y has ${out.y.length}`);
  }
  if (out.sizes !== undefined && out.sizes.length !== n) {
    throw new RangeError(`${name}: ${n} points but ${out.sizes.length} sizes`);
  }
  if (out.boxes !== undefined && out.boxes.length !== 4 * n) {
    throw new RangeError(
      `${name}: ${n} points need ${4 * n} box values (4 each), got ${out.boxes.length}`,
    );
  }
  const [h, w] = options.inside ?? [Infinity, Infinity];
  for (let i = 0; i < n; i++) {
    const x = out.x[i], y = out.y[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new RangeError(`${name}[${i}] has a non-finite coordinate: (x=${x}, y=${y})`);
    }
    if (options.inside && (x < -0.5 || x >= w - 0.5 || y < -0.5 || y >= h - 0.5)) {
      throw new RangeError(
        `${name}[${i}] = (x=${x}, y=${y}) lies outside the ${h}x${w} image ` +
          `(expected -0.5 <= x < ${w - 0.5} and -0.5 <= y < ${h - 0.5})`,
      );
    }
  }
  return out;
}

/**
 * The number of points.
 *
 * @param points The points.
 * @returns How many.
 */
export function pointCount(points: PointsLike): number {
  return Array.isArray(points) ? points.length : (points as Points).x.length;
}

/**
 * The points inside an image of `[height, width]` (pixel-centre convention:
 * `-0.5 ≤ x < width - 0.5`), with their sizes and boxes.
 *
 * @param points The points.
 * @param shape `[height, width]`.
 * @returns A new {@linkcode Points} holding only the points inside.
 */
export function pointsInside(points: PointsLike, shape: readonly [number, number]): Points {
  const p = toPoints(points);
  const [h, w] = shape;
  const keep: number[] = [];
  for (let i = 0; i < p.x.length; i++) {
    if (p.x[i] >= -0.5 && p.x[i] < w - 0.5 && p.y[i] >= -0.5 && p.y[i] < h - 0.5) keep.push(i);
  }
  return selectPoints(p, keep);
}

/**
 * The points at the given indices, in that order, with their sizes and boxes.
 *
 * @param points The points.
 * @param indices Which points.
 * @returns A new {@linkcode Points}.
 */
export function selectPoints(points: Points, indices: readonly number[]): Points {
  const n = indices.length;
  const out: Points = { x: new Float32Array(n), y: new Float32Array(n) };
  if (points.sizes) out.sizes = new Float32Array(n);
  if (points.boxes) out.boxes = new Float32Array(4 * n);
  indices.forEach((j, i) => {
    out.x[i] = points.x[j];
    out.y[i] = points.y[j];
    if (out.sizes) out.sizes[i] = points.sizes![j];
    if (out.boxes) out.boxes.set(points.boxes!.subarray(4 * j, 4 * j + 4), 4 * i);
  });
  return out;
}
