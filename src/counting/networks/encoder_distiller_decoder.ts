/**
 * The encoder-distiller-decoder of chapter 4 (the thesis's Fig. 41; Shi,
 * Mettes & Snoek, "Counting with focus for free", ICCV 2019), with the
 * variants of the ablation in Table 21.
 *
 * @module
 */
import { assertNumber } from "../../core/checks.ts";
import {
  add,
  batchNorm,
  type BuildContext,
  concat,
  conv,
  convBnRelu,
  deconv,
  densityHead,
  imageInput,
  relu,
  resolveCommon,
  scaled,
  subsample,
  type Sym,
} from "./_layers.ts";
import { assembleNetwork } from "./_assemble.ts";
import type { CountingNetwork, NetworkOptions } from "./network.ts";

/** Options of {@linkcode encoderDistillerDecoder}. */
export interface EncoderDistillerDecoderOptions extends NetworkOptions {
  /** Channel multiplier (default 1: 16/32/64/96 in the encoder, 64/32/16 in the decoder). */
  width?: number;
  /** Include the distiller (default true). */
  distiller?: boolean;
  /** Include the decoder (default true): full-resolution output; without it, 1/8. */
  decoder?: boolean;
}

/** The encoder's residual blocks after the stem: [name, channels, stride, dilation, level]. */
const ENCODER: readonly (readonly [string, number, number, number, number])[] = [
  ["res_block1", 16, 1, 1, 1],
  ["res_block2", 32, 2, 1, 2],
  ["res_block3", 64, 2, 1, 3],
  ["res_block3_1", 64, 1, 1, 3],
  ["res_block4", 96, 2, 1, 4],
  ["res_block4_1", 96, 1, 1, 4],
  ["res_block5", 96, 1, 2, 5],
  ["res_block5_1", 96, 1, 2, 5],
  ["res_block6", 96, 1, 4, 6],
  ["res_block6_1", 96, 1, 4, 6],
  ["res_block7", 96, 1, 2, 7],
  ["res_block7_1", 96, 1, 2, 7],
  ["res_block8", 96, 1, 1, 8],
  ["res_block8_1", 96, 1, 1, 8],
];

/** Residual block: two 3×3 conv+BN (ReLU between), identity or 1×1 conv+BN shortcut, sum, ReLU. */
function residualBlock(
  ctx: BuildContext,
  x: Sym,
  name: string,
  inChannels: number,
  spec: { filters: number; stride: number; dilation: number },
): Sym {
  const { filters, stride, dilation } = spec;
  let y = conv(ctx, x, `${name}/conv1`, { filters, stride, dilation, bias: false });
  y = relu(ctx, batchNorm(ctx, y, `${name}/bn1`), `${name}/relu1`);
  y = conv(ctx, y, `${name}/conv2`, { filters, dilation, bias: false });
  y = batchNorm(ctx, y, `${name}/bn2`);
  let shortcut = x;
  if (inChannels !== filters || stride !== 1) {
    // A strided 1×1 convolution, written as subsampling (a 1×1 average pool with the stride: the
    // same pixels 'same' padding picks, ⌈H/s⌉ of them) then a 1×1 convolution: the same
    // function and weights. The direct form's filter gradient crashes the wasm backend (native
    // heap corruption in Conv2DBackpropFilter for a 1×1 kernel with stride 2 at 64×64 and above).
    const sub = stride === 1 ? x : subsample(ctx, x, `${name}/shortcut_subsample`, stride);
    shortcut = conv(ctx, sub, `${name}/shortcut`, { filters, kernel: 1, bias: false });
    shortcut = batchNorm(ctx, shortcut, `${name}/shortcut_bn`);
  }
  return relu(ctx, add(ctx, [y, shortcut], `${name}/add`), `${name}/relu`);
}

/**
 * The encoder-distiller-decoder network (Fig. 41), following the author's
 * released TensorFlow code (github.com/shizenglin/Counting-with-Focus-for-Free,
 * `code/model.py` and `code/ops.py`) where it is more precise than the text:
 *
 * - **Encoder**: a 7×7 convolution with 16 channels (`conv1`, level 0), then
 *   residual blocks (two 3×3 convolutions, identity shortcut or a strided 1×1
 *   convolution where the shape changes): level 1 one block of 16 channels;
 *   levels 2, 3, 4 start with a stride-2 block of 32, 64, 96 channels (levels 3
 *   and 4 add a second block); levels 5–8 are two 96-channel blocks each with
 *   dilations 2, 4, 2, 1. Layer names are the code's (`res_block1`,
 *   `res_block3_1`, ...).
 * - **Distiller**: the outputs of levels 4, 5, 7 and 8 concatenated (not level
 *   6, whose dilation 4 causes gridding), then four 3×3 convolutions of 96
 *   channels (`res_block9/dense{1,2}`, `res_block9_1/dense{1,2}`).
 * - **Decoder**: three 4×4 stride-2 transposed convolutions of 64, 32, 16
 *   channels (`deconv{1,2,3}_upsample`), the first two followed by two 3×3
 *   convolutions and the last by one: the code's choice; the text says "two
 *   convolution layers after each deconvolution layer".
 * - **Head**: V is the last feature map (16 channels with the decoder, 96
 *   without) and a 1×1 convolution with bias gives the density
 *   (`density`; the code's `pred_dprob`).
 *
 * One change of form, not of function: the strided 1×1 shortcut convolutions
 * (levels 2–4) are written as a 1×1 average pooling with stride 2
 * (`shortcut_subsample`, which keeps the pixels 'same' padding picks) then a
 * 1×1 convolution (`shortcut`), because the direct form's filter gradient
 * crashes the wasm backend at 64×64 and above; the weights are the same.
 *
 * Every convolution is followed by batch norm then ReLU, in the code's order
 * (the caption of Fig. 41 says ReLU then batch norm); convolutions have no
 * bias, as in the code. The code's batch norm has decay 0.9 and ε = 1e-5,
 * this builder's defaults; its initialisation is a truncated N(0, 0.01²)
 * (use `init: "normal"` for the untruncated one) and it adds an L2 weight
 * decay of 5e-4, which belongs to the training loss, not here.
 *
 * Table 21's variants: `{distiller: false, decoder: false}` (encoder: output
 * stride 8), `{decoder: false}` (encoder + distiller, stride 8),
 * `{distiller: false}` (encoder + decoder: the decoder starts from level 8),
 * and the default (all, full resolution). With the decoder the input sides
 * must be multiples of 8.
 *
 * Layers are named `edd/...` unless `prefix` says otherwise.
 *
 * @param options Width, variant, seed; see {@linkcode EncoderDistillerDecoderOptions}.
 * @returns The network.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { encoderDistillerDecoder } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const net = encoderDistillerDecoder({ width: 0.25 });
 * const x = tf.zeros([1, 16, 24, 3]) as tf.Tensor4D;
 * const y = net.forward(x);
 * console.log(y.shape, net.featureChannels); // [1, 16, 24, 1] 4
 * tf.dispose([x, y]);
 * net.dispose();
 * ```
 */
export function encoderDistillerDecoder(
  options: EncoderDistillerDecoderOptions = {},
): CountingNetwork {
  const { ctx, inputChannels, features } = resolveCommon(options, "edd");
  const width = assertNumber(options.width ?? 1, "width", { min: 0, minExclusive: true });
  const withDistiller = options.distiller ?? true;
  const withDecoder = options.decoder ?? true;
  const ch = (c: number) => scaled(c, width);
  const input = imageInput(ctx, inputChannels);

  let x = convBnRelu(ctx, input, "conv1", { filters: ch(16), kernel: 7 }, true);
  let channels = ch(16);
  const levelOut = new Map<number, Sym>();
  for (const [name, c, stride, dilation, level] of ENCODER) {
    x = residualBlock(ctx, x, name, channels, { filters: ch(c), stride, dilation });
    channels = ch(c);
    levelOut.set(level, x);
  }

  if (withDistiller) {
    x = concat(ctx, [4, 5, 7, 8].map((l) => levelOut.get(l)!), "distiller_concat");
    for (const name of ["res_block9", "res_block9_1"]) {
      x = convBnRelu(ctx, x, `${name}/dense1`, { filters: ch(96) }, true);
      x = convBnRelu(ctx, x, `${name}/dense2`, { filters: ch(96) }, true);
    }
  }

  if (withDecoder) {
    [64, 32, 16].forEach((c, i) => {
      const n = i + 1;
      const up = deconv(ctx, x, `deconv${n}_upsample/deconv`, {
        filters: ch(c),
        kernel: 4,
        stride: 2,
        bias: false,
      });
      x = relu(
        ctx,
        batchNorm(ctx, up, `deconv${n}_upsample/bn`),
        `deconv${n}_upsample/relu`,
      );
      const convs = n < 3 ? ["dense1", "dense2"] : ["dense1"];
      for (const d of convs) {
        x = convBnRelu(ctx, x, `deconv${n}_conv1/${d}`, { filters: ch(c) }, true);
      }
    });
  }

  return assembleNetwork(ctx, {
    name: "encoderDistillerDecoder",
    input,
    features: x,
    density: densityHead(ctx, x),
    outputStride: withDecoder ? 1 : 8,
    inputMultiple: withDecoder ? 8 : 1,
    inputChannels,
    withFeatures: features,
    options: { ...options, width, distiller: withDistiller, decoder: withDecoder },
  });
}
