/**
 * The numbers the chapter 5 tables and claims read from the stored records:
 * a method's MAE (and its background, foreground, low- and high-occlusion
 * parts) on one data set and backbone, as the mean and spread over seeds.
 *
 * @module
 */
import type { Chapter5Record, CountRecord } from "./experiments.ts";
import type { Backbone, Method } from "./settings.ts";

/** Mean, sample standard deviation and number of seeds. */
export interface SeedStat {
  /** Mean over seeds. */
  mean: number;
  /** Sample standard deviation over seeds (0 for one seed). */
  sd: number;
  /** Seeds. */
  n: number;
}

/**
 * Mean and sample standard deviation.
 *
 * @param values The values (one per seed).
 * @returns The statistics (`NaN` mean for none).
 * @example
 * ```ts
 * import { seedStat } from "./measures.ts";
 * console.log(seedStat([2, 4])); // { mean: 3, sd: 1.4142135623730951, n: 2 }
 * ```
 */
export function seedStat(values: readonly number[]): SeedStat {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/**
 * The count records of one method on one data set and backbone, one per seed.
 *
 * @param records All records.
 * @param dataset Data set key.
 * @param backbone Backbone.
 * @param method Method.
 * @returns The records, by seed.
 */
export function recordsOf(
  records: readonly Chapter5Record[],
  dataset: string,
  backbone: Backbone,
  method: Method,
): CountRecord[] {
  return records
    .filter((r): r is CountRecord =>
      r.kind === "count" && r.dataset === dataset && r.backbone === backbone && r.method === method
    )
    .sort((a, b) => a.seed - b.seed);
}

const mean = (v: readonly number[]) => v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;

/** The parts of a record's error. */
export type ErrorPart = "overall" | "background" | "foreground" | "low" | "high";

/**
 * The occlusion level splitting a test set into low and high occlusion.
 *
 * @param levels M̄ of each test image.
 * @param split A level, or `"median"` (the median of `levels`).
 * @returns The threshold: images with M̄ below it are low occlusion.
 */
export function occlusionThreshold(levels: readonly number[], split: number | "median"): number {
  if (split !== "median") return split;
  const sorted = [...levels].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return NaN;
  // the upper median: with an even count, the lower half is strictly below it
  return sorted[Math.floor(n / 2)];
}

/**
 * One record's MAE over its test images, or over a part: the count on
 * background pixels (BG), the foreground count error (FG), or the absolute
 * error on the low- or high-occlusion images.
 *
 * @param r The record.
 * @param part Which error.
 * @param split The occlusion split (for `"low"` and `"high"`).
 * @returns The MAE (`NaN` when the part has no image).
 */
export function recordError(r: CountRecord, part: ErrorPart, split: number | "median"): number {
  const abs = r.predicted.map((p, i) => Math.abs(p - r.truth[i]));
  if (part === "overall") return mean(abs);
  if (part === "background") return mean(r.split.background);
  if (part === "foreground") return mean(r.split.foreground);
  const t = occlusionThreshold(r.levels, split);
  return mean(abs.filter((_, i) => (part === "low" ? r.levels[i] < t : r.levels[i] >= t)));
}

/**
 * A method's error on one data set and backbone over its seeds.
 *
 * @param records All records.
 * @param dataset Data set key.
 * @param backbone Backbone.
 * @param method Method.
 * @param part Which error (default overall MAE).
 * @param split The occlusion split (default the thesis's 1.5).
 * @returns Mean and spread over seeds (`n = 0`: not run).
 */
export function methodError(
  records: readonly Chapter5Record[],
  dataset: string,
  backbone: Backbone,
  method: Method,
  part: ErrorPart = "overall",
  split: number | "median" = 1.5,
): SeedStat {
  return seedStat(
    recordsOf(records, dataset, backbone, method).map((r) => recordError(r, part, split)),
  );
}

/**
 * Formats a statistic: `12.34` for one seed, `12.34 ± 0.56` for several.
 *
 * @param s The statistic.
 * @param digits Decimals (default 2).
 * @returns The text (`–` when not run).
 */
export function formatStat(s: SeedStat, digits = 2): string {
  if (s.n === 0 || !Number.isFinite(s.mean)) return "–";
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}` : s.mean.toFixed(digits);
}
