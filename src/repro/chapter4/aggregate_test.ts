import { assertEquals } from "@std/assert";
import {
  compareMeans,
  formatMeanStd,
  maeOnImages,
  meanStd,
  recordMetric,
  settingStat,
} from "./aggregate.ts";
import type { Chapter4Record } from "./experiments.ts";

const rec = (seed: number, predicted: number[]) =>
  ({
    dataset: "d",
    network: "fcrn",
    heads: "base",
    kernel: "boxes",
    seed,
    metrics: { mae: 0, rmse: 0, nmae: 0 },
    game: { 0: 1, 1: 2 },
    density: { psnr: 30, ssim: null },
    perImage: { names: ["a", "b"], predicted, truth: [10, 20] },
  }) as unknown as Chapter4Record;

Deno.test("meanStd, formatMeanStd and compareMeans (sample std; the noise rule)", () => {
  assertEquals(meanStd([]), null);
  assertEquals(meanStd([4]), { mean: 4, std: 0, n: 1 });
  assertEquals(formatMeanStd(meanStd([4])), "4.00");
  assertEquals(formatMeanStd(meanStd([1, 3])), "2.00 ± 1.41");
  assertEquals(formatMeanStd(null), null);
  const a = meanStd([1, 2, 3])!, b = meanStd([4, 5, 6])!;
  assertEquals(compareMeans(a, b), { lower: true, gain: 3, noise: 1, withinNoise: false });
  // One seed each: never "within noise" (there is no spread to compare with).
  assertEquals(compareMeans(meanStd([1])!, meanStd([1.1])!).withinNoise, false);
});

Deno.test("settingStat pools the seeds of one setting; thirds by image names", () => {
  const records = [rec(1, [12, 20]), rec(0, [10, 26])];
  assertEquals(maeOnImages(records[0]), 1);
  assertEquals(maeOnImages(records[0], new Set(["b"])), 0);
  assertEquals(recordMetric(records[0], "game1"), 2);
  assertEquals(Number.isNaN(recordMetric(records[0], "ssim")), true);
  const q = { dataset: "d", network: "fcrn", heads: "base", kernel: "boxes" } as const;
  assertEquals(settingStat(records, q, "mae", new Set(["a"])), { mean: 1, std: Math.SQRT2, n: 2 });
  assertEquals(settingStat(records, { ...q, kernel: "adaptive" }), null);
});
