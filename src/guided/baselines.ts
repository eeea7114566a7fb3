/**
 * The learned baselines of the thesis's Sec. 3.5.3, trained by the same loop
 * as the successive network: DJF (Li et al., two branches fused by
 * concatenation, eq. 3.7), SVLRM (Pan et al., two coefficients,
 * Î = f_α ⊙ G + f_β, eq. 3.9) and DGF (Wu et al., learned guide and target
 * fed to the differentiable guided filter, eq. 3.8). Sizes are configurable
 * so that CPU runs stay short; the defaults follow the papers.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import { guidedFilter } from "./guided_filter.ts";
import {
  applyConv,
  checkBatch,
  checkUpTo,
  type ConvWeights,
  type GuidedNetwork,
  ParameterStore,
} from "./guided_network.ts";

/** Channel counts shared by the baselines. */
export interface BaselineChannels {
  /** Guide channels (default 1). */
  guideChannels?: number;
  /** Target channels (default 1). */
  targetChannels?: number;
  /** Seed of the initialisation (default 0). */
  seed?: number;
}

/** Configuration of {@linkcode createDjf}. */
export interface DjfConfig extends BaselineChannels {
  /** Output channels of each branch's layers (default [96, 48, 1], Li et al.). */
  branchWidths?: number[];
  /** Kernel sizes of the branch layers (default [9, 5, 5]). */
  branchKernels?: number[];
  /** Output channels of the fusion's hidden layers (default [64, 32]). */
  fusionWidths?: number[];
  /** Kernel sizes of the fusion layers, one more than widths (default [9, 1, 5]). */
  fusionKernels?: number[];
  /** Predict the residual Î − I (default true, as DJF+). */
  residual?: boolean;
}

function chain(
  store: ParameterStore,
  name: string,
  cin: number,
  widths: number[],
  kernels: number[],
): ConvWeights[] {
  if (widths.length !== kernels.length) {
    throw new RangeError(
      `${name}: ${kernels.length} kernel sizes for ${widths.length} layers`,
    );
  }
  return widths.map((w, i) => {
    assertNumber(w, `${name} width ${i}`, { min: 1, integer: true });
    assertNumber(kernels[i], `${name} kernel ${i}`, { min: 1, integer: true });
    return store.conv(`${name}/conv${i}`, kernels[i], i === 0 ? cin : widths[i - 1], w, {
      slope: 0,
    });
  });
}

function run(convs: ConvWeights[], x: tf.Tensor4D, lastLinear: boolean, slope = 0): tf.Tensor4D {
  let h = x;
  convs.forEach((c, i) => {
    h = applyConv(c, h);
    if (!(lastLinear && i === convs.length - 1)) {
      h = slope > 0 ? tf.leakyRelu(h, slope) : tf.relu(h);
    }
  });
  return h;
}

function channels(c: BaselineChannels) {
  const cg = assertNumber(c.guideChannels ?? 1, "guideChannels", { min: 1, integer: true });
  const ct = assertNumber(c.targetChannels ?? 1, "targetChannels", { min: 1, integer: true });
  return { cg, ct, seed: assertNumber(c.seed ?? 0, "seed", { integer: true }) };
}

function baseNetwork(
  name: string,
  store: ParameterStore,
  cg: number,
  ct: number,
  filter: (g: tf.Tensor4D, t: tf.Tensor4D) => tf.Tensor4D,
): GuidedNetwork {
  const net: GuidedNetwork = {
    name,
    variables: store.variables,
    outputs: 1,
    guideChannels: cg,
    targetChannels: ct,
    forward(guide, target, upTo) {
      checkBatch(net, guide, target);
      checkUpTo(upTo, 1);
      return [tf.tidy(() => filter(guide, target))];
    },
    parameterCount(output = 1) {
      checkUpTo(output, 1);
      return Object.values(store.variables).reduce((s, v) => s + v.size, 0);
    },
    dispose: () => store.dispose(),
  };
  return net;
}

/**
 * Deep joint filtering (Li, Huang, Ahuja, Yang, ECCV 2016; thesis eq. 3.7):
 * Î = f_IG(f_I(I) ⊕ f_G(G)), three ReLU convolution layers per branch and
 * three in the fusion network; with `residual` the network adds I.
 *
 * @param config Layer sizes, channels and seed.
 * @returns The network (one output).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { createDjf } from "./baselines.ts";
 * await tf.setBackend("cpu");
 * const net = createDjf({ branchWidths: [4, 2, 1], fusionWidths: [4, 2] });
 * const g = tf.randomUniform([1, 12, 12, 1]) as tf.Tensor4D;
 * assertEquals(net.forward(g, g)[0].shape, [1, 12, 12, 1]);
 * net.dispose();
 * ```
 */
export function createDjf(config: DjfConfig = {}): GuidedNetwork {
  const { cg, ct, seed } = channels(config);
  const bw = config.branchWidths ?? [96, 48, 1], bk = config.branchKernels ?? [9, 5, 5];
  const fw = config.fusionWidths ?? [64, 32], fk = config.fusionKernels ?? [9, 1, 5];
  const residual = config.residual ?? true;
  const store = new ParameterStore(seed);
  const fI = chain(store, "djf/target", ct, bw, bk);
  const fG = chain(store, "djf/guide", cg, bw, bk);
  const fusion = chain(store, "djf/fusion", 2 * bw[bw.length - 1], [...fw, ct], fk);
  return baseNetwork("djf", store, cg, ct, (g, t) => {
    const fused = run(fusion, tf.concat([run(fI, t, false), run(fG, g, false)], 3), true);
    return residual ? tf.add(t, fused) : fused;
  });
}

/** Configuration of {@linkcode createSvlrm}. */
export interface SvlrmConfig extends BaselineChannels {
  /** Number of hidden 3 × 3 layers (default 10, Pan et al.). */
  depth?: number;
  /** Channels of the hidden layers (default 64). */
  width?: number;
  /** Negative slope of the LeakyReLU (default 0.1). */
  slope?: number;
}

/**
 * The spatially variant linear representation model (Pan et al., CVPR 2019;
 * thesis eq. 3.9): one network on I ⊕ G predicts two coefficient maps and
 * Î = f_α ⊙ G + f_β. A colour guide needs a colour target of as many channels.
 *
 * @param config Depth, width, channels and seed.
 * @returns The network (one output).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { createSvlrm } from "./baselines.ts";
 * await tf.setBackend("cpu");
 * const net = createSvlrm({ depth: 2, width: 4 });
 * const g = tf.randomUniform([1, 12, 12, 1]) as tf.Tensor4D;
 * assertEquals(net.forward(g, g)[0].shape, [1, 12, 12, 1]);
 * net.dispose();
 * ```
 */
export function createSvlrm(config: SvlrmConfig = {}): GuidedNetwork {
  const { cg, ct, seed } = channels(config);
  if (cg !== 1 && cg !== ct) throw new RangeError(`guideChannels must be 1 or ${ct}, got ${cg}`);
  const depth = assertNumber(config.depth ?? 10, "depth", { min: 1, integer: true });
  const width = assertNumber(config.width ?? 64, "width", { min: 1, integer: true });
  const slope = assertNumber(config.slope ?? 0.1, "slope", { min: 0 });
  const store = new ParameterStore(seed);
  const hidden = Array.from(
    { length: depth },
    (_, i) => store.conv(`svlrm/conv${i}`, 3, i === 0 ? cg + ct : width, width, { slope }),
  );
  const out = store.conv("svlrm/coefficients", 3, width, 2 * ct, { scale: 0.1, slope });
  return baseNetwork("svlrm", store, cg, ct, (g, t) => {
    const coef = applyConv(out, run(hidden, tf.concat([t, g], 3), false, slope));
    const [alpha, beta] = tf.split(coef, 2, 3);
    return tf.add(tf.mul(alpha, g), beta);
  });
}

/** Configuration of {@linkcode createDgf}. */
export interface DgfConfig extends BaselineChannels {
  /** Hidden channels of the guidance network (1 × 1 convolutions; default 16). */
  guideWidth?: number;
  /** Hidden 3 × 3 layers of the target network (default 3). */
  targetDepth?: number;
  /** Channels of the target network (default 24). */
  targetWidth?: number;
  /** Radius of the guided filter (default 4, thesis Fig. 26). */
  radius?: number;
  /** ε of the guided filter (default 0.1², thesis Fig. 26). */
  eps?: number;
}

/**
 * Deep guided filtering (Wu, Zheng, Zhang, Huang, CVPR 2018; thesis
 * eq. 3.8): a guidance network f_G (1 × 1 convolutions, LeakyReLU) maps G to
 * a one-channel guide, a residual network f_I amends the target, and the
 * classical guided filter (differentiable, {@linkcode guidedFilter}) gives
 * Î = F_GF(f_I(I), f_G(G)).
 *
 * @param config Sizes, the filter's r and ε, channels and seed.
 * @returns The network (one output).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { createDgf } from "./baselines.ts";
 * await tf.setBackend("cpu");
 * const net = createDgf({ guideWidth: 4, targetDepth: 1, targetWidth: 4 });
 * const g = tf.randomUniform([1, 12, 12, 1]) as tf.Tensor4D;
 * assertEquals(net.forward(g, g)[0].shape, [1, 12, 12, 1]);
 * net.dispose();
 * ```
 */
export function createDgf(config: DgfConfig = {}): GuidedNetwork {
  const { cg, ct, seed } = channels(config);
  const gw = assertNumber(config.guideWidth ?? 16, "guideWidth", { min: 1, integer: true });
  const td = assertNumber(config.targetDepth ?? 3, "targetDepth", { min: 1, integer: true });
  const tw = assertNumber(config.targetWidth ?? 24, "targetWidth", { min: 1, integer: true });
  const radius = assertNumber(config.radius ?? 4, "radius", { min: 1, integer: true });
  const eps = assertNumber(config.eps ?? 0.01, "eps", { min: 0, minExclusive: true });
  const store = new ParameterStore(seed);
  const fG = [store.conv("dgf/guide0", 1, cg, gw), store.conv("dgf/guide1", 1, gw, 1)];
  const fI = [
    ...Array.from({ length: td }, (_, i) => store.conv(`dgf/target${i}`, 3, i === 0 ? ct : tw, tw)),
    store.conv("dgf/target_out", 3, tw, ct, { scale: 0.1 }),
  ];
  return baseNetwork("dgf", store, cg, ct, (g, t) => {
    const guide = tf.add(run(fG, g, true, 0.1), tf.mean(g, 3, true)) as tf.Tensor4D;
    const target = tf.add(t, run(fI, t, true, 0.1)) as tf.Tensor4D;
    return guidedFilter(guide, target, { radius, eps });
  });
}
