/**
 * Background and foreground errors of a density map (thesis Sec. 5.3,
 * Tables 23-24): where a counter's error comes from. With the foreground a
 * mask (the oracle foreground `density > 0`, or a segmentation), the
 * predicted count splits into the part on background pixels, which is all
 * error since no object is there, and the part on foreground pixels, which
 * is compared to the true count there.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { describe } from "../core/checks.ts";

/** A density plane: a `Float32Array` of H × W values, or a tensor of H × W elements. */
export type DensityValues = Float32Array | tf.Tensor;

/** The errors of one image. */
export interface BackgroundSplitErrors {
  /** |Σ_{background} predicted|: the count predicted where there is nothing. */
  background: number;
  /** |Σ_{foreground} predicted − Σ_{foreground} truth|. */
  foreground: number;
  /** |Σ predicted − Σ truth|, the usual absolute count error. */
  overall: number;
}

function plane(value: DensityValues, name: string): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value instanceof tf.Tensor) return Float32Array.from(value.dataSync() as ArrayLike<number>);
  throw new TypeError(`${name} must be a Float32Array or a tf.Tensor, got ${describe(value)}`);
}

/**
 * Splits the count error of one image into background and foreground parts.
 *
 * @param predicted The predicted density (H × W values).
 * @param truth The true density (H × W values).
 * @param foreground The foreground mask (H × W values; > 0.5 is foreground).
 * @returns Background, foreground and overall absolute errors.
 * @example
 * ```ts
 * import { backgroundSplitErrors } from "./background.ts";
 * const e = backgroundSplitErrors(
 *   Float32Array.of(0.5, 1.2, 0, 0.3),   // predicted
 *   Float32Array.of(0, 1, 0, 1),         // truth
 *   Float32Array.of(0, 1, 0, 1),         // foreground
 * );
 * console.log(e.background, e.foreground.toFixed(1), e.overall.toFixed(1)); // 0.5 "0.5" "0.0"
 * ```
 */
export function backgroundSplitErrors(
  predicted: DensityValues,
  truth: DensityValues,
  foreground: DensityValues,
): BackgroundSplitErrors {
  const p = plane(predicted, "predicted"), t = plane(truth, "truth");
  const f = plane(foreground, "foreground");
  if (p.length !== t.length || p.length !== f.length) {
    throw new RangeError(
      `predicted, truth and foreground must have as many values, got ${p.length}, ${t.length}, ${f.length}`,
    );
  }
  let bg = 0, fgPred = 0, fgTrue = 0, all = 0, allTrue = 0;
  for (let i = 0; i < p.length; i++) {
    all += p[i];
    allTrue += t[i];
    if (f[i] > 0.5) {
      fgPred += p[i];
      fgTrue += t[i];
    } else bg += p[i];
  }
  return {
    background: Math.abs(bg),
    foreground: Math.abs(fgPred - fgTrue),
    overall: Math.abs(all - allTrue),
  };
}

/**
 * The mean of {@linkcode backgroundSplitErrors} over images: the BG, FG and
 * overall MAE of Table 24.
 *
 * @param errors Per-image errors.
 * @returns Their means (0 for no images).
 */
export function meanSplitErrors(errors: readonly BackgroundSplitErrors[]): BackgroundSplitErrors {
  const n = errors.length || 1;
  const sum = (k: keyof BackgroundSplitErrors) => errors.reduce((a, e) => a + e[k], 0) / n;
  return { background: sum("background"), foreground: sum("foreground"), overall: sum("overall") };
}
