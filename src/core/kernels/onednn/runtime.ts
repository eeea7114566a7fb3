/**
 * A thin layer over the bound oneDNN 2.x C API: one CPU engine and stream,
 * memory descriptors as byte buffers, primitives with their argument
 * memories, and execution on addresses in the wasm backend's heap.
 *
 * The wasm heap is one `WebAssembly.Memory`; oneDNN reads and writes tensors
 * in place at `heap base + memoryOffset`. The base moves when the heap grows
 * (any `_malloc`), so it is read after every allocation of a kernel and just
 * before executing; nothing runs JavaScript between that read and the end of
 * the native call.
 *
 * @module
 */
import type { DataType } from "@tensorflow/tfjs";
import { MD_BYTES, type OneDnnLibrary, type OneDnnSymbols, statusName } from "./library.ts";

/** Format tags used (values of the 2.x `dnnl_format_tag_t`). */
export const TAG = {
  any: 1,
  /** 1-D, plain. */
  a: 2,
  /** 2-D row-major. */
  ab: 3,
  /** 3-D row-major. */
  abc: 4,
  /** 4-D row-major. */
  abcd: 5,
  /** NHWC for `[N, C, H, W]` dims. */
  nhwc: 20,
  /** HWIO for `[O, I, H, W]` weights. */
  hwio: 30,
  /** HWIGO for `[G, O, I, H, W]` weights (tfjs depthwise `[kh, kw, C, M]`). */
  hwigo: 33,
} as const;

/** Data types (`dnnl_data_type_t`). */
export const F32 = 3;
/** `dnnl_s32`. */
export const S32 = 4;
/** `dnnl_u8`. */
export const U8 = 6;

/**
 * The oneDNN data type of a tfjs dtype.
 *
 * @param dtype The tfjs dtype.
 * @returns The `dnnl_data_type_t`, or `undefined` for strings and complex numbers.
 */
export function dataType(dtype: string): number | undefined {
  return dtype === "float32" ? F32 : dtype === "int32" ? S32 : dtype === "bool" ? U8 : undefined;
}

/**
 * Row-major strides (in elements) of a shape.
 *
 * @param shape The shape.
 * @returns The strides.
 */
export function rowMajor(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(1, shape[i]!);
  }
  return strides;
}

/** Propagation kinds (`dnnl_prop_kind_t`). */
export const PROP = {
  forwardTraining: 64,
  forwardInference: 96,
  backward: 128,
  backwardData: 160,
  backwardWeights: 192,
} as const;

/** Execution argument indices (`DNNL_ARG_*`). */
export const ARG = {
  src: 1,
  src1: 2,
  dst: 17,
  weights: 33,
  bias: 41,
  mean: 49,
  variance: 50,
  scale: 51,
  shift: 52,
  workspace: 64,
  diffSrc: 129,
  diffDst: 145,
  diffWeights: 161,
  diffBias: 169,
  diffScale: 255,
  diffShift: 256,
} as const;

/** Queries (`dnnl_query_t`). */
export const QUERY = {
  implInfo: 8,
  src: 129,
  diffSrc: 130,
  weights: 131,
  diffWeights: 132,
  dst: 133,
  diffDst: 134,
  workspace: 135,
} as const;

/** Algorithms (`dnnl_alg_kind_t`). */
export const ALG = {
  convolutionDirect: 1,
  eltwiseRelu: 31,
  eltwiseTanh: 47,
  eltwiseElu: 63,
  eltwiseLogistic: 175,
  eltwiseClip: 255,
  eltwiseReluUseDst: 256,
  eltwiseLogisticUseDst: 260,
  poolingMax: 511,
  poolingAvgIncludePadding: 767,
  poolingAvgExcludePadding: 1023,
  binaryAdd: 131056,
  binaryMul: 131057,
  binarySub: 131061,
  resamplingNearest: 196592,
  resamplingLinear: 196593,
  reductionSum: 196596,
  reductionMean: 196598,
} as const;

/** Batch normalisation flags (`dnnl_normalization_flags_t`). */
export const BNORM = { useGlobalStats: 1, useScale: 8, useShift: 16 } as const;

/** A status that is not success, as an error naming the call. */
export class OneDnnError extends Error {
  /** The `dnnl_status_t`. */
  readonly status: number;
  /**
   * @param call The C function.
   * @param status What it returned.
   */
  constructor(call: string, status: number) {
    super(`oneDNN ${call} failed: ${statusName(status)}`);
    this.name = "OneDnnError";
    this.status = status;
  }
}

/** An address as FFI takes it (`usize`). */
export type Address = number | bigint;

/** A oneDNN memory object and the descriptor it was made with. */
export interface Memory {
  /** The `dnnl_memory_t`. */
  handle: Deno.PointerObject;
  /** Its address, for argument arrays. */
  address: bigint;
  /** Its descriptor. */
  md: Uint8Array;
  /** Bytes it spans. */
  bytes: number;
}

/** A primitive, its descriptor, and the implementation oneDNN chose. */
export interface Primitive {
  /** The `dnnl_primitive_t`. */
  handle: Deno.PointerObject;
  /** The `dnnl_primitive_desc_t` (kept for queries and as a hint). */
  pd: Deno.PointerObject;
  /** The implementation's name, e.g. `"jit:avx512_core"`. */
  impl: string;
}

const DNNL_MEMORY_ALLOCATE = 0xffff_ffff_ffff_ffffn;

function pointer(value: bigint): Deno.PointerObject {
  const p = Deno.UnsafePointer.create(value);
  if (p === null) throw new Error("oneDNN returned a NULL handle");
  return p;
}

/**
 * `int64_t[12]` (`dnnl_dims_t`) from numbers.
 *
 * @param values Up to 12 values.
 * @returns The array.
 */
export function dims(values: readonly number[]): BigInt64Array {
  const out = new BigInt64Array(12);
  values.forEach((v, i) => out[i] = BigInt(v));
  return out;
}

/** The engine, stream and helpers of one loaded oneDNN. */
/**
 * Elements below which a memory-bound primitive (element-wise, copy,
 * reduction, batch norm; not convolutions) runs on one thread: waking a
 * second OpenMP thread that waits passively costs ≈ 50 µs a call, more than
 * it saves below about a million float32 elements (measured on the 2-core
 * dev machine: a product of 2¹⁸ elements 47 µs on one thread, 83 µs on two;
 * 2²⁰ 123 µs vs 139 µs; 2²¹ 386 µs vs 179 µs).
 */
export const SERIAL_BELOW_ELEMENTS = 1 << 20;

/** Options of {@linkcode OneDnn.execute}. */
export interface ExecuteOptions {
  /**
   * The elements a memory-bound primitive touches: below
   * {@linkcode SERIAL_BELOW_ELEMENTS} it runs on one thread. Omit for
   * compute-bound primitives (convolutions), which always use every thread.
   */
  elements?: number;
}

export class OneDnn {
  /** The library. */
  readonly library: OneDnnLibrary;
  /** Its functions. */
  readonly c: OneDnnSymbols;
  /** The CPU engine. */
  readonly engine: Deno.PointerObject;
  /** The stream primitives run on. */
  readonly stream: Deno.PointerObject;
  #out = new BigUint64Array(1);
  #threads = 1;
  #setThreads: (threads: number) => void = () => {};

  /**
   * Creates the CPU engine and a stream.
   *
   * @param library The opened library.
   */
  constructor(library: OneDnnLibrary) {
    this.library = library;
    this.c = library.symbols;
    this.check("dnnl_engine_create", this.c.dnnl_engine_create(this.#out, 1, 0n));
    this.engine = pointer(this.#out[0]!);
    this.check("dnnl_stream_create", this.c.dnnl_stream_create(this.#out, this.engine, 1));
    this.stream = pointer(this.#out[0]!);
  }

  /**
   * Throws a {@linkcode OneDnnError} for a status other than success.
   *
   * @param call The C function.
   * @param status What it returned.
   */
  check(call: string, status: number): void {
    if (status !== 0) throw new OneDnnError(call, status);
  }

  /**
   * A memory descriptor from dimensions and a format tag.
   *
   * @param shape oneDNN's logical dims (`[N, C, H, W]`, `[O, I, H, W]`, ...).
   * @param tag A {@linkcode TAG}.
   * @returns The descriptor.
   */
  md(shape: readonly number[], tag: number): Uint8Array {
    const md = new Uint8Array(MD_BYTES);
    this.check(
      "dnnl_memory_desc_init_by_tag",
      this.c.dnnl_memory_desc_init_by_tag(md, shape.length, dims(shape), F32, tag),
    );
    return md;
  }

  /**
   * A memory descriptor from dimensions and strides (in elements).
   *
   * @param shape The dims.
   * @param strides The stride of each dim (default row-major).
   * @param type The data type (default f32).
   * @returns The descriptor.
   */
  mdStrided(
    shape: readonly number[],
    strides: readonly number[] = rowMajor(shape),
    type = F32,
  ): Uint8Array {
    const md = new Uint8Array(MD_BYTES);
    this.check(
      "dnnl_memory_desc_init_by_strides",
      this.c.dnnl_memory_desc_init_by_strides(md, shape.length, dims(shape), type, dims(strides)),
    );
    return md;
  }

  /**
   * A descriptor of a box inside a parent tensor (for slicing and padding).
   *
   * @param parent The parent's descriptor.
   * @param shape The box's dims.
   * @param offsets Where it starts in the parent.
   * @returns The descriptor (its memory takes the parent's address).
   */
  mdSub(parent: Uint8Array, shape: readonly number[], offsets: readonly number[]): Uint8Array {
    const md = new Uint8Array(MD_BYTES);
    this.check(
      "dnnl_memory_desc_init_submemory",
      this.c.dnnl_memory_desc_init_submemory(md, parent, dims(shape), dims(offsets)),
    );
    return md;
  }

  /**
   * Whether two descriptors describe the same layout.
   *
   * @param a One.
   * @param b The other.
   * @returns `true` when equal.
   */
  mdEqual(a: Uint8Array, b: Uint8Array): boolean {
    return this.c.dnnl_memory_desc_equal(a, b) === 1;
  }

  /**
   * Creates a primitive descriptor from an operation descriptor.
   *
   * @param call The `*_desc_init` that filled `opDesc`, for messages.
   * @param opDesc The operation descriptor.
   * @param attr Attributes (post-ops), or `null`.
   * @param hint The forward primitive descriptor, for a backward one.
   * @returns The primitive descriptor (caller destroys).
   */
  primitiveDesc(
    call: string,
    opDesc: Uint8Array,
    attr: Deno.PointerValue = null,
    hint: Deno.PointerValue = null,
  ): Deno.PointerObject {
    this.check(
      `dnnl_primitive_desc_create (${call})`,
      this.c.dnnl_primitive_desc_create(this.#out, opDesc, attr, this.engine, hint),
    );
    return pointer(this.#out[0]!);
  }

  /**
   * A copy of a memory descriptor of a primitive descriptor.
   *
   * @param pd The primitive descriptor.
   * @param what A {@linkcode QUERY}.
   * @returns The descriptor.
   */
  queryMd(pd: Deno.PointerObject, what: number): Uint8Array {
    const p = this.c.dnnl_primitive_desc_query_md(pd, what, 0);
    if (p === null) throw new Error(`oneDNN has no memory descriptor for query ${what}`);
    const md = new Uint8Array(MD_BYTES);
    new Deno.UnsafePointerView(p).copyInto(md);
    return md;
  }

  /**
   * Makes the primitive of a primitive descriptor.
   *
   * @param pd The primitive descriptor (now owned by the primitive record).
   * @returns The primitive.
   */
  primitive(pd: Deno.PointerObject): Primitive {
    this.check(
      "dnnl_primitive_desc_query",
      this.c.dnnl_primitive_desc_query(pd, QUERY.implInfo, 0, this.#out),
    );
    const name = this.#out[0] ? new Deno.UnsafePointerView(pointer(this.#out[0])).getCString() : "";
    this.check("dnnl_primitive_create", this.c.dnnl_primitive_create(this.#out, pd));
    return { handle: pointer(this.#out[0]!), pd, impl: name };
  }

  /**
   * A reorder primitive between two layouts.
   *
   * @param from Source descriptor.
   * @param to Destination descriptor.
   * @returns The primitive.
   */
  reorder(from: Uint8Array, to: Uint8Array): Primitive {
    this.check(
      "dnnl_reorder_primitive_desc_create",
      this.c.dnnl_reorder_primitive_desc_create(
        this.#out,
        from,
        this.engine,
        to,
        this.engine,
        null,
      ),
    );
    return this.primitive(pointer(this.#out[0]!));
  }

  /**
   * A memory object, on a given buffer or (default) one oneDNN allocates.
   *
   * @param md Its descriptor.
   * @param address The buffer, `0` for none yet, or `"allocate"`.
   * @returns The memory.
   */
  memory(md: Uint8Array, address: Address | "allocate" = 0): Memory {
    const handle = address === "allocate" ? DNNL_MEMORY_ALLOCATE : address;
    this.check("dnnl_memory_create", this.c.dnnl_memory_create(this.#out, md, this.engine, handle));
    const m = pointer(this.#out[0]!);
    const bytes = Number(this.c.dnnl_memory_desc_get_size(md));
    return { handle: m, address: BigInt(Deno.UnsafePointer.value(m)), md, bytes };
  }

  /**
   * Points a memory object at a buffer.
   *
   * @param memory The memory.
   * @param address The buffer's address.
   */
  setHandle(memory: Memory, address: Address): void {
    this.check(
      "dnnl_memory_set_data_handle",
      this.c.dnnl_memory_set_data_handle(memory.handle, address),
    );
  }

  /**
   * Runs a primitive.
   *
   * @param primitive The primitive.
   * @param args `[DNNL_ARG_*, memory]` pairs.
   */
  execute(
    primitive: Primitive,
    args: readonly (readonly [number, Memory])[],
    options: ExecuteOptions = {},
  ): void {
    const buffer = new BigUint64Array(2 * args.length);
    args.forEach(([arg, memory], i) => {
      buffer[2 * i] = BigInt(arg);
      buffer[2 * i + 1] = memory.address;
    });
    const serial = this.#threads > 1 && options.elements !== undefined &&
      options.elements < SERIAL_BELOW_ELEMENTS;
    if (serial) this.#setThreads(1);
    try {
      this.check(
        "dnnl_primitive_execute",
        this.c.dnnl_primitive_execute(primitive.handle, this.stream, args.length, buffer),
      );
    } finally {
      if (serial) this.#setThreads(this.#threads);
    }
  }

  /**
   * Tells the engine the thread count primitives are built and run with,
   * and how to set it, so that {@linkcode OneDnn.execute} can run a small
   * memory-bound primitive on one thread (see {@linkcode SERIAL_BELOW_ELEMENTS}).
   *
   * @param threads The count in effect.
   * @param set Sets the threading runtime's count.
   */
  useThreads(threads: number, set: (threads: number) => void): void {
    this.#threads = threads;
    this.#setThreads = set;
  }

  /**
   * Waits for the stream (the CPU stream runs synchronously; this is cheap).
   */
  wait(): void {
    this.check("dnnl_stream_wait", this.c.dnnl_stream_wait(this.stream));
  }

  /**
   * Frees a primitive and its descriptor.
   *
   * @param primitive The primitive.
   */
  destroyPrimitive(primitive: Primitive): void {
    this.c.dnnl_primitive_destroy(primitive.handle);
    this.c.dnnl_primitive_desc_destroy(primitive.pd);
  }

  /**
   * Frees a memory object (and the buffer if oneDNN allocated it).
   *
   * @param memory The memory.
   */
  destroyMemory(memory: Memory): void {
    this.c.dnnl_memory_destroy(memory.handle);
  }
}

/** The parts of tfjs's wasm backend the native kernels use. */
export interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: {
    get(
      dataId: object,
    ): { id: number; memoryOffset: number; shape: number[]; dtype: string } | undefined;
  };
  makeOutput(
    shape: number[],
    dtype: DataType,
  ): { dataId: object; shape: number[]; dtype: DataType };
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * The address of the wasm heap's first byte (read it after allocating).
 *
 * @param backend The wasm backend.
 * @returns The address.
 */
export function heapBase(backend: WasmBackendLike): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(backend.wasm.HEAPU8.buffer)));
}

/** A primitive with one memory per argument, pointed at tensors per call. */
export interface BoundPrimitive {
  /** The primitive. */
  prim: Primitive;
  /** `[DNNL_ARG_*, memory]`, in the order addresses are given to {@linkcode PrimitiveCache.run}. */
  args: [number, Memory][];
}

/**
 * Bound primitives by key (a shape signature); a key oneDNN cannot build is
 * remembered as `null` (the kernel then falls back).
 */
export class PrimitiveCache {
  #dnn: OneDnn;
  #plans = new Map<string, BoundPrimitive | null>();
  /** Executions (tests). */
  runs = 0;

  /**
   * @param dnn The oneDNN engine and stream.
   */
  constructor(dnn: OneDnn) {
    this.#dnn = dnn;
  }

  /**
   * The primitive of a key, built on first use.
   *
   * @param key The signature.
   * @param build Makes it (`null`, or a {@linkcode OneDnnError}, for "cannot").
   * @returns The primitive, or `null`.
   */
  get(key: string, build: () => BoundPrimitive | null): BoundPrimitive | null {
    if (this.#plans.has(key)) return this.#plans.get(key)!;
    let plan: BoundPrimitive | null;
    try {
      plan = build();
    } catch (e) {
      if (!(e instanceof OneDnnError)) throw e;
      plan = null;
    }
    this.#plans.set(key, plan);
    return plan;
  }

  /**
   * Points the arguments at addresses and executes.
   *
   * @param plan The primitive.
   * @param addresses One per argument, in order.
   * @param options `elements`: the work of a memory-bound primitive (see {@linkcode OneDnn.execute}).
   */
  run(plan: BoundPrimitive, addresses: readonly bigint[], options: ExecuteOptions = {}): void {
    plan.args.forEach(([, memory], i) => this.#dnn.setHandle(memory, addresses[i]!));
    this.#dnn.execute(plan.prim, plan.args, options);
    this.runs++;
  }

  /**
   * Binds a primitive descriptor's primitive to fresh memories.
   *
   * @param pd The primitive descriptor.
   * @param args `[DNNL_ARG_*, descriptor]` per argument.
   * @returns The bound primitive, or `null` when oneDNN chose a reference implementation.
   */
  bind(
    pd: Deno.PointerObject,
    args: readonly (readonly [number, Uint8Array])[],
  ): BoundPrimitive | null {
    const prim = this.#dnn.primitive(pd);
    if (prim.impl.startsWith("ref")) {
      // oneDNN's reference implementations are slower than wasm's kernels
      this.#dnn.destroyPrimitive(prim);
      return null;
    }
    return { prim, args: args.map(([arg, md]) => [arg, this.#dnn.memory(md)]) };
  }

  /** Frees everything (after a change of thread count). */
  reset(): void {
    for (const plan of this.#plans.values()) {
      if (plan === null) continue;
      this.#dnn.destroyPrimitive(plan.prim);
      for (const [, m] of plan.args) this.#dnn.destroyMemory(m);
    }
    this.#plans.clear();
  }
}

/**
 * The address of a tensor's data on the wasm heap.
 *
 * @param backend The wasm backend.
 * @param base {@linkcode heapBase}, read after the kernel's allocations.
 * @param t The tensor.
 * @returns The address.
 */
export function tensorAddress(
  backend: WasmBackendLike,
  base: bigint,
  t: { dataId: object },
): bigint {
  return base + BigInt(backend.dataIdMap.get(t.dataId)!.memoryOffset);
}

/**
 * What the element-wise, reduction and batch-norm kernel sets share: the
 * engine and a cache of their bound primitives.
 */
export abstract class NativeKernelSet {
  /** The oneDNN engine and stream. */
  protected readonly dnn: OneDnn;
  /** Bound primitives by shape signature. */
  protected readonly cache: PrimitiveCache;

  /**
   * @param dnn The oneDNN engine and stream.
   */
  constructor(dnn: OneDnn) {
    this.dnn = dnn;
    this.cache = new PrimitiveCache(dnn);
  }

  /** Kernel calls computed here. */
  get runs(): number {
    return this.cache.runs;
  }

  /** Drops every primitive. */
  reset(): void {
    this.cache.reset();
  }
}
