/**
 * What every deep-image-prior network offers ({@linkcode DipNetwork}), the
 * options the thesis's three architectures share, and the random input
 * `z` the networks map to an image.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf } from "../core/checks.ts";
import { Rng } from "../core/rng.ts";
import type { ApplyOptions, PadMode } from "./conv.ts";
import type { GaussianNormalization, UpsampleMode } from "./upsample.ts";

/** A network fitted by the deep image prior: `z ↦ image`. */
export interface DipNetwork {
  /** A short description, e.g. `"decoder(128x5, gaussian σ=0.5, lipschitz λ=2)"`. */
  readonly name: string;
  /** Channels of the output image. */
  readonly outChannels: number;
  /**
   * The shape `[h, w, c]` of the input `z` that gives an `outH × outW` output.
   *
   * @throws RangeError when the network cannot produce that size.
   */
  inputShape(outH: number, outW: number): [number, number, number];
  /** The forward pass `[1, h, w, c] → [1, outH, outW, outChannels]`, values in (0, 1). */
  apply(x: tf.Tensor4D, options?: ApplyOptions): tf.Tensor4D;
  /** Trainable variables under stable names (checkpoint keys). */
  readonly trainableVariables: Record<string, tf.Variable>;
  /** Non-trainable state (power-iteration vectors) under stable names. */
  readonly stateVariables: Record<string, tf.Variable>;
  /** Number of trainable scalars. */
  paramCount(): number;
  /** Frees every variable. */
  dispose(): void;
}

/** How the thesis's networks normalise. */
export type NormMode = "batch" | "lipschitz";

/**
 * Options shared by {@linkcode encoderDecoder}, {@linkcode decoder} and
 * {@linkcode convNet}. The defaults are the plain networks of Fig. 4
 * (batch normalisation, bilinear upsampling); {@linkcode CONTROLLED} holds
 * the thesis's controlled setting.
 */
export interface ArchitectureOptions {
  /** Output channels (default 3). */
  outChannels?: number;
  /** Channels of the input `z` (default 32). */
  inputDepth?: number;
  /** Channels of every hidden layer (default 128). */
  channels?: number;
  /** Number of blocks: upsamplings (decoder), scales (encoder-decoder) or layers (ConvNet); default 5. */
  depth?: number;
  /** Kernel size of the hidden convolutions (default 3). */
  kernelSize?: number;
  /** Padding of the hidden convolutions (default `"reflect"`, as the deep image prior). */
  pad?: PadMode;
  /** Upsampling (default `"bilinear"`). */
  upsample?: UpsampleMode;
  /** σ of the Gaussian upsampling in input pixels (default 0.5). */
  sigma?: number;
  /** Normalisation of the Gaussian kernel (default `"interpolating"`). */
  gaussianNormalization?: GaussianNormalization;
  /** `"batch"` (default) or `"lipschitz"`: λ-bounded convolutions with mean-only BN (eq. 2.5). */
  norm?: NormMode;
  /** λ of the Lipschitz normalisation (default 2). */
  lambda?: number;
  /** Negative slope of the LeakyReLU (default 0.01, Fig. 4). */
  leakySlope?: number;
  /** Seed of the He initialisation and power-iteration vectors (default 0). */
  seed?: number;
}

/**
 * The thesis's controlled deep image prior (Section 2.5): Lipschitz
 * normalisation with λ = 2 and Gaussian upsampling with σ = 0.5; spread it
 * into the options, e.g. `decoder({ ...CONTROLLED })`.
 */
export const CONTROLLED: Readonly<ArchitectureOptions> = Object.freeze({
  norm: "lipschitz",
  lambda: 2,
  upsample: "gaussian",
  sigma: 0.5,
});

/**
 * The kinds of network input z:
 *
 * - `"uniform"`: uniform noise in `[0, scale)`, default `[0, 0.1)` — what the
 *   thesis's text says (Section 2.5, "following [186, 187]": the deep image
 *   prior's `get_noise(..., 'noise', var=1/10)`).
 * - `"fourier"`: what the author's released code uses
 *   (`shizenglin/Measure-and-Control-Spectral-Bias`, `code/denoising.py`,
 *   `INPUT = 'fourier'`, `var = 1`; `get_noise` in
 *   `code/utils/common_utils.py`): `c/2` channels of per-pixel i.i.d.
 *   `u ~ U(0, scale)` (default `scale` 1), mapped to the `c` channels
 *   `[sin 2πu, cos 2πu]` (all sines first, then all cosines). Its values lie
 *   in [-1, 1], and every pixel's vector has norm √(c/2).
 */
export type DipInputKind = "uniform" | "fourier";

/** The input kinds, for checks and menus. */
export const DIP_INPUT_KINDS: readonly DipInputKind[] = Object.freeze(["uniform", "fourier"]);

/** Options of {@linkcode dipInput}. */
export interface DipInputOptions {
  /** Seed of the noise (default 0). */
  seed?: number;
  /** `"uniform"` (default, the thesis's text) or `"fourier"` (the author's code); see {@linkcode DipInputKind}. */
  kind?: DipInputKind;
  /**
   * Upper bound of the uniform draws: of z itself for `"uniform"` (default
   * 0.1, the deep image prior's), of u before the sine and cosine for
   * `"fourier"` (default 1, the author's `var`).
   */
  scale?: number;
}

/**
 * The network input z of the deep image prior, of the shape the network
 * needs for an output of `size = [height, width]` (`[1, h/32, w/32, 32]` for
 * the thesis's decoder): uniform noise in `[0, 0.1)` by default, or the
 * author's code's Fourier input (`kind: "fourier"`, see
 * {@linkcode DipInputKind}).
 *
 * @param net The network.
 * @param size Output height and width.
 * @param options Seed, kind and scale.
 * @returns A new `[1, h, w, c]` tensor the caller owns.
 * @throws {RangeError} For `"fourier"` when the network's input depth is odd.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { decoder, dipInput } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const net = decoder({ channels: 8, depth: 2 });
 * const z = dipInput(net, [16, 16], { seed: 1 });
 * console.log(z.shape); // [1, 4, 4, 32]
 * const f = dipInput(net, [16, 16], { seed: 1, kind: "fourier" });
 * console.log(f.min().dataSync()[0] >= -1); // true
 * tf.dispose([z, f]);
 * net.dispose();
 * ```
 */
export function dipInput(
  net: DipNetwork,
  size: readonly [number, number],
  options: DipInputOptions = {},
): tf.Tensor4D {
  const [outH, outW] = size;
  const kind = assertOneOf(options.kind ?? "uniform", DIP_INPUT_KINDS, "kind");
  const scale = assertNumber(options.scale ?? (kind === "uniform" ? 0.1 : 1), "scale", { min: 0 });
  const rng = new Rng(assertNumber(options.seed ?? 0, "seed", { integer: true }));
  const [h, w, c] = net.inputShape(outH, outW);
  if (kind === "uniform") return rng.uniform([1, h, w, c], 0, scale) as tf.Tensor4D;
  if (c % 2 !== 0) {
    throw new RangeError(
      `kind "fourier" needs an even input depth (sin and cos of c/2 draws), got ${c} channels`,
    );
  }
  return tf.tidy(() => {
    const angle = rng.uniform([1, h, w, c / 2], 0, scale).mul(2 * Math.PI);
    return tf.concat([tf.sin(angle), tf.cos(angle)], 3) as tf.Tensor4D;
  });
}
