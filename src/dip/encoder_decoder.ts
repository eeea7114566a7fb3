/**
 * The Encoder-Decoder of Fig. 4 (the deep image prior's hourglass, without
 * skip connections).
 *
 * @module
 */
import { Rng } from "../core/rng.ts";
import { ConvBlock, Sequential } from "./_blocks.ts";
import {
  addOutputHead,
  addUpsamplingBlocks,
  architectureNetwork,
  hiddenBlockOptions,
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
  const body = new Sequential();
  for (let i = 0; i < r.depth; i++) {
    const inChannels = i === 0 ? r.inputDepth : r.channels;
    body.add(`down${i}a`, new ConvBlock(inChannels, r.channels, hiddenBlockOptions(r, rng, 2)));
    body.add(`down${i}b`, new ConvBlock(r.channels, r.channels, hiddenBlockOptions(r, rng)));
  }
  addUpsamplingBlocks(body, r, rng, r.channels);
  addOutputHead(body, r, rng);
  return architectureNetwork("encoderDecoder", r, body, {
    divisor: 2 ** r.depth,
    inputScale: 1,
    upsampling: true,
  });
}
