/**
 * FCRN-A, the fully convolutional regression network of Xie, Noble &
 * Zisserman ("Microscopy cell counting and detection with fully
 * convolutional regression networks", 2016; MICCAI workshop 2015).
 *
 * @module
 */
import { assertNumber } from "../../core/checks.ts";
import {
  convBnRelu,
  densityHead,
  imageInput,
  maxPool,
  resolveCommon,
  scaled,
  type Sym,
  upsample,
} from "./_layers.ts";
import { assembleNetwork } from "./_assemble.ts";
import type { CountingNetwork, NetworkOptions } from "./network.ts";

/** Options of {@linkcode fcrn}. */
export interface FcrnOptions extends NetworkOptions {
  /** Channel multiplier (default 1: 32-64-128-512-128-64-32). */
  width?: number;
  /**
   * Batch norm after each 3×3 convolution, before its ReLU, convolutions
   * without bias (default false, the paper's network): the authors' released
   * Keras code (github.com/WeidiXie/cell_counting_v2, `model.py`) adds it
   * "to make training easier".
   */
  batchNorm?: boolean;
}

/**
 * FCRN-A: 3×3 convolutions of 32, 64, 128 channels each followed by ReLU and
 * 2×2 max pooling (`conv1`…`conv3`, `pool1`…`pool3`), a 3×3 convolution of
 * 512 channels (`conv4`, the paper's "fully connected" layer), then three
 * steps of ×2 nearest-neighbour upsampling and a 3×3 convolution of 128, 64,
 * 32 channels (`up5`/`conv5` … `up7`/`conv7`; `conv7`'s output is V), and a
 * 1×1 convolution to the density (`density`) at full resolution. Input
 * sides must be multiples of 8. 1,365,825 parameters at full width on RGB
 * input (counted from the paper's layer table; the paper gives no total).
 *
 * @param options Width, batch norm, seed; see {@linkcode FcrnOptions}.
 * @returns The network (output stride 1, sides multiples of 8).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fcrn } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const net = fcrn({ width: 0.125, batchNorm: true });
 * const x = tf.zeros([2, 16, 24, 3]) as tf.Tensor4D;
 * const y = net.forward(x);
 * console.log(y.shape); // [2, 16, 24, 1]
 * tf.dispose([x, y]);
 * net.dispose();
 * ```
 */
export function fcrn(options: FcrnOptions = {}): CountingNetwork {
  const { ctx, inputChannels, features } = resolveCommon(options, "fcrn");
  const width = assertNumber(options.width ?? 1, "width", { min: 0, minExclusive: true });
  const bn = options.batchNorm ?? false;
  const input = imageInput(ctx, inputChannels);
  let x: Sym = input;
  [32, 64, 128].forEach((c, i) => {
    x = convBnRelu(ctx, x, `conv${i + 1}`, { filters: scaled(c, width) }, bn);
    x = maxPool(ctx, x, `pool${i + 1}`);
  });
  x = convBnRelu(ctx, x, "conv4", { filters: scaled(512, width) }, bn);
  [128, 64, 32].forEach((c, i) => {
    x = upsample(ctx, x, `up${i + 5}`, 2, "nearest");
    x = convBnRelu(ctx, x, `conv${i + 5}`, { filters: scaled(c, width) }, bn);
  });
  return assembleNetwork(ctx, {
    name: "fcrn",
    input,
    features: x,
    density: densityHead(ctx, x),
    outputStride: 1,
    inputMultiple: 8,
    inputChannels,
    withFeatures: features,
    options: { ...options, width, batchNorm: bn },
  });
}
