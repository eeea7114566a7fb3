/**
 * Global-density levels of patches (thesis eqs. 4.4–4.5), the classes of
 * the focus from global density.
 *
 * Eq. 4.5 sets the step `L = floor(max_i (|P_i| / Z_i) · Z_patch / M) + 1`
 * over a dataset's N images (|P_i| points in Z_i pixels, Z_patch pixels per
 * patch, M levels); eq. 4.4 gives a patch with |P| points the level
 * `floor(|P| / L)`. The thesis is inconsistent on the number of classes
 * (eq. 4.6 sums over levels 0…M, the network has M outputs) and the author's
 * code hard-codes L without clamping. The rule here: **M classes, 0 … M − 1**,
 * and levels above M − 1 (a patch denser than the densest image's average)
 * are clamped to M − 1. By construction of L, a patch at the densest image's
 * average density falls in level ≤ M − 1, so the clamp only acts on locally
 * denser patches.
 *
 * @module
 */
import { assertNumber, describe } from "../core/checks.ts";

/** One image (or patch) of a dataset: its count and its pixel count. */
export interface CountedRegion {
  /** Number of points (or the density map's sum). */
  count: number;
  /** Pixels, `height × width`. */
  pixels: number;
}

/** Options of {@linkcode globalDensityStep}. */
export interface GlobalDensityStepOptions {
  /** M, the number of levels (integer ≥ 1; the thesis: 8 for dense sets, 4 otherwise). */
  levels: number;
  /**
   * Z_patch, pixels of a training patch (e.g. 128 × 128). Default: each
   * region's own pixels, i.e. the regions given are the patches themselves
   * and `L = floor(max count / M) + 1`.
   */
  patchPixels?: number;
}

/**
 * The global-density step L of eq. 4.5 over a dataset.
 *
 * @param regions The dataset's images (or patches), each `{count, pixels}`.
 * @param options M and the patch size in pixels.
 * @returns L, an integer ≥ 1.
 * @example
 * ```ts
 * import { globalDensityLevel, globalDensityStep } from "./global_density.ts";
 * // two 256 x 256 images with 180 and 90 points, 128 x 128 patches, 4 levels
 * const step = globalDensityStep(
 *   [{ count: 180, pixels: 65536 }, { count: 90, pixels: 65536 }],
 *   { levels: 4, patchPixels: 128 * 128 },
 * );
 * // max density per patch 45 -> L = floor(45 / 4) + 1 = 12
 * if (step !== 12 || globalDensityLevel(40, { step, levels: 4 }) !== 3) throw new Error();
 * ```
 */
export function globalDensityStep(
  regions: readonly CountedRegion[],
  options: GlobalDensityStepOptions,
): number {
  if (!Array.isArray(regions) || regions.length === 0) {
    throw new RangeError(`regions must be a non-empty array, got ${describe(regions)}`);
  }
  const m = assertNumber(options?.levels, "levels", { min: 1, integer: true });
  const patch = options.patchPixels === undefined
    ? undefined
    : assertNumber(options.patchPixels, "patchPixels", { min: 0, minExclusive: true });
  let max = 0;
  regions.forEach((r, i) => {
    const c = assertNumber(r?.count, `regions[${i}].count`, { min: 0 });
    const z = assertNumber(r.pixels, `regions[${i}].pixels`, { min: 0, minExclusive: true });
    max = Math.max(max, patch === undefined ? c : (c / z) * patch);
  });
  return Math.floor(max / m) + 1;
}

/** Options of {@linkcode globalDensityLevel}. */
export interface GlobalDensityLevelOptions {
  /** L, from {@linkcode globalDensityStep}. */
  step: number;
  /** M, the number of levels. */
  levels: number;
}

/**
 * The global-density level of a patch (eq. 4.4), clamped to M − 1.
 *
 * @param count Points in the patch (or its density sum, whose float
 *   rounding is forgiven: `count / L` within 1e-6 below an integer counts as it), ≥ 0.
 * @param options L and M.
 * @returns `min(floor(count / L), M − 1)`.
 */
export function globalDensityLevel(count: number, options: GlobalDensityLevelOptions): number {
  const c = assertNumber(count, "count", { min: 0 });
  const step = assertNumber(options?.step, "step", { min: 0, minExclusive: true });
  const m = assertNumber(options.levels, "levels", { min: 1, integer: true });
  return Math.min(Math.floor(c / step + 1e-6), m - 1);
}
