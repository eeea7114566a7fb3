/**
 * Native `FusedBatchNorm` (what `tf.batchNorm` runs) for tfjs's wasm
 * backend: a oneDNN batch normalisation with given statistics
 * (`use_global_stats`), scale and shift, on the wasm heap.
 *
 * `tf.batchNorm(x, mean, variance, offset, scale, ε)` is
 * `(x − mean) · scale / sqrt(variance + ε) + offset` per channel (the last
 * axis); the input is viewed as `[rows, C]`. The toolkit uses it for batch
 * normalisation and, with variance 1 and ε 0, for the fused per-channel
 * affine maps of its batch-norm gradients and mean-only normalisation. The
 * data is described as NHWC `[rows, C, 1, 1]`, for which oneDNN has a jit
 * implementation (none for 2-D data).
 *
 * float32 with per-channel (size C) statistics only, and tensors of at least
 * `MIN_NATIVE_ELEMENTS`; the rest stays with wasm.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { OP_DESC_BYTES } from "./library.ts";
import {
  ARG,
  BNORM,
  heapBase,
  NativeKernelSet,
  PROP,
  TAG,
  tensorAddress,
  type WasmBackendLike,
} from "./runtime.ts";
import { MIN_NATIVE_ELEMENTS } from "./reduce.ts";

/** The arguments of a kernel function. */
interface Args {
  inputs: Record<string, tf.TensorInfo | undefined | null>;
  backend: unknown;
  attrs: Record<string, unknown>;
}

/** oneDNN batch normalisation with given statistics; see the module doc. */
export class NativeBatchNorm extends NativeKernelSet {
  /**
   * `FusedBatchNorm` (`x`, `mean`, `variance`, optional `offset`, `scale`;
   * `varianceEpsilon`).
   *
   * @param args The kernel arguments.
   * @returns The normalised tensor, or `null` when not handled.
   */
  forward(args: Args): tf.TensorInfo | null {
    const { x, mean, variance, offset, scale } = args.inputs;
    if (!x || !mean || !variance || x.shape.length < 1) return null;
    const c = x.shape[x.shape.length - 1]!;
    const size = tf.util.sizeFromShape(x.shape);
    if (size < MIN_NATIVE_ELEMENTS || c === 0) return null;
    const stats = [mean, variance, offset, scale].filter((t) => t != null) as tf.TensorInfo[];
    if (![x, ...stats].every((t) => t.dtype === "float32")) return null;
    if (!stats.every((t) => tf.util.sizeFromShape(t.shape) === c)) return null;
    const eps = (args.attrs.varianceEpsilon as number | undefined) ?? 0.001;
    const flags = BNORM.useGlobalStats | (scale ? BNORM.useScale : 0) |
      (offset ? BNORM.useShift : 0);
    const rows = size / c;
    const plan = this.cache.get(`${rows} ${c} ${eps} ${flags}`, () => {
      const dnn = this.dnn;
      // [rows, C] as NHWC [rows, C, 1, 1]: oneDNN's jit batch norm wants 4-D data
      const data = dnn.md([rows, c, 1, 1], TAG.nhwc), channel = dnn.mdStrided([c]);
      const desc = new Uint8Array(OP_DESC_BYTES);
      dnn.check(
        "dnnl_batch_normalization_forward_desc_init",
        dnn.c.dnnl_batch_normalization_forward_desc_init(
          desc,
          PROP.forwardInference,
          data,
          eps,
          flags,
        ),
      );
      const pd = dnn.primitiveDesc("batch normalization forward", desc);
      const bound: [number, Uint8Array][] = [
        [ARG.src, data],
        [ARG.mean, channel],
        [ARG.variance, channel],
      ];
      if (scale) bound.push([ARG.scale, channel]);
      if (offset) bound.push([ARG.shift, channel]);
      bound.push([ARG.dst, data]);
      return this.cache.bind(pd, bound);
    });
    if (plan === null) return null;
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput([...x.shape], "float32");
    const base = heapBase(backend);
    const at = (t: tf.TensorInfo) => tensorAddress(backend, base, t);
    const addresses = [at(x), at(mean), at(variance)];
    if (scale) addresses.push(at(scale));
    if (offset) addresses.push(at(offset));
    addresses.push(at(out));
    this.cache.run(plan, addresses, { elements: tf.util.sizeFromShape(x.shape) });
    return out;
  }
}
