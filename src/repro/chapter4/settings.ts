/**
 * The settings of the chapter 4 reproduction (counting with focus for free)
 * per profile: the datasets and their roles (Tables 15–22), the networks'
 * widths, the training budget, the loss, the kernels compared and the seeds.
 * `paper` holds the thesis's values (Sec. 4.4.1) on the thesis's datasets;
 * `quick` and `smoke` scale them down to the real cell sets in `data/`, and
 * {@linkcode describeChapter4Scaling} says how.
 *
 * Choices where the thesis is silent (the same in every profile): the
 * density loss (eq. 4.8) and the focal losses take the author's released
 * code's normalisation (`"author"`: means, L1 × 10), which makes the thesis's
 * remark that the segmentation loss is "an order of magnitude lower than the
 * others" (hence λ_s = 10) true; the non-uniform kernel counts the point's
 * own zero distance among its k = 5 (the author's MATLAB, `includeSelf`); the
 * geometry-adaptive kernel (GAK) is Zhang et al.'s β = 0.3, k = 3; the
 * networks output 100 × the density.
 *
 * @module
 */
import { assertNumber, assertOneOf } from "../../core/checks.ts";
import type { DensityOptions } from "../../counting/density.ts";
import type { FocusBranch } from "../../counting/focus.ts";
import type { FocalForm } from "../../counting/focal_loss.ts";
import type { FocusDensityLossForm } from "../../counting/focus.ts";
import { ANNOTATION_FORMATS, type AnnotationFormat } from "../../counting/read_points.ts";
import type { PngNormalization } from "../../io/png16.ts";
import { parseProfile, type ProfileName } from "../profile.ts";

/** The heads on a base network compared in Tables 15–17 (Fig. 38 and Chen et al.'s attention). */
export const HEAD_VARIANTS = [
  "base",
  "spatial-attention",
  "segmentation-focus",
  "channel-attention",
  "global-density-focus",
  "combined-attention",
  "combined-focus",
] as const;

/** A head variant. */
export type HeadVariant = typeof HEAD_VARIANTS[number];

/** What each head variant puts on the base network's V. */
export const HEAD_SPECS: Readonly<
  Record<HeadVariant, { spatial: FocusBranch; channel: FocusBranch; label: string }>
> = {
  base: { spatial: "none", channel: "none", label: "Base network" },
  "spatial-attention": { spatial: "attention", channel: "none", label: "w/ Spatial attention" },
  "segmentation-focus": { spatial: "focus", channel: "none", label: "w/ Segmentation focus" },
  "channel-attention": { spatial: "none", channel: "attention", label: "w/ Channel attention" },
  "global-density-focus": {
    spatial: "none",
    channel: "focus",
    label: "w/ Global-density focus",
  },
  "combined-attention": {
    spatial: "attention",
    channel: "attention",
    label: "w/ Spatial- & channel-attention",
  },
  "combined-focus": { spatial: "focus", channel: "focus", label: "w/ Our combined focus" },
};

/**
 * The networks: Table 18's four base networks (MCNN for Zhang et al., FCRN-A
 * as the encoder-decoder standing in for Cao et al.'s SANet, CSRNet for Li et
 * al., the encoder-distiller-decoder) and Table 21's variants of the last.
 */
export const CHAPTER4_NETWORKS = [
  "mcnn",
  "fcrn",
  "csrnet",
  "edd",
  "encoder",
  "encoder-distiller",
  "encoder-decoder",
] as const;

/** A network. */
export type NetworkKind = typeof CHAPTER4_NETWORKS[number];

/** Each network's name in tables and notes. */
export const NETWORK_NAMES: Readonly<Record<NetworkKind, string>> = {
  mcnn: "MCNN",
  fcrn: "FCRN-A",
  csrnet: "CSRNet",
  edd: "the encoder-distiller-decoder",
  encoder: "the encoder",
  "encoder-distiller": "the encoder + distiller",
  "encoder-decoder": "the encoder + decoder",
};

/** Table 18's base networks, in the thesis's row order. */
export const BASE_NETWORKS: readonly NetworkKind[] = ["mcnn", "fcrn", "csrnet", "edd"];

/** Table 21's variants, in the thesis's row order (the last is the full network). */
export const EDD_VARIANTS: readonly NetworkKind[] = [
  "encoder",
  "encoder-distiller",
  "encoder-decoder",
  "edd",
];

/** The kernels Tables 19 and 22 compare: GAK, the non-uniform kernel, and σ from object sizes. */
export const KERNEL_CHOICES = ["adaptive", "nonuniform", "boxes"] as const;

/** A kernel of Tables 19/22. */
export type KernelChoice = typeof KERNEL_CHOICES[number];

/** How a dataset is split into training, validation and test images. */
export type DatasetSplit =
  /** The dataset's named splits (`split.json` or the layout's); without `val`, a seeded hold-out of `train`. */
  | { kind: "named"; train: string; val?: string; test: string }
  /** The VGG cells protocol: `train` images drawn per seed from the first 100, the last 100 tested. */
  | { kind: "vgg"; train: number }
  /** A seeded random split of every image: `train` for training (+ hold-out), the rest tested. */
  | { kind: "random"; train: number };

/** One dataset of the reproduction. */
export interface Chapter4Dataset {
  /** Key in experiment ids and tables, e.g. `"bbbc039"`. */
  key: string;
  /** Name in tables. */
  name: string;
  /** Folder under the data folder (`--data-dir`, default `data/counting`). */
  dir: string;
  /** The core's layout and annotation format of that folder. */
  format: AnnotationFormat;
  /** Scale of 16-bit images (BBBC039: `{bits: 12}`). */
  normalize?: PngNormalization;
  /** Image channels the networks see. */
  channels: 1 | 3;
  /** Images (and points, sizes) are reduced by this integer factor (box average; 1: none). */
  reduce: number;
  /** Training / validation / test split. */
  split: DatasetSplit;
  /** At most so many training images (`null`: all). */
  maxTrain: number | null;
  /** Validation images (best-model selection), held out of the training images where needed. */
  val: number;
  /** At most so many test images (`null`: all). */
  maxTest: number | null;
  /** The density kernel of its targets (and GAME's ground truth). */
  kernel: DensityOptions;
  /** M, the number of global-density levels (thesis: 8 for dense sets, 4 otherwise). */
  levels: number;
  /** What it stands in for, for the tables' notes. */
  standsFor: string;
}

/** Settings of one profile of the chapter 4 reproduction. */
export interface Chapter4Settings {
  /** The profile these settings belong to. */
  profile: ProfileName;
  /** Every dataset used, by key. */
  datasets: Chapter4Dataset[];
  /** Tables 15–18 (head ablation, base networks): these datasets (Part A and WIDER FACE in the thesis). */
  ablation: string[];
  /**
   * The base network of Tables 15–17 (and of the combined-focus rows of
   * Tables 19, 20, 22): the encoder-distiller-decoder in the thesis.
   */
  ablationNetwork: NetworkKind;
  /** Table 18: the base networks. */
  baseNetworks: NetworkKind[];
  /** Tables 19 and 22 (kernels): these datasets; σ error where they have object sizes. */
  kernels: string[];
  /** Table 22: the networks (and heads) trained with each kernel; Table 19 is the `edd` one. */
  kernelRuns: { network: NetworkKind; heads: HeadVariant }[];
  /** Table 21 (encoder-distiller-decoder ablation): these datasets. */
  eddAblation: string[];
  /** Table 20 and Fig. 39 (the state of the art, GAME): combined focus on these datasets. */
  sota: string[];
  /** Seeds (the first so many of `seeds`) for the datasets only Table 20 uses. */
  sotaSeeds: number;
  /** Channel multiplier of each network (1: published width). */
  widths: Record<NetworkKind, number>;
  /** Adam steps per network when `epochs` is `null`. */
  steps: number;
  /** Epochs per network (thesis: up to 1000); `null`: `steps`. */
  epochs: number | null;
  /** Crops per batch (thesis 16). */
  batchSize: number;
  /** Side of the square training crops (thesis 128). */
  crop: number;
  /** Adam's learning rate (thesis 1e-4). */
  lr: number;
  /** Validations per run (best-model selection on the validation images). */
  validations: number;
  /** Density loss of eq. 4.8: `"author"` (means, L1 × 10) or `"thesis"` (per-image sums). */
  densityLoss: FocusDensityLossForm;
  /** Normalisation of the focal losses of eqs. 4.3 and 4.6. */
  focalForm: FocalForm;
  /** λ_s and λ_c of eq. 4.9 (thesis 10 and 1; λ_r = 1). */
  lambdas: { segmentation: number; globalDensity: number };
  /** The geometry-adaptive kernel (GAK) of Tables 19/22. */
  adaptiveKernel: DensityOptions;
  /** The non-uniform kernel (eq. 4.7) of Tables 19/22. */
  nonuniformKernel: DensityOptions;
  /** σ from an object's size (diameter): σ = size × this (the core's `"boxes"` rule, 1/4). */
  sizeToSigma: number;
  /** Seeds: every network is trained once per seed (weights, batches, VGG draws). */
  seeds: number[];
  /** Seeds (the first so many) of Tables 18, 19, 21 and 22; Tables 15–17 use all `seeds`. */
  secondarySeeds: number;
  /** Checkpoint every so many steps (for Ctrl-C and `--resume`). */
  checkpointEvery: number;
  /** Points kept of each loss curve in results.json. */
  historyPoints: number;
  /** Largest side of the example maps kept for the report's figures. */
  exampleSide: number;
}

const GAK: DensityOptions = { kernel: "adaptive", beta: 0.3, k: 3 };
const NONUNIFORM: DensityOptions = { kernel: "nonuniform", beta: 0.3, k: 5, includeSelf: true };

const BBBC039: Chapter4Dataset = {
  key: "bbbc039",
  name: "BBBC039 nuclei",
  dir: "bbbc039",
  format: "json",
  normalize: { bits: 12 },
  channels: 1,
  reduce: 2,
  split: { kind: "named", train: "train", val: "val", test: "test" },
  maxTrain: null,
  val: 10,
  maxTest: null,
  kernel: { kernel: "boxes", sizeToSigma: 0.25 },
  levels: 4,
  standsFor:
    "WIDER FACE (object sizes from the nuclei masks give σ, the scale and crowding thirds, and the σ error)",
};

const VGG: Chapter4Dataset = {
  key: "vgg_cells",
  name: "VGG cells (N = 32)",
  dir: "vgg_cells",
  format: "json",
  channels: 3,
  reduce: 1,
  split: { kind: "vgg", train: 32 },
  maxTrain: null,
  val: 16,
  maxTest: null,
  kernel: { kernel: "fixed", sigma: 2 },
  levels: 4,
  standsFor: "a dense cell set (the thesis's DCC); published VGG cells results beside",
};

const ADI: Chapter4Dataset = {
  key: "adipocyte",
  name: "ADI adipocytes",
  dir: "adipocyte",
  format: "json",
  channels: 3,
  reduce: 1,
  split: { kind: "random", train: 50 },
  maxTrain: null,
  val: 10,
  maxTest: null,
  kernel: NONUNIFORM,
  levels: 4,
  standsFor: "a dense histology cell set (SAU-Net's 50 / 150 split)",
};

/** The thesis's datasets, for `--profile paper` (folders under `--data-dir`). */
const PAPER_DATASETS: Chapter4Dataset[] = [
  {
    key: "part_a",
    name: "ShanghaiTech Part A",
    dir: "shanghaitech/part_A",
    format: "shanghaitech",
    channels: 3,
    reduce: 1,
    split: { kind: "named", train: "train", test: "test" },
    maxTrain: null,
    val: 30,
    maxTest: null,
    kernel: NONUNIFORM,
    levels: 8,
    standsFor: "itself",
  },
  {
    key: "part_b",
    name: "ShanghaiTech Part B",
    dir: "shanghaitech/part_B",
    format: "shanghaitech",
    channels: 3,
    reduce: 1,
    split: { kind: "named", train: "train", test: "test" },
    maxTrain: null,
    val: 40,
    maxTest: null,
    kernel: { kernel: "fixed", sigma: 5 },
    levels: 4,
    standsFor: "itself",
  },
  {
    key: "trancos",
    name: "TRANCOS",
    dir: "trancos",
    format: "trancos",
    channels: 3,
    reduce: 1,
    split: { kind: "named", train: "train", val: "val", test: "test" },
    maxTrain: null,
    val: 420,
    maxTest: null,
    kernel: NONUNIFORM,
    levels: 4,
    standsFor: "itself",
  },
  {
    key: "dcc",
    name: "DCC",
    dir: "dcc",
    format: "dots",
    channels: 3,
    reduce: 1,
    split: { kind: "random", train: 100 },
    maxTrain: null,
    val: 10,
    maxTest: null,
    kernel: { kernel: "fixed", sigma: 10 },
    levels: 4,
    standsFor: "itself",
  },
  {
    key: "wider_face",
    name: "WIDER FACE",
    dir: "wider_face",
    format: "json",
    channels: 3,
    reduce: 1,
    split: { kind: "named", train: "train", test: "val" },
    maxTrain: null,
    val: 300,
    maxTest: null,
    kernel: { kernel: "boxes", sizeToSigma: 0.25 },
    levels: 4,
    standsFor: "itself (the project's JSON layout: box centres as points, with their boxes)",
  },
];

const WIDTHS_FULL: Record<NetworkKind, number> = {
  mcnn: 1,
  fcrn: 1,
  csrnet: 1,
  edd: 1,
  encoder: 1,
  "encoder-distiller": 1,
  "encoder-decoder": 1,
};

const PAPER: Chapter4Settings = {
  profile: "paper",
  datasets: PAPER_DATASETS,
  ablation: ["part_a", "wider_face"],
  ablationNetwork: "edd",
  baseNetworks: [...BASE_NETWORKS],
  kernels: ["part_a", "wider_face"],
  kernelRuns: [{ network: "mcnn", heads: "base" }, { network: "edd", heads: "combined-focus" }],
  eddAblation: ["part_a"],
  sota: ["part_a", "part_b", "trancos", "dcc", "wider_face"],
  sotaSeeds: 1,
  widths: WIDTHS_FULL,
  steps: 100_000,
  epochs: 1000,
  batchSize: 16,
  crop: 128,
  lr: 1e-4,
  validations: 50,
  densityLoss: "author",
  focalForm: "author",
  lambdas: { segmentation: 10, globalDensity: 1 },
  adaptiveKernel: GAK,
  nonuniformKernel: NONUNIFORM,
  sizeToSigma: 0.25,
  seeds: [0],
  secondarySeeds: 1,
  checkpointEvery: 1000,
  historyPoints: 200,
  exampleSide: 128,
};

const QUICK_WIDTHS: Record<NetworkKind, number> = {
  mcnn: 0.5,
  fcrn: 0.25,
  csrnet: 0.25,
  edd: 0.5,
  encoder: 0.5,
  "encoder-distiller": 0.5,
  "encoder-decoder": 0.5,
};

/** The settings of each profile. */
export const CHAPTER4_SETTINGS: Readonly<Record<ProfileName, Readonly<Chapter4Settings>>> = Object
  .freeze({
    smoke: {
      ...PAPER,
      profile: "smoke",
      datasets: [
        { ...BBBC039, reduce: 4, maxTrain: 4, val: 2, maxTest: 3 },
        { ...VGG, name: "VGG cells (N = 3)", split: { kind: "vgg", train: 3 }, val: 2, maxTest: 3 },
      ],
      ablation: ["bbbc039"],
      ablationNetwork: "fcrn",
      kernelRuns: [{ network: "mcnn", heads: "base" }, {
        network: "fcrn",
        heads: "combined-focus",
      }],
      kernels: ["bbbc039"],
      eddAblation: ["bbbc039"],
      sota: ["bbbc039", "vgg_cells"],
      widths: {
        mcnn: 0.125,
        fcrn: 0.125,
        csrnet: 0.0625,
        edd: 0.25,
        encoder: 0.25,
        "encoder-distiller": 0.25,
        "encoder-decoder": 0.25,
      },
      steps: 3,
      epochs: null,
      batchSize: 2,
      crop: 32,
      lr: 1e-3,
      validations: 1,
      seeds: [0],
      checkpointEvery: 2,
      historyPoints: 20,
      exampleSide: 32,
    },
    quick: {
      ...PAPER,
      profile: "quick",
      datasets: [BBBC039, VGG, ADI],
      ablation: ["bbbc039"],
      ablationNetwork: "fcrn",
      kernelRuns: [{ network: "mcnn", heads: "base" }, {
        network: "fcrn",
        heads: "combined-focus",
      }],
      kernels: ["bbbc039"],
      eddAblation: ["bbbc039"],
      sota: ["bbbc039", "vgg_cells", "adipocyte"],
      widths: QUICK_WIDTHS,
      // 200 until session 17, raised for the budget alone (see CHAPTER4_PILOT_NOTES).
      steps: 500,
      epochs: null,
      batchSize: 8,
      crop: 64,
      lr: 1e-3,
      validations: 4,
      seeds: [0, 1, 2],
      secondarySeeds: 2,
      checkpointEvery: 50,
      historyPoints: 100,
      exampleSide: 96,
    },
    paper: PAPER,
  });

/**
 * The settings of a profile (a fresh copy, validated).
 *
 * @param profile `"smoke"`, `"quick"` or `"paper"`.
 * @returns A copy the caller may change.
 * @example
 * ```ts
 * import { chapter4Settings } from "./settings.ts";
 * console.log(chapter4Settings("paper").crop); // 128
 * ```
 */
export function chapter4Settings(profile: ProfileName): Chapter4Settings {
  const s = CHAPTER4_SETTINGS[parseProfile(profile)];
  return validateChapter4Settings(structuredClone(s) as Chapter4Settings);
}

/**
 * Checks that settings are consistent.
 *
 * @param s The settings.
 * @returns `s`.
 * @throws {RangeError} Naming the first inconsistent field.
 */
export function validateChapter4Settings(s: Chapter4Settings): Chapter4Settings {
  parseProfile(s.profile);
  const pos = (v: unknown, name: string) => assertNumber(v, name, { min: 1, integer: true });
  if (!Array.isArray(s.datasets) || s.datasets.length === 0) {
    throw new RangeError("datasets must not be empty");
  }
  const keys = new Set<string>();
  s.datasets.forEach((d, i) => {
    if (!/^[a-z0-9_]+$/.test(d.key)) {
      throw new RangeError(
        `datasets[${i}].key must be lower-case letters, digits or _, got "${d.key}"`,
      );
    }
    if (keys.has(d.key)) throw new RangeError(`datasets[${i}].key "${d.key}" is used twice`);
    keys.add(d.key);
    assertOneOf(d.format, ANNOTATION_FORMATS, `datasets[${i}].format`);
    if (d.channels !== 1 && d.channels !== 3) {
      throw new RangeError(`datasets[${i}].channels must be 1 or 3, got ${d.channels}`);
    }
    pos(d.reduce, `datasets[${i}].reduce`);
    pos(d.val, `datasets[${i}].val`);
    if (d.maxTrain !== null) pos(d.maxTrain, `datasets[${i}].maxTrain`);
    if (d.maxTest !== null) pos(d.maxTest, `datasets[${i}].maxTest`);
    assertNumber(d.levels, `datasets[${i}].levels`, { min: 2, integer: true });
    if (d.split.kind !== "named") pos(d.split.train, `datasets[${i}].split.train`);
  });
  const roles: [keyof Chapter4Settings, string[]][] = [
    ["ablation", s.ablation],
    ["kernels", s.kernels],
    ["eddAblation", s.eddAblation],
    ["sota", s.sota],
  ];
  for (const [name, list] of roles) {
    list.forEach((k, i) => {
      if (!keys.has(k)) throw new RangeError(`${name}[${i}] "${k}" is not one of the datasets`);
    });
  }
  if (s.baseNetworks.length === 0) throw new RangeError("baseNetworks must not be empty");
  s.baseNetworks.forEach((n, i) => assertOneOf(n, CHAPTER4_NETWORKS, `baseNetworks[${i}]`));
  s.kernelRuns.forEach((r, i) => {
    assertOneOf(r.network, CHAPTER4_NETWORKS, `kernelRuns[${i}].network`);
    assertOneOf(r.heads, HEAD_VARIANTS, `kernelRuns[${i}].heads`);
  });
  for (const n of CHAPTER4_NETWORKS) {
    assertNumber(s.widths[n], `widths.${n}`, { min: 0, minExclusive: true });
  }
  pos(s.steps, "steps");
  if (s.epochs !== null) pos(s.epochs, "epochs");
  pos(s.batchSize, "batchSize");
  assertNumber(s.crop, "crop", { min: 16, integer: true });
  if (s.crop % 8 !== 0) throw new RangeError(`crop must be a multiple of 8, got ${s.crop}`);
  assertNumber(s.lr, "lr", { min: 0, minExclusive: true });
  pos(s.validations, "validations");
  assertOneOf(s.densityLoss, ["thesis", "author"] as const, "densityLoss");
  assertOneOf(s.focalForm, ["thesis", "author"] as const, "focalForm");
  assertNumber(s.lambdas.segmentation, "lambdas.segmentation", { min: 0 });
  assertNumber(s.lambdas.globalDensity, "lambdas.globalDensity", { min: 0 });
  assertNumber(s.sizeToSigma, "sizeToSigma", { min: 0, minExclusive: true });
  if (s.seeds.length === 0) throw new RangeError("seeds must not be empty");
  s.seeds.forEach((v, i) => assertNumber(v, `seeds[${i}]`, { integer: true, min: 0 }));
  if (new Set(s.seeds).size !== s.seeds.length) throw new RangeError("seeds must differ");
  assertNumber(s.sotaSeeds, "sotaSeeds", { min: 1, max: s.seeds.length, integer: true });
  assertNumber(s.secondarySeeds, "secondarySeeds", { min: 1, max: s.seeds.length, integer: true });
  assertOneOf(s.ablationNetwork, CHAPTER4_NETWORKS, "ablationNetwork");
  pos(s.checkpointEvery, "checkpointEvery");
  assertNumber(s.historyPoints, "historyPoints", { min: 2, integer: true });
  assertNumber(s.exampleSide, "exampleSide", { min: 8, integer: true });
  return s;
}

/**
 * The dataset of a key.
 *
 * @param s The settings.
 * @param key The dataset's key.
 * @returns Its settings.
 * @throws {RangeError} For an unknown key.
 */
export function datasetOf(s: Pick<Chapter4Settings, "datasets">, key: string): Chapter4Dataset {
  const d = s.datasets.find((x) => x.key === key);
  if (!d) {
    throw new RangeError(
      `no dataset "${key}" (one of ${s.datasets.map((x) => x.key).join(", ")})`,
    );
  }
  return d;
}

/**
 * The density options of a kernel choice on a dataset.
 *
 * @param s The settings (GAK, non-uniform kernel, size rule).
 * @param kernel The choice.
 * @returns The density options.
 */
export function kernelOptions(
  s: Pick<Chapter4Settings, "adaptiveKernel" | "nonuniformKernel" | "sizeToSigma">,
  kernel: KernelChoice,
): DensityOptions {
  switch (kernel) {
    case "adaptive":
      return s.adaptiveKernel;
    case "nonuniform":
      return s.nonuniformKernel;
    case "boxes":
      return { kernel: "boxes", sizeToSigma: s.sizeToSigma };
  }
}

/**
 * A dataset kernel's short name, for experiment ids.
 *
 * @param d Density options.
 * @returns `"adaptive"`, `"nonuniform"`, `"boxes"` or `"fixed<σ>"`.
 */
export function kernelKey(d: DensityOptions): string {
  const k = d.kernel ?? "adaptive";
  return k === "fixed" ? `fixed${d.sigma ?? 4}` : k;
}

const KERNEL_NAMES: Record<string, string> = {
  adaptive: "GAK (β = 0.3, k = 3)",
  nonuniform: "non-uniform (eq. 4.7, β = 0.3, k = 5)",
  boxes: "σ from object sizes (size / 4)",
};

/**
 * A kernel in words.
 *
 * @param d Density options.
 * @returns E.g. `"fixed σ = 2"`.
 */
export function kernelLabel(d: DensityOptions): string {
  const k = d.kernel ?? "adaptive";
  return k === "fixed" ? `fixed σ = ${d.sigma ?? 4}` : KERNEL_NAMES[k];
}

/**
 * How a profile differs from the thesis, one line per scaled setting.
 *
 * @param s The settings.
 * @returns Lines such as `"steps per network: 150 (thesis up to 1000 epochs)"`; empty for `paper`.
 */
export function describeChapter4Scaling(s: Chapter4Settings): string[] {
  const p = CHAPTER4_SETTINGS.paper;
  const lines: string[] = [];
  const cmp = (name: string, ours: string, paper: string, thesis = paper) => {
    if (ours !== paper) lines.push(`${name}: ${ours} (thesis ${thesis})`);
  };
  const sets = (x: Chapter4Settings) =>
    x.datasets.map((d) => `${d.name}${d.reduce > 1 ? ` reduced ×${d.reduce}` : ""}`).join(", ");
  cmp(
    "datasets",
    sets(s),
    sets(p as Chapter4Settings),
    "ShanghaiTech A/B, TRANCOS, DCC, WIDER FACE",
  );
  const budget = (x: Chapter4Settings) =>
    x.epochs === null ? `${x.steps} Adam steps per network` : `up to ${x.epochs} epochs`;
  cmp("training", budget(s), budget(p as Chapter4Settings));
  cmp(
    "batch",
    `${s.batchSize} crops of ${s.crop}×${s.crop}`,
    `${p.batchSize} crops of ${p.crop}×${p.crop}`,
  );
  cmp("learning rate", `${s.lr}`, `${p.lr}`, `${p.lr}; larger here for the short CPU budget`);
  const widths = (x: Readonly<Chapter4Settings>) =>
    CHAPTER4_NETWORKS.map((n) => `${n} ×${x.widths[n]}`).join(", ");
  cmp("network widths", widths(s), widths(p), "published widths");
  const seeds = (x: Readonly<Chapter4Settings>) =>
    `${x.seeds.length} for Tables 15–17, ${x.secondarySeeds} for Tables 18, 19, 21, 22, ${x.sotaSeeds} for Table 20's other datasets`;
  cmp("seeds per setting", seeds(s), seeds(p), "one run per setting");
  cmp(
    "base network of Tables 15–17 (and the focus rows of 19, 20, 22)",
    s.ablationNetwork,
    p.ablationNetwork,
    "the encoder-distiller-decoder; here FCRN-A, 5× cheaper per step and far quicker to learn in the pilot, so that 3 seeds of 7 head variants fit",
  );
  const limits = s.datasets.filter((d) => d.maxTrain !== null || d.maxTest !== null);
  for (const d of limits) {
    const most = (v: number | null) => (v === null ? "all" : `at most ${v}`);
    lines.push(`${d.name}: ${most(d.maxTrain)} training and ${most(d.maxTest)} test images`);
  }
  return lines;
}
