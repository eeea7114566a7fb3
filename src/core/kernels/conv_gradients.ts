/**
 * Gradients of `Conv2D` and `DepthwiseConv2dNative` that support dilations.
 * tfjs 4.22's own gradients throw for a dilation above 1 on every backend,
 * and the dilated 3×3 convolutions of chapter 3 (dilations 1, 2, 4, 8) need
 * them. {@linkcode registerConvGradients} replaces the two gradient
 * functions (globally, for every backend): without dilation they run the
 * backend's `*Backprop*` kernels as before; with dilation they run
 * `conv2dGradInput` / `conv2dGradFilter` (and the depthwise ones), which are
 * ordinary tensor operations.
 *
 * `tf.fused.conv2d` defines its gradient inside the op and still rejects
 * dilations: use `tf.conv2d` for dilated layers that train.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { conv2dGradFilter, conv2dGradInput, type ConvPadding } from "./conv2d_grad.ts";
import { depthwiseConv2dGradFilter, depthwiseConv2dGradInput } from "./depthwise_grad.ts";

type Shape4 = [number, number, number, number];

interface ConvAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: ConvPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
  dataFormat?: "NHWC" | "NCHW";
}

let registered = false;

function isOne(v: number | [number, number] | undefined): boolean {
  return v === undefined || tf.backend_util.tupleValuesAreOne(v);
}

function dilatedNhwc(kernel: string, attrs: ConvAttrs): void {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== "NHWC") {
    throw new RangeError(
      `the dilated ${kernel} gradient supports dataFormat "NHWC" only, got "${attrs.dataFormat}"`,
    );
  }
}

const conv2dGradient: tf.GradConfig = {
  kernelName: "Conv2D",
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const a = attrs as unknown as ConvAttrs;
    const g = dy as tf.Tensor4D;
    const base = {
      strides: a.strides,
      pad: a.pad,
      dimRoundingMode: a.dimRoundingMode,
      dataFormat: a.dataFormat ?? "NHWC",
    };
    if (isOne(a.dilations)) {
      const engine = tf.engine();
      return {
        x: () =>
          engine.runKernel("Conv2DBackpropInput", { dy: g, filter }, {
            ...base,
            inputShape: x.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor4D,
        filter: () =>
          engine.runKernel("Conv2DBackpropFilter", { x, dy: g }, {
            ...base,
            filterShape: filter.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor4D,
      };
    }
    dilatedNhwc("Conv2D", a);
    const geometry = { ...base, dilations: a.dilations };
    return {
      x: () => conv2dGradInput(g, filter, { ...geometry, inputShape: x.shape as Shape4 }),
      filter: () => conv2dGradFilter(x, g, { ...geometry, filterShape: filter.shape as Shape4 }),
    };
  },
};

const depthwiseGradient: tf.GradConfig = {
  kernelName: "DepthwiseConv2dNative",
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const a = attrs as unknown as ConvAttrs;
    const g = dy as tf.Tensor4D;
    const geometry = {
      strides: a.strides,
      pad: a.pad,
      dimRoundingMode: a.dimRoundingMode,
      dilations: a.dilations ?? 1,
    };
    if (isOne(a.dilations)) {
      const engine = tf.engine();
      return {
        x: () =>
          engine.runKernel("DepthwiseConv2dNativeBackpropInput", { dy: g, filter }, {
            ...geometry,
            inputShape: x.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor4D,
        filter: () =>
          engine.runKernel("DepthwiseConv2dNativeBackpropFilter", { x, dy: g }, {
            ...geometry,
            filterShape: filter.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor4D,
      };
    }
    dilatedNhwc("DepthwiseConv2dNative", a);
    return {
      x: () => depthwiseConv2dGradInput(g, filter, { ...geometry, inputShape: x.shape as Shape4 }),
      filter: () =>
        depthwiseConv2dGradFilter(x, g, { ...geometry, filterShape: filter.shape as Shape4 }),
    };
  },
};

/**
 * Replaces tfjs's `Conv2D` and `DepthwiseConv2dNative` gradients with ones
 * that also support dilations (see the module doc). Idempotent;
 * `useBackend` calls it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { registerConvGradients } from "./conv_gradients.ts";
 * registerConvGradients();
 * await tf.setBackend("cpu");
 * const w = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
 * const g = tf.grad((x: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w, 1, "same", "NHWC", 2).sum());
 * const dx = g(tf.ones([1, 5, 5, 1]));
 * // the centre pixel feeds every output whose dilated window covers it: 9 of them
 * if (dx.dataSync()[12] !== 9) throw new Error();
 * ```
 */
export function registerConvGradients(): void {
  if (registered) return;
  tf.registerGradient(conv2dGradient);
  tf.registerGradient(depthwiseGradient);
  registered = true;
}
