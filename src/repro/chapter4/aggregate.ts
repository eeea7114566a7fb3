/**
 * Numbers over seeds for the chapter 4 claims and tables: the records of
 * one setting (dataset, network, heads, kernel) across seeds, their mean and
 * sample standard deviation, the MAE on a subset of the test images (the
 * scale and crowding thirds), and the comparison of two settings with the
 * seed noise beside the difference.
 *
 * @module
 */
import type { Chapter4Record } from "./experiments.ts";
import type { HeadVariant, NetworkKind } from "./settings.ts";

/** A setting: which records to pool over seeds. */
export interface SettingQuery {
  /** Dataset key. */
  dataset: string;
  /** Network. */
  network: NetworkKind;
  /** Heads. */
  heads: HeadVariant;
  /** Kernel key. */
  kernel: string;
}

/** Mean and spread over seeds. */
export interface MeanStd {
  /** Mean. */
  mean: number;
  /** Sample standard deviation (0 for one value). */
  std: number;
  /** Number of values (seeds). */
  n: number;
}

/** What is averaged: a test metric, a GAME level, a density-quality number. */
export type MetricName = "mae" | "rmse" | "nmae" | "psnr" | "ssim" | `game${0 | 1 | 2 | 3}`;

/**
 * Mean and sample standard deviation.
 *
 * @param values The values (finite).
 * @returns The statistic, or `null` for no values.
 * @example
 * ```ts
 * import { meanStd } from "./aggregate.ts";
 * console.log(meanStd([1, 2, 3])); // { mean: 2, std: 1, n: 3 }
 * ```
 */
export function meanStd(values: readonly number[]): MeanStd | null {
  const v = values.filter(Number.isFinite);
  const n = v.length;
  if (n === 0) return null;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/**
 * The records of a setting, over seeds.
 *
 * @param records Every record.
 * @param q The setting.
 * @returns The matching records, by seed.
 */
export function settingRecords(
  records: readonly Chapter4Record[],
  q: SettingQuery,
): Chapter4Record[] {
  return records
    .filter((r) =>
      r.dataset === q.dataset && r.network === q.network && r.heads === q.heads &&
      r.kernel === q.kernel
    )
    .sort((a, b) => a.seed - b.seed);
}

/**
 * The MAE of a record on some of its test images.
 *
 * @param r The record.
 * @param names The images (default all).
 * @returns The mean absolute count error (`NaN` when none of them is in the record).
 */
export function maeOnImages(r: Chapter4Record, names?: ReadonlySet<string>): number {
  let sum = 0, n = 0;
  r.perImage.names.forEach((name, i) => {
    if (names && !names.has(name)) return;
    sum += Math.abs(r.perImage.predicted[i] - r.perImage.truth[i]);
    n++;
  });
  return n ? sum / n : NaN;
}

/**
 * A metric of one record.
 *
 * @param r The record.
 * @param metric The metric.
 * @returns Its value (`NaN` when not measured).
 */
export function recordMetric(r: Chapter4Record, metric: MetricName): number {
  if (metric === "mae" || metric === "rmse" || metric === "nmae") return r.metrics[metric];
  if (metric === "psnr" || metric === "ssim") return r.density[metric] ?? NaN;
  return r.game[Number(metric.slice(4))] ?? NaN;
}

/**
 * A metric of a setting over its seeds.
 *
 * @param records Every record.
 * @param q The setting.
 * @param metric The metric (default MAE).
 * @param names With `"mae"`: only these test images (a third).
 * @returns The statistic, or `null` when the setting did not run.
 */
export function settingStat(
  records: readonly Chapter4Record[],
  q: SettingQuery,
  metric: MetricName = "mae",
  names?: ReadonlySet<string>,
): MeanStd | null {
  const rs = settingRecords(records, q);
  return meanStd(
    rs.map((r) => (names && metric === "mae" ? maeOnImages(r, names) : recordMetric(r, metric))),
  );
}

/**
 * A statistic as text: `"5.12 ± 0.40"` over several seeds, `"5.12"` for one.
 *
 * @param s The statistic.
 * @param digits Decimals (default 2).
 * @returns The text, or `null` (a table's dash) when `s` is `null`.
 */
export function formatMeanStd(s: MeanStd | null, digits = 2): string | null {
  if (!s) return null;
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : s.mean.toFixed(digits);
}

/** Two settings compared: lower is better. */
export interface Comparison {
  /** Whether `a`'s mean is below `b`'s. */
  lower: boolean;
  /** `b.mean − a.mean` (positive: `a` is better). */
  gain: number;
  /** The larger of the two standard deviations (0 with one seed each). */
  noise: number;
  /** Whether |gain| ≤ noise with at least two seeds each: the difference is within seed noise. */
  withinNoise: boolean;
}

/**
 * Compares two statistics (lower is better).
 *
 * @param a The candidate.
 * @param b The reference.
 * @returns The comparison.
 * @example
 * ```ts
 * import { compareMeans } from "./aggregate.ts";
 * const c = compareMeans({ mean: 5, std: 0.5, n: 3 }, { mean: 5.3, std: 0.4, n: 3 });
 * console.log(c.lower, c.withinNoise); // true true
 * ```
 */
export function compareMeans(a: MeanStd, b: MeanStd): Comparison {
  const gain = b.mean - a.mean;
  const noise = Math.max(a.std, b.std);
  return {
    lower: a.mean < b.mean,
    gain,
    noise,
    withinNoise: a.n > 1 && b.n > 1 && Math.abs(gain) <= noise,
  };
}
