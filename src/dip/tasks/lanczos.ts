/**
 * The differentiable Lanczos downsampler of the deep image prior's
 * super-resolution (Ulyanov et al., `models/downsampler.py`): a fixed,
 * separable Lanczos kernel applied per channel as a strided convolution after
 * replication padding, so that an `H × W` image becomes `H/f × W/f`.
 *
 * The kernel follows the DIP's published construction. With support `a`
 * (2 for `"lanczos2"`, 3 for `"lanczos3"`) and factor `f`, it has
 * `K = 2·a·f` taps for phase 0.5 (the DIP's super-resolution setting) or
 * `2·a·f + 1` taps for phase 0. Tap `i` (0-based) sits at distance
 * `d = |i − (K − 1)/2| / f` from the centre and weighs
 * `L(d) = a·sin(πd)·sin(πd/a) / (π²d²)` (1 at d = 0); the 2-D kernel is
 * `L(dᵢ)·L(dⱼ)` divided by its sum. The image is padded by replicating its
 * border, `(K − f)/2` pixels for phase 0.5 and `(K − 1)/2` for phase 0, then
 * convolved with stride `f`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, assertShape, formatShape } from "../../core/checks.ts";

/** The DIP's Lanczos kernels: support 2 (`4f` taps) or 3 (`6f` taps) at phase 0.5. */
export type LanczosKind = "lanczos2" | "lanczos3";

/** Options of the Lanczos kernel and downsampler. */
export interface LanczosOptions {
  /** Kernel: `"lanczos2"` (support 2, the DIP's super-resolution choice) or `"lanczos3"`. Default `"lanczos2"`. */
  kernel?: LanczosKind;
  /**
   * Sampling phase: 0.5 (default, as the DIP's super-resolution) centres each
   * low-resolution pixel between high-resolution pixels and needs an even
   * factor; 0 centres it on a pixel and allows any factor.
   */
  phase?: 0 | 0.5;
}

const KINDS: readonly LanczosKind[] = ["lanczos2", "lanczos3"];

function checkOptions(
  factor: number,
  options: LanczosOptions,
): { support: number; phase: 0 | 0.5 } {
  assertNumber(factor, "factor", { min: 2, integer: true });
  const kind = assertOneOf(options.kernel ?? "lanczos2", KINDS, "kernel");
  const phase = options.phase ?? 0.5;
  if (phase !== 0 && phase !== 0.5) {
    throw new RangeError(`phase must be 0 or 0.5, got ${String(phase)}`);
  }
  if (phase === 0.5 && factor % 2 !== 0) {
    throw new RangeError(
      `factor must be even for phase 0.5 (the kernel centre falls between pixels), got ${factor}; ` +
        `use phase 0 for odd factors`,
    );
  }
  return { support: kind === "lanczos2" ? 2 : 3, phase };
}

/**
 * The 1-D Lanczos kernel whose outer product with itself is the DIP's 2-D
 * downsampling kernel (normalised to sum 1).
 *
 * @param factor Downsampling factor, an integer ≥ 2 (even for phase 0.5).
 * @param options Kernel kind and phase.
 * @returns The taps, `2·a·f` of them for phase 0.5, `2·a·f + 1` for phase 0.
 * @example
 * ```ts
 * import { lanczosKernel1d } from "./lanczos.ts";
 * const k = lanczosKernel1d(4); // 16 taps, sums to 1
 * if (k.length !== 16) throw new Error("unexpected size");
 * ```
 */
export function lanczosKernel1d(factor: number, options: LanczosOptions = {}): Float64Array {
  const { support, phase } = checkOptions(factor, options);
  const size = 2 * support * factor + (phase === 0.5 ? 0 : 1);
  const taps = new Float64Array(size);
  const centre = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const d = Math.abs(i - centre) / factor;
    taps[i] = d === 0 ? 1 : (support * Math.sin(Math.PI * d) * Math.sin((Math.PI * d) / support)) /
      (Math.PI * Math.PI * d * d);
    sum += taps[i];
  }
  for (let i = 0; i < size; i++) taps[i] /= sum;
  return taps;
}

/**
 * The DIP's 2-D Lanczos downsampling kernel (`K × K`, sums to 1).
 *
 * @param factor Downsampling factor, an integer ≥ 2 (even for phase 0.5).
 * @param options Kernel kind and phase.
 * @returns The kernel as rows of taps.
 */
export function lanczosKernel(factor: number, options: LanczosOptions = {}): number[][] {
  const k = lanczosKernel1d(factor, options);
  return Array.from(k, (a) => Array.from(k, (b) => a * b));
}

/** Replication padding of the two spatial axes of an NHWC tensor. */
function replicationPad(x: tf.Tensor4D, pad: number): tf.Tensor4D {
  if (pad === 0) return x;
  const [, h, w] = x.shape;
  const top = tf.tile(tf.slice(x, [0, 0, 0, 0], [-1, 1, -1, -1]), [1, pad, 1, 1]);
  const bottom = tf.tile(tf.slice(x, [0, h - 1, 0, 0], [-1, 1, -1, -1]), [1, pad, 1, 1]);
  const tall = tf.concat([top, x, bottom], 1);
  const left = tf.tile(tf.slice(tall, [0, 0, 0, 0], [-1, -1, 1, -1]), [1, 1, pad, 1]);
  const right = tf.tile(tf.slice(tall, [0, 0, w - 1, 0], [-1, -1, 1, -1]), [1, 1, pad, 1]);
  return tf.concat([left, tall, right], 2);
}

/**
 * A fixed Lanczos downsampler as a thin layer: builds the kernel once and
 * applies it to NHWC batches; differentiable (gradients flow to the input),
 * and uses only kernels every backend differentiates (channels are folded
 * into the batch and filtered by a single-channel `conv2d`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { LanczosDownsampler } from "./lanczos.ts";
 * await tf.setBackend("cpu");
 * const down = new LanczosDownsampler(4);
 * const lr = down.apply(tf.ones([1, 16, 16, 3]));
 * // a constant image stays constant: the kernel sums to 1
 * if (lr.shape[1] !== 4 || Math.abs(lr.max().dataSync()[0] - 1) > 1e-5) throw new Error("bad");
 * lr.dispose();
 * down.dispose();
 * ```
 */
export class LanczosDownsampler {
  /** Downsampling factor. */
  readonly factor: number;
  /** Kernel size `K`. */
  readonly kernelSize: number;
  /** Replication padding on each side. */
  readonly pad: number;
  #filter: tf.Tensor4D;

  /**
   * Builds the kernel (a float32 tensor this layer owns until `dispose()`).
   *
   * @param factor Downsampling factor, an integer ≥ 2 (even for phase 0.5).
   * @param options Kernel kind (default `"lanczos2"`) and phase (default 0.5).
   */
  constructor(factor: number, options: LanczosOptions = {}) {
    const k = lanczosKernel1d(factor, options);
    this.factor = factor;
    this.kernelSize = k.length;
    this.pad = k.length % 2 === 1 ? (k.length - 1) / 2 : (k.length - factor) / 2;
    const flat = new Float32Array(k.length * k.length);
    for (let i = 0; i < k.length; i++) {
      for (let j = 0; j < k.length; j++) flat[i * k.length + j] = k[i] * k[j];
    }
    this.#filter = tf.keep(tf.tensor4d(flat, [k.length, k.length, 1, 1], "float32"));
  }

  /**
   * Downsamples a batch.
   *
   * @param x NHWC batch whose height and width are multiples of the factor.
   * @returns The `[N, H/f, W/f, C]` batch (a new tensor).
   */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    if (this.#filter.isDisposed) throw new Error("LanczosDownsampler was disposed");
    assertShape(x, [null, null, null, null], "x");
    const [n, h, w, c] = x.shape;
    const f = this.factor;
    if (h % f !== 0 || w % f !== 0) {
      throw new RangeError(
        `x must have height and width divisible by factor ${f}, got shape ${formatShape(x.shape)}`,
      );
    }
    return tf.tidy(() => {
      // [N, H, W, C] -> [N·C, H, W, 1]: one single-channel image per plane.
      const planes = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n * c, h, w, 1]) as tf.Tensor4D;
      const out = tf.conv2d(replicationPad(planes, this.pad), this.#filter, f, "valid");
      const back = tf.reshape(out, [n, c, h / f, w / f]);
      return tf.transpose(back, [0, 2, 3, 1]) as tf.Tensor4D;
    });
  }

  /** Frees the kernel tensor. */
  dispose(): void {
    this.#filter.dispose();
  }
}

/**
 * Downsamples an NHWC batch with the DIP's Lanczos kernel (a one-off
 * {@linkcode LanczosDownsampler}; keep a layer when applying it every step).
 *
 * @param x NHWC batch whose height and width are multiples of the factor.
 * @param factor Downsampling factor, an integer ≥ 2 (even for phase 0.5).
 * @param options Kernel kind and phase.
 * @returns The `[N, H/f, W/f, C]` batch.
 */
export function lanczosDownsample(
  x: tf.Tensor4D,
  factor: number,
  options: LanczosOptions = {},
): tf.Tensor4D {
  const layer = new LanczosDownsampler(factor, options);
  try {
    return layer.apply(x);
  } finally {
    layer.dispose();
  }
}
