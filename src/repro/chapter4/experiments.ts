/**
 * The experiments of the chapter 4 reproduction: the plan (every network,
 * head variant, kernel and seed that Tables 15–22 need, each once), the
 * training and evaluation of one of them, and the σ-error analysis of the
 * kernels against real object sizes (Tables 19 and 22).
 *
 * Every run trains a base network's backbone (image → V) with heads from
 * `createFocusHeads` on top: `base` has neither branch (density = 1×1
 * convolution of V, the network's own head), the attention variants learn
 * their maps without supervision, the focus variants are supervised by the
 * segmentation maps (eq. 4.2) and global-density levels (eqs. 4.4–4.5) made
 * from the same points. The loss is eq. 4.9, λ_r L_r + λ_s L_s + λ_c L_c, with
 * the settings' forms. Validation (best-model selection) is on held-out
 * training-side images, never the test images.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { subsample } from "../chapter2/record.ts";
import type { ExperimentContext } from "../run.ts";
import { densityMapData, type DensityOptions } from "../../counting/density.ts";
import { downsampleDensityData } from "../../counting/downsample.ts";
import { evaluateCounter } from "../../counting/evaluate.ts";
import { fitCounter } from "../../counting/fit_counter.ts";
import { createFocusHeads, focusDensityLoss, focusLossTerms } from "../../counting/focus.ts";
import { globalDensityStep } from "../../counting/global_density.ts";
import { csrnet, encoderDistillerDecoder, fcrn, mcnn } from "../../counting/networks/mod.ts";
import { type CountingNetwork, namedWeights } from "../../counting/networks/network.ts";
import type { Points } from "../../counting/points.ts";
import type { CountingSample } from "../../counting/sample.ts";
import { kernelSigmas } from "../../counting/sigma.ts";
import type { CounterForward } from "../../counting/train.ts";
import { psnr } from "../../metrics/psnr.ts";
import { ssim } from "../../metrics/ssim.ts";
import type { Chapter4Data } from "./data.ts";
import {
  type Chapter4Settings,
  datasetOf,
  EDD_VARIANTS,
  HEAD_SPECS,
  HEAD_VARIANTS,
  type HeadVariant,
  type KernelChoice,
  kernelKey,
  kernelOptions,
  type NetworkKind,
} from "./settings.ts";

/** One training run of the plan. */
export interface Chapter4Experiment {
  /** Identifier, e.g. `"bbbc039-edd-combined-focus-boxes-s0"`. */
  id: string;
  /** Dataset key. */
  dataset: string;
  /** Base network. */
  network: NetworkKind;
  /** Heads on it. */
  heads: HeadVariant;
  /** The density kernel (the dataset's own unless Tables 19/22 ask for another). */
  kernel: DensityOptions;
  /** Seed of the weights, the batches and (VGG) the training draw. */
  seed: number;
  /** What it is, for the log. */
  label: string;
}

/**
 * The experiment id of a run.
 *
 * @param dataset Dataset key.
 * @param network Network.
 * @param heads Heads.
 * @param kernel Density options.
 * @param seed Seed.
 * @returns `dataset-network-heads-kernel-sSEED`.
 */
export function chapter4ExperimentId(
  dataset: string,
  network: NetworkKind,
  heads: HeadVariant,
  kernel: DensityOptions,
  seed: number,
): string {
  return `${dataset}-${network}-${heads}-${kernelKey(kernel)}-s${seed}`;
}

/**
 * Every run the tables need, each once, in the order the tables use them:
 * Tables 15–17 (every head variant on the encoder-distiller-decoder), Table
 * 18 (base and combined focus on each base network), Tables 19/22 (GAK and
 * the non-uniform kernel), Table 21 (the network's variants, base heads),
 * Table 20 (combined focus on each dataset).
 *
 * @param s The settings.
 * @returns The runs.
 * @example
 * ```ts
 * import { chapter4Plan } from "./experiments.ts";
 * import { chapter4Settings } from "./settings.ts";
 * console.log(chapter4Plan(chapter4Settings("smoke")).length); // 21
 * ```
 */
export function chapter4Plan(s: Chapter4Settings): Chapter4Experiment[] {
  const plan = new Map<string, Chapter4Experiment>();
  const add = (
    dataset: string,
    network: NetworkKind,
    heads: HeadVariant,
    kernel: DensityOptions,
    seed: number,
  ) => {
    const id = chapter4ExperimentId(dataset, network, heads, kernel, seed);
    if (plan.has(id)) return;
    const name = datasetOf(s, dataset).name;
    plan.set(id, {
      id,
      dataset,
      network,
      heads,
      kernel,
      seed,
      label: `${network} ${heads} on ${name}, ${kernelKey(kernel)} kernel, seed ${seed}`,
    });
  };
  for (const d of s.ablation) {
    const k = datasetOf(s, d).kernel;
    for (const seed of s.seeds) {
      for (const h of HEAD_VARIANTS) add(d, s.ablationNetwork, h, k, seed);
    }
    for (const seed of s.seeds.slice(0, s.secondarySeeds)) {
      for (const n of s.baseNetworks) {
        for (const h of ["base", "combined-focus"] as const) {
          add(d, n, h, k, seed);
        }
      }
    }
  }
  for (const d of s.kernels) {
    for (const seed of s.seeds.slice(0, s.secondarySeeds)) {
      for (const r of s.kernelRuns) {
        for (const kernel of ["adaptive", "nonuniform"] as const) {
          add(d, r.network, r.heads, kernelOptions(s, kernel), seed);
        }
      }
    }
  }
  for (const d of s.eddAblation) {
    const k = datasetOf(s, d).kernel;
    for (const seed of s.seeds.slice(0, s.secondarySeeds)) {
      for (const n of EDD_VARIANTS) add(d, n, "base", k, seed);
    }
  }
  for (const d of s.sota) {
    const k = datasetOf(s, d).kernel;
    const main = s.ablation.includes(d) || s.kernels.includes(d) || s.eddAblation.includes(d);
    for (const seed of main ? s.seeds : s.seeds.slice(0, s.sotaSeeds)) {
      add(d, s.ablationNetwork, "combined-focus", k, seed);
    }
  }
  return [...plan.values()];
}

/** Cost of a training step of each network relative to the encoder-distiller-decoder (wasm). */
const STEP_COST: Readonly<Record<NetworkKind, number>> = {
  edd: 1,
  encoder: 0.6,
  "encoder-distiller": 0.7,
  "encoder-decoder": 0.9,
  mcnn: 0.4,
  fcrn: 0.4,
  csrnet: 0.75,
};

/**
 * A run's expected cost (steps × the network's relative step cost), for the
 * ETA and for sharing runs between worker processes.
 *
 * @param e The run.
 * @param s The settings.
 * @param trainImages Training images (for an epoch budget; default: the steps).
 * @returns The cost.
 */
export function chapter4Cost(
  e: Pick<Chapter4Experiment, "network" | "heads">,
  s: Pick<Chapter4Settings, "steps" | "epochs" | "batchSize">,
  trainImages?: number,
): number {
  const heads = e.heads === "base" ? 1 : 1.1;
  return chapter4Steps(s, trainImages ?? 0) * STEP_COST[e.network] * heads;
}

/**
 * The steps of a run: `epochs × images / batch` with an epoch budget, else `steps`.
 *
 * @param s The settings.
 * @param trainImages Training images.
 * @returns The steps (≥ 1).
 */
export function chapter4Steps(
  s: Pick<Chapter4Settings, "steps" | "epochs" | "batchSize">,
  trainImages: number,
): number {
  if (s.epochs === null || trainImages <= 0) return s.steps;
  return Math.max(1, Math.ceil((s.epochs * trainImages) / s.batchSize));
}

/**
 * Builds a network of the plan.
 *
 * @param kind The network.
 * @param options Width, input channels and seed.
 * @returns The network; dispose it.
 */
export function buildChapter4Network(
  kind: NetworkKind,
  options: { width: number; inputChannels: number; seed: number },
): CountingNetwork {
  const o = { width: options.width, inputChannels: options.inputChannels, seed: options.seed };
  switch (kind) {
    case "mcnn":
      return mcnn(o);
    case "fcrn":
      return fcrn({ ...o, batchNorm: true });
    case "csrnet":
      return csrnet({ ...o, batchNorm: true });
    case "edd":
      return encoderDistillerDecoder(o);
    case "encoder":
      return encoderDistillerDecoder({ ...o, distiller: false, decoder: false });
    case "encoder-distiller":
      return encoderDistillerDecoder({ ...o, decoder: false });
    case "encoder-decoder":
      return encoderDistillerDecoder({ ...o, distiller: false });
  }
}

/** Small maps of one test image for the report's figures (sum-pooled to at most `exampleSide`). */
export interface ExampleMaps {
  /** The test image's name. */
  name: string;
  /** Rows and columns of the maps. */
  height: number;
  /** Columns. */
  width: number;
  /** The pooling factor from the network's output. */
  pool: number;
  /** Predicted density (objects per cell), row-major. */
  density: number[];
  /** V_s or the spatial attention, averaged over each cell. */
  spatial?: number[];
  /** V_d or the channel attention (one value per channel of V). */
  channel?: number[];
}

/** What a run stores (`runs/<id>/result.json`). */
export interface Chapter4Record {
  /** The run's id. */
  id: string;
  /** Dataset key. */
  dataset: string;
  /** Network. */
  network: NetworkKind;
  /** Heads. */
  heads: HeadVariant;
  /** Kernel key (`kernelKey`). */
  kernel: string;
  /** Seed. */
  seed: number;
  /** Steps trained. */
  steps: number;
  /** Trainable parameters of the network and heads. */
  parameters: number;
  /** The global-density step L (eq. 4.5) of the training crops. */
  levelStep: number;
  /** Test MAE, RMSE, NMAE. */
  metrics: { mae: number; rmse: number; nmae: number };
  /** GAME(0–3) on the test images. */
  game: Record<number, number>;
  /** Density PSNR (dB) and SSIM against the truth map (data range: its maximum), mean over images. */
  density: { psnr: number | null; ssim: number | null };
  /** Per-image counts on the test images. */
  perImage: { names: string[]; predicted: number[]; truth: number[] };
  /** Training loss (subsampled). */
  loss: { x: number[]; y: number[] };
  /** Validation MAE during training. */
  val: { x: number[]; y: number[] };
  /** Best validation MAE and its step (the weights tested). */
  best: { step: number; mae: number } | null;
  /** Training seconds of this invocation. */
  seconds: number;
  /** Example maps (first seed only). */
  example?: ExampleMaps;
}

/** The data a run needs, from the session. */
export interface RunData {
  /** The opened dataset. */
  data: Chapter4Data;
  /** Training, validation and test samples for the run's seed. */
  train: CountingSample[];
  /** Validation samples. */
  val: CountingSample[];
  /** Test samples. */
  test: CountingSample[];
}

/** Options of {@linkcode runChapter4Experiment}. */
export interface RunChapter4Options {
  /** Show a progress bar (default `true`). */
  progress?: boolean;
  /** Keep example maps (default: the run's seed is the first of the settings'). */
  example?: boolean;
}

const round4 = (v: number) => Number(v.toPrecision(4));

/**
 * Trains one run and tests it: counts per image, MAE / RMSE / NMAE, GAME(0–3),
 * density PSNR/SSIM, curves and example maps.
 *
 * @param ctx The experiment's context (checkpoint, resume, signal).
 * @param exp The run.
 * @param data The run's images.
 * @param settings The settings.
 * @param options Progress, example maps.
 * @returns The record.
 * @throws {Interrupted} When Ctrl-C stopped training (a checkpoint is on disk).
 */
export async function runChapter4Experiment(
  ctx: ExperimentContext,
  exp: Chapter4Experiment,
  data: RunData,
  settings: Chapter4Settings,
  options: RunChapter4Options = {},
): Promise<Chapter4Record> {
  const spec = data.data.spec;
  const net = buildChapter4Network(exp.network, {
    width: settings.widths[exp.network],
    inputChannels: spec.channels,
    seed: exp.seed,
  });
  const head = HEAD_SPECS[exp.heads];
  const heads = createFocusHeads({
    channels: net.featureChannels,
    spatial: head.spatial,
    channel: head.channel,
    levels: spec.levels,
    seed: exp.seed,
  });
  try {
    const forward: CounterForward = (x, training) =>
      heads.apply(net.backbone.apply(x, { training }) as tf.Tensor4D);
    const crop = settings.crop;
    const levelStep = globalDensityStep(
      data.train.map((s) => ({ count: s.points.x.length, pixels: s.shape[0] * s.shape[1] })),
      { levels: spec.levels, patchPixels: crop * crop },
    );
    const steps = chapter4Steps(settings, data.train.length);
    const form = settings.densityLoss;
    const result = await fitCounter(net, data.train, {
      steps,
      batchSize: settings.batchSize,
      crop: [crop, crop],
      density: exp.kernel,
      lr: settings.lr,
      loss: (p, t) => focusDensityLoss(p, t, form),
      lossTerms: focusLossTerms({
        segmentationWeight: settings.lambdas.segmentation,
        globalDensityWeight: settings.lambdas.globalDensity,
        focalForm: settings.focalForm,
      }),
      validation: data.val,
      validateEvery: Math.max(1, Math.ceil(steps / settings.validations)),
      seed: exp.seed,
      forward,
      extraVariables: heads.variables,
      batches: {
        segmentation: head.spatial === "focus",
        levels: head.channel === "focus" ? { step: levelStep, levels: spec.levels } : undefined,
      },
      checkpoint: ctx.checkpoint,
      resume: ctx.resume,
      signal: ctx.signal,
      progress: options.progress === false ? false : exp.id,
    });
    ctx.ensureFinished(result);
    const evaluation = await evaluateCounter(forward, data.test, {
      outputStride: net.outputStride,
      inputMultiple: net.inputMultiple,
      gameLevels: [0, 1, 2, 3],
      density: exp.kernel,
      keepMaps: true,
    });
    const quality = densityQuality(evaluation.maps!, data.test, exp.kernel, net.outputStride);
    const wantExample = options.example ?? exp.seed === settings.seeds[0];
    const example = wantExample
      ? exampleMaps(forward, data.test[0], net, settings.exampleSide)
      : undefined;
    // The backbone's and the heads' weights (the network's own 1×1 head is not used).
    const params = [
      ...Object.entries(namedWeights(net.model).variables)
        .filter(([k]) => !/\/density\//.test(k))
        .map(([, v]) => v),
      ...Object.values(heads.variables),
    ].reduce((a, v) => a + v.size, 0);
    const series = (name: string) => {
      try {
        return subsample(result.history.series(name), settings.historyPoints);
      } catch {
        return { x: [], y: [] };
      }
    };
    return {
      id: exp.id,
      dataset: exp.dataset,
      network: exp.network,
      heads: exp.heads,
      kernel: kernelKey(exp.kernel),
      seed: exp.seed,
      steps: result.steps,
      parameters: params,
      levelStep,
      metrics: {
        mae: evaluation.metrics.mae,
        rmse: evaluation.metrics.rmse,
        nmae: evaluation.metrics.nmae,
      },
      game: evaluation.game,
      density: quality,
      perImage: {
        names: evaluation.names,
        predicted: [...evaluation.predicted].map(round4),
        truth: [...evaluation.truth],
      },
      loss: series("loss"),
      val: series("val_mae"),
      best: result.best ?? null,
      seconds: result.seconds,
      example,
    };
  } finally {
    heads.dispose();
    net.dispose();
  }
}

/**
 * Density PSNR and SSIM of the predicted maps against the truth maps at the
 * output's resolution (data range: the truth map's maximum, per image),
 * averaged over the images; SSIM only on maps of at least 11 × 11.
 *
 * @param maps Predicted maps (density units), one per sample.
 * @param samples The samples.
 * @param kernel The truth kernel.
 * @param stride The output stride.
 * @returns Mean PSNR and SSIM (`null` when no image qualifies).
 */
export function densityQuality(
  maps: readonly { data: Float32Array; height: number; width: number }[],
  samples: readonly CountingSample[],
  kernel: DensityOptions,
  stride: number,
): { psnr: number | null; ssim: number | null } {
  let p = 0, pn = 0, q = 0, qn = 0;
  maps.forEach((m, i) => {
    const s = samples[i];
    const d = densityMapData(s.points, [s.shape[0], s.shape[1]], kernel);
    const t = stride === 1 ? d : downsampleDensityData(d, stride);
    let peak = 0;
    for (const v of t.data) peak = Math.max(peak, v);
    if (!(peak > 0) || t.height !== m.height || t.width !== m.width) return;
    const a = tf.tensor3d(t.data, [t.height, t.width, 1]);
    const b = tf.tensor3d(m.data, [m.height, m.width, 1]);
    try {
      const v = psnr(a, b, { dataRange: peak });
      if (Number.isFinite(v)) {
        p += v;
        pn++;
      }
      if (m.height >= 11 && m.width >= 11) {
        q += ssim(a, b, { dataRange: peak });
        qn++;
      }
    } finally {
      tf.dispose([a, b]);
    }
  });
  return { psnr: pn ? p / pn : null, ssim: qn ? q / qn : null };
}

/**
 * The example maps of one image: the forward pass on the whole image (padded
 * to the input multiple), density and the heads' maps, pooled to at most
 * `side` cells along the longer side.
 *
 * @param forward The trained forward pass.
 * @param sample The image.
 * @param net The network (stride, multiple).
 * @param side Largest side of the kept maps.
 * @returns The maps.
 */
export function exampleMaps(
  forward: CounterForward,
  sample: CountingSample,
  net: Pick<CountingNetwork, "outputStride" | "inputMultiple">,
  side: number,
): ExampleMaps {
  const [h, w, c] = sample.shape;
  const m = Math.max(net.inputMultiple, net.outputStride);
  const ph = Math.ceil(h / m) * m, pw = Math.ceil(w / m) * m;
  return tf.tidy(() => {
    let x = tf.tensor4d(sample.image, [1, h, w, c]);
    if (ph !== h || pw !== w) x = tf.pad(x, [[0, 0], [0, ph - h], [0, pw - w], [0, 0]]);
    const out = forward(x, false);
    const o = out instanceof tf.Tensor ? { density: out } : out;
    const s = net.outputStride;
    const oh = Math.ceil(h / s), ow = Math.ceil(w / s);
    const pool = Math.max(1, Math.ceil(Math.max(oh, ow) / side));
    const cut = (t: tf.Tensor) =>
      tf.slice(t as tf.Tensor4D, [0, 0, 0, 0], [1, oh, ow, 1]) as tf.Tensor4D;
    const pooled = (t: tf.Tensor4D, sum: boolean) => {
      if (pool === 1) return t;
      const avg = tf.avgPool(t, pool, pool, "same");
      return sum ? tf.mul(avg, pool * pool) as tf.Tensor4D : avg;
    };
    const density = pooled(tf.div(cut(o.density), 100) as tf.Tensor4D, true);
    const spatialMap = o.spatialMap as tf.Tensor | undefined;
    const channelWeights = o.channelWeights as tf.Tensor | undefined;
    const [, H, W] = density.shape;
    const values = (t: tf.Tensor) => [...t.dataSync()].map(round4);
    return {
      name: sample.name,
      height: H,
      width: W,
      pool,
      density: values(density),
      spatial: spatialMap ? values(pooled(cut(spatialMap), false)) : undefined,
      channel: channelWeights ? values(channelWeights) : undefined,
    };
  });
}

/** The σ error of one kernel against the object sizes. */
export interface SigmaError {
  /** Mean |σ − σ_true| over every point (pixels of the original images). */
  mae: number;
  /** Mean σ − σ_true. */
  bias: number;
  /** Mean σ. */
  mean: number;
}

/** What the σ-error analysis of a dataset stores. */
export interface SigmaRecord {
  /** Dataset key. */
  dataset: string;
  /** Images and points used. */
  images: number;
  /** Points. */
  points: number;
  /** σ_true = sizeToSigma × size. */
  sizeToSigma: number;
  /** Mean σ_true. */
  meanTrue: number;
  /** GAK and the non-uniform kernel (and `boxes`, σ from the sizes: 0 by construction). */
  kernels: Record<KernelChoice, SigmaError>;
}

/**
 * Tables 19 and 22's MAE(σ): each kernel's σ per point against σ_true =
 * `sizeToSigma` × the object's size (its diameter; the core's `"boxes"` rule,
 * an object of diameter d is a disc of radius 2σ), over every annotated image
 * at full resolution.
 *
 * @param images Points (with `sizes` or `boxes`) and image sizes.
 * @param settings The kernels and the size rule.
 * @param dataset The dataset's key.
 * @returns The errors, or `null` when the points carry no sizes.
 * @example
 * ```ts
 * import { sigmaErrors } from "./experiments.ts";
 * import { chapter4Settings } from "./settings.ts";
 * const points = { x: Float32Array.of(10, 20, 40), y: Float32Array.of(10, 12, 30), sizes: Float32Array.of(8, 8, 8) };
 * const r = sigmaErrors([{ points, shape: [64, 64] }], chapter4Settings("quick"), "toy")!;
 * console.log(r.meanTrue, r.kernels.boxes.mae); // 2 0
 * ```
 */
export function sigmaErrors(
  images: readonly { points: Points; shape: readonly [number, number] }[],
  settings: Pick<Chapter4Settings, "adaptiveKernel" | "nonuniformKernel" | "sizeToSigma">,
  dataset: string,
): SigmaRecord | null {
  const sums: Record<KernelChoice, { abs: number; diff: number; sum: number }> = {
    adaptive: { abs: 0, diff: 0, sum: 0 },
    nonuniform: { abs: 0, diff: 0, sum: 0 },
    boxes: { abs: 0, diff: 0, sum: 0 },
  };
  let n = 0, used = 0, trueSum = 0;
  for (const { points, shape } of images) {
    if (points.x.length === 0) continue;
    if (!points.sizes && !points.boxes) return null;
    used++;
    const truth = kernelSigmas(points, shape, kernelOptions(settings, "boxes"));
    for (const k of ["adaptive", "nonuniform", "boxes"] as const) {
      const sigma = kernelSigmas(points, shape, kernelOptions(settings, k));
      for (let i = 0; i < sigma.length; i++) {
        const d = sigma[i] - truth[i];
        sums[k].abs += Math.abs(d);
        sums[k].diff += d;
        sums[k].sum += sigma[i];
      }
    }
    for (const t of truth) trueSum += t;
    n += points.x.length;
  }
  if (n === 0) return null;
  const err = (k: KernelChoice): SigmaError => ({
    mae: sums[k].abs / n,
    bias: sums[k].diff / n,
    mean: sums[k].sum / n,
  });
  return {
    dataset,
    images: used,
    points: n,
    sizeToSigma: settings.sizeToSigma,
    meanTrue: trueSum / n,
    kernels: { adaptive: err("adaptive"), nonuniform: err("nonuniform"), boxes: err("boxes") },
  };
}
