/**
 * Counting metrics over a set of images: MAE, RMSE (the root of the mean
 * squared count error; crowd-counting papers often call it "MSE"), NMAE and
 * the per-image errors. GAME is in `game.ts`. The quality of density maps
 * themselves (PSNR, SSIM) comes from `src/metrics`: `psnr(truth, predicted,
 * {dataRange})` and `ssim(truth, predicted, {dataRange})` on `[H, W, 1]`
 * maps, with `dataRange` stated by the caller (a density map is not in
 * [0, 1]; e.g. the truth's maximum).
 *
 * NMAE is the mean over images of `|predicted − true| / true`. Images with a
 * true count of 0 have no relative error: they are left out of the NMAE
 * (`nmaeImages` says how many were used, `zeroCountImages` how many were
 * skipped) but count in MAE and RMSE; with no image left, NMAE is NaN.
 *
 * @module
 */
import { describe } from "../core/checks.ts";

/** What {@linkcode countingMetrics} returns. */
export interface CountingMetrics {
  /** Images. */
  images: number;
  /** Mean absolute count error. */
  mae: number;
  /** Root of the mean squared count error. */
  rmse: number;
  /** Mean of |error| / true count over the images with a non-zero true count (NaN if none). */
  nmae: number;
  /** Images the NMAE averages over. */
  nmaeImages: number;
  /** Images with a true count of 0 (left out of the NMAE). */
  zeroCountImages: number;
  /** Per image, predicted − true count. */
  errors: Float64Array;
}

/**
 * MAE, RMSE, NMAE and per-image errors of predicted counts.
 *
 * @param predicted Predicted count per image.
 * @param truth True count per image, ≥ 0, same length.
 * @returns The metrics.
 * @example
 * ```ts
 * import { countingMetrics } from "./metrics.ts";
 * const m = countingMetrics([12, 8, 1], [10, 10, 0]);
 * // errors 2, -2, 1; NMAE over the first two images: (0.2 + 0.2) / 2
 * if (m.mae !== 5 / 3 || Math.abs(m.nmae - 0.2) > 1e-12 || m.zeroCountImages !== 1) {
 *   throw new Error();
 * }
 * ```
 */
export function countingMetrics(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
): CountingMetrics {
  checkCounts(predicted, "predicted");
  checkCounts(truth, "truth");
  const n = truth.length;
  if (predicted.length !== n) {
    throw new RangeError(
      `predicted must have one count per image of truth: expected ${n}, got ${predicted.length}`,
    );
  }
  if (n === 0) throw new RangeError("truth must hold at least one image, got 0");
  const errors = new Float64Array(n);
  let abs = 0, sq = 0, rel = 0, used = 0;
  for (let i = 0; i < n; i++) {
    if (truth[i] < 0) throw new RangeError(`truth[${i}] must be a count >= 0, got ${truth[i]}`);
    const e = predicted[i] - truth[i];
    errors[i] = e;
    abs += Math.abs(e);
    sq += e * e;
    if (truth[i] > 0) {
      rel += Math.abs(e) / truth[i];
      used++;
    }
  }
  return {
    images: n,
    mae: abs / n,
    rmse: Math.sqrt(sq / n),
    nmae: used > 0 ? rel / used : NaN,
    nmaeImages: used,
    zeroCountImages: n - used,
    errors,
  };
}

function checkCounts(values: ArrayLike<number>, name: string): void {
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    throw new TypeError(`${name} must be an array of counts, got ${describe(values)}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== "number" || !Number.isFinite(values[i])) {
      throw new RangeError(`${name}[${i}] must be a finite number, got ${describe(values[i])}`);
    }
  }
}
