/**
 * Fitting a deep-image-prior network to one degraded image: `fitDip` on the
 * shared loop {@linkcode optimize}, with the measurements of chapter 2 (PSNR,
 * frequency-band correspondence, blur/sharpness ratio, automatic stopping)
 * and the behaviours of the baselines (input-noise regularisation and
 * exponential output averaging and the backtracking safeguard of the
 * original deep image prior; Langevin dynamics and a posterior mean for the
 * Bayesian deep image prior).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  assertImage,
  assertNumber,
  assertOneOf,
  assertShape,
  describe,
  formatShape,
} from "../core/checks.ts";
import type { History } from "../core/history.ts";
import {
  type Callback,
  type CallbackState,
  optimize,
  type ProgressSink,
} from "../core/optimize.ts";
import { createProgress } from "../core/progress.ts";
import { Rng } from "../core/rng.ts";
import { type AutoStopCallback, autoStopCallback, fbcCallback } from "../fbc/mod.ts";
import { psnr } from "../metrics/mod.ts";
import { Backtracker, type BacktrackOptions } from "./_backtrack.ts";
import { DIP_INPUT_KINDS, dipInput, type DipInputKind, type DipNetwork } from "./network.ts";

export type { BacktrackOptions };

/** Langevin dynamics of the Bayesian deep image prior (Cheng et al. 2019). */
export interface LangevinOptions {
  /**
   * After each Adam step every convolution kernel receives Gaussian noise of
   * standard deviation `noiseScale · lr` (default 2, the released code's
   * `param_noise_sigma`).
   */
  noiseScale?: number;
  /** Steps before outputs enter the posterior mean (default `min(7000, steps/2)`). */
  burnIn?: number;
  /** Add an output to the posterior mean every `sampleEvery` steps after burn-in (default 50). */
  sampleEvery?: number;
  /** L2 weight decay added to the loss as `weightDecay/2 · ‖θ‖²` (default 5e-8, the released code's). */
  weightDecay?: number;
}

/** Automatic stopping (eq. 2.8) options of {@linkcode fitDip}. */
export interface FitAutoStopOptions {
  /** Window n (default 100). */
  window?: number;
  /** Threshold ε on the change of the mean ratio (default 0.01). */
  epsilon?: number;
  /** Compute the blur/sharpness ratio every `every` steps (default 1, as the thesis). */
  every?: number;
  /** Stop when the criterion holds (default true; false only records the ratio). */
  stop?: boolean;
}

/** Frequency-band correspondence options of {@linkcode fitDip}. */
export interface FitFbcOptions {
  /** Number of bands (default 5). */
  bands?: number;
  /** Measure every `every` steps (default: the fit's `every`). */
  every?: number;
}

/** Options of {@linkcode fitDip}. */
export interface FitDipOptions {
  /** The network; its variables are trained in place. */
  net: DipNetwork;
  /** The degraded image y0 the network's (degraded) output fits, HWC in [0, 1]. */
  target: tf.Tensor3D;
  /** Step budget, at least 1. */
  steps: number;
  /** Network input z, `[1, h, w, c]` (default: {@linkcode dipInput} of the kind `dipInput`, from `seed`). */
  input?: tf.Tensor4D;
  /**
   * The kind of the default input z (not with `input`): `"uniform"` (default),
   * noise in [0, 0.1) as the thesis's text says, or `"fourier"`, the author's
   * released code's `[sin 2πu, cos 2πu]` of u ~ U(0, 1); see
   * {@linkcode DipInputKind}.
   */
  dipInput?: DipInputKind;
  /** Output size `[height, width]` when `degrade` changes the size (default: the target's). */
  outputSize?: [number, number];
  /** The task's forward operator A on NHWC batches (default identity: denoising). */
  degrade?: (x: tf.Tensor4D) => tf.Tensor4D;
  /** Loss mask (1 = known pixel), `[H, W, 1]` or the target's shape: loss = MSE(m·A(x), m·y0). */
  mask?: tf.Tensor3D;
  /** Adam learning rate (default 0.001, the thesis's; the original DIP uses 0.01). */
  lr?: number;
  /** Seed of z, of the per-step noise and of Langevin noise (default 0). */
  seed?: number;
  /** Add N(0, std²) noise to z at every step (the DIP's `reg_noise_std`, 1/30; default 0). */
  inputNoiseStd?: number;
  /** Exponential averaging of the outputs, `avg = d·avg + (1−d)·out` each step (DIP: 0.99). */
  emaDecay?: number;
  /**
   * The deep image prior's backtracking safeguard (`true` for its 5 dB): when
   * the PSNR of a step's fit, `−10·log10` of the loss's data term (for
   * denoising the PSNR of the output to the noisy image, the DIP code's
   * `psrn_noisy`), falls by more than `drop` dB below the last accepted
   * step's, the network's parameters go back to that step's, and this step's
   * Adam update is applied to them; Adam's moments are kept, as in the DIP
   * code. Every step is checked. The steps where it fired are recorded as
   * `backtrack` (the drop in dB) in the history. Off by default.
   */
  backtrack?: boolean | BacktrackOptions;
  /** Langevin dynamics (`true` for the defaults). */
  langevin?: boolean | LangevinOptions;
  /** The clean image x*, the output's shape: PSNR against it is recorded and the best output kept. */
  clean?: tf.Tensor3D;
  /**
   * Scores an output in dB, higher is better, recorded as `psnr` (default: PSNR
   * against `clean` on all channels, data range 1). A prepared task's
   * `(o) => task.score(o).psnr` scores as the thesis does (Y channel, shaved
   * border, ...), with or without `clean`.
   */
  score?: (output: tf.Tensor3D) => number | Promise<number>;
  /** Measure PSNR (and FBC) every `every` steps (default 10) and at the last step. */
  every?: number;
  /** Record the FBC bands of A(output) against the target (`true` for 5 bands). */
  fbc?: boolean | FitFbcOptions;
  /** Automatic stopping by the blur/sharpness ratio (`true` for the thesis's n = 100, ε = 0.01). */
  autoStop?: boolean | FitAutoStopOptions;
  /**
   * Called with the current output every `every` steps and at the last step
   * (to show or save it); the tensor is fitDip's: clone it to keep it.
   */
  onOutput?: (output: tf.Tensor3D, step: number) => void | Promise<void>;
  /** More loop callbacks, run after fitDip's own. */
  callbacks?: Callback[];
  /** Save a checkpoint to `dir` every `every` steps and at the end. */
  checkpoint?: { dir: string; every: number };
  /** Continue from `checkpoint.dir` if a checkpoint is there. */
  resume?: boolean;
  /** A progress bar: `true`, `{ label }`, or a sink (default none). */
  progress?: boolean | { label?: string } | ProgressSink;
  /** Stops after the current step (a checkpoint is written first). */
  signal?: AbortSignal;
}

/** What {@linkcode fitDip} returns; the caller disposes every image. */
export interface FitDipResult {
  /** The best output by score ("oracle" stopping); absent without `clean` or `score`. */
  best?: { image: tf.Tensor3D; step: number; psnr: number };
  /** The output of the last step. */
  last: tf.Tensor3D;
  /** The exponentially averaged output (with `emaDecay`). */
  smoothed?: tf.Tensor3D;
  /** The mean of the outputs sampled after burn-in (with `langevin`). */
  posteriorMean?: tf.Tensor3D;
  /**
   * Everything recorded: `loss` every step; `psnr`, `psnrSmoothed`,
   * `psnrPosterior`, `band0…`, `ratio`, `backtrack`.
   */
  history: History;
  /** Steps completed. */
  steps: number;
  /** Why the run ended. */
  stopped: "budget" | "callback" | "signal";
  /** The step at which automatic stopping fired, if it did. */
  stoppedAt?: number;
  /** Seconds spent, resumed parts included. */
  seconds: number;
}

/**
 * The original deep image prior's fitting settings (Ulyanov et al.): Adam
 * with lr 0.01, input noise of std 1/30 at every step, exponential averaging
 * of the outputs with 0.99. Use with {@linkcode skipNet} and `clean` for the
 * oracle (best PSNR over the run).
 */
export const ORIGINAL_DIP: Readonly<Pick<FitDipOptions, "lr" | "inputNoiseStd" | "emaDecay">> =
  Object.freeze({ lr: 0.01, inputNoiseStd: 1 / 30, emaDecay: 0.99 });

/**
 * The Bayesian deep image prior's settings (Cheng et al. 2019, released
 * code): the original DIP's plus Langevin dynamics (parameter noise of std
 * 2·lr on the convolution kernels, weight decay 5e-8, posterior mean of every
 * 50th output after burn-in).
 */
export const BAYESIAN_DIP: Readonly<Pick<FitDipOptions, "lr" | "inputNoiseStd" | "langevin">> =
  Object.freeze({ lr: 0.01, inputNoiseStd: 1 / 30, langevin: true });

function asBatch(image: tf.Tensor3D): tf.Tensor4D {
  return image.expandDims(0) as tf.Tensor4D;
}

/**
 * Fits `net` so that `degrade(net(z))` matches `target` (Adam on the mean
 * squared error, masked for inpainting), recording the measurements of
 * chapter 2 and keeping the best, last, smoothed and posterior-mean outputs.
 *
 * The output of step t is the network's output in that step's forward pass
 * (before the step's update), as in the deep image prior's code; PSNR,
 * averaging and the posterior mean use it. A run stopped at a checkpoint and
 * resumed with the same options ends where an uninterrupted run ends.
 *
 * Before the first step every image (target, clean, mask, input) is checked
 * to hold only finite values, so that a NaN is named rather than found as a
 * NaN loss.
 *
 * @param options Network, target, task, budget, baselines, measurements.
 * @returns The outputs and the history; the caller disposes the images.
 * @throws {RangeError} For a budget below 1, NaN or infinite pixels, and
 * inconsistent shapes.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { CONTROLLED, decoder, fitDip } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const clean = tf.linspace(0, 1, 16 * 16).reshape([16, 16, 1]) as tf.Tensor3D;
 * const noisy = clean.add(tf.randomNormal([16, 16, 1], 0, 0.1, "float32", 1)) as tf.Tensor3D;
 * const net = decoder({ ...CONTROLLED, channels: 4, depth: 2, outChannels: 1 });
 * const r = await fitDip({ net, target: noisy, clean, steps: 20, lr: 0.01, every: 5 });
 * console.log(r.history.series("psnr").x); // [5, 10, 15, 20]
 * tf.dispose([clean, noisy, r.last, r.best!.image]);
 * net.dispose();
 * ```
 */
export async function fitDip(options: FitDipOptions): Promise<FitDipResult> {
  const { net, target } = options;
  if (!net || typeof net.apply !== "function") {
    throw new TypeError(`net must be a DipNetwork, got ${describe(net)}`);
  }
  assertImage(target, "target", [1, 2, 3, 4]);
  const steps = assertNumber(options.steps, "steps", { min: 1, integer: true });
  const lr = assertNumber(options.lr ?? 1e-3, "lr", { min: 0, minExclusive: true });
  const seed = assertNumber(options.seed ?? 0, "seed", { integer: true });
  const every = assertNumber(options.every ?? 10, "every", { min: 1, integer: true });
  const noiseStd = assertNumber(options.inputNoiseStd ?? 0, "inputNoiseStd", { min: 0 });
  const ema = options.emaDecay === undefined
    ? undefined
    : assertNumber(options.emaDecay, "emaDecay", { min: 0, max: 1, maxExclusive: true });
  const [outH, outW] = options.outputSize ?? [target.shape[0], target.shape[1]];
  assertNumber(outH, "outputSize[0]", { min: 1, integer: true });
  assertNumber(outW, "outputSize[1]", { min: 1, integer: true });
  const degrade = options.degrade;
  if (degrade !== undefined && typeof degrade !== "function") {
    throw new TypeError(`degrade must be a function, got ${describe(degrade)}`);
  }
  if (!degrade && (outH !== target.shape[0] || outW !== target.shape[1])) {
    throw new RangeError(
      `outputSize ${outH}x${outW} differs from the target's ${target.shape[0]}x${
        target.shape[1]
      } but no degrade operator maps one to the other`,
    );
  }
  if (options.clean) assertShape(options.clean, [outH, outW, net.outChannels], "clean");
  if (options.mask) {
    assertShape(options.mask, [target.shape[0], target.shape[1], null], "mask");
    if (options.mask.shape[2] !== 1 && options.mask.shape[2] !== target.shape[2]) {
      throw new RangeError(
        `mask must have 1 or ${target.shape[2]} channels, got shape ${
          formatShape(options.mask.shape)
        }`,
      );
    }
  }
  const langevin = resolveLangevin(options.langevin, steps);
  const backtrack = resolveBacktrack(options.backtrack);
  if (options.input !== undefined && options.dipInput !== undefined) {
    throw new RangeError(
      `give either input (a tensor) or dipInput (the kind of the default input), got both ` +
        `(dipInput ${describe(options.dipInput)})`,
    );
  }
  const inputKind = assertOneOf(options.dipInput ?? "uniform", DIP_INPUT_KINDS, "dipInput");
  const clean = options.clean;
  const score = options.score ?? (clean ? (o: tf.Tensor3D) => psnr(o, clean) : undefined);
  if (score !== undefined && typeof score !== "function") {
    throw new TypeError(`score must be a function, got ${describe(score)}`);
  }

  if (options.input) assertShape(options.input, [1, ...net.inputShape(outH, outW)], "input");
  await assertFiniteImages({
    target,
    clean: options.clean,
    mask: options.mask,
    input: options.input,
  });
  const z = options.input ??
    dipInput(net, [outH, outW], { seed: new Rng(seed).int(2 ** 31), kind: inputKind });
  const y0 = asBatch(target);
  const mask = options.mask ? asBatch(options.mask) : null;
  const maskedTarget = mask ? y0.mul(mask) : null;

  // The current output (HWC) and its degraded version, replaced every step.
  let current: tf.Tensor3D | null = null;
  let currentDegraded: tf.Tensor3D | null = null;
  // The data term of the current step's loss (for backtracking).
  let fitError: tf.Scalar | null = null;
  const needDegraded = !!options.fbc && !!degrade;

  const backtracker = backtrack
    ? new Backtracker({
      drop: backtrack.drop,
      variables: net.trainableVariables,
      fitError: () => fitError,
    })
    : undefined;

  const loss = (_step: number, rng: Rng): tf.Scalar => {
    backtracker?.beforeForward();
    let input: tf.Tensor4D = z;
    if (noiseStd > 0) input = z.add(rng.normalTensor(z.shape, noiseStd));
    const out = net.apply(input, { training: true });
    let pred = degrade ? degrade(out) : out;
    if (!tf.util.arraysEqual(pred.shape, y0.shape)) {
      throw new RangeError(
        `degrade(net(z)) must have the target's shape ${formatShape(y0.shape)}, got ${
          formatShape(pred.shape)
        }`,
      );
    }
    current?.dispose();
    current = tf.keep(out.squeeze([0]) as tf.Tensor3D);
    if (needDegraded) {
      currentDegraded?.dispose();
      currentDegraded = tf.keep(pred.squeeze([0]) as tf.Tensor3D);
    }
    if (mask) pred = pred.mul(mask);
    let l = tf.losses.meanSquaredError(maskedTarget ?? y0, pred) as tf.Scalar;
    if (backtrack) {
      fitError?.dispose();
      fitError = tf.keep(l.clone());
    }
    if (langevin && langevin.weightDecay > 0) {
      const sq = Object.values(net.trainableVariables).map((v) => tf.sum(tf.square(v)));
      l = l.add(tf.addN(sq).mul(langevin.weightDecay / 2));
    }
    return l;
  };

  const afterStep = langevin
    ? (_step: number, rng: Rng) => {
      const std = langevin.noiseScale * lr;
      for (const v of Object.values(net.trainableVariables)) {
        if (v.rank !== 4) continue;
        tf.tidy(() => v.assign(v.add(rng.normalTensor(v.shape, std))));
      }
    }
    : undefined;

  const tracker = new Tracker({
    current: () => current,
    setCurrent: (t) => {
      current?.dispose();
      current = t;
    },
    score,
    every,
    steps,
    ema,
    langevin,
    onOutput: options.onOutput,
  });
  const callbacks: Callback[] = [tracker];
  if (options.fbc) {
    const fbcOptions = options.fbc === true ? {} : options.fbc;
    callbacks.push(fbcCallback({
      output: () => (needDegraded ? currentDegraded! : current!),
      target,
      bands: fbcOptions.bands,
      every: fbcOptions.every ?? every,
    }));
  }
  let autoStop: AutoStopCallback | undefined;
  if (options.autoStop) {
    const a = options.autoStop === true ? {} : options.autoStop;
    autoStop = autoStopCallback({
      output: () => current!,
      window: a.window,
      epsilon: a.epsilon,
      every: a.every,
      stop: a.stop,
    });
    callbacks.push(autoStop);
  }
  if (backtracker) callbacks.push(backtracker);
  callbacks.push(...(options.callbacks ?? []));

  let progress: ProgressSink | false = false;
  if (options.progress) {
    const p = options.progress;
    progress = typeof (p as ProgressSink).update === "function"
      ? p as ProgressSink
      : createProgress({ total: steps, label: (p as { label?: string }).label ?? net.name });
  }

  try {
    const run = await optimize({
      steps,
      variables: net.trainableVariables,
      state: net.stateVariables,
      loss,
      optimizer: { kind: "adam", lr },
      seed,
      afterStep,
      callbacks,
      checkpoint: options.checkpoint,
      resume: options.resume,
      progress,
      signal: options.signal,
    });
    if (!current) {
      // No step ran (a resumed run that had already ended, or an abort before the first step).
      current = tf.tidy(() => (net.apply(z).squeeze([0]) as tf.Tensor3D));
    }
    if (run.stopped !== "budget") await tracker.measure(run.steps, run.history);
    const result: FitDipResult = {
      last: (current as tf.Tensor3D).clone(),
      history: run.history,
      steps: run.steps,
      stopped: run.stopped,
      seconds: run.seconds,
      ...tracker.results(),
    };
    const stopStep = autoStop?.autoStop.stopStep;
    if (stopStep !== null && stopStep !== undefined) result.stoppedAt = stopStep;
    return result;
  } finally {
    tracker.dispose();
    backtracker?.dispose();
    (fitError as tf.Scalar | null)?.dispose();
    (current as tf.Tensor3D | null)?.dispose();
    (currentDegraded as tf.Tensor3D | null)?.dispose();
    if (!options.input) z.dispose();
    tf.dispose([y0, mask, maskedTarget].filter((t): t is tf.Tensor4D => t !== null));
  }
}

/**
 * Checks that every given image holds only finite values, with one read.
 *
 * @param images Tensors by argument name (undefined ones are skipped).
 * @throws {RangeError} Naming the first image with NaN or infinite values and how many.
 */
async function assertFiniteImages(images: Record<string, tf.Tensor | undefined>): Promise<void> {
  const given = Object.entries(images).filter((e): e is [string, tf.Tensor] => e[1] !== undefined);
  const counts = tf.tidy(() =>
    tf.stack(
      given.map(([, t]) =>
        t.dtype === "float32" ? tf.logicalNot(tf.isFinite(t)).sum().toFloat() : tf.scalar(0)
      ),
    )
  );
  const bad = await counts.data();
  counts.dispose();
  given.forEach(([name, t], i) => {
    if (bad[i] > 0) {
      throw new RangeError(
        `${name} must hold finite values, got ${bad[i]} NaN or infinite of ${t.size} ` +
          `(shape ${formatShape(t.shape)})`,
      );
    }
  });
}

function resolveBacktrack(b: boolean | BacktrackOptions | undefined): { drop: number } | null {
  if (!b) return null;
  const o = b === true ? {} : b;
  return { drop: assertNumber(o.drop ?? 5, "backtrack.drop", { min: 0, minExclusive: true }) };
}

interface ResolvedLangevin {
  noiseScale: number;
  burnIn: number;
  sampleEvery: number;
  weightDecay: number;
}

function resolveLangevin(
  l: boolean | LangevinOptions | undefined,
  steps: number,
): ResolvedLangevin | null {
  if (!l) return null;
  const o = l === true ? {} : l;
  return {
    noiseScale: assertNumber(o.noiseScale ?? 2, "langevin.noiseScale", { min: 0 }),
    burnIn: assertNumber(o.burnIn ?? Math.min(7000, Math.floor(steps / 2)), "langevin.burnIn", {
      min: 0,
      integer: true,
    }),
    sampleEvery: assertNumber(o.sampleEvery ?? 50, "langevin.sampleEvery", {
      min: 1,
      integer: true,
    }),
    weightDecay: assertNumber(o.weightDecay ?? 5e-8, "langevin.weightDecay", { min: 0 }),
  };
}

interface TrackerConfig {
  current: () => tf.Tensor3D | null;
  setCurrent: (t: tf.Tensor3D) => void;
  score?: (output: tf.Tensor3D) => number | Promise<number>;
  every: number;
  steps: number;
  ema?: number;
  langevin: ResolvedLangevin | null;
  onOutput?: (output: tf.Tensor3D, step: number) => void | Promise<void>;
}

interface TrackerJson {
  bestStep: number;
  bestScore: number;
  samples: number;
}

/**
 * fitDip's own callback (every step): the exponential average, the
 * posterior mean, PSNR every `every` steps and the best output. Its state is
 * checkpointed, so resumed runs continue exactly.
 */
class Tracker implements Callback {
  readonly every = 1;
  #best: tf.Tensor3D | null = null;
  #bestStep = 0;
  #bestScore = -Infinity;
  #ema: tf.Tensor3D | null = null;
  #sum: tf.Tensor3D | null = null;
  #samples = 0;

  constructor(readonly config: TrackerConfig) {}

  async onStep(ctx: { step: number; steps: number; history: History }): Promise<void> {
    const c = this.config;
    const out = c.current();
    if (!out) return;
    const { step } = ctx;
    if (c.ema !== undefined) {
      const prev = this.#ema;
      this.#ema = prev
        ? tf.tidy(() => prev.mul(c.ema!).add(out.mul(1 - c.ema!)) as tf.Tensor3D)
        : out.clone();
      prev?.dispose();
    }
    const l = c.langevin;
    if (l && step > l.burnIn && step % l.sampleEvery === 0) {
      const prev = this.#sum;
      this.#sum = prev ? prev.add(out) : out.clone();
      prev?.dispose();
      this.#samples++;
    }
    if (step % c.every === 0 || step === ctx.steps) {
      await this.measure(step, ctx.history);
      await c.onOutput?.(out, step);
    }
  }

  /**
   * Records the scores of the current output at `step` (once per step) and
   * keeps it if it is the best so far.
   */
  async measure(step: number, history: History): Promise<void> {
    const c = this.config;
    const out = c.current();
    const measured = history.series("psnr").x;
    if (!c.score || !out || measured[measured.length - 1] === step) return;
    const value = await c.score(out);
    const record: Record<string, number> = { psnr: value };
    if (this.#ema) record.psnrSmoothed = await c.score(this.#ema);
    if (this.#sum) {
      const mean = this.#sum.div(this.#samples) as tf.Tensor3D;
      record.psnrPosterior = await c.score(mean);
      mean.dispose();
    }
    history.add(step, record);
    if (value > this.#bestScore) {
      this.#bestScore = value;
      this.#bestStep = step;
      this.#best?.dispose();
      this.#best = out.clone();
    }
  }

  getState(): CallbackState {
    const tensors: Record<string, tf.Tensor> = {};
    const out = this.config.current();
    if (out) tensors.last = out;
    if (this.#best) tensors.best = this.#best;
    if (this.#ema) tensors.ema = this.#ema;
    if (this.#sum) tensors.sum = this.#sum;
    const json: TrackerJson = {
      bestStep: this.#bestStep,
      bestScore: this.#bestScore === -Infinity ? -1e308 : this.#bestScore,
      samples: this.#samples,
    };
    return { tensors, json };
  }

  setState(state: CallbackState): void {
    const t = state.tensors ?? {};
    const json = state.json as TrackerJson;
    this.dispose();
    if (t.last) this.config.setCurrent(t.last as tf.Tensor3D);
    this.#best = (t.best as tf.Tensor3D | undefined) ?? null;
    this.#ema = (t.ema as tf.Tensor3D | undefined) ?? null;
    this.#sum = (t.sum as tf.Tensor3D | undefined) ?? null;
    this.#bestStep = json.bestStep;
    this.#bestScore = json.bestScore <= -1e308 ? -Infinity : json.bestScore;
    this.#samples = json.samples;
  }

  /** Copies of the outputs for the result (the caller owns them). */
  results(): Pick<FitDipResult, "best" | "smoothed" | "posteriorMean"> {
    const r: Pick<FitDipResult, "best" | "smoothed" | "posteriorMean"> = {};
    if (this.#best) {
      r.best = { image: this.#best.clone(), step: this.#bestStep, psnr: this.#bestScore };
    }
    if (this.#ema) r.smoothed = this.#ema.clone();
    if (this.#sum) r.posteriorMean = this.#sum.div(this.#samples) as tf.Tensor3D;
    return r;
  }

  dispose(): void {
    tf.dispose([this.#best, this.#ema, this.#sum].filter((t): t is tf.Tensor3D => t !== null));
    this.#best = this.#ema = this.#sum = null;
  }
}
