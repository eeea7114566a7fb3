/**
 * Gradients of a 2-D convolution (NHWC input, `[kh, kw, inC, outC]` filter)
 * written as ordinary forward convolutions, so that a backend whose forward
 * `conv2d` is fast (XNNPACK on wasm) is also fast in training:
 *
 * - the input gradient is a correlation of `dy` with the flipped, transposed
 *   filter; with a stride `s > 1` it splits into `s × s` phases, each a
 *   stride-1 convolution with the taps of its residue, interleaved afterwards
 *   (no multiplications by inserted zeros);
 * - the filter gradient, for each filter tap, is the product of the shifted
 *   input window (`[inC, N]`) with `dy` (`[N, outC]`), done as a 1×1
 *   convolution whose filter (`dy`) is shared by all taps.
 *
 * Both support strides, dilations, and `"same"`, `"valid"` and explicit
 * padding, and work on every backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertShape } from "../checks.ts";
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

/** Padding of a convolution, as tfjs takes it. */
export type ConvPadding = "same" | "valid" | number | tf.backend_util.ExplicitPadding;

/** The forward convolution whose gradient is wanted. */
export interface ConvGeometryOptions {
  /** Strides `[rows, cols]` or one for both. Default 1. */
  strides?: number | [number, number];
  /** Dilations `[rows, cols]` or one for both. Default 1. */
  dilations?: number | [number, number];
  /** Padding of the forward convolution. */
  pad: ConvPadding;
  /** Rounding of the output size when `pad` is a number. */
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/** Options of {@linkcode conv2dGradInput}. */
export interface Conv2dGradInputOptions extends ConvGeometryOptions {
  /** Shape `[B, H, W, inC]` of the forward input. */
  inputShape: [number, number, number, number];
}

/** Options of {@linkcode conv2dGradFilter}. */
export interface Conv2dGradFilterOptions extends ConvGeometryOptions {
  /** Shape `[kh, kw, inC, outC]` of the forward filter. */
  filterShape: [number, number, number, number];
}

/**
 * The gradient of `tf.conv2d` with respect to its input (what tfjs calls
 * `Conv2DBackpropInput`, or `conv2dTranspose`), built from forward
 * convolutions.
 *
 * @param dy Gradient of the convolution's output, `[B, oh, ow, outC]`.
 * @param filter The forward filter, `[kh, kw, inC, outC]`.
 * @param options The forward convolution and its input shape.
 * @returns The input gradient, `[B, H, W, inC]`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { conv2dGradInput } from "./conv2d_grad.ts";
 * await tf.setBackend("cpu");
 * const dy = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
 * const w = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
 * const dx = conv2dGradInput(dy, w, { inputShape: [1, 4, 4, 1], strides: 2, pad: "same" });
 * // each input pixel counts the output windows (rows 0-2 and 2-4) that cover it
 * const want = [1, 1, 2, 1, 1, 1, 2, 1, 2, 2, 4, 2, 1, 1, 2, 1];
 * if (JSON.stringify(Array.from(dx.dataSync())) !== JSON.stringify(want)) throw new Error();
 * ```
 */
export function conv2dGradInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  options: Conv2dGradInputOptions,
): tf.Tensor4D {
  assertShape(filter, [null, null, null, null], "filter");
  const info = convInfo(options.inputShape, filter.shape, options);
  checkDy(dy, info);
  const inC = info.inChannels;
  return tf.tidy(() => {
    // [kh, kw, outC, inC]: correlating dy with it gives the input gradient.
    const wT = tf.transpose(filter, [0, 1, 3, 2]);
    return assembleInputGrad(dy, info, inC, (input, pad, rowTaps, colTaps, dilations) => {
      const sub = selectTaps(selectTaps(wT, 0, rowTaps), 1, colTaps);
      return tf.conv2d(input, sub, 1, pad, "NHWC", dilations);
    });
  });
}

/**
 * The gradient of `tf.conv2d` with respect to its filter (what tfjs calls
 * `Conv2DBackpropFilter`), built from 1×1 forward convolutions.
 *
 * @param x The forward input, `[B, H, W, inC]`.
 * @param dy Gradient of the convolution's output, `[B, oh, ow, outC]`.
 * @param options The forward convolution and its filter shape.
 * @returns The filter gradient, `[kh, kw, inC, outC]`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { conv2dGradFilter } from "./conv2d_grad.ts";
 * await tf.setBackend("cpu");
 * const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
 * const dy = tf.ones([1, 1, 1, 1]) as tf.Tensor4D;
 * // a valid 2x2 convolution has one output: each tap's gradient is its pixel
 * const dw = conv2dGradFilter(x, dy, { filterShape: [2, 2, 1, 1], pad: "valid" });
 * if (dw.dataSync().join() !== "1,2,3,4") throw new Error();
 * ```
 */
export function conv2dGradFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  options: Conv2dGradFilterOptions,
): tf.Tensor4D {
  assertShape(x, [null, null, null, null], "x");
  const info = convInfo(x.shape, options.filterShape, options);
  checkDy(dy, info);
  const [kh, kw, inC, outC] = info.filterShape;
  const n = info.batchSize * info.outHeight * info.outWidth;
  const [rowGeom, colGeom] = axes(info);
  return tf.tidy(() => {
    const padded = padOrCrop(x, filterAxisPadding(rowGeom), filterAxisPadding(colGeom));
    const dyFilter = tf.reshape(dy, [1, 1, n, outC]) as tf.Tensor4D;
    // each window, [inC, B, oh, ow], is an [inC, N] matrix
    const taps = tapWindows(padded, info, "CNHW").flat().map((window) =>
      tf.conv2d(tf.reshape(window, [1, 1, inC, n]) as tf.Tensor4D, dyFilter, 1, "valid")
    );
    return tf.reshape(tf.concat(taps, 1), [kh, kw, inC, outC]);
  });
}
