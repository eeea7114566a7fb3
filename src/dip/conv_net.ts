/**
 * The ConvNet of Fig. 4: the Decoder without its upsampling layers.
 *
 * @module
 */
import { Rng } from "../core/rng.ts";
import { ConvBlock, Sequential } from "./_blocks.ts";
import {
  addOutputHead,
  architectureNetwork,
  hiddenBlockOptions,
  resolveArchitecture,
} from "./_architecture.ts";
import type { ArchitectureOptions, DipNetwork } from "./network.ts";

/**
 * The ConvNet (Fig. 4): `depth` blocks of [k×k convolution (`channels`) →
 * normalisation → LeakyReLU] at full resolution, then a 1×1 convolution and
 * a sigmoid. The input `z` has the output's size. Upsampling options are
 * ignored; normalisation as in {@linkcode decoder}.
 *
 * @param options Width, depth, normalisation, seed.
 * @returns A new network the caller disposes.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { convNet, dipInput } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const net = convNet({ channels: 8, depth: 2 });
 * const z = dipInput(net, [8, 8]);
 * const y = net.apply(z);
 * console.log(y.shape); // [1, 8, 8, 3]
 * tf.dispose([z, y]);
 * net.dispose();
 * ```
 */
export function convNet(options: ArchitectureOptions = {}): DipNetwork {
  const r = resolveArchitecture(options);
  const rng = new Rng(r.seed);
  const body = new Sequential();
  for (let i = 0; i < r.depth; i++) {
    const inChannels = i === 0 ? r.inputDepth : r.channels;
    body.add(`block${i}`, new ConvBlock(inChannels, r.channels, hiddenBlockOptions(r, rng)));
  }
  addOutputHead(body, r, rng);
  return architectureNetwork("convNet", r, body, { divisor: 1, inputScale: 1, upsampling: false });
}
