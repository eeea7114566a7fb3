/**
 * Running plain loops on tensors' memory: in place on the wasm heap (outputs
 * allocated there, inputs and outputs read as float32 views of it) or on the
 * cpu backend's arrays. The guided filters (`src/guided/_host.ts`) and the
 * Adam step (`adam.ts`) use it; other backends keep their tfjs ops.
 *
 * Internal: not exported from `mod.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

interface WasmLike {
  dataIdMap: { get(dataId: object): { memoryOffset: number | null } | undefined };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

interface CpuLike {
  data: { get(dataId: object): { values?: unknown } | undefined };
}

function hostArray(backend: unknown, name: string, t: tf.TensorInfo): Float32Array | null {
  if (t.dtype !== "float32") return null;
  if (name === "wasm") {
    const b = backend as WasmLike;
    const record = b.dataIdMap.get(t.dataId);
    if (record === undefined || record.memoryOffset === null) return null;
    return b.typedArrayFromHeap(t);
  }
  const values = (backend as CpuLike).data.get(t.dataId)?.values;
  return values instanceof Float32Array && values.length === tf.util.sizeFromShape(t.shape)
    ? values
    : null;
}

/**
 * Runs `fn` on the float32 data of `inputs`, writing new float32 tensors of
 * `shapes`. Nothing may allocate tfjs memory inside `fn` (the wasm heap
 * could move). The backend must be wasm or cpu (else `null`).
 *
 * @param inputs Float32 tensors on the active backend.
 * @param shapes The outputs' shapes.
 * @param fn Reads the inputs' arrays and fills the outputs' (zeros on cpu, garbage on wasm).
 * @returns The outputs, or `null` when an input is not readable in place (the caller falls back).
 */
export function runOnHost(
  inputs: readonly tf.Tensor[],
  shapes: readonly number[][],
  fn: (ins: Float32Array[], outs: Float32Array[]) => void,
): tf.Tensor[] | null {
  const engine = tf.engine();
  const name = engine.backendName;
  const backend = engine.backend;
  if (inputs.some((t) => t.dtype !== "float32")) return null;
  if (name === "wasm") {
    const b = backend as unknown as WasmLike;
    for (const t of inputs) {
      const record = b.dataIdMap.get(t.dataId);
      if (record === undefined || record.memoryOffset === null) return null;
    }
    const infos = shapes.map((s) => b.makeOutput([...s], "float32"));
    // views after every allocation: growing the heap replaces its buffer
    const ins = inputs.map((t) => hostArray(backend, name, t)!);
    const outs = infos.map((info) => b.typedArrayFromHeap(info));
    fn(ins, outs);
    return infos.map((info) => engine.makeTensorFromTensorInfo(info, backend));
  }
  if (name !== "cpu") return null;
  const ins: Float32Array[] = [];
  for (const t of inputs) {
    const a = hostArray(backend, name, t);
    if (a === null) return null;
    ins.push(a);
  }
  const outs = shapes.map((s) => new Float32Array(tf.util.sizeFromShape(s)));
  fn(ins, outs);
  return outs.map((o, i) => tf.tensor(o, [...shapes[i]!], "float32"));
}
