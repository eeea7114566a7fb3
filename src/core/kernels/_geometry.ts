/**
 * Index bookkeeping shared by the convolution gradients: the forward
 * convolution's geometry, how the rows (or columns) of the input gradient
 * split into stride phases and are assembled, and how much to pad or crop a
 * tensor so that a plain, stride-1 convolution lines up.
 *
 * Internal: not re-exported from the module.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertShape, formatShape } from "../checks.ts";
import type { ConvGeometryOptions } from "./conv2d_grad.ts";

/** The geometry of a convolution along one spatial axis. */
export interface AxisGeometry {
  /** Input size (rows of `x`). */
  inSize: number;
  /** Output size (rows of `dy`). */
  outSize: number;
  /** Filter taps. */
  k: number;
  /** Stride. */
  stride: number;
  /** Dilation. */
  dilation: number;
  /** Zero padding before the first input row. */
  padBefore: number;
}

/**
 * One stride phase of the input gradient along an axis: the output rows
 * `u = m * stride + phase` (`u` counted from the top of the padded input) are
 * a stride-1 correlation of `dy` with the filter taps `taps` (in correlation
 * order), after padding `dy` by `padBefore` / `padAfter` (negative: crop).
 */
export interface AxisPhase {
  /** Filter tap indices, in the order the correlation visits them. */
  taps: number[];
  /** Rows of zeros before `dy` (negative: rows cropped). */
  padBefore: number;
  /** Rows of zeros after `dy` (negative: rows cropped). */
  padAfter: number;
}

/** How the input gradient along one axis is assembled from phases. */
export interface AxisPlan {
  /** One entry per stride phase (a single one when the stride is 1). */
  phases: AxisPhase[];
  /** Dilation of the phase correlations. */
  dilation: number;
  /** Rows each phase produces. */
  phaseLength: number;
  /** Rows to drop from the top of the interleaved result. */
  cropBefore: number;
}

/**
 * Plans the input gradient along one axis.
 *
 * With stride 1, the gradient is a single correlation of `dy` with the
 * flipped filter at the forward dilation. With stride `s > 1` (dilation 1,
 * as tfjs requires), output row `u` of the padded input receives the taps
 * `p ≡ u (mod s)`: `s` phases, each a correlation with the taps of its
 * residue, whose results interleave. No multiplication by inserted zeros.
 *
 * @param g The axis geometry.
 * @returns The plan.
 */
export function planInputAxis(g: AxisGeometry): AxisPlan {
  const { inSize, outSize, k, stride, dilation, padBefore } = g;
  if (stride === 1) {
    const taps = Array.from({ length: k }, (_, t) => k - 1 - t);
    return {
      phases: [{
        taps,
        padBefore: (k - 1) * dilation - padBefore,
        padAfter: inSize + padBefore - outSize,
      }],
      dilation,
      phaseLength: inSize,
      cropBefore: 0,
    };
  }
  if (dilation !== 1) {
    throw new RangeError(
      `strides and dilations cannot both exceed 1, got stride ${stride} and dilation ${dilation}`,
    );
  }
  const phaseLength = Math.ceil((padBefore + inSize) / stride);
  const phases: AxisPhase[] = [];
  for (let rho = 0; rho < stride; rho++) {
    const count = rho < k ? Math.ceil((k - rho) / stride) : 0;
    const taps = Array.from({ length: count }, (_, t) => rho + (count - 1 - t) * stride);
    phases.push({ taps, padBefore: count - 1, padAfter: phaseLength - outSize });
  }
  return { phases, dilation: 1, phaseLength, cropBefore: padBefore };
}

/**
 * Rows of the input a filter gradient reads, as padding of `x`: exactly
 * `(outSize - 1) * stride + (k - 1) * dilation + 1` rows, rounded up to a
 * multiple of the stride (so that the rows split into stride phases).
 *
 * @param g The axis geometry.
 * @returns Rows to add before and after `x` (negative: rows cropped).
 */
export function filterAxisPadding(g: AxisGeometry): [number, number] {
  const needed = (g.outSize - 1) * g.stride + (g.k - 1) * g.dilation + 1;
  const rounded = Math.ceil(needed / g.stride) * g.stride;
  return [g.padBefore, rounded - g.inSize - g.padBefore];
}

/**
 * Pads axes 1 and 2 of an NHWC tensor with zeros, cropping where a padding is
 * negative, so that the result has exactly the requested extent.
 *
 * @param t The NHWC tensor.
 * @param rows Rows to add before and after (negative: crop).
 * @param cols Columns to add before and after (negative: crop).
 * @returns A new tensor (or `t` itself when nothing changes).
 */
export function padOrCrop(
  t: tf.Tensor4D,
  rows: readonly [number, number],
  cols: readonly [number, number],
): tf.Tensor4D {
  const [b, h, w, c] = t.shape;
  let out = t;
  if (rows[0] < 0 || rows[1] < 0 || cols[0] < 0 || cols[1] < 0) {
    const top = Math.max(0, -rows[0]), left = Math.max(0, -cols[0]);
    const height = h - top - Math.max(0, -rows[1]);
    const width = w - left - Math.max(0, -cols[1]);
    out = tf.slice(out, [0, top, left, 0], [b, height, width, c]);
  }
  const pads = [
    Math.max(0, rows[0]),
    Math.max(0, rows[1]),
    Math.max(0, cols[0]),
    Math.max(0, cols[1]),
  ];
  if (pads.some((p) => p > 0)) {
    out = tf.pad(out, [[0, 0], [pads[0]!, pads[1]!], [pads[2]!, pads[3]!], [0, 0]]);
  }
  return out;
}

/**
 * Splits padding into the part a convolution can apply itself (non-negative
 * explicit padding) and a crop of the input for the negative parts.
 *
 * @param t The NHWC input.
 * @param rows Rows to add before and after (negative: crop).
 * @param cols Columns to add before and after (negative: crop).
 * @returns The cropped input and the explicit padding to pass to the convolution.
 */
export function cropForConv(
  t: tf.Tensor4D,
  rows: readonly [number, number],
  cols: readonly [number, number],
): [tf.Tensor4D, tf.backend_util.ExplicitPadding] {
  const cropped = padOrCrop(t, [Math.min(0, rows[0]), Math.min(0, rows[1])], [
    Math.min(0, cols[0]),
    Math.min(0, cols[1]),
  ]);
  return [cropped, [[0, 0], [Math.max(0, rows[0]), Math.max(0, rows[1])], [
    Math.max(0, cols[0]),
    Math.max(0, cols[1]),
  ], [0, 0]]];
}

/**
 * Interleaves stride phases into one NHWC tensor: `phases[ph][pw]` holds
 * output rows `m * sh + ph` and columns `n * sw + pw`. Concatenations and
 * reshapes only (wasm's `DepthToSpace` and `BatchToSpaceND` are element
 * loops 20-40x slower than its `Concat`).
 *
 * @param phases Phase results, `[sh][sw]`, each `[B, M, N, C]`.
 * @returns The `[B, M * sh, N * sw, C]` tensor.
 */
export function interleavePhases(phases: tf.Tensor4D[][]): tf.Tensor4D {
  const sh = phases.length, sw = phases[0]!.length;
  const [b, m, n, c] = phases[0]![0]!.shape;
  // [B, M, N, (pw, C)] is [B, M, (N, pw), C]; then [B, M, (ph, W), C] is [B, (M, ph), W, C]
  const rows = phases.map((row) =>
    sw === 1 ? row[0]! : tf.reshape(tf.concat(row, 3), [b, m, n * sw, c])
  );
  return sh === 1
    ? rows[0]! as tf.Tensor4D
    : tf.reshape(tf.concat(rows, 2), [b, m * sh, n * sw, c]);
}

/**
 * The input pixels each filter tap meets, one window per tap: for tap
 * `(p, q)`, `window[b, i, j, c] = padded[b, i * sh + p * dh, j * sw + q * dw, c]`
 * for `i < oh, j < ow`. Strided windows come from stride phases, split off
 * with reshapes and slices of whole channel runs (wasm's `StridedSlice` is
 * ~50x slower than its `Slice`).
 *
 * @param padded The NHWC input, padded by {@linkcode filterAxisPadding}.
 * @param info The forward convolution.
 * @param layout `"NHWC"`, or `"CNHW"` for windows transposed to
 *   `[C, B, oh, ow]` (an `[C, N]` matrix each).
 * @returns `windows[p][q]`.
 */
export function tapWindows(
  padded: tf.Tensor4D,
  info: tf.backend_util.Conv2DInfo,
  layout: "NHWC" | "CNHW",
): tf.Tensor4D[][] {
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: kh, filterWidth: kw, dilationHeight: dh, dilationWidth: dw } = info;
  const [b, h, w, c] = padded.shape;
  const [ra, ca] = layout === "NHWC" ? [1, 2] : [2, 3];
  const arrange = (t: tf.Tensor4D) =>
    layout === "NHWC" ? t : tf.transpose(t, [3, 0, 1, 2]) as tf.Tensor4D;
  const window = (t: tf.Tensor4D, r0: number, c0: number) => {
    const begin = [0, 0, 0, 0], size = [...t.shape];
    begin[ra] = r0, begin[ca] = c0, size[ra] = oh, size[ca] = ow;
    return tf.slice(t, begin, size);
  };
  if (sh === 1 && sw === 1) {
    const all = arrange(padded);
    return Array.from(
      { length: kh },
      (_, p) => Array.from({ length: kw }, (_, q) => window(all, p * dh, q * dw)),
    );
  }
  // phase (ρ, σ): rows ρ::sh, columns σ::sw, as [B, hq, wq, C]
  const hq = h / sh, wq = w / sw;
  const split = tf.reshape(padded, [b * hq, sh, wq, sw * c]);
  const phases = new Map<number, tf.Tensor4D>();
  const phase = (rho: number, sigma: number) => {
    const key = rho * sw + sigma;
    let t = phases.get(key);
    if (t === undefined) {
      const picked = tf.slice(split, [0, rho, 0, sigma * c], [b * hq, 1, wq, c]);
      t = arrange(tf.reshape(picked, [b, hq, wq, c]));
      phases.set(key, t);
    }
    return t;
  };
  return Array.from({ length: kh }, (_, p) =>
    Array.from({ length: kw }, (_, q) => {
      const r = p * dh, col = q * dw;
      return window(phase(r % sh, col % sw), Math.floor(r / sh), Math.floor(col / sw));
    }));
}

/**
 * The forward convolution's geometry, checked against the gradient's shape.
 *
 * @param inputShape Forward input shape.
 * @param filterShape Forward filter shape.
 * @param options The convolution.
 * @param depthwise Whether the filter is depthwise (`[kh, kw, C, multiplier]`).
 * @returns The tfjs convolution info.
 */
export function convInfo(
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  options: ConvGeometryOptions,
  depthwise = false,
): tf.backend_util.Conv2DInfo {
  for (const [name, shape] of [["inputShape", inputShape], ["filterShape", filterShape]] as const) {
    if (
      !Array.isArray(shape) || shape.length !== 4 ||
      !shape.every((d) => Number.isInteger(d) && d > 0)
    ) {
      throw new RangeError(`${name} must be 4 positive integers, got ${JSON.stringify(shape)}`);
    }
  }
  const strides = options.strides ?? 1, dilations = options.dilations ?? 1;
  if (!tf.backend_util.eitherStridesOrDilationsAreOne(strides, dilations)) {
    throw new RangeError(
      `strides or dilations must be 1, got strides ${JSON.stringify(strides)} and dilations ${
        JSON.stringify(dilations)
      }`,
    );
  }
  return tf.backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    strides,
    dilations,
    options.pad,
    options.dimRoundingMode,
    depthwise,
    "channelsLast",
  );
}

/**
 * The row and column geometry of a convolution.
 *
 * @param info The tfjs convolution info.
 * @returns Geometry of the rows and of the columns.
 */
export function axes(info: tf.backend_util.Conv2DInfo): [AxisGeometry, AxisGeometry] {
  return [
    {
      inSize: info.inHeight,
      outSize: info.outHeight,
      k: info.filterHeight,
      stride: info.strideHeight,
      dilation: info.dilationHeight,
      padBefore: info.padInfo.top,
    },
    {
      inSize: info.inWidth,
      outSize: info.outWidth,
      k: info.filterWidth,
      stride: info.strideWidth,
      dilation: info.dilationWidth,
      padBefore: info.padInfo.left,
    },
  ];
}

/**
 * Selects filter taps along one axis, in the given order.
 *
 * @param w The filter.
 * @param axis 0 (rows) or 1 (columns).
 * @param taps Tap indices in the wanted order.
 * @returns The selected taps.
 */
export function selectTaps(w: tf.Tensor4D, axis: 0 | 1, taps: readonly number[]): tf.Tensor4D {
  const k = w.shape[axis];
  if (taps.length === k && taps.every((t, i) => t === i)) return w;
  // slices and a concat: wasm's Reverse and GatherV2 are element loops
  const parts = taps.map((t) => {
    const begin = [0, 0, 0, 0], size = [...w.shape];
    begin[axis] = t, size[axis] = 1;
    return tf.slice(w, begin, size);
  });
  return parts.length === 1 ? parts[0]! : tf.concat(parts, axis);
}

/**
 * Runs the phases of an input gradient and assembles them.
 *
 * @param dy The output gradient `[B, oh, ow, C']`.
 * @param info The forward convolution.
 * @param channels Channels of the input gradient.
 * @param phase Computes one phase from the (cropped) `dy`, its explicit
 *   padding, the row taps, the column taps and the dilations.
 * @returns The input gradient `[B, H, W, channels]`.
 */
export function assembleInputGrad(
  dy: tf.Tensor4D,
  info: tf.backend_util.Conv2DInfo,
  channels: number,
  phase: (
    dy: tf.Tensor4D,
    pad: tf.backend_util.ExplicitPadding,
    rowTaps: number[],
    colTaps: number[],
    dilations: [number, number],
  ) => tf.Tensor4D,
): tf.Tensor4D {
  const [rowGeom, colGeom] = axes(info);
  const rows = planInputAxis(rowGeom), cols = planInputAxis(colGeom);
  const batch = dy.shape[0];
  const grid = rows.phases.map((ph) =>
    cols.phases.map((pw) => {
      if (ph.taps.length === 0 || pw.taps.length === 0) {
        return tf.zeros([batch, rows.phaseLength, cols.phaseLength, channels]) as tf.Tensor4D;
      }
      const [input, pad] = cropForConv(dy, [ph.padBefore, ph.padAfter], [
        pw.padBefore,
        pw.padAfter,
      ]);
      return phase(input, pad, ph.taps, pw.taps, [rows.dilation, cols.dilation]);
    })
  );
  const full = grid.length === 1 && grid[0]!.length === 1 ? grid[0]![0]! : interleavePhases(grid);
  const [, fh, fw] = full.shape;
  const { inHeight, inWidth } = info;
  if (rows.cropBefore === 0 && cols.cropBefore === 0 && fh === inHeight && fw === inWidth) {
    return full;
  }
  return tf.slice(full, [0, rows.cropBefore, cols.cropBefore, 0], [
    batch,
    inHeight,
    inWidth,
    channels,
  ]);
}

/**
 * Checks that `dy` has the forward output's shape.
 *
 * @param dy The output gradient.
 * @param info The forward convolution.
 */
export function checkDy(dy: tf.Tensor, info: tf.backend_util.Conv2DInfo): void {
  assertShape(dy, [null, null, null, null], "dy");
  if (!tf.util.arraysEqual(dy.shape, info.outShape)) {
    throw new RangeError(
      `dy must have the convolution's output shape ${formatShape(info.outShape)}, got ${
        formatShape(dy.shape)
      }`,
    );
  }
}
