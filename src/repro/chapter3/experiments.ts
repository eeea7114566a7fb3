/**
 * The experiments of the chapter 3 reproduction, as functions of the
 * settings and the data: Table 6 (the classical filters against the
 * unsharp-mask formulation, each at its best (r, ε) of one shared grid) and
 * the learned filters trained on synthetic RGB-D data and tested on the real
 * Aloe pair (Tables 7 and 8, and the ours-vs-baselines comparison).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ExperimentContext } from "../run.ts";
import type { Callback } from "../../core/optimize.ts";
import type { Series } from "../../core/history.ts";
import { Rng } from "../../core/rng.ts";
import { createProgress } from "../../core/progress.ts";
import {
  ALOE_DISPARITY_SCALE,
  type AloePair,
  aloeSample,
  createDgf,
  createDjf,
  createSuccessiveNetwork,
  createSvlrm,
  filterImage,
  type FilterScores,
  guidedFilter,
  type GuidedNetwork,
  type GuidedSample,
  type GuidedTask,
  makeSample,
  scoreOutput,
  trainGuidedNetwork,
  trainingBatch,
  unsharpMaskGuidedFilter,
  weightedGuidedFilter,
} from "../../guided/mod.ts";
import type { Chapter3Settings, LearnedMethod } from "./settings.ts";

/** The classical filters of Table 6. */
export const CLASSICAL_METHODS = ["gf", "ours+gf", "wgf", "ours+wgf"] as const;

/** A classical filter's name. */
export type ClassicalMethod = typeof CLASSICAL_METHODS[number];

/** A score at the best (r, ε) of the grid. */
export interface GridScore {
  /** PSNR (dB, denoising) or RMSE (0–255 disparity, upsampling). */
  value: number;
  /** The best radius. */
  radius: number;
  /** The best ε. */
  eps: number;
}

/** One column of Table 6: the input's score and each filter's best. */
export interface Table6Entry {
  /** `"sigma"` (denoising, PSNR ↑) or `"scale"` (depth upsampling, RMSE ↓). */
  kind: "sigma" | "scale";
  /** σ or the factor. */
  level: number;
  /** The degraded input's (bicubic for upsampling) score. */
  input: number;
  /** Each filter at its best grid point. */
  best: Record<ClassicalMethod, GridScore>;
}

/**
 * Runs one classical filter.
 *
 * @param method Which filter: the guided filter, the weighted guided filter,
 *   or the unsharp-mask formulation (eq. 3.14) with either's amount.
 * @param sample Guide and target.
 * @param options Radius and ε.
 * @returns The output, clipped to [0, 1].
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { classicalFilter } from "./experiments.ts";
 * await tf.setBackend("cpu");
 * const g = tf.randomUniform([16, 16, 1]) as tf.Tensor3D;
 * console.log(classicalFilter("ours+gf", { guide: g, target: g }, { radius: 2, eps: 0.01 }).shape); // [16, 16, 1]
 * ```
 */
export function classicalFilter(
  method: ClassicalMethod,
  sample: { guide: tf.Tensor3D; target: tf.Tensor3D },
  options: { radius: number; eps: number },
): tf.Tensor3D {
  const { guide, target } = sample;
  const o = { radius: options.radius, eps: options.eps };
  return tf.tidy(() => {
    const out = method === "gf"
      ? guidedFilter(guide, target, o)
      : method === "wgf"
      ? weightedGuidedFilter(guide, target, o)
      : unsharpMaskGuidedFilter(guide, target, {
        ...o,
        amount: method === "ours+gf" ? "guided" : "weighted",
      });
    return tf.clipByValue(out, 0, 1) as tf.Tensor3D;
  });
}

/**
 * Each filter's best mean score over the samples on the (r, ε) grid.
 *
 * @param samples Test samples (all scored with the same grid point).
 * @param settings The grid.
 * @param score Score of an output (higher is better when `higherIsBetter`).
 * @param higherIsBetter PSNR: true; RMSE: false.
 * @returns The best grid point of each method.
 */
export function gridSearch(
  samples: readonly GuidedSample[],
  settings: Pick<Chapter3Settings, "grid">,
  score: (out: tf.Tensor3D, s: GuidedSample) => number,
  higherIsBetter: boolean,
): Record<ClassicalMethod, GridScore> {
  const best = {} as Record<ClassicalMethod, GridScore>;
  for (const method of CLASSICAL_METHODS) {
    for (const radius of settings.grid.radii) {
      for (const eps of settings.grid.eps) {
        let sum = 0;
        for (const s of samples) {
          const out = classicalFilter(method, s, { radius, eps });
          sum += score(out, s);
          out.dispose();
        }
        const value = sum / samples.length;
        const b = best[method];
        if (!b || (higherIsBetter ? value > b.value : value < b.value)) {
          best[method] = { value, radius, eps };
        }
      }
    }
  }
  return best;
}

const disposeSample = (s: GuidedSample) => tf.dispose([s.guide, s.target, s.truth, s.mask ?? []]);

/**
 * Table 6, denoising: each colour image plus Gaussian noise of σ is its own
 * guide; PSNR averaged over the images at each filter's best (r, ε).
 *
 * @param images Clean colour images `[H, W, 3]` in [0, 1].
 * @param settings σ list, grid, seed.
 * @returns One entry per σ.
 */
export function table6Denoising(
  images: readonly tf.Tensor3D[],
  settings: Pick<Chapter3Settings, "sigmas" | "grid" | "seed">,
): Table6Entry[] {
  return settings.sigmas.map((sigma) => {
    const rng = new Rng(settings.seed + sigma);
    const samples = images.map((rgb) =>
      makeSample({ kind: "image-denoising", sigma }, { rgb }, rng)
    );
    try {
      const psnrOf = (out: tf.Tensor3D, s: GuidedSample) => scoreOutput(out, s).psnr;
      const input = samples.reduce((a, s) => a + psnrOf(s.target, s), 0) / samples.length;
      return {
        kind: "sigma" as const,
        level: sigma,
        input,
        best: gridSearch(samples, settings, psnrOf, true),
      };
    } finally {
      samples.forEach(disposeSample);
    }
  });
}

/**
 * Table 6, depth upsampling on the Aloe pair: nearest down-sampling ×scale,
 * bicubic up-sampling, then each filter guided by the gray image; masked
 * RMSE on the 0–255 disparity scale at each filter's best (r, ε).
 *
 * @param pair The Aloe pair.
 * @param settings Scales, grid.
 * @returns One entry per scale.
 */
export function table6Upsampling(
  pair: AloePair,
  settings: Pick<Chapter3Settings, "scales" | "grid">,
): Table6Entry[] {
  return settings.scales.map((scale) => {
    const sample = aloeSample(pair, { kind: "depth-upsampling", scale });
    try {
      const rmseOf = (out: tf.Tensor3D, s: GuidedSample) =>
        scoreOutput(out, s, { valueScale: ALOE_DISPARITY_SCALE }).rmse;
      return {
        kind: "scale" as const,
        level: scale,
        input: rmseOf(sample.target, sample),
        best: gridSearch([sample], settings, rmseOf, false),
      };
    } finally {
      disposeSample(sample);
    }
  });
}

/**
 * Builds a learned filter with the profile's sizes (1-channel gray guide and
 * depth target).
 *
 * @param method Which network.
 * @param settings Sizes and seed.
 * @returns The network; dispose it.
 */
export function createLearned(
  method: LearnedMethod,
  settings: Pick<Chapter3Settings, "blocks" | "width" | "lowPassRadius" | "baselines" | "seed">,
): GuidedNetwork {
  const seed = settings.seed;
  switch (method) {
    case "ours":
      return createSuccessiveNetwork({
        blocks: settings.blocks,
        width: settings.width,
        lowPass: { kind: "box", radius: settings.lowPassRadius },
        seed,
      });
    case "djf":
      return createDjf({ ...settings.baselines.djf, seed });
    case "svlrm":
      return createSvlrm({ ...settings.baselines.svlrm, seed });
    case "dgf":
      return createDgf({ ...settings.baselines.dgf, seed });
  }
}

/** What a learned filter's experiment stores. */
export interface LearnedRecord {
  /** The network. */
  method: LearnedMethod;
  /** The task it was trained for and tested on. */
  task: GuidedTask;
  /** Steps trained. */
  steps: number;
  /** Parameters needed for each output (1 for the baselines, L for ours). */
  params: number[];
  /** Scores on the Aloe pair of each output (RMSE on the 0–255 disparity scale). */
  scores: FilterScores[];
  /** Median milliseconds to filter the Aloe pair, per output. */
  ms: number[];
  /** The degraded input's scores. */
  input: FilterScores;
  /**
   * Training loss, the L1 of eq. 3.18 as optimised (for ours the sum over its
   * L outputs), as means over consecutive windows of steps (x: the window's
   * last step), so that one batch's noise does not hide the trend.
   */
  loss: { x: number[]; y: number[] };
  /**
   * L1 of the final output on a fixed held-out batch of synthetic patches
   * (the same for every method), every `settings.validation.every` steps:
   * comparable between methods, unlike `loss`.
   */
  validation?: { x: number[]; y: number[] };
  /** Training seconds (this invocation). */
  seconds: number;
  /** Saved images (relative to the output folder). */
  images: Record<string, string>;
}

/**
 * Means of a per-step series over `points` consecutive windows of equal
 * length (the last window takes the remainder).
 *
 * @param series The series (one value per step).
 * @param points Number of windows.
 * @returns One point per window: its last step and its mean.
 * @example
 * ```ts
 * import { windowMeans } from "./experiments.ts";
 * console.log(windowMeans({ x: [1, 2, 3, 4], y: [4, 2, 3, 1] }, 2)); // { x: [2, 4], y: [3, 2] }
 * ```
 */
export function windowMeans(series: Series, points: number): { x: number[]; y: number[] } {
  const n = series.x.length;
  const size = Math.max(1, Math.floor(n / Math.max(1, points)));
  const x: number[] = [], y: number[] = [];
  for (let start = 0; start < n; start += size) {
    const end = n - start < 2 * size ? n : start + size;
    let sum = 0;
    for (let i = start; i < end; i++) sum += series.y[i];
    x.push(series.x[end - 1]);
    y.push(sum / (end - start));
    if (end === n) break;
  }
  return { x, y };
}

/**
 * A loop callback recording `validation`: the mean L1 of the network's final
 * output on a fixed held-out batch (the batch of a step index no budget
 * reaches, so no training step sees it), every `every` steps.
 *
 * @param net The network being trained.
 * @param task The task.
 * @param options Seed, held-out batch size and patch, interval.
 * @returns The callback; call `dispose()` after training.
 */
export function validationCallback(
  net: GuidedNetwork,
  task: GuidedTask,
  options: { seed: number; batch: number; patch: number; every: number },
): Callback & { dispose(): void } {
  const held = trainingBatch(task, {
    seed: options.seed,
    step: VALIDATION_STEP,
    batch: options.batch,
    patch: [options.patch, options.patch],
  });
  return {
    every: options.every,
    onStep: async (ctx) => {
      const l1 = tf.tidy(() => {
        const outs = net.forward(held.guide, held.target);
        return tf.mean(tf.abs(tf.sub(outs[outs.length - 1], held.truth)));
      });
      const v = (await l1.data())[0];
      l1.dispose();
      ctx.history.add(ctx.step, { validation: v });
    },
    dispose: () => tf.dispose([held.guide, held.target, held.truth]),
  };
}

/** The step index of the held-out batch (beyond every budget). */
export const VALIDATION_STEP = 2 ** 30;

/** Options of {@linkcode runLearned}. */
export interface RunLearnedOptions {
  /** Show a progress bar (default `true`). */
  progress?: boolean;
}

/**
 * Trains one learned filter on synthetic RGB-D patches and tests every one of
 * its outputs on the Aloe pair: scores, run-time and parameters.
 *
 * @param ctx The experiment's context (checkpoint, resume, signal, images).
 * @param method The network.
 * @param task A depth task.
 * @param settings Sizes, steps, learning rate, batch, patch, seed.
 * @param pair The Aloe pair.
 * @param options Progress.
 * @returns The record.
 * @throws {Interrupted} When Ctrl-C stopped training (a checkpoint is on disk).
 */
export async function runLearned(
  ctx: ExperimentContext,
  method: LearnedMethod,
  task: GuidedTask,
  settings: Chapter3Settings,
  pair: AloePair,
  options: RunLearnedOptions = {},
): Promise<LearnedRecord> {
  const net = createLearned(method, settings);
  const sample = aloeSample(pair, task, settings.seed);
  const validation = validationCallback(net, task, { seed: settings.seed, ...settings.validation });
  try {
    const result = await trainGuidedNetwork(net, {
      callbacks: [validation],
      task,
      steps: settings.steps,
      lr: settings.lr,
      seed: settings.seed,
      batch: settings.batch,
      patch: [settings.patch, settings.patch],
      checkpoint: ctx.checkpoint,
      resume: ctx.resume,
      signal: ctx.signal,
      progress: options.progress === false
        ? false
        : createProgress({ total: settings.steps, label: ctx.id }),
    });
    ctx.ensureFinished(result);
    const score = (out: tf.Tensor3D) =>
      scoreOutput(out, sample, { valueScale: ALOE_DISPARITY_SCALE });
    const scores: FilterScores[] = [], ms: number[] = [], params: number[] = [];
    const images: Record<string, string> = {};
    const peak = tf.tidy(() => tf.max(sample.truth).dataSync()[0]) || 1;
    const save = async (name: string, image: tf.Tensor3D) => {
      const shown = tf.tidy(() => tf.clipByValue(tf.div(image, peak), 0, 1) as tf.Tensor3D);
      try {
        images[name] = (await ctx.saveImage(name, shown)).replace(/^.*\/runs\//, "runs/");
      } finally {
        shown.dispose();
      }
    };
    const filterOnce = (output: number) =>
      tf.tidy(() =>
        tf.clipByValue(
          filterImage(net, sample.guide, sample.target, { output, tile: 512 }),
          0,
          1,
        ) as tf.Tensor3D
      );
    for (let l = 1; l <= net.outputs; l++) {
      const out = filterOnce(l);
      await out.data(); // warm-up run, also the scored one
      scores.push(score(out));
      if (l === net.outputs) await save("output", out);
      out.dispose();
      const times: number[] = [];
      for (let k = 0; k < settings.timingRepeats; k++) {
        const t0 = performance.now();
        const o = filterOnce(l);
        await o.data();
        times.push(performance.now() - t0);
        o.dispose();
      }
      times.sort((a, b) => a - b);
      ms.push(times[Math.floor(times.length / 2)]);
      params.push(net.parameterCount(l));
    }
    await save("input", sample.target);
    await save("truth", sample.truth);
    return {
      method,
      task,
      steps: result.steps,
      params,
      scores,
      ms,
      input: score(sample.target),
      loss: windowMeans(result.history.series("loss"), settings.historyPoints),
      validation: {
        x: result.history.series("validation").x,
        y: result.history.series("validation").y,
      },
      seconds: result.seconds,
      images,
    };
  } finally {
    validation.dispose();
    disposeSample(sample);
    net.dispose();
  }
}
