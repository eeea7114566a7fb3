/**
 * Native convolutions for tfjs's wasm backend: `Conv2D`, `FusedConv2D`,
 * `Conv2DBackpropInput`, `Conv2DBackpropFilter`, `DepthwiseConv2dNative`,
 * `FusedDepthwiseConv2D` and the two depthwise gradients, as oneDNN
 * convolution primitives reading and writing the wasm heap in place.
 *
 * - Activations stay NHWC (oneDNN's `nhwc` tag); the filter's layout is left
 *   to oneDNN (`any`) and the tfjs filter (`HWIO`, or `[kh, kw, C, M]` for
 *   depthwise, a grouped convolution with `C` groups) is reordered into it,
 *   once per filter tensor (see `weight_cache.ts`). With plain `HWIO`
 *   filters oneDNN falls back to im2col + GEMM, 3–7× slower.
 * - Primitives are cached by shape signature: input shape, filter shape,
 *   strides, dilations, padding and fused activation.
 * - Strides, dilations, `"same"`, `"valid"` and explicit (or numeric)
 *   padding, any batch; the right/bottom padding handed to oneDNN is the
 *   smallest non-negative one that yields tfjs's output size (for
 *   `dimRoundingMode` as well).
 * - Each kernel returns `null` for what it does not handle (NCHW, other
 *   dtypes, PReLU fusion, empty tensors, a shape for which oneDNN only has
 *   its slow reference implementation, and the filter gradient of a strided
 *   1×1 convolution, which oneDNN 2.6 computes out of bounds); the
 *   registration then runs the kernel it replaced.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { OP_DESC_BYTES } from "./library.ts";
import {
  ALG,
  ARG,
  dims,
  heapBase,
  type Memory,
  type OneDnn,
  OneDnnError,
  type Primitive,
  PROP,
  QUERY,
  TAG,
  type WasmBackendLike,
} from "./runtime.ts";
import { WeightCache } from "./weight_cache.ts";

/** A convolution as oneDNN describes it. */
export interface ConvGeometry {
  /** Batch. */
  n: number;
  /** Input rows, columns, channels. */
  ih: number;
  iw: number;
  ic: number;
  /** Output rows, columns, channels. */
  oh: number;
  ow: number;
  oc: number;
  /** Filter rows and columns. */
  kh: number;
  kw: number;
  /** Groups: 1, or the input channels for a depthwise convolution. */
  groups: number;
  /** Strides `[rows, cols]`. */
  strides: [number, number];
  /** oneDNN dilations (tfjs's minus one). */
  dilates: [number, number];
  /** Padding before `[top, left]`. */
  padL: [number, number];
  /** Padding after `[bottom, right]` (never negative). */
  padR: [number, number];
}

/**
 * The oneDNN geometry of a tfjs convolution, or `null` if oneDNN cannot
 * express it.
 *
 * @param info tfjs's convolution info (`channelsLast`).
 * @param depthwise Whether the filter is depthwise.
 * @returns The geometry.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { convGeometry } from "./conv.ts";
 * const info = tf.backend_util.computeConv2DInfo([1, 8, 8, 3], [3, 3, 3, 4], 2, 1, "valid");
 * // rows 0..6 are read and row 7 is not: no padding after (rather than -1)
 * if (convGeometry(info, false)?.padR.join() !== "0,0") throw new Error();
 * ```
 */
export function convGeometry(
  info: tf.backend_util.Conv2DInfo,
  depthwise: boolean,
): ConvGeometry | null {
  const { batchSize: n, inHeight: ih, inWidth: iw, inChannels: ic } = info;
  const { outHeight: oh, outWidth: ow, outChannels: oc } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  if ([n, ih, iw, ic, oh, ow, oc, kh, kw].some((d) => !(d > 0))) return null;
  const padL: [number, number] = [padInfo.top, padInfo.left];
  // The padding after that makes oneDNN's output size tfjs's: the last window ends at the
  // last row it reads. When that leaves input rows unread (a negative value, down to
  // 1 - stride), any value up to stride - 1 more gives the same output size and the same
  // numbers, and 0 is used: oneDNN's backward-weights kernels write out of bounds
  // with a negative padding (a 1x1 stride-2 "same" convolution corrupted the heap).
  const after = (o: number, s: number, k: number, d: number, i: number, before: number) =>
    (o - 1) * s + (k - 1) * d + 1 - i - before;
  const rawR = [after(oh, sh, kh, dh, ih, padInfo.top), after(ow, sw, kw, dw, iw, padInfo.left)];
  if (padL[0] < 0 || padL[1] < 0 || rawR[0]! <= -sh || rawR[1]! <= -sw) return null;
  const padR: [number, number] = [Math.max(0, rawR[0]!), Math.max(0, rawR[1]!)];
  return {
    n,
    ih,
    iw,
    ic,
    oh,
    ow,
    oc,
    kh,
    kw,
    groups: depthwise ? ic : 1,
    strides: [sh, sw],
    dilates: [dh - 1, dw - 1],
    padL,
    padR,
  };
}

/** Activations tfjs fuses into a convolution. */
export type FusedActivation =
  | "linear"
  | "relu"
  | "relu6"
  | "leakyrelu"
  | "elu"
  | "sigmoid"
  | "prelu";

/** oneDNN eltwise post-op `[alg, alpha, beta]` of a tfjs activation, or `null` if none fits. */
function postOp(activation: FusedActivation, leakyAlpha: number): [number, number, number] | null {
  switch (activation) {
    case "relu":
      return [ALG.eltwiseRelu, 0, 0];
    case "leakyrelu":
      return [ALG.eltwiseRelu, leakyAlpha, 0];
    case "relu6":
      return [ALG.eltwiseClip, 0, 6];
    case "elu":
      return [ALG.eltwiseElu, 1, 0];
    case "sigmoid":
      return [ALG.eltwiseLogistic, 0, 0];
    default:
      return null;
  }
}

/** A filter argument: the tfjs layout, and oneDNN's if it differs. */
interface FilterSlot {
  /** The tfjs layout, pointed at the tensor per call. */
  user: Memory;
  /** oneDNN's layout (when it is not the user's). */
  md: Uint8Array;
  /** Whether the layouts are the same (no reorder). */
  direct: boolean;
  /** Index of `md` among the layouts seen (the weight cache key). */
  layout: number;
  /** tfjs layout → oneDNN's (or, for a filter gradient, back). */
  reorder?: Primitive;
}

interface ForwardPlan {
  prim: Primitive;
  src: Memory;
  dst: Memory;
  bias?: Memory;
  filter: FilterSlot;
}

interface BackwardDataPlan {
  prim: Primitive;
  diffDst: Memory;
  diffSrc: Memory;
  filter: FilterSlot;
}

interface BackwardFilterPlan {
  prim: Primitive;
  src: Memory;
  diffDst: Memory;
  /** Where oneDNN writes the gradient (its layout), when not direct. */
  diffWeights?: Memory;
  filter: FilterSlot;
}

/** The tensors a kernel receives. */
type Info = tf.TensorInfo;

/** Attributes of tfjs's convolution kernels. */
export interface ConvKernelAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: "same" | "valid" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
  dataFormat?: "NHWC" | "NCHW";
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
  activation?: FusedActivation;
  leakyreluAlpha?: number;
}

/** The arguments of a kernel function. */
export interface KernelArgs {
  inputs: Record<string, Info | undefined>;
  backend: unknown;
  attrs: ConvKernelAttrs;
}

/** What the convolutions did, for tests and `deno task info`. */
export interface ConvStats {
  /** Primitives built (per shape signature and direction). */
  primitives: number;
  /** Signatures oneDNN has only a reference implementation for (left to wasm). */
  declined: number;
  /** Implementations chosen, by name, e.g. `{"jit:avx512_core": 12}`. */
  implementations: Record<string, number>;
  /** Filter reorders answered from the cache. */
  cacheHits: number;
  /** Filter reorders done. */
  cacheMisses: number;
  /** Reordered filters held. */
  cachedFilters: number;
  /** Kernel calls oneDNN computed. */
  runs: number;
}

/** oneDNN convolutions on the wasm heap; see the module doc. */
export class NativeConvolutions {
  #dnn: OneDnn;
  #plans = new Map<string, ForwardPlan | BackwardDataPlan | BackwardFilterPlan | null>();
  #hints = new Map<string, Deno.PointerObject>();
  #layouts: Uint8Array[] = [];
  #cache: WeightCache<Memory>;
  #backend: WasmBackendLike | undefined;
  #declined = 0;
  #runs = 0;
  #impls: Record<string, number> = {};

  /**
   * @param dnn The oneDNN engine and stream.
   */
  constructor(dnn: OneDnn) {
    this.#dnn = dnn;
    this.#cache = new WeightCache<Memory>({ free: (m) => dnn.destroyMemory(m) });
  }

  /** What has been built and cached. */
  get stats(): ConvStats {
    return {
      primitives: [...this.#plans.values()].filter((p) => p !== null).length,
      declined: this.#declined,
      implementations: { ...this.#impls },
      cacheHits: this.#cache.hits,
      cacheMisses: this.#cache.misses,
      cachedFilters: this.#cache.size,
      runs: this.#runs,
    };
  }

  /**
   * Drops every primitive (after a change of thread count: oneDNN plans its
   * work split when it builds a primitive) and every cached filter.
   */
  reset(): void {
    for (const plan of this.#plans.values()) {
      if (plan === null) continue;
      this.#dnn.destroyPrimitive(plan.prim);
      if (plan.filter.reorder) this.#dnn.destroyPrimitive(plan.filter.reorder);
      const mems = [plan.filter.user, ...Object.values(plan).filter(isMemory)];
      for (const m of mems) this.#dnn.destroyMemory(m);
    }
    for (const pd of this.#hints.values()) this.#dnn.c.dnnl_primitive_desc_destroy(pd);
    this.#plans.clear();
    this.#hints.clear();
    this.#cache.clear();
  }

  /**
   * Forgets the cached copies of a filter whose storage was freed.
   *
   * @param id The storage id.
   */
  forget(id: number): void {
    this.#cache.forget(id);
  }

  /**
   * `Conv2D` / `FusedConv2D` (`x`, `filter`, optional `bias`).
   *
   * @param args The kernel arguments.
   * @returns The output, or `null` when not handled.
   */
  forward(args: KernelArgs): Info | null {
    return this.#forward(args, false);
  }

  /**
   * `DepthwiseConv2dNative` / `FusedDepthwiseConv2D`.
   *
   * @param args The kernel arguments.
   * @returns The output, or `null` when not handled.
   */
  depthwiseForward(args: KernelArgs): Info | null {
    return this.#forward(args, true);
  }

  /**
   * `Conv2DBackpropInput` (`dy`, `filter`; `inputShape`).
   *
   * @param args The kernel arguments.
   * @returns The input gradient, or `null` when not handled.
   */
  backwardData(args: KernelArgs): Info | null {
    return this.#backwardData(args, false);
  }

  /**
   * `DepthwiseConv2dNativeBackpropInput`.
   *
   * @param args The kernel arguments.
   * @returns The input gradient, or `null` when not handled.
   */
  depthwiseBackwardData(args: KernelArgs): Info | null {
    return this.#backwardData(args, true);
  }

  /**
   * `Conv2DBackpropFilter` (`x`, `dy`; `filterShape`).
   *
   * @param args The kernel arguments.
   * @returns The filter gradient, or `null` when not handled.
   */
  backwardFilter(args: KernelArgs): Info | null {
    return this.#backwardFilter(args, false);
  }

  /**
   * `DepthwiseConv2dNativeBackpropFilter`.
   *
   * @param args The kernel arguments.
   * @returns The filter gradient, or `null` when not handled.
   */
  depthwiseBackwardFilter(args: KernelArgs): Info | null {
    return this.#backwardFilter(args, true);
  }

  // ------------------------------------------------------------------ kernels

  #forward(args: KernelArgs, depthwise: boolean): Info | null {
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const a = args.attrs;
    if (!x || !filter || !float32(x, filter, bias) || !nhwc(a)) return null;
    if (preluActivationWeights !== undefined && preluActivationWeights !== null) return null;
    const activation = a.activation ?? "linear";
    const post = activation === "linear" ? undefined : postOp(activation, a.leakyreluAlpha ?? 0.2);
    if (post === null) return null;
    const g = this.#geometry(x.shape, filter.shape, a, depthwise);
    if (g === null || (bias && tf.util.sizeFromShape(bias.shape) !== g.oc)) return null;
    const key = `fwd ${signature(g)} ${post?.join(",") ?? ""} ${bias ? "b" : ""}`;
    const plan = this.#plan(key, () => this.#forwardPlan(g, post, bias !== undefined)) as
      | ForwardPlan
      | null;
    if (plan === null) return null;
    const backend = this.#use(args.backend);
    const out = backend.makeOutput([g.n, g.oh, g.ow, g.oc], "float32");
    const base = heapBase(backend);
    const dnn = this.#dnn;
    dnn.setHandle(plan.src, address(backend, base, x));
    dnn.setHandle(plan.dst, address(backend, base, out));
    const run: [number, Memory][] = [
      [ARG.src, plan.src],
      [ARG.weights, this.#filter(plan.filter, backend, base, filter)],
      [ARG.dst, plan.dst],
    ];
    if (bias && plan.bias) {
      dnn.setHandle(plan.bias, address(backend, base, bias));
      run.push([ARG.bias, plan.bias]);
    }
    dnn.execute(plan.prim, run);
    this.#runs++;
    return out;
  }

  #backwardData(args: KernelArgs, depthwise: boolean): Info | null {
    const { dy, filter } = args.inputs;
    const a = args.attrs;
    if (!dy || !filter || !a.inputShape || !float32(dy, filter) || !nhwc(a)) return null;
    const g = this.#geometry(a.inputShape, filter.shape, a, depthwise);
    if (g === null || !sameShape(dy.shape, [g.n, g.oh, g.ow, g.oc])) return null;
    const plan = this.#plan(`bwd-data ${signature(g)}`, () => this.#backwardDataPlan(g)) as
      | BackwardDataPlan
      | null;
    if (plan === null) return null;
    const backend = this.#use(args.backend);
    const out = backend.makeOutput([g.n, g.ih, g.iw, g.ic], "float32");
    const base = heapBase(backend);
    this.#dnn.setHandle(plan.diffDst, address(backend, base, dy));
    this.#dnn.setHandle(plan.diffSrc, address(backend, base, out));
    this.#dnn.execute(plan.prim, [
      [ARG.diffDst, plan.diffDst],
      [ARG.weights, this.#filter(plan.filter, backend, base, filter)],
      [ARG.diffSrc, plan.diffSrc],
    ]);
    this.#runs++;
    return out;
  }

  #backwardFilter(args: KernelArgs, depthwise: boolean): Info | null {
    const { x, dy } = args.inputs;
    const a = args.attrs;
    if (!x || !dy || !a.filterShape || !float32(x, dy) || !nhwc(a)) return null;
    const g = this.#geometry(x.shape, a.filterShape, a, depthwise);
    if (g === null || !sameShape(dy.shape, [g.n, g.oh, g.ow, g.oc])) return null;
    // oneDNN 2.6's jit_1x1 backward-weights kernel corrupts the C heap for strided 1×1
    // filters (its reduce-to-unit-stride buffer; seen with 3 and 8 input channels):
    // those stay with the wasm kernel (itself made of native forward convolutions)
    if (g.kh === 1 && g.kw === 1 && (g.strides[0] > 1 || g.strides[1] > 1)) return null;
    const plan = this.#plan(`bwd-filter ${signature(g)}`, () => this.#backwardFilterPlan(g)) as
      | BackwardFilterPlan
      | null;
    if (plan === null) return null;
    const backend = this.#use(args.backend);
    const out = backend.makeOutput([...a.filterShape], "float32");
    const base = heapBase(backend);
    const dnn = this.#dnn;
    dnn.setHandle(plan.src, address(backend, base, x));
    dnn.setHandle(plan.diffDst, address(backend, base, dy));
    dnn.setHandle(plan.filter.user, address(backend, base, out));
    const target = plan.diffWeights ?? plan.filter.user;
    dnn.execute(plan.prim, [
      [ARG.src, plan.src],
      [ARG.diffDst, plan.diffDst],
      [ARG.diffWeights, target],
    ]);
    if (plan.filter.reorder) {
      dnn.execute(plan.filter.reorder, [[ARG.src, target], [ARG.dst, plan.filter.user]]);
    }
    this.#runs++;
    return out;
  }

  // -------------------------------------------------------------------- plans

  #geometry(
    xShape: number[],
    filterShape: number[],
    a: ConvKernelAttrs,
    depthwise: boolean,
  ): ConvGeometry | null {
    if (xShape.length !== 4 || filterShape.length !== 4) return null;
    const dilations = a.dilations ?? 1;
    if (!tf.backend_util.eitherStridesOrDilationsAreOne(a.strides, dilations)) return null;
    let info: tf.backend_util.Conv2DInfo;
    try {
      info = tf.backend_util.computeConv2DInfo(
        xShape as [number, number, number, number],
        filterShape as [number, number, number, number],
        a.strides,
        dilations,
        a.pad,
        a.dimRoundingMode,
        depthwise,
        "channelsLast",
      );
    } catch {
      return null;
    }
    return convGeometry(info, depthwise);
  }

  #plan<T>(key: string, build: () => T | null): T | null {
    if (this.#plans.has(key)) return this.#plans.get(key) as T | null;
    let plan: T | null;
    try {
      plan = build();
    } catch (e) {
      // a signature oneDNN cannot build (unimplemented, invalid): left to the wasm kernel
      if (!(e instanceof OneDnnError)) throw e;
      plan = null;
    }
    this.#plans.set(key, plan as ForwardPlan | null);
    if (plan === null) this.#declined++;
    return plan;
  }

  #mds(g: ConvGeometry) {
    const dnn = this.#dnn;
    const weights = g.groups === 1
      ? [g.oc, g.ic, g.kh, g.kw]
      : [g.groups, g.oc / g.groups, g.ic / g.groups, g.kh, g.kw];
    return {
      src: dnn.md([g.n, g.ic, g.ih, g.iw], TAG.nhwc),
      dst: dnn.md([g.n, g.oc, g.oh, g.ow], TAG.nhwc),
      weightsAny: dnn.md(weights, TAG.any),
      weightsUser: dnn.md(weights, g.groups === 1 ? TAG.hwio : TAG.hwigo),
      strides: dims(g.strides),
      dilates: dims(g.dilates),
      padL: dims(g.padL),
      padR: dims(g.padR),
    };
  }

  /** The forward primitive descriptor of a geometry (the hint of the backward ones). */
  #forwardDesc(
    g: ConvGeometry,
    post?: [number, number, number],
    bias = false,
  ): Deno.PointerObject {
    const dnn = this.#dnn, c = dnn.c;
    const m = this.#mds(g);
    const desc = new Uint8Array(OP_DESC_BYTES);
    const biasMd = bias ? dnn.md([g.oc], TAG.a) : null;
    dnn.check(
      "dnnl_dilated_convolution_forward_desc_init",
      c.dnnl_dilated_convolution_forward_desc_init(
        desc,
        PROP.forwardTraining,
        ALG.convolutionDirect,
        m.src,
        m.weightsAny,
        biasMd,
        m.dst,
        m.strides,
        m.dilates,
        m.padL,
        m.padR,
      ),
    );
    if (post === undefined) return dnn.primitiveDesc("convolution forward", desc);
    const out = new BigUint64Array(1);
    dnn.check("dnnl_post_ops_create", c.dnnl_post_ops_create(out));
    const ops = Deno.UnsafePointer.create(out[0]!);
    dnn.check("dnnl_primitive_attr_create", c.dnnl_primitive_attr_create(out));
    const attr = Deno.UnsafePointer.create(out[0]!);
    try {
      dnn.check("dnnl_post_ops_append_eltwise", c.dnnl_post_ops_append_eltwise(ops, 1, ...post));
      dnn.check("dnnl_primitive_attr_set_post_ops", c.dnnl_primitive_attr_set_post_ops(attr, ops));
      return dnn.primitiveDesc("convolution forward", desc, attr);
    } finally {
      c.dnnl_primitive_attr_destroy(attr);
      c.dnnl_post_ops_destroy(ops);
    }
  }

  #hint(g: ConvGeometry): Deno.PointerObject {
    const key = signature(g);
    let pd = this.#hints.get(key);
    if (pd === undefined) this.#hints.set(key, pd = this.#forwardDesc(g));
    return pd;
  }

  /** Makes a primitive, or `null` (and frees the descriptor) for a reference implementation. */
  #primitive(pd: Deno.PointerObject): Primitive | null {
    const prim = this.#dnn.primitive(pd);
    if (prim.impl.startsWith("ref")) {
      this.#dnn.destroyPrimitive(prim);
      return null;
    }
    this.#impls[prim.impl] = (this.#impls[prim.impl] ?? 0) + 1;
    return prim;
  }

  #filterSlot(
    pd: Deno.PointerObject,
    query: number,
    user: Uint8Array,
    toUser: boolean,
  ): FilterSlot {
    const dnn = this.#dnn;
    const md = dnn.queryMd(pd, query);
    const direct = dnn.mdEqual(md, user);
    let layout = this.#layouts.findIndex((l) => dnn.mdEqual(l, md));
    if (layout < 0) layout = this.#layouts.push(md) - 1;
    return {
      user: dnn.memory(user),
      md,
      direct,
      layout,
      reorder: direct ? undefined : toUser ? dnn.reorder(md, user) : dnn.reorder(user, md),
    };
  }

  #forwardPlan(g: ConvGeometry, post: [number, number, number] | undefined, bias: boolean) {
    const pd = this.#forwardDesc(g, post, bias);
    const prim = this.#primitive(pd);
    if (prim === null) return null;
    const m = this.#mds(g), dnn = this.#dnn;
    return {
      prim,
      src: dnn.memory(m.src),
      dst: dnn.memory(m.dst),
      bias: bias ? dnn.memory(dnn.md([g.oc], TAG.a)) : undefined,
      filter: this.#filterSlot(pd, QUERY.weights, m.weightsUser, false),
    } satisfies ForwardPlan;
  }

  #backwardDataPlan(g: ConvGeometry): BackwardDataPlan | null {
    const dnn = this.#dnn, m = this.#mds(g);
    const desc = new Uint8Array(OP_DESC_BYTES);
    dnn.check(
      "dnnl_dilated_convolution_backward_data_desc_init",
      dnn.c.dnnl_dilated_convolution_backward_data_desc_init(
        desc,
        ALG.convolutionDirect,
        m.src,
        m.weightsAny,
        m.dst,
        m.strides,
        m.dilates,
        m.padL,
        m.padR,
      ),
    );
    const pd = dnn.primitiveDesc("convolution backward data", desc, null, this.#hint(g));
    const prim = this.#primitive(pd);
    if (prim === null) return null;
    return {
      prim,
      diffDst: dnn.memory(m.dst),
      diffSrc: dnn.memory(m.src),
      filter: this.#filterSlot(pd, QUERY.weights, m.weightsUser, false),
    };
  }

  #backwardFilterPlan(g: ConvGeometry): BackwardFilterPlan | null {
    const dnn = this.#dnn, m = this.#mds(g);
    const desc = new Uint8Array(OP_DESC_BYTES);
    dnn.check(
      "dnnl_dilated_convolution_backward_weights_desc_init",
      dnn.c.dnnl_dilated_convolution_backward_weights_desc_init(
        desc,
        ALG.convolutionDirect,
        m.src,
        m.weightsAny,
        null,
        m.dst,
        m.strides,
        m.dilates,
        m.padL,
        m.padR,
      ),
    );
    const pd = dnn.primitiveDesc("convolution backward weights", desc, null, this.#hint(g));
    const prim = this.#primitive(pd);
    if (prim === null) return null;
    const filter = this.#filterSlot(pd, QUERY.diffWeights, m.weightsUser, true);
    return {
      prim,
      src: dnn.memory(m.src),
      diffDst: dnn.memory(m.dst),
      diffWeights: filter.direct ? undefined : dnn.memory(filter.md, "allocate"),
      filter,
    };
  }

  // ------------------------------------------------------------------ filters

  #use(backend: unknown): WasmBackendLike {
    const b = backend as WasmBackendLike;
    if (this.#backend !== b) {
      // storage ids restart with a new backend instance: old copies could be mistaken
      this.#cache.clear();
      this.#backend = b;
    }
    return b;
  }

  #filter(slot: FilterSlot, backend: WasmBackendLike, base: bigint, filter: Info): Memory {
    const record = backend.dataIdMap.get(filter.dataId)!;
    const at = base + BigInt(record.memoryOffset);
    if (slot.direct) {
      this.#dnn.setHandle(slot.user, at);
      return slot.user;
    }
    return this.#cache.get(record.id, slot.layout, () => {
      const memory = this.#dnn.memory(slot.md, "allocate");
      this.#dnn.setHandle(slot.user, at);
      this.#dnn.execute(slot.reorder!, [[ARG.src, slot.user], [ARG.dst, memory]]);
      return { memory, bytes: memory.bytes };
    });
  }
}

function isMemory(v: unknown): v is Memory {
  return typeof v === "object" && v !== null && "handle" in v && "md" in v && "bytes" in v;
}

function float32(...infos: (Info | undefined)[]): boolean {
  return infos.every((t) => t === undefined || t.dtype === "float32");
}

function nhwc(a: ConvKernelAttrs): boolean {
  return a.dataFormat === undefined || a.dataFormat === "NHWC";
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function signature(g: ConvGeometry): string {
  return [
    g.n,
    g.ih,
    g.iw,
    g.ic,
    g.oc,
    g.kh,
    g.kw,
    g.groups,
    ...g.strides,
    ...g.dilates,
    ...g.padL,
    ...g.padR,
  ].join(",");
}

function address(backend: WasmBackendLike, base: bigint, t: Info): bigint {
  return base + BigInt(backend.dataIdMap.get(t.dataId)!.memoryOffset);
}
