/**
 * Memory-bound kernels of the wasm backend as plain loops over the tensors'
 * memory on the wasm heap: `Tile`, `ResizeNearestNeighbor` and its gradient,
 * and `MaxPoolGrad`; `Identity` without a copy; and `MaxPool` for the
 * geometries wasm's own kernel gets wrong. tfjs-backend-wasm 4.22's own versions of these are
 * element loops with per-element index arithmetic (its nearest-neighbour
 * gradient searches a window of `dy` for every pixel of `dx`); in a training
 * step of FCRN-A on 4 × 128² crops they took 34 ms of 100 (`deno run -A
 * bench/heap_kernels_bench.ts` measures them against these).
 *
 * Semantics:
 * - `Identity` shares its input's memory (one more reference), as the cpu
 *   backend's `Identity` and wasm's own `Reshape` do; wasm's own `Identity`
 *   copies it (tfjs runs it for `clone`, gradient pass-throughs and custom
 *   gradients' outputs: 214 copies per FCRN step).
 * - `Tile` copies blocks (`set`/`copyWithin`), any dtype but string.
 * - `ResizeNearestNeighbor` maps each output row and column to its source as
 *   wasm's kernel does, in float32 (`scale = in / out`, or `(in − 1) /
 *   (out − 1)` with `alignCorners`; index `floor` or `round` of `scale · (i +
 *   0.5 if halfPixelCenters)`, clamped), so its output is wasm's, bit for bit.
 * - `ResizeNearestNeighborGrad` scatter-adds `dy` through that same map: the
 *   exact adjoint of the forward kernel. For `halfPixelCenters: false` this
 *   is wasm's result bit for bit (the same sums in the same order); with
 *   `halfPixelCenters: true` wasm's gradient ignores the half-pixel offset
 *   and is not the adjoint of its own forward kernel, this one is.
 * - `MaxPoolGrad` routes each `dy` to the first maximum of its window in
 *   row-major window order (strict `>`, NaN never chosen), as TensorFlow and
 *   tfjs's cpu backend do. wasm's own kernel takes the last maximum and, as
 *   it starts its search from the smallest positive float, sends the
 *   gradient of a window whose values are all ≤ 0 to element 0 of the
 *   tensor, or nowhere when that is outside the window (harmless after a
 *   ReLU, wrong before one). tfjs's gradient of `maxPool` drops its
 *   `dimRoundingMode` (so tfjs's cpu gradient is wrong with `"ceil"`); this
 *   kernel takes the geometry whose output has `dy`'s shape, and agrees with
 *   PyTorch's `max_pool2d(ceil_mode=True)` there.
 * - `MaxPool` takes over from wasm's (XNNPACK's) only where that one
 *   corrupts memory: with a `dimRoundingMode`, which XNNPACK ignores, and a
 *   numeric pad with unequal window sides or strides, for which tfjs sizes
 *   both axes from the height's window (a tfjs quirk kept: the output shape
 *   is tfjs's). XNNPACK then writes past the output tfjs allocated.
 *
 * Each kernel hands inputs it does not handle (strings, other dtypes,
 * rank ≠ 4 images) to the kernel it replaced. The loops themselves
 * (`tileInto`, `resizeNearestInto`, ...) work on any typed arrays and are
 * exported for tests and for other backends' arrays.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The typed arrays the loops read and write. */
export type NumericArray = Float32Array | Int32Array | Uint8Array;

/**
 * Writes `x` of `shape` tiled `reps` times along each axis into `out`
 * (`tf.tile`), by copying blocks: the innermost axis row by row, then each
 * outer axis as whole blocks with `copyWithin`.
 *
 * @param x The input's values, row-major.
 * @param shape The input's shape.
 * @param reps Repetitions per axis, integers ≥ 0, one per axis.
 * @param out The output, of `Π shape[i] · reps[i]` elements.
 * @example
 * ```ts
 * import { tileInto } from "./heap_kernels.ts";
 * const out = new Float32Array(12);
 * tileInto(new Float32Array([1, 2]), [1, 2], [2, 3], out);
 * if (out.join() !== "1,2,1,2,1,2,1,2,1,2,1,2") throw new Error(out.join());
 * ```
 */
export function tileInto(
  x: NumericArray,
  shape: readonly number[],
  reps: readonly number[],
  out: NumericArray,
): void {
  const rank = shape.length;
  if (reps.length !== rank) {
    throw new RangeError(`tileInto: reps must have ${rank} entries, got ${reps.length}`);
  }
  const outShape = shape.map((d, i) => d * reps[i]);
  if (out.length !== outShape.reduce((a, b) => a * b, 1)) {
    throw new RangeError(
      `tileInto: out must hold ${outShape.join("×")} elements, got ${out.length}`,
    );
  }
  if (out.length === 0) return;
  if (rank === 0) {
    out[0] = x[0];
    return;
  }
  // inStride[i]: elements of one index step of axis i in x; block[i]: elements
  // of one index step of axis i in out (the tiled block below axis i).
  const inStride = new Array<number>(rank), block = new Array<number>(rank);
  inStride[rank - 1] = 1;
  block[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) {
    inStride[i] = inStride[i + 1] * shape[i + 1];
    block[i] = block[i + 1] * outShape[i + 1];
  }
  const fill = (axis: number, inAt: number, outAt: number): void => {
    const n = shape[axis];
    if (axis === rank - 1) {
      if (n === 1) out.fill(x[inAt], outAt, outAt + reps[axis]);
      else {
        out.set(x.subarray(inAt, inAt + n), outAt);
        for (let r = 1; r < reps[axis]; r++) out.copyWithin(outAt + r * n, outAt, outAt + n);
      }
      return;
    }
    for (let j = 0; j < n; j++) fill(axis + 1, inAt + j * inStride[axis], outAt + j * block[axis]);
    const span = n * block[axis];
    for (let r = 1; r < reps[axis]; r++) out.copyWithin(outAt + r * span, outAt, outAt + span);
  };
  fill(0, 0, 0);
}

/** Options of the nearest-neighbour resize loops (tfjs's attributes). */
export interface ResizeNearestOptions {
  /** Map the corner pixels onto each other (default `false`). */
  alignCorners?: boolean;
  /** Sample at pixel centres (default `false`). */
  halfPixelCenters?: boolean;
}

/**
 * The source index of every output index along one axis of a
 * nearest-neighbour resize from `inSize` to `outSize`, computed as
 * tfjs-backend-wasm's kernel computes it, in float32.
 *
 * @param inSize The input's length along the axis (≥ 1).
 * @param outSize The output's length along the axis (≥ 1).
 * @param options `alignCorners`, `halfPixelCenters`.
 * @returns `map[i]`: the input index output index `i` copies.
 * @example
 * ```ts
 * import { resizeNearestIndex } from "./heap_kernels.ts";
 * if (resizeNearestIndex(2, 4).join() !== "0,0,1,1") throw new Error();
 * if (resizeNearestIndex(3, 5, { alignCorners: true }).join() !== "0,1,1,2,2") throw new Error();
 * ```
 */
export function resizeNearestIndex(
  inSize: number,
  outSize: number,
  options: ResizeNearestOptions = {},
): Int32Array {
  const align = options.alignCorners === true && outSize > 1;
  const half = options.halfPixelCenters === true;
  const scale = Math.fround(align ? (inSize - 1) / (outSize - 1) : inSize / outSize);
  const map = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const at = Math.fround(scale * (half ? i + 0.5 : i));
    // C's roundf: halves away from zero (at ≥ 0 here).
    let j = Math.min(inSize - 1, align ? Math.floor(at + 0.5) : Math.floor(at));
    if (half) j = Math.max(0, j);
    map[i] = j;
  }
  return map;
}

/**
 * Nearest-neighbour resize of an NHWC batch: `out[b, i, j, c] = x[b,
 * rows[i], cols[j], c]`, copying a row whole when it repeats the one above.
 *
 * @param x The input, `[batch, h, w, c]` row-major.
 * @param shape `[batch, h, w, c]`.
 * @param size The output's `[height, width]`.
 * @param out The output, `[batch, height, width, c]`.
 * @param options `alignCorners`, `halfPixelCenters`.
 * @example
 * ```ts
 * import { resizeNearestInto } from "./heap_kernels.ts";
 * const out = new Float32Array(4);
 * resizeNearestInto(new Float32Array([5]), [1, 1, 1, 1], [2, 2], out);
 * if (out.join() !== "5,5,5,5") throw new Error();
 * ```
 */
export function resizeNearestInto(
  x: Float32Array,
  shape: readonly [number, number, number, number],
  size: readonly [number, number],
  out: Float32Array,
  options: ResizeNearestOptions = {},
): void {
  const [batch, h, w, c] = shape, [oh, ow] = size;
  const rows = resizeNearestIndex(h, oh, options), cols = resizeNearestIndex(w, ow, options);
  const rowLen = ow * c;
  for (let b = 0; b < batch; b++) {
    const inBase = b * h * w * c, outBase = b * oh * rowLen;
    for (let i = 0; i < oh; i++) {
      const o = outBase + i * rowLen;
      if (i > 0 && rows[i] === rows[i - 1]) {
        out.copyWithin(o, o - rowLen, o);
        continue;
      }
      const src = inBase + rows[i] * w * c;
      for (let j = 0; j < ow; j++) {
        const s = src + cols[j] * c, d = o + j * c;
        for (let k = 0; k < c; k++) out[d + k] = x[s + k];
      }
    }
  }
}

/**
 * The gradient of {@linkcode resizeNearestInto}: `dx[b, rows[i], cols[j], c]
 * += dy[b, i, j, c]`, in row-major order of `dy`.
 *
 * @param dy The output's gradient, `[batch, height, width, c]`.
 * @param dyShape `[batch, height, width, c]`.
 * @param inSize The input's `[h, w]`.
 * @param dx Receives the input's gradient, `[batch, h, w, c]` (overwritten).
 * @param options `alignCorners`, `halfPixelCenters`.
 * @example
 * ```ts
 * import { resizeNearestGradInto } from "./heap_kernels.ts";
 * const dx = new Float32Array(1);
 * resizeNearestGradInto(new Float32Array([1, 2, 3, 4]), [1, 2, 2, 1], [1, 1], dx);
 * if (dx[0] !== 10) throw new Error();
 * ```
 */
export function resizeNearestGradInto(
  dy: Float32Array,
  dyShape: readonly [number, number, number, number],
  inSize: readonly [number, number],
  dx: Float32Array,
  options: ResizeNearestOptions = {},
): void {
  const [batch, oh, ow, c] = dyShape, [h, w] = inSize;
  const rows = resizeNearestIndex(h, oh, options), cols = resizeNearestIndex(w, ow, options);
  dx.fill(0);
  let at = 0;
  for (let b = 0; b < batch; b++) {
    const base = b * h * w * c;
    for (let i = 0; i < oh; i++) {
      const row = base + rows[i] * w * c;
      for (let j = 0; j < ow; j++) {
        const d = row + cols[j] * c;
        for (let k = 0; k < c; k++) dx[d + k] += dy[at++];
      }
    }
  }
}

/** The window geometry of a 2-D pooling (fields of tfjs's `Conv2DInfo`). */
export interface PoolGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  filterHeight: number;
  filterWidth: number;
  padInfo: { top: number; left: number };
}

/**
 * The gradient of a 2-D max pooling (NHWC): each `dy` goes to the first
 * maximum of its window (row-major window order, strict `>`, positions
 * outside the image skipped), summed where windows overlap.
 *
 * @param x The pooling's input, `[batch, h, w, c]`.
 * @param dy The pooling output's gradient, `[batch, outH, outW, c]`.
 * @param g The geometry, e.g. `tf.backend_util.computePool2DInfo(...)`.
 * @param dx Receives the input's gradient, like `x` (overwritten).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { maxPoolGradInto } from "./heap_kernels.ts";
 * const g = tf.backend_util.computePool2DInfo([1, 2, 2, 1], 2, 2, 1, "valid");
 * const dx = new Float32Array(4);
 * maxPoolGradInto(new Float32Array([1, 3, 3, 2]), new Float32Array([7]), g, dx);
 * if (dx.join() !== "0,7,0,0") throw new Error(dx.join()); // the first of the two 3s
 * ```
 */
export function maxPoolGradInto(
  x: Float32Array,
  dy: Float32Array,
  g: PoolGeometry,
  dx: Float32Array,
): void {
  const { inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = g;
  const sh = g.strideHeight, sw = g.strideWidth, dh = g.dilationHeight, dw = g.dilationWidth;
  const rowStride = w * c, stepY = dh * rowStride, stepX = dw * c;
  dx.fill(0);
  let at = 0;
  for (let b = 0; b < g.batchSize; b++) {
    const base = b * h * rowStride;
    for (let i = 0; i < oh; i++) {
      const y0 = i * sh - g.padInfo.top;
      // The window's rows inside the image: fy in [fy0, fy1).
      const fy0 = firstTap(y0, dh), fy1 = endTap(y0, dh, g.filterHeight, h);
      for (let j = 0; j < ow; j++, at += c) {
        const x0 = j * sw - g.padInfo.left;
        const fx0 = firstTap(x0, dw), fx1 = endTap(x0, dw, g.filterWidth, w);
        if (fy0 >= fy1 || fx0 >= fx1) continue;
        const corner = base + y0 * rowStride + x0 * c;
        for (let k = 0; k < c; k++) {
          let best = -Infinity, where = -1;
          for (let fy = fy0; fy < fy1; fy++) {
            const row = corner + fy * stepY + k;
            for (let fx = fx0; fx < fx1; fx++) {
              const p = row + fx * stepX, v = x[p];
              if (v > best) {
                best = v;
                where = p;
              }
            }
          }
          if (where >= 0) dx[where] += dy[at + k];
        }
      }
    }
  }
}

/**
 * A 2-D max pooling (NHWC) over the windows of `g`: the largest value of
 * each window's positions inside the image (strict `>`, so NaN is never
 * chosen; `-Infinity` for a window wholly outside), as tfjs's cpu backend
 * pools. The wasm kernel uses it where XNNPACK's pooling and tfjs's geometry
 * disagree (see the module doc).
 *
 * @param x The input, `[batch, h, w, c]`.
 * @param g The geometry, e.g. `tf.backend_util.computePool2DInfo(...)`.
 * @param out Receives `[batch, outH, outW, c]`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { maxPoolInto } from "./heap_kernels.ts";
 * const g = tf.backend_util.computePool2DInfo([1, 3, 3, 1], 2, 2, 1, 0, "ceil");
 * const out = new Float32Array(4);
 * maxPoolInto(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), g, out);
 * if (out.join() !== "5,6,8,9") throw new Error(out.join());
 * ```
 */
export function maxPoolInto(x: Float32Array, g: PoolGeometry, out: Float32Array): void {
  const { inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = g;
  const rowStride = w * c, stepY = g.dilationHeight * rowStride, stepX = g.dilationWidth * c;
  let at = 0;
  for (let b = 0; b < g.batchSize; b++) {
    const base = b * h * rowStride;
    for (let i = 0; i < oh; i++) {
      const y0 = i * g.strideHeight - g.padInfo.top;
      const fy0 = firstTap(y0, g.dilationHeight),
        fy1 = endTap(y0, g.dilationHeight, g.filterHeight, h);
      for (let j = 0; j < ow; j++, at += c) {
        const x0 = j * g.strideWidth - g.padInfo.left;
        const fx0 = firstTap(x0, g.dilationWidth),
          fx1 = endTap(x0, g.dilationWidth, g.filterWidth, w);
        const corner = base + y0 * rowStride + x0 * c;
        for (let k = 0; k < c; k++) {
          let best = -Infinity;
          for (let fy = fy0; fy < fy1; fy++) {
            const row = corner + fy * stepY + k;
            for (let fx = fx0; fx < fx1; fx++) {
              const v = x[row + fx * stepX];
              if (v > best) best = v;
            }
          }
          out[at + k] = best;
        }
      }
    }
  }
}

/** The first tap of a window starting at `start` (pixels, may be < 0) that lies inside the image. */
function firstTap(start: number, dilation: number): number {
  return start >= 0 ? 0 : Math.ceil(-start / dilation);
}

/** One past the last tap of a window of `filter` taps starting at `start` inside an axis of `size`. */
function endTap(start: number, dilation: number, filter: number, size: number): number {
  return Math.min(filter, Math.ceil((size - start) / dilation));
}

/** What the heap kernels need of tfjs's wasm backend. */
interface WasmHeapBackend {
  dataIdMap: { get(dataId: object): { memoryOffset: number | null } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
  incRef(dataId: object): void;
}

type Fallback = (name: string) => tf.KernelConfig | undefined;

/** A kernel's arguments, as the heap kernels read them. */
interface HeapArgs {
  inputs: Record<string, tf.TensorInfo>;
  backend: WasmHeapBackend;
  attrs: Record<string, unknown>;
}

/**
 * The heap kernels' configs for the wasm backend; each calls
 * `fallback(kernelName)` (the kernel it replaced) for inputs it does not
 * handle. `registerWasmKernels` registers them.
 *
 * @param fallback The replaced kernel of a name.
 * @returns The kernel configs.
 */
export function heapKernelConfigs(fallback: Fallback): tf.KernelConfig[] {
  const config = (
    kernelName: string,
    run: (args: HeapArgs) => tf.TensorInfo | null,
  ): tf.KernelConfig => ({
    kernelName,
    backendName: "wasm",
    kernelFunc: (args) => {
      const out = run({
        inputs: args.inputs as Record<string, tf.TensorInfo>,
        backend: args.backend as unknown as WasmHeapBackend,
        attrs: (args.attrs ?? {}) as Record<string, unknown>,
      });
      if (out !== null) return out;
      const previous = fallback(kernelName);
      if (previous === undefined) {
        throw new Error(
          `${kernelName} on wasm: no kernel for these inputs and none to fall back to`,
        );
      }
      return previous.kernelFunc(args);
    },
  });
  return [
    config("Identity", ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      if (x.dtype === "string") return null;
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    }),
    config("Tile", ({ inputs, backend: b, attrs }) => {
      const x = inputs.x as tf.TensorInfo;
      if (x.dtype === "string" || x.dtype === "complex64") return null;
      const reps = attrs.reps as number[];
      const out = b.makeOutput(x.shape.map((d, i) => d * reps[i]), x.dtype);
      tileInto(heap(b, x), x.shape, reps, heap(b, out));
      return out;
    }),
    config("ResizeNearestNeighbor", ({ inputs, backend: b, attrs }) => {
      const x = inputs.images as tf.TensorInfo;
      if (x.dtype !== "float32" || x.shape.length !== 4) return null;
      const size = attrs.size as [number, number];
      const [n, , , c] = x.shape;
      const out = b.makeOutput([n, size[0], size[1], c], "float32");
      resizeNearestInto(
        heap(b, x) as Float32Array,
        x.shape as Shape4,
        size,
        heap(b, out) as Float32Array,
        {
          alignCorners: attrs.alignCorners as boolean,
          halfPixelCenters: attrs.halfPixelCenters as boolean,
        },
      );
      return out;
    }),
    config("ResizeNearestNeighborGrad", ({ inputs, backend: b, attrs }) => {
      const x = inputs.images as tf.TensorInfo, dy = inputs.dy as tf.TensorInfo;
      if (dy.dtype !== "float32" || x.shape.length !== 4 || dy.shape.length !== 4) return null;
      const out = b.makeOutput([...x.shape], "float32");
      resizeNearestGradInto(
        heap(b, dy) as Float32Array,
        dy.shape as Shape4,
        [x.shape[1], x.shape[2]],
        heap(b, out) as Float32Array,
        {
          alignCorners: attrs.alignCorners as boolean,
          halfPixelCenters: attrs.halfPixelCenters as boolean,
        },
      );
      return out;
    }),
    config("MaxPool", ({ inputs, backend: b, attrs }) => {
      // XNNPACK sizes its output from the padding itself: where tfjs's geometry differs
      // (a rounding mode; a numeric pad with unequal window sides or strides) it writes past
      // the output tfjs allocated. Those cases run here; the rest stay XNNPACK's.
      const x = inputs.x as tf.TensorInfo;
      const filter = pair(attrs.filterSize as number | [number, number]);
      const strides = pair(attrs.strides as number | [number, number]);
      const rounding = attrs.dimRoundingMode as "floor" | "round" | "ceil" | undefined;
      const uneven = typeof attrs.pad === "number" &&
        (filter[0] !== filter[1] || strides[0] !== strides[1]);
      if (x.dtype !== "float32" || x.shape.length !== 4 || (rounding == null && !uneven)) {
        return null;
      }
      const g = tf.backend_util.computePool2DInfo(
        x.shape as Shape4,
        filter,
        strides,
        1,
        attrs.pad as "valid" | "same" | number,
        rounding,
      );
      const out = b.makeOutput([g.batchSize, g.outHeight, g.outWidth, g.outChannels], "float32");
      maxPoolInto(heap(b, x) as Float32Array, g, heap(b, out) as Float32Array);
      return out;
    }),
    config("MaxPoolGrad", ({ inputs, backend: b, attrs }) => {
      const x = inputs.input as tf.TensorInfo, dy = inputs.dy as tf.TensorInfo;
      if (x.dtype !== "float32" || dy.dtype !== "float32" || x.shape.length !== 4) return null;
      // tfjs's gradient of maxPool drops its dimRoundingMode: take the geometry whose
      // output is dy's shape.
      const modes = [attrs.dimRoundingMode, undefined, "ceil", "round"] as const;
      const g = modes.map((mode) =>
        tf.backend_util.computePool2DInfo(
          x.shape as Shape4,
          attrs.filterSize as number | [number, number],
          attrs.strides as number | [number, number],
          1,
          attrs.pad as "valid" | "same" | number,
          mode as "floor" | "round" | "ceil" | undefined,
        )
      ).find((info) => info.outHeight === dy.shape[1] && info.outWidth === dy.shape[2]);
      if (g === undefined) {
        throw new RangeError(
          `MaxPoolGrad: dy of shape [${dy.shape}] is no pooling output of an input of shape [${x.shape}]`,
        );
      }
      const out = b.makeOutput([...x.shape], "float32");
      maxPoolGradInto(
        heap(b, x) as Float32Array,
        heap(b, dy) as Float32Array,
        g,
        heap(b, out) as Float32Array,
      );
      return out;
    }),
  ];
}

type Shape4 = [number, number, number, number];

function pair(v: number | [number, number]): [number, number] {
  return typeof v === "number" ? [v, v] : v;
}

/** A view of a tensor's memory on the heap; take it after the last `makeOutput` (the heap can grow). */
function heap(b: WasmHeapBackend, t: tf.TensorInfo): NumericArray {
  return b.typedArrayFromHeap(t) as NumericArray;
}
