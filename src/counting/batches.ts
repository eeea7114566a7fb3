/**
 * Training batches for `trainCounter` from samples held in memory: every
 * image's density map (and, for the focus heads, its segmentation map) is
 * made once from its points and the kernel, then each step crops, flips and
 * stacks a batch synchronously from the loop's seeded generator, so that a
 * resumed run sees the batches an uninterrupted one sees.
 *
 * Order: epochs over the samples, each a permutation drawn from
 * `(seed, epoch)`, so every image is seen once per epoch whatever the batch
 * size; crops and flips are drawn from the loop's generator.
 *
 * An `augment` hook (occlusion creation, Cutout, CutMix) runs on each crop
 * after cropping and flipping and may return a new image and density.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, describe } from "../core/checks.ts";
import { Rng } from "../core/rng.ts";
import { cropSample, flipSample, randomCropBox } from "./augment.ts";
import { densityMapData, type DensityOptions } from "./density.ts";
import { globalDensityLevel } from "./global_density.ts";
import type { Points } from "./points.ts";
import type { CountingSample } from "./sample.ts";
import { segmentationMapData } from "./segmentation.ts";
import { shuffled } from "./splits.ts";
import type { CounterBatch } from "./train.ts";

/** What an augmentation hook gets and returns: one crop with its density and σ. */
export interface AugmentInput {
  /** The crop. */
  sample: CountingSample & { target: Float32Array };
  /** σ of each of the crop's points (the kernel's, from the whole image). */
  sigmas: Float32Array;
  /** Another crop of the same size (for CutMix), drawn from the training set. */
  other: () => CountingSample & { target: Float32Array };
}

/** Options of {@linkcode trainingBatches}. */
export interface TrainingBatchOptions {
  /** Samples per batch. */
  batchSize: number;
  /** Random crop `[height, width]` (needed when the images differ in size). */
  crop?: readonly [number, number];
  /** Random horizontal flips (default true). */
  flip?: boolean;
  /** The density kernel (see `densityMapData`; default the geometry-adaptive kernel). */
  density?: DensityOptions;
  /**
   * Make the segmentation maps of eq. 4.2 (same kernel as the density) at the
   * network's output resolution (default false).
   */
  segmentation?: boolean;
  /** Output stride of the network: the segmentation maps are max-pooled by it (default 1). */
  outputStride?: number;
  /** Global-density levels of eqs. 4.4-4.5: the step L and M (per crop, from its density sum). */
  levels?: { step: number; levels: number };
  /** An augmentation applied to each crop (see {@linkcode AugmentInput}). */
  augment?: (input: AugmentInput, rng: Rng) => { image: Float32Array; target: Float32Array };
  /** Seed of the epoch permutations (default 0). */
  seed?: number;
}

/** A sample with its full-image planes, prepared once; its points' `sizes` hold their σ. */
interface Prepared {
  sample: CountingSample & { target: Float32Array };
  seg?: Float32Array;
}

/**
 * Makes the batch function of `trainCounter` for samples held in memory.
 *
 * @param samples The training samples (images and points).
 * @param options Batch size, crop, kernel, focus targets, augmentation.
 * @returns `(step, rng) => batch`, to pass as `trainCounter`'s `batch`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { Rng } from "../core/rng.ts";
 * import { trainingBatches } from "./batches.ts";
 * await tf.setBackend("cpu");
 * const sample = {
 *   name: "a", image: new Float32Array(16 * 16), shape: [16, 16, 1] as [number, number, number],
 *   points: { x: Float32Array.of(4, 9), y: Float32Array.of(5, 10) },
 * };
 * const batch = trainingBatches([sample], { batchSize: 2, crop: [8, 8], density: { kernel: "fixed", sigma: 1 } });
 * const b = batch(1, new Rng(0));
 * console.log(b.images.shape, b.targets.shape); // [2, 8, 8, 1] [2, 8, 8, 1]
 * tf.dispose([b.images, b.targets]);
 * ```
 */
export function trainingBatches(
  samples: readonly CountingSample[],
  options: TrainingBatchOptions,
): (step: number, rng: Rng) => CounterBatch {
  if (!Array.isArray(samples) || samples.length === 0) {
    throw new RangeError(`samples must be a non-empty array, got ${describe(samples)}`);
  }
  const b = assertNumber(options.batchSize, "batchSize", { min: 1, integer: true });
  const stride = assertNumber(options.outputStride ?? 1, "outputStride", { min: 1, integer: true });
  const seed = assertNumber(options.seed ?? 0, "seed", { integer: true });
  const flip = options.flip ?? true;
  const crop = options.crop;
  const c = samples[0].shape[2];
  samples.forEach((s, i) => {
    if (s.shape[2] !== c) {
      throw new RangeError(
        `samples[${i}] ("${s.name}") has ${s.shape[2]} channels, samples[0] has ${c}`,
      );
    }
    if (crop && (s.shape[0] < crop[0] || s.shape[1] < crop[1])) {
      throw new RangeError(
        `samples[${i}] ("${s.name}") is ${s.shape[0]}x${s.shape[1]}, smaller than the crop ${
          crop[0]
        }x${crop[1]}`,
      );
    }
    if (!crop && (s.shape[0] !== samples[0].shape[0] || s.shape[1] !== samples[0].shape[1])) {
      throw new RangeError(
        `samples differ in size (${s.name}: ${s.shape[0]}x${s.shape[1]}); give a crop`,
      );
    }
  });
  const prepared: Prepared[] = samples.map((s) => {
    const shape: [number, number] = [s.shape[0], s.shape[1]];
    const d = densityMapData(s.points, shape, options.density);
    const sigmas = new Float32Array(s.points.x.length);
    d.indices.forEach((j, k) => (sigmas[j] = d.sigmas[k]));
    const seg = options.segmentation
      ? segmentationMapData(s.points, shape, options.density).data
      : undefined;
    // σ rides along as the points' `sizes` through crops and flips (which keep them in order)
    const points: Points = { x: s.points.x, y: s.points.y, sizes: sigmas };
    return { sample: { ...s, points, target: d.data }, seg };
  });
  const n = prepared.length;
  let permutation: number[] = [];
  let permutationEpoch = -1;
  const order = (k: number) => {
    const epoch = Math.floor(k / n);
    if (epoch !== permutationEpoch) {
      permutation = shuffled([...Array(n).keys()], new Rng(seed * 7919 + epoch));
      permutationEpoch = epoch;
    }
    return permutation[k % n];
  };

  /** One crop (and flip) of a prepared sample, its segmentation and σ carried along. */
  const draw = (p: Prepared, rng: Rng) => {
    let s: CountingSample = p.sample;
    let seg: CountingSample | undefined = p.seg ? { ...p.sample, target: p.seg } : undefined;
    if (crop) {
      const box = randomCropBox([s.shape[0], s.shape[1]], crop, rng);
      s = cropSample(s, box);
      if (seg) seg = cropSample(seg, box);
    }
    if (flip && rng.next() < 0.5) {
      s = flipSample(s);
      if (seg) seg = flipSample(seg);
    }
    return { s: s as CountingSample & { target: Float32Array }, seg: seg?.target };
  };

  return (step: number, rng: Rng): CounterBatch => {
    assertNumber(step, "step", { min: 1, integer: true });
    const crops = [];
    for (let i = 0; i < b; i++) {
      const p = prepared[order((step - 1) * b + i)];
      const d = draw(p, rng);
      if (options.augment) {
        const sigmas = d.s.points.sizes ?? new Float32Array(d.s.points.x.length);
        const out = options.augment({
          sample: d.s,
          sigmas,
          other: () => draw(prepared[rng.int(n)], rng).s,
        }, rng);
        d.s = { ...d.s, image: out.image, target: out.target };
      }
      crops.push(d);
    }
    const [h, w] = [crops[0].s.shape[0], crops[0].s.shape[1]];
    const images = new Float32Array(b * h * w * c), targets = new Float32Array(b * h * w);
    crops.forEach((d, i) => {
      images.set(d.s.image, i * h * w * c);
      targets.set(d.s.target, i * h * w);
    });
    const batch: CounterBatch = {
      images: tf.tensor4d(images, [b, h, w, c]),
      targets: tf.tensor4d(targets, [b, h, w, 1]),
    };
    if (options.segmentation) {
      const seg = new Float32Array(b * h * w);
      crops.forEach((d, i) => seg.set(d.seg!, i * h * w));
      batch.segmentation = tf.tidy(() => {
        const t = tf.tensor4d(seg, [b, h, w, 1]);
        return stride === 1 ? t : tf.maxPool(t, stride, stride, "same") as tf.Tensor4D;
      });
    }
    if (options.levels) {
      const lv = crops.map((d) =>
        globalDensityLevel(Math.max(0, d.s.target.reduce((a, v) => a + v, 0)), options.levels!)
      );
      batch.levels = tf.tensor1d(lv, "int32");
    }
    return batch;
  };
}
