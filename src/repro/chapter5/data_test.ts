import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { readCountingDataset } from "../../counting/dataset.ts";
import { densityMapData } from "../../counting/density.ts";
import { defaultDataDir } from "../data.ts";
import {
  loadChapter5Data,
  oracleMaskedSample,
  reduceSample,
  reductionFactor,
  splitNames,
} from "./data.ts";
import { chapter5Settings } from "./settings.ts";

Deno.test("reduceSample averages blocks and moves points, sizes and boxes with them", () => {
  const image = Float32Array.from({ length: 4 * 6 }, (_, i) => i);
  const s = {
    name: "t",
    image,
    shape: [4, 6, 1] as [number, number, number],
    points: {
      x: Float32Array.of(0, 5),
      y: Float32Array.of(0, 3),
      sizes: Float32Array.of(4, 2),
      boxes: Float32Array.of(0, 0, 2, 2, 4, 2, 6, 4),
    },
  };
  const r = reduceSample(s, 2);
  assertEquals(r.shape, [2, 3, 1]);
  assertEquals(Array.from(r.image), [3.5, 5.5, 7.5, 15.5, 17.5, 19.5]);
  assertEquals(Array.from(r.points.x), [-0.25, 2.25]);
  assertEquals(Array.from(r.points.sizes!), [2, 1]);
  assertEquals(Array.from(r.points.boxes!), [0, 0, 1, 1, 2, 1, 3, 2]);
  assertEquals(reduceSample(s, 1), s);
  assertEquals(reductionFactor(0.25), 4);
  assertThrows(() => reductionFactor(0.3), RangeError, "1/k");
});

Deno.test("oracleMaskedSample keeps exactly the pixels where the density is > 0", () => {
  const s = {
    name: "t",
    image: new Float32Array(20 * 20 * 3).fill(0.5),
    shape: [20, 20, 3] as [number, number, number],
    points: { x: Float32Array.of(5), y: Float32Array.of(5) },
  };
  const kernel = { kernel: "fixed" as const, sigma: 1 };
  const m = oracleMaskedSample(s, kernel);
  const d = densityMapData(s.points, [20, 20], kernel).data;
  for (let i = 0; i < 400; i++) assertEquals(m.image[i * 3 + 2], d[i] > 0 ? 0.5 : 0);
  assertEquals(s.image[0], 0.5); // input unchanged
});

Deno.test("the cell sets load as the quick profile says (splits, 12-bit BBBC039, masks)", async () => {
  const s = chapter5Settings("smoke");
  const ds = await readCountingDataset(`${defaultDataDir()}/counting/bbbc039`, { skipEmpty: true });
  const names = splitNames(ds, chapter5Settings("quick").datasets.bbbc039, 0);
  assertEquals([names.train.length, names.val.length, names.test.length], [99, 8, 48]);
  const d = await loadChapter5Data(defaultDataDir(), s.datasets.bbbc039, 0);
  assertEquals(d.train[0].shape, [130, 174, 1]); // 520 × 696 reduced ×4
  assert(d.train.every((t) => Math.max(...t.image) <= 1 && Math.max(...t.image) > 0.2)); // by 4095
  assertEquals(d.masks!.length, d.test.length);
  const fg = d.masks![0].reduce((a, v) => a + v, 0) / d.masks![0].length;
  assert(fg > 0.02 && fg < 0.6, `mask covers ${fg}`);
  assertEquals(d.levels.length, d.test.length);
  const vgg = await loadChapter5Data(defaultDataDir(), s.datasets.vgg, 0);
  assertEquals([vgg.train.length, vgg.val.length, vgg.test.length], [4, 2, 4]);
  assertEquals(vgg.test[0].name, "101cell");
  for (const l of vgg.levels) assertAlmostEquals(l, 1.1, 0.1);
});
