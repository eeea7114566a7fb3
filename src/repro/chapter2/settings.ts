/**
 * The settings of the chapter 2 reproduction per profile: image sizes,
 * network widths, step budgets, measurement intervals, the automatic stop's
 * window, and how many images each experiment uses. `paper` holds the
 * thesis's values; `quick` and `smoke` scale them down, and
 * {@linkcode describeScaling} says how, for the report.
 *
 * @module
 */
import { assertNumber, assertOneOf } from "../../core/checks.ts";
import { DIP_INPUT_KINDS, type DipInputKind } from "../../dip/network.ts";
import { parseProfile, type ProfileName } from "../profile.ts";
import type { Chapter2Group, MethodName } from "./experiments.ts";

/** How many images of a role an experiment group uses (`null`: all). */
export interface ImageCounts {
  /** The thesis's 'peppers', 'F16', 'Lena' (Figs. 5–9, 19). */
  figure: number | null;
  /** Denoising and region inpainting (Set9 / CBSD68; Fig. 10, Tables 1 and 3). */
  denoise: number | null;
  /** JPEG deblocking (Classic5 / LIVE1; Fig. 11, Table 2). */
  jpeg: number | null;
  /** Pixel (Bernoulli) inpainting on gray images (Fig. 12). */
  inpaint: number | null;
  /** Super-resolution (Set5 / Set14; Tables 4–5). */
  superres: number | null;
  /** Detail enhancement (Fig. 18). */
  enhance: number | null;
}

/** Settings of one profile of the chapter 2 reproduction. */
export interface Chapter2Settings {
  /** The profile these settings belong to. */
  profile: ProfileName;
  /**
   * Side of the centred square crop of every image, a multiple of `2^depth`
   * and of 8 (super-resolution ×8); `null` keeps the whole image, cropped to
   * the next multiple of 32 as the deep image prior's code does.
   */
  crop: number | null;
  /** Width of the Fig. 4 networks, the controlled decoder, the skip net and the deep decoder (thesis 128). */
  channels: number;
  /** Blocks of the Fig. 4 networks and scales of the skip net (thesis 5). */
  depth: number;
  /** Skip-connection channels of the original deep image prior (its code: 4). */
  skipChannels: number;
  /**
   * Adam's learning rate for the thesis's own networks (the Fig. 4 networks
   * and the controlled decoder; thesis 0.001). The baselines keep their
   * published rates (0.01 for the original and Bayesian DIP and the deep
   * decoder).
   */
  lr: number;
  /**
   * The network input z of the thesis's networks: `"uniform"`, noise in
   * [0, 0.1) as the thesis's text says (Section 2.5), or `"fourier"`, the
   * `[sin 2πu, cos 2πu]` input of the author's released code (see
   * `DipInputKind` in src/dip). fitDip's `dipInput`.
   */
  dipInput: DipInputKind;
  /** Step budget of denoising, deblocking and inpainting (thesis 10,000). */
  steps: number;
  /** Steps of ×4 and ×8 super-resolution (thesis 2,000 and 4,000). */
  superresSteps: { x4: number; x8: number };
  /** Steps of detail enhancement (thesis 5,000). */
  enhanceSteps: number;
  /** Measure PSNR and the blur/sharpness ratio every `every` steps. */
  every: number;
  /** Measure the frequency-band correspondence every `fbcEvery` steps (a multiple of `every`). */
  fbcEvery: number;
  /** Number of frequency bands N (thesis 5). */
  bands: number;
  /** Automatic stopping (eq. 2.8): window n in steps and threshold ε (thesis 100 and 0.01). */
  autoStop: { window: number; epsilon: number };
  /** Images per role. */
  images: ImageCounts;
  /**
   * Whole experiments this profile leaves out (every run of these methods,
   * every run of these groups), and why, for the report; the tables show
   * '–' for them. Empty lists run everything.
   */
  omit: { methods: MethodName[]; groups: Chapter2Group[]; why: string };
  /** Checkpoint every so many steps (for Ctrl-C and `--resume`). */
  checkpointEvery: number;
  /** Points kept per curve in results.json (curves are subsampled evenly, last point kept). */
  historyPoints: number;
  /** Seed of every network, noise draw and mask. */
  seed: number;
}

/** The settings of each profile. */
export const CHAPTER2_SETTINGS: Readonly<Record<ProfileName, Readonly<Chapter2Settings>>> = Object
  .freeze({
    smoke: {
      profile: "smoke",
      crop: 32,
      channels: 8,
      depth: 3,
      skipChannels: 2,
      lr: 0.01,
      dipInput: "uniform",
      steps: 24,
      superresSteps: { x4: 8, x8: 8 },
      enhanceSteps: 8,
      every: 4,
      fbcEvery: 4,
      bands: 5,
      autoStop: { window: 4, epsilon: 0.01 },
      images: { figure: 1, denoise: 1, jpeg: 1, inpaint: 1, superres: 1, enhance: 1 },
      omit: { methods: [], groups: [], why: "" },
      checkpointEvery: 8,
      historyPoints: 100,
      seed: 0,
    },
    quick: {
      profile: "quick",
      crop: 64,
      channels: 32,
      depth: 4,
      skipChannels: 4,
      lr: 0.01,
      dipInput: "fourier",
      steps: 1000,
      superresSteps: { x4: 200, x8: 400 },
      enhanceSteps: 500,
      every: 10,
      fbcEvery: 10,
      bands: 5,
      autoStop: { window: 100, epsilon: 0.01 },
      images: { figure: 2, denoise: 2, jpeg: 2, inpaint: 2, superres: 2, enhance: 1 },
      // Scale, rate and input from the pilot (src/repro/chapter2/pilot.ts). Measured with
      // everything in, the Bayesian DIP too: 1,190 s wall, 2,340 s CPU (--jobs 2, load 2–3).
      omit: { methods: [], groups: [], why: "" },
      checkpointEvery: 200,
      historyPoints: 300,
      seed: 0,
    },
    paper: {
      profile: "paper",
      crop: null,
      channels: 128,
      depth: 5,
      skipChannels: 4,
      lr: 0.001,
      dipInput: "uniform",
      steps: 10_000,
      superresSteps: { x4: 2_000, x8: 4_000 },
      enhanceSteps: 5_000,
      every: 10,
      fbcEvery: 50,
      bands: 5,
      autoStop: { window: 100, epsilon: 0.01 },
      images: { figure: 3, denoise: null, jpeg: null, inpaint: null, superres: null, enhance: 1 },
      omit: { methods: [], groups: [], why: "" },
      checkpointEvery: 500,
      historyPoints: 500,
      seed: 0,
    },
  });

/**
 * The settings of a profile, checked.
 *
 * @param profile `"smoke"`, `"quick"` or `"paper"`.
 * @returns A copy of the settings the caller may change.
 * @example
 * ```ts
 * import { chapter2Settings } from "./settings.ts";
 * console.log(chapter2Settings("paper").steps); // 10000
 * ```
 */
export function chapter2Settings(profile: ProfileName): Chapter2Settings {
  const s = CHAPTER2_SETTINGS[parseProfile(profile)];
  return validateChapter2Settings(structuredClone(s) as Chapter2Settings);
}

/**
 * Checks that settings are consistent (crop divisible by the networks'
 * factor and by 8, intervals dividing the budgets, ...).
 *
 * @param s The settings.
 * @returns `s`.
 * @throws {RangeError} Naming the first inconsistent field.
 */
export function validateChapter2Settings(s: Chapter2Settings): Chapter2Settings {
  parseProfile(s.profile);
  const pos = (v: unknown, name: string) => assertNumber(v, name, { min: 1, integer: true });
  pos(s.channels, "channels");
  pos(s.depth, "depth");
  pos(s.skipChannels, "skipChannels");
  assertNumber(s.lr, "lr", { min: 0, minExclusive: true });
  assertOneOf(s.dipInput, DIP_INPUT_KINDS, "dipInput");
  pos(s.steps, "steps");
  pos(s.superresSteps.x4, "superresSteps.x4");
  pos(s.superresSteps.x8, "superresSteps.x8");
  pos(s.enhanceSteps, "enhanceSteps");
  pos(s.every, "every");
  pos(s.fbcEvery, "fbcEvery");
  pos(s.bands, "bands");
  pos(s.autoStop.window, "autoStop.window");
  assertNumber(s.autoStop.epsilon, "autoStop.epsilon", { min: 0, minExclusive: true });
  pos(s.checkpointEvery, "checkpointEvery");
  assertNumber(s.historyPoints, "historyPoints", { min: 10, integer: true });
  assertNumber(s.seed, "seed", { integer: true });
  if (s.crop !== null) {
    pos(s.crop, "crop");
    const factor = Math.max(2 ** s.depth, 8);
    if (s.crop % factor !== 0) {
      throw new RangeError(`crop must be a multiple of ${factor} (2^depth and 8), got ${s.crop}`);
    }
  }
  if (s.fbcEvery % s.every !== 0) {
    throw new RangeError(`fbcEvery must be a multiple of every (${s.every}), got ${s.fbcEvery}`);
  }
  for (const [name, budget] of [["steps", s.steps], ["enhanceSteps", s.enhanceSteps]] as const) {
    if (budget % s.every !== 0) {
      throw new RangeError(`${name} must be a multiple of every (${s.every}), got ${budget}`);
    }
  }
  if (2 * s.autoStop.window >= s.steps) {
    throw new RangeError(
      `autoStop.window must leave room to stop before the budget: 2·${s.autoStop.window} >= steps ${s.steps}`,
    );
  }
  for (const [role, n] of Object.entries(s.images)) {
    if (n !== null) pos(n, `images.${role}`);
  }
  if (!s.omit || !Array.isArray(s.omit.methods) || !Array.isArray(s.omit.groups)) {
    throw new RangeError("omit must hold methods and groups lists (empty to run everything)");
  }
  if ((s.omit.methods.length > 0 || s.omit.groups.length > 0) && !s.omit.why) {
    throw new RangeError("omit.why must say why experiments are left out");
  }
  return s;
}

/**
 * How a profile differs from the thesis, one line per scaled setting, for the
 * report and tables.md.
 *
 * @param s The settings.
 * @returns Lines such as `"steps: 1,200 (thesis 10,000)"`; empty for `paper`.
 */
export function describeScaling(s: Chapter2Settings): string[] {
  const paper = CHAPTER2_SETTINGS.paper;
  const n = (v: number) => v.toLocaleString("en-US");
  const lines: string[] = [];
  const cmp = (name: string, ours: string, thesis: string) => {
    if (ours !== thesis) lines.push(`${name}: ${ours} (thesis ${thesis})`);
  };
  cmp(
    "image size",
    s.crop === null ? "whole images" : `centred ${s.crop}×${s.crop} crops`,
    "whole images",
  );
  cmp("network width", `${s.channels} channels`, `${paper.channels} channels`);
  cmp("network depth", `${s.depth} blocks/scales`, `${paper.depth} blocks/scales`);
  cmp("learning rate of the thesis's networks", `${s.lr}`, `${paper.lr}`);
  cmp("network input z", s.dipInput, paper.dipInput);
  cmp("step budget", n(s.steps), n(paper.steps));
  cmp(
    "super-resolution steps",
    `${n(s.superresSteps.x4)} (×4), ${n(s.superresSteps.x8)} (×8)`,
    `${n(paper.superresSteps.x4)} (×4), ${n(paper.superresSteps.x8)} (×8)`,
  );
  cmp("enhancement steps", n(s.enhanceSteps), n(paper.enhanceSteps));
  cmp(
    "automatic stop",
    `n = ${s.autoStop.window}, ε = ${s.autoStop.epsilon}`,
    `n = ${paper.autoStop.window}, ε = ${paper.autoStop.epsilon}`,
  );
  const counts = Object.entries(s.images).map(([k, v]) => `${k} ${v ?? "all"}`).join(", ");
  const paperCounts = Object.entries(paper.images).map(([k, v]) => `${k} ${v ?? "all"}`).join(
    ", ",
  );
  cmp("images per role", counts, paperCounts);
  const left = [...s.omit.methods, ...s.omit.groups];
  if (left.length) lines.push(`left out: ${left.join(", ")} (${s.omit.why})`);
  return lines;
}
