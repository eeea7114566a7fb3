/**
 * Loading oneDNN's C API through `Deno.dlopen`: where the library is, which
 * version it is, and the 2.x symbols the native kernels call.
 *
 * oneDNN 2.x and 3.x differ in their C API (2.x fills plain structs:
 * `dnnl_memory_desc_init_by_tag`, `dnnl_convolution_forward_desc_init`,
 * `dnnl_primitive_desc_create`; 3.x has opaque memory descriptors and one
 * `*_primitive_desc_create` per primitive). {@linkcode openOneDnn} opens the
 * library with `dnnl_version` alone, reads the version, and binds the 2.x
 * API in full; a 3.x (or other) library is refused with one line saying so,
 * and the caller keeps the wasm kernels.
 *
 * Nothing here prompts for permissions: without `--allow-ffi` (or
 * `--allow-env` for the settings) the library is reported as unavailable.
 *
 * @module
 */

/** Library names tried, per operating system, newest first. */
export const ONEDNN_LIBRARY_NAMES: Readonly<Record<string, readonly string[]>> = {
  linux: ["libdnnl.so.3", "libdnnl.so.2", "libdnnl.so"],
  darwin: ["libdnnl.3.dylib", "libdnnl.2.dylib", "libdnnl.dylib"],
  windows: ["dnnl.dll"],
};

/** Environment variable naming the library file to load instead of the search. */
export const ONEDNN_LIBRARY_ENV = "PIXELBIAS_ONEDNN_LIBRARY";

/** Bytes of `dnnl_memory_desc_t` in the 2.x ABI (64-bit platforms). */
export const MD_BYTES = 696;
/** Bytes reserved for an operation descriptor (the largest used, convolution, has 5976). */
export const OP_DESC_BYTES = 8192;

/** oneDNN's version and threading runtime, from `dnnl_version()`. */
export interface OneDnnVersion {
  /** Major version. */
  major: number;
  /** Minor version. */
  minor: number;
  /** Patch version. */
  patch: number;
  /** `"omp"`, `"tbb"`, `"seq"`, `"threadpool"`, or `"unknown"`. */
  cpuRuntime: "omp" | "tbb" | "seq" | "threadpool" | "unknown";
}

const P = "pointer" as const, B = "buffer" as const, I = "i32" as const;
const U = "u32" as const, F = "f32" as const, Z = "usize" as const;
const st = (...parameters: Deno.NativeType[]) => ({ parameters, result: I });

/** The oneDNN 2.x C functions bound (status-returning unless noted). */
export const SYMBOLS_V2 = {
  dnnl_version: { parameters: [], result: P },
  dnnl_engine_create: st(B, I, Z),
  dnnl_engine_destroy: st(P),
  dnnl_stream_create: st(B, P, U),
  dnnl_stream_wait: st(P),
  dnnl_stream_destroy: st(P),
  dnnl_memory_desc_init_by_tag: st(B, I, B, I, I),
  dnnl_memory_desc_init_by_strides: st(B, I, B, I, B),
  dnnl_memory_desc_init_submemory: st(B, B, B, B),
  dnnl_memory_desc_equal: { parameters: [B, B], result: I },
  dnnl_memory_desc_get_size: { parameters: [B], result: Z },
  dnnl_memory_create: st(B, B, P, Z),
  dnnl_memory_set_data_handle: st(P, Z),
  dnnl_memory_destroy: st(P),
  dnnl_primitive_attr_create: st(B),
  dnnl_primitive_attr_destroy: st(P),
  dnnl_primitive_attr_set_post_ops: st(P, P),
  dnnl_post_ops_create: st(B),
  dnnl_post_ops_destroy: st(P),
  dnnl_post_ops_append_eltwise: st(P, F, I, F, F),
  dnnl_primitive_desc_create: st(B, B, P, P, P),
  dnnl_primitive_desc_query: st(P, I, I, B),
  dnnl_primitive_desc_query_md: { parameters: [P, I, I], result: P },
  dnnl_primitive_desc_destroy: st(P),
  dnnl_primitive_create: st(B, P),
  dnnl_primitive_execute: st(P, P, I, B),
  dnnl_primitive_destroy: st(P),
  dnnl_reorder_primitive_desc_create: st(B, B, P, B, P, P),
  dnnl_dilated_convolution_forward_desc_init: st(B, I, I, B, B, B, B, B, B, B, B),
  dnnl_dilated_convolution_backward_data_desc_init: st(B, I, B, B, B, B, B, B, B),
  dnnl_dilated_convolution_backward_weights_desc_init: st(B, I, B, B, B, B, B, B, B, B),
  dnnl_eltwise_forward_desc_init: st(B, I, I, B, F, F),
  dnnl_eltwise_backward_desc_init: st(B, I, B, B, F, F),
  dnnl_batch_normalization_forward_desc_init: st(B, I, B, F, U),
  dnnl_batch_normalization_backward_desc_init: st(B, I, B, B, F, U),
  dnnl_binary_desc_init: st(B, I, B, B, B),
  dnnl_resampling_forward_desc_init: st(B, I, I, B, B, B),
  dnnl_resampling_backward_desc_init: st(B, I, B, B, B),
  dnnl_pooling_v2_forward_desc_init: st(B, I, I, B, B, B, B, B, B, B),
  dnnl_pooling_v2_backward_desc_init: st(B, I, B, B, B, B, B, B, B),
  dnnl_matmul_desc_init: st(B, B, B, B, B),
  dnnl_reduction_desc_init: st(B, I, B, B, F, F),
} as const satisfies Deno.ForeignLibraryInterface;

/** The bound 2.x functions. */
export type OneDnnSymbols = Deno.DynamicLibrary<typeof SYMBOLS_V2>["symbols"];

/** An opened oneDNN 2.x library. */
export interface OneDnnLibrary {
  /** The file name that was loaded. */
  path: string;
  /** Its version. */
  version: OneDnnVersion;
  /** The C functions. */
  symbols: OneDnnSymbols;
  /** Unloads the library. */
  close(): void;
}

/** What {@linkcode openOneDnn} found. */
export type OneDnnOpenResult =
  | { ok: true; library: OneDnnLibrary }
  | { ok: false; reason: string };

/** Options of {@linkcode openOneDnn}. */
export interface OpenOneDnnOptions {
  /** Files to try, in order. Default: `PIXELBIAS_ONEDNN_LIBRARY`, then {@linkcode ONEDNN_LIBRARY_NAMES}. */
  candidates?: readonly string[];
}

const STATUS = [
  "success",
  "out_of_memory",
  "invalid_arguments",
  "unimplemented",
  "iterator_ends",
  "runtime_error",
  "not_required",
];

/**
 * The name of a `dnnl_status_t`.
 *
 * @param status The status code.
 * @returns Its name, e.g. `"invalid_arguments"`.
 * @example
 * ```ts
 * import { statusName } from "./library.ts";
 * if (statusName(3) !== "unimplemented") throw new Error();
 * ```
 */
export function statusName(status: number): string {
  return STATUS[status] ?? `status ${status}`;
}

const RUNTIMES: Record<number, OneDnnVersion["cpuRuntime"]> = {
  1: "seq",
  2: "omp",
  4: "tbb",
  8: "threadpool",
};

/**
 * Reads a `dnnl_version_t` (`int major, minor, patch; const char *hash;
 * unsigned cpu_runtime, gpu_runtime`).
 *
 * @param pointer What `dnnl_version()` returned.
 * @returns The version.
 */
export function readVersion(pointer: Deno.PointerValue): OneDnnVersion {
  if (pointer === null) throw new Error("dnnl_version() returned NULL");
  const view = new Deno.UnsafePointerView(pointer);
  return {
    major: view.getInt32(0),
    minor: view.getInt32(4),
    patch: view.getInt32(8),
    cpuRuntime: RUNTIMES[view.getUint32(24)] ?? "unknown",
  };
}

/**
 * Whether a permission is granted already (never prompts).
 *
 * @param descriptor The permission.
 * @returns `true` when granted.
 */
export function granted(descriptor: Deno.PermissionDescriptor): boolean {
  try {
    return Deno.permissions.querySync(descriptor).state === "granted";
  } catch {
    return false;
  }
}

/**
 * Reads an environment variable if allowed, without prompting.
 *
 * @param name The variable.
 * @returns Its value, or `undefined` when unset or not readable.
 */
export function readEnv(name: string): string | undefined {
  if (!granted({ name: "env", variable: name })) return undefined;
  return Deno.env.get(name);
}

/**
 * The files {@linkcode openOneDnn} tries by default.
 *
 * @returns `PIXELBIAS_ONEDNN_LIBRARY` if set, then this OS's names.
 */
export function defaultCandidates(): string[] {
  const override = readEnv(ONEDNN_LIBRARY_ENV);
  return [...(override ? [override] : []), ...(ONEDNN_LIBRARY_NAMES[Deno.build.os] ?? [])];
}

/**
 * Opens oneDNN: the first candidate that loads, checked for a 2.x API.
 *
 * @param options Which files to try.
 * @returns The library, or why there is none (one line).
 * @example
 * ```ts
 * import { openOneDnn } from "./library.ts";
 * const found = openOneDnn({ candidates: ["libdoes-not-exist.so"] });
 * if (found.ok) throw new Error("should not load");
 * ```
 */
export function openOneDnn(options: OpenOneDnnOptions = {}): OneDnnOpenResult {
  if (!granted({ name: "ffi" })) {
    return { ok: false, reason: "oneDNN not loaded: no --allow-ffi permission" };
  }
  const candidates = options.candidates ?? defaultCandidates();
  const failures: string[] = [];
  for (const path of candidates) {
    let probe: Deno.DynamicLibrary<{ dnnl_version: { parameters: []; result: "pointer" } }>;
    try {
      probe = Deno.dlopen(path, { dnnl_version: { parameters: [], result: "pointer" } });
    } catch (e) {
      failures.push(`${path}: ${firstLine(e)}`);
      continue;
    }
    let version: OneDnnVersion;
    try {
      version = readVersion(probe.symbols.dnnl_version());
    } finally {
      probe.close();
    }
    const v = `${version.major}.${version.minor}.${version.patch}`;
    if (version.major !== 2) {
      return {
        ok: false,
        reason: `oneDNN ${v} (${path}) has a C API this toolkit does not bind (it binds 2.x): ` +
          `using the wasm kernels`,
      };
    }
    try {
      const lib = Deno.dlopen(path, SYMBOLS_V2);
      return {
        ok: true,
        library: { path, version, symbols: lib.symbols, close: () => lib.close() },
      };
    } catch (e) {
      return { ok: false, reason: `oneDNN ${v} (${path}) lacks a 2.x symbol: ${firstLine(e)}` };
    }
  }
  return {
    ok: false,
    reason: `oneDNN not found (tried ${candidates.join(", ")})${
      failures.length > 0 && candidates.length === 1 ? `: ${failures[0]}` : ""
    }`,
  };
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split("\n")[0]!;
}
