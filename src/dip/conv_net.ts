/**
 * The ConvNet of Fig. 4: the Decoder without its upsampling layers.
 *
 * @module
 */
import { Rng } from "../core/rng.ts";
import { ConvBlock, Sequential, SigmoidLayer } from "./_blocks.ts";
import {
  assertDivisible,
  describeArchitecture,
  LayerNetwork,
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
    body.add(
      `block${i}`,
      new ConvBlock(i === 0 ? r.inputDepth : r.channels, r.channels, {
        kernelSize: r.kernelSize,
        pad: r.pad,
        norm: r.norm,
        lambda: r.lambda,
        act: { kind: "leaky", alpha: r.leakySlope },
        convBias: false,
        init: "he",
        rng,
      }),
    );
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
  return new LayerNetwork(
    `convNet(${describeArchitecture(r, false)})`,
    r.outChannels,
    body,
    (h, w) => {
      assertDivisible(h, w, 1, "convNet");
      return [h, w, r.inputDepth];
    },
    r.inputDepth,
  );
}
