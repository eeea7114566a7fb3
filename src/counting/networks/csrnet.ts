/**
 * CSRNet (Li, Zhang & Chen, CVPR 2018, "CSRNet: Dilated convolutional neural
 * networks for understanding the highly congested scenes"), with the
 * batch-norm variant chapter 5 uses.
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
} from "./_layers.ts";
import { assembleNetwork } from "./_assemble.ts";
import type { CountingNetwork, NetworkOptions } from "./network.ts";

/** Options of {@linkcode csrnet}. */
export interface CsrnetOptions extends NetworkOptions {
  /** Channel multiplier (default 1: VGG-16's 64-128-256-512 and the 512…64 back-end). */
  width?: number;
  /**
   * Batch norm after every 3×3 convolution, before its ReLU (default false):
   * chapter 5's CSRNet, as in CSRNet-pytorch's `make_layers(batch_norm=True)`
   * and C^3-Framework's CSRNet_BN. The convolutions keep their biases, so
   * that VGG-16-BN weights load one to one.
   */
  batchNorm?: boolean;
  /** Dilation of the back-end (default 2, the paper's configuration B). */
  dilation?: number;
}

/** VGG-16's first ten convolutions: [name, channels]; `pool` after conv1_2, conv2_2, conv3_3. */
const FRONT_END: readonly (readonly [string, number])[] = [
  ["conv1_1", 64],
  ["conv1_2", 64],
  ["conv2_1", 128],
  ["conv2_2", 128],
  ["conv3_1", 256],
  ["conv3_2", 256],
  ["conv3_3", 256],
  ["conv4_1", 512],
  ["conv4_2", 512],
  ["conv4_3", 512],
];
const POOL_AFTER = new Set(["conv1_2", "conv2_2", "conv3_3"]);
const BACK_END = [512, 512, 512, 256, 128, 64];

/**
 * CSRNet: the first ten 3×3 convolutions of VGG-16 with three 2×2 max
 * poolings (layers `conv1_1` … `conv4_3`, `pool1` … `pool3`), a back-end of
 * six 3×3 convolutions with dilation 2 and 512, 512, 512, 256, 128, 64
 * channels (`backend1` … `backend6`; the last one's output is V), ReLU after
 * each, then a 1×1 convolution (`density`). Output stride 8. 16,263,489
 * parameters at full width on RGB input (the paper's 16.26 M). With batch
 * norm, each convolution `name` becomes `name/conv`, `name/bn`, `name/relu`.
 *
 * Pretrained VGG-16 weights load with `loadWeights` (the front-end's names
 * are VGG's `convX_Y`).
 *
 * @param options Width, batch norm, dilation, seed; see {@linkcode CsrnetOptions}.
 * @returns The network (output stride 8, any input size).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { csrnet } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const net = csrnet({ width: 1 / 16, batchNorm: true });
 * const x = tf.zeros([1, 40, 24, 3]) as tf.Tensor4D;
 * const y = net.forward(x);
 * console.log(y.shape, net.outputStride); // [1, 5, 3, 1] 8
 * tf.dispose([x, y]);
 * net.dispose();
 * ```
 */
export function csrnet(options: CsrnetOptions = {}): CountingNetwork {
  const { ctx, inputChannels, features } = resolveCommon(options, "csrnet");
  const width = assertNumber(options.width ?? 1, "width", { min: 0, minExclusive: true });
  const dilation = assertNumber(options.dilation ?? 2, "dilation", { min: 1, integer: true });
  const bn = options.batchNorm ?? false;
  const input = imageInput(ctx, inputChannels);
  let x: Sym = input;
  let pool = 0;
  for (const [name, channels] of FRONT_END) {
    x = convBnRelu(ctx, x, name, { filters: scaled(channels, width) }, bn, true);
    if (POOL_AFTER.has(name)) x = maxPool(ctx, x, `pool${++pool}`);
  }
  BACK_END.forEach((channels, i) => {
    x = convBnRelu(
      ctx,
      x,
      `backend${i + 1}`,
      { filters: scaled(channels, width), dilation },
      bn,
      true,
    );
  });
  return assembleNetwork(ctx, {
    name: "csrnet",
    input,
    features: x,
    density: densityHead(ctx, x),
    outputStride: 8,
    inputMultiple: 1,
    inputChannels,
    withFeatures: features,
    options: { ...options, width, dilation, batchNorm: bn },
  });
}
