/**
 * Training a density-map counter on a dataset with the toolkit's one loop
 * (`optimize` in `src/core`): mini-batches drawn from the step and the loop's
 * seeded generator, Adam, validation every k steps with best-model selection,
 * checkpoints and resume, and progress that shows the running validation MAE.
 *
 * Units: the network is trained to output `densityScale × density` (default
 * 100, as FCRN and most cell counters do, so that the last layer does not
 * have to learn outputs of order 1e-3); {@linkcode predictedCount} and the
 * counter wrapper divide by it again. Targets are given at the input's
 * resolution and sum-pooled by the network's output stride, so the count is
 * the same at every resolution.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, describe } from "../core/checks.ts";
import {
  type Callback,
  type CallbackState,
  optimize,
  type OptimizeResult,
  type ProgressSink,
} from "../core/optimize.ts";
import type { Rng } from "../core/rng.ts";
import { downsampleDensity } from "./downsample.ts";

/** One training batch: images `[B, H, W, C]` and densities `[B, H, W, 1]` at the input's size. */
export interface CounterBatch {
  /** Images, NHWC, float32. */
  images: tf.Tensor4D;
  /** Density maps at the images' resolution (each sums to its count). */
  targets: tf.Tensor4D;
  /** Binary segmentation maps `[B, H', W', 1]` at the output's resolution (focus heads). */
  segmentation?: tf.Tensor4D;
  /** Global-density level of each image `[B]` (focus heads). */
  levels?: tf.Tensor1D;
}

/** What a forward pass with auxiliary heads returns. */
export interface CounterOutput {
  /** The (scaled) density map `[B, h, w, 1]`. */
  density: tf.Tensor4D;
  /** Auxiliary outputs by name (segmentation probabilities, class probabilities, ...). */
  [name: string]: tf.Tensor | undefined;
}

/** Built-in density losses. */
export type DensityLossKind = "l2" | "l1";

/** The density losses {@linkcode trainCounter} knows. */
export const DENSITY_LOSSES: readonly DensityLossKind[] = ["l2", "l1"];

/** What the validation function returns (lower `mae` is better). */
export interface ValidationScore {
  /** Mean absolute count error on the validation images: selects the best model. */
  mae: number;
  /** Further numbers to record in the history (e.g. `rmse`). */
  [name: string]: number;
}

/** Validation during training. */
export interface ValidationOptions {
  /** Validate every `every` steps (and at the last step). */
  every: number;
  /** Scores the current weights on a validation split (never the test split). */
  run: () => ValidationScore | Promise<ValidationScore>;
  /** Put the best weights back into the model at the end (default `true`). */
  restoreBest?: boolean;
}

/** Options of {@linkcode trainCounter}. */
export interface TrainCounterOptions {
  /** Number of optimiser steps. */
  steps: number;
  /**
   * The batch of a step; called inside the loss's `tf.tidy`, with the loop's
   * seeded generator, so that the batches of a resumed run are those of an
   * uninterrupted one. The tensors it returns are freed after the step.
   */
  batch: (step: number, rng: Rng) => CounterBatch;
  /** Trainable variables under stable names (checkpoint keys). */
  variables: Record<string, tf.Variable>;
  /** Non-trainable variables saved in checkpoints (batch-norm moving statistics). */
  state?: Record<string, tf.Variable>;
  /** Output stride of the network (default 1): targets are sum-pooled by it. */
  outputStride?: number;
  /** Scale of the network's output relative to the density (default 100). */
  densityScale?: number;
  /**
   * The loss: `"l2"` (default; mean squared error per pixel), `"l1"` (mean
   * absolute error), or a function of the (scaled) prediction and target.
   */
  loss?: DensityLossKind | ((predicted: tf.Tensor4D, target: tf.Tensor4D) => tf.Scalar);
  /** Extra terms added to the loss (e.g. auxiliary heads); get the batch and the forward pass. */
  lossTerms?: (batch: CounterBatch, output: CounterOutput) => tf.Scalar;
  /** Learning rate of Adam (default 1e-4, the thesis's). */
  lr?: number;
  /** Seed of the loop's generator (default 0). */
  seed?: number;
  /** Validation and best-model selection. */
  validation?: ValidationOptions;
  /** Checkpoints (see `optimize`). */
  checkpoint?: { dir: string; every: number };
  /** Resume from the checkpoint if there is one. */
  resume?: boolean;
  /** Progress display; it is shown the running validation MAE as `val_mae`. */
  progress?: ProgressSink | false;
  /** Further callbacks of the loop. */
  callbacks?: Callback[];
  /** Stops the run after the current step (a checkpoint is written first). */
  signal?: AbortSignal;
}

/** What {@linkcode trainCounter} returns. */
export interface TrainCounterResult extends OptimizeResult {
  /** The best validation MAE and the step it was measured at (when validated). */
  best?: { step: number; mae: number };
}

/**
 * A forward pass: images `[B, H, W, C]` to the network's (scaled) density
 * output, or to a {@linkcode CounterOutput} with auxiliary heads.
 */
export type CounterForward = (
  images: tf.Tensor4D,
  training: boolean,
) => tf.Tensor4D | CounterOutput;

/**
 * The density of a forward pass's result.
 *
 * @param output A density tensor or a {@linkcode CounterOutput}.
 * @returns The density tensor.
 */
export function densityOf(output: tf.Tensor4D | CounterOutput): tf.Tensor4D {
  return output instanceof tf.Tensor ? output : output.density;
}

/**
 * The loss of one batch: the network's output against `densityScale ×` the
 * target sum-pooled to the output's resolution.
 *
 * @param forward The network's forward pass (training mode).
 * @param batch Images and densities.
 * @param options Loss kind, stride, scale, extra terms.
 * @returns The scalar loss.
 */
export function counterLoss(
  forward: CounterForward,
  batch: CounterBatch,
  options: Pick<TrainCounterOptions, "outputStride" | "densityScale" | "loss" | "lossTerms"> = {},
): tf.Scalar {
  const stride = options.outputStride ?? 1;
  const scale = options.densityScale ?? 100;
  const kind = options.loss ?? "l2";
  return tf.tidy(() => {
    const output = forward(batch.images, true);
    const predicted = densityOf(output);
    const target = tf.mul(downsampleDensity(batch.targets, stride), scale) as tf.Tensor4D;
    if (!tf.util.arraysEqual(predicted.shape.slice(1, 3), target.shape.slice(1, 3))) {
      throw new RangeError(
        `the network's output is ${predicted.shape[1]}x${predicted.shape[2]} but the target ` +
          `sum-pooled by outputStride ${stride} is ${target.shape[1]}x${target.shape[2]}: ` +
          `use crops whose sides are multiples of ${stride}, or set outputStride`,
      );
    }
    let loss: tf.Scalar;
    if (typeof kind === "function") loss = kind(predicted, target);
    else if (kind === "l1") loss = tf.mean(tf.abs(tf.sub(predicted, target)));
    else loss = tf.mean(tf.squaredDifference(predicted, target));
    if (options.lossTerms) {
      const full = output instanceof tf.Tensor ? { density: output } : output;
      loss = tf.add(loss, options.lossTerms(batch, full));
    }
    return loss;
  });
}

/**
 * The count of a (scaled) density output: its sum divided by `densityScale`.
 *
 * @param output The network's output `[B, h, w, 1]`.
 * @param densityScale The training scale (default 100).
 * @returns One count per batch item.
 */
export function predictedCount(output: tf.Tensor4D, densityScale = 100): Float32Array {
  const sums = tf.tidy(() => tf.div(tf.sum(output, [1, 2, 3]), densityScale));
  const values = sums.dataSync() as Float32Array;
  sums.dispose();
  return Float32Array.from(values);
}

/**
 * Trains a counter: `steps` Adam steps of the density loss on batches from
 * `options.batch`, validating every `validation.every` steps and keeping the
 * weights of the best validation MAE (restored at the end by default). A
 * run stopped at a checkpoint and resumed ends exactly where an
 * uninterrupted one ends (the batches depend on the checkpointed generator,
 * and the best weights are checkpointed too).
 *
 * @param forward The network's forward pass, `(images, training) => output`.
 * @param options Batches, variables, loss, validation, checkpoints.
 * @returns The loop's result, with the best validation score.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { trainCounter } from "./train.ts";
 * await tf.setBackend("cpu");
 * const w = tf.variable(tf.fill([1, 1, 1, 1], 0.5), true, "w");
 * const forward = (x: tf.Tensor4D) => tf.conv2d(x, w as tf.Tensor4D, 1, "same");
 * const images = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
 * const targets = tf.fill([1, 4, 4, 1], 0.01) as tf.Tensor4D; // 0.16 objects
 * const r = await trainCounter(forward, {
 *   steps: 100, lr: 0.05, variables: { w },
 *   batch: () => ({ images: tf.clone(images), targets: tf.clone(targets) }),
 * });
 * console.log(r.steps, w.dataSync()[0].toFixed(2)); // 100 "1.00" (= 100 × 0.01)
 * tf.dispose([w, images, targets]);
 * ```
 */
export async function trainCounter(
  forward: CounterForward,
  options: TrainCounterOptions,
): Promise<TrainCounterResult> {
  if (typeof forward !== "function") {
    throw new TypeError(`forward must be a function, got ${describe(forward)}`);
  }
  if (typeof options.batch !== "function") {
    throw new TypeError(`batch must be a function, got ${describe(options.batch)}`);
  }
  assertNumber(options.outputStride ?? 1, "outputStride", { min: 1, integer: true });
  assertNumber(options.densityScale ?? 100, "densityScale", { min: 0, minExclusive: true });
  if (typeof options.loss === "string") assertOneOf(options.loss, DENSITY_LOSSES, "loss");
  const validation = options.validation;
  if (validation) {
    assertNumber(validation.every, "validation.every", { min: 1, integer: true });
    if (typeof validation.run !== "function") {
      throw new TypeError(`validation.run must be a function, got ${describe(validation.run)}`);
    }
  }
  const keep = { ...options.variables, ...(options.state ?? {}) };
  const best = bestKeeper(keep);
  let lastVal: number | undefined;
  const callbacks: Callback[] = [...(options.callbacks ?? [])];
  if (validation) {
    callbacks.push({
      every: validation.every,
      async onStep(ctx) {
        const score = await validation.run();
        const mae = assertNumber(score.mae, "validation score mae");
        lastVal = mae;
        const record: Record<string, number> = {};
        for (const [k, v] of Object.entries(score)) record[`val_${k}`] = v;
        ctx.history.add(ctx.step, record);
        best.offer(ctx.step, mae);
      },
      getState: () => best.getState(),
      setState: (s) => {
        best.setState(s);
        lastVal = best.score?.mae;
      },
    });
  }
  const progress = options.progress
    ? withValidation(options.progress, () => lastVal)
    : (options.progress ?? false);
  try {
    const result = await optimize({
      steps: options.steps,
      variables: options.variables,
      state: options.state,
      // The batch's tensors are made inside the step's tidy and freed with it (after the
      // gradients, which still need them).
      loss: (step, rng) => counterLoss(forward, options.batch(step, rng), options),
      optimizer: { kind: "adam", lr: options.lr ?? 1e-4 },
      seed: options.seed ?? 0,
      callbacks,
      checkpoint: options.checkpoint,
      resume: options.resume,
      progress,
      signal: options.signal,
    });
    if (validation && (validation.restoreBest ?? true)) best.restore();
    return { ...result, best: best.score };
  } finally {
    best.dispose();
  }
}

/** Keeps copies of the variables at the best validation score. */
function bestKeeper(variables: Record<string, tf.Variable>) {
  let copies: Record<string, tf.Tensor> | null = null;
  let score: { step: number; mae: number } | undefined;
  const drop = () => {
    if (copies) tf.dispose(Object.values(copies));
    copies = null;
  };
  return {
    get score() {
      return score;
    },
    offer(step: number, mae: number) {
      if (score !== undefined && !(mae < score.mae)) return;
      drop();
      copies = {};
      for (const [k, v] of Object.entries(variables)) copies[k] = tf.clone(v);
      score = { step, mae };
    },
    restore() {
      if (!copies) return;
      for (const [k, v] of Object.entries(variables)) {
        const c = copies[k];
        if (c) v.assign(c);
      }
    },
    getState(): CallbackState {
      return { json: score ?? null, tensors: copies ?? {} };
    },
    setState(s: CallbackState) {
      drop();
      score = (s.json as { step: number; mae: number } | null) ?? undefined;
      const t = s.tensors ?? {};
      copies = Object.keys(t).length ? { ...t } : null;
    },
    dispose: drop,
  };
}

/** Adds the last validation MAE to what a progress sink shows. */
function withValidation(sink: ProgressSink, value: () => number | undefined): ProgressSink {
  return {
    update(step, info) {
      const v = value();
      sink.update(step, v === undefined ? info : { ...info, val_mae: v });
    },
    done: () => sink.done(),
  };
}
