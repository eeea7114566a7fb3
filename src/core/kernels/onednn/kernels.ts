/**
 * Registering the oneDNN kernels on tfjs's wasm backend, and turning them
 * off again.
 *
 * Each native kernel is layered over the kernel registered before it (wasm's
 * own, or the composite gradient kernels of `../wasm_kernels.ts`) and calls
 * that one for whatever it does not handle, so the backend stays tfjs's and
 * every op keeps working. {@linkcode enableNativeKernels} loads oneDNN once
 * per process (see `library.ts`), sets its thread count (see `threads.ts`)
 * and registers; {@linkcode disableNativeKernels} puts the previous kernels
 * back. `useBackend` calls both; use it rather than these.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type ConvStats, type KernelArgs, NativeConvolutions } from "./conv.ts";
import { NativeCopies } from "./copy.ts";
import { NativeBatchNorm } from "./batch_norm.ts";
import { NativeReductions } from "./reduce.ts";
import { NativeElementwise } from "./eltwise.ts";
import { type OneDnnLibrary, openOneDnn } from "./library.ts";
import { OneDnn, type WasmBackendLike } from "./runtime.ts";
import {
  chooseThreads,
  preferPassiveWaiting,
  processThreadContext,
  type ThreadControl,
  threadControl,
} from "./threads.ts";

/** The kernels registered on wasm. */
export const NATIVE_KERNELS = [
  "Conv2D",
  "FusedConv2D",
  "Conv2DBackpropInput",
  "Conv2DBackpropFilter",
  "DepthwiseConv2dNative",
  "FusedDepthwiseConv2D",
  "DepthwiseConv2dNativeBackpropInput",
  "DepthwiseConv2dNativeBackpropFilter",
  "Slice",
  "PadV2",
  "FusedBatchNorm",
  "Sum",
  "Mean",
  "Add",
  "Sub",
  "Multiply",
  "Relu",
  "LeakyRelu",
  "Sigmoid",
  "Tanh",
  "Elu",
] as const;

/** Options of {@linkcode enableNativeKernels}. */
export interface NativeKernelsOptions {
  /** oneDNN threads; default from `PIXELBIAS_THREADS`, the jobs sharing the cores, or all cores. */
  threads?: number;
  /** Library files to try (default: the platform's names, see `library.ts`). */
  candidates?: readonly string[];
}

/** Whether the native kernels run, and with what. */
export interface NativeKernelsInfo {
  /** Whether they are registered now. */
  active: boolean;
  /** Why (not), in one line. */
  reason: string;
  /** The library file loaded. */
  library?: string;
  /** oneDNN's version, e.g. `"2.6.3"`. */
  version?: string;
  /** oneDNN's threading runtime (`"omp"`, `"tbb"`, ...). */
  runtime?: string;
  /** Threads oneDNN uses. */
  threads?: number;
  /** Why that many. */
  threadsSource?: string;
  /** `OMP_WAIT_POLICY` in effect. */
  waitPolicy?: string;
  /** Names of the kernels registered. */
  kernels: string[];
}

interface Loaded {
  library: OneDnnLibrary;
  dnn: OneDnn;
  convs: NativeConvolutions;
  copies: NativeCopies;
  reductions: NativeReductions;
  batchNorm: NativeBatchNorm;
  eltwise: NativeElementwise;
  control: ThreadControl;
  waitPolicy: string;
  threads?: number;
  threadsSource?: string;
}

let loaded: Loaded | string | undefined;
const fallbacks = new Map<string, tf.KernelConfig | undefined>();
const mine = new Map<string, tf.KernelConfig>();
const hooked = new WeakSet<object>();

function load(candidates?: readonly string[]): Loaded | string {
  if (loaded !== undefined) return loaded;
  const waitPolicy = preferPassiveWaiting();
  const found = openOneDnn({ candidates });
  if (!found.ok) return loaded = found.reason;
  try {
    const dnn = new OneDnn(found.library);
    loaded = {
      library: found.library,
      dnn,
      convs: new NativeConvolutions(dnn),
      copies: new NativeCopies(dnn),
      reductions: new NativeReductions(dnn),
      batchNorm: new NativeBatchNorm(dnn),
      eltwise: new NativeElementwise(dnn),
      control: threadControl(found.library.version.cpuRuntime),
      waitPolicy,
    };
  } catch (e) {
    found.library.close();
    loaded = `oneDNN could not start: ${(e as Error).message}`;
  }
  return loaded;
}

type Run = (native: Loaded, args: KernelArgs) => tf.TensorInfo | null;

const RUNS: Record<(typeof NATIVE_KERNELS)[number], Run> = {
  Conv2D: (n, a) => n.convs.forward(a),
  FusedConv2D: (n, a) => n.convs.forward(a),
  Conv2DBackpropInput: (n, a) => n.convs.backwardData(a),
  Conv2DBackpropFilter: (n, a) => n.convs.backwardFilter(a),
  DepthwiseConv2dNative: (n, a) => n.convs.depthwiseForward(a),
  FusedDepthwiseConv2D: (n, a) => n.convs.depthwiseForward(a),
  DepthwiseConv2dNativeBackpropInput: (n, a) => n.convs.depthwiseBackwardData(a),
  DepthwiseConv2dNativeBackpropFilter: (n, a) => n.convs.depthwiseBackwardFilter(a),
  Slice: (n, a) => n.copies.slice(a as unknown as Parameters<NativeCopies["slice"]>[0]),
  PadV2: (n, a) => n.copies.pad(a as unknown as Parameters<NativeCopies["pad"]>[0]),
  FusedBatchNorm: (n, a) =>
    n.batchNorm.forward(a as unknown as Parameters<NativeBatchNorm["forward"]>[0]),
  Sum: (n, a) => n.reductions.sum(a as unknown as Parameters<NativeReductions["sum"]>[0]),
  Mean: (n, a) => n.reductions.mean(a as unknown as Parameters<NativeReductions["mean"]>[0]),
  Add: (n, a) => n.eltwise.binary("Add", a as unknown as EltwiseArgs),
  Sub: (n, a) => n.eltwise.binary("Sub", a as unknown as EltwiseArgs),
  Multiply: (n, a) => n.eltwise.binary("Multiply", a as unknown as EltwiseArgs),
  Relu: (n, a) => n.eltwise.unary("Relu", a as unknown as EltwiseArgs),
  LeakyRelu: (n, a) => n.eltwise.unary("LeakyRelu", a as unknown as EltwiseArgs),
  Sigmoid: (n, a) => n.eltwise.unary("Sigmoid", a as unknown as EltwiseArgs),
  Tanh: (n, a) => n.eltwise.unary("Tanh", a as unknown as EltwiseArgs),
  Elu: (n, a) => n.eltwise.unary("Elu", a as unknown as EltwiseArgs),
};

type EltwiseArgs = Parameters<NativeElementwise["unary"]>[1];

function layered(
  name: string,
  run: Run,
  native: Loaded,
  fallback: tf.KernelConfig | undefined,
): tf.KernelConfig {
  return {
    kernelName: name,
    backendName: "wasm",
    setupFunc: fallback?.setupFunc,
    disposeFunc: fallback?.disposeFunc,
    kernelFunc: (args) => {
      hook(args.backend as unknown as WasmBackendLike, native.convs);
      const out = run(native, args as unknown as KernelArgs);
      if (out !== null) return out;
      if (fallback === undefined) {
        throw new Error(
          `${name} on wasm: oneDNN does not handle these arguments and wasm has no kernel`,
        );
      }
      return fallback.kernelFunc(args);
    },
  };
}

/** Drops cached filter copies when the wasm backend frees their tensors. */
function hook(backend: WasmBackendLike, convs: NativeConvolutions): void {
  if (hooked.has(backend)) return;
  const dispose = backend.disposeData.bind(backend);
  backend.disposeData = (dataId, force) => {
    const record = backend.dataIdMap.get(dataId);
    const freed = dispose(dataId, force);
    if (freed && record !== undefined) convs.forget(record.id);
    return freed;
  };
  hooked.add(backend);
}

/**
 * Loads oneDNN (once) and registers the native kernels on wasm, each over
 * the kernel registered before it. Idempotent; changing `threads` rebuilds
 * the primitives.
 *
 * @param options Threads and library files.
 * @returns What runs now.
 * @example
 * ```ts
 * import { enableNativeKernels } from "./kernels.ts";
 * const info = enableNativeKernels({ threads: 1 });
 * console.log(info.active ? `oneDNN ${info.version}` : info.reason);
 * ```
 */
export function enableNativeKernels(options: NativeKernelsOptions = {}): NativeKernelsInfo {
  const state = load(options.candidates);
  if (typeof state === "string") return { active: false, reason: state, kernels: [] };
  const choice = chooseThreads(processThreadContext(options.threads));
  if (choice.threads !== state.threads) {
    state.control.set(choice.threads);
    if (state.threads !== undefined) {
      const families = [
        state.convs,
        state.copies,
        state.reductions,
        state.batchNorm,
        state.eltwise,
      ];
      for (const family of families) {
        family.reset();
      }
    }
    state.threads = choice.threads;
    state.dnn.useThreads(choice.threads, (n) => state.control.set(n));
  }
  state.threadsSource = state.control.note ?? choice.source;
  for (const name of NATIVE_KERNELS) {
    const current = tf.getKernel(name, "wasm");
    const own = mine.get(name);
    if (own !== undefined && current === own) continue;
    fallbacks.set(name, current);
    const config = layered(name, RUNS[name], state, current);
    if (current !== undefined) tf.unregisterKernel(name, "wasm");
    tf.registerKernel(config);
    mine.set(name, config);
  }
  return nativeKernelsInfo();
}

/**
 * Puts back the kernels the native ones were layered over. Idempotent.
 *
 * @example
 * ```ts
 * import { disableNativeKernels, nativeKernelsInfo } from "./kernels.ts";
 * disableNativeKernels();
 * if (nativeKernelsInfo().active) throw new Error();
 * ```
 */
export function disableNativeKernels(): void {
  for (const [name, config] of mine) {
    if (tf.getKernel(name, "wasm") === config) {
      tf.unregisterKernel(name, "wasm");
      const previous = fallbacks.get(name);
      if (previous !== undefined) tf.registerKernel(previous);
    }
  }
  mine.clear();
}

/**
 * Whether the native kernels are registered, and the library's details.
 *
 * @returns The state.
 */
export function nativeKernelsInfo(): NativeKernelsInfo {
  const active = [...mine].filter(([name, config]) => tf.getKernel(name, "wasm") === config);
  if (typeof loaded === "string") return { active: false, reason: loaded, kernels: [] };
  if (loaded === undefined) return { active: false, reason: "oneDNN not loaded", kernels: [] };
  const v = loaded.library.version;
  const version = `${v.major}.${v.minor}.${v.patch}`;
  return {
    active: active.length > 0,
    reason: active.length > 0
      ? `oneDNN ${version} (${loaded.library.path}), ${loaded.threads} thread${
        loaded.threads === 1 ? "" : "s"
      }`
      : "oneDNN kernels turned off",
    library: loaded.library.path,
    version,
    runtime: v.cpuRuntime,
    threads: loaded.control.get() ?? loaded.threads,
    threadsSource: loaded.threadsSource,
    waitPolicy: loaded.waitPolicy,
    kernels: active.map(([name]) => name),
  };
}

/**
 * What the native convolutions built and cached so far (tests, benchmarks).
 *
 * @returns The counts, or `null` when oneDNN is not loaded.
 */
export function nativeConvStats(): ConvStats | null {
  return typeof loaded === "object" ? loaded.convs.stats : null;
}

/** Kernel calls each family of native kernels computed. */
export interface NativeRuns {
  /** Convolutions and their gradients. */
  conv: number;
  /** `Slice` and `PadV2`. */
  copy: number;
  /** `Sum` and `Mean`. */
  reduce: number;
  /** `FusedBatchNorm`. */
  batchNorm: number;
  /** Element-wise `Add`, `Sub`, `Multiply` and activations. */
  eltwise: number;
}

/**
 * Kernel calls the native kernels computed so far (tests: that they ran).
 *
 * @returns The counts (zeros when oneDNN is not loaded).
 */
export function nativeRuns(): NativeRuns {
  if (typeof loaded !== "object") return { conv: 0, copy: 0, reduce: 0, batchNorm: 0, eltwise: 0 };
  return {
    conv: loaded.convs.stats.runs,
    copy: loaded.copies.runs,
    reduce: loaded.reductions.runs,
    batchNorm: loaded.batchNorm.runs,
    eltwise: loaded.eltwise.runs,
  };
}
