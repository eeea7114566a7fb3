/**
 * Internal helpers of the thesis's architectures: option resolution, size
 * checks and a {@linkcode DipNetwork} over a {@linkcode Layer}.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, assertShape } from "../core/checks.ts";
import type { ApplyOptions } from "./conv.ts";
import type { Layer } from "./_blocks.ts";
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
