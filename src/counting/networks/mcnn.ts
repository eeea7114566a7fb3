/**
 * MCNN, the multi-column network of Zhang et al. (CVPR 2016, "Single-image
 * crowd counting via multi-column convolutional neural network").
 *
 * @module
 */
import { assertNumber } from "../../core/checks.ts";
import {
  concat,
  conv,
  densityHead,
  imageInput,
  maxPool,
  resolveCommon,
  scaled,
  type Sym,
} from "./_layers.ts";
import { assembleNetwork } from "./_assemble.ts";
import type { CountingNetwork, NetworkOptions } from "./network.ts";

/** Options of {@linkcode mcnn}. */
export interface McnnOptions extends NetworkOptions {
  /** Channel multiplier (default 1: the paper's 16-32-16-8 / 20-40-20-10 / 24-48-24-12 columns). */
  width?: number;
}

/** The three columns: [kernel size, channels] of the four convolutions (pooling after the first two). */
const COLUMNS: readonly (readonly [number, number])[][] = [
  [[9, 16], [7, 32], [7, 16], [7, 8]],
  [[7, 20], [5, 40], [5, 20], [5, 10]],
  [[5, 24], [3, 48], [3, 24], [3, 12]],
];

/**
 * MCNN: three columns of four convolutions with large (9-7-7-7), medium
 * (7-5-5-5) and small (5-3-3-3) kernels, ReLU after each, 2×2 max pooling
 * after the first two; the columns' outputs are concatenated (V, 30
 * channels at full width) and a 1×1 convolution gives the density at 1/4
 * resolution. Layers: `column{1,2,3}_conv{1..4}`, `column{i}_pool{1,2}`,
 * `merge`, `density`. 127,953 parameters at full width on gray input
 * (the ≈ 0.13 M usually quoted for it); the paper trains columns separately first, which
 * is a training choice, not part of this builder.
 *
 * @param options Width, channels, seed, prefix; see {@linkcode McnnOptions}.
 * @returns The network (output stride 4, any input size).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mcnn } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const net = mcnn({ width: 0.25, inputChannels: 1 });
 * const x = tf.zeros([2, 32, 24, 1]) as tf.Tensor4D;
 * const y = net.forward(x);
 * console.log(y.shape); // [2, 8, 6, 1]
 * tf.dispose([x, y]);
 * net.dispose();
 * ```
 */
export function mcnn(options: McnnOptions = {}): CountingNetwork {
  const { ctx, inputChannels, features } = resolveCommon(options, "mcnn");
  const width = assertNumber(options.width ?? 1, "width", { min: 0, minExclusive: true });
  const input = imageInput(ctx, inputChannels);
  const columns: Sym[] = COLUMNS.map((column, c) => {
    let x: Sym = input;
    column.forEach(([kernel, channels], i) => {
      x = conv(ctx, x, `column${c + 1}_conv${i + 1}`, {
        filters: scaled(channels, width),
        kernel,
        activation: "relu",
      });
      if (i < 2) x = maxPool(ctx, x, `column${c + 1}_pool${i + 1}`);
    });
    return x;
  });
  const v = concat(ctx, columns, "merge");
  return assembleNetwork(ctx, {
    name: "mcnn",
    input,
    features: v,
    density: densityHead(ctx, v),
    outputStride: 4,
    inputMultiple: 1,
    inputChannels,
    withFeatures: features,
    options: { ...options, width },
  });
}
