// The draws come from the project's Rng; there is no external reference for them, so the
// tests check the protocol's properties (sizes, disjointness, order, repeatability).
import { assert, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import { Rng } from "../core/rng.ts";
import { holdOut, shuffled, vggSplits } from "./splits.ts";

const NAMES = Array.from({ length: 200 }, (_, i) => `${String(i + 1).padStart(3, "0")}cell`);

Deno.test("vggSplits: N of the first 100 for training, the last 100 for testing, per seed", () => {
  const splits = vggSplits(NAMES, { train: 32 });
  assertEquals(splits.map((s) => s.seed), [0, 1, 2, 3, 4]);
  for (const s of splits) {
    assertEquals(s.train.length, 32);
    assertEquals(new Set(s.train).size, 32);
    assert(s.train.every((n) => NAMES.indexOf(n) < 100), "drawn from the first 100");
    assertEquals(s.test, NAMES.slice(100));
    assertEquals(s.train, [...s.train].sort(), "kept in dataset order");
  }
  assertNotEquals(splits[0].train, splits[1].train);
  assertEquals(vggSplits(NAMES, { train: 32, seeds: [3] })[0], splits[3], "repeatable");
  assertEquals(vggSplits(NAMES, { train: 100, seeds: [9] })[0].train, NAMES.slice(0, 100));
});

Deno.test("vggSplits checks its sizes", () => {
  assertThrows(
    () => vggSplits(NAMES.slice(0, 150), { train: 8 }),
    RangeError,
    "at least pool + test = 200",
  );
  assertThrows(() => vggSplits(NAMES, { train: 101 }), RangeError, "train must be <= 100");
  assertThrows(() => vggSplits(NAMES, { train: 0 }), RangeError, "train must be >= 1");
});

Deno.test("holdOut: a seeded validation set, disjoint from training", () => {
  const names = NAMES.slice(0, 32);
  const a = holdOut(names, { fraction: 0.25, seed: 7 });
  assertEquals(a.val.length, 8);
  assertEquals(a.train.length, 24);
  assertEquals([...a.train, ...a.val].sort(), names);
  assertEquals(holdOut(names, { fraction: 0.25, seed: 7 }), a);
  assertNotEquals(holdOut(names, { fraction: 0.25, seed: 8 }).val, a.val);
  assertEquals(holdOut(names, { count: 1 }).val.length, 1);
  assertEquals(holdOut(["a", "b"], { fraction: 0.01 }).val.length, 1, "at least one");
  assertThrows(() => holdOut(["a"]), RangeError, "at least 2 names");
  assertThrows(() => holdOut(names, { count: 32 }), RangeError, "count must be <= 31");
});

Deno.test("shuffled is a permutation and leaves its input alone", () => {
  const input = [1, 2, 3, 4, 5, 6];
  const out = shuffled(input, new Rng(1));
  assertEquals(input, [1, 2, 3, 4, 5, 6]);
  assertEquals([...out].sort(), input);
});
