/**
 * Image resizing with Pillow's conventions, as separable matrix products:
 * each axis is resampled by a `[out, in]` weight matrix, so the operation runs
 * on every backend and is differentiable (the super-resolution task of the
 * deep image prior downsamples the network output with Lanczos inside the
 * loss).
 *
 * The weights follow Pillow's `Resample.c`: output pixel `i` is centred at
 * `(i + 0.5) * in / out` in input coordinates; the filter (bilinear triangle,
 * bicubic with a = -0.5, Lanczos with a = 3) is stretched by the downscale
 * factor when shrinking (antialiasing), cut at the image border, and the
 * taps that remain are normalised to sum 1. Nearest picks input pixel
 * `floor((i + 0.5) * in / out)`, with Pillow's rounding of exact ties.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, assertShape, formatShape } from "../core/checks.ts";

/** Interpolation methods of {@linkcode resize}. */
export type ResizeMethod = "nearest" | "bilinear" | "bicubic" | "lanczos";

const METHODS: readonly ResizeMethod[] = ["nearest", "bilinear", "bicubic", "lanczos"];

/** Options of {@linkcode resize} and {@linkcode resampleMatrix}. */
export interface ResizeOptions {
  /** Interpolation filter (default `"bicubic"`, Pillow's default). */
  method?: ResizeMethod;
  /**
   * Widen the filter by the downscale factor when shrinking, as Pillow
   * always does (default `true`). `false` samples the unwidened filter
   * (e.g. plain bilinear interpolation, as `tf.image.resizeBilinear` with
   * half-pixel centres). No effect when enlarging or for `"nearest"`.
   */
  antialias?: boolean;
}

/** Filter kernels and their support (half-width), as in Pillow. */
const FILTERS: Record<Exclude<ResizeMethod, "nearest">, [(x: number) => number, number]> = {
  bilinear: [(x) => Math.max(0, 1 - Math.abs(x)), 1],
  bicubic: [bicubic, 2],
  lanczos: [(x) => (Math.abs(x) < 3 ? sinc(x) * sinc(x / 3) : 0), 3],
};

function bicubic(x: number): number {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

const cache = new Map<string, Float32Array>();
const CACHE_LIMIT = 64;

/**
 * The `[outSize, inSize]` matrix that resamples one axis: row `i` holds the
 * weights of the input samples that make output sample `i` (each row sums
 * to 1). Computed in double precision and cached.
 *
 * @param inSize Number of input samples.
 * @param outSize Number of output samples.
 * @param options Method and antialiasing.
 * @returns The matrix as a float32 tensor owned by the caller.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { resampleMatrix } from "./resize.ts";
 * await tf.setBackend("cpu");
 * const m = resampleMatrix(4, 2, { method: "bilinear" });
 * console.log(m.shape); // [2, 4]; with antialiasing each row averages 2 pixels
 * ```
 */
export function resampleMatrix(
  inSize: number,
  outSize: number,
  options: ResizeOptions = {},
): tf.Tensor2D {
  assertNumber(inSize, "inSize", { min: 1, integer: true });
  assertNumber(outSize, "outSize", { min: 1, integer: true });
  const method = assertOneOf(options.method ?? "bicubic", METHODS, "method");
  const antialias = options.antialias ?? true;
  return tf.tensor2d(weights(inSize, outSize, method, antialias), [outSize, inSize]);
}

function weights(
  inSize: number,
  outSize: number,
  method: ResizeMethod,
  antialias: boolean,
): Float32Array {
  const key = `${method}:${antialias}:${inSize}:${outSize}`;
  let m = cache.get(key);
  if (m !== undefined) return m;
  m = new Float32Array(outSize * inSize);
  const scale = inSize / outSize;
  if (method === "nearest") {
    // Pillow accumulates the position (x += scale) in double precision, which
    // decides exact ties such as 18.5 * 20 / 37 = 10 (it picks 9); so do we.
    let x = 0.5 * scale;
    for (let i = 0; i < outSize; i++, x += scale) {
      m[i * inSize + Math.min(inSize - 1, Math.floor(x))] = 1;
    }
  } else {
    const [filter, baseSupport] = FILTERS[method];
    const stretch = antialias ? Math.max(scale, 1) : 1;
    const support = baseSupport * stretch;
    const row = new Float64Array(inSize);
    for (let i = 0; i < outSize; i++) {
      const center = (i + 0.5) * scale;
      const lo = Math.max(0, Math.trunc(center - support + 0.5));
      const hi = Math.min(inSize, Math.trunc(center + support + 0.5));
      let sum = 0;
      for (let x = lo; x < hi; x++) sum += row[x] = filter((x - center + 0.5) / stretch);
      for (let x = lo; x < hi; x++) m[i * inSize + x] = sum !== 0 ? row[x] / sum : 0;
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, m);
  return m;
}

/**
 * Resizes an image (or a batch) to `[height, width]` with Pillow's
 * conventions (see the module notes). Values are not clipped, so bicubic and
 * Lanczos may overshoot [0, 1] slightly near edges, as Pillow's float mode
 * does. Differentiable with respect to the image.
 *
 * @param image `[H, W, C]` image or `[N, H, W, C]` batch, any channels (not disposed).
 * @param size Output `[height, width]`.
 * @param options Method (default `"bicubic"`) and antialiasing (default `true`).
 * @returns The resized tensor (same rank), owned by the caller.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { resize } from "./resize.ts";
 * await tf.setBackend("cpu");
 * const image = tf.randomUniform([32, 32, 3]) as tf.Tensor3D;
 * const small = resize(image, [8, 8], { method: "lanczos" });
 * console.log(small.shape); // [8, 8, 3]
 * tf.dispose([image, small]);
 * ```
 */
export function resize<T extends tf.Tensor3D | tf.Tensor4D>(
  image: T,
  size: readonly [number, number],
  options: ResizeOptions = {},
): T {
  if (!(image instanceof tf.Tensor) || (image.rank !== 3 && image.rank !== 4)) {
    assertShape(image, [null, null, null], "image");
  }
  if (!Array.isArray(size) || size.length !== 2) {
    throw new TypeError(`size must be [height, width], got ${JSON.stringify(size)}`);
  }
  const oh = assertNumber(size[0], "size[0] (height)", { min: 1, integer: true });
  const ow = assertNumber(size[1], "size[1] (width)", { min: 1, integer: true });
  const method = assertOneOf(options.method ?? "bicubic", METHODS, "method");
  const antialias = options.antialias ?? true;
  const [n, h, w, c] = (image.rank === 4 ? image.shape : [1, ...image.shape]) as number[];
  if (h === 0 || w === 0) {
    throw new RangeError(`image must not be empty, got shape ${formatShape(image.shape)}`);
  }
  return tf.tidy(() => {
    let x = image.toFloat().reshape([n, h, w, c]);
    if (oh !== h) {
      // rows: [H, N*W*C] -> [oh, N*W*C]
      const rows = x.transpose([1, 0, 2, 3]).reshape([h, n * w * c]);
      const m = tf.tensor2d(weights(h, oh, method, antialias), [oh, h]);
      x = tf.matMul(m, rows).reshape([oh, n, w, c]).transpose([1, 0, 2, 3]);
    }
    if (ow !== w) {
      // columns: [W, N*oh*C] -> [ow, N*oh*C]
      const cols = x.transpose([2, 0, 1, 3]).reshape([w, n * oh * c]);
      const m = tf.tensor2d(weights(w, ow, method, antialias), [ow, w]);
      x = tf.matMul(m, cols).reshape([ow, n, oh, c]).transpose([1, 2, 0, 3]);
    }
    return (image.rank === 4 ? x.clone() : x.reshape([oh, ow, c])) as T;
  });
}
