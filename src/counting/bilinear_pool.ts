/**
 * Bilinear pooling of a feature map (Lin et al.; thesis Sec. 4.3.2), the
 * global-context descriptor of the global-density focus: the outer products
 * `v vᵀ` of the feature vectors, pooled over positions, normalised, and
 * reduced to one value per channel.
 *
 * Two orders, since the text and the author's code differ:
 *
 * - `"author"` (default; `code/ops.py` of the released code):
 *   `B = Σ_p v_p v_pᵀ` (C×C), signed square root `sign(B)·sqrt(|B| + 1e-12)`,
 *   ℓ2 normalisation of each row, then the mean of the rows, giving `[C]`.
 * - `"thesis"` (the text): `B = mean_p v_p v_pᵀ`, the mean of its columns
 *   `B̂ = (1/C) Σ_i B[:, i]`, ℓ2 normalisation, then the signed square root.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertOneOf, formatShape } from "../core/checks.ts";

/** The order of the normalisations (see the module doc). */
export type BilinearOrder = "author" | "thesis";

/** The orders {@linkcode bilinearPool} accepts. */
export const BILINEAR_ORDERS: readonly BilinearOrder[] = ["author", "thesis"];

/** Options of {@linkcode bilinearPool}. */
export interface BilinearPoolOptions {
  /** `"author"` (default) or `"thesis"`. */
  order?: BilinearOrder;
}

/**
 * Bilinear pooling of `V` `[B, H, W, C]` to `[B, C]`.
 *
 * @param features The feature map V.
 * @param options The order of the normalisations.
 * @returns One C-vector per image.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { bilinearPool } from "./bilinear_pool.ts";
 * await tf.setBackend("cpu");
 * const v = tf.ones([1, 2, 2, 3]) as tf.Tensor4D;
 * console.log(bilinearPool(v).shape); // [1, 3]
 * ```
 */
export function bilinearPool(
  features: tf.Tensor4D,
  options: BilinearPoolOptions = {},
): tf.Tensor2D {
  const order = assertOneOf(options.order ?? "author", BILINEAR_ORDERS, "order");
  if (features.rank !== 4) {
    throw new RangeError(`features must be [B, H, W, C], got ${formatShape(features.shape)}`);
  }
  const [b, h, w, c] = features.shape;
  return tf.tidy(() => {
    const flat = tf.reshape(features, [b, h * w, c]);
    const outer = tf.matMul(flat, flat, true, false); // [B, C, C] = Σ_p v vᵀ
    const ssqrt = (x: tf.Tensor) => tf.mul(tf.sign(x), tf.sqrt(tf.add(tf.abs(x), 1e-12)));
    const l2 = (x: tf.Tensor, axis: number) =>
      tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), axis, true), 1e-12)));
    if (order === "author") {
      return tf.mean(l2(ssqrt(outer), 2), 2) as tf.Tensor2D;
    }
    const mean = tf.div(outer, h * w);
    return ssqrt(l2(tf.mean(mean, 2), 1)) as tf.Tensor2D;
  });
}
