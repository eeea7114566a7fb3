/**
 * Gradient kernels for the wasm backend. tfjs-backend-wasm 4.22 has no
 * `Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropInput` or
 * `DepthwiseConv2dNativeBackpropFilter` kernel (so conv nets cannot train on
 * it), nor `UnsortedSegmentSum` (the gradient of `tf.gather`); its
 * `Conv2DBackpropInput` is a plain loop about 10x slower than its XNNPACK
 * `Conv2D`. {@linkcode registerWasmKernels} registers kernels for these five,
 * each composed of the backend's own fast kernels (`Conv2D`,
 * `DepthwiseConv2dNative`, `Transpose`, `Slice`, `Concat`, `ScatterNd`, ...),
 * see `conv2d_grad.ts` and `depthwise_grad.ts`, and replaces four
 * memory-bound kernels whose wasm versions are slow element loops (`Tile`,
 * used by batch norm's gradient and `tf.broadcastTo`; nearest-neighbour
 * resizing and its gradient; `MaxPoolGrad`) by loops over the heap, and
 * `Identity` by one that shares its input's memory, see `heap_kernels.ts`.
 *
 * The other gradients this project uses (bilinear resize, mirror pad, batch
 * norm, leaky ReLU, sigmoid, concat, slice, reductions) run on wasm with its
 * own kernels.
 *
 * When oneDNN is installed, `useBackend` layers its native kernels
 * (`onednn/`) over these and wasm's own; they call the kernel below them
 * for whatever they do not handle, and `useBackend("wasm", { native: false })`
 * takes them off again, leaving exactly the kernels registered here.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { conv2dGradFilter, conv2dGradInput, type ConvPadding } from "./conv2d_grad.ts";
import { depthwiseConv2dGradFilter, depthwiseConv2dGradInput } from "./depthwise_grad.ts";
import { heapKernelConfigs } from "./heap_kernels.ts";

/** The kernels {@linkcode registerWasmKernels} registers. */
export const WASM_GRADIENT_KERNELS = [
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "DepthwiseConv2dNativeBackpropFilter",
  "DepthwiseConv2dNativeBackpropInput",
  "UnsortedSegmentSum",
  "Identity",
  "Tile",
  "ResizeNearestNeighbor",
  "ResizeNearestNeighborGrad",
  "MaxPoolGrad",
  "MaxPool",
] as const;

type Shape4 = [number, number, number, number];
type Inputs = Record<string, tf.Tensor>;

/** The attributes the conv gradient kernels receive. */
interface ConvGradAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: ConvPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
  dataFormat?: "NHWC" | "NCHW";
  inputShape?: Shape4;
  filterShape?: Shape4;
}

const native = new Map<string, tf.KernelConfig>();

/**
 * Builds a kernel config whose function runs tensor operations (on the
 * active backend) and hands the result's storage to the engine.
 *
 * Reference counts: each input is wrapped in a temporary tensor after
 * `incRef`, so disposing the wrapper leaves the caller's data alone; the
 * result gets an extra reference before its tensor is disposed, and that
 * reference passes to the tensor the engine makes from the returned info.
 *
 * @param kernelName The kernel's name.
 * @param run Computes the output from the inputs and attributes.
 * @returns The kernel config, for the wasm backend.
 */
function composite<A>(
  kernelName: string,
  run: (inputs: Inputs, attrs: A) => tf.Tensor,
): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as tf.KernelBackend;
    const engine = tf.engine();
    const wrapped: Inputs = {};
    for (const [name, info] of Object.entries(inputs)) {
      if (info === undefined) continue;
      backend.incRef(info.dataId);
      wrapped[name] = engine.makeTensorFromTensorInfo(info, backend);
    }
    let out: tf.Tensor;
    try {
      out = tf.tidy(() => run(wrapped, attrs as unknown as A));
    } finally {
      for (const t of Object.values(wrapped)) t.dispose();
    }
    backend.incRef(out.dataId);
    const info: tf.TensorInfo = { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
    out.dispose();
    return info;
  };
  return { kernelName, backendName: "wasm", kernelFunc };
}

function geometry(kernelName: string, a: ConvGradAttrs) {
  if (a.dataFormat !== undefined && a.dataFormat !== "NHWC") {
    throw new RangeError(
      `${kernelName} on wasm supports dataFormat "NHWC" only, got "${a.dataFormat}"`,
    );
  }
  return {
    strides: a.strides,
    dilations: a.dilations ?? 1,
    pad: a.pad,
    dimRoundingMode: a.dimRoundingMode,
  };
}

const configs: tf.KernelConfig[] = [
  composite<ConvGradAttrs>(
    "Conv2DBackpropFilter",
    ({ x, dy }, a) =>
      conv2dGradFilter(x as tf.Tensor4D, dy as tf.Tensor4D, {
        ...geometry("Conv2DBackpropFilter", a),
        filterShape: a.filterShape!,
      }),
  ),
  composite<ConvGradAttrs>(
    "Conv2DBackpropInput",
    ({ dy, filter }, a) =>
      conv2dGradInput(dy as tf.Tensor4D, filter as tf.Tensor4D, {
        ...geometry("Conv2DBackpropInput", a),
        inputShape: a.inputShape!,
      }),
  ),
  composite<ConvGradAttrs>(
    "DepthwiseConv2dNativeBackpropFilter",
    ({ x, dy }, a) =>
      depthwiseConv2dGradFilter(x as tf.Tensor4D, dy as tf.Tensor4D, {
        ...geometry("DepthwiseConv2dNativeBackpropFilter", a),
        filterShape: a.filterShape!,
      }),
  ),
  composite<ConvGradAttrs>(
    "DepthwiseConv2dNativeBackpropInput",
    ({ dy, filter }, a) =>
      depthwiseConv2dGradInput(dy as tf.Tensor4D, filter as tf.Tensor4D, {
        ...geometry("DepthwiseConv2dNativeBackpropInput", a),
        inputShape: a.inputShape!,
      }),
  ),
  composite<{ numSegments: number }>(
    "UnsortedSegmentSum",
    ({ x, segmentIds }, { numSegments }) => unsortedSegmentSum(x!, segmentIds!, numSegments),
  ),
  ...heapKernelConfigs((name) => native.get(name)),
];

/**
 * Sums the rows of `x` into `numSegments` segments (tfjs's
 * `UnsortedSegmentSum`, the gradient of `tf.gather`), as a scatter-add; ids
 * outside `[0, numSegments)` are dropped, as tfjs's cpu kernel drops them.
 *
 * @param x Values, `[n, ...]`.
 * @param segmentIds Segment of each row, int32 `[n]`.
 * @param numSegments Number of segments.
 * @returns `[numSegments, ...]`.
 */
function unsortedSegmentSum(x: tf.Tensor, segmentIds: tf.Tensor, numSegments: number): tf.Tensor {
  const ids = tf.reshape(segmentIds, [-1]);
  const valid = tf.logicalAnd(tf.greaterEqual(ids, 0), tf.less(ids, numSegments));
  const safe = tf.where(valid, ids, tf.fill(ids.shape, numSegments, "int32"));
  const rows = tf.reshape(x, [ids.shape[0]!, ...x.shape.slice(segmentIds.rank)]);
  const summed = tf.scatterND(tf.reshape(safe, [-1, 1]), rows, [
    numSegments + 1,
    ...rows.shape.slice(1),
  ]);
  return tf.slice(summed, 0, numSegments);
}

/**
 * Registers the wasm gradient kernels (see the module doc). Idempotent. It
 * loads `@tensorflow/tfjs-backend-wasm` first (whose import registers the
 * backend's own kernels, which would otherwise override these). Prefer
 * `useBackend("wasm")`, which initialises the backend before registering,
 * so that the replaced kernel was set up and stays callable through
 * {@linkcode nativeWasmKernel}.
 *
 * @returns Once registered.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { registerWasmKernels } from "./wasm_kernels.ts";
 * await registerWasmKernels();
 * if (tf.getKernel("Conv2DBackpropFilter", "wasm") === undefined) throw new Error();
 * ```
 */
export async function registerWasmKernels(): Promise<void> {
  await import("@tensorflow/tfjs-backend-wasm");
  for (const config of configs) {
    const current = tf.getKernel(config.kernelName, "wasm");
    if (current !== undefined && registered.has(current)) continue;
    if (current !== undefined) {
      if (!native.has(config.kernelName)) native.set(config.kernelName, current);
      tf.unregisterKernel(config.kernelName, "wasm");
    }
    // Keep the replaced kernel's setup: the heap kernels call it for what they do not take,
    // and a backend initialised after this registration runs only the registered kernel's.
    const replaced = native.get(config.kernelName);
    const mine: tf.KernelConfig = {
      ...config,
      setupFunc: config.setupFunc ?? replaced?.setupFunc,
      disposeFunc: config.disposeFunc ?? replaced?.disposeFunc,
    };
    registered.add(mine);
    tf.registerKernel(mine);
  }
}

/** The configs {@linkcode registerWasmKernels} registered (to stay idempotent). */
const registered = new WeakSet<tf.KernelConfig>();

/**
 * The wasm backend's own kernel that {@linkcode registerWasmKernels}
 * replaced (`Conv2DBackpropInput`, `Identity`, `Tile`, the nearest-neighbour
 * resizes and `MaxPoolGrad` exist natively), for benchmarks
 * and tests that compare against it.
 *
 * @param kernelName The kernel's name.
 * @returns Its original config, or `undefined` if wasm had none.
 */
export function nativeWasmKernel(kernelName: string): tf.KernelConfig | undefined {
  return native.get(kernelName);
}
