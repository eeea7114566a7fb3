/**
 * The guided filtering tasks of chapter 3 and their training batches: depth
 * upsampling and denoising with RGB guidance, natural-image denoising with
 * the image as its own guide, and joint upsampling of colour guided by its
 * gray version.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, describe } from "../core/checks.ts";
import { Rng } from "../core/rng.ts";
import { resize } from "../io/resize.ts";
import { toGray } from "../io/color.ts";
import { renderRgbdArrays, type RgbdSceneOptions } from "./synthetic_rgbd.ts";

/** Noise level on the 0–255 scale: fixed, or drawn uniformly from [min, max] per sample (blind). */
export type NoiseLevel = number | [number, number];

/** A guided filtering task: a typed union on `kind`. */
export type GuidedTask =
  /** Depth ×scale: nearest down-sampling, then bicubic up-sampling (the input); gray guide. */
  | { kind: "depth-upsampling"; scale: number }
  /** Depth plus Gaussian noise of σ/255; gray guide. */
  | { kind: "depth-denoising"; sigma: NoiseLevel }
  /** Colour image plus Gaussian noise; the noisy image is its own guide. */
  | { kind: "image-denoising"; sigma: NoiseLevel }
  /** Colour ×scale as for depth, guided by the full-resolution gray image. */
  | { kind: "joint-upsampling"; scale: number };

/** The task kinds. */
export const TASK_KINDS = [
  "depth-upsampling",
  "depth-denoising",
  "image-denoising",
  "joint-upsampling",
] as const;

/** One example: guide, degraded target, ground truth, and where the truth is valid. */
export interface GuidedSample {
  /** Guide `[H, W, Cg]`. */
  guide: tf.Tensor3D;
  /** Degraded target at the output resolution `[H, W, Ct]`. */
  target: tf.Tensor3D;
  /** Ground truth `[H, W, Ct]`. */
  truth: tf.Tensor3D;
  /** 1 where the truth is valid, `[H, W, 1]` (absent: everywhere). */
  mask?: tf.Tensor3D;
}

/**
 * Checks a task value.
 *
 * @param task The value.
 * @returns The task.
 */
export function checkTask(task: unknown): GuidedTask {
  if (typeof task !== "object" || task === null) {
    throw new TypeError(`task must be an object with a "kind", got ${describe(task)}`);
  }
  const t = task as GuidedTask;
  assertOneOf(t.kind, TASK_KINDS, "task.kind");
  if (t.kind === "depth-upsampling" || t.kind === "joint-upsampling") {
    assertNumber(t.scale, "task.scale", { min: 1, integer: true });
  } else {
    const s = t.sigma;
    if (Array.isArray(s)) {
      assertNumber(s[0], "task.sigma[0]", { min: 0 });
      assertNumber(s[1], "task.sigma[1]", { min: s[0] });
    } else assertNumber(s, "task.sigma", { min: 0 });
  }
  return t;
}

/** Channels of the guide and target of a task: `[Cg, Ct]`. */
export function taskChannels(task: GuidedTask): [number, number] {
  switch (checkTask(task).kind) {
    case "depth-upsampling":
    case "depth-denoising":
      return [1, 1];
    case "image-denoising":
      return [3, 3];
    case "joint-upsampling":
      return [1, 3];
  }
}

/**
 * `image` down-sampled ×scale by nearest sampling and up-sampled back with
 * bicubic interpolation (thesis Sec. 3.5.3).
 *
 * @param image `[H, W, C]`.
 * @param scale Factor.
 * @returns `[H, W, C]`.
 */
export function downUp(image: tf.Tensor3D, scale: number): tf.Tensor3D {
  const [h, w] = image.shape;
  return tf.tidy(() => {
    const low = resize(image, [
      Math.max(1, Math.round(h / scale)),
      Math.max(1, Math.round(w / scale)),
    ], {
      method: "nearest",
    });
    return resize(low, [h, w], { method: "bicubic" });
  });
}

function noisy(image: tf.Tensor3D, sigma: NoiseLevel, rng: Rng): tf.Tensor3D {
  const s = Array.isArray(sigma) ? sigma[0] + (sigma[1] - sigma[0]) * rng.next() : sigma;
  return tf.tidy(() =>
    tf.clipByValue(tf.add(image, rng.normalTensor([...image.shape], s / 255)), 0, 1) as tf.Tensor3D
  );
}

/**
 * Makes a task's example from clean data: the colour image (and depth for
 * the depth tasks). Noise comes from `rng`.
 *
 * @param task The task.
 * @param clean `rgb` `[H, W, 3]`; `depth` `[H, W, 1]` for depth tasks; `mask` of valid depth.
 * @param rng Generator of the noise.
 * @returns New tensors the caller disposes.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { Rng } from "../core/rng.ts";
 * import { makeSample } from "./tasks.ts";
 * await tf.setBackend("cpu");
 * const rgb = tf.randomUniform([16, 16, 3]) as tf.Tensor3D;
 * const depth = tf.randomUniform([16, 16, 1]) as tf.Tensor3D;
 * const s = makeSample({ kind: "depth-upsampling", scale: 4 }, { rgb, depth }, new Rng(0));
 * assertEquals([s.guide.shape, s.target.shape], [[16, 16, 1], [16, 16, 1]]);
 * ```
 */
export function makeSample(
  task: GuidedTask,
  clean: { rgb: tf.Tensor3D; depth?: tf.Tensor3D; mask?: tf.Tensor3D },
  rng: Rng,
): GuidedSample {
  checkTask(task);
  const depthTask = task.kind === "depth-upsampling" || task.kind === "depth-denoising";
  if (depthTask && clean.depth === undefined) {
    throw new TypeError(`task "${task.kind}" needs clean.depth`);
  }
  const mask = clean.mask?.clone();
  switch (task.kind) {
    case "depth-upsampling":
      return {
        guide: toGray(clean.rgb),
        target: downUp(clean.depth!, task.scale),
        truth: clean.depth!.clone(),
        mask,
      };
    case "depth-denoising":
      return {
        guide: toGray(clean.rgb),
        target: noisy(clean.depth!, task.sigma, rng),
        truth: clean.depth!.clone(),
        mask,
      };
    case "image-denoising": {
      const target = noisy(clean.rgb, task.sigma, rng);
      return { guide: target.clone(), target, truth: clean.rgb.clone(), mask };
    }
    case "joint-upsampling":
      return {
        guide: toGray(clean.rgb),
        target: downUp(clean.rgb, task.scale),
        truth: clean.rgb.clone(),
        mask,
      };
  }
}

/** Options of {@linkcode trainingBatch}. */
export interface BatchOptions {
  /** Seed of the run. */
  seed: number;
  /** Step index: with the seed it fixes the batch, so a resumed run sees the same data. */
  step: number;
  /** Examples per batch (default 1, as the thesis). */
  batch?: number;
  /** Patch size `[H, W]` (default [64, 64]). */
  patch?: [number, number];
  /**
   * Colour images to crop from for the colour tasks (image denoising, joint
   * upsampling); default: synthetic scenes' colour images.
   */
  images?: tf.Tensor3D[];
  /** Options of the synthetic scenes. */
  scene?: RgbdSceneOptions;
}

/** A batch: NHWC tensors. */
export interface GuidedBatch {
  /** `[B, H, W, Cg]`. */
  guide: tf.Tensor4D;
  /** `[B, H, W, Ct]`. */
  target: tf.Tensor4D;
  /** `[B, H, W, Ct]`. */
  truth: tf.Tensor4D;
}

/**
 * A training batch drawn deterministically from `(seed, step)`: synthetic
 * RGB-D scenes (or random crops of `images` for the colour tasks), flipped
 * at random, degraded by the task. Independent of what came before, so a run
 * resumed at step k draws exactly the batches of an uninterrupted run.
 *
 * @param task The task.
 * @param options Seed, step, batch size, patch size, image source.
 * @returns New tensors the caller disposes.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { trainingBatch } from "./tasks.ts";
 * await tf.setBackend("cpu");
 * const b = trainingBatch({ kind: "depth-denoising", sigma: 25 }, { seed: 1, step: 7, batch: 2, patch: [24, 24] });
 * assertEquals(b.target.shape, [2, 24, 24, 1]);
 * tf.dispose([b.guide, b.target, b.truth]);
 * ```
 */
export function trainingBatch(task: GuidedTask, options: BatchOptions): GuidedBatch {
  checkTask(task);
  const seed = assertNumber(options.seed, "seed", { integer: true });
  const step = assertNumber(options.step, "step", { min: 0, integer: true });
  const n = assertNumber(options.batch ?? 1, "batch", { min: 1, integer: true });
  const [h, w] = options.patch ?? [64, 64];
  assertNumber(h, "patch[0]", { min: 4, integer: true });
  assertNumber(w, "patch[1]", { min: 4, integer: true });
  const rng = new Rng(mixSeed(seed, step));
  const useImages = (task.kind === "image-denoising" || task.kind === "joint-upsampling") &&
    options.images !== undefined && options.images.length > 0;
  return tf.tidy(() => {
    const samples: GuidedSample[] = [];
    for (let i = 0; i < n; i++) {
      let rgb: tf.Tensor3D, depth: tf.Tensor3D | undefined;
      if (useImages) {
        const image = options.images![rng.int(options.images!.length)];
        const [ih, iw] = image.shape;
        if (ih < h || iw < w) {
          throw new RangeError(`images must be at least ${h}×${w}, got ${ih}×${iw}`);
        }
        const y = rng.int(ih - h + 1), x = rng.int(iw - w + 1);
        rgb = tf.slice(image, [y, x, 0], [h, w, 3]);
      } else {
        const scene = renderRgbdArrays([h, w], rng, options.scene);
        rgb = tf.tensor3d(scene.rgb, [h, w, 3]);
        depth = tf.tensor3d(scene.depth, [h, w, 1]);
      }
      if (rng.next() < 0.5) {
        rgb = tf.reverse(rgb, 1);
        if (depth) depth = tf.reverse(depth, 1);
      }
      samples.push(makeSample(task, { rgb, depth }, rng));
    }
    return {
      guide: tf.stack(samples.map((s) => s.guide)) as tf.Tensor4D,
      target: tf.stack(samples.map((s) => s.target)) as tf.Tensor4D,
      truth: tf.stack(samples.map((s) => s.truth)) as tf.Tensor4D,
    };
  });
}

/**
 * A 31-bit seed from a run seed and a step (SplitMix-style mixing).
 *
 * @param seed Run seed.
 * @param step Step.
 * @returns The mixed seed.
 */
export function mixSeed(seed: number, step: number): number {
  let z = (Math.imul(seed, 0x9e3779b1) + Math.imul(step + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d);
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b);
  return (z ^ (z >>> 16)) & 0x7fffffff;
}
