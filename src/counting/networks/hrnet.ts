/**
 * An HRNet-style network (Wang et al., "Deep high-resolution representation
 * learning for visual recognition", TPAMI 2020; HRNetV2): parallel branches
 * at 1/4, 1/8, 1/16 and 1/32 resolution, repeatedly fused by exchange units,
 * and the HRNetV2 head (all branches upsampled to 1/4 and concatenated).
 * Narrow by default for CPU runs; {@linkcode HRNET_W48} is HRNetV2-W48.
 *
 * @module
 */
import { assertNumber, assertOneOf } from "../../core/checks.ts";
import {
  add,
  batchNorm,
  type BuildContext,
  concat,
  conv,
  convBnRelu,
  densityHead,
  imageInput,
  relu,
  resolveCommon,
  type Sym,
  upsample,
} from "./_layers.ts";
import { assembleNetwork } from "./_assemble.ts";
import type { CountingNetwork, NetworkOptions } from "./network.ts";

/** Options of {@linkcode hrnet}. */
export interface HrnetOptions extends NetworkOptions {
  /** Channels of the highest-resolution branch, W (default 8); branch k has W·2^k. */
  channels?: number;
  /** Channels of the two stride-2 stem convolutions (default 16; 64 in HRNet). */
  stemChannels?: number;
  /** Bottleneck blocks of stage 1 (default 1; 4 in HRNet); their output has 4 × stemChannels. */
  stage1Blocks?: number;
  /** Basic blocks per branch in each module (default 1; 4 in HRNet). */
  blocks?: number;
  /** Modules (each: blocks, then an exchange unit) of stages 2, 3, 4 (default [1, 1, 1]; HRNet [1, 4, 3]). */
  modules?: readonly [number, number, number];
  /** Number of branches, 2–4 (default 4); with B branches the input sides must be multiples of 4·2^(B−1). */
  branches?: number;
  /**
   * Upsampling in the exchange units and the head (default `"bilinear"`, as
   * HRNetV2; tfjs's `resizeBilinear` without half-pixel centres).
   */
  upsampling?: "bilinear" | "nearest";
}

/** HRNetV2-W48's configuration (the paper's Table 1 / the official `w48` config). */
export const HRNET_W48: Readonly<
  Required<Pick<HrnetOptions, "channels" | "stemChannels" | "stage1Blocks" | "blocks" | "modules">>
> = {
  channels: 48,
  stemChannels: 64,
  stage1Blocks: 4,
  blocks: 4,
  modules: [1, 4, 3],
};

function bottleneck(ctx: BuildContext, x: Sym, name: string, inC: number, planes: number): Sym {
  let y = convBnRelu(ctx, x, `${name}/a`, { filters: planes, kernel: 1 }, true);
  y = convBnRelu(ctx, y, `${name}/b`, { filters: planes }, true);
  y = batchNorm(
    ctx,
    conv(ctx, y, `${name}/c/conv`, { filters: 4 * planes, kernel: 1, bias: false }),
    `${name}/c/bn`,
  );
  let shortcut = x;
  if (inC !== 4 * planes) {
    shortcut = conv(ctx, x, `${name}/shortcut`, { filters: 4 * planes, kernel: 1, bias: false });
    shortcut = batchNorm(ctx, shortcut, `${name}/shortcut_bn`);
  }
  return relu(ctx, add(ctx, [y, shortcut], `${name}/add`), `${name}/relu`);
}

function basicBlock(ctx: BuildContext, x: Sym, name: string, channels: number): Sym {
  let y = convBnRelu(ctx, x, `${name}/a`, { filters: channels }, true);
  y = batchNorm(
    ctx,
    conv(ctx, y, `${name}/b/conv`, { filters: channels, bias: false }),
    `${name}/b/bn`,
  );
  return relu(ctx, add(ctx, [y, x], `${name}/add`), `${name}/relu`);
}

/** The exchange unit: each output branch sums all input branches brought to its resolution and width. */
function exchange(
  ctx: BuildContext,
  xs: Sym[],
  name: string,
  widths: number[],
  interpolation: "bilinear" | "nearest",
): Sym[] {
  return xs.map((_, i) => {
    const terms: Sym[] = xs.map((xj, j) => {
      const n = `${name}/to${i}_from${j}`;
      if (j === i) return xj;
      if (j > i) {
        const y = batchNorm(
          ctx,
          conv(ctx, xj, `${n}/conv`, { filters: widths[i], kernel: 1, bias: false }),
          `${n}/bn`,
        );
        return upsample(ctx, y, `${n}/up`, 2 ** (j - i), interpolation);
      }
      let y = xj;
      for (let k = 0; k < i - j; k++) {
        const last = k === i - j - 1;
        const filters = last ? widths[i] : widths[j];
        y = conv(ctx, y, `${n}/down${k + 1}/conv`, { filters, stride: 2, bias: false });
        y = batchNorm(ctx, y, `${n}/down${k + 1}/bn`);
        if (!last) y = relu(ctx, y, `${n}/down${k + 1}/relu`);
      }
      return y;
    });
    return relu(ctx, add(ctx, terms, `${name}/sum${i}`), `${name}/relu${i}`);
  });
}

/**
 * The HRNet-style network: a stem of two stride-2 3×3 convolutions (1/4
 * resolution), stage 1 of bottleneck blocks, then stages 2, 3, 4 with 2, 3, 4
 * parallel branches (W, 2W, 4W, 8W channels at 1/4 … 1/32), each stage made
 * of modules of basic residual blocks per branch followed by an exchange unit
 * (1×1 conv + BN + upsampling from lower resolutions, strided 3×3 conv + BN
 * from higher ones, summed, ReLU); a new branch is made from the lowest one by
 * a stride-2 3×3 convolution. The HRNetV2 head upsamples every branch to 1/4,
 * concatenates them (15W channels with 4 branches) and applies a 1×1
 * convolution + BN + ReLU (`head`): its output is V; a 1×1 convolution gives
 * the density (`density`) at 1/4 resolution. All convolutions but the density
 * head have no bias, as in HRNet.
 *
 * `hrnet({...HRNET_W48})` is HRNetV2-W48: its backbone (everything before
 * `head`) has 65,325,120 trainable parameters; with HRNetV2's 19-class
 * segmentation head (the same 1×1 conv + BN + ReLU, then 720 → 19) that is
 * 65,860,099, the paper's 65.9 M (Cityscapes table of Wang et al.).
 *
 * @param options Widths, depths, branches, seed; see {@linkcode HrnetOptions}.
 * @returns The network (output stride 4).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { hrnet } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const net = hrnet({ channels: 4, stemChannels: 8 });
 * const x = tf.zeros([1, 32, 64, 3]) as tf.Tensor4D;
 * const y = net.forward(x);
 * console.log(y.shape, net.featureChannels); // [1, 8, 16, 1] 60
 * tf.dispose([x, y]);
 * net.dispose();
 * ```
 */
export function hrnet(options: HrnetOptions = {}): CountingNetwork {
  const { ctx, inputChannels, features } = resolveCommon(options, "hrnet");
  const int1 = (v: unknown, name: string) => assertNumber(v, name, { min: 1, integer: true });
  const w = int1(options.channels ?? 8, "channels");
  const stem = int1(options.stemChannels ?? 16, "stemChannels");
  const stage1Blocks = int1(options.stage1Blocks ?? 1, "stage1Blocks");
  const blocks = int1(options.blocks ?? 1, "blocks");
  const modules = options.modules ?? [1, 1, 1];
  if (!Array.isArray(modules) || modules.length !== 3) {
    throw new RangeError(
      `modules must be three counts (stages 2, 3, 4), got ${JSON.stringify(modules)}`,
    );
  }
  modules.forEach((m, i) => int1(m, `modules[${i}]`));
  const branches = assertNumber(options.branches ?? 4, "branches", {
    min: 2,
    max: 4,
    integer: true,
  });
  const interpolation = options.upsampling ?? "bilinear";
  assertOneOf(interpolation, ["bilinear", "nearest"] as const, "upsampling");

  const input = imageInput(ctx, inputChannels);
  let x = convBnRelu(ctx, input, "stem1", { filters: stem, stride: 2 }, true);
  x = convBnRelu(ctx, x, "stem2", { filters: stem, stride: 2 }, true);
  let c = stem;
  for (let b = 0; b < stage1Blocks; b++) {
    x = bottleneck(ctx, x, `stage1/block${b + 1}`, c, stem);
    c = 4 * stem;
  }

  const widths = [w, 2 * w, 4 * w, 8 * w];
  // transition 1: stage 1's output to branches 0 and 1
  let xs: Sym[] = [
    convBnRelu(ctx, x, "transition1/branch0", { filters: widths[0] }, true),
    convBnRelu(ctx, x, "transition1/branch1", { filters: widths[1], stride: 2 }, true),
  ];
  for (let stage = 2; stage <= branches; stage++) {
    if (stage > 2) {
      const from = xs[xs.length - 1];
      xs = [
        ...xs,
        convBnRelu(ctx, from, `transition${stage - 1}/branch${stage - 1}`, {
          filters: widths[stage - 1],
          stride: 2,
        }, true),
      ];
    }
    for (let m = 0; m < modules[stage - 2]; m++) {
      const name = `stage${stage}/module${m + 1}`;
      xs = xs.map((xb, bi) => {
        let y = xb;
        for (let k = 0; k < blocks; k++) {
          y = basicBlock(ctx, y, `${name}/branch${bi}/block${k + 1}`, widths[bi]);
        }
        return y;
      });
      xs = exchange(ctx, xs, `${name}/exchange`, widths, interpolation);
    }
  }

  const ups = xs.map((xb, bi) =>
    bi === 0 ? xb : upsample(ctx, xb, `head_up${bi}`, 2 ** bi, interpolation)
  );
  const cat = concat(ctx, ups, "head_concat");
  const total = widths.slice(0, branches).reduce((a, b) => a + b, 0);
  const v = convBnRelu(ctx, cat, "head", { filters: total, kernel: 1 }, true, true);
  return assembleNetwork(ctx, {
    name: "hrnet",
    input,
    features: v,
    density: densityHead(ctx, v),
    outputStride: 4,
    inputMultiple: 4 * 2 ** (branches - 1),
    inputChannels,
    withFeatures: features,
    options: {
      ...options,
      channels: w,
      stemChannels: stem,
      stage1Blocks,
      blocks,
      modules: [...modules],
      branches,
      upsampling: interpolation,
    },
  });
}
