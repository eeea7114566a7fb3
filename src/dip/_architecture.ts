/**
 * Internal helpers of the thesis's architectures: option resolution, size
 * checks, the pieces the three Fig. 4 networks share (hidden block options,
 * the upsampling layer, the output head) and a {@linkcode DipNetwork} over a
 * {@linkcode Layer}.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, assertShape } from "../core/checks.ts";
import type { Rng } from "../core/rng.ts";
import type { ApplyOptions } from "./conv.ts";
import {
  ConvBlock,
  type ConvBlockOptions,
  type Layer,
  type Sequential,
  SigmoidLayer,
  UpsampleLayer,
} from "./_blocks.ts";
import type { ArchitectureOptions, DipNetwork, NormMode } from "./network.ts";
import type { UpsampleMode } from "./upsample.ts";

const NORMS: readonly NormMode[] = ["batch", "lipschitz"];
const UPSAMPLES: readonly UpsampleMode[] = ["bilinear", "nearest", "gaussian"];

/** {@linkcode ArchitectureOptions} with every default filled in. */
export type ResolvedArchitecture = Required<ArchitectureOptions>;

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

/**
 * The options of a hidden block of the Fig. 4 networks: a k×k convolution
 * without bias (the normalisation's mean subtraction would cancel it), He
 * initialisation from `rng`, the architecture's normalisation (λ-bounded with
 * mean-only batch normalisation for `"lipschitz"`) and LeakyReLU.
 *
 * @param r Resolved options.
 * @param rng The network's generator (its draws fix the initialisation).
 * @param stride Stride of the convolution (default 1; 2 in the encoder).
 * @returns The block options.
 */
export function hiddenBlockOptions(
  r: ResolvedArchitecture,
  rng: Rng,
  stride = 1,
): ConvBlockOptions {
  return {
    kernelSize: r.kernelSize,
    stride,
    pad: r.pad,
    norm: r.norm,
    lambda: r.lambda,
    act: { kind: "leaky", alpha: r.leakySlope },
    convBias: false,
    init: "he",
    rng,
  };
}

/**
 * The ×2 upsampling of the Fig. 4 networks as the architecture sets it.
 *
 * @param r Resolved options.
 * @returns A new layer.
 */
export function upsampleLayer(r: ResolvedArchitecture): UpsampleLayer {
  return new UpsampleLayer({
    mode: r.upsample,
    sigma: r.sigma,
    normalization: r.gaussianNormalization,
  });
}

/**
 * Appends the Decoder's `depth` blocks of [×2 upsampling → hidden block] to
 * `body` as the layers `up0, block0, up1, ...` (the Decoder, and the decoder
 * half of the Encoder-Decoder).
 *
 * @param body The network so far.
 * @param r Resolved options.
 * @param rng The network's generator.
 * @param inChannels Channels entering the first block.
 * @returns `body`.
 */
export function addUpsamplingBlocks(
  body: Sequential,
  r: ResolvedArchitecture,
  rng: Rng,
  inChannels: number,
): Sequential {
  for (let i = 0; i < r.depth; i++) {
    body.add(`up${i}`, upsampleLayer(r));
    const cin = i === 0 ? inChannels : r.channels;
    body.add(`block${i}`, new ConvBlock(cin, r.channels, hiddenBlockOptions(r, rng)));
  }
  return body;
}

/**
 * Appends the output head of the Fig. 4 networks to `body`: a 1×1
 * convolution with bias to `outChannels` (never bounded, as in the author's
 * code), then a sigmoid, as the layers `"out"` and `"sigmoid"`.
 *
 * @param body The network so far (its last layer has `channels` channels).
 * @param r Resolved options.
 * @param rng The network's generator.
 * @returns `body`.
 */
export function addOutputHead(body: Sequential, r: ResolvedArchitecture, rng: Rng): Sequential {
  body.add(
    "out",
    new ConvBlock(r.channels, r.outChannels, {
      kernelSize: 1,
      pad: "none",
      norm: "none",
      act: { kind: "none" },
      convBias: true,
      init: "he",
      rng,
    }),
  );
  return body.add("sigmoid", new SigmoidLayer());
}

/**
 * A Fig. 4 network over `body`: named `who(settings)`, its input `z` of
 * `inputDepth` channels at `1/inputScale` of an output size that must be
 * divisible by `divisor`.
 *
 * @param who The builder's name (`"decoder"`, ...), for the name and errors.
 * @param r Resolved options.
 * @param body The layers, head included.
 * @param sizes `divisor` of the output size, `inputScale` (the ratio of the
 * output size to the input's) and whether the network upsamples (whether
 * its name mentions the upsampling).
 * @returns The network.
 */
export function architectureNetwork(
  who: string,
  r: ResolvedArchitecture,
  body: Sequential,
  sizes: { divisor: number; inputScale: number; upsampling: boolean },
): LayerNetwork {
  const { divisor, inputScale } = sizes;
  return new LayerNetwork(
    `${who}(${describeArchitecture(r, sizes.upsampling)})`,
    r.outChannels,
    body,
    (h, w) => {
      assertDivisible(h, w, divisor, who);
      return [h / inputScale, w / inputScale, r.inputDepth];
    },
    r.inputDepth,
  );
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
