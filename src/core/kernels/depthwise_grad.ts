/**
 * Gradients of a depthwise 2-D convolution (NHWC input `[B, H, W, C]`, filter
 * `[kh, kw, C, M]`, output `[B, oh, ow, C * M]`) built from forward depthwise
 * convolutions, slices and reductions; strides, dilations and every padding
 * supported, on every backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertShape } from "../checks.ts";
import type { ConvGeometryOptions } from "./conv2d_grad.ts";
import {
  assembleInputGrad,
  axes,
  checkDy,
  convInfo,
  filterAxisPadding,
  padOrCrop,
  selectTaps,
  tapWindows,
} from "./_geometry.ts";

/** Options of {@linkcode depthwiseConv2dGradInput}. */
export interface DepthwiseGradInputOptions extends ConvGeometryOptions {
  /** Shape `[B, H, W, C]` of the forward input. */
  inputShape: [number, number, number, number];
}

/** Options of {@linkcode depthwiseConv2dGradFilter}. */
export interface DepthwiseGradFilterOptions extends ConvGeometryOptions {
  /** Shape `[kh, kw, C, M]` of the forward filter. */
  filterShape: [number, number, number, number];
}

/**
 * The gradient of `tf.depthwiseConv2d` with respect to its input: a
 * depthwise correlation of `dy` with the flipped filter (one phase per
 * stride residue), summed over the channel multiplier.
 *
 * @param dy Gradient of the output, `[B, oh, ow, C * M]`.
 * @param filter The forward filter, `[kh, kw, C, M]`.
 * @param options The forward convolution and its input shape.
 * @returns The input gradient, `[B, H, W, C]`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { depthwiseConv2dGradInput } from "./depthwise_grad.ts";
 * await tf.setBackend("cpu");
 * const dy = tf.ones([1, 3, 3, 2]) as tf.Tensor4D;
 * const w = tf.tensor4d([1, 10], [1, 1, 2, 1]);
 * const dx = depthwiseConv2dGradInput(dy, w, { inputShape: [1, 3, 3, 2], pad: "valid" });
 * if (dx.dataSync()[1] !== 10) throw new Error();
 * ```
 */
export function depthwiseConv2dGradInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  options: DepthwiseGradInputOptions,
): tf.Tensor4D {
  assertShape(filter, [null, null, null, null], "filter");
  const info = convInfo(options.inputShape, filter.shape, options, true);
  checkDy(dy, info);
  const [, , channels, multiplier] = filter.shape;
  return tf.tidy(() => {
    return assembleInputGrad(dy, info, channels, (input, pad, rowTaps, colTaps, dilations) => {
      const sub = selectTaps(selectTaps(filter, 0, rowTaps), 1, colTaps);
      const [th, tw] = sub.shape;
      const flat = tf.reshape(sub, [th, tw, channels * multiplier, 1]) as tf.Tensor4D;
      const out = tf.depthwiseConv2d(input, flat, 1, pad, "NHWC", dilations);
      if (multiplier === 1) return out;
      const [b, h, w] = out.shape;
      return tf.sum(tf.reshape(out, [b, h, w, channels, multiplier]), 4) as tf.Tensor4D;
    });
  });
}

/**
 * The gradient of `tf.depthwiseConv2d` with respect to its filter: for each
 * tap, the shifted input window times `dy`, summed over batch and pixels.
 *
 * @param x The forward input, `[B, H, W, C]`.
 * @param dy Gradient of the output, `[B, oh, ow, C * M]`.
 * @param options The forward convolution and its filter shape.
 * @returns The filter gradient, `[kh, kw, C, M]`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { depthwiseConv2dGradFilter } from "./depthwise_grad.ts";
 * await tf.setBackend("cpu");
 * const x = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]);
 * const dy = tf.ones([1, 1, 2, 2]) as tf.Tensor4D;
 * const dw = depthwiseConv2dGradFilter(x, dy, { filterShape: [1, 1, 2, 1], pad: "valid" });
 * if (dw.dataSync().join() !== "4,6") throw new Error();
 * ```
 */
export function depthwiseConv2dGradFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  options: DepthwiseGradFilterOptions,
): tf.Tensor4D {
  assertShape(x, [null, null, null, null], "x");
  const info = convInfo(x.shape, options.filterShape, options, true);
  checkDy(dy, info);
  const [kh, kw, channels, multiplier] = info.filterShape;
  const n = info.batchSize * info.outHeight * info.outWidth;
  const [rowGeom, colGeom] = axes(info);
  return tf.tidy(() => {
    const padded = padOrCrop(x, filterAxisPadding(rowGeom), filterAxisPadding(colGeom));
    const dy3 = tf.reshape(dy, [n, channels, multiplier]);
    const taps = tapWindows(padded, info, "NHWC").flat().map((window) =>
      tf.sum(tf.mul(tf.reshape(window, [n, channels, 1]), dy3), 0)
    );
    return tf.reshape(tf.stack(taps), [kh, kw, channels, multiplier]);
  });
}
