/**
 * The automatic stopping criterion of the thesis (eq. 2.8, section 2.4.3).
 * With r = B/S the ratio of the output's blurriness (Crete et al.,
 * {@linkcode blurMetric}) to its sharpness (Bahrami & Kot,
 * {@linkcode mlvSharpness}), the optimisation stops at step t when
 *
 * `Δr(t) = | mean r over the last n steps − mean r over the n steps before | < ε`
 *
 * — an absolute difference of the two window means, as the thesis states
 * ("if their absolute difference is smaller than a constant value ϵ"), with
 * n = 100 and ε = 0.01 in all its experiments. Windows are measured in steps,
 * so r may be computed every step or every k steps.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { assertImage, assertNumber, describe } from "../core/checks.ts";
import type { Callback, CallbackState, StepContext } from "../core/optimize.ts";
import { blurEffectArray } from "./blur.ts";
import { readGray } from "./gray.ts";
import { mlvMapArray, weightedMlvSigma } from "./mlv.ts";

/** Options of {@linkcode AutoStop}. */
export interface AutoStopOptions {
  /** Window length n, in steps (default 100). */
  window?: number;
  /** Threshold ε on the absolute difference of the two window means (default 0.01). */
  epsilon?: number;
}

/** The checkpointable state of an {@linkcode AutoStop}. */
export interface AutoStopState {
  /** Window length n, in steps. */
  window: number;
  /** Threshold ε. */
  epsilon: number;
  /** Steps of the ratios kept (the last 2n steps). */
  steps: number[];
  /** The ratios kept. */
  values: number[];
  /** Step of the first recorded ratio. */
  firstStep: number | null;
  /** Step at which the criterion first held, or `null`. */
  stopStep: number | null;
}

/**
 * Eq. 2.8: stop when the means of r over the last two windows of n steps
 * differ by less than ε.
 *
 * A decision needs 2n steps of history: with ratios recorded from step s on,
 * the first possible stop is at step s + 2n − 1. Each window's mean is over
 * the ratios recorded in it (one per step, or one every k steps). A window
 * holding a non-finite ratio never satisfies the criterion. Once met, the
 * criterion stays met and {@linkcode AutoStop.stopStep} keeps the first step.
 *
 * @example
 * ```ts
 * import { AutoStop } from "./auto_stop.ts";
 * const stop = new AutoStop({ window: 10, epsilon: 0.01 });
 * for (let step = 1; step <= 100 && !stop.shouldStop; step++) {
 *   stop.update(step, 1 - Math.exp(-step / 10)); // a ratio that converges
 * }
 * console.log(stop.stopStep); // 57
 * ```
 */
export class AutoStop {
  /** Window length n, in steps. */
  readonly window: number;
  /** Threshold ε. */
  readonly epsilon: number;
  #steps: number[] = [];
  #values: number[] = [];
  #firstStep: number | null = null;
  #stopStep: number | null = null;
  #delta = NaN;

  /**
   * Creates the criterion with an empty history.
   *
   * @param options Window length and threshold; see {@linkcode AutoStopOptions}.
   */
  constructor(options: AutoStopOptions = {}) {
    this.window = assertNumber(options.window ?? 100, "window", { min: 1, integer: true });
    this.epsilon = assertNumber(options.epsilon ?? 0.01, "epsilon", { min: 0 });
  }

  /** Whether the criterion has been met. */
  get shouldStop(): boolean {
    return this.#stopStep !== null;
  }

  /** The step at which the criterion was first met, or `null`. */
  get stopStep(): number | null {
    return this.#stopStep;
  }

  /** Δr at the last update (NaN until 2n steps are recorded). */
  get delta(): number {
    return this.#delta;
  }

  /**
   * Records the ratio measured at `step` and evaluates the criterion.
   *
   * @param step The step (increasing from call to call).
   * @param ratio r = blur / sharpness of the output at that step.
   * @returns Whether the criterion is met (now or before).
   */
  update(step: number, ratio: number): boolean {
    assertNumber(step, "step", { integer: true });
    if (typeof ratio !== "number") {
      throw new TypeError(`ratio must be a number, got ${describe(ratio)}`);
    }
    const last = this.#steps.at(-1);
    if (last !== undefined && step <= last) {
      throw new RangeError(`step must increase from call to call: got ${step} after ${last}`);
    }
    const n = this.window;
    this.#firstStep ??= step;
    this.#steps.push(step);
    this.#values.push(ratio);
    while (this.#steps[0] <= step - 2 * n) {
      this.#steps.shift();
      this.#values.shift();
    }
    this.#delta = NaN;
    if (step - this.#firstStep >= 2 * n - 1) {
      let recent = 0, nRecent = 0, older = 0, nOlder = 0;
      for (let i = 0; i < this.#steps.length; i++) {
        if (this.#steps[i] > step - n) {
          recent += this.#values[i];
          nRecent++;
        } else {
          older += this.#values[i];
          nOlder++;
        }
      }
      if (nRecent > 0 && nOlder > 0) this.#delta = Math.abs(recent / nRecent - older / nOlder);
    }
    if (this.#stopStep === null && this.#delta < this.epsilon) this.#stopStep = step;
    return this.shouldStop;
  }

  /**
   * The state, for checkpoints (JSON-serialisable).
   *
   * @returns A copy of the state.
   */
  getState(): AutoStopState {
    return {
      window: this.window,
      epsilon: this.epsilon,
      steps: [...this.#steps],
      values: [...this.#values],
      firstStep: this.#firstStep,
      stopStep: this.#stopStep,
    };
  }

  /**
   * Restores a state from {@linkcode AutoStop.getState}.
   *
   * @param state The saved state; its window and ε must match this instance's.
   */
  setState(state: AutoStopState): void {
    if (!state || !Array.isArray(state.steps) || !Array.isArray(state.values)) {
      throw new TypeError(`state must be an AutoStopState, got ${describe(state)}`);
    }
    if (state.window !== this.window || state.epsilon !== this.epsilon) {
      throw new RangeError(
        `state was saved with window ${state.window} and epsilon ${state.epsilon}, ` +
          `this AutoStop has window ${this.window} and epsilon ${this.epsilon}`,
      );
    }
    if (state.steps.length !== state.values.length) {
      throw new RangeError(
        `state.values must have the length of state.steps: expected ${state.steps.length}, got ${state.values.length}`,
      );
    }
    this.#steps = [...state.steps];
    // JSON turns NaN and Infinity into null; they stay non-finite.
    this.#values = state.values.map((v) => (typeof v === "number" ? v : NaN));
    this.#firstStep = state.firstStep;
    this.#stopStep = state.stopStep;
    this.#delta = NaN;
  }
}

/**
 * The ratio r = B/S of eq. 2.8: {@linkcode blurMetric} over
 * {@linkcode mlvSharpness} (both with their defaults) of an image, from one
 * read of the image. Infinity for a constant image (S = 0).
 *
 * @param image An HWC image with 1 or 3 channels, at least 4×4, values in [0, 1].
 * @returns The ratio.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { blurSharpnessRatio } from "./auto_stop.ts";
 * await tf.setBackend("cpu");
 * const noise = tf.randomUniform([32, 32, 3], 0, 1, "float32", 6) as tf.Tensor3D;
 * const blurry = tf.avgPool(noise, 5, 1, "same") as tf.Tensor3D;
 * console.log(await blurSharpnessRatio(blurry) > await blurSharpnessRatio(noise)); // true
 * noise.dispose();
 * blurry.dispose();
 * ```
 */
export async function blurSharpnessRatio(image: tf.Tensor3D): Promise<number> {
  assertImage(image, "image");
  const gray = await readGray(image, "image");
  return blurEffectArray(gray) / weightedMlvSigma(mlvMapArray(gray));
}

/** Options of {@linkcode autoStopCallback}. */
export interface AutoStopCallbackOptions extends AutoStopOptions {
  /** The current output, HWC in [0, 1]; read, never disposed, by the callback. */
  output: (ctx: StepContext) => tf.Tensor3D | Promise<tf.Tensor3D>;
  /** Compute r every `every` steps (default 1, as the thesis). */
  every?: number;
  /** Stop the run when the criterion holds (default `true`; `false` only records). */
  stop?: boolean;
  /** History key of r (default `"ratio"`). */
  key?: string;
}

/** The callback made by {@linkcode autoStopCallback}: a loop callback with its criterion. */
export interface AutoStopCallback extends Callback {
  /** The criterion it feeds (read `stopStep` after the run). */
  readonly autoStop: AutoStop;
}

/**
 * A loop callback for automatic stopping: every `every` steps it computes
 * r = blur/sharpness of the current output, records it in the history under
 * `"ratio"`, feeds {@linkcode AutoStop}, and stops the run once the criterion
 * holds. Its state is checkpointed with the run.
 *
 * @param options The output getter (called at each measured step), window, ε, cadence.
 * @returns The callback; `callback.autoStop.stopStep` tells when it fired.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { optimize } from "../core/optimize.ts";
 * import { autoStopCallback } from "./auto_stop.ts";
 * await tf.setBackend("cpu");
 * const target = tf.randomUniform([8, 8, 1], 0, 1, "float32", 7) as tf.Tensor3D;
 * const x = tf.variable(tf.fill([8, 8, 1], 0.5), true, "x");
 * const cb = autoStopCallback({ output: () => x as tf.Tensor3D, window: 5, epsilon: 0.01 });
 * const result = await optimize({
 *   steps: 500,
 *   variables: { x },
 *   loss: () => tf.losses.meanSquaredError(target, x as tf.Tensor3D) as tf.Scalar,
 *   optimizer: { kind: "adam", lr: 0.05 },
 *   callbacks: [cb],
 * });
 * console.log(result.stopped, result.steps === cb.autoStop.stopStep); // "callback" true
 * x.dispose();
 * target.dispose();
 * ```
 */
export function autoStopCallback(options: AutoStopCallbackOptions): AutoStopCallback {
  if (typeof options.output !== "function") {
    throw new TypeError(`options.output must be a function returning the current output`);
  }
  const every = assertNumber(options.every ?? 1, "options.every", { min: 1, integer: true });
  const key = options.key ?? "ratio";
  const stop = options.stop ?? true;
  const autoStop = new AutoStop(options);
  return {
    autoStop,
    every,
    async onStep(ctx: StepContext) {
      const ratio = await blurSharpnessRatio(await options.output(ctx));
      ctx.history.add(ctx.step, { [key]: ratio });
      if (autoStop.update(ctx.step, ratio) && stop) {
        ctx.stop(`auto-stop: |Δr| < ${autoStop.epsilon} at step ${autoStop.stopStep}`);
      }
    },
    getState(): CallbackState {
      return { json: autoStop.getState() };
    },
    setState(state: CallbackState) {
      autoStop.setState(state.json as AutoStopState);
    },
  };
}
