/**
 * The Decoder of Fig. 4, the thesis's default architecture: the decoder half
 * of the deep image prior's encoder-decoder.
 *
 * @module
 */
import { Rng } from "../core/rng.ts";
import { Sequential } from "./_blocks.ts";
import {
  addOutputHead,
  addUpsamplingBlocks,
  architectureNetwork,
  resolveArchitecture,
} from "./_architecture.ts";
import type { ArchitectureOptions, DipNetwork } from "./network.ts";

/**
 * The Decoder (Fig. 4): `depth` blocks of [×2 upsampling → k×k convolution
 * (`channels`) → normalisation → LeakyReLU], then a 1×1 convolution to
 * `outChannels` and a sigmoid. The input `z` has `inputDepth` channels at
 * `1/2^depth` of the output size.
 *
 * With `norm: "lipschitz"` every hidden convolution is bounded by λ and
 * followed by mean-only batch normalisation (eq. 2.5); as in the author's
 * code, the final 1×1 convolution is not bounded. Hidden convolutions have
 * no bias (the normalisation's mean subtraction would cancel it). Weights are
 * He-initialised from `seed`.
 *
 * @param options Width, depth, upsampling, normalisation, seed.
 * @returns A new network the caller disposes.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { CONTROLLED, decoder, dipInput } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const net = decoder({ ...CONTROLLED, channels: 8, depth: 3 });
 * const z = dipInput(net, [32, 32]);
 * const y = net.apply(z);
 * console.log(y.shape); // [1, 32, 32, 3]
 * tf.dispose([z, y]);
 * net.dispose();
 * ```
 */
export function decoder(options: ArchitectureOptions = {}): DipNetwork {
  const r = resolveArchitecture(options);
  const rng = new Rng(r.seed);
  const body = addUpsamplingBlocks(new Sequential(), r, rng, r.inputDepth);
  addOutputHead(body, r, rng);
  const factor = 2 ** r.depth;
  return architectureNetwork("decoder", r, body, {
    divisor: factor,
    inputScale: factor,
    upsampling: true,
  });
}
