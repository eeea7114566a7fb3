/**
 * Convolution with reflection or zero padding, and the layer that owns its
 * weights, optionally Lipschitz-controlled (eq. 2.3–2.5).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, assertShape } from "../core/checks.ts";
import { Rng } from "../core/rng.ts";
import { heNormal, type InitMode, pytorchUniform } from "./init.ts";
import { lipschitzFactor, spectralNorm } from "./spectral_norm.ts";

/** How a convolution pads its input. */
export type PadMode = "reflect" | "zero" | "none";
const PAD_MODES: readonly PadMode[] = ["reflect", "zero", "none"];

/** Options of {@linkcode conv2d}. */
export interface Conv2dOptions {
  /** Bias added per output channel (default none). */
  bias?: tf.Tensor1D;
  /** Stride (default 1). */
  stride?: number;
  /**
   * Padding by `(k − 1)/2` on each side (default `"reflect"`, the deep image
   * prior's choice): `"reflect"` mirrors without repeating the edge (PyTorch's
   * `ReflectionPad2d`), `"zero"` pads zeros symmetrically (PyTorch's
   * `padding=(k−1)/2`), `"none"` is a 'valid' convolution.
   */
  pad?: PadMode;
}

/**
 * Pads an NHWC batch by `p` on both spatial sides, mirroring without
 * repeating the edge (PyTorch's `ReflectionPad2d`).
 *
 * The forward pass is `tf.mirrorPad`; the gradient is written here, because
 * the one tfjs 4.22 registers for `MirrorPad` only crops the incoming
 * gradient and drops the contributions of the mirrored border, so that
 * training through it would be wrong at the image borders.
 *
 * @param x NHWC batch.
 * @param p Pad width, less than the height and width.
 * @returns A new tensor the caller owns.
 */
export function reflectPad(x: tf.Tensor4D, p: number): tf.Tensor4D {
  assertShape(x, [null, null, null, null], "x");
  assertNumber(p, "p", { min: 0, integer: true });
  if (p === 0) return x.clone();
  if (p >= x.shape[1] || p >= x.shape[2]) {
    throw new RangeError(
      `reflection padding by ${p} needs height and width > ${p}, got ${x.shape[1]}x${x.shape[2]}`,
    );
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.mirrorPad(args[0] as tf.Tensor4D, [[0, 0], [p, p], [p, p], [0, 0]], "reflect"),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) =>
      tf.tidy(() => foldReflection(foldReflection(dy as tf.Tensor4D, 2, p), 1, p)),
  }));
  return op(x) as tf.Tensor4D;
}

/**
 * The adjoint of reflection padding along one axis: the centre of `g` plus
 * the padded borders folded back onto the samples they mirror (padded
 * sample t < p is input sample p − t; padded sample p + n + t is n − 2 − t).
 */
function foldReflection(g: tf.Tensor4D, axis: 1 | 2, p: number): tf.Tensor4D {
  const n = g.shape[axis] - 2 * p;
  const part = (start: number, size: number) => {
    const begin = [0, 0, 0, 0];
    const sizes = [-1, -1, -1, -1];
    begin[axis] = start;
    sizes[axis] = size;
    const s = tf.slice(g, begin, sizes);
    return start === p ? s : p > 1 ? tf.reverse(s, axis) : s;
  };
  const place = (t: tf.Tensor4D, before: number) => {
    const pads: [number, number][] = [[0, 0], [0, 0], [0, 0], [0, 0]];
    pads[axis] = [before, n - before - p];
    return tf.pad(t, pads);
  };
  return part(p, n).add(place(part(0, p), 1)).add(place(part(p + n, p), n - 1 - p)) as tf.Tensor4D;
}

/**
 * A 2-D convolution of an NHWC batch with an HWIO kernel, padded the way the
 * deep image prior pads (PyTorch alignment for strided convolutions).
 *
 * @param x NHWC batch.
 * @param weight HWIO kernel with an odd, square spatial size.
 * @param options Bias, stride, padding.
 * @returns A new tensor the caller owns.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { conv2d } from "./conv.ts";
 * await tf.setBackend("cpu");
 * const x = tf.ones([1, 8, 8, 2]) as tf.Tensor4D;
 * const w = tf.ones([3, 3, 2, 4]) as tf.Tensor4D;
 * const y = conv2d(x, w, { stride: 2 });
 * console.log(y.shape); // [1, 4, 4, 4]
 * tf.dispose([x, w, y]);
 * ```
 */
export function conv2d(
  x: tf.Tensor4D,
  weight: tf.Tensor4D,
  options: Conv2dOptions = {},
): tf.Tensor4D {
  assertShape(x, [null, null, null, null], "x");
  assertShape(weight, [null, null, x.shape[3], null], "weight");
  const k = weight.shape[0];
  if (k !== weight.shape[1] || k % 2 !== 1) {
    throw new RangeError(
      `weight must have an odd square kernel, got ${weight.shape[0]}x${weight.shape[1]}`,
    );
  }
  const stride = assertNumber(options.stride ?? 1, "stride", { min: 1, integer: true });
  const pad = assertOneOf(options.pad ?? "reflect", PAD_MODES, "pad");
  if (options.bias) assertShape(options.bias, [weight.shape[3]], "bias");
  const p = (k - 1) / 2;
  return tf.tidy(() => {
    let input = x;
    let padding: "valid" | [[0, 0], [number, number], [number, number], [0, 0]] = "valid";
    if (p > 0 && pad === "reflect") input = reflectPad(x, p);
    if (p > 0 && pad === "zero") padding = [[0, 0], [p, p], [p, p], [0, 0]];
    if (options.bias) {
      return tf.fused.conv2d({
        x: input,
        filter: weight,
        strides: stride,
        pad: padding,
        bias: options.bias,
      });
    }
    return tf.conv2d(input, weight, stride, padding);
  });
}

/** Options of {@linkcode Conv2d}. */
export interface Conv2dLayerOptions {
  /** Kernel size (odd, default 3). */
  kernelSize?: number;
  /** Stride (default 1). */
  stride?: number;
  /** Padding (default `"reflect"`). */
  pad?: PadMode;
  /** Learn a bias (default true). */
  bias?: boolean;
  /**
   * Lipschitz bound λ of eq. (2.5): the kernel is divided by
   * `max(1, σ/λ)`, σ its spectral norm by power iteration (default none).
   */
  lambda?: number;
  /** Initialisation (default `"he"`, He normal; `"pytorch"`: PyTorch's default uniform). */
  init?: InitMode;
  /** Generator for the initial weights and power-iteration vector (default `new Rng(0)`). */
  rng?: Rng;
}

/** Options of a layer's forward pass. */
export interface ApplyOptions {
  /** Training step: update power-iteration vectors (default false). */
  training?: boolean;
}

/**
 * A convolution layer that owns its kernel (and bias), optionally
 * Lipschitz-controlled: with `lambda`, each training forward pass runs one
 * power iteration from the persisted vector `u` (a non-trainable variable,
 * part of checkpoints) and convolves with `w / max(1, σ/λ)`. At construction
 * `u` is refined by 15 iterations, as PyTorch's spectral norm does, so the
 * bound holds from the first step.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { Rng } from "../core/rng.ts";
 * import { Conv2d } from "./conv.ts";
 * await tf.setBackend("cpu");
 * const conv = new Conv2d(3, 8, { lambda: 2, rng: new Rng(1) });
 * const y = conv.apply(tf.zeros([1, 16, 16, 3]), { training: true });
 * console.log(y.shape); // [1, 16, 16, 8]
 * y.dispose();
 * conv.dispose();
 * ```
 */
export class Conv2d {
  /** The learnable kernel, HWIO. */
  readonly weight: tf.Variable<tf.Rank.R4>;
  /** The learnable bias, if any. */
  readonly bias?: tf.Variable<tf.Rank.R1>;
  /** The power-iteration vector (length `out`), when Lipschitz-controlled. */
  readonly u?: tf.Variable<tf.Rank.R1>;
  /** The Lipschitz bound λ, if any. */
  readonly lambda?: number;
  readonly #stride: number;
  readonly #pad: PadMode;

  /**
   * Creates the layer and initialises its weights from `options.rng`.
   *
   * @param inChannels Input channels.
   * @param outChannels Output channels.
   * @param options Kernel size, stride, padding, bias, λ, initialisation.
   */
  constructor(inChannels: number, outChannels: number, options: Conv2dLayerOptions = {}) {
    assertNumber(inChannels, "inChannels", { min: 1, integer: true });
    assertNumber(outChannels, "outChannels", { min: 1, integer: true });
    const k = assertNumber(options.kernelSize ?? 3, "kernelSize", { min: 1, integer: true });
    if (k % 2 !== 1) throw new RangeError(`kernelSize must be odd, got ${k}`);
    this.#stride = assertNumber(options.stride ?? 1, "stride", { min: 1, integer: true });
    this.#pad = assertOneOf(options.pad ?? "reflect", PAD_MODES, "pad");
    const init = assertOneOf(options.init ?? "he", ["he", "pytorch"], "init");
    if (options.lambda !== undefined) {
      this.lambda = assertNumber(options.lambda, "lambda", { min: 0, minExclusive: true });
    }
    const rng = options.rng ?? new Rng(0);
    const shape = [k, k, inChannels, outChannels];
    const fan = k * k * inChannels;
    const w = init === "he" ? heNormal(rng, shape) : pytorchUniform(rng, shape, fan);
    this.weight = tf.variable(w as tf.Tensor4D, true);
    w.dispose();
    if (options.bias ?? true) {
      // He initialisation sets biases to zero; PyTorch draws them like the weights.
      const b = init === "he" ? tf.zeros([outChannels]) : pytorchUniform(rng, [outChannels], fan);
      this.bias = tf.variable(b as tf.Tensor1D, true);
      b.dispose();
    }
    if (this.lambda !== undefined) {
      const u0 = tf.tidy(() => {
        const r = rng.normalTensor([outChannels]);
        return r.div(r.norm());
      });
      const { u, sigma } = spectralNorm(this.weight, u0 as tf.Tensor1D, { iterations: 15 });
      this.u = tf.variable(u, false);
      tf.dispose([u0, u, sigma]);
    }
  }

  /**
   * The kernel actually applied: `w / max(1, σ/λ)` when Lipschitz-controlled
   * (no power-iteration update), `w` otherwise.
   *
   * @returns A new tensor the caller owns.
   */
  effectiveWeight(): tf.Tensor4D {
    return tf.tidy(() => {
      if (this.lambda === undefined || !this.u) return this.weight.clone();
      const { sigma } = spectralNorm(this.weight, this.u);
      return this.weight.mul(lipschitzFactor(sigma, this.lambda)) as tf.Tensor4D;
    });
  }

  /**
   * The forward pass.
   *
   * @param x NHWC batch with `inChannels` channels.
   * @param options `training: true` advances the power iteration by one step.
   * @returns A new tensor the caller owns.
   */
  apply(x: tf.Tensor4D, options: ApplyOptions = {}): tf.Tensor4D {
    return tf.tidy(() => {
      let w: tf.Tensor4D = this.weight;
      if (this.lambda !== undefined && this.u) {
        const { sigma, u } = spectralNorm(this.weight, this.u);
        if (options.training) this.u.assign(u);
        w = this.weight.mul(lipschitzFactor(sigma, this.lambda));
      }
      return conv2d(x, w, { bias: this.bias, stride: this.#stride, pad: this.#pad });
    });
  }

  /**
   * The trainable variables under stable names.
   *
   * @param prefix Name prefix, e.g. `"block0/conv"`.
   * @returns `{prefix/w, prefix/b}`.
   */
  variables(prefix: string): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = { [`${prefix}/w`]: this.weight };
    if (this.bias) out[`${prefix}/b`] = this.bias;
    return out;
  }

  /**
   * The non-trainable state (the power-iteration vector) under stable names.
   *
   * @param prefix Name prefix.
   * @returns `{prefix/u}` or `{}`.
   */
  state(prefix: string): Record<string, tf.Variable> {
    return this.u ? { [`${prefix}/u`]: this.u } : {};
  }

  /** Frees the variables. */
  dispose(): void {
    this.weight.dispose();
    this.bias?.dispose();
    this.u?.dispose();
  }
}
