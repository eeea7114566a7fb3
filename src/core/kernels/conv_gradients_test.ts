import * as tf from "@tensorflow/tfjs";
import { assertLessOrEqual } from "@std/assert";
import { registerConvGradients } from "./conv_gradients.ts";
import {
  type ConvCase,
  type Data,
  forward,
  on,
  random,
  reference,
  relativeError,
  tensor,
} from "./_reference.ts";

// Reference: tfjs's cpu backprop kernels on the zero-stuffed (dilated) filter,
// see _reference.ts. tfjs's own gradients reject dilations.
const TOLERANCE = 1e-5;

/** The chapter 3 network's dilated 3x3 convolutions, and a depthwise one. */
const CASES: { c: ConvCase; depthwise: boolean }[] = [
  ...[1, 2, 4, 8].map((d) => ({
    c: {
      x: [1, 20, 19, 3],
      filter: [3, 3, 3, 4],
      strides: 1,
      dilations: d,
      pad: "same",
    } as ConvCase,
    depthwise: false,
  })),
  {
    c: { x: [2, 11, 12, 2], filter: [3, 3, 2, 3], strides: 1, dilations: [2, 3], pad: "valid" },
    depthwise: false,
  },
  {
    c: { x: [1, 12, 12, 3], filter: [3, 3, 3, 2], strides: 1, dilations: 2, pad: "same" },
    depthwise: true,
  },
];

function gradsOf(c: ConvCase, depthwise: boolean, x: Data, w: Data, dy: Data): tf.Tensor {
  const f = (xt: tf.Tensor4D, wt: tf.Tensor4D) =>
    depthwise
      ? tf.depthwiseConv2d(xt, wt, c.strides as [number, number], c.pad, "NHWC", c.dilations)
      : tf.conv2d(xt, wt, c.strides, c.pad, "NHWC", c.dilations);
  const [dx, dw] = tf.grads((xt: tf.Tensor, wt: tf.Tensor) =>
    f(xt as tf.Tensor4D, wt as tf.Tensor4D)
  )([tensor(x), tensor(w)], tensor(dy));
  return tf.concat([tf.reshape(dx!, [-1]), tf.reshape(dw!, [-1])]);
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`dilated conv2d and depthwise gradients on ${backend} match the reference`, async () => {
    registerConvGradients();
    for (const [i, { c, depthwise }] of CASES.entries()) {
      const { outShape } = forward(c, depthwise);
      const x = random(c.x, 3 * i), w = random(c.filter, 3 * i + 1);
      const dy = random(outShape, 3 * i + 2);
      const [dxRef, dwRef] = await reference(c, x, w, dy, depthwise);
      const got = await on(backend, () => gradsOf(c, depthwise, x, w, dy));
      const want: Data = {
        values: Float32Array.from([...dxRef.values, ...dwRef.values]),
        shape: got.shape,
      };
      const name = `${depthwise ? "depthwise" : "conv2d"} dilations ${c.dilations} pad ${c.pad}`;
      assertLessOrEqual(relativeError(got, want), TOLERANCE, name);
      // and each part on its own scale
      const split = dxRef.values.length;
      assertLessOrEqual(
        relativeError({ values: got.values.slice(split), shape: dwRef.shape }, dwRef),
        TOLERANCE,
        `${name}: filter`,
      );
    }
  });
}
