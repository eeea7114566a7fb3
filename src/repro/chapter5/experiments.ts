/**
 * The experiments of the chapter 5 reproduction: the plan (which networks
 * each table needs, with the networks they depend on), and running one
 * experiment: build the network, train it with `fitCounter` as its method
 * says (oracle masking, the frozen segmenter's cascade, Modolo's and Cheng's
 * baselines, occlusion creation, Cutout, CutMix, distilled targets, or their
 * combinations), test it on whole images, and return per-image counts with
 * the background/foreground split of the error.
 *
 * Choices where the thesis is silent (all fixed before any result was seen):
 * - f_s is the HRNet-style network at the profile's width for every backbone
 *   (the thesis: "throughout this paper, we use HRNetV2-W48 as the
 *   segmentation network"), trained without validation for a fixed budget;
 *   the cascade uses its soft probability Ŝ.
 * - f_a of the distillation is the oracle network of Table 23: the thesis
 *   trains f_a with ℓ1 on background-blacked images against the Gaussian
 *   maps and stops it at its best validation MAE, which is exactly the
 *   oracle counter; one f_a (seed `singleSeed`) serves every seed of f_d.
 * - Modolo et al.'s segmentation attention is a 1×1 convolution on the
 *   counting network's last features (one backbone, two heads), trained
 *   jointly with λ = 1; Cheng et al.'s two-stage f_d is the same backbone on
 *   the one-channel probability map of the frozen f_s.
 * - Occlusion creation, Cutout and CutMix each act on a training crop with
 *   probability `augmentProbability` (0.5), after cropping and flipping.
 * - A network of output stride s outputs `densityScale / s²` × the density
 *   (sum-pooled to its resolution): each output cell then holds values of the
 *   size a stride-1 network's pixels hold at `densityScale` (C-3-Framework's
 *   100), so that no backbone must first grow its output weights by s².
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/rng.ts";
import { createProgress } from "../../core/progress.ts";
import {
  type BackgroundSplitErrors,
  backgroundSplitErrors,
  cascadeForward,
  csrnet,
  cutmix,
  cutout,
  densityMapData,
  distilledBatch,
  downsampleDensityData,
  evaluateCounter,
  fitCounter,
  foregroundCrossEntropy,
  hrnet,
  loadCounter,
  oracleBatch,
  predictDensity,
  saveCounter,
  segmentationAttentionForward,
  segmentationAttentionLoss,
  twoStageForward,
} from "../../counting/mod.ts";
import type { AugmentInput, TrainingBatchOptions } from "../../counting/batches.ts";
import { createOcclusion } from "../../counting/occlusion.ts";
import type { CountingNetwork } from "../../counting/networks/network.ts";
import type { CountingSample } from "../../counting/sample.ts";
import type { CounterForward } from "../../counting/train.ts";
import type { ExperimentContext } from "../run.ts";
import { type Chapter5Data, oracleMaskedSample } from "./data.ts";
import {
  type Backbone,
  type Chapter5Settings,
  type Method,
  methodLabel,
  type NetworkSizes,
} from "./settings.ts";

/** One experiment of the plan. */
export interface Chapter5Experiment {
  /** Identifier (stored results under `runs/<id>/`). */
  id: string;
  /** Data set key. */
  dataset: string;
  /** Backbone of the density network (the segmenter: the HRNet-style network). */
  backbone: Backbone;
  /** What it trains. */
  method: Method;
  /** Seed of the network, batches and augmentations. */
  seed: number;
  /** Experiments whose stored networks this one loads (run first). */
  after: string[];
  /** What it is, for the log. */
  label: string;
}

/** Methods trained once per data set and backbone (seed `singleSeed`), not once per seed. */
const SINGLE: ReadonlySet<Method> = new Set(["oracle", "segmenter"]);
/** Methods that run on the frozen segmenter's output. */
const USES_SEGMENTER: ReadonlySet<Method> = new Set([
  "cascade",
  "twostage",
  "bg-gt",
  "bg-occ",
  "all",
]);
/** Methods trained against the auxiliary network's distilled maps. */
const USES_AUXILIARY: ReadonlySet<Method> = new Set(["distilled", "bg-gt", "all"]);
/** Methods with occlusion creation. */
const OCCLUDES: ReadonlySet<Method> = new Set(["occlusion", "bg-occ", "all"]);

/**
 * The identifier of an experiment.
 *
 * @param dataset Data set key.
 * @param backbone Backbone.
 * @param method Method.
 * @param seed Seed (ignored for the single-run methods).
 * @returns E.g. `"bbbc039-csrnet-cascade-s0"`, `"bbbc039-segmenter"`, `"bbbc039-hrnet-oracle"`.
 */
export function chapter5ExperimentId(
  dataset: string,
  backbone: Backbone,
  method: Method,
  seed: number,
): string {
  if (method === "segmenter") return `${dataset}-segmenter`;
  if (method === "oracle") return `${dataset}-${backbone}-oracle`;
  return `${dataset}-${backbone}-${method}-s${seed}`;
}

/** The methods each table needs (besides the networks they depend on). */
export const TABLE_METHODS: Readonly<
  Record<"oracle" | "background" | "occlusion" | "distillation" | "combined" | "sota", Method[]>
> = {
  oracle: ["base", "oracle"],
  background: ["base", "cascade", "attention", "twostage"],
  occlusion: ["base", "occlusion", "cutout", "cutmix"],
  distillation: ["base", "distilled"],
  combined: ["base", "cascade", "bg-gt", "bg-occ", "all"],
  sota: ["all"],
};

/**
 * Every experiment the settings' tables need, each once, dependencies first
 * (segmenters, then oracle networks, then the rest in table order).
 *
 * @param s The settings.
 * @returns The plan.
 * @example
 * ```ts
 * import { chapter5Settings } from "./settings.ts";
 * import { planChapter5 } from "./experiments.ts";
 * const plan = planChapter5(chapter5Settings("smoke"));
 * console.log(plan[0].id); // bbbc039-segmenter
 * ```
 */
export function planChapter5(s: Chapter5Settings): Chapter5Experiment[] {
  const byId = new Map<string, Chapter5Experiment>();
  const add = (dataset: string, backbone: Backbone, method: Method, seed: number) => {
    const single = SINGLE.has(method);
    const sd = single ? s.singleSeed : seed;
    const bb = method === "segmenter" ? "hrnet" : backbone;
    const id = chapter5ExperimentId(dataset, bb, method, sd);
    if (byId.has(id)) return id;
    const after: string[] = [];
    if (USES_SEGMENTER.has(method)) after.push(add(dataset, "hrnet", "segmenter", sd));
    if (USES_AUXILIARY.has(method)) after.push(add(dataset, backbone, "oracle", sd));
    const d = s.datasets[dataset];
    const what = method === "segmenter"
      ? `f_s (HRNet) on ${d.label}`
      : `${backbone === "csrnet" ? "CSRNet" : "HRNet"} ${methodLabel(method)} on ${d.label}`;
    byId.set(id, {
      id,
      dataset,
      backbone: bb,
      method,
      seed: sd,
      after,
      label: `${what}${single ? "" : `, seed ${sd}`}`,
    });
    return id;
  };
  for (const table of Object.keys(TABLE_METHODS) as (keyof typeof TABLE_METHODS)[]) {
    const runs = s[table];
    for (const dataset of runs.datasets) {
      for (const backbone of runs.backbones) {
        for (const method of TABLE_METHODS[table]) {
          // Table 23's effect is large (the thesis: 39-75 % of the error): one seed
          if (SINGLE.has(method) || table === "oracle") {
            add(dataset, backbone, method, s.singleSeed);
          } else for (const seed of s.seeds) add(dataset, backbone, method, seed);
        }
      }
    }
  }
  const rank = (e: Chapter5Experiment) =>
    e.method === "segmenter" ? 0 : e.method === "oracle" ? 1 : 2;
  return [...byId.values()].sort((a, b) => rank(a) - rank(b));
}

/**
 * The expected cost of an experiment relative to a CSRNet base network
 * (for the ETA): steps × the backbone's and the method's relative step time.
 *
 * @param e The experiment.
 * @param s The settings.
 * @returns The cost.
 */
export function chapter5Cost(e: Chapter5Experiment, s: Chapter5Settings): number {
  const steps = e.method === "segmenter" ? s.segmenterSteps : s.steps;
  const backbone = e.backbone === "hrnet" ? 2.5 : 1;
  const extra = (USES_SEGMENTER.has(e.method) ? 0.6 : 0) + (USES_AUXILIARY.has(e.method) ? 0.3 : 0);
  return steps * (backbone + extra);
}

/** Density maps of one image for a figure (reduced to at most `figureSide` per side). */
export interface MapFigure {
  /** Rows of the predicted map (counts per cell). */
  predicted: number[][];
  /** Rows of the ground-truth map at the same resolution. */
  truth: number[][];
  /** Predicted and true counts. */
  count: { predicted: number; truth: number };
  /** Saved images, relative to the output folder. */
  images: Record<string, string>;
}

/** What a density network's experiment stores. */
export interface CountRecord {
  /** Record kind. */
  kind: "count";
  /** Its experiment id. */
  id: string;
  /** Data set key. */
  dataset: string;
  /** Backbone. */
  backbone: Backbone;
  /** Method. */
  method: Method;
  /** Seed. */
  seed: number;
  /** Steps trained. */
  steps: number;
  /** Training seconds. */
  seconds: number;
  /** Best validation MAE and its step (`null`: not validated). */
  best: { step: number; mae: number } | null;
  /** Test image names. */
  names: string[];
  /** Predicted count per test image. */
  predicted: number[];
  /** True count per test image. */
  truth: number[];
  /** MAE over the test images. */
  mae: number;
  /** RMSE. */
  rmse: number;
  /** Per image: the count on background pixels, and the foreground count error (Tables 24/29). */
  split: { background: number[]; foreground: number[] };
  /** Occlusion level M̄ of each test image (eq. 5.3). */
  levels: number[];
  /** Fig. 44 (cascade) or Fig. 46 (distilled) material, for the first seed. */
  figure?: MapFigure;
}

/** What the segmentation network's experiment stores. */
export interface SegmenterRecord {
  /** Record kind. */
  kind: "segmenter";
  /** Its experiment id. */
  id: string;
  /** Data set key. */
  dataset: string;
  /** Steps trained. */
  steps: number;
  /** Training seconds. */
  seconds: number;
  /** Mean IoU of Ŝ > 0.5 with the oracle foreground (density > 0) over the test images. */
  iouOracle: number;
  /** Mean IoU with the data set's real masks (`null`: none). */
  iouMask: number | null;
  /** Pixel accuracy against the oracle foreground. */
  accuracy: number;
  /** Fraction of the test pixels the oracle foreground covers, and Ŝ > 0.5 covers. */
  coverage: { oracle: number; predicted: number };
}

/** Any stored record. */
export type Chapter5Record = CountRecord | SegmenterRecord;

/** What {@linkcode runChapter5Experiment} needs beside the experiment. */
export interface Chapter5Env {
  /** The settings. */
  settings: Chapter5Settings;
  /** The experiment's data set, loaded. */
  data: Chapter5Data;
  /** The folder of an earlier experiment's stored network. */
  modelDir: (id: string) => string;
  /** Progress bars while training (default true). */
  progress?: boolean;
}

/**
 * Builds a base network at the profile's size.
 *
 * @param backbone Which network.
 * @param sizes The profile's sizes.
 * @param options Seed, input channels, a second output with the features.
 * @returns The network (dispose it).
 */
export function buildNetwork(
  backbone: Backbone,
  sizes: NetworkSizes,
  options: { seed: number; inputChannels: number; features?: boolean; prefix?: string },
): CountingNetwork {
  const common = {
    seed: options.seed,
    inputChannels: options.inputChannels,
    features: options.features,
    prefix: options.prefix,
  };
  return backbone === "csrnet"
    ? csrnet({ ...common, width: sizes.csrnet.width, batchNorm: true })
    : hrnet({ ...common, ...sizes.hrnet, modules: [...sizes.hrnet.modules] });
}

/** A frozen network loaded from an earlier experiment. */
export interface FrozenNetwork {
  /** Its forward pass (inference mode), padding inputs to its input multiple. */
  forward: (images: tf.Tensor4D) => tf.Tensor4D;
  /** Output stride. */
  outputStride: number;
  /** Input multiple. */
  inputMultiple: number;
  /** The density scale it was trained with (its output is `densityScale ×` density). */
  densityScale: number;
  /** Frees it. */
  dispose(): void;
}

/**
 * Loads a network stored by an earlier experiment; its forward pass pads
 * any input at the bottom and right to the network's input multiple and
 * crops the output back to `⌈H/s⌉ × ⌈W/s⌉`, so it can run inside another
 * network's forward pass on any size.
 *
 * @param dir The stored network's folder.
 * @returns The frozen network.
 */
export async function loadFrozen(dir: string): Promise<FrozenNetwork> {
  const counter = await loadCounter(dir);
  const { outputStride: s, inputMultiple: m } = counter.network;
  const forward = (x: tf.Tensor4D) =>
    tf.tidy(() => {
      const [, h, w] = x.shape;
      const ph = Math.ceil(h / m) * m, pw = Math.ceil(w / m) * m;
      const input = ph === h && pw === w
        ? x
        : tf.pad(x, [[0, 0], [0, ph - h], [0, pw - w], [0, 0]]);
      const raw = counter.model.predict(input);
      const out = (Array.isArray(raw) ? raw[0] : raw) as tf.Tensor4D;
      const oh = Math.ceil(h / s), ow = Math.ceil(w / s);
      return out.shape[1] === oh && out.shape[2] === ow
        ? out
        : tf.slice(out, [0, 0, 0, 0], [-1, oh, ow, -1]) as tf.Tensor4D;
    });
  return {
    forward,
    outputStride: s,
    inputMultiple: m,
    densityScale: counter.info.densityScale,
    dispose: () => {
      counter.dispose();
    },
  };
}

/**
 * An augmentation hook for `trainingBatches`: occlusion creation (eqs.
 * 5.1-5.3, β / M̄ of the crop's objects), Cutout or CutMix, applied to a crop
 * with probability `p`.
 *
 * @param kind Which augmentation.
 * @param options Probability and β.
 * @returns The hook.
 */
export function augmentation(
  kind: "occlusion" | "cutout" | "cutmix",
  options: { probability: number; beta: number },
): NonNullable<TrainingBatchOptions["augment"]> {
  return ({ sample, sigmas, other }: AugmentInput, rng: Rng) => {
    if (rng.next() >= options.probability) return { image: sample.image, target: sample.target };
    const image = { data: sample.image, shape: sample.shape };
    if (kind === "occlusion") {
      const r = createOcclusion(image, sample.points, {
        sigmas,
        density: sample.target,
        beta: options.beta,
        seed: rng,
      });
      return { image: r.image.data, target: r.density };
    }
    if (kind === "cutout") {
      const r = cutout(image, sample.target, { seed: rng });
      return { image: r.image.data, target: r.density };
    }
    const b = other();
    const r = cutmix(
      { image, density: sample.target },
      { image: { data: b.image, shape: b.shape }, density: b.target },
      { seed: rng },
    );
    return { image: r.image.data, target: r.density };
  };
}

/**
 * One model application shared by two forward passes of the same images
 * (the density and the segmentation-attention head read the same
 * backbone): the first call with an image tensor runs the model, a second
 * call with the same tensor and mode reuses its outputs.
 */
function sharedOutputs(net: CountingNetwork): (x: tf.Tensor4D, training: boolean) => tf.Tensor4D[] {
  let last: { x: tf.Tensor4D; training: boolean; out: tf.Tensor4D[] } | null = null;
  return (x, training) => {
    if (last && last.x === x && last.training === training && !last.out[0].isDisposed) {
      return last.out;
    }
    const out = net.model.apply(x, { training }) as tf.Tensor4D[];
    last = { x, training, out };
    return out;
  };
}

/** Sum-pools a map to at most `side` cells per side, as rows for a heatmap. */
export function shrinkMap(data: Float32Array, h: number, w: number, side: number): number[][] {
  const f = Math.max(1, Math.ceil(Math.max(h, w) / side));
  const plane = downsampleDensityData({ data, height: h, width: w }, f);
  const rows: number[][] = [];
  for (let y = 0; y < plane.height; y++) {
    rows.push(
      Array.from(
        plane.data.subarray(y * plane.width, (y + 1) * plane.width),
        (v) => Math.round(v * 1e5) / 1e5,
      ),
    );
  }
  return rows;
}

/**
 * Tests a forward pass on whole images: per-image counts, MAE, RMSE and the
 * background/foreground split against the oracle foreground at the output's
 * resolution.
 *
 * @param forward The forward pass.
 * @param samples The test images (masked ones for the oracle).
 * @param truthOf The unmasked samples (their points give the truth).
 * @param options Stride, input multiple, the kernel.
 * @returns Counts, errors, and the maps.
 */
export async function testCounter(
  forward: CounterForward,
  samples: readonly CountingSample[],
  options: {
    outputStride: number;
    inputMultiple: number;
    densityScale: number;
    density: Chapter5Data["dataset"]["density"];
  },
): Promise<{
  names: string[];
  predicted: number[];
  truth: number[];
  mae: number;
  rmse: number;
  split: BackgroundSplitErrors[];
  maps: { data: Float32Array; height: number; width: number }[];
  truthMaps: { data: Float32Array; height: number; width: number }[];
}> {
  const r = await evaluateCounter(forward, samples, {
    outputStride: options.outputStride,
    inputMultiple: options.inputMultiple,
    densityScale: options.densityScale,
    gameLevels: [],
    keepMaps: true,
  });
  const split: BackgroundSplitErrors[] = [];
  const truthMaps: { data: Float32Array; height: number; width: number }[] = [];
  samples.forEach((s, i) => {
    const d = densityMapData(s.points, [s.shape[0], s.shape[1]], options.density);
    const t = downsampleDensityData(d, options.outputStride);
    const fg = t.data.map((v) => (v > 0 ? 1 : 0));
    split.push(backgroundSplitErrors(r.maps![i].data, t.data, fg));
    truthMaps.push(t);
  });
  return {
    names: r.names,
    predicted: Array.from(r.predicted),
    truth: Array.from(r.truth),
    mae: r.metrics.mae,
    rmse: r.metrics.rmse,
    split,
    maps: r.maps!,
    truthMaps,
  };
}

const lcm = (a: number, b: number): number => {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a / gcd(a, b)) * b;
};

/**
 * An image sample as a `[H, W, C]` tensor for a figure: divided by `peak`
 * (default its maximum: BBBC039's 12-bit nuclei are dim on [0, 1]) and
 * clipped to [0, 1].
 */
function imageTensor(
  data: Float32Array,
  shape: readonly [number, number, number],
  peak?: number,
): tf.Tensor3D {
  const top = peak ?? data.reduce((a, v) => Math.max(a, v), 1e-9);
  return tf.tidy(() =>
    tf.clipByValue(tf.div(tf.tensor3d(data, [...shape]), top), 0, 1) as tf.Tensor3D
  );
}

/**
 * Runs one experiment: trains its networks as its method says and tests
 * them on the data set's test images.
 *
 * @param ctx The experiment's context (checkpoint, resume, signal, images).
 * @param e The experiment.
 * @param env Settings, data, where earlier networks are stored.
 * @returns What `result.json` stores.
 * @throws {Interrupted} When Ctrl-C stopped training (a checkpoint is on disk).
 */
export async function runChapter5Experiment(
  ctx: ExperimentContext,
  e: Chapter5Experiment,
  env: Chapter5Env,
): Promise<Chapter5Record> {
  const s = env.settings, data = env.data, d = data.dataset;
  const channels = data.train[0].shape[2];
  const steps = e.method === "segmenter" ? s.segmenterSteps : s.steps;
  const progress = env.progress === false
    ? (false as const)
    : createProgress({ total: steps, label: e.id });
  const common = {
    steps,
    batchSize: s.batch,
    crop: [d.crop, d.crop] as const,
    density: d.density,
    lr: s.lr,
    seed: e.seed,
    validateEvery: s.validateEvery,
    checkpoint: ctx.checkpoint,
    resume: ctx.resume,
    signal: ctx.signal,
    progress,
  };
  const frozen: FrozenNetwork[] = [];
  const nets: CountingNetwork[] = [];
  const extra: Record<string, tf.Variable> = {};
  try {
    if (e.method === "segmenter") {
      const net = buildNetwork("hrnet", s.networks, { seed: e.seed, inputChannels: channels });
      nets.push(net);
      const fit = await fitCounter(net, data.train, {
        ...common,
        loss: foregroundCrossEntropy,
        densityScale: 1,
      });
      ctx.ensureFinished(fit);
      await saveCounter(net, `${ctx.dir}/model`, { densityScale: 1, channels, density: d.density });
      return await testSegmenter(e, fit, net, data);
    }
    const seg = USES_SEGMENTER.has(e.method)
      ? await loadFrozen(
        env.modelDir(chapter5ExperimentId(e.dataset, "hrnet", "segmenter", e.seed)),
      )
      : null;
    if (seg) frozen.push(seg);
    const aux = USES_AUXILIARY.has(e.method)
      ? await loadFrozen(
        env.modelDir(chapter5ExperimentId(e.dataset, e.backbone, "oracle", s.singleSeed)),
      )
      : null;
    if (aux) frozen.push(aux);
    const net = buildNetwork(e.backbone, s.networks, {
      seed: e.seed,
      inputChannels: e.method === "twostage" ? 1 : channels,
      features: e.method === "attention",
    });
    nets.push(net);
    const plain = (x: tf.Tensor4D, t: boolean) => net.forward(x, t);
    const segForward = seg ? (x: tf.Tensor4D) => seg.forward(x) : null;
    let forward: CounterForward = plain;
    if (e.method === "attention") {
      const shared = sharedOutputs(net);
      const c = net.featureChannels;
      extra["attention/kernel"] = tf.variable(
        tf.randomNormal([1, 1, c, 1], 0, 0.01, "float32", e.seed + 17),
        true,
        `ch5_attention_kernel_${ctx.id}`,
      );
      extra["attention/bias"] = tf.variable(tf.zeros([1]), true, `ch5_attention_bias_${ctx.id}`);
      forward = segmentationAttentionForward(
        (x, t) =>
          tf.add(
            tf.conv2d(shared(x, t)[1], extra["attention/kernel"] as tf.Tensor4D, 1, "same"),
            extra["attention/bias"],
          ) as tf.Tensor4D,
        (x, t) => shared(x, t)[0],
      );
    } else if (e.method === "twostage") {
      forward = twoStageForward((x) => segForward!(x), plain);
    } else if (seg) {
      forward = cascadeForward((x) => segForward!(x), plain);
    }
    const scale = s.densityScale / net.outputStride ** 2;
    const oracle = e.method === "oracle";
    const augment = OCCLUDES.has(e.method)
      ? augmentation("occlusion", { probability: s.augmentProbability, beta: s.beta })
      : e.method === "cutout" || e.method === "cutmix"
      ? augmentation(e.method, { probability: s.augmentProbability, beta: s.beta })
      : undefined;
    const val = oracle ? data.val.map((v) => oracleMaskedSample(v, d.density)) : data.val;
    const fit = await fitCounter(net, data.train, {
      ...common,
      loss: s.loss,
      densityScale: scale,
      validation: val,
      forward,
      extraVariables: Object.keys(extra).length ? extra : undefined,
      lossTerms: e.method === "attention" ? segmentationAttentionLoss(1) : undefined,
      batches: augment ? { augment } : undefined,
      wrapBatch: oracle ? oracleBatch : aux
        ? (b) =>
          distilledBatch(b, (x) => aux.forward(x), {
            outputStride: aux.outputStride,
            densityScale: aux.densityScale,
          })
        : undefined,
    });
    ctx.ensureFinished(fit);
    if (oracle) {
      await saveCounter(net, `${ctx.dir}/model`, {
        densityScale: scale,
        channels,
        density: d.density,
      });
    }
    const inputMultiple = lcm(net.inputMultiple, seg?.inputMultiple ?? 1);
    const test = oracle ? data.test.map((t) => oracleMaskedSample(t, d.density)) : data.test;
    const r = await testCounter(forward, test, {
      outputStride: net.outputStride,
      inputMultiple,
      densityScale: scale,
      density: d.density,
    });
    const record: CountRecord = {
      kind: "count",
      id: e.id,
      dataset: e.dataset,
      backbone: e.backbone,
      method: e.method,
      seed: e.seed,
      steps: fit.steps,
      seconds: fit.seconds,
      best: fit.best ?? null,
      names: r.names,
      predicted: r.predicted,
      truth: r.truth,
      mae: r.mae,
      rmse: r.rmse,
      split: {
        background: r.split.map((x) => x.background),
        foreground: r.split.map((x) => x.foreground),
      },
      levels: data.levels,
    };
    if (e.seed === s.seeds[0] && (e.method === "cascade" || e.method === "distilled")) {
      record.figure = e.method === "cascade"
        ? await cascadeFigure(ctx, segForward!, r, data, s)
        : await distillFigure(ctx, aux!, data, s);
    }
    return record;
  } finally {
    nets.forEach((n) => n.dispose());
    frozen.forEach((f) => f.dispose());
    tf.dispose(Object.values(extra));
  }
}

/** Fig. 44: the first test image, its cascaded image I ⊙ Ŝ, the predicted and true densities. */
async function cascadeFigure(
  ctx: ExperimentContext,
  segForward: (x: tf.Tensor4D) => tf.Tensor4D,
  r: Awaited<ReturnType<typeof testCounter>>,
  data: Chapter5Data,
  s: Chapter5Settings,
): Promise<MapFigure> {
  const sample = data.test[0];
  const [h, w] = sample.shape;
  const input = imageTensor(sample.image, sample.shape);
  // the cascaded image on the input's scale (input is already divided by its peak)
  const cascaded = tf.tidy(() => {
    const x = input.expandDims(0) as tf.Tensor4D;
    const mask = tf.image.resizeBilinear(tf.sigmoid(segForward(x)) as tf.Tensor4D, [h, w], true);
    return tf.mul(x, mask).squeeze([0]) as tf.Tensor3D;
  });
  try {
    const rel = (p: string) => p.replace(/^.*\/runs\//, "runs/");
    const images = {
      input: rel(await ctx.saveImage("fig44-input", input)),
      cascaded: rel(await ctx.saveImage("fig44-cascaded", cascaded)),
    };
    const m = r.maps[0], t = r.truthMaps[0];
    return {
      predicted: shrinkMap(m.data, m.height, m.width, s.figureSide),
      truth: shrinkMap(t.data, t.height, t.width, s.figureSide),
      count: { predicted: r.predicted[0], truth: r.truth[0] },
      images,
    };
  } finally {
    tf.dispose([input, cascaded]);
  }
}

/** Fig. 46: a training image, its Gaussian map and f_a's distilled map at f_a's stride. */
async function distillFigure(
  ctx: ExperimentContext,
  aux: FrozenNetwork,
  data: Chapter5Data,
  s: Chapter5Settings,
): Promise<MapFigure> {
  const sample = data.train[0];
  const d = data.dataset.density;
  const blacked = oracleMaskedSample(sample, d);
  const map = await predictDensity((x) => aux.forward(x), {
    data: blacked.image,
    shape: blacked.shape,
  }, {
    outputStride: aux.outputStride,
    inputMultiple: aux.inputMultiple,
    densityScale: aux.densityScale,
  });
  const distilled = map.data.map((v) => Math.max(0, v));
  const gauss = downsampleDensityData(
    densityMapData(sample.points, [sample.shape[0], sample.shape[1]], d),
    aux.outputStride,
  );
  const input = imageTensor(sample.image, sample.shape);
  try {
    const images = {
      input: (await ctx.saveImage("fig46-input", input)).replace(/^.*\/runs\//, "runs/"),
    };
    return {
      predicted: shrinkMap(distilled, map.height, map.width, s.figureSide),
      truth: shrinkMap(gauss.data, gauss.height, gauss.width, s.figureSide),
      count: {
        predicted: distilled.reduce((a, v) => a + v, 0),
        truth: sample.points.x.length,
      },
      images,
    };
  } finally {
    input.dispose();
  }
}

/** Tests f_s: IoU of Ŝ > 0.5 with the oracle foreground and with the real masks. */
async function testSegmenter(
  e: Chapter5Experiment,
  fit: { steps: number; seconds: number },
  net: CountingNetwork,
  data: Chapter5Data,
): Promise<SegmenterRecord> {
  const d = data.dataset;
  let iouO = 0, iouM = 0, acc = 0, covO = 0, covP = 0;
  for (const [i, sample] of data.test.entries()) {
    const [h, w] = sample.shape;
    const logits = await predictDensity((x) => net.forward(x, false), {
      data: sample.image,
      shape: sample.shape,
    }, { outputStride: net.outputStride, inputMultiple: net.inputMultiple, densityScale: 1 });
    const st = net.outputStride;
    const pred = new Uint8Array(h * w);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        pred[y * w + x] = logits.data[Math.floor(y / st) * logits.width + Math.floor(x / st)] > 0
          ? 1
          : 0;
      }
    }
    const oracle = densityMapData(sample.points, [h, w], d.density).data;
    const iou = (truth: ArrayLike<number>) => {
      let inter = 0, union = 0;
      for (let k = 0; k < h * w; k++) {
        const a = pred[k] === 1, b = truth[k] > 0;
        if (a && b) inter++;
        if (a || b) union++;
      }
      return union === 0 ? 1 : inter / union;
    };
    iouO += iou(oracle);
    if (data.masks) iouM += iou(data.masks[i]);
    let same = 0, o = 0, p = 0;
    for (let k = 0; k < h * w; k++) {
      const b = oracle[k] > 0 ? 1 : 0;
      if (pred[k] === b) same++;
      o += b;
      p += pred[k];
    }
    acc += same / (h * w);
    covO += o / (h * w);
    covP += p / (h * w);
  }
  const n = data.test.length;
  return {
    kind: "segmenter",
    id: e.id,
    dataset: e.dataset,
    steps: fit.steps,
    seconds: fit.seconds,
    iouOracle: iouO / n,
    iouMask: data.masks ? iouM / n : null,
    accuracy: acc / n,
    coverage: { oracle: covO / n, predicted: covP / n },
  };
}
