/**
 * Train/test protocols of the counting literature, seeded by the project's
 * {@linkcode Rng}: the VGG cells protocol (Lempitsky & Zisserman 2010; FCRN,
 * Count-ception): a random N of the first 100 images for training, the last
 * 100 for testing, repeated over seeds; and a seeded validation hold-out
 * (best-model selection must never look at the test split).
 *
 * @module
 */
import { assertNumber } from "../core/checks.ts";
import { Rng } from "../core/rng.ts";

/**
 * A shuffled copy (Fisher–Yates with `rng`).
 *
 * @param items The items (not changed).
 * @param rng The generator (advanced).
 * @returns The items in a random order.
 */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** One draw of the VGG protocol. */
export interface VggSplit {
  /** The seed of the draw. */
  seed: number;
  /** N names drawn from the first `pool`, in dataset order. */
  train: string[];
  /** The last `test` names. */
  test: string[];
}

/** Options of {@linkcode vggSplits}. */
export interface VggSplitOptions {
  /** N, the number of training images (32 in the usual comparison; 8 to 64 in the papers). */
  train: number;
  /** Seeds, one draw each (default `[0, 1, 2, 3, 4]`: the usual 5 draws). */
  seeds?: readonly number[];
  /** Images to draw the training set from, taken from the start (default 100). */
  pool?: number;
  /** Test images, taken from the end (default 100). */
  test?: number;
}

/**
 * The VGG cells protocol: for each seed, `train` names drawn at random
 * (without replacement) from the first `pool` names; the last `test` names
 * are the test set. Names keep the dataset's order (001cell … 200cell),
 * so the draws do not depend on how the folder was listed.
 *
 * @param names The dataset's names in order (at least `pool + test`).
 * @param options N, seeds, pool and test sizes.
 * @returns One split per seed.
 * @example
 * ```ts
 * import { vggSplits } from "./splits.ts";
 * const names = Array.from({ length: 200 }, (_, i) => `${String(i + 1).padStart(3, "0")}cell`);
 * const [first] = vggSplits(names, { train: 32, seeds: [0] });
 * console.log(first.train.length, first.test[0]); // 32 "101cell"
 * ```
 */
export function vggSplits(names: readonly string[], options: VggSplitOptions): VggSplit[] {
  const pool = assertNumber(options.pool ?? 100, "pool", { min: 1, integer: true });
  const test = assertNumber(options.test ?? 100, "test", { min: 1, integer: true });
  const n = assertNumber(options.train, "train", { min: 1, max: pool, integer: true });
  if (names.length < pool + test) {
    throw new RangeError(
      `names must hold at least pool + test = ${pool + test} names (the first ${pool} to draw ` +
        `from, the last ${test} to test on, without overlap), got ${names.length}`,
    );
  }
  const seeds = options.seeds ?? [0, 1, 2, 3, 4];
  const first = names.slice(0, pool);
  const testNames = names.slice(names.length - test);
  return seeds.map((seed) => {
    assertNumber(seed, "seed", { integer: true });
    const chosen = new Set(shuffled(first, new Rng(seed)).slice(0, n));
    return { seed, train: first.filter((x) => chosen.has(x)), test: testNames.slice() };
  });
}

/** Options of {@linkcode holdOut}. */
export interface HoldOutOptions {
  /** Validation size as a fraction of the names, in (0, 1) (default 0.1; ignored with `count`). */
  fraction?: number;
  /** Validation size as a number of names. */
  count?: number;
  /** Seed of the draw (default 0). */
  seed?: number;
}

/**
 * A seeded validation hold-out: `count` (or `round(fraction · n)`, at least
 * 1) names drawn at random for validation, the rest for training; both in
 * the given order.
 *
 * @param names The training names to split.
 * @param options Size and seed.
 * @returns `{train, val}`.
 * @example
 * ```ts
 * import { holdOut } from "./splits.ts";
 * const { train, val } = holdOut(["a", "b", "c", "d", "e"], { count: 1, seed: 3 });
 * console.log(train.length, val.length); // 4 1
 * ```
 */
export function holdOut(
  names: readonly string[],
  options: HoldOutOptions = {},
): { train: string[]; val: string[] } {
  if (names.length < 2) {
    throw new RangeError(`names must hold at least 2 names to hold one out, got ${names.length}`);
  }
  const count = options.count !== undefined
    ? assertNumber(options.count, "count", { min: 1, max: names.length - 1, integer: true })
    : Math.min(
      names.length - 1,
      Math.max(
        1,
        Math.round(
          assertNumber(options.fraction ?? 0.1, "fraction", {
            min: 0,
            max: 1,
            minExclusive: true,
            maxExclusive: true,
          }) * names.length,
        ),
      ),
    );
  const seed = assertNumber(options.seed ?? 0, "seed", { integer: true });
  const val = new Set(shuffled(names, new Rng(seed)).slice(0, count));
  return { train: names.filter((x) => !val.has(x)), val: names.filter((x) => val.has(x)) };
}
