/**
 * Detail enhancement by unsharp masking (thesis §2.5.5, after the DIP):
 * `x_e = x0 + amount·(x0 − x_s)`, where `x_s` is a smooth version of `x0` —
 * the output of the controlled deep image prior fitted to `x0` for a fixed
 * number of steps (5,000 in the thesis) at λ ∈ {1, 2, 3}; the smaller λ, the
 * smoother `x_s` and the stronger the enhancement.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertImage, assertNumber, assertSameShape } from "../../core/checks.ts";

/** Options of {@linkcode enhanceDetails}. */
export interface EnhanceOptions {
  /** Weight of the detail layer `x0 − x_s` (default 1, the thesis' `x_e = (x0 − x_s) + x0`). */
  amount?: number;
  /**
   * Add only the positive part of the detail layer, `max(x0 − x_s, 0)`, as the
   * author's released code does (`save2enhanceimg` clips the difference to
   * [0, 1]); default `false`: the formula of the thesis.
   */
  positiveOnly?: boolean;
}

/**
 * Unsharp masking with a given smooth image: `clip(x0 + amount·(x0 − x_s), 0, 1)`.
 *
 * @param x0 The original image, HWC in [0, 1].
 * @param xs Its smoothed version (same shape), e.g. a controlled-DIP output.
 * @param options Detail weight (default 1) and the author-code variant.
 * @returns The enhanced image, clipped to [0, 1].
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { enhanceDetails } from "./enhance.ts";
 * await tf.setBackend("cpu");
 * const x0 = tf.tensor3d([[[0.4], [0.6]]]);
 * const xs = tf.tensor3d([[[0.5], [0.5]]]);
 * const xe = enhanceDetails(x0, xs); // [[0.3], [0.7]]: the edge is steeper
 * if (Math.abs(xe.dataSync()[0] - 0.3) > 1e-6) throw new Error("unexpected");
 * tf.dispose([x0, xs, xe]);
 * ```
 */
export function enhanceDetails(
  x0: tf.Tensor3D,
  xs: tf.Tensor3D,
  options: EnhanceOptions = {},
): tf.Tensor3D {
  assertImage(x0, "x0");
  assertImage(xs, "xs");
  assertSameShape(x0, xs, ["x0", "xs"]);
  const amount = assertNumber(options.amount ?? 1, "amount", { min: 0 });
  return tf.tidy(() => {
    let detail = tf.sub(x0, xs);
    if (options.positiveOnly) detail = tf.relu(detail);
    return tf.clipByValue(tf.add(x0, tf.mul(detail, amount)), 0, 1) as tf.Tensor3D;
  });
}
