/**
 * Background reduction (thesis Sec. 5.3): counting on images whose background
 * is removed, by an oracle or by a learned segmentation network, and the two
 * published alternatives the thesis compares with (Table 29).
 *
 * - **Oracle**: the input is masked by the oracle foreground (the true
 *   density > 0), in training and in testing ({@linkcode oracleBatch}).
 * - **Cascade** (ours): a segmentation network f_s is trained with
 *   cross-entropy on the oracle foreground ({@linkcode foregroundCrossEntropy}),
 *   then frozen; the density network f_d is trained with L1 on `I ⊙ Ŝ`,
 *   `Ŝ = f_s(I)` ({@linkcode cascadeForward}). Ŝ is the foreground
 *   probability (soft) by default; `hard: true` thresholds it at 0.5.
 * - **Segmentation attention on the output** (Modolo et al.): one network
 *   predicts the density, another a foreground map, trained jointly; the
 *   output density is their product ({@linkcode segmentationAttentionForward}).
 * - **Two-stage** (Cheng et al.): a first network regresses the foreground
 *   probability map, frozen; the density network counts on that map alone
 *   ({@linkcode twoStageForward}).
 *
 * Networks are forward functions `(images, training) => output`; a
 * segmentation network outputs one channel of logits at its output stride,
 * which is upsampled (bilinear) to the input's size where the input is
 * masked.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, formatShape } from "../core/checks.ts";
import type { CounterBatch, CounterForward, CounterOutput } from "./train.ts";
import { densityOf } from "./train.ts";

/** A forward pass that outputs one channel of foreground logits `[B, h, w, 1]`. */
export type SegmenterForward = (images: tf.Tensor4D, training: boolean) => tf.Tensor4D;

/**
 * The foreground of a density map: pixels above `threshold` (default 0:
 * the oracle foreground of Sec. 5.3, every pixel some object's Gaussian
 * reaches).
 *
 * @param density `[B, H, W, 1]`.
 * @param threshold Least density of a foreground pixel (default 0).
 * @returns A float mask of 0 and 1, same shape.
 */
export function foregroundOf(density: tf.Tensor4D, threshold = 0): tf.Tensor4D {
  assertNumber(threshold, "threshold", { min: 0 });
  return tf.tidy(() => tf.cast(tf.greater(density, threshold), "float32") as tf.Tensor4D);
}

/**
 * `I ⊙ S`: the images with the mask broadcast over their channels; a mask at
 * a lower resolution is upsampled (bilinear) to the images' size first.
 *
 * @param images `[B, H, W, C]`.
 * @param mask `[B, h, w, 1]`, values in [0, 1].
 * @returns The masked images.
 */
export function maskImages(images: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w] = images.shape;
  if (mask.rank !== 4 || mask.shape[0] !== b || mask.shape[3] !== 1) {
    throw new RangeError(
      `mask must be [${b}, h, w, 1] for images ${formatShape(images.shape)}, got ${
        formatShape(mask.shape)
      }`,
    );
  }
  return tf.tidy(() => {
    const m = mask.shape[1] === h && mask.shape[2] === w
      ? mask
      : tf.image.resizeBilinear(mask, [h, w], true);
    return tf.mul(images, m) as tf.Tensor4D;
  });
}

/**
 * Wraps a batch function so that every image is masked by its oracle
 * foreground (the oracle experiment of Table 23).
 *
 * @param batch The batch function.
 * @returns A batch function whose images are `I ⊙ (D > 0)`.
 */
export function oracleBatch<A extends unknown[]>(
  batch: (...args: A) => CounterBatch,
): (...args: A) => CounterBatch {
  return (...args: A) => {
    const b = batch(...args);
    const fg = foregroundOf(b.targets);
    const images = maskImages(b.images, fg);
    fg.dispose();
    b.images.dispose();
    return { ...b, images };
  };
}

/**
 * Binary cross-entropy between foreground logits and the oracle foreground
 * of the target (target > 0), averaged over pixels: the loss of f_s, to pass
 * as `trainCounter`'s `loss` (the target it receives is the density
 * sum-pooled to the output's resolution, positive exactly where the
 * foreground is).
 *
 * @param logits `[B, h, w, 1]` foreground logits.
 * @param target `[B, h, w, 1]` density at the same resolution.
 * @returns The scalar loss.
 */
export function foregroundCrossEntropy(logits: tf.Tensor4D, target: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => tf.losses.sigmoidCrossEntropy(foregroundOf(target), logits) as tf.Scalar);
}

/** Options of {@linkcode cascadeForward}. */
export interface CascadeOptions {
  /** Threshold Ŝ at 0.5 instead of using the probability (default `false`). */
  hard?: boolean;
}

/**
 * The cascade `D̂ = f_d(I ⊙ Ŝ)`, `Ŝ = σ(f_s(I))` with f_s frozen (always run
 * in inference mode; its variables are not the ones trained).
 *
 * @param segmenter f_s, foreground logits.
 * @param counter f_d.
 * @param options Soft or hard mask.
 * @returns The cascade's forward pass, with `mask` (Ŝ at f_s's resolution) beside the density.
 */
export function cascadeForward(
  segmenter: SegmenterForward,
  counter: CounterForward,
  options: CascadeOptions = {},
): CounterForward {
  return (images, training) => {
    const mask = tf.tidy(() => {
      const p = tf.sigmoid(segmenter(images, false));
      return (options.hard ? tf.cast(tf.greater(p, 0.5), "float32") : p) as tf.Tensor4D;
    });
    const masked = maskImages(images, mask);
    const out = counter(masked, training);
    masked.dispose();
    return { ...(out instanceof tf.Tensor ? { density: out } : out), mask };
  };
}

/**
 * Segmentation attention on the output density (Modolo et al.): `D̂ = f_d(I)
 * ⊙ σ(f_s(I))` at the output's resolution, both trained together; the
 * logits are returned as `segmentationLogits` for
 * {@linkcode segmentationAttentionLoss}.
 *
 * @param segmenter f_s (trained), foreground logits at f_d's output resolution.
 * @param counter f_d.
 * @returns The forward pass.
 */
export function segmentationAttentionForward(
  segmenter: SegmenterForward,
  counter: CounterForward,
): CounterForward {
  return (images, training) => {
    const logits = segmenter(images, training);
    const d = densityOf(counter(images, training));
    if (!tf.util.arraysEqual(logits.shape.slice(0, 3), d.shape.slice(0, 3))) {
      throw new RangeError(
        `the segmenter's output ${formatShape(logits.shape)} must match the density's ${
          formatShape(d.shape)
        } in batch, height and width`,
      );
    }
    return { density: tf.mul(d, tf.sigmoid(logits)) as tf.Tensor4D, segmentationLogits: logits };
  };
}

/**
 * The auxiliary loss of {@linkcode segmentationAttentionForward}: λ × the
 * cross-entropy of its logits against the oracle foreground of the batch's
 * density, sum-pooled to the logits' resolution; for `trainCounter`'s
 * `lossTerms`.
 *
 * @param weight λ (default 1).
 * @returns `(batch, output) => loss`.
 */
export function segmentationAttentionLoss(
  weight = 1,
): (batch: CounterBatch, output: CounterOutput) => tf.Scalar {
  assertNumber(weight, "weight", { min: 0 });
  return (batch, output) =>
    tf.tidy(() => {
      const logits = output.segmentationLogits as tf.Tensor4D | undefined;
      if (!logits) throw new RangeError("output has no segmentationLogits");
      const [, h, w] = logits.shape;
      const factor = batch.targets.shape[1] / h;
      const pooled = factor === 1
        ? batch.targets
        : tf.avgPool(batch.targets, factor, factor, "valid") as tf.Tensor4D;
      if (pooled.shape[1] !== h || pooled.shape[2] !== w) {
        throw new RangeError(
          `targets ${formatShape(batch.targets.shape)} do not pool to the logits' ${h}x${w}`,
        );
      }
      return tf.mul(foregroundCrossEntropy(logits, pooled), weight) as tf.Scalar;
    });
}

/**
 * The two-stage approach (Cheng et al.): `D̂ = f_d(σ(f_s(I)))`, the density
 * predicted from the frozen foreground probability map alone (upsampled to
 * the input's size), so f_d takes one input channel.
 *
 * @param segmenter f_s (frozen), foreground logits.
 * @param counter f_d on a one-channel probability map.
 * @returns The forward pass.
 */
export function twoStageForward(
  segmenter: SegmenterForward,
  counter: CounterForward,
): CounterForward {
  return (images, training) => {
    const [, h, w] = images.shape;
    const p = tf.tidy(() => {
      const prob = tf.sigmoid(segmenter(images, false)) as tf.Tensor4D;
      return prob.shape[1] === h && prob.shape[2] === w
        ? prob
        : tf.image.resizeBilinear(prob, [h, w], true);
    });
    const out = counter(p, training);
    return { ...(out instanceof tf.Tensor ? { density: out } : out), mask: p };
  };
}
