/**
 * Test support: reference gradients from tfjs's own cpu kernels, which have
 * no dilation, made dilation-aware by zero-stuffing the filter (a filter with
 * dilation d equals a dense filter of size (k - 1) d + 1 with zeros between
 * the taps, with the same explicit padding). Independent of the code under
 * test. Internal: not re-exported.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../backend.ts";
import type { ConvPadding } from "./conv2d_grad.ts";
import { Rng } from "../rng.ts";

/** A forward convolution to take gradients of. */
export interface ConvCase {
  /** Input shape `[B, H, W, C]`. */
  x: [number, number, number, number];
  /** Filter shape `[kh, kw, C, outC]` (depthwise: `[kh, kw, C, M]`). */
  filter: [number, number, number, number];
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: ConvPadding;
}

/** Plain data of a tensor, to carry between backends. */
export interface Data {
  values: Float32Array;
  shape: number[];
}

/**
 * Runs `fn` on a backend and returns its result as plain data.
 *
 * @param backend The backend.
 * @param fn Computes a tensor.
 * @returns The tensor's data.
 */
export async function on(backend: "cpu" | "wasm", fn: () => tf.Tensor): Promise<Data> {
  await useBackend(backend);
  const t = tf.tidy(fn);
  const values = t.dataSync() as Float32Array;
  const shape = t.shape;
  t.dispose();
  return { values: Float32Array.from(values), shape };
}

/**
 * A tensor from plain data on the active backend.
 *
 * @param d The data.
 * @returns The tensor.
 */
export function tensor(d: Data): tf.Tensor4D {
  const t: tf.Tensor = tf.tensor(d.values, d.shape, "float32");
  return t as tf.Tensor4D;
}

/**
 * Seeded uniform data in [-1, 1).
 *
 * @param shape The shape.
 * @param seed The seed.
 * @returns The data.
 */
export function random(shape: number[], seed: number): Data {
  const rng = new Rng(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = 2 * rng.next() - 1;
  return { values, shape };
}

/**
 * Largest absolute difference relative to the reference's largest magnitude.
 *
 * @param actual The result under test.
 * @param expected The reference.
 * @returns `max |a - e| / max |e|`.
 */
export function relativeError(actual: Data, expected: Data): number {
  if (actual.shape.join() !== expected.shape.join()) {
    throw new RangeError(`shape [${actual.shape}] differs from reference [${expected.shape}]`);
  }
  let diff = 0, scale = 0;
  for (let i = 0; i < expected.values.length; i++) {
    diff = Math.max(diff, Math.abs(actual.values[i]! - expected.values[i]!));
    scale = Math.max(scale, Math.abs(expected.values[i]!));
  }
  return diff / Math.max(scale, 1e-30);
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === "number" ? [v, v] : v;
}

/**
 * The forward convolution's output shape and explicit padding.
 *
 * @param c The case.
 * @param depthwise Whether it is depthwise.
 * @returns Output shape and padding.
 */
export function forward(c: ConvCase, depthwise = false): {
  outShape: number[];
  pad: tf.backend_util.ExplicitPadding;
} {
  const info = tf.backend_util.computeConv2DInfo(
    c.x,
    c.filter,
    c.strides,
    c.dilations,
    c.pad,
    undefined,
    depthwise,
  );
  const p = info.padInfo;
  return { outShape: info.outShape, pad: [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]] };
}

/** Zero-stuffs a `[kh, kw, a, b]` filter for dilations `[dh, dw]`. */
function stuff(w: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  const [kh, kw, a, b] = w.shape;
  const buf = tf.buffer([(kh - 1) * dh + 1, (kw - 1) * dw + 1, a, b], "float32");
  const v = w.arraySync();
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      for (let i = 0; i < a; i++) {
        for (let j = 0; j < b; j++) buf.set(v[p]![q]![i]![j]!, p * dh, q * dw, i, j);
      }
    }
  }
  return buf.toTensor() as tf.Tensor4D;
}

/** Takes every d-th tap of a stuffed filter gradient. */
function unstuff(g: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  const [h, w, a, b] = g.shape;
  return tf.stridedSlice(g, [0, 0, 0, 0], [h, w, a, b], [dh, dw, 1, 1]) as tf.Tensor4D;
}

/**
 * Reference input and filter gradients on the cpu backend.
 *
 * @param c The case.
 * @param x Forward input.
 * @param w Forward filter.
 * @param dy Output gradient.
 * @param depthwise Whether the convolution is depthwise.
 * @returns `[dx, dw]`.
 */
export async function reference(
  c: ConvCase,
  x: Data,
  w: Data,
  dy: Data,
  depthwise = false,
): Promise<[Data, Data]> {
  const { pad } = forward(c, depthwise);
  const d = pair(c.dilations);
  const common = { strides: c.strides, pad, dataFormat: "NHWC", dilations: 1 };
  const engine = () => tf.engine();
  const names = depthwise
    ? ["DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter"]
    : ["Conv2DBackpropInput", "Conv2DBackpropFilter"];
  const dx = await on(
    "cpu",
    () =>
      engine().runKernel(names[0]!, { dy: tensor(dy), filter: stuff(tensor(w), d) }, {
        ...common,
        inputShape: c.x,
      } as unknown as tf.NamedAttrMap) as tf.Tensor,
  );
  const stuffedShape = stuff(tf.zeros(c.filter) as tf.Tensor4D, d).shape;
  const dw = await on("cpu", () =>
    unstuff(
      engine().runKernel(names[1]!, { x: tensor(x), dy: tensor(dy) }, {
        ...common,
        filterShape: stuffedShape,
      } as unknown as tf.NamedAttrMap) as tf.Tensor4D,
      d,
    ));
  return [dx, dw];
}
