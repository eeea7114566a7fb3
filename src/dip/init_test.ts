import { assertAlmostEquals, assertLessOrEqual, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng.ts";
import { fanIn, heNormal, pytorchUniform } from "./init.ts";

await tf.setBackend("cpu");

Deno.test("heNormal has mean 0 and std sqrt(2 / fanIn)", () => {
  const w = heNormal(new Rng(3), [3, 3, 64, 128]);
  const v = w.dataSync();
  let mean = 0;
  for (const x of v) mean += x;
  mean /= v.length;
  let sq = 0;
  for (const x of v) sq += (x - mean) ** 2;
  const std = Math.sqrt(sq / v.length);
  // 73,728 samples: the sample std has a relative standard error of 1/sqrt(2n) = 0.26%.
  assertAlmostEquals(std, Math.sqrt(2 / 576), Math.sqrt(2 / 576) * 0.01);
  assertAlmostEquals(mean, 0, 4 * Math.sqrt(2 / 576) / Math.sqrt(v.length));
  w.dispose();
});

Deno.test("heNormal is repeatable from the seed", () => {
  const a = heNormal(new Rng(9), [3, 3, 2, 4]);
  const b = heNormal(new Rng(9), [3, 3, 2, 4]);
  assertAlmostEquals(tf.sub(a, b).abs().max().dataSync()[0], 0, 0);
  tf.dispose([a, b]);
});

Deno.test("pytorchUniform stays within ±1/sqrt(fan)", () => {
  const w = pytorchUniform(new Rng(1), [1000], 16);
  assertLessOrEqual(w.abs().max().dataSync()[0], 0.25);
  w.dispose();
  assertThrows(() => pytorchUniform(new Rng(1), [3], 0), RangeError, "fan");
});

Deno.test("fanIn multiplies all but the last axis and rejects vectors", () => {
  assertAlmostEquals(fanIn([3, 3, 32, 128]), 288, 0);
  assertThrows(() => fanIn([5]), RangeError, "at least 2 axes");
});
