import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLessOrEqual, assertThrows } from "@std/assert";
import { conv2dGradFilter, conv2dGradInput } from "./conv2d_grad.ts";
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

// Reference: tfjs's cpu kernels Conv2DBackpropInput / Conv2DBackpropFilter
// (with a zero-stuffed filter for dilations, see _reference.ts).
const TOLERANCE = 1e-5;

const CASES: ConvCase[] = [
  { x: [1, 7, 9, 3], filter: [3, 3, 3, 4], strides: 1, dilations: 1, pad: "same" },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 1, dilations: 1, pad: "valid" },
  { x: [1, 9, 8, 2], filter: [3, 3, 2, 5], strides: 2, dilations: 1, pad: "same" },
  { x: [2, 9, 8, 2], filter: [3, 3, 2, 5], strides: 2, dilations: 1, pad: "valid" },
  { x: [1, 11, 10, 3], filter: [5, 4, 3, 2], strides: [3, 2], dilations: 1, pad: "same" },
  { x: [1, 8, 8, 4], filter: [2, 2, 4, 3], strides: 2, dilations: 1, pad: "valid" },
  { x: [1, 8, 7, 2], filter: [1, 1, 2, 3], strides: 2, dilations: 1, pad: "same" },
  { x: [1, 13, 11, 3], filter: [3, 3, 3, 4], strides: 1, dilations: 2, pad: "same" },
  { x: [2, 12, 12, 2], filter: [3, 3, 2, 3], strides: 1, dilations: 4, pad: "same" },
  { x: [1, 19, 17, 2], filter: [3, 3, 2, 2], strides: 1, dilations: 8, pad: "same" },
  { x: [1, 13, 12, 2], filter: [3, 2, 2, 3], strides: 1, dilations: [3, 2], pad: "valid" },
  { x: [1, 9, 9, 2], filter: [3, 3, 2, 3], strides: 1, dilations: 1, pad: 2 },
  {
    x: [1, 9, 10, 2],
    filter: [3, 3, 2, 3],
    strides: 2,
    dilations: 1,
    pad: [[0, 0], [0, 2], [1, 0], [0, 0]],
  },
];

function label(c: ConvCase): string {
  return `x ${c.x} w ${c.filter} s ${c.strides} d ${c.dilations} pad ${JSON.stringify(c.pad)}`;
}

function inputsOf(c: ConvCase, seed: number): [Data, Data, Data] {
  const { outShape } = forward(c);
  return [random(c.x, seed), random(c.filter, seed + 1), random(outShape, seed + 2)];
}

for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`conv2dGradInput/conv2dGradFilter on ${backend} match the cpu kernels`, async () => {
    for (const [i, c] of CASES.entries()) {
      const [x, w, dy] = inputsOf(c, 10 * i);
      const [dxRef, dwRef] = await reference(c, x, w, dy);
      const geometry = { strides: c.strides, dilations: c.dilations, pad: c.pad };
      const dx = await on(
        backend,
        () => conv2dGradInput(tensor(dy), tensor(w), { ...geometry, inputShape: c.x }),
      );
      const dw = await on(
        backend,
        () => conv2dGradFilter(tensor(x), tensor(dy), { ...geometry, filterShape: c.filter }),
      );
      assertLessOrEqual(relativeError(dx, dxRef), TOLERANCE, `dx, ${label(c)}`);
      assertLessOrEqual(relativeError(dw, dwRef), TOLERANCE, `dw, ${label(c)}`);
    }
  });
}

Deno.test("conv2d gradients keep tensors balanced", async () => {
  await on("wasm", () => tf.scalar(0));
  const c = CASES[4]!;
  const [x, w, dy] = (inputsOf(c, 5)).map(tensor);
  const before = tf.memory();
  const opts = { strides: c.strides, pad: c.pad };
  conv2dGradInput(dy!, w!, { ...opts, inputShape: c.x }).dispose();
  conv2dGradFilter(x!, dy!, { ...opts, filterShape: c.filter }).dispose();
  assertEquals(tf.memory().numTensors, before.numTensors);
  assertEquals(tf.memory().numDataBuffers, before.numDataBuffers);
  tf.dispose([x!, w!, dy!]);
});

Deno.test("conv2d gradients reject inconsistent shapes", async () => {
  await on("cpu", () => tf.scalar(0));
  const dy = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
  const w = tf.zeros([3, 3, 1, 2]) as tf.Tensor4D;
  assertThrows(
    () => conv2dGradInput(dy, w, { inputShape: [1, 5, 5, 1], pad: "same" }),
    RangeError,
    "dy must have the convolution's output shape [1, 5, 5, 2], got [1, 4, 4, 2]",
  );
  assertThrows(
    () =>
      conv2dGradFilter(tf.zeros([1, 4, 4, 1]) as tf.Tensor4D, dy, {
        filterShape: [3, 3, 1, 2],
        pad: "same",
        strides: 2,
        dilations: 2,
      }),
    RangeError,
    "strides or dilations must be 1",
  );
  assertThrows(
    () => conv2dGradInput(dy, w, { inputShape: [1, 4, 4] as never, pad: "same" }),
    RangeError,
    "inputShape must be 4 positive integers",
  );
  tf.dispose([dy, w]);
});
