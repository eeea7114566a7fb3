/**
 * The one optimisation loop of the toolkit. Per-image fitting (the deep image
 * prior) and dataset training (the guided filtering networks) both run
 * through {@linkcode optimize}: Adam on named variables, callbacks every k
 * steps, a {@linkcode History}, progress, cancellation, and checkpoints from
 * which a run resumes to exactly the result an uninterrupted run gives.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Adam } from "./adam.ts";
import { assertNumber, describe } from "./checks.ts";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { History, type Series } from "./history.ts";
import { Rng, type RngState } from "./rng.ts";

/** Adam's settings (PyTorch's defaults: lr 1e-3, betas 0.9/0.999, eps 1e-8). */
export interface AdamConfig {
  /** The optimiser. */
  kind: "adam";
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** First-moment decay (default 0.9). */
  beta1?: number;
  /** Second-moment decay (default 0.999). */
  beta2?: number;
  /** Denominator guard (default 1e-8). */
  epsilon?: number;
}

/** State a callback keeps across a checkpoint. */
export interface CallbackState {
  /** Tensors (the loop reads them; the callback keeps ownership). */
  tensors?: Record<string, tf.Tensor>;
  /** JSON-serialisable values. */
  json?: unknown;
}

/** What a callback sees. */
export interface StepContext {
  /** Number of completed steps (1-based). */
  step: number;
  /** Total steps of the budget. */
  steps: number;
  /** The loss of the last step. */
  loss: number;
  /** The run's history (add measurements here). */
  history: History;
  /** The run's seeded generator. */
  rng: Rng;
  /** Seconds spent in this run, resumed parts included. */
  seconds: number;
  /** Ends the run after this step (e.g. automatic stopping). */
  stop(reason?: string): void;
}

/** Hooks into the loop. */
export interface Callback {
  /** Call `onStep` every `every` steps (default 1) and at the last step. */
  every?: number;
  /** Before the first step (also when resuming). */
  onStart?(ctx: StepContext): void | Promise<void>;
  /** After a step. */
  onStep?(ctx: StepContext): void | Promise<void>;
  /** After the last step, however the run ended. */
  onEnd?(ctx: StepContext): void | Promise<void>;
  /** State to save in a checkpoint. */
  getState?(): CallbackState;
  /** Restores the state from a checkpoint (tensors are the callback's to keep). */
  setState?(state: CallbackState): void;
}

/** Something that shows progress; {@linkcode createProgress} makes one. */
export interface ProgressSink {
  /** Called after each step. */
  update(step: number, info?: Record<string, number>): void;
  /** Called once at the end. */
  done(): void;
}

/** Options of {@linkcode optimize}. */
export interface OptimizeOptions {
  /** Step budget. */
  steps: number;
  /**
   * Trainable variables by stable name. Checkpoints match variables by these
   * keys (not by tfjs's engine-wide variable names), so a model rebuilt in a
   * new process resumes from them.
   */
  variables: Record<string, tf.Variable>;
  /** Non-trainable variables saved in checkpoints (power-iteration vectors, running statistics). */
  state?: Record<string, tf.Variable>;
  /** The loss of one step, computed inside `optimizer.minimize` (so inside a `tf.tidy`). */
  loss: (step: number, rng: Rng) => tf.Scalar;
  /** The optimiser (default Adam, lr 1e-3). */
  optimizer?: AdamConfig;
  /** Seed of the generator passed to `loss` and `afterStep` (default 0). */
  seed?: number;
  /** In-place updates after each optimiser step. */
  afterStep?: (step: number, rng: Rng) => void;
  /** Callbacks, called in order. */
  callbacks?: Callback[];
  /** Save a checkpoint to `dir` every `every` steps, at the end and when stopped. */
  checkpoint?: { dir: string; every: number };
  /** Continue from the checkpoint in `checkpoint.dir` if there is one. */
  resume?: boolean;
  /** A progress display, or `false` for none (default none). */
  progress?: ProgressSink | false;
  /** Stops the run after the current step (a checkpoint is written first). */
  signal?: AbortSignal;
}

/** What {@linkcode optimize} returns. */
export interface OptimizeResult {
  /** Steps completed. */
  steps: number;
  /** Why the run ended. */
  stopped: "budget" | "callback" | "signal";
  /** The reason a callback gave, if any. */
  stopReason?: string;
  /** The history; `loss` is recorded every step. */
  history: History;
  /** Seconds spent, resumed parts included. */
  seconds: number;
}

interface LoopJson {
  step: number;
  seconds: number;
  rng: RngState;
  history: Record<string, Series>;
  optimizer: { iterations: number; names: string[] };
  callbacks: unknown[];
  stopped?: OptimizeResult["stopped"];
  stopReason?: string;
}

/** Adam's running products beta^t (private fields of tfjs's AdamOptimizer). */
function adamPowers(opt: tf.AdamOptimizer): { accBeta1?: tf.Variable; accBeta2?: tf.Variable } {
  const o = opt as unknown as { accBeta1?: unknown; accBeta2?: unknown };
  const pick = (v: unknown) => (v instanceof tf.Variable ? v : undefined);
  return { accBeta1: pick(o.accBeta1), accBeta2: pick(o.accBeta2) };
}

function makeAdam(config: AdamConfig): tf.AdamOptimizer {
  if (config.kind !== "adam") {
    throw new RangeError(`optimizer.kind must be "adam", got ${describe(config.kind)}`);
  }
  const lr = assertNumber(config.lr ?? 1e-3, "optimizer.lr", { min: 0, minExclusive: true });
  const b1 = assertNumber(config.beta1 ?? 0.9, "optimizer.beta1", {
    min: 0,
    max: 1,
    maxExclusive: true,
  });
  const b2 = assertNumber(config.beta2 ?? 0.999, "optimizer.beta2", {
    min: 0,
    max: 1,
    maxExclusive: true,
  });
  const eps = assertNumber(config.epsilon ?? 1e-8, "optimizer.epsilon", {
    min: 0,
    minExclusive: true,
  });
  return new Adam(lr, b1, b2, eps);
}

/**
 * Runs `steps` optimiser steps of `loss` over `variables`.
 *
 * @param options What to optimise and how; see {@linkcode OptimizeOptions}.
 * @returns How the run went; see {@linkcode OptimizeResult}.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { optimize } from "./optimize.ts";
 * await tf.setBackend("cpu");
 * const w = tf.variable(tf.scalar(5), true, "w");
 * const result = await optimize({
 *   steps: 200,
 *   variables: { w },
 *   loss: () => tf.square(w.sub(2)).asScalar(),
 *   optimizer: { kind: "adam", lr: 0.1 },
 * });
 * console.log(result.steps, w.dataSync()[0].toFixed(2)); // 200 "2.00"
 * w.dispose();
 * ```
 */
export async function optimize(options: OptimizeOptions): Promise<OptimizeResult> {
  const steps = assertNumber(options.steps, "steps", { min: 0, integer: true });
  if (typeof options.loss !== "function") {
    throw new TypeError(`loss must be a function, got ${describe(options.loss)}`);
  }
  const variables = options.variables;
  if (variables === null || typeof variables !== "object" || Array.isArray(variables)) {
    throw new TypeError(
      `variables must be a record of named tf.Variable, got ${describe(variables)}`,
    );
  }
  const names = Object.keys(variables);
  if (names.length === 0) throw new RangeError("variables must not be empty");
  const varList = names.map((n) => variables[n]);
  const state = options.state ?? {};
  const callbacks = options.callbacks ?? [];
  for (const [i, cb] of callbacks.entries()) {
    if (cb.every !== undefined) {
      assertNumber(cb.every, `callbacks[${i}].every`, { min: 1, integer: true });
    }
  }
  if (options.checkpoint) {
    assertNumber(options.checkpoint.every, "checkpoint.every", { min: 1, integer: true });
  }
  const optimizer = makeAdam(options.optimizer ?? { kind: "adam" });
  const rng = new Rng(options.seed ?? 0);
  let history = new History();
  let step = 0;
  let secondsBefore = 0;
  let stopped: OptimizeResult["stopped"] = "budget";
  let stopReason: string | undefined;

  try {
    /** Puts a checkpoint's variables, optimiser slots and callback states back in place. */
    const restore = async (json: LoopJson, tensors: Record<string, tf.Tensor>) => {
      if (!json || typeof json.step !== "number") {
        throw new Error(`checkpoint in ${options.checkpoint!.dir} has no step count`);
      }
      for (const [name, v] of [...Object.entries(variables), ...Object.entries(state)]) {
        const t = tensors[`var/${name}`];
        if (!t) {
          throw new Error(
            `checkpoint in ${
              options.checkpoint!.dir
            } lacks variable "${name}": was it written by another model?`,
          );
        }
        if (!tf.util.arraysEqual(t.shape, v.shape)) {
          throw new RangeError(
            `checkpoint variable "${name}" has shape [${t.shape}], the model's is [${v.shape}]`,
          );
        }
        v.assign(t);
      }
      if (json.optimizer.iterations > 0) {
        const slots = json.optimizer.names.map((n) => ({ name: n, tensor: tensors[`opt/${n}`] }));
        const iter = tf.scalar(json.optimizer.iterations, "int32");
        await optimizer.setWeights([{ name: "iter", tensor: iter }, ...slots]);
        iter.dispose();
        // setWeights recomputes beta^t with pow(), which differs from the running product in the
        // last float bits; restore the saved products so that a resumed run is bit-identical.
        for (const key of ["accBeta1", "accBeta2"] as const) {
          const saved = tensors[`opt/${key}`];
          if (saved) adamPowers(optimizer)[key]?.assign(saved);
        }
      }
      callbacks.forEach((cb, i) => {
        if (!cb.setState) return;
        const cbTensors: Record<string, tf.Tensor> = {};
        const prefix = `cb${i}/`;
        for (const [k, t] of Object.entries(tensors)) {
          if (k.startsWith(prefix)) cbTensors[k.slice(prefix.length)] = t;
        }
        cb.setState({ tensors: cbTensors, json: json.callbacks[i] });
      });
      // Tensors handed to callbacks are theirs; drop unclaimed ones.
      callbacks.forEach((cb, i) => {
        if (cb.setState) return;
        for (const [k, t] of Object.entries(tensors)) if (k.startsWith(`cb${i}/`)) t.dispose();
      });
    };

    if (options.resume && options.checkpoint) {
      const ck = await loadCheckpoint(options.checkpoint.dir);
      if (ck) {
        const json = ck.json as LoopJson;
        try {
          await restore(json, ck.tensors);
        } finally {
          for (const [k, t] of Object.entries(ck.tensors)) if (!k.startsWith("cb")) t.dispose();
        }
        step = json.step;
        secondsBefore = json.seconds;
        history = History.fromJSON(json.history);
        rng.setState(json.rng);
        if (json.stopped && json.stopped !== "signal") {
          stopped = json.stopped;
          stopReason = json.stopReason;
        }
      }
    }

    const started = performance.now();
    const seconds = () => secondsBefore + (performance.now() - started) / 1000;
    let lastLoss = history.last("loss") ?? NaN;
    const ctx = (): StepContext => ({
      step,
      steps,
      loss: lastLoss,
      history,
      rng,
      seconds: seconds(),
      stop(reason?: string) {
        if (stopped === "budget") {
          stopped = "callback";
          stopReason = reason;
        }
      },
    });

    const save = async () => {
      if (!options.checkpoint) return;
      const tensors: Record<string, tf.Tensor> = {};
      for (const [name, v] of [...Object.entries(variables), ...Object.entries(state)]) {
        tensors[`var/${name}`] = v;
      }
      const weights = await optimizer.getWeights();
      const iter = weights.length ? (await weights[0].tensor.data())[0] : 0;
      weights[0]?.tensor.dispose();
      const slotNames: string[] = [];
      for (const w of weights.slice(1)) {
        slotNames.push(w.name);
        tensors[`opt/${w.name}`] = w.tensor;
      }
      for (const [key, v] of Object.entries(adamPowers(optimizer))) {
        if (v) tensors[`opt/${key}`] = v;
      }
      const cbJson: unknown[] = [];
      callbacks.forEach((cb, i) => {
        const s = cb.getState?.();
        cbJson.push(s?.json ?? null);
        for (const [k, t] of Object.entries(s?.tensors ?? {})) tensors[`cb${i}/${k}`] = t;
      });
      const json: LoopJson = {
        step,
        seconds: seconds(),
        rng: rng.getState(),
        history: history.toJSON(),
        optimizer: { iterations: iter, names: slotNames },
        callbacks: cbJson,
        stopped: step >= steps || stopped !== "budget" ? stopped : undefined,
        stopReason,
      };
      await saveCheckpoint(options.checkpoint.dir, { json, tensors });
    };

    for (const cb of callbacks) await cb.onStart?.(ctx());
    const progress = options.progress || null;

    while (step < steps && stopped === "budget") {
      if (options.signal?.aborted) {
        stopped = "signal";
        break;
      }
      const s = step + 1;
      const cost = optimizer.minimize(() => options.loss(s, rng), true, varList);
      if (!cost) throw new Error("loss returned no value");
      lastLoss = (await cost.data())[0];
      cost.dispose();
      if (!Number.isFinite(lastLoss)) {
        throw new RangeError(
          `loss became ${lastLoss} at step ${s}: lower the learning rate or check the inputs for NaN`,
        );
      }
      options.afterStep?.(s, rng);
      step = s;
      history.add(step, { loss: lastLoss });
      const c = ctx();
      for (const cb of callbacks) {
        if (step % (cb.every ?? 1) === 0 || step === steps) await cb.onStep?.(c);
      }
      progress?.update(step, { loss: lastLoss });
      if (options.checkpoint && (step % options.checkpoint.every === 0)) await save();
    }
    if (options.signal?.aborted && stopped === "budget" && step < steps) stopped = "signal";
    if (options.checkpoint) await save();
    const end = ctx();
    for (const cb of callbacks) await cb.onEnd?.(end);
    progress?.done();
    return { steps: step, stopped, stopReason, history, seconds: end.seconds };
  } finally {
    optimizer.dispose();
  }
}
