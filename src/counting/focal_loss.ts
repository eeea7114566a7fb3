/**
 * The focal losses of "focus for free" (thesis Sec. 4.3): the per-pixel
 * weighted focal loss of the segmentation focus (eq. 4.3) and the focal loss
 * of the global-density classes (eq. 4.6), both
 * `−Σ_l α_l y_l (1 − p_l)^γ log p_l` over the classes `l`, averaged over
 * pixels (segmentation) or images (global density).
 *
 * Two forms, since the author's released TensorFlow code
 * (`shizenglin/Counting-with-Focus-for-Free`, `code/model.py`) differs from
 * the text in its normalisation:
 *
 * - `"thesis"` (default): the sum over classes of eqs. 4.3/4.6, averaged over
 *   pixels or images; probabilities clipped at 1e-7 inside the log.
 * - `"author"`: as the code: each class's term averaged separately, the sum
 *   divided by the number of classes, probabilities clipped at 0.005.
 *
 * The class weights of eq. 4.3 are `α_l = 1 − |S_l| / |S|`, the complement of
 * the class's pixel frequency in the batch (as the code computes them).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, formatShape } from "../core/checks.ts";

/** Normalisation of the focal losses (see the module doc). */
export type FocalForm = "thesis" | "author";

/** The forms the focal losses accept. */
export const FOCAL_FORMS: readonly FocalForm[] = ["thesis", "author"];

/** Options of the focal losses. */
export interface FocalLossOptions {
  /** Focusing parameter γ (default 2, the thesis's γ_s = γ_c = 2). */
  gamma?: number;
  /** `"thesis"` (default) or `"author"` normalisation. */
  form?: FocalForm;
}

function settings(options: FocalLossOptions) {
  const gamma = assertNumber(options.gamma ?? 2, "gamma", { min: 0 });
  const form = assertOneOf(options.form ?? "thesis", FOCAL_FORMS, "form");
  return { gamma, form, clip: form === "author" ? 0.005 : 1e-7 };
}

/**
 * `y (1 − p)^γ log p` per element, with p clipped.
 *
 * @param p Probabilities.
 * @param y One-hot labels.
 * @param gamma γ.
 * @param clip Least probability inside the log.
 * @returns The elementwise term (not negated).
 */
function focalTerm(p: tf.Tensor, y: tf.Tensor, gamma: number, clip: number): tf.Tensor {
  const modulation = gamma === 0 ? tf.onesLike(p) : tf.pow(tf.sub(1, p), gamma);
  return tf.mul(tf.mul(y, modulation), tf.log(tf.clipByValue(p, clip, 1)));
}

/**
 * The segmentation focal loss of eq. 4.3: foreground/background
 * probabilities against the binary segmentation map of eq. 4.2, each class
 * weighted by one minus its pixel frequency in the batch.
 *
 * @param probabilities Softmax output `[B, H, W, 2]` (channel 1 = foreground).
 * @param segmentation Binary map `[B, H, W, 1]` (1 = foreground).
 * @param options γ and form.
 * @returns The scalar loss.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { segmentationFocalLoss } from "./focal_loss.ts";
 * await tf.setBackend("cpu");
 * const p = tf.tensor4d([0.9, 0.1, 0.2, 0.8], [1, 1, 2, 2]);
 * const s = tf.tensor4d([0, 1], [1, 1, 2, 1]);
 * console.log(segmentationFocalLoss(p, s).dataSync()[0].toFixed(5)); // both right: small
 * ```
 */
export function segmentationFocalLoss(
  probabilities: tf.Tensor4D,
  segmentation: tf.Tensor4D,
  options: FocalLossOptions = {},
): tf.Scalar {
  const { gamma, form, clip } = settings(options);
  const [b, h, w, c] = probabilities.shape;
  if (c !== 2) {
    throw new RangeError(
      `probabilities must have 2 channels (background, foreground), got shape ${
        formatShape(probabilities.shape)
      }`,
    );
  }
  if (!tf.util.arraysEqual(segmentation.shape, [b, h, w, 1])) {
    throw new RangeError(
      `segmentation must have shape ${formatShape([b, h, w, 1])}, got ${
        formatShape(segmentation.shape)
      }`,
    );
  }
  return tf.tidy(() => {
    const fg = tf.cast(tf.greater(segmentation, 0.5), "float32");
    const y = tf.concat([tf.sub(1, fg), fg], 3);
    // α_l = 1 − |S_l| / |S| per class, over the batch
    const frequency = tf.div(tf.sum(y, [0, 1, 2]), b * h * w);
    const alpha = tf.sub(1, frequency);
    const term = tf.mul(focalTerm(probabilities, y, gamma, clip), alpha);
    if (form === "author") return tf.neg(tf.div(tf.sum(tf.mean(term, [0, 1, 2])), 2));
    return tf.neg(tf.mean(tf.sum(term, 3))) as tf.Scalar;
  }) as tf.Scalar;
}

/**
 * The global-density focal loss of eq. 4.6: per-image class probabilities
 * over the M global-density levels against each image's level.
 *
 * @param probabilities Softmax output `[B, M]`.
 * @param levels The level of each image, integers in `[0, M)`, `[B]` (int32 or float).
 * @param options γ and form.
 * @returns The scalar loss.
 */
export function globalDensityFocalLoss(
  probabilities: tf.Tensor2D,
  levels: tf.Tensor1D,
  options: FocalLossOptions = {},
): tf.Scalar {
  const { gamma, form, clip } = settings(options);
  const [b, m] = probabilities.shape;
  if (levels.rank !== 1 || levels.shape[0] !== b) {
    throw new RangeError(
      `levels must have shape [${b}] (one per image), got ${formatShape(levels.shape)}`,
    );
  }
  return tf.tidy(() => {
    const y = tf.oneHot(tf.cast(levels, "int32"), m);
    const term = focalTerm(probabilities, y, gamma, clip);
    if (form === "author") return tf.neg(tf.div(tf.sum(tf.mean(term, 0)), m));
    return tf.neg(tf.mean(tf.sum(term, 1)));
  }) as tf.Scalar;
}
