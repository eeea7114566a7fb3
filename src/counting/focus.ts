/**
 * Focus for free (thesis ch. 4, Fig. 38): heads on top of any base
 * network's feature map V `[B, H, W, C]` that turn V into a density map,
 * optionally through
 *
 * - a **spatial** branch: the segmentation focus of Sec. 4.3.1 (a 1×1
 *   convolution to 2 classes, softmax; the foreground probability, broadcast
 *   over the C channels, is V_s; supervised by the segmentation map of eq.
 *   4.2 through the focal loss of eq. 4.3), or, as the baseline of Table 15,
 *   an unsupervised spatial attention (Chen et al.'s SCA-CNN form:
 *   `softmax_p(w · tanh(W V))`, rescaled by H·W so that uniform attention is
 *   the identity);
 * - a **channel** branch: the global-density focus of Sec. 4.3.2 (bilinear
 *   pooling of V; a fully connected layer to M global-density classes,
 *   softmax, supervised by eq. 4.6; a second fully connected layer to C
 *   channels, sigmoid, is V_d), or, as the baseline of Table 16, an
 *   unsupervised channel attention on the same bilinear pooling
 *   (`softmax_c(W₂ tanh(W₁ B̂))`, rescaled by C).
 *
 * The density is `conv1×1(V ⊙ V_s ⊙ V_d)` (Sec. 4.3.4). Where the text is
 * silent this follows the author's code (`code/model.py`): the segmentation
 * probability enters the density branch with its gradient stopped
 * (`stopGradient`, default `true`), and V_d has one value per channel of V.
 * Broadcasting replaces the text's tiling (the same numbers, less memory).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, formatShape } from "../core/checks.ts";
import { type BilinearOrder, bilinearPool } from "./bilinear_pool.ts";
import { type FocalForm, globalDensityFocalLoss, segmentationFocalLoss } from "./focal_loss.ts";
import type { CounterBatch, CounterOutput } from "./train.ts";

/** What a branch of the heads does: free supervision, unsupervised attention, or nothing. */
export type FocusBranch = "focus" | "attention" | "none";

/** The branch kinds. */
export const FOCUS_BRANCHES: readonly FocusBranch[] = ["focus", "attention", "none"];

/** Options of {@linkcode createFocusHeads}. */
export interface FocusHeadsOptions {
  /** Channels C of the base network's feature map V. */
  channels: number;
  /** Spatial branch (default `"focus"`: segmentation focus). */
  spatial?: FocusBranch;
  /** Channel branch (default `"focus"`: global-density focus). */
  channel?: FocusBranch;
  /** Number M of global-density levels (default 4; the thesis uses 8 for dense sets). */
  levels?: number;
  /** Stop the gradient of V_s into the density branch (default `true`, the author's code). */
  stopGradient?: boolean;
  /** Order of the bilinear pooling's normalisations (default `"author"`). */
  bilinearOrder?: BilinearOrder;
  /** Seed of the initialisation (default 0). */
  seed?: number;
  /** Prefix of the variables' names (default `"focus"`). */
  name?: string;
}

/** What the heads compute from V. */
export interface FocusOutput extends CounterOutput {
  /** The density map `[B, H, W, 1]`. */
  density: tf.Tensor4D;
  /** Segmentation probabilities `[B, H, W, 2]` (spatial focus only). */
  segmentation?: tf.Tensor4D;
  /** Global-density class probabilities `[B, M]` (channel focus only). */
  levels?: tf.Tensor2D;
  /** The spatial map V_s or the spatial attention `[B, H, W, 1]`. */
  spatialMap?: tf.Tensor4D;
  /** The channel focus V_d or the channel attention `[B, C]`. */
  channelWeights?: tf.Tensor2D;
}

/** The heads: variables and the forward pass from V. */
export interface FocusHeads {
  /** A description, e.g. `"focus(spatial=focus, channel=focus, M=4)"`. */
  readonly name: string;
  /** The options in force. */
  readonly options: Readonly<Required<Omit<FocusHeadsOptions, "name">>>;
  /** Trainable variables under stable names. */
  readonly variables: Record<string, tf.Variable>;
  /**
   * The heads' outputs from V.
   *
   * @param features V, `[B, H, W, C]`.
   * @returns Density and the branches' outputs.
   */
  apply(features: tf.Tensor4D): FocusOutput;
  /** Frees the variables. */
  dispose(): void;
}

/**
 * Builds the heads of focus for free (or of the attention baselines) for a
 * feature map of `channels` channels.
 *
 * @param options Channels, branches, levels, seed.
 * @returns The heads.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { createFocusHeads } from "./focus.ts";
 * await tf.setBackend("cpu");
 * const heads = createFocusHeads({ channels: 8, levels: 4 });
 * const v = tf.randomUniform([2, 6, 6, 8]) as tf.Tensor4D;
 * const out = heads.apply(v);
 * console.log(out.density.shape, out.segmentation!.shape, out.levels!.shape);
 * // [2, 6, 6, 1] [2, 6, 6, 2] [2, 4]
 * heads.dispose();
 * ```
 */
export function createFocusHeads(options: FocusHeadsOptions): FocusHeads {
  const c = assertNumber(options.channels, "channels", { min: 1, integer: true });
  const spatial = assertOneOf(options.spatial ?? "focus", FOCUS_BRANCHES, "spatial");
  const channel = assertOneOf(options.channel ?? "focus", FOCUS_BRANCHES, "channel");
  const m = assertNumber(options.levels ?? 4, "levels", { min: 2, integer: true });
  const seed = assertNumber(options.seed ?? 0, "seed", { integer: true });
  const stopGradient = options.stopGradient ?? true;
  const bilinearOrder = options.bilinearOrder ?? "author";
  const prefix = options.name ?? "focus";
  const variables: Record<string, tf.Variable> = {};
  let k = 0;
  const weight = (name: string, shape: number[], fanIn: number, fanOut: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut)); // Glorot uniform
    const init = tf.randomUniform(shape, -limit, limit, "float32", seed * 1000 + k++);
    variables[`${prefix}/${name}`] = tf.variable(init, true, `${prefix}/${name}/${uid()}`);
    init.dispose();
    return variables[`${prefix}/${name}`];
  };
  const bias = (name: string, n: number) => {
    const v = tf.variable(tf.zeros([n]), true, `${prefix}/${name}/${uid()}`);
    variables[`${prefix}/${name}`] = v;
    return v;
  };
  const densityW = weight("density/kernel", [1, 1, c, 1], c, 1);
  const densityB = bias("density/bias", 1);
  let segW: tf.Variable | undefined, segB: tf.Variable | undefined;
  let attW1: tf.Variable | undefined,
    attB1: tf.Variable | undefined,
    attW2: tf.Variable | undefined;
  if (spatial === "focus") {
    segW = weight("segmentation/kernel", [1, 1, c, 2], c, 2);
    segB = bias("segmentation/bias", 2);
  } else if (spatial === "attention") {
    attW1 = weight("spatial_attention/hidden", [1, 1, c, c], c, c);
    attB1 = bias("spatial_attention/hidden_bias", c);
    attW2 = weight("spatial_attention/score", [1, 1, c, 1], c, 1);
  }
  let clsW: tf.Variable | undefined, clsB: tf.Variable | undefined;
  let chW: tf.Variable | undefined, chB: tf.Variable | undefined;
  let chW1: tf.Variable | undefined, chB1: tf.Variable | undefined;
  if (channel === "focus") {
    clsW = weight("global_density/kernel", [c, m], c, m);
    clsB = bias("global_density/bias", m);
    chW = weight("channel_focus/kernel", [c, c], c, c);
    chB = bias("channel_focus/bias", c);
  } else if (channel === "attention") {
    chW1 = weight("channel_attention/hidden", [c, c], c, c);
    chB1 = bias("channel_attention/hidden_bias", c);
    chW = weight("channel_attention/score", [c, c], c, c);
    chB = bias("channel_attention/score_bias", c);
  }

  const apply = (features: tf.Tensor4D): FocusOutput => {
    if (features.rank !== 4 || features.shape[3] !== c) {
      throw new RangeError(
        `features must be [B, H, W, ${c}], got ${formatShape(features.shape)}`,
      );
    }
    const [b, h, w] = features.shape;
    const out: Partial<FocusOutput> = {};
    let fused: tf.Tensor4D = features;
    if (spatial === "focus") {
      const logits = tf.add(tf.conv2d(features, segW as tf.Tensor4D, 1, "same"), segB!);
      const probs = tf.softmax(logits, -1) as tf.Tensor4D;
      out.segmentation = probs;
      let fg = tf.slice(probs, [0, 0, 0, 1], [b, h, w, 1]) as tf.Tensor4D;
      if (stopGradient) fg = stopGradientOf(fg);
      out.spatialMap = fg;
      fused = tf.mul(fused, fg);
    } else if (spatial === "attention") {
      const hidden = tf.tanh(tf.add(tf.conv2d(features, attW1 as tf.Tensor4D, 1, "same"), attB1!));
      const score = tf.reshape(tf.conv2d(hidden as tf.Tensor4D, attW2 as tf.Tensor4D, 1, "same"), [
        b,
        h * w,
      ]);
      const att = tf.reshape(tf.mul(tf.softmax(score, -1), h * w), [b, h, w, 1]) as tf.Tensor4D;
      out.spatialMap = att;
      fused = tf.mul(fused, att);
    }
    if (channel !== "none") {
      const pooled = bilinearPool(features, { order: bilinearOrder });
      let weights: tf.Tensor2D;
      if (channel === "focus") {
        out.levels = tf.softmax(
          tf.add(tf.matMul(pooled, clsW as tf.Tensor2D), clsB!),
        ) as tf.Tensor2D;
        weights = tf.sigmoid(tf.add(tf.matMul(pooled, chW as tf.Tensor2D), chB!)) as tf.Tensor2D;
      } else {
        const hidden = tf.tanh(tf.add(tf.matMul(pooled, chW1 as tf.Tensor2D), chB1!));
        const score = tf.add(tf.matMul(hidden as tf.Tensor2D, chW as tf.Tensor2D), chB!);
        weights = tf.mul(tf.softmax(score, -1), c) as tf.Tensor2D;
      }
      out.channelWeights = weights;
      fused = tf.mul(fused, tf.reshape(weights, [b, 1, 1, c]));
    }
    out.density = tf.add(
      tf.conv2d(fused, densityW as tf.Tensor4D, 1, "same"),
      densityB,
    ) as tf.Tensor4D;
    return out as FocusOutput;
  };

  return {
    name: `focus(spatial=${spatial}, channel=${channel}, M=${m})`,
    options: { channels: c, spatial, channel, levels: m, stopGradient, bilinearOrder, seed },
    variables,
    apply,
    dispose: () => tf.dispose(Object.values(variables)),
  };
}

/** The identity with a zero gradient (tfjs has no `stopGradient` op). */
const stopGradientOf: (x: tf.Tensor4D) => tf.Tensor4D = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((x: tf.Tensor, save: any) => {
    save([]);
    return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  }) as never,
) as unknown as (x: tf.Tensor4D) => tf.Tensor4D;

let counter = 0;
/** A process-unique suffix: tfjs variable names must be unique engine-wide. */
function uid(): number {
  return counter++;
}

/** The density loss of eq. 4.8: thesis's sums, or the author's means with L1 × 10. */
export type FocusDensityLossForm = "thesis" | "author";

/** The forms {@linkcode focusDensityLoss} accepts. */
export const FOCUS_DENSITY_FORMS: readonly FocusDensityLossForm[] = ["thesis", "author"];

/**
 * The density loss of eq. 4.8, L2 and L1 together:
 *
 * - `"thesis"` (default): `½‖F − Y‖² + ‖F − Y‖₁` per image (sums over
 *   pixels), averaged over the batch;
 * - `"author"`: as the released code, `10 · mean|F − Y| + mean (F − Y)² / 2`
 *   (each a mean over all pixels of the batch).
 *
 * @param predicted `[B, H, W, 1]`.
 * @param target `[B, H, W, 1]`.
 * @param form `"thesis"` or `"author"`.
 * @returns The scalar loss.
 */
export function focusDensityLoss(
  predicted: tf.Tensor4D,
  target: tf.Tensor4D,
  form: FocusDensityLossForm = "thesis",
): tf.Scalar {
  assertOneOf(form, FOCUS_DENSITY_FORMS, "form");
  return tf.tidy(() => {
    const d = tf.sub(predicted, target);
    if (form === "author") {
      return tf.add(tf.mul(tf.mean(tf.abs(d)), 10), tf.div(tf.mean(tf.square(d)), 2));
    }
    const perImage = tf.add(
      tf.mul(tf.sum(tf.square(d), [1, 2, 3]), 0.5),
      tf.sum(tf.abs(d), [1, 2, 3]),
    );
    return tf.mean(perImage);
  }) as tf.Scalar;
}

/** Options of {@linkcode focusLossTerms}. */
export interface FocusLossOptions {
  /** λ_s, the weight of the segmentation loss (default 10, the thesis's). */
  segmentationWeight?: number;
  /** λ_c, the weight of the global-density loss (default 1). */
  globalDensityWeight?: number;
  /** Normalisation of the focal losses (default `"thesis"`). */
  focalForm?: FocalForm;
  /** γ of both focal losses (default 2). */
  gamma?: number;
}

/**
 * The focus branches' part of the multi-level loss of eq. 4.9,
 * `λ_s L_s + λ_c L_c` (the density part `λ_r L_r` is the training loop's
 * loss), for `trainCounter`'s `lossTerms`. A branch that is present needs its
 * target in the batch (`segmentation` at the output's resolution, `levels`).
 *
 * @param options λ_s, λ_c, focal form and γ.
 * @returns `(batch, output) => loss`.
 */
export function focusLossTerms(
  options: FocusLossOptions = {},
): (batch: CounterBatch, output: CounterOutput) => tf.Scalar {
  const ls = assertNumber(options.segmentationWeight ?? 10, "segmentationWeight", { min: 0 });
  const lc = assertNumber(options.globalDensityWeight ?? 1, "globalDensityWeight", { min: 0 });
  const focal = { form: options.focalForm, gamma: options.gamma };
  return (batch, output) =>
    tf.tidy(() => {
      let total = tf.scalar(0);
      const seg = output.segmentation as tf.Tensor4D | undefined;
      if (seg) {
        if (!batch.segmentation) {
          throw new RangeError("the spatial focus needs batch.segmentation (eq. 4.2 maps)");
        }
        total = tf.add(total, tf.mul(segmentationFocalLoss(seg, batch.segmentation, focal), ls));
      }
      const levels = output.levels as tf.Tensor2D | undefined;
      if (levels) {
        if (!batch.levels) {
          throw new RangeError("the global-density focus needs batch.levels (eqs. 4.4-4.5)");
        }
        total = tf.add(total, tf.mul(globalDensityFocalLoss(levels, batch.levels, focal), lc));
      }
      return total as tf.Scalar;
    });
}
