/**
 * Training a counting network on annotated images, end to end: the density
 * targets, the batches, the shared loop with validation on held-back images
 * (best-model selection by their MAE), checkpoints, and progress with the
 * running validation MAE. What the chapters' experiments and `deno task
 * count train` call; the pieces (`trainingBatches`, `trainCounter`,
 * `evaluateCounter`) stay usable on their own.
 *
 * @module
 */
import { assertNumber, describe } from "../core/checks.ts";
import type { Callback, ProgressSink } from "../core/optimize.ts";
import { createProgress } from "../core/progress.ts";
import { trainingBatches, type TrainingBatchOptions } from "./batches.ts";
import type { DensityOptions } from "./density.ts";
import { evaluateCounter, type EvaluateOptions } from "./evaluate.ts";
import { type CountingNetwork, namedWeights } from "./networks/network.ts";
import type { CountingSample } from "./sample.ts";
import {
  type CounterBatch,
  type CounterForward,
  type CounterOutput,
  type DensityLossKind,
  trainCounter,
  type TrainCounterResult,
} from "./train.ts";
import type * as tf from "@tensorflow/tfjs";

/** Options of {@linkcode fitCounter}. */
export interface FitCounterOptions {
  /** Adam steps. */
  steps: number;
  /** Images per batch (default 4). */
  batchSize?: number;
  /** Random training crop `[height, width]` (default 128 × 128, the thesis's). */
  crop?: readonly [number, number];
  /** Random horizontal flips (default true). */
  flip?: boolean;
  /** The density kernel (default: geometry-adaptive, β = 0.3, k = 3). */
  density?: DensityOptions;
  /** Learning rate (default 1e-4, the thesis's). */
  lr?: number;
  /** The density loss (default `"l2"`). */
  loss?: DensityLossKind | ((predicted: tf.Tensor4D, target: tf.Tensor4D) => tf.Scalar);
  /** Extra loss terms (auxiliary heads). */
  lossTerms?: (batch: CounterBatch, output: CounterOutput) => tf.Scalar;
  /** Scale of the network's output relative to the density (default 100). */
  densityScale?: number;
  /** Held-back images for model selection (never the test images); none: no validation. */
  validation?: readonly CountingSample[];
  /** Validate every so many steps (default: 10 times per run). */
  validateEvery?: number;
  /** Seed of the batches and the loop (default 0). */
  seed?: number;
  /**
   * The forward pass to train (default `net.forward`); e.g. focus heads on the
   * backbone, or a cascade. Validation uses it too.
   */
  forward?: CounterForward;
  /** Extra trainable variables (heads) beside the network's. */
  extraVariables?: Record<string, tf.Variable>;
  /** Focus-head targets and augmentation (see `trainingBatches`). */
  batches?: Pick<TrainingBatchOptions, "segmentation" | "levels" | "augment">;
  /** Wraps the batch function (oracle masking, distilled targets, ...). */
  wrapBatch?: (
    batch: ReturnType<typeof trainingBatches>,
  ) => ReturnType<typeof trainingBatches>;
  /** Tiles at validation (see `evaluateCounter`). */
  maxPixels?: number;
  /** Checkpoints (see `optimize`). */
  checkpoint?: { dir: string; every: number };
  /** Resume from the checkpoint if there is one. */
  resume?: boolean;
  /** Progress: a sink, `false` for none, or a label for the default display (default `"train"`). */
  progress?: ProgressSink | false | string;
  /** Further callbacks. */
  callbacks?: Callback[];
  /** Stops after the current step (a checkpoint is written first). */
  signal?: AbortSignal;
}

/**
 * Trains `net` on `train` (see the module doc). The network's weights are
 * trained in place and, with validation, end at the best validation MAE.
 *
 * @param net The network (from `mcnn`, `csrnet`, `fcrn`, ...).
 * @param train The training images with their points.
 * @param options Steps, crops, kernel, validation, checkpoints.
 * @returns The loop's result with the best validation score.
 */
export async function fitCounter(
  net: CountingNetwork,
  train: readonly CountingSample[],
  options: FitCounterOptions,
): Promise<TrainCounterResult> {
  if (!net || typeof net.forward !== "function") {
    throw new TypeError(`net must be a counting network, got ${describe(net)}`);
  }
  const steps = assertNumber(options.steps, "steps", { min: 1, integer: true });
  const crop = options.crop ?? [128, 128];
  for (const [i, side] of crop.entries()) {
    if (side % net.inputMultiple !== 0) {
      throw new RangeError(
        `crop[${i}] = ${side} must be a multiple of ${net.inputMultiple} for ${net.name}`,
      );
    }
  }
  const scale = options.densityScale ?? 100;
  const seed = options.seed ?? 0;
  let batch = trainingBatches(train, {
    batchSize: options.batchSize ?? 4,
    crop,
    flip: options.flip ?? true,
    density: options.density,
    outputStride: net.outputStride,
    seed,
    ...options.batches,
  });
  if (options.wrapBatch) batch = options.wrapBatch(batch);
  const forward = options.forward ?? ((x: tf.Tensor4D, t: boolean) => net.forward(x, t));
  const { variables, state } = namedWeights(net.model);
  const evalOptions: EvaluateOptions = {
    outputStride: net.outputStride,
    inputMultiple: net.inputMultiple,
    densityScale: scale,
    gameLevels: [],
    maxPixels: options.maxPixels,
  };
  const val = options.validation;
  const progress = typeof options.progress === "string" || options.progress === undefined
    ? createProgress({ total: steps, label: options.progress ?? "train" })
    : options.progress;
  return await trainCounter(forward, {
    steps,
    batch,
    variables: { ...variables, ...(options.extraVariables ?? {}) },
    state,
    outputStride: net.outputStride,
    densityScale: scale,
    loss: options.loss,
    lossTerms: options.lossTerms,
    lr: options.lr ?? 1e-4,
    seed,
    validation: val && val.length > 0
      ? {
        every: options.validateEvery ?? Math.max(1, Math.round(steps / 10)),
        run: async () => {
          const r = await evaluateCounter(forward, val, evalOptions);
          return { mae: r.metrics.mae, rmse: r.metrics.rmse };
        },
      }
      : undefined,
    checkpoint: options.checkpoint,
    resume: options.resume,
    progress,
    callbacks: options.callbacks,
    signal: options.signal,
  });
}
