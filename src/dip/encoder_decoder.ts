/**
 * The Encoder-Decoder of Fig. 4 (the deep image prior's hourglass, without
 * skip connections).
 *
 * @module
 */
import { Rng } from "../core/rng.ts";
import {
  ConvBlock,
  type ConvBlockOptions,
  Sequential,
  SigmoidLayer,
  UpsampleLayer,
} from "./_blocks.ts";
import {
  assertDivisible,
  describeArchitecture,
  LayerNetwork,
  resolveArchitecture,
} from "./_architecture.ts";
import type { ArchitectureOptions, DipNetwork } from "./network.ts";

/**
 * The Encoder-Decoder (Fig. 4): an encoder of `depth` blocks, each two k×k
 * convolutions (`channels`) of which the first has stride 2, and the
 * {@linkcode decoder}'s `depth` blocks of [×2 upsampling → convolution]; every
 * convolution followed by normalisation and LeakyReLU; then a 1×1
 * convolution and a sigmoid. The input `z` has the output's size, which must
 * be divisible by `2^depth`.
 *
 * @param options Width, depth, upsampling, normalisation, seed.
 * @returns A new network the caller disposes.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { dipInput, encoderDecoder } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const net = encoderDecoder({ channels: 8, depth: 2 });
 * const z = dipInput(net, [16, 16]);
 * const y = net.apply(z);
 * console.log(y.shape); // [1, 16, 16, 3]
 * tf.dispose([z, y]);
 * net.dispose();
 * ```
 */
export function encoderDecoder(options: ArchitectureOptions = {}): DipNetwork {
  const r = resolveArchitecture(options);
  const rng = new Rng(r.seed);
  const block = (stride: number): ConvBlockOptions => ({
    kernelSize: r.kernelSize,
    stride,
    pad: r.pad,
    norm: r.norm,
    lambda: r.lambda,
    act: { kind: "leaky", alpha: r.leakySlope },
    convBias: false,
    init: "he",
    rng,
  });
  const body = new Sequential();
  for (let i = 0; i < r.depth; i++) {
    body.add(`down${i}a`, new ConvBlock(i === 0 ? r.inputDepth : r.channels, r.channels, block(2)));
    body.add(`down${i}b`, new ConvBlock(r.channels, r.channels, block(1)));
  }
  for (let i = 0; i < r.depth; i++) {
    body.add(
      `up${i}`,
      new UpsampleLayer({
        mode: r.upsample,
        sigma: r.sigma,
        normalization: r.gaussianNormalization,
      }),
    );
    body.add(`block${i}`, new ConvBlock(r.channels, r.channels, block(1)));
  }
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
  body.add("sigmoid", new SigmoidLayer());
  const factor = 2 ** r.depth;
  return new LayerNetwork(
    `encoderDecoder(${describeArchitecture(r, true)})`,
    r.outChannels,
    body,
    (h, w) => {
      assertDivisible(h, w, factor, "encoderDecoder");
      return [h, w, r.inputDepth];
    },
    r.inputDepth,
  );
}
