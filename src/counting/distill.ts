/**
 * Density maps from distillation (thesis Sec. 5.5): an auxiliary network f_a
 * is trained with L1 on background-blacked images `Ĩ = I ⊙ (D > 0)` against
 * the Gaussian maps D, stopped at its best validation MAE (`trainCounter`'s
 * best-model selection); the density network is then trained with L1
 * against `f_a(Ĩ)` alone, never combined with D (the thesis found the
 * combination worse).
 *
 * {@linkcode distilledBatch} wraps a batch function: the crop, flip and any
 * augmentation happen first, on the Gaussian map, and the frozen f_a then
 * computes the target of that very crop. f_a's output (at its output stride
 * s, in `densityScale` units) is brought back to density units and to the
 * input's resolution by nearest upsampling divided by s², so that the
 * training loop's sum-pooling by s returns it exactly.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import { foregroundOf, maskImages } from "./cascade.ts";
import { type CounterBatch, type CounterForward, densityOf } from "./train.ts";

/** Options of {@linkcode distilledBatch}. */
export interface DistillOptions {
  /** Output stride s of the auxiliary network (default 1). */
  outputStride?: number;
  /** The density scale f_a was trained with (default 100). */
  densityScale?: number;
  /** Clamp negative distilled densities to 0 (default `true`: a density is never negative). */
  clampNegative?: boolean;
}

/**
 * The distilled targets of a batch: `f_a(I ⊙ (D > 0))` in density units at
 * the images' resolution.
 *
 * @param auxiliary f_a (run in inference mode).
 * @param batch Images and Gaussian densities.
 * @param options Stride, scale.
 * @returns `[B, H, W, 1]` distilled densities.
 */
export function distilledTargets(
  auxiliary: CounterForward,
  batch: CounterBatch,
  options: DistillOptions = {},
): tf.Tensor4D {
  const s = assertNumber(options.outputStride ?? 1, "outputStride", { min: 1, integer: true });
  const scale = assertNumber(options.densityScale ?? 100, "densityScale", {
    min: 0,
    minExclusive: true,
  });
  return tf.tidy(() => {
    const blacked = maskImages(batch.images, foregroundOf(batch.targets));
    let d = tf.div(densityOf(auxiliary(blacked, false)), scale * s * s) as tf.Tensor4D;
    if (options.clampNegative ?? true) d = tf.relu(d);
    if (s === 1) return d;
    const [, h, w] = d.shape;
    const up = tf.image.resizeNearestNeighbor(d, [h * s, w * s]);
    const [, H, W] = batch.targets.shape;
    return tf.slice(
      tf.pad(up, [[0, 0], [0, Math.max(0, H - h * s)], [0, Math.max(0, W - w * s)], [
        0,
        0,
      ]]),
      [0, 0, 0, 0],
      [-1, H, W, 1],
    ) as tf.Tensor4D;
  });
}

/**
 * Wraps a batch function so that its targets are the frozen auxiliary
 * network's distilled densities (the Gaussian maps are only used to black
 * out the background of f_a's input).
 *
 * @param batch The batch function (Gaussian targets).
 * @param auxiliary f_a.
 * @param options Stride, scale.
 * @returns A batch function with distilled targets.
 */
export function distilledBatch<A extends unknown[]>(
  batch: (...args: A) => CounterBatch,
  auxiliary: CounterForward,
  options: DistillOptions = {},
): (...args: A) => CounterBatch {
  return (...args: A) => {
    const b = batch(...args);
    const targets = distilledTargets(auxiliary, b, options);
    b.targets.dispose();
    return { ...b, targets };
  };
}
