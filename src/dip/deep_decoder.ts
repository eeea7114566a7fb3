/**
 * The deep decoder (Heckel & Hand 2019): an under-parameterised decoder of
 * 1×1 convolutions, upsampling, ReLU and batch normalisation.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf } from "../core/checks.ts";
import { Rng } from "../core/rng.ts";
import { ConvBlock, type Layer, Sequential, SigmoidLayer, UpsampleLayer } from "./_blocks.ts";
import { assertDivisible, LayerNetwork } from "./_architecture.ts";
import type { DipNetwork } from "./network.ts";
import { BatchNorm } from "./normalization.ts";
import type { UpsampleMode } from "./upsample.ts";

/** Options of {@linkcode deepDecoder}; defaults are the paper's `decodernw`. */
export interface DeepDecoderOptions {
  /** Output channels (default 3). */
  outChannels?: number;
  /** Channels k of every layer, the input's included (default 128). */
  channels?: number;
  /** Number of ×2 upsamplings (default 5; there are `depth + 1` hidden layers). */
  depth?: number;
  /** Upsampling (default `"bilinear"`). */
  upsample?: UpsampleMode;
  /** Seed of the initialisation (default 0). */
  seed?: number;
}

/** ReLU then batch normalisation (the deep decoder's `bn_before_act = False`). */
class ReluBatchNorm implements Layer {
  readonly bn: BatchNorm;
  constructor(channels: number) {
    this.bn = new BatchNorm(channels);
  }
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.bn.apply(tf.relu(x)));
  }
  variables(prefix: string): Record<string, tf.Variable> {
    return this.bn.variables(prefix);
  }
  state(): Record<string, tf.Variable> {
    return {};
  }
  dispose(): void {
    this.bn.dispose();
  }
}

/**
 * The deep decoder: `depth + 1` layers of [1×1 convolution (k channels, no
 * bias) → ×2 upsampling (all but the last layer) → ReLU → batch
 * normalisation], then a 1×1 convolution to `outChannels` and a sigmoid. The
 * input has k channels at `1/2^depth` of the output size. PyTorch's default
 * initialisation, as the released code. With k = 128 and 3 outputs it has
 * `6k² + 12k + 3k` = 100,224 parameters.
 *
 * @param options k, depth, upsampling, seed.
 * @returns A new network the caller disposes.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepDecoder, dipInput } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const net = deepDecoder({ channels: 16, depth: 2 });
 * const z = dipInput(net, [16, 16]);
 * const y = net.apply(z);
 * console.log(y.shape, net.paramCount()); // [1, 16, 16, 3] 912
 * tf.dispose([z, y]);
 * net.dispose();
 * ```
 */
export function deepDecoder(options: DeepDecoderOptions = {}): DipNetwork {
  const k = assertNumber(options.channels ?? 128, "channels", { min: 1, integer: true });
  const depth = assertNumber(options.depth ?? 5, "depth", { min: 0, integer: true });
  const out = assertNumber(options.outChannels ?? 3, "outChannels", { min: 1, integer: true });
  const mode = assertOneOf(
    options.upsample ?? "bilinear",
    ["bilinear", "nearest", "gaussian"],
    "upsample",
  );
  const rng = new Rng(assertNumber(options.seed ?? 0, "seed", { integer: true }));
  const conv1x1 = (cin: number, cout: number) =>
    new ConvBlock(cin, cout, {
      kernelSize: 1,
      pad: "none",
      norm: "none",
      act: { kind: "none" },
      convBias: false,
      init: "pytorch",
      rng,
    });
  const body = new Sequential();
  for (let i = 0; i <= depth; i++) {
    body.add(`conv${i}`, conv1x1(k, k));
    if (i < depth) body.add(`up${i}`, new UpsampleLayer({ mode, scale: 2 }));
    body.add(`bn${i}`, new ReluBatchNorm(k));
  }
  body.add("out", conv1x1(k, out));
  body.add("sigmoid", new SigmoidLayer());
  const factor = 2 ** depth;
  return new LayerNetwork(
    `deepDecoder(k=${k}, depth ${depth}, ${mode})`,
    out,
    body,
    (h, w) => {
      assertDivisible(h, w, factor, "deepDecoder");
      return [h / factor, w / factor, k];
    },
    k,
  );
}
