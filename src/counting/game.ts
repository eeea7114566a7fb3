/**
 * GAME, the Grid Average Mean absolute Error (Guerrero-Gómez-Olmedo et al.
 * 2015; thesis Sec. 4.4.1): at level L the image is split into 4^L cells and
 * the absolute count errors of the cells are added up; GAME(0) is the
 * absolute count error. A dataset's GAME(L) is the mean of
 * {@linkcode game} over its images.
 *
 * Cells follow the TRANCOS authors' rule: a region of n rows is split at
 * `floor(n / 2)`, recursively L times (the same for columns), so the extra
 * row or column of an odd split goes to the lower or right cell. A side
 * shorter than 2^L gives empty cells (count 0 on both sides). An optional
 * ROI mask (TRANCOS) weighs both maps before summing.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import { type DensityPlane, toPlane } from "./plane.ts";

/** Options of {@linkcode game}. */
export interface GameOptions {
  /** L: 4^L cells (integer ≥ 0). */
  level: number;
  /** Region of interest: weights (usually 0/1) of the map's size, applied to both maps. */
  mask?: DensityPlane | tf.Tensor;
}

/**
 * The cell boundaries along one side: `2^L + 1` increasing offsets from 0 to
 * `size`, by recursive splits at `floor(n / 2)`.
 *
 * @param size Rows (or columns).
 * @param level L.
 * @returns The boundaries; cell c spans `[b[c], b[c + 1])`.
 * @example
 * ```ts
 * import { gameBounds } from "./game.ts";
 * if (gameBounds(7, 2).join() !== "0,1,3,5,7") throw new Error();
 * ```
 */
export function gameBounds(size: number, level: number): Int32Array {
  assertNumber(size, "size", { min: 0, integer: true });
  assertNumber(level, "level", { min: 0, integer: true, max: 15 });
  let bounds = [0, size];
  for (let l = 0; l < level; l++) {
    const next = [0];
    for (let c = 0; c + 1 < bounds.length; c++) {
      const a = bounds[c], b = bounds[c + 1];
      next.push(a + Math.floor((b - a) / 2), b);
    }
    bounds = next;
  }
  return Int32Array.from(bounds);
}

/**
 * The counts of the 4^L GAME cells of a map, `2^L × 2^L`, row-major.
 *
 * @param map A plane or a `[H, W]` / `[H, W, 1]` tensor (read back synchronously).
 * @param options L and an optional mask.
 * @returns Cell sums (float64).
 */
export function gameCells(map: DensityPlane | tf.Tensor, options: GameOptions): Float64Array {
  const plane = toPlane(map, "map");
  const level = assertNumber(options?.level, "level", { min: 0, integer: true, max: 15 });
  const mask = options.mask === undefined ? undefined : toPlane(options.mask, "mask");
  if (mask && (mask.height !== plane.height || mask.width !== plane.width)) {
    throw new RangeError(
      `mask must have the map's size: expected ${plane.height}x${plane.width}, got ${mask.height}x${mask.width}`,
    );
  }
  const { data, height, width } = plane;
  const rows = gameBounds(height, level), cols = gameBounds(width, level);
  const g = 2 ** level;
  // Cell index of every column, then one pass over the pixels.
  const colCell = new Int32Array(width);
  for (let c = 0; c < g; c++) colCell.fill(c, cols[c], cols[c + 1]);
  const out = new Float64Array(g * g);
  for (let r = 0; r < g; r++) {
    for (let i = rows[r]; i < rows[r + 1]; i++) {
      const base = i * width;
      for (let j = 0; j < width; j++) {
        const v = mask ? data[base + j] * mask.data[base + j] : data[base + j];
        out[r * g + colCell[j]] += v;
      }
    }
  }
  return out;
}

/**
 * GAME(L) of one image: the sum over the 4^L cells of |predicted − true count|.
 *
 * @param predicted Predicted density: a plane or a `[H, W]` / `[H, W, 1]` tensor.
 * @param truth Ground-truth density of the same size.
 * @param options L and an optional ROI mask.
 * @returns The image's GAME(L); average over images for a dataset's.
 * @example
 * ```ts
 * import { game } from "./game.ts";
 * const truth = { data: Float32Array.of(1, 0, 0, 1), height: 2, width: 2 };
 * const pred = { data: Float32Array.of(0, 1, 0, 1), height: 2, width: 2 };
 * if (game(pred, truth, { level: 0 }) !== 0 || game(pred, truth, { level: 1 }) !== 2) {
 *   throw new Error();
 * }
 * ```
 */
export function game(
  predicted: DensityPlane | tf.Tensor,
  truth: DensityPlane | tf.Tensor,
  options: GameOptions,
): number {
  const p = toPlane(predicted, "predicted"), t = toPlane(truth, "truth");
  if (p.height !== t.height || p.width !== t.width) {
    throw new RangeError(
      `truth must have the size of predicted: expected ${p.height}x${p.width}, got ${t.height}x${t.width}`,
    );
  }
  const a = gameCells(p, options), b = gameCells(t, options);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum;
}
