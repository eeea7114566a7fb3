/**
 * Training a learned guided filter with the shared loop: L1 loss summed over
 * the network's outputs (thesis eq. 3.18), Adam with learning rate 1e-4,
 * batches drawn from the step index and the seed.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import {
  type Callback,
  optimize,
  type OptimizeResult,
  type ProgressSink,
} from "../core/optimize.ts";
import type { GuidedNetwork } from "./guided_network.ts";
import {
  type BatchOptions,
  checkTask,
  type GuidedTask,
  taskChannels,
  trainingBatch,
} from "./tasks.ts";

/** Options of {@linkcode trainGuidedNetwork}. */
export interface TrainGuidedOptions extends Omit<BatchOptions, "step"> {
  /** The task the batches are made for. */
  task: GuidedTask;
  /** Number of Adam steps. */
  steps: number;
  /** Learning rate (default 1e-4, the thesis's). */
  lr?: number;
  /** Checkpoints (see `optimize`). */
  checkpoint?: { dir: string; every: number };
  /** Resume from the checkpoint if there is one. */
  resume?: boolean;
  /** Progress display (default none). */
  progress?: ProgressSink | false;
  /** Callbacks of the loop. */
  callbacks?: Callback[];
  /** Stops the run after the current step. */
  signal?: AbortSignal;
}

/**
 * The training loss: Σ_l mean |Î⁽ˡ⁾ − Z| over the network's outputs (the L1
 * loss of eq. 3.18 on every block's output, summed as the thesis does).
 *
 * @param net The network.
 * @param batch Guide, target and truth.
 * @returns The scalar loss.
 */
export function guidedLoss(
  net: GuidedNetwork,
  batch: { guide: tf.Tensor4D; target: tf.Tensor4D; truth: tf.Tensor4D },
): tf.Scalar {
  return tf.tidy(() => {
    const outs = net.forward(batch.guide, batch.target);
    return tf.addN(outs.map((o) => tf.mean(tf.abs(tf.sub(o, batch.truth))))) as tf.Scalar;
  });
}

/**
 * Trains a network on a task with the shared `optimize` loop (Adam,
 * β = (0.9, 0.999), lr 1e-4 by default). The batch of step k depends only on
 * `(seed, k)`, so a run stopped at a checkpoint and resumed is identical to an
 * uninterrupted one.
 *
 * @param net The network (its variables are trained in place).
 * @param options Task, steps, batch and patch size, seed, checkpoints.
 * @returns The loop's result (history with `loss` per step).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { createSuccessiveNetwork } from "./successive_network.ts";
 * import { trainGuidedNetwork } from "./train.ts";
 * await tf.setBackend("cpu");
 * const net = createSuccessiveNetwork({ blocks: 1, width: 2, dilations: [1], lowPass: { kind: "box", radius: 2 } });
 * const r = await trainGuidedNetwork(net, {
 *   task: { kind: "depth-denoising", sigma: 25 }, steps: 2, patch: [12, 12], seed: 0,
 * });
 * assertEquals(r.steps, 2);
 * net.dispose();
 * ```
 */
export async function trainGuidedNetwork(
  net: GuidedNetwork,
  options: TrainGuidedOptions,
): Promise<OptimizeResult> {
  const task = checkTask(options.task);
  const [cg, ct] = taskChannels(task);
  if (net.guideChannels !== cg || net.targetChannels !== ct) {
    throw new RangeError(
      `${net.name} takes ${net.guideChannels}/${net.targetChannels} guide/target channels, ` +
        `task "${task.kind}" gives ${cg}/${ct}`,
    );
  }
  const seed = assertNumber(options.seed, "seed", { integer: true });
  return await optimize({
    steps: options.steps,
    variables: net.variables,
    loss: (step) => {
      const batch = trainingBatch(task, { ...options, seed, step });
      return guidedLoss(net, batch);
    },
    optimizer: { kind: "adam", lr: options.lr ?? 1e-4, beta1: 0.9, beta2: 0.999 },
    seed,
    callbacks: options.callbacks,
    checkpoint: options.checkpoint,
    resume: options.resume,
    progress: options.progress ?? false,
    signal: options.signal,
  });
}
