/**
 * The inverse problems of thesis chapter 2 as data plus a forward operator:
 * what the network fits (`target`, the degraded y0), the operator `A` with
 * loss ‖A(f(z)) − y0‖², the ground truth, and the score the thesis reports.
 *
 * | kind | thesis setting | operator | target y0 | score |
 * |---|---|---|---|---|
 * | `denoise` | σ = 15, 25, 50 (0–255 scale) | identity | `clip(x + n, 0, 1)` | PSNR, all channels |
 * | `jpeg` | quality 10, 20, 30, Y channel | identity | JPEG(Y), 1 channel | PSNR on Y |
 * | `inpaint` | Bernoulli 50%; central hole 0.1, 0.25, 0.5 | `x ⊙ m` | `x ⊙ m` | PSNR, whole image |
 * | `superres` | ×4, ×8 | Lanczos2 downsampler | LR = Pillow Lanczos | PSNR on Y, `factor` border shaved |
 * | `enhance` | λ = 1, 2, 3, 5,000 steps | identity | x0 | PSNR(x_s, x0); result by unsharp masking |
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  assertImage,
  assertNumber,
  assertOneOf,
  describe,
  formatShape,
} from "../../core/checks.ts";
import { addGaussianNoise } from "../../io/noise.ts";
import { jpegCompress } from "../../io/jpeg.ts";
import { toGray } from "../../io/color.ts";
import { resize } from "../../io/resize.ts";
import { psnr, psnrAsync } from "../../metrics/psnr.ts";
import { ssim, ssimAsync } from "../../metrics/ssim.ts";
import { enhanceDetails } from "./enhance.ts";
import { LanczosDownsampler, type LanczosKind } from "./lanczos.ts";
import { benchmarkLuma } from "./luma.ts";
import { bernoulliMask, regionMask, type RegionShape } from "./masks.ts";

/** Fields every task may set. */
export interface TaskBase {
  /**
   * Fixed number of optimisation steps. Defaults follow the thesis: 10,000
   * (the fixed budget of denoising, deblocking and inpainting, usually ended
   * earlier by automatic stopping), 2,000 for ×4 and 4,000 for ×8
   * super-resolution (500·factor), 5,000 for enhancement.
   */
  steps?: number;
}

/** Gaussian denoising: `y0 = clip(x + N(0, (σ/255)²), 0, 1)`, as the DIP's `get_noisy_image`. */
export interface DenoiseTask extends TaskBase {
  /** Discriminant. */
  kind: "denoise";
  /** Noise standard deviation on the 0–255 scale, in (0, 255]; the thesis uses 15, 25, 50 (and 100). */
  sigma: number;
}

/** JPEG deblocking of the gray (Y) image; the network has 1 output channel. */
export interface JpegTask extends TaskBase {
  /** Discriminant. */
  kind: "jpeg";
  /** JPEG quality, an integer in [1, 100]; the thesis uses 10, 20, 30. */
  quality: number;
  /**
   * Y of an RGB input: `"studio"` (default) is MATLAB's `rgb2ycbcr` Y in
   * [16, 235]/255, the AR-CNN protocol the thesis follows for LIVE1;
   * `"full"` is PIL's `convert("L")` (src/io `toGray`). A 1-channel input is
   * used as it is (Classic5 is gray).
   */
  luma?: "studio" | "full";
}

/** Inpainting with a seeded Bernoulli mask (the thesis drops 50% of the pixels). */
export interface BernoulliInpaintTask extends TaskBase {
  /** Discriminant. */
  kind: "inpaint";
  /** Mask type. */
  mask: "bernoulli";
  /** Fraction of pixels dropped, in (0, 1); default 0.5. */
  dropRate?: number;
  /** Independent masks per channel (DIP's `get_bernoulli_mask`); default `false`. */
  perChannel?: boolean;
}

/** Inpainting of a central hole (the thesis uses area ratios 0.1, 0.25, 0.5). */
export interface RegionInpaintTask extends TaskBase {
  /** Discriminant. */
  kind: "inpaint";
  /** Mask type. */
  mask: "region";
  /** Hole-to-image area ratio, in (0, 1). */
  ratio: number;
  /** `"square"` (default) or `"rect"` (the image's aspect ratio); see `regionMask`. */
  shape?: RegionShape;
}

/** Inpainting: loss only on the known pixels, through the operator `x ⊙ m`. */
export type InpaintTask = BernoulliInpaintTask | RegionInpaintTask;

/** Super-resolution: the network makes the HR image, the Lanczos downsampler maps it to LR. */
export interface SuperResTask extends TaskBase {
  /** Discriminant. */
  kind: "superres";
  /** Scale factor, an even integer ≥ 2; the thesis uses 4 and 8. */
  factor: number;
  /** Kernel of the downsampler in the loss (default `"lanczos2"`, as the DIP). */
  kernel?: LanczosKind;
  /** Border (pixels per side) left out of the score; default `factor`. */
  shave?: number;
}

/**
 * Detail enhancement: the controlled DIP fits x0 itself for a fixed number of
 * steps at Lipschitz bound `lambda`; its smooth output x_s gives
 * `x_e = x0 + amount·(x0 − x_s)` (see {@linkcode enhanceDetails}).
 */
export interface EnhanceTask extends TaskBase {
  /** Discriminant. */
  kind: "enhance";
  /** Lipschitz bound λ of the network (the thesis shows 1, 2, 3); read by the runner. */
  lambda: number;
  /** Weight of the detail layer (default 1). */
  amount?: number;
  /** Add only positive details, as the author's code (default `false`). */
  positiveOnly?: boolean;
}

/** Every task of chapter 2, discriminated by `kind`. */
export type DipTask = DenoiseTask | JpegTask | InpaintTask | SuperResTask | EnhanceTask;

/** What {@linkcode PreparedTask.score} returns. */
export interface TaskScore {
  /** PSNR in dB (peak 1) as the thesis reports it for the task. */
  psnr: number;
  /**
   * Mean SSIM on the same pixels (`ssim`'s default, Wang et al.'s convention),
   * when `prepareTask` was asked for it.
   */
  ssim?: number;
}

/** A task's data and operator, ready for `fitDip`. Dispose it when done. */
export interface PreparedTask {
  /** The task, with its defaults filled in. */
  task: DipTask;
  /** y0, what the network output is compared to after `degrade` (owned by this object). */
  target: tf.Tensor3D;
  /**
   * The ground truth the score uses: the clean image; the (8-bit) Y channel
   * for `jpeg`; the HR image for `superres`; x0 for `enhance`.
   */
  clean: tf.Tensor3D;
  /**
   * The forward operator on NHWC batches (returns a new tensor);
   * `undefined` means the identity (denoise, jpeg, enhance).
   */
  degrade?: (x: tf.Tensor4D) => tf.Tensor4D;
  /** Inpainting mask, `[H, W, C]`, 1 = known pixel (the operator multiplies by it). */
  mask?: tf.Tensor3D;
  /** Super-resolution: Pillow-convention bicubic upsampling of the LR image, the tables' baseline. */
  baseline?: tf.Tensor3D;
  /** Shape of the image the network must output. */
  outputShape: [number, number, number];
  /** Fixed step budget (see {@linkcode TaskBase.steps}). */
  steps: number;
  /** Whether the thesis stops this task automatically (denoise, jpeg, inpaint) or at `steps`. */
  autoStop: boolean;
  /**
   * Scores a network output (clipped to [0, 1] first) as the thesis does for
   * the task; reads back synchronously (cpu, wasm).
   *
   * @param output An image of `outputShape` (not disposed).
   * @returns The PSNR (and SSIM when asked for).
   */
  score(output: tf.Tensor3D): TaskScore;
  /**
   * {@linkcode PreparedTask.score} read back asynchronously (WebGPU).
   *
   * @param output An image of `outputShape` (not disposed).
   * @returns The PSNR (and SSIM when asked for).
   */
  scoreAsync(output: tf.Tensor3D): Promise<TaskScore>;
  /**
   * Turns the network output into the task's result: the enhanced image for
   * `enhance`, a clipped copy otherwise.
   *
   * @param output An image of `outputShape` (not disposed).
   * @returns A new tensor the caller owns.
   */
  finish(output: tf.Tensor3D): tf.Tensor3D;
  /** Frees every tensor this object owns. */
  dispose(): void;
}

/** Options of {@linkcode prepareTask}. */
export interface PrepareOptions {
  /** Seed of the noise (denoise) and mask (Bernoulli inpainting) draws; default 0. */
  seed?: number;
  /**
   * Also compute SSIM in `score` (src/metrics `ssim`'s default: Wang et al.'s
   * Gaussian window of σ 1.5, population covariance); default `false`.
   */
  ssim?: boolean;
}

const KINDS = ["denoise", "jpeg", "inpaint", "superres", "enhance"] as const;

/**
 * Builds a chapter-2 task from a clean image: the degraded target the network
 * fits, the forward operator, the ground truth and the thesis' score.
 *
 * @param clean The clean image, HWC float32 in [0, 1], 1 or 3 channels (not disposed).
 * @param task What to do and at which degradation level.
 * @param options Seed of the random degradations (default 0).
 * @returns The prepared task (call `dispose()` when done).
 * @throws {RangeError} For an unknown kind, parameters out of range, values
 *   outside [0, 1], or (superres) sides not divisible by the factor — crop
 *   first, e.g. `cropToMultiple(clean, 32)` from src/io.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { prepareTask } from "./task.ts";
 * await tf.setBackend("cpu");
 * const clean = tf.randomUniform([32, 32, 3], 0, 1, "float32", 1) as tf.Tensor3D;
 * const sr = await prepareTask(clean, { kind: "superres", factor: 4 });
 * console.log(sr.target.shape, sr.outputShape); // [8, 8, 3] [32, 32, 3]
 * const lr = sr.degrade!(tf.expandDims(clean, 0) as tf.Tensor4D); // the loss compares this to sr.target
 * console.log(sr.score(clean).psnr); // Infinity: the clean image scores perfectly
 * tf.dispose([clean, lr]);
 * sr.dispose();
 * ```
 */
export async function prepareTask(
  clean: tf.Tensor3D,
  task: DipTask,
  options: PrepareOptions = {},
): Promise<PreparedTask> {
  assertImage(clean, "clean");
  if (task === null || typeof task !== "object") {
    throw new TypeError(`task must be a task object with a kind, got ${describe(task)}`);
  }
  assertOneOf(task.kind, KINDS, "task.kind");
  const seed = assertNumber(options.seed ?? 0, "seed", { integer: true });
  if (task.steps !== undefined) assertNumber(task.steps, "task.steps", { min: 1, integer: true });
  const [lo, hi] = tf.tidy(() => [clean.min().dataSync()[0], clean.max().dataSync()[0]]);
  if (!(lo >= 0 && hi <= 1)) {
    throw new RangeError(`clean must hold values in [0, 1], got [${lo}, ${hi}]`);
  }
  const withSsim = options.ssim ?? false;
  switch (task.kind) {
    case "denoise":
      return assemble(prepareDenoise(clean, task, seed), withSsim);
    case "jpeg":
      return assemble(await prepareJpeg(clean, task), withSsim);
    case "inpaint":
      return assemble(prepareInpaint(clean, task, seed), withSsim);
    case "superres":
      return assemble(prepareSuperRes(clean, task), withSsim);
    case "enhance":
      return assemble(prepareEnhance(clean, task), withSsim);
  }
}

function checkOutput(output: tf.Tensor3D, shape: readonly number[]): void {
  assertImage(output, "output");
  if (!tf.util.arraysEqual(output.shape, shape as number[])) {
    throw new RangeError(
      `output must have shape ${formatShape(shape)}, got ${formatShape(output.shape)}`,
    );
  }
}

/** What each task builder returns; {@linkcode assemble} adds the methods. */
type Parts = Omit<PreparedTask, "score" | "scoreAsync" | "finish" | "dispose" | "outputShape"> & {
  /** Defaults to the shape of `clean`. */
  outputShape?: [number, number, number];
  /** What the scored output is compared to (owned). */
  reference: tf.Tensor3D;
  /** The scored pixels of a clipped output (default: the output itself). */
  view?: (clipped: tf.Tensor3D) => tf.Tensor3D;
  /** Result of `finish` for a clipped output (default: the clipped output). */
  finishFn?: (clipped: tf.Tensor3D) => tf.Tensor3D;
  /** Further tensors to dispose. */
  owned?: tf.Tensor[];
  /** Further clean-up. */
  onDispose?: () => void;
};

function assemble(parts: Parts, withSsim: boolean): PreparedTask {
  const { reference, view, finishFn, owned = [], onDispose, ...rest } = parts;
  const outputShape = parts.outputShape ?? (parts.clean.shape as [number, number, number]);
  const all = [rest.target, rest.clean, rest.mask, rest.baseline, reference, ...owned];
  const scored = (output: tf.Tensor3D) => {
    checkOutput(output, outputShape);
    return tf.tidy(() => {
      const clipped = tf.clipByValue(output, 0, 1) as tf.Tensor3D;
      return view ? view(clipped) : clipped;
    });
  };
  return {
    ...rest,
    outputShape,
    score(output) {
      const x = scored(output);
      try {
        const result: TaskScore = { psnr: psnr(reference, x) };
        if (withSsim) result.ssim = ssim(reference, x);
        return result;
      } finally {
        x.dispose();
      }
    },
    async scoreAsync(output) {
      const x = scored(output);
      try {
        const result: TaskScore = { psnr: await psnrAsync(reference, x) };
        if (withSsim) result.ssim = await ssimAsync(reference, x);
        return result;
      } finally {
        x.dispose();
      }
    },
    finish(output) {
      checkOutput(output, outputShape);
      return tf.tidy(() => {
        const clipped = tf.clipByValue(output, 0, 1) as tf.Tensor3D;
        return finishFn ? finishFn(clipped) : clipped;
      });
    },
    dispose() {
      for (const t of new Set(all)) if (t !== undefined && !t.isDisposed) t.dispose();
      onDispose?.();
    },
  };
}

function prepareDenoise(clean: tf.Tensor3D, task: DenoiseTask, seed: number): Parts {
  const sigma = assertNumber(task.sigma, "task.sigma", { min: 0, max: 255, minExclusive: true });
  const c = tf.clone(clean);
  return {
    task: { ...task, sigma, steps: task.steps ?? 10_000 },
    target: addGaussianNoise(clean, sigma, { seed, clip: true }),
    clean: c,
    steps: task.steps ?? 10_000,
    autoStop: true,
    reference: c,
  };
}

async function prepareJpeg(clean: tf.Tensor3D, task: JpegTask): Promise<Parts> {
  const quality = assertNumber(task.quality, "task.quality", { min: 1, max: 100, integer: true });
  const luma = assertOneOf(task.luma ?? "studio", ["studio", "full"], "task.luma");
  // The gray image, rounded to 8 bits as the benchmark's image files are.
  const y = tf.tidy(() => {
    const g = luma === "studio" ? benchmarkLuma(clean) : toGray(clean);
    return tf.div(tf.round(tf.mul(tf.clipByValue(g, 0, 1), 255)), 255) as tf.Tensor3D;
  });
  let target: tf.Tensor3D;
  try {
    target = await jpegCompress(y, quality);
  } catch (e) {
    y.dispose();
    throw e;
  }
  return {
    task: { ...task, quality, luma, steps: task.steps ?? 10_000 },
    target,
    clean: y,
    steps: task.steps ?? 10_000,
    autoStop: true,
    reference: y,
  };
}

function prepareInpaint(clean: tf.Tensor3D, task: InpaintTask, seed: number): Parts {
  const shape = clean.shape;
  let mask: tf.Tensor3D;
  let filled: InpaintTask;
  if (task.mask === "bernoulli") {
    mask = bernoulliMask(shape, { seed, dropRate: task.dropRate, perChannel: task.perChannel });
    filled = { ...task, dropRate: task.dropRate ?? 0.5, perChannel: task.perChannel ?? false };
  } else if (task.mask === "region") {
    mask = regionMask(shape, { ratio: task.ratio, shape: task.shape });
    filled = { ...task, shape: task.shape ?? "square" };
  } else {
    throw new RangeError(
      `task.mask must be one of "bernoulli", "region", got ${
        describe((task as { mask: unknown }).mask)
      }`,
    );
  }
  const c = tf.clone(clean);
  const mask4 = tf.keep(tf.expandDims(mask, 0) as tf.Tensor4D);
  const [h, w, ch] = shape;
  return {
    task: { ...filled, steps: task.steps ?? 10_000 },
    target: tf.mul(clean, mask) as tf.Tensor3D,
    clean: c,
    mask,
    degrade: (x) => {
      if (x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== ch) {
        throw new RangeError(
          `x must have shape [N, ${h}, ${w}, ${ch}] (the mask's), got ${formatShape(x.shape)}`,
        );
      }
      return tf.mul(x, mask4);
    },
    steps: task.steps ?? 10_000,
    autoStop: true,
    owned: [mask4],
    reference: c,
  };
}

function prepareSuperRes(clean: tf.Tensor3D, task: SuperResTask): Parts {
  const factor = assertNumber(task.factor, "task.factor", { min: 2, integer: true });
  const shave = assertNumber(task.shave ?? factor, "task.shave", { min: 0, integer: true });
  // Throws for odd factors (phase 0.5 needs an even one) and unknown kernels.
  const down = new LanczosDownsampler(factor, { kernel: task.kernel ?? "lanczos2", phase: 0.5 });
  const [h, w, c] = clean.shape;
  if (h % factor !== 0 || w % factor !== 0) {
    down.dispose();
    throw new RangeError(
      `clean must have height and width divisible by task.factor ${factor}, got shape ` +
        `${formatShape(clean.shape)}; crop it first (cropToMultiple from src/io)`,
    );
  }
  if (2 * shave >= Math.min(h, w)) {
    down.dispose();
    throw new RangeError(`task.shave ${shave} leaves nothing of a ${h}×${w} image to score`);
  }
  // LR as DIP's load_LR_HR_imgs_sr: Pillow's Lanczos (ANTIALIAS) resize of the 8-bit HR image,
  // giving an 8-bit LR image; the baseline is Pillow's bicubic upsampling of it (get_baselines).
  const target = resize8bit(clean, [h / factor, w / factor], "lanczos");
  const baseline = resize8bit(target, [h, w], "bicubic");
  const hr = tf.clone(clean);
  const yRef = tf.tidy(() => shaved(benchmarkLuma(hr), shave));
  return {
    task: {
      ...task,
      factor,
      shave,
      kernel: task.kernel ?? "lanczos2",
      steps: task.steps ?? 500 * factor,
    },
    target,
    clean: hr,
    baseline,
    outputShape: [h, w, c],
    degrade: (x) => down.apply(x),
    steps: task.steps ?? 500 * factor,
    autoStop: false,
    reference: yRef,
    view: (clipped) => shaved(benchmarkLuma(clipped), shave),
    onDispose: () => down.dispose(),
  };
}

/**
 * Resizes as Pillow does on an 8-bit image: the width pass first, rounded to
 * 8 bits, then the height pass, rounded again.
 */
function resize8bit(
  image: tf.Tensor3D,
  [h, w]: [number, number],
  method: "lanczos" | "bicubic",
): tf.Tensor3D {
  const to8bit = (t: tf.Tensor3D) =>
    tf.div(tf.round(tf.mul(tf.clipByValue(t, 0, 1), 255)), 255) as tf.Tensor3D;
  return tf.tidy(() => {
    const wide = to8bit(resize(image, [image.shape[0], w], { method }));
    return to8bit(resize(wide, [h, w], { method }));
  });
}

function shaved(image: tf.Tensor3D, shave: number): tf.Tensor3D {
  if (shave === 0) return image;
  const [h, w, c] = image.shape;
  return tf.slice(image, [shave, shave, 0], [h - 2 * shave, w - 2 * shave, c]);
}

function prepareEnhance(clean: tf.Tensor3D, task: EnhanceTask): Parts {
  const lambda = assertNumber(task.lambda, "task.lambda", { min: 0, minExclusive: true });
  const amount = assertNumber(task.amount ?? 1, "task.amount", { min: 0 });
  const positiveOnly = task.positiveOnly ?? false;
  const x0 = tf.clone(clean);
  return {
    task: { ...task, lambda, amount, positiveOnly, steps: task.steps ?? 5_000 },
    target: x0,
    clean: x0,
    steps: task.steps ?? 5_000,
    autoStop: false,
    reference: x0,
    finishFn: (clipped) => enhanceDetails(x0, clipped, { amount, positiveOnly }),
  };
}
