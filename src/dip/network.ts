/**
 * What every deep-image-prior network offers ({@linkcode DipNetwork}), the
 * options the thesis's three architectures share, and the random input
 * `z` the networks map to an image.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, assertShape } from "../core/checks.ts";
import { Rng } from "../core/rng.ts";
import type { ApplyOptions, PadMode } from "./conv.ts";
import type { Layer } from "./_blocks.ts";
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
const NORMS: readonly NormMode[] = ["batch", "lipschitz"];
const UPSAMPLES: readonly UpsampleMode[] = ["bilinear", "nearest", "gaussian"];

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

/** Resolved {@linkcode ArchitectureOptions}. */
export interface ResolvedArchitecture {
  outChannels: number;
  inputDepth: number;
  channels: number;
  depth: number;
  kernelSize: number;
  pad: PadMode;
  upsample: UpsampleMode;
  sigma: number;
  gaussianNormalization: GaussianNormalization;
  norm: NormMode;
  lambda: number;
  leakySlope: number;
  seed: number;
}

/**
 * Validates and fills in the defaults of {@linkcode ArchitectureOptions}.
 *
 * @param o The options.
 * @returns Every option, resolved.
 */
export function resolveArchitecture(o: ArchitectureOptions): ResolvedArchitecture {
  const int1 = (v: unknown, name: string) => assertNumber(v, name, { min: 1, integer: true });
  const r: ResolvedArchitecture = {
    outChannels: int1(o.outChannels ?? 3, "outChannels"),
    inputDepth: int1(o.inputDepth ?? 32, "inputDepth"),
    channels: int1(o.channels ?? 128, "channels"),
    depth: int1(o.depth ?? 5, "depth"),
    kernelSize: int1(o.kernelSize ?? 3, "kernelSize"),
    pad: assertOneOf(o.pad ?? "reflect", ["reflect", "zero", "none"], "pad"),
    upsample: assertOneOf(o.upsample ?? "bilinear", UPSAMPLES, "upsample"),
    sigma: assertNumber(o.sigma ?? 0.5, "sigma", { min: 0 }),
    gaussianNormalization: assertOneOf(
      o.gaussianNormalization ?? "interpolating",
      ["interpolating", "unit-sum"],
      "gaussianNormalization",
    ),
    norm: assertOneOf(o.norm ?? "batch", NORMS, "norm"),
    lambda: assertNumber(o.lambda ?? 2, "lambda", { min: 0, minExclusive: true }),
    leakySlope: assertNumber(o.leakySlope ?? 0.01, "leakySlope", { min: 0 }),
    seed: assertNumber(o.seed ?? 0, "seed", { integer: true }),
  };
  if (r.kernelSize % 2 !== 1) throw new RangeError(`kernelSize must be odd, got ${r.kernelSize}`);
  return r;
}

/**
 * A readable summary of an architecture's settings, for names and reports.
 *
 * @param r Resolved options.
 * @param upsampling Whether the architecture upsamples.
 * @returns E.g. `"128x5, gaussian σ=0.5, lipschitz λ=2"`.
 */
export function describeArchitecture(r: ResolvedArchitecture, upsampling: boolean): string {
  const up = !upsampling
    ? ""
    : r.upsample === "gaussian"
    ? `, gaussian σ=${r.sigma}${r.gaussianNormalization === "unit-sum" ? " unit-sum" : ""}`
    : `, ${r.upsample}`;
  const norm = r.norm === "lipschitz" ? `, lipschitz λ=${r.lambda}` : ", batch norm";
  return `${r.channels}x${r.depth}${up}${norm}`;
}

/**
 * Checks that an output size is a multiple of `factor`.
 *
 * @param outH Output height.
 * @param outW Output width.
 * @param factor Required divisor.
 * @param who The network, for the message.
 */
export function assertDivisible(outH: number, outW: number, factor: number, who: string): void {
  assertNumber(outH, "outH", { min: 1, integer: true });
  assertNumber(outW, "outW", { min: 1, integer: true });
  if (outH % factor !== 0 || outW % factor !== 0) {
    throw new RangeError(
      `${who} needs an output size divisible by ${factor}, got ${outH}x${outW}: ` +
        `crop the image (e.g. to ${outH - (outH % factor)}x${outW - (outW % factor)})`,
    );
  }
}

/** A {@linkcode DipNetwork} over a {@linkcode Layer}. */
export class LayerNetwork implements DipNetwork {
  readonly trainableVariables: Record<string, tf.Variable>;
  readonly stateVariables: Record<string, tf.Variable>;

  /**
   * @param name Description.
   * @param outChannels Output channels.
   * @param body The layers, sigmoid included.
   * @param shape Maps an output size to the input shape.
   * @param inputDepth Channels of z.
   */
  constructor(
    readonly name: string,
    readonly outChannels: number,
    readonly body: Layer,
    readonly shape: (outH: number, outW: number) => [number, number, number],
    readonly inputDepth: number,
  ) {
    this.trainableVariables = body.variables("");
    this.stateVariables = body.state("");
  }

  inputShape(outH: number, outW: number): [number, number, number] {
    return this.shape(outH, outW);
  }

  apply(x: tf.Tensor4D, options: ApplyOptions = {}): tf.Tensor4D {
    assertShape(x, [null, null, null, this.inputDepth], "x");
    return this.body.apply(x, options.training ?? false);
  }

  paramCount(): number {
    return Object.values(this.trainableVariables).reduce((a, v) => a + v.size, 0);
  }

  dispose(): void {
    this.body.dispose();
  }
}

/** Options of {@linkcode dipInput}. */
export interface DipInputOptions {
  /** Seed of the noise (default 0). */
  seed?: number;
  /** Upper bound of the uniform noise (default 0.1, the deep image prior's). */
  scale?: number;
}

/**
 * The network input of the deep image prior: uniform noise in
 * `[0, scale)` (default `[0, 0.1)`) of the shape the network needs for an
 * output of `size = [height, width]`.
 *
 * @param net The network.
 * @param size Output height and width.
 * @param options Seed and scale.
 * @returns A new `[1, h, w, c]` tensor the caller owns.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { decoder, dipInput } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const net = decoder({ channels: 8, depth: 2 });
 * const z = dipInput(net, [16, 16], { seed: 1 });
 * console.log(z.shape); // [1, 4, 4, 32]
 * tf.dispose(z);
 * net.dispose();
 * ```
 */
export function dipInput(
  net: DipNetwork,
  size: readonly [number, number],
  options: DipInputOptions = {},
): tf.Tensor4D {
  const [outH, outW] = size;
  const scale = assertNumber(options.scale ?? 0.1, "scale", { min: 0 });
  const rng = new Rng(assertNumber(options.seed ?? 0, "seed", { integer: true }));
  return rng.uniform([1, ...net.inputShape(outH, outW)], 0, scale) as tf.Tensor4D;
}
