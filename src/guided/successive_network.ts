/**
 * The successive unsharp-mask guided filtering network (thesis Sec. 3.4,
 * Fig. 21): amount blocks chained by concatenation, one filtered output per
 * block, Î⁽ˡ⁾ = f_a⁽ˡ⁾ ⊙ G_m + F_L(I).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import {
  applyConv,
  checkBatch,
  checkUpTo,
  type ConvWeights,
  type GuidedNetwork,
  ParameterStore,
} from "./guided_network.ts";
import { checkLowPass, type LowPass, lowPassFilter } from "./low_pass.ts";

/** Configuration of {@linkcode createSuccessiveNetwork}. */
export interface SuccessiveNetworkConfig {
  /** Number of amount blocks L (default 4, the thesis's choice). */
  blocks?: number;
  /** Channels of every dilated convolution (default 24). */
  width?: number;
  /** Dilations of the block's 3 × 3 convolutions (default [1, 2, 4, 8]). */
  dilations?: number[];
  /** Guide channels: 1 (gray guide, e.g. rgb2gray for depth) or the target's. Default 1. */
  guideChannels?: number;
  /** Target channels (default 1). */
  targetChannels?: number;
  /** F_L (default a box filter of radius 8, once, as the thesis's Sec. 3.5.3). */
  lowPass?: LowPass;
  /** Negative slope of the LeakyReLU (default 0.1). */
  slope?: number;
  /** Seed of the initialisation (default 0). */
  seed?: number;
}

/** Every term of the successive filter, for inspection (thesis Fig. 28 h–j). */
export interface SuccessiveParts {
  /** Î⁽ˡ⁾ per block. */
  outputs: tf.Tensor4D[];
  /** f_a⁽ˡ⁾ per block. */
  amounts: tf.Tensor4D[];
  /** G_m = G − F_L(G). */
  guideMask: tf.Tensor4D;
  /** F_L(I). */
  lowPassTarget: tf.Tensor4D;
}

/** The successive network: a {@linkcode GuidedNetwork} that also exposes its parts. */
export interface SuccessiveNetwork extends GuidedNetwork {
  /** The configuration with defaults filled in. */
  readonly config: Required<SuccessiveNetworkConfig>;
  /**
   * Like `forward`, returning the amounts, G_m and F_L(I) too.
   *
   * @param guide `[N, H, W, Cg]`.
   * @param target `[N, H, W, Ct]`.
   * @param upTo Number of blocks to run (default all).
   * @returns New tensors the caller disposes.
   */
  forwardParts(guide: tf.Tensor4D, target: tf.Tensor4D, upTo?: number): SuccessiveParts;
}

/**
 * Builds the successive unsharp-mask guided filtering network (Fig. 21).
 *
 * Input: the unsharp masks I_m = I − F_L(I) and G_m = G − F_L(G),
 * concatenated. Block l: four 3 × 3 convolutions (`width` channels,
 * dilations 1, 2, 4, 8, each followed by LeakyReLU 0.1) on the block's
 * input; a 1 × 1 convolution of the last features gives the amount f_a⁽ˡ⁾
 * (Ct channels) and the output Î⁽ˡ⁾ = f_a⁽ˡ⁾ ⊙ G_m + F_L(I) (eq. 3.17); the
 * block's input concatenated with its last features is the next block's
 * input. One trained network thus gives L filters of increasing cost.
 *
 * Parameters with the defaults (1-channel guide and target): 16.1k, 37.4k,
 * 63.9k and 95.5k for Î⁽¹⁾…Î⁽⁴⁾. The thesis's Table 8 lists 17k, 38k, 59k and
 * 85k; the text ("concatenating its input and its feature maps") is
 * implemented literally here.
 *
 * @param config Sizes, F_L and seed.
 * @returns The network; dispose it when done.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { createSuccessiveNetwork } from "./successive_network.ts";
 * await tf.setBackend("cpu");
 * const net = createSuccessiveNetwork({ blocks: 2, width: 4, lowPass: { kind: "box", radius: 2 } });
 * const g = tf.randomUniform([1, 16, 16, 1]) as tf.Tensor4D;
 * const outs = net.forward(g, g);
 * assertEquals(outs.map((o) => o.shape), [[1, 16, 16, 1], [1, 16, 16, 1]]);
 * net.dispose();
 * ```
 */
export function createSuccessiveNetwork(config: SuccessiveNetworkConfig = {}): SuccessiveNetwork {
  const cfg: Required<SuccessiveNetworkConfig> = {
    blocks: assertNumber(config.blocks ?? 4, "blocks", { min: 1, integer: true }),
    width: assertNumber(config.width ?? 24, "width", { min: 1, integer: true }),
    dilations: config.dilations ?? [1, 2, 4, 8],
    guideChannels: assertNumber(config.guideChannels ?? 1, "guideChannels", {
      min: 1,
      integer: true,
    }),
    targetChannels: assertNumber(config.targetChannels ?? 1, "targetChannels", {
      min: 1,
      integer: true,
    }),
    lowPass: config.lowPass ?? { kind: "box", radius: 8, times: 1 },
    slope: assertNumber(config.slope ?? 0.1, "slope", { min: 0 }),
    seed: assertNumber(config.seed ?? 0, "seed", { integer: true }),
  };
  checkLowPass(cfg.lowPass);
  if (cfg.dilations.length === 0) throw new RangeError("dilations must not be empty");
  cfg.dilations.forEach((d, i) => assertNumber(d, `dilations[${i}]`, { min: 1, integer: true }));
  const { guideChannels: cg, targetChannels: ct, width, slope } = cfg;
  if (cg !== 1 && cg !== ct) {
    throw new RangeError(
      `guideChannels must be 1 or targetChannels (${ct}), got ${cg}: use a gray guide`,
    );
  }
  const store = new ParameterStore(cfg.seed);
  const blocks: { convs: ConvWeights[]; out: ConvWeights }[] = [];
  let cin = cg + ct;
  for (let l = 0; l < cfg.blocks; l++) {
    const convs = cfg.dilations.map((_, i) =>
      store.conv(`block${l}/conv${i}`, 3, i === 0 ? cin : width, width, { slope })
    );
    // Small output weights: the network starts near Î = F_L(I).
    const out = store.conv(`block${l}/amount`, 1, width, ct, { scale: 0.1, slope });
    blocks.push({ convs, out });
    cin += width;
  }

  const parts = (guide: tf.Tensor4D, target: tf.Tensor4D, upTo?: number): SuccessiveParts => {
    checkBatch(net, guide, target);
    const n = checkUpTo(upTo, cfg.blocks);
    const kept = tf.tidy(() => {
      const lowG = lowPassFilter(guide, cfg.lowPass), lowI = lowPassFilter(target, cfg.lowPass);
      const gm = tf.sub(guide, lowG) as tf.Tensor4D;
      let x = tf.concat([tf.sub(target, lowI), gm], 3) as tf.Tensor4D;
      const outputs: tf.Tensor4D[] = [], amounts: tf.Tensor4D[] = [];
      for (let l = 0; l < n; l++) {
        let h = x;
        blocks[l].convs.forEach((c, i) => {
          h = tf.leakyRelu(applyConv(c, h, { dilation: cfg.dilations[i] }), slope);
        });
        const fa = applyConv(blocks[l].out, h);
        amounts.push(fa);
        outputs.push(tf.add(tf.mul(fa, gm), lowI));
        if (l + 1 < n) x = tf.concat([x, h], 3);
      }
      return { outputs, amounts, guideMask: gm, lowPassTarget: lowI as tf.Tensor4D };
    });
    return kept;
  };

  const net: SuccessiveNetwork = {
    name: "ours",
    config: cfg,
    variables: store.variables,
    outputs: cfg.blocks,
    guideChannels: cg,
    targetChannels: ct,
    forward(guide, target, upTo) {
      const p = parts(guide, target, upTo);
      tf.dispose([...p.amounts, p.guideMask, p.lowPassTarget]);
      return p.outputs;
    },
    forwardParts: parts,
    parameterCount(output = cfg.blocks) {
      const l = checkUpTo(output, cfg.blocks);
      return blocks.slice(0, l).reduce((s, b) => s + ParameterStore.count(b.convs), 0) +
        ParameterStore.count([blocks[l - 1].out]);
    },
    dispose: () => store.dispose(),
  };
  return net;
}
