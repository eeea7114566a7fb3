/**
 * The experiments of thesis chapter 2 as data: methods (networks plus fitting
 * settings), tasks (degradation levels), and the groups of runs behind each
 * figure and table. {@linkcode chapter2Plan} turns a profile's settings and
 * images into the list of runs; runs shared by several figures (the
 * controlled decoder on σ = 25 denoising appears in Figs. 8, 9, 10 and
 * Table 1) have one id and run once.
 *
 * @module
 */
import type { FitDipOptions } from "../../dip/fit.ts";
import type { DipInputKind } from "../../dip/network.ts";
import { BAYESIAN_DIP, ORIGINAL_DIP } from "../../dip/fit.ts";
import {
  CONTROLLED,
  convNet,
  decoder,
  deepDecoder,
  type DipNetwork,
  encoderDecoder,
  skipNet,
} from "../../dip/mod.ts";
import type { DipTask } from "../../dip/tasks/task.ts";
import type { Chapter2Images, ImageRole } from "./images.ts";
import type { Chapter2Settings } from "./settings.ts";

/** The networks and fitting procedures compared in chapter 2. */
export type MethodName =
  | "encdec"
  | "decoder"
  | "convnet"
  | "lambda1"
  | "lambda2"
  | "lambda3"
  | "sigma0"
  | "sigma1"
  | "ours"
  | "ours-lambda1"
  | "ours-lambda3"
  | "dip"
  | "dd"
  | "bdip";

/** Which number of a run the tables report. */
export type Reported = "stop" | "best" | "last" | "posterior";

/** A method: how to build its network and fit it. */
export interface MethodDef {
  /** Legend label. */
  label: string;
  /** Builds the network for an image with `outChannels` channels. */
  build(settings: Chapter2Settings, outChannels: number): DipNetwork;
  /** Fitting options beyond the thesis's defaults (Adam, lr 0.001). */
  fit: Pick<FitDipOptions, "lr" | "inputNoiseStd" | "emaDecay" | "langevin" | "backtrack">;
  /**
   * The network input z: `"settings"` for the thesis's networks (the
   * profile's `dipInput`), or the kind a baseline's own code draws (the
   * original and Bayesian DIP's `get_noise(..., 'noise', var=1/10)` and the
   * deep decoder's `uniform_() * 1/10`: both `"uniform"`).
   */
  input: "settings" | DipInputKind;
  /** Whether the run records the blur/sharpness ratio and the automatic stop. */
  autoStop: boolean;
  /**
   * The number the tables report: the PSNR at the automatic stop (ours),
   * the best over the run (the original DIP, "oracle stopping"), the last
   * (deep decoder), or the posterior mean's (Bayesian DIP).
   */
  reported: Reported;
}

const fig4 = (s: Chapter2Settings, outChannels: number) => ({
  channels: s.channels,
  depth: s.depth,
  outChannels,
  seed: s.seed,
});

/** Every method of the chapter. */
export const METHODS: Readonly<Record<MethodName, MethodDef>> = Object.freeze({
  encdec: {
    label: "Encoder-Decoder",
    build: (s, c) => encoderDecoder(fig4(s, c)),
    fit: {},
    input: "settings",
    autoStop: false,
    reported: "best",
  },
  decoder: {
    label: "Decoder",
    build: (s, c) => decoder(fig4(s, c)),
    fit: {},
    input: "settings",
    autoStop: false,
    reported: "best",
  },
  convnet: {
    label: "ConvNet",
    build: (s, c) => convNet(fig4(s, c)),
    fit: {},
    input: "settings",
    autoStop: false,
    reported: "best",
  },
  lambda1: {
    label: "λ = 1",
    build: (s, c) => decoder({ ...fig4(s, c), norm: "lipschitz", lambda: 1, upsample: "bilinear" }),
    fit: {},
    input: "settings",
    autoStop: false,
    reported: "last",
  },
  lambda2: {
    label: "λ = 2",
    build: (s, c) => decoder({ ...fig4(s, c), norm: "lipschitz", lambda: 2, upsample: "bilinear" }),
    fit: {},
    input: "settings",
    autoStop: false,
    reported: "last",
  },
  lambda3: {
    label: "λ = 3",
    build: (s, c) => decoder({ ...fig4(s, c), norm: "lipschitz", lambda: 3, upsample: "bilinear" }),
    fit: {},
    input: "settings",
    autoStop: false,
    reported: "last",
  },
  sigma0: {
    label: "Gaussian σ = 0",
    build: (s, c) => decoder({ ...fig4(s, c), ...CONTROLLED, sigma: 0 }),
    fit: {},
    input: "settings",
    autoStop: false,
    reported: "last",
  },
  sigma1: {
    label: "Gaussian σ = 1",
    build: (s, c) => decoder({ ...fig4(s, c), ...CONTROLLED, sigma: 1 }),
    fit: {},
    input: "settings",
    autoStop: false,
    reported: "last",
  },
  ours: {
    label: "Ours (λ = 2, Gaussian σ = 0.5)",
    build: (s, c) => decoder({ ...fig4(s, c), ...CONTROLLED }),
    fit: {},
    input: "settings",
    autoStop: true,
    reported: "stop",
  },
  "ours-lambda1": {
    label: "Ours, λ = 1",
    build: (s, c) => decoder({ ...fig4(s, c), ...CONTROLLED, lambda: 1 }),
    fit: {},
    input: "settings",
    autoStop: false,
    reported: "last",
  },
  "ours-lambda3": {
    label: "Ours, λ = 3",
    build: (s, c) => decoder({ ...fig4(s, c), ...CONTROLLED, lambda: 3 }),
    fit: {},
    input: "settings",
    autoStop: false,
    reported: "last",
  },
  dip: {
    label: "Ulyanov et al. (DIP)",
    build: (s, c) =>
      skipNet({
        channels: s.channels,
        scales: s.depth,
        skipChannels: s.skipChannels,
        outChannels: c,
        seed: s.seed,
      }),
    // The DIP code's backtracking (restore the parameters when the PSNR to the
    // noisy image falls by more than 5 dB in a step), on as in its notebooks.
    fit: { ...ORIGINAL_DIP, backtrack: true },
    input: "uniform",
    autoStop: false,
    reported: "best",
  },
  dd: {
    label: "Heckel and Hand (deep decoder)",
    build: (s, c) =>
      deepDecoder({ channels: s.channels, depth: s.depth, outChannels: c, seed: s.seed }),
    // The deep decoder's released `fit` defaults to Adam with lr 0.01.
    fit: { lr: 0.01 },
    input: "uniform",
    autoStop: false,
    reported: "last",
  },
  bdip: {
    label: "Cheng et al. (Bayesian DIP)",
    build: (s, c) =>
      skipNet({
        channels: s.channels,
        scales: s.depth,
        skipChannels: s.skipChannels,
        outChannels: c,
        seed: s.seed,
      }),
    fit: { ...BAYESIAN_DIP },
    input: "uniform",
    autoStop: false,
    reported: "posterior",
  },
});

/** The degradations of the chapter, named as in experiment ids. */
export type TaskKey =
  | "denoise15"
  | "denoise25"
  | "denoise50"
  | "denoise100"
  | "jpeg10"
  | "jpeg20"
  | "jpeg30"
  | "region0.1"
  | "region0.25"
  | "region0.5"
  | "bernoulli"
  | "sr4"
  | "sr8"
  | "enhance";

/** A task: the degradation, its label and the channels it reads images with. */
export interface TaskDef {
  /** Label, e.g. `"denoising σ = 25"`. */
  label: string;
  /** The task for `prepareTask` (steps are set from the settings). */
  task: (settings: Chapter2Settings, method: MethodName) => DipTask;
  /** Channels to read the image with (`undefined`: as stored; the JPEG task takes Y itself). */
  channels: 1 | 3 | undefined;
}

const denoise = (sigma: number): TaskDef => ({
  label: `denoising σ = ${sigma}`,
  task: (s) => ({ kind: "denoise", sigma, steps: s.steps }),
  channels: 3,
});
const jpeg = (quality: number): TaskDef => ({
  label: `JPEG deblocking, quality ${quality}`,
  task: (s) => ({ kind: "jpeg", quality, steps: s.steps }),
  channels: undefined,
});
const region = (ratio: number): TaskDef => ({
  label: `region inpainting, ratio ${ratio}`,
  task: (s) => ({ kind: "inpaint", mask: "region", ratio, steps: s.steps }),
  channels: 3,
});
const superres = (factor: 4 | 8): TaskDef => ({
  label: `super-resolution ×${factor}`,
  task: (s) => ({ kind: "superres", factor, steps: s.superresSteps[`x${factor}`] }),
  channels: 3,
});

/** Every task of the chapter. */
export const TASKS: Readonly<Record<TaskKey, TaskDef>> = Object.freeze({
  denoise15: denoise(15),
  denoise25: denoise(25),
  denoise50: denoise(50),
  denoise100: denoise(100),
  jpeg10: jpeg(10),
  jpeg20: jpeg(20),
  jpeg30: jpeg(30),
  "region0.1": region(0.1),
  "region0.25": region(0.25),
  "region0.5": region(0.5),
  bernoulli: {
    label: "pixel inpainting, 50% dropped",
    task: (s) => ({ kind: "inpaint", mask: "bernoulli", dropRate: 0.5, steps: s.steps }),
    channels: 1,
  },
  sr4: superres(4),
  sr8: superres(8),
  enhance: {
    label: "detail enhancement",
    task: (s, m) => ({
      kind: "enhance",
      lambda: m === "ours-lambda1" ? 1 : m === "ours-lambda3" ? 3 : 2,
      steps: s.enhanceSteps,
    }),
    channels: 3,
  },
});

/** One run: a method fitted to one degraded image. */
export interface Chapter2Experiment {
  /** `method-task-image`, e.g. `"ours-denoise25-astronaut"`; also its folder name. */
  id: string;
  /** The method. */
  method: MethodName;
  /** The task. */
  task: TaskKey;
  /** The image's name. */
  image: string;
  /** Path of the image file. */
  path: string;
  /** For the log, e.g. `"Ours (λ = 2, Gaussian σ = 0.5): denoising σ = 25 on astronaut"`. */
  label: string;
}

/** The figures and tables of the chapter, each a group of runs. */
export const CHAPTER2_GROUPS = [
  "fig5",
  "fig6",
  "fig7",
  "fig8",
  "fig9",
  "fig10",
  "fig11",
  "fig12",
  "table1",
  "table2",
  "table3",
  "superres",
  "enhance",
  "fig19",
] as const;

/** A figure or table of the chapter. */
export type Chapter2Group = typeof CHAPTER2_GROUPS[number];

/** What each group runs: methods × tasks on the images of a role. */
export const GROUP_DEFS: Readonly<
  Record<Chapter2Group, {
    title: string;
    role: ImageRole;
    methods: readonly MethodName[];
    tasks: readonly TaskKey[];
  }>
> = Object.freeze({
  fig5: {
    title: "Fig. 5: spectral bias of the Encoder-Decoder across tasks",
    role: "figure",
    methods: ["encdec"],
    tasks: ["denoise15", "denoise25", "jpeg10", "jpeg20", "region0.1", "region0.25"],
  },
  fig6: {
    title: "Fig. 6: Decoder and ConvNet (denoising σ = 25)",
    role: "figure",
    methods: ["decoder", "convnet", "encdec"],
    tasks: ["denoise25"],
  },
  fig7: {
    title: "Fig. 7: Lipschitz-controlled spectral bias (denoising σ = 25)",
    role: "figure",
    methods: ["lambda1", "lambda2", "lambda3"],
    tasks: ["denoise25"],
  },
  fig8: {
    title: "Fig. 8: Gaussian-controlled spectral bias (denoising σ = 25, λ = 2)",
    role: "figure",
    methods: ["sigma0", "ours", "sigma1", "lambda2"],
    tasks: ["denoise25"],
  },
  fig9: {
    title: "Fig. 9: automatic stopping",
    role: "figure",
    methods: ["ours"],
    tasks: ["denoise15", "denoise25", "jpeg10", "jpeg20", "region0.1", "region0.25"],
  },
  fig10: {
    title: "Fig. 10: denoising σ = 25 over steps, four deep image priors",
    role: "denoise",
    methods: ["dip", "dd", "bdip", "ours"],
    tasks: ["denoise25"],
  },
  fig11: {
    title: "Fig. 11: JPEG deblocking (quality 10) over steps",
    role: "jpeg",
    methods: ["dip", "dd", "bdip", "ours"],
    tasks: ["jpeg10"],
  },
  fig12: {
    title: "Fig. 12: pixel inpainting (50% dropped) over steps",
    role: "inpaint",
    methods: ["dip", "dd", "bdip", "ours"],
    tasks: ["bernoulli"],
  },
  table1: {
    title: "Table 1: denoising",
    role: "denoise",
    methods: ["dip", "dd", "bdip", "ours"],
    tasks: ["denoise15", "denoise25", "denoise50"],
  },
  table2: {
    title: "Table 2: JPEG deblocking",
    role: "jpeg",
    methods: ["dip", "dd", "bdip", "ours"],
    tasks: ["jpeg10", "jpeg20", "jpeg30"],
  },
  table3: {
    title: "Table 3: region inpainting",
    role: "denoise",
    methods: ["dip", "dd", "bdip", "ours"],
    tasks: ["region0.1", "region0.25", "region0.5"],
  },
  superres: {
    title: "Tables 4–5: super-resolution",
    role: "superres",
    methods: ["dip", "dd", "bdip", "ours"],
    tasks: ["sr4", "sr8"],
  },
  enhance: {
    title: "Fig. 18: detail enhancement",
    role: "enhance",
    methods: ["ours-lambda1", "ours", "ours-lambda3"],
    tasks: ["enhance"],
  },
  fig19: {
    title: "Fig. 19: success and failure (denoising σ = 25, 50, 100)",
    role: "figure",
    methods: ["ours"],
    tasks: ["denoise25", "denoise50", "denoise100"],
  },
});

/**
 * The id of a run.
 *
 * @param method The method.
 * @param task The task.
 * @param image The image's name.
 * @returns `method-task-image`.
 */
export function experimentId(method: MethodName, task: TaskKey, image: string): string {
  return `${method}-${task}-${image}`;
}

/**
 * The runs of one group (a figure or table), on the first image of the
 * group's role only for the figures of single images (Fig. 19).
 *
 * @param group The group.
 * @param images The images of every role.
 * @returns The runs, tasks outermost, then images, then methods.
 */
export function groupExperiments(
  group: Chapter2Group,
  images: Chapter2Images,
): Chapter2Experiment[] {
  const def = GROUP_DEFS[group];
  const list = group === "fig19" ? images[def.role].slice(0, 1) : images[def.role];
  const runs: Chapter2Experiment[] = [];
  for (const task of def.tasks) {
    for (const image of list) {
      for (const method of def.methods) {
        runs.push({
          id: experimentId(method, task, image.name),
          method,
          task,
          image: image.name,
          path: image.path,
          label: `${METHODS[method].label}: ${TASKS[task].label} on ${image.name}`,
        });
      }
    }
  }
  return runs;
}

/**
 * Every run of the chapter (or of some groups), each once, in group order.
 *
 * @param images The images of every role.
 * @param groups The groups (default all).
 * @returns The runs.
 * @example
 * ```ts
 * import { chapter2Plan } from "./experiments.ts";
 * const img = [{ name: "a", path: "a.png" }];
 * const images = { figure: img, denoise: img, jpeg: img, inpaint: img, superres: img, enhance: img };
 * console.log(chapter2Plan(images, ["fig7", "fig8"]).map((r) => r.method));
 * // ["lambda1", "lambda2", "lambda3", "sigma0", "ours", "sigma1"]
 * ```
 */
export function chapter2Plan(
  images: Chapter2Images,
  groups: readonly Chapter2Group[] = CHAPTER2_GROUPS,
): Chapter2Experiment[] {
  const seen = new Set<string>();
  const plan: Chapter2Experiment[] = [];
  for (const g of groups) {
    for (const run of groupExperiments(g, images)) {
      if (seen.has(run.id)) continue;
      seen.add(run.id);
      plan.push(run);
    }
  }
  return plan;
}
