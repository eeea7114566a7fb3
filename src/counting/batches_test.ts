import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { Rng } from "../core/rng.ts";
import { trainingBatches } from "./batches.ts";
import { readCountingDataset } from "./dataset.ts";
import { createOcclusion } from "./occlusion.ts";
import type { CountingSample } from "./sample.ts";

await useBackend("cpu");

const vgg = await readCountingDataset(
  new URL("../../data/counting/vgg_cells", import.meta.url).pathname,
);
const samples: CountingSample[] = [];
for (const name of vgg.names.slice(0, 3)) samples.push(await vgg.sample(name));

const sum = (t: tf.Tensor) => tf.sum(t).dataSync()[0];

Deno.test("trainingBatches: real VGG crops, densities that count the crop's cells", () => {
  const batch = trainingBatches(samples, {
    batchSize: 3,
    crop: [64, 64],
    density: { kernel: "fixed", sigma: 2 },
  });
  const rng = new Rng(1);
  for (let step = 1; step <= 3; step++) {
    const b = batch(step, rng);
    assertEquals(b.images.shape, [3, 64, 64, 3]);
    assertEquals(b.targets.shape, [3, 64, 64, 1]);
    // the density of a crop is close to the number of cells inside it (kernels cut at the edge)
    const perImage = tf.sum(b.targets, [1, 2, 3]).dataSync();
    perImage.forEach((v) => assert(v > 0 && v < 80, `${v}`));
    tf.dispose([b.images, b.targets]);
  }
});

Deno.test("trainingBatches: one epoch visits every image once; same rng, same batches", () => {
  const batch = trainingBatches(samples, {
    batchSize: 1,
    density: { kernel: "fixed", sigma: 2 },
    flip: false,
  });
  const totals = [1, 2, 3].map((s) => {
    const b = batch(s, new Rng(0));
    const v = Math.round(sum(b.targets));
    tf.dispose([b.images, b.targets]);
    return v;
  });
  assertEquals(totals.sort(), samples.map((s) => s.points.x.length).sort());
  const a = batch(5, new Rng(4)), b = batch(5, new Rng(4));
  assertEquals(Array.from(a.images.dataSync()), Array.from(b.images.dataSync()));
  tf.dispose([a.images, a.targets, b.images, b.targets]);
});

Deno.test("trainingBatches: segmentation at the output stride and global-density levels", () => {
  const batch = trainingBatches(samples, {
    batchSize: 2,
    crop: [64, 64],
    density: { kernel: "fixed", sigma: 2 },
    segmentation: true,
    outputStride: 4,
    levels: { step: 10, levels: 4 },
  });
  const b = batch(1, new Rng(2));
  assertEquals(b.segmentation!.shape, [2, 16, 16, 1]);
  const counts = tf.sum(b.targets, [1, 2, 3]).dataSync();
  const lv = b.levels!.dataSync();
  counts.forEach((c, i) => assertEquals(lv[i], Math.min(3, Math.floor(c / 10 + 1e-6))));
  const seg = b.segmentation!.dataSync();
  assert(seg.some((v) => v === 1) && seg.some((v) => v === 0));
  tf.dispose([b.images, b.targets, b.segmentation!, b.levels!]);
});

Deno.test("trainingBatches: an occlusion hook adds exactly one object per paste", () => {
  let pasted = 0;
  const batch = trainingBatches(samples, {
    batchSize: 1,
    crop: [96, 96],
    density: { kernel: "fixed", sigma: 3 },
    augment: ({ sample, sigmas }, rng) => {
      assertEquals(sigmas.length, sample.points.x.length);
      sigmas.forEach((s) => assertAlmostEquals(s, 3, 1e-6));
      const r = createOcclusion({ data: sample.image, shape: sample.shape }, sample.points, {
        sigmas,
        density: sample.target,
        seed: rng,
      });
      pasted = r.pasted.length;
      return { image: r.image.data, target: r.density };
    },
  });
  const plain = trainingBatches(samples, {
    batchSize: 1,
    crop: [96, 96],
    density: { kernel: "fixed", sigma: 3 },
  });
  const b = batch(1, new Rng(3)), p = plain(1, new Rng(3));
  assert(pasted > 0);
  assertAlmostEquals(sum(b.targets), sum(p.targets) + pasted, 1e-3);
  tf.dispose([b.images, b.targets, p.images, p.targets]);
});

Deno.test("trainingBatches rejects what cannot be batched", () => {
  assertThrows(() => trainingBatches([], { batchSize: 1 }), RangeError, "non-empty");
  assertThrows(
    () => trainingBatches(samples, { batchSize: 1, crop: [300, 300] }),
    RangeError,
    "smaller than the crop",
  );
  assertThrows(() => trainingBatches(samples, { batchSize: 0 }), RangeError, "batchSize");
});
