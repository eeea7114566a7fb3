/**
 * The original deep image prior network (Ulyanov et al. 2018/2020): the
 * encoder-decoder with skip connections of `models/skip.py`, in the
 * configuration of its denoising, JPEG and inpainting experiments.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, assertShape } from "../core/checks.ts";
import { Rng } from "../core/rng.ts";
import type { ApplyOptions, PadMode } from "./conv.ts";
import { ConvBlock, type ConvBlockOptions, type Layer, UpsampleLayer } from "./_blocks.ts";
import type { DipNetwork } from "./network.ts";
import { BatchNorm } from "./normalization.ts";
import type { UpsampleMode } from "./upsample.ts";

/** Options of {@linkcode skipNet}; defaults are the deep image prior's denoising network. */
export interface SkipNetOptions {
  /** Output channels (default 3). */
  outChannels?: number;
  /** Channels of the input `z` (default 32). */
  inputDepth?: number;
  /** Channels of the encoder and decoder convolutions at every scale (default 128). */
  channels?: number;
  /** Channels of each skip connection (default 4; 0 for none). */
  skipChannels?: number;
  /** Number of scales (default 5). */
  scales?: number;
  /** Kernel size of the encoder and decoder convolutions (default 3). */
  kernelSize?: number;
  /** Upsampling (default `"bilinear"`). */
  upsample?: UpsampleMode;
  /** Padding (default `"reflect"`). */
  pad?: PadMode;
  /** LeakyReLU slope (default 0.2, the DIP code's). */
  leakySlope?: number;
  /** A 1×1 convolution block after each decoder convolution (default true). */
  need1x1Up?: boolean;
  /** Seed of the initialisation (default 0). */
  seed?: number;
}

function centerCrop(t: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  if (t.shape[1] === h && t.shape[2] === w) return t;
  const dh = Math.floor((t.shape[1] - h) / 2), dw = Math.floor((t.shape[2] - w) / 2);
  return tf.slice(t, [0, dh, dw, 0], [-1, h, w, -1]);
}

/** One scale: skip branch ‖ (downsample → deeper scales → upsample), then BN → conv → 1×1. */
class SkipLevel implements Layer {
  readonly skip?: ConvBlock;
  readonly down1: ConvBlock;
  readonly down2: ConvBlock;
  readonly deeper?: SkipLevel;
  readonly up: UpsampleLayer;
  readonly concatNorm: BatchNorm;
  readonly upConv: ConvBlock;
  readonly up1x1?: ConvBlock;

  constructor(level: number, inDepth: number, o: Required<SkipNetOptions>, rng: Rng) {
    const block = (kernelSize: number, stride = 1): ConvBlockOptions => ({
      kernelSize,
      stride,
      pad: o.pad,
      norm: "batch",
      act: { kind: "leaky", alpha: o.leakySlope },
      convBias: true,
      init: "pytorch",
      rng,
    });
    const c = o.channels;
    if (o.skipChannels > 0) this.skip = new ConvBlock(inDepth, o.skipChannels, block(1));
    this.down1 = new ConvBlock(inDepth, c, block(o.kernelSize, 2));
    this.down2 = new ConvBlock(c, c, block(o.kernelSize));
    if (level + 1 < o.scales) this.deeper = new SkipLevel(level + 1, c, o, rng);
    this.up = new UpsampleLayer({ mode: o.upsample, scale: 2 });
    this.concatNorm = new BatchNorm(o.skipChannels + c);
    this.upConv = new ConvBlock(o.skipChannels + c, c, block(o.kernelSize));
    if (o.need1x1Up) this.up1x1 = new ConvBlock(c, c, block(1));
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let deep = this.down2.apply(this.down1.apply(x, training), training);
      if (this.deeper) deep = this.deeper.apply(deep, training);
      deep = this.up.apply(deep);
      let y = deep;
      if (this.skip) {
        const s = this.skip.apply(x, training);
        const h = Math.min(s.shape[1], deep.shape[1]), w = Math.min(s.shape[2], deep.shape[2]);
        y = tf.concat([centerCrop(s, h, w), centerCrop(deep, h, w)], 3);
      }
      y = this.upConv.apply(this.concatNorm.apply(y), training);
      return this.up1x1 ? this.up1x1.apply(y, training) : y;
    });
  }

  variables(prefix: string): Record<string, tf.Variable> {
    return {
      ...(this.skip ? this.skip.variables(`${prefix}/skip`) : {}),
      ...this.down1.variables(`${prefix}/down1`),
      ...this.down2.variables(`${prefix}/down2`),
      ...(this.deeper ? this.deeper.variables(`${prefix}/deeper`) : {}),
      ...this.concatNorm.variables(`${prefix}/concat_norm`),
      ...this.upConv.variables(`${prefix}/up_conv`),
      ...(this.up1x1 ? this.up1x1.variables(`${prefix}/up_1x1`) : {}),
    };
  }

  state(): Record<string, tf.Variable> {
    return {};
  }

  dispose(): void {
    for (
      const l of [
        this.skip,
        this.down1,
        this.down2,
        this.deeper,
        this.concatNorm,
        this.upConv,
        this.up1x1,
      ]
    ) l?.dispose();
  }
}

class SkipNetwork implements DipNetwork {
  readonly name: string;
  readonly outChannels: number;
  readonly trainableVariables: Record<string, tf.Variable>;
  readonly stateVariables: Record<string, tf.Variable> = {};
  readonly #root: SkipLevel;
  readonly #out: ConvBlock;
  readonly #o: Required<SkipNetOptions>;

  constructor(o: Required<SkipNetOptions>) {
    this.#o = o;
    const rng = new Rng(o.seed);
    this.#root = new SkipLevel(0, o.inputDepth, o, rng);
    this.#out = new ConvBlock(o.channels, o.outChannels, {
      kernelSize: 1,
      pad: o.pad,
      norm: "none",
      act: { kind: "none" },
      convBias: true,
      init: "pytorch",
      rng,
    });
    this.outChannels = o.outChannels;
    this.name = `skipNet(${o.channels}x${o.scales}, skip ${o.skipChannels}, ${o.upsample})`;
    this.trainableVariables = {
      ...this.#root.variables("level0"),
      ...this.#out.variables("out"),
    };
  }

  inputShape(outH: number, outW: number): [number, number, number] {
    assertNumber(outH, "outH", { min: 1, integer: true });
    assertNumber(outW, "outW", { min: 1, integer: true });
    const min = this.#o.pad === "reflect" && this.#o.kernelSize > 1 ? 2 : 1;
    let h = outH, w = outW;
    for (let i = 0; i < this.#o.scales; i++) {
      h = Math.ceil(h / 2);
      w = Math.ceil(w / 2);
    }
    if (h < min || w < min) {
      throw new RangeError(
        `skipNet with ${this.#o.scales} scales needs an output larger than ${outH}x${outW} ` +
          `(the coarsest scale would be ${h}x${w})`,
      );
    }
    return [outH, outW, this.#o.inputDepth];
  }

  apply(x: tf.Tensor4D, options: ApplyOptions = {}): tf.Tensor4D {
    assertShape(x, [null, null, null, this.#o.inputDepth], "x");
    const training = options.training ?? false;
    return tf.tidy(() => tf.sigmoid(this.#out.apply(this.#root.apply(x, training), training)));
  }

  paramCount(): number {
    return Object.values(this.trainableVariables).reduce((a, v) => a + v.size, 0);
  }

  dispose(): void {
    this.#root.dispose();
    this.#out.dispose();
  }
}

/**
 * The original deep image prior network (`skip` of Ulyanov et al.): at each
 * of `scales` scales a skip branch (1×1 convolution to `skipChannels`) and a
 * deeper branch (k×k convolution with stride 2, k×k convolution, the next
 * scale, ×2 upsampling), concatenated, batch-normalised, then a k×k and a
 * 1×1 convolution; every convolution followed by batch normalisation and
 * LeakyReLU(0.2); reflection padding; a final 1×1 convolution and sigmoid.
 * Weights use PyTorch's default initialisation, as the released code does.
 * Defaults (128 channels, 5 scales, 4 skip channels, bilinear, input depth
 * 32) give 2,217,831 parameters for 3 output channels.
 *
 * @param options Width, scales, skip channels, upsampling, seed.
 * @returns A new network the caller disposes.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { dipInput, skipNet } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const net = skipNet({ channels: 8, scales: 2 });
 * const z = dipInput(net, [16, 16]);
 * const y = net.apply(z);
 * console.log(y.shape); // [1, 16, 16, 3]
 * tf.dispose([z, y]);
 * net.dispose();
 * ```
 */
export function skipNet(options: SkipNetOptions = {}): DipNetwork {
  const int = (v: unknown, name: string, min = 1) => assertNumber(v, name, { min, integer: true });
  const o: Required<SkipNetOptions> = {
    outChannels: int(options.outChannels ?? 3, "outChannels"),
    inputDepth: int(options.inputDepth ?? 32, "inputDepth"),
    channels: int(options.channels ?? 128, "channels"),
    skipChannels: int(options.skipChannels ?? 4, "skipChannels", 0),
    scales: int(options.scales ?? 5, "scales"),
    kernelSize: int(options.kernelSize ?? 3, "kernelSize"),
    upsample: assertOneOf(
      options.upsample ?? "bilinear",
      ["bilinear", "nearest", "gaussian"],
      "upsample",
    ),
    pad: assertOneOf(options.pad ?? "reflect", ["reflect", "zero", "none"], "pad"),
    leakySlope: assertNumber(options.leakySlope ?? 0.2, "leakySlope", { min: 0 }),
    need1x1Up: options.need1x1Up ?? true,
    seed: assertNumber(options.seed ?? 0, "seed", { integer: true }),
  };
  if (o.kernelSize % 2 !== 1) throw new RangeError(`kernelSize must be odd, got ${o.kernelSize}`);
  return new SkipNetwork(o);
}
