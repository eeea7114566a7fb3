/**
 * Native `Sum` and `Mean` (float32) for tfjs's wasm backend: oneDNN
 * reductions on the wasm heap.
 *
 * wasm's reductions transpose the input first whenever the reduced axes are
 * not the innermost ones, which is the common case of per-channel
 * statistics of NHWC activations (axes 0, 1, 2): a full copy and a
 * single-threaded loop. Here adjacent axes that are reduced (or kept)
 * together are merged first, so an NHWC per-channel sum is a
 * `[N·H·W, C] → [1, C]` reduction, computed as the matrix product of a row
 * of ones (or of `1/N·H·W` for a mean) with the input (oneDNN has only a
 * reference implementation of reductions over outer axes); the other
 * patterns are oneDNN reductions where it has a jit implementation.
 *
 * Small tensors (under {@linkcode MIN_NATIVE_ELEMENTS}) stay with wasm, whose
 * call costs less there; so do other dtypes and empty reductions.
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
  tensorAddress,
  type WasmBackendLike,
} from "./runtime.ts";

/** Elements below which the element-wise and reduction kernels leave a tensor to wasm. */
export const MIN_NATIVE_ELEMENTS = 16384;

/** The arguments of a kernel function. */
interface Args {
  inputs: Record<string, tf.TensorInfo | undefined>;
  backend: unknown;
  attrs: Record<string, unknown>;
}

/**
 * Merges adjacent axes with the same role.
 *
 * @param shape The input shape.
 * @param reduced Whether each axis is reduced.
 * @returns The merged source shape and the destination shape (1 where reduced).
 * @example
 * ```ts
 * import { mergeReducedAxes } from "./reduce.ts";
 * const { src, dst } = mergeReducedAxes([2, 8, 8, 16], [true, true, true, false]);
 * if (src.join() !== "128,16" || dst.join() !== "1,16") throw new Error();
 * ```
 */
export function mergeReducedAxes(
  shape: readonly number[],
  reduced: readonly boolean[],
): { src: number[]; dst: number[] } {
  const src: number[] = [], dst: number[] = [];
  let last: boolean | undefined;
  shape.forEach((d, i) => {
    if (d === 1) return; // an axis of 1 is both: it merges with anything
    if (reduced[i] === last) {
      src[src.length - 1] *= d;
      if (!last) dst[dst.length - 1] *= d;
    } else {
      src.push(d);
      dst.push(reduced[i] ? 1 : d);
      last = reduced[i];
    }
  });
  if (src.length === 0) return { src: [1], dst: [1] };
  return { src, dst };
}

/** oneDNN sums and means on the wasm heap; see the module doc. */
export class NativeReductions extends NativeKernelSet {
  #rows = new Map<string, Float32Array>();

  /**
   * `Sum` (`x`; `axis`, `keepDims`).
   *
   * @param args The kernel arguments.
   * @returns The sum, or `null` when not handled.
   */
  sum(args: Args): tf.TensorInfo | null {
    return this.#reduce(args, ALG.reductionSum);
  }

  /**
   * `Mean` (`x`; `axis`, `keepDims`).
   *
   * @param args The kernel arguments.
   * @returns The mean, or `null` when not handled.
   */
  mean(args: Args): tf.TensorInfo | null {
    return this.#reduce(args, ALG.reductionMean);
  }

  /** The address of `n` ones (or `1/n`s for a mean), kept for the process. */
  #ones(n: number, mean: boolean): bigint {
    const key = `${n} ${mean}`;
    let row = this.#rows.get(key);
    if (row === undefined) {
      // an ArrayBuffer's bytes live outside the JavaScript heap and never move
      row = new Float32Array(new ArrayBuffer(4 * n)).fill(mean ? 1 / n : 1);
      this.#rows.set(key, row);
    }
    return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(row)));
  }

  #reduce(args: Args, alg: number): tf.TensorInfo | null {
    const x = args.inputs.x;
    if (!x || x.dtype !== "float32" || tf.util.sizeFromShape(x.shape) < MIN_NATIVE_ELEMENTS) {
      return null;
    }
    const axes = tf.util.parseAxisParam(args.attrs.axis as number | number[], x.shape);
    if (axes.length === 0) return null;
    const reduced = x.shape.map((_, i) => axes.includes(i));
    const { src, dst } = mergeReducedAxes(x.shape, reduced);
    if (src.length > 6) return null;
    const mean = alg === ALG.reductionMean;
    // [A, B] -> [1, B] (NHWC per-channel statistics): oneDNN has only a reference
    // reduction over outer axes, so it is a product with a row of ones (or of 1/A)
    const leading = src.length === 2 && dst[0] === 1 && dst[1] === src[1];
    const key = `${alg} ${src} ${dst}`;
    const plan = this.cache.get(key, () => {
      const dnn = this.dnn;
      const desc = new Uint8Array(OP_DESC_BYTES);
      if (leading) {
        const [a, b] = src as [number, number];
        const ones = dnn.mdStrided([1, a]), x = dnn.mdStrided([a, b]), y = dnn.mdStrided([1, b]);
        dnn.check("dnnl_matmul_desc_init", dnn.c.dnnl_matmul_desc_init(desc, ones, x, null, y));
        const pd = dnn.primitiveDesc("matmul", desc);
        return this.cache.bind(pd, [[ARG.src, ones], [ARG.weights, x], [ARG.dst, y]]);
      }
      const srcMd = dnn.mdStrided(src), dstMd = dnn.mdStrided(dst);
      dnn.check(
        "dnnl_reduction_desc_init",
        dnn.c.dnnl_reduction_desc_init(desc, alg, srcMd, dstMd, 0, 0),
      );
      const pd = dnn.primitiveDesc("reduction", desc);
      return this.cache.bind(pd, [[ARG.src, srcMd], [ARG.dst, dstMd]]);
    });
    if (plan === null) return null;
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = args.attrs.keepDims
      ? tf.backend_util.expandShapeToKeepDim(outShape, axes)
      : outShape;
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput(shape, "float32");
    const base = heapBase(backend);
    const from = tensorAddress(backend, base, x), to = tensorAddress(backend, base, out);
    this.cache.run(plan, leading ? [this.#ones(src[0]!, mean), from, to] : [from, to], {
      elements: tf.util.sizeFromShape(x.shape),
    });
    return out;
  }
}
