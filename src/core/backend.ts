/**
 * Choosing the tfjs compute backend. {@linkcode useBackend} picks WebGPU on a
 * hardware adapter and wasm otherwise (a software adapter such as Mesa's
 * llvmpipe is ~20x slower than wasm for training), registers the wasm
 * gradient kernels and the dilation-aware conv gradients, and on WebGPU
 * refuses tensors larger than the device can bind (llvmpipe silently returns
 * wrong numbers above its 128 MiB `maxStorageBufferBindingSize`).
 *
 * On wasm, when oneDNN is installed (Debian: `apt-get install libdnnl2`), the
 * convolutions and their gradients run as native oneDNN kernels (through
 * `Deno.dlopen`, in place on the wasm heap; `kernels/onednn/`), 5–7× faster
 * than wasm's; `useBackend("wasm", { native: false })` or
 * `PIXELBIAS_NATIVE=0` keeps the wasm kernels, and without the library
 * everything runs as before. {@linkcode BackendInfo.native} says which.
 *
 * The wasm and WebGPU backends are imported on first use only, so a missing
 * `navigator.gpu` is never an error unless WebGPU is asked for. Activate
 * backends through `useBackend`, not `tf.setBackend`: only then are the
 * gradient kernels registered and the WebGPU size guard installed.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertOneOf, formatShape } from "./checks.ts";
import { registerConvGradients } from "./kernels/conv_gradients.ts";
import { registerCpuKernels } from "./kernels/cpu_kernels.ts";
import { registerWasmKernels } from "./kernels/wasm_kernels.ts";
import {
  disableNativeKernels,
  enableNativeKernels,
  type NativeKernelsInfo,
  nativeKernelsInfo,
} from "./kernels/onednn/kernels.ts";
import { readEnv } from "./kernels/onednn/library.ts";

/** What {@linkcode useBackend} may be asked for. */
export type BackendKind = "auto" | "webgpu" | "wasm" | "cpu";

/** The backends {@linkcode useBackend} can activate. */
export type BackendName = "webgpu" | "wasm" | "cpu";

const KINDS: readonly BackendKind[] = ["auto", "webgpu", "wasm", "cpu"];

/** The limits of the active backend that bound what it can compute. */
export interface BackendLimits {
  /** WebGPU: largest tensor (bytes) one storage binding can hold. */
  maxStorageBufferBindingSize?: number;
  /** WebGPU: largest buffer (bytes). */
  maxBufferSize?: number;
  /** WebGPU: workgroup shared memory (bytes). */
  maxComputeWorkgroupStorageSize?: number;
  /** WebGPU: invocations per workgroup. */
  maxComputeInvocationsPerWorkgroup?: number;
  /** wasm: whether the SIMD build runs. */
  simd?: boolean;
  /** wasm: worker threads (1 without the threaded build). */
  threads?: number;
}

/** What {@linkcode useBackend} chose. */
export interface BackendInfo {
  /** The active tfjs backend. */
  name: BackendName;
  /**
   * Description of the WebGPU adapter found (used or not), or `null` if none
   * (or not looked for: `"wasm"` and `"cpu"` do not look).
   */
  adapter: string | null;
  /** Whether that adapter is a software fallback (llvmpipe, SwiftShader, ...). */
  isFallbackAdapter: boolean;
  /** Limits of the active backend. */
  limits: BackendLimits;
  /** Why this backend, in a sentence. */
  reason: string;
  /**
   * Whether oneDNN's native kernels run (wasm only), the library's version,
   * threads, and why (not) in `reason`.
   */
  native: NativeKernelsInfo;
}

/**
 * Options of {@linkcode useBackend}. Each, once given, stays in effect for
 * later calls that omit it (library code calls `useBackend("auto")` too).
 */
export interface UseBackendOptions {
  /**
   * Whether the wasm backend uses oneDNN's native kernels when the library
   * is installed. Default: yes, unless the environment sets
   * `PIXELBIAS_NATIVE=0`.
   */
  native?: boolean;
  /**
   * oneDNN threads. Default: `PIXELBIAS_THREADS`, else the cores divided by
   * the processes sharing them (`PIXELBIAS_JOBS=N`, `--shard i/N`,
   * `deno test --parallel`), else all cores.
   */
  threads?: number;
}

/** Environment variable that turns the native kernels off (`0`). */
export const NATIVE_ENV = "PIXELBIAS_NATIVE";

/** What is known about a WebGPU adapter, for {@linkcode isSoftwareAdapter}. */
export interface AdapterSummary {
  /** `GPUAdapterInfo.description` (or vendor/architecture when empty). */
  description?: string;
  /** `isFallbackAdapter` as the adapter (or its info) reports it. */
  isFallbackAdapter?: boolean;
}

interface AdapterProbe {
  description: string;
  isFallbackAdapter: boolean;
  limits: BackendLimits;
}

/** Minimal shapes of the WebGPU objects read here (the DOM types vary by runtime). */
interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: {
    description?: string;
    vendor?: string;
    architecture?: string;
    device?: string;
    isFallbackAdapter?: boolean;
  };
  limits: Record<string, number>;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render/i;

/**
 * Whether a WebGPU adapter is a software rasteriser: it says so
 * (`isFallbackAdapter`), or its description names llvmpipe, lavapipe,
 * softpipe or SwiftShader (Mesa's llvmpipe does not always set the flag).
 *
 * @param adapter What the adapter reports.
 * @returns `true` for a software adapter.
 * @example
 * ```ts
 * import { isSoftwareAdapter } from "./backend.ts";
 * if (!isSoftwareAdapter({ description: "llvmpipe (LLVM 15.0.6, 256 bits)" })) throw new Error();
 * if (isSoftwareAdapter({ description: "NVIDIA GeForce RTX 3090" })) throw new Error();
 * ```
 */
export function isSoftwareAdapter(adapter: AdapterSummary): boolean {
  return adapter.isFallbackAdapter === true || SOFTWARE.test(adapter.description ?? "");
}

let adapterProbe: Promise<AdapterProbe | null> | undefined;

function probeAdapter(): Promise<AdapterProbe | null> {
  adapterProbe ??= (async () => {
    const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
    if (gpu === undefined) return null;
    let adapter: GpuAdapterLike | null;
    try {
      adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    } catch {
      return null;
    }
    if (adapter === null) return null;
    const info = adapter.info ?? {};
    const description = info.description ||
      [info.vendor, info.architecture, info.device].filter(Boolean).join(" ") || "unknown adapter";
    return {
      description,
      isFallbackAdapter: isSoftwareAdapter({
        description,
        isFallbackAdapter: adapter.isFallbackAdapter ?? info.isFallbackAdapter,
      }),
      limits: gpuLimits(adapter.limits),
    };
  })();
  return adapterProbe;
}

function gpuLimits(limits: Record<string, number>): BackendLimits {
  return {
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxBufferSize: limits.maxBufferSize,
    maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
  };
}

const chosen = new Map<string, { info: BackendInfo; generation: number }>();
/** Bumped whenever the native kernels are registered or removed. */
let nativeGeneration = 0;
/** The `native` and `threads` options last given (they stay in effect). */
const preference: UseBackendOptions = {};

/**
 * Activates a tfjs backend and says what it is.
 *
 * - `"auto"` (default): WebGPU on a hardware adapter; wasm when the only
 *   adapter is a software fallback (llvmpipe), when there is none, or when
 *   tfjs fails to start WebGPU on it.
 * - `"webgpu"`: WebGPU even on a software adapter; throws if there is no
 *   adapter. Tensors larger than `maxStorageBufferBindingSize` are refused
 *   with a `RangeError` naming their shape, size and the limit.
 * - `"wasm"`: the XNNPACK/SIMD CPU backend, with the gradient kernels of
 *   `kernels/wasm_kernels.ts` registered and, when oneDNN is installed, the
 *   native convolutions of `kernels/onednn/` over them (see
 *   {@linkcode UseBackendOptions}).
 * - `"cpu"`: the plain JavaScript reference backend (slow: tests only).
 *
 * Every kind also installs the dilation-aware conv gradients
 * (`kernels/conv_gradients.ts`) and the fixed cpu `ResizeBilinearGrad`
 * (`kernels/cpu_kernels.ts`). Repeated calls are cheap: the result is
 * remembered per kind and options, and only the active backend is
 * re-checked; `native` and `threads`, once given, stay in effect.
 *
 * @param kind Which backend; default `"auto"`.
 * @param options Native kernels and their threads (wasm).
 * @returns The active backend, the adapter found and the limits that matter.
 * @example
 * ```ts
 * import { useBackend } from "./backend.ts";
 * const info = await useBackend("cpu");
 * if (info.name !== "cpu") throw new Error(info.reason);
 * ```
 */
export async function useBackend(
  kind: BackendKind = "auto",
  options: UseBackendOptions = {},
): Promise<BackendInfo> {
  assertOneOf(kind, KINDS, "kind");
  if (options.native !== undefined && typeof options.native !== "boolean") {
    throw new TypeError(
      `options.native must be a boolean, got ${typeof options.native} ${options.native}`,
    );
  }
  const t = options.threads;
  if (t !== undefined && !(Number.isInteger(t) && t >= 1)) {
    throw new RangeError(`options.threads must be a positive integer, got ${typeof t} ${t}`);
  }
  if (options.native !== undefined) preference.native = options.native;
  if (options.threads !== undefined) preference.threads = options.threads;
  const effective = { ...preference };
  const key = `${kind} ${effective.native ?? ""} ${effective.threads ?? ""}`;
  const known = chosen.get(key);
  if (
    known !== undefined && tf.getBackend() === known.info.name &&
    known.generation === nativeGeneration
  ) {
    return known.info;
  }
  const info = await activate(kind, effective);
  chosen.set(key, { info, generation: nativeGeneration });
  return info;
}

async function activate(kind: BackendKind, options: UseBackendOptions): Promise<BackendInfo> {
  // Production mode: no "install tfjs-node" banner (Deno looks like Node to tfjs) and no
  // debug-only checks; the toolkit validates its inputs itself.
  tf.env().set("PROD", true);
  registerConvGradients();
  registerCpuKernels();
  // only auto and webgpu look for an adapter (asking the GPU stack costs time and logs noise)
  const probe = kind === "auto" || kind === "webgpu" ? await probeAdapter() : null;
  const seen = {
    adapter: probe?.description ?? null,
    isFallbackAdapter: probe?.isFallbackAdapter ?? false,
  };
  switch (kind) {
    case "cpu":
      await setBackend("cpu");
      return {
        name: "cpu",
        ...seen,
        limits: {},
        reason: "cpu backend requested",
        native: notOnWasm("cpu"),
      };
    case "wasm":
      return { ...(await activateWasm(options)), ...seen, reason: "wasm backend requested" };
    case "webgpu": {
      if (probe === null) {
        throw new Error(
          `WebGPU is not available: ${
            "gpu" in (globalThis.navigator ?? {})
              ? "navigator.gpu.requestAdapter() found no adapter"
              : "this runtime has no navigator.gpu"
          }`,
        );
      }
      return {
        ...(await activateWebGpu(probe)),
        ...seen,
        reason: "webgpu backend requested",
        native: notOnWasm("webgpu"),
      };
    }
    case "auto": {
      if (probe === null) {
        return {
          ...(await activateWasm(options)),
          ...seen,
          reason: "no WebGPU adapter: using wasm",
        };
      }
      if (probe.isFallbackAdapter) {
        return {
          ...(await activateWasm(options)),
          ...seen,
          reason:
            `the only WebGPU adapter (${probe.description}) is a software fallback: using wasm`,
        };
      }
      try {
        return {
          ...(await activateWebGpu(probe)),
          ...seen,
          reason: `hardware WebGPU adapter (${probe.description})`,
          native: notOnWasm("webgpu"),
        };
      } catch (e) {
        return {
          ...(await activateWasm(options)),
          ...seen,
          reason: `WebGPU on ${probe.description} failed (${(e as Error).message}): using wasm`,
        };
      }
    }
  }
}

async function setBackend(name: BackendName): Promise<void> {
  if (tf.getBackend() === name) return;
  if (!(await tf.setBackend(name))) {
    throw new Error(`tfjs could not initialise the ${name} backend`);
  }
}

let wasmModule: Promise<typeof import("@tensorflow/tfjs-backend-wasm")> | undefined;

function notOnWasm(name: BackendName): NativeKernelsInfo {
  return { active: false, reason: `native kernels are for wasm, not ${name}`, kernels: [] };
}

async function activateWasm(
  options: UseBackendOptions,
): Promise<{ name: "wasm"; limits: BackendLimits; native: NativeKernelsInfo }> {
  wasmModule ??= import("@tensorflow/tfjs-backend-wasm");
  const wasm = await wasmModule;
  await setBackend("wasm");
  // the native kernels sit over the gradient kernels: take them off while those are registered
  disableNativeKernels();
  await registerWasmKernels();
  const off = readEnv(NATIVE_ENV) === "0";
  let native: NativeKernelsInfo;
  if (options.native === false || (options.native === undefined && off)) {
    native = {
      ...nativeKernelsInfo(),
      active: false,
      reason: options.native === false
        ? "native kernels turned off (native: false)"
        : `native kernels turned off (${NATIVE_ENV}=0)`,
      kernels: [],
    };
  } else {
    native = enableNativeKernels({ threads: options.threads });
  }
  nativeGeneration++;
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT") as boolean;
  return { name: "wasm", limits: { simd, threads: wasm.getThreadsCount() }, native };
}

async function activateWebGpu(
  probe: AdapterProbe,
): Promise<{ name: "webgpu"; limits: BackendLimits }> {
  await import("@tensorflow/tfjs-backend-webgpu");
  await setBackend("webgpu");
  const backend = tf.backend() as unknown as WebGpuBackendLike;
  const limits = gpuLimits(backend.device.limits as unknown as Record<string, number>);
  guardWebGpu(backend, limits, probe.description);
  return { name: "webgpu", limits };
}

/** The parts of tfjs's WebGPU backend the size guard wraps. */
interface WebGpuBackendLike {
  device: { limits: unknown };
  write(values: unknown, shape: number[], dtype: tf.DataType): object;
  move(
    dataId: object,
    values: unknown,
    shape: number[],
    dtype: tf.DataType,
    refCount: number,
  ): void;
}

const guarded = new WeakSet<object>();

/**
 * Makes a WebGPU backend refuse tensors larger than one storage binding.
 * Every tensor's storage is created through the backend's `write` (uploads
 * and kernel outputs alike) or `move` (data arriving from another backend),
 * so wrapping those two catches all of them before any GPU memory is used.
 *
 * @param backend tfjs's WebGPU backend instance.
 * @param limits Its device limits.
 * @param adapter The adapter's description, for the message.
 */
function guardWebGpu(backend: WebGpuBackendLike, limits: BackendLimits, adapter: string): void {
  if (guarded.has(backend)) return;
  const limit = Math.min(
    limits.maxStorageBufferBindingSize ?? Infinity,
    limits.maxBufferSize ?? Infinity,
  );
  if (!Number.isFinite(limit)) return;
  const check = (shape: number[], dtype: tf.DataType) => {
    if (dtype === "string") return;
    const bytes = tf.util.sizeFromShape(shape) * (dtype === "complex64" ? 8 : 4);
    if (bytes > limit) {
      throw new RangeError(
        `WebGPU cannot hold a ${dtype} tensor of shape ${formatShape(shape)} ` +
          `(${bytes} bytes = ${
            mib(bytes)
          }): the device (${adapter}) binds at most ${limit} bytes ` +
          `(${mib(limit)}, maxStorageBufferBindingSize) per buffer. ` +
          `Use smaller tensors (tile the image) or the wasm backend.`,
      );
    }
  };
  const write = backend.write.bind(backend);
  const move = backend.move.bind(backend);
  backend.write = (values, shape, dtype) => {
    check(shape, dtype);
    return write(values, shape, dtype);
  };
  backend.move = (dataId, values, shape, dtype, refCount) => {
    check(shape, dtype);
    move(dataId, values, shape, dtype, refCount);
  };
  guarded.add(backend);
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
