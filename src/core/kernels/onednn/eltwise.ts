/**
 * Native element-wise kernels (float32) for tfjs's wasm backend: `Add`,
 * `Sub`, `Multiply` as oneDNN binary primitives and `Relu`, `LeakyRelu`,
 * `Sigmoid`, `Tanh`, `Elu` as oneDNN eltwise primitives, on the wasm heap,
 * threaded.
 *
 * Only tensors of at least `MIN_NATIVE_ELEMENTS` elements are taken (below
 * that, wasm's single call costs less than the primitive lookup); a binary
 * op needs its first input (or, for `Add` and `Multiply`, either input) to
 * have the output's shape, and the other to broadcast into it (oneDNN
 * broadcasts its second source only). The gradients of these activations
 * are products and selects of these kernels in tfjs, so they speed up too.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { OP_DESC_BYTES } from "./library.ts";
import {
  ALG,
  ARG,
  heapBase,
  NativeKernelSet,
  type PrimitiveCache,
  PROP,
  tensorAddress,
  type WasmBackendLike,
} from "./runtime.ts";
import { MIN_NATIVE_ELEMENTS } from "./reduce.ts";

/** The arguments of a kernel function. */
interface Args {
  inputs: Record<string, tf.TensorInfo | undefined>;
  backend: unknown;
  attrs: Record<string, unknown>;
}

/** Binary ops handled, with their oneDNN algorithm and whether they commute. */
export const BINARY: Readonly<Record<string, { alg: number; commutes: boolean }>> = {
  Add: { alg: ALG.binaryAdd, commutes: true },
  Sub: { alg: ALG.binarySub, commutes: false },
  Multiply: { alg: ALG.binaryMul, commutes: true },
};

/** Unary ops handled: oneDNN algorithm and `[alpha, beta]` from the attributes. */
export const UNARY: Readonly<
  Record<string, { alg: number; params: (attrs: Record<string, unknown>) => [number, number] }>
> = {
  Relu: { alg: ALG.eltwiseRelu, params: () => [0, 0] },
  LeakyRelu: { alg: ALG.eltwiseRelu, params: (a) => [(a.alpha as number | undefined) ?? 0.2, 0] },
  Sigmoid: { alg: ALG.eltwiseLogistic, params: () => [0, 0] },
  Tanh: { alg: ALG.eltwiseTanh, params: () => [0, 0] },
  Elu: { alg: ALG.eltwiseElu, params: () => [1, 0] },
};

/**
 * The second source's dims for oneDNN: `b` left-padded with ones to the
 * output's rank, or `null` if it does not broadcast into `out`.
 *
 * @param b The broadcast input's shape.
 * @param out The output shape.
 * @returns The padded shape, or `null`.
 * @example
 * ```ts
 * import { broadcastDims } from "./eltwise.ts";
 * if (broadcastDims([8], [2, 4, 4, 8])?.join() !== "1,1,1,8") throw new Error();
 * if (broadcastDims([4, 1], [2, 4, 3]) === null) throw new Error();
 * if (broadcastDims([3, 8], [2, 4, 4, 8]) !== null) throw new Error();
 * ```
 */
export function broadcastDims(b: readonly number[], out: readonly number[]): number[] | null {
  if (b.length > out.length) return null;
  const padded = [...new Array(out.length - b.length).fill(1), ...b];
  return padded.every((d, i) => d === 1 || d === out[i]) ? padded : null;
}

/** oneDNN binary and eltwise primitives on the wasm heap; see the module doc. */
export class NativeElementwise extends NativeKernelSet {
  /**
   * A binary kernel (`a`, `b`).
   *
   * @param name `Add`, `Sub` or `Multiply`.
   * @param args The kernel arguments.
   * @returns The result, or `null` when not handled.
   */
  binary(name: string, args: Args): tf.TensorInfo | null {
    const op = BINARY[name];
    let { a, b } = args.inputs;
    if (!op || !a || !b || a.dtype !== "float32" || b.dtype !== "float32") return null;
    const out = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (tf.util.sizeFromShape(out) < MIN_NATIVE_ELEMENTS || out.length > 6) return null;
    if (!sameShape(a.shape, out)) {
      if (!op.commutes || !sameShape(b.shape, out)) return null;
      [a, b] = [b, a];
    }
    const dims = broadcastDims(b.shape, out);
    if (dims === null) return null;
    const plan = this.cache.get(`${op.alg} ${out} ${dims}`, () => {
      const dnn = this.dnn;
      const src0 = dnn.mdStrided(out), src1 = dnn.mdStrided(dims);
      const desc = new Uint8Array(OP_DESC_BYTES);
      dnn.check(
        "dnnl_binary_desc_init",
        dnn.c.dnnl_binary_desc_init(desc, op.alg, src0, src1, src0),
      );
      const pd = dnn.primitiveDesc("binary", desc);
      return this.cache.bind(pd, [[ARG.src, src0], [ARG.src1, src1], [ARG.dst, src0]]);
    });
    if (plan === null) return null;
    return this.#run(plan, args.backend, [a, b], out);
  }

  /**
   * A unary kernel (`x`).
   *
   * @param name `Relu`, `LeakyRelu`, `Sigmoid`, `Tanh` or `Elu`.
   * @param args The kernel arguments.
   * @returns The result, or `null` when not handled.
   */
  unary(name: string, args: Args): tf.TensorInfo | null {
    const op = UNARY[name];
    const x = args.inputs.x;
    if (
      !op || !x || x.dtype !== "float32" || tf.util.sizeFromShape(x.shape) < MIN_NATIVE_ELEMENTS
    ) {
      return null;
    }
    const [alpha, beta] = op.params(args.attrs);
    const n = tf.util.sizeFromShape(x.shape);
    const plan = this.cache.get(`${op.alg} ${alpha} ${beta} ${n}`, () => {
      const dnn = this.dnn;
      const data = dnn.mdStrided([n]);
      const desc = new Uint8Array(OP_DESC_BYTES);
      dnn.check(
        "dnnl_eltwise_forward_desc_init",
        dnn.c.dnnl_eltwise_forward_desc_init(
          desc,
          PROP.forwardInference,
          op.alg,
          data,
          alpha,
          beta,
        ),
      );
      const pd = dnn.primitiveDesc("eltwise forward", desc);
      return this.cache.bind(pd, [[ARG.src, data], [ARG.dst, data]]);
    });
    if (plan === null) return null;
    return this.#run(plan, args.backend, [x], x.shape);
  }

  #run(
    plan: NonNullable<ReturnType<PrimitiveCache["get"]>>,
    anyBackend: unknown,
    inputs: tf.TensorInfo[],
    shape: number[],
  ): tf.TensorInfo {
    const backend = anyBackend as WasmBackendLike;
    const out = backend.makeOutput([...shape], "float32");
    const base = heapBase(backend);
    this.cache.run(plan, [...inputs, out].map((t) => tensorAddress(backend, base, t)), {
      elements: tf.util.sizeFromShape(shape),
    });
    return out;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
