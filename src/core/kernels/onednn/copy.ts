/**
 * Native `Slice` and `PadV2` for tfjs's wasm backend, as oneDNN reorders
 * between a box inside one tensor (a sub-memory descriptor) and another
 * tensor, on the wasm heap in place.
 *
 * wasm's `Slice` first copies the whole input out of the heap
 * (`readSync`) and then copies row by row in JavaScript; its `PadV2` is a
 * scalar loop. The deep image prior's reflection-padding gradient slices
 * and pads full activations several times per layer, which made them a
 * third of the decoder's step after the convolutions went native.
 *
 * - `Slice`: a contiguous slice is one `copyWithin` on the heap; any other
 *   is one reorder from the box of the input to the output.
 * - `PadV2`: the output is filled with the constant (`TypedArray.fill` on the
 *   heap), then one reorder writes the input into its box.
 *
 * float32, int32 and bool, ranks 1 to 6; anything else (strings, empty
 * tensors, negative paddings) is left to the kernel registered before.
 * Reorders are cached by shape, box and dtype.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  ARG,
  dataType,
  heapBase,
  type Memory,
  type OneDnn,
  OneDnnError,
  type Primitive,
  type WasmBackendLike,
} from "./runtime.ts";

interface Plan {
  prim: Primitive;
  from: Memory;
  to: Memory;
}

/** The arguments of a kernel function. */
interface Args {
  inputs: Record<string, tf.TensorInfo | undefined>;
  backend: unknown;
  attrs: Record<string, unknown>;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** oneDNN slices and pads on the wasm heap; see the module doc. */
export class NativeCopies {
  #dnn: OneDnn;
  #plans = new Map<string, Plan | null>();
  /** Kernel calls computed here (tests). */
  runs = 0;

  /**
   * @param dnn The oneDNN engine and stream.
   */
  constructor(dnn: OneDnn) {
    this.#dnn = dnn;
  }

  /** Drops every reorder (after a change of thread count). */
  reset(): void {
    for (const plan of this.#plans.values()) {
      if (plan === null) continue;
      this.#dnn.destroyPrimitive(plan.prim);
      this.#dnn.destroyMemory(plan.from);
      this.#dnn.destroyMemory(plan.to);
    }
    this.#plans.clear();
  }

  /**
   * `Slice` (`x`; `begin`, `size`).
   *
   * @param args The kernel arguments.
   * @returns The slice, or `null` when not handled.
   */
  slice(args: Args): tf.TensorInfo | null {
    const x = args.inputs.x;
    if (!x || dataType(x.dtype) === undefined || x.shape.length < 1 || x.shape.length > 6) {
      return null;
    }
    const [begin, size] = tf.slice_util.parseSliceParams(
      x as tf.Tensor,
      args.attrs.begin as number[],
      args.attrs.size as number[],
    );
    if (size.some((d) => d <= 0)) return null;
    const backend = args.backend as WasmBackendLike;
    if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
      const out = backend.makeOutput(size, x.dtype);
      const bytes = BYTES[x.dtype]!;
      const start = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
      const from = backend.dataIdMap.get(x.dataId)!.memoryOffset + start * bytes;
      const to = backend.dataIdMap.get(out.dataId)!.memoryOffset;
      backend.wasm.HEAPU8.copyWithin(to, from, from + tf.util.sizeFromShape(size) * bytes);
      this.runs++;
      return out;
    }
    const key = `slice ${x.dtype} ${x.shape} ${begin} ${size}`;
    const plan = this.#plan(key, () => {
      const type = dataType(x.dtype)!, dnn = this.#dnn;
      const parent = dnn.mdStrided(x.shape, undefined, type);
      return this.#reorder(dnn.mdSub(parent, size, begin), dnn.mdStrided(size, undefined, type));
    });
    if (plan === null) return null;
    const out = backend.makeOutput(size, x.dtype);
    this.#run(plan, backend, x, out);
    return out;
  }

  /**
   * `PadV2` (`x`; `paddings`, `constantValue`).
   *
   * @param args The kernel arguments.
   * @returns The padded tensor, or `null` when not handled.
   */
  pad(args: Args): tf.TensorInfo | null {
    const x = args.inputs.x;
    const paddings = args.attrs.paddings as [number, number][];
    const value = (args.attrs.constantValue as number | undefined) ?? 0;
    if (!x || dataType(x.dtype) === undefined || x.shape.length < 1 || x.shape.length > 6) {
      return null;
    }
    if (tf.util.sizeFromShape(x.shape) === 0 || paddings.length !== x.shape.length) return null;
    if (paddings.some(([a, b]) => !(a >= 0 && b >= 0))) return null;
    const shape = x.shape.map((d, i) => paddings[i]![0] + d + paddings[i]![1]);
    const begin = paddings.map(([a]) => a);
    const key = `pad ${x.dtype} ${x.shape} ${paddings.flat()}`;
    const plan = this.#plan(key, () => {
      const type = dataType(x.dtype)!, dnn = this.#dnn;
      const parent = dnn.mdStrided(shape, undefined, type);
      return this.#reorder(
        dnn.mdStrided(x.shape, undefined, type),
        dnn.mdSub(parent, x.shape, begin),
      );
    });
    if (plan === null) return null;
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput(shape, x.dtype);
    const n = tf.util.sizeFromShape(shape);
    const at = backend.dataIdMap.get(out.dataId)!.memoryOffset;
    const buffer = backend.wasm.HEAPU8.buffer;
    if (x.dtype === "float32") new Float32Array(buffer, at, n).fill(value);
    else if (x.dtype === "int32") new Int32Array(buffer, at, n).fill(value);
    else new Uint8Array(buffer, at, n).fill(value ? 1 : 0);
    this.#run(plan, backend, x, out);
    return out;
  }

  #plan(key: string, build: () => Plan): Plan | null {
    if (this.#plans.has(key)) return this.#plans.get(key)!;
    let plan: Plan | null;
    try {
      plan = build();
    } catch (e) {
      if (!(e instanceof OneDnnError)) throw e;
      plan = null;
    }
    this.#plans.set(key, plan);
    return plan;
  }

  #reorder(from: Uint8Array, to: Uint8Array): Plan {
    const dnn = this.#dnn;
    return { prim: dnn.reorder(from, to), from: dnn.memory(from), to: dnn.memory(to) };
  }

  #run(plan: Plan, backend: WasmBackendLike, x: tf.TensorInfo, out: tf.TensorInfo): void {
    const base = heapBase(backend);
    const dnn = this.#dnn;
    dnn.setHandle(plan.from, base + BigInt(backend.dataIdMap.get(x.dataId)!.memoryOffset));
    dnn.setHandle(plan.to, base + BigInt(backend.dataIdMap.get(out.dataId)!.memoryOffset));
    dnn.execute(plan.prim, [[ARG.src, plan.from], [ARG.dst, plan.to]], {
      elements: tf.util.sizeFromShape(out.shape),
    });
    this.runs++;
  }
}
