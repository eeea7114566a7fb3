/**
 * What one chapter 2 run stores in its `result.json`: curves (subsampled),
 * the best, last, stopped and reported PSNR, and the images it saved.
 *
 * @module
 */
import type { Series } from "../../core/history.ts";
import type { MethodName, Reported, TaskKey } from "./experiments.ts";

/** The frequency-band correspondence over steps. */
export interface BandCurves {
  /** Steps. */
  x: number[];
  /** `y[n][i]`: mean correspondence of band n (0 = lowest frequency) at step `x[i]`. */
  y: number[][];
}

/** The result of one run, as stored (JSON). */
export interface FitRecord {
  /** Run id. */
  id: string;
  /** Method. */
  method: MethodName;
  /** Task. */
  task: TaskKey;
  /** Image name. */
  image: string;
  /** Shape of the output image. */
  shape: [number, number, number];
  /** Step budget. */
  budget: number;
  /** Steps run. */
  steps: number;
  /** PSNR (dB) of the output over steps, as the task scores it. */
  psnr: Series;
  /** Frequency-band correspondence of the (degraded) output to the target. */
  bands: BandCurves;
  /** Blur/sharpness ratio r over steps (methods with automatic stopping). */
  ratio?: Series;
  /** PSNR of the exponentially averaged output (original DIP). */
  psnrSmoothed?: Series;
  /** PSNR of the posterior mean (Bayesian DIP). */
  psnrPosterior?: Series;
  /** The best PSNR over the run and its step (the "oracle"). */
  best: { step: number; psnr: number };
  /** PSNR at the last step. */
  last: number;
  /** Where the automatic stop fired and the PSNR there; `null` if it did not within the budget. */
  stop: { step: number; psnr: number } | null;
  /** Which number the tables report, and its value. */
  reported: { kind: Reported; psnr: number };
  /** PSNR of the degraded input against the ground truth (SR: the bicubic baseline; enhancement: `null`). */
  inputPsnr: number | null;
  /** Saved images, paths relative to the output folder. */
  images: Record<string, string>;
  /** Seconds the fit took (resumed parts included). */
  seconds: number;
}

/**
 * Keeps at most `points` points of a curve, evenly spaced, always with the
 * last one.
 *
 * @param s The curve.
 * @param points Most points to keep (>= 2).
 * @returns A new curve.
 * @example
 * ```ts
 * import { subsample } from "./record.ts";
 * console.log(subsample({ x: [1, 2, 3, 4, 5], y: [1, 2, 3, 4, 5] }, 3).x); // [1, 3, 5]
 * ```
 */
export function subsample(s: Series, points: number): Series {
  const n = s.x.length;
  if (n <= points) return { x: [...s.x], y: [...s.y] };
  const idx = new Set<number>();
  for (let i = 0; i < points; i++) idx.add(Math.round((i * (n - 1)) / (points - 1)));
  const keep = [...idx].sort((a, b) => a - b);
  return { x: keep.map((i) => s.x[i]), y: keep.map((i) => s.y[i]) };
}

/**
 * The PSNR a curve records at `step`, or `NaN` when that step was not measured.
 *
 * @param s The PSNR curve.
 * @param step The step.
 * @returns The value.
 */
export function valueAt(s: Series, step: number): number {
  const i = s.x.indexOf(step);
  return i < 0 ? NaN : s.y[i];
}

/**
 * The first step at which a curve reaches `level` (`Infinity` if never).
 *
 * @param s The curve.
 * @param level The level.
 * @returns The step.
 * @example
 * ```ts
 * import { firstReach } from "./record.ts";
 * console.log(firstReach({ x: [10, 20, 30], y: [0.5, 0.95, 0.99] }, 0.9)); // 20
 * ```
 */
export function firstReach(s: Series, level: number): number {
  for (let i = 0; i < s.x.length; i++) if (s.y[i] >= level) return s.x[i];
  return Infinity;
}

/**
 * The curve of band n of a record.
 *
 * @param bands The band curves.
 * @param n The band (0 = lowest).
 * @returns Its series.
 */
export function bandSeries(bands: BandCurves, n: number): Series {
  return { x: bands.x, y: bands.y[n] ?? [] };
}
