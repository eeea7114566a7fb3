/**
 * What every learned guided filter of this folder is (the successive
 * unsharp-mask network and the DJF, SVLRM and DGF baselines), and the small
 * convolution layer they are built from.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, formatShape } from "../core/checks.ts";
import { Rng } from "../core/rng.ts";

/** A learned guided filter Î = F(I, G) on NHWC batches. */
export interface GuidedNetwork {
  /** Short name for tables ("ours", "djf", "svlrm", "dgf"). */
  readonly name: string;
  /** Trainable variables by stable name (the keys checkpoints use). */
  readonly variables: Record<string, tf.Variable>;
  /** Number of filtered outputs (L for the successive network, 1 for the baselines). */
  readonly outputs: number;
  /** Channels of the guide the network takes. */
  readonly guideChannels: number;
  /** Channels of the target (and output). */
  readonly targetChannels: number;
  /**
   * Filters a batch.
   *
   * @param guide `[N, H, W, Cg]` in [0, 1].
   * @param target `[N, H, W, Ct]`, the degraded image at the output resolution.
   * @param upTo Compute only the first `upTo` outputs (default all): the
   *   speed/accuracy trade-off of the successive network.
   * @returns The outputs, each `[N, H, W, Ct]` (new tensors).
   */
  forward(guide: tf.Tensor4D, target: tf.Tensor4D, upTo?: number): tf.Tensor4D[];
  /**
   * Number of parameters needed to compute output `output` (1-based;
   * default the last).
   */
  parameterCount(output?: number): number;
  /** Disposes the variables. */
  dispose(): void;
}

/** A convolution's weights. */
export interface ConvWeights {
  /** Filter `[kh, kw, cin, cout]`. */
  w: tf.Variable;
  /** Bias `[cout]`. */
  b: tf.Variable;
}

/**
 * Creates and names the variables of a network, initialised from a seeded
 * {@linkcode Rng} (identical on every backend).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { applyConv, ParameterStore } from "./guided_network.ts";
 * await tf.setBackend("cpu");
 * const store = new ParameterStore(0);
 * const c = store.conv("layer", 3, 2, 4);
 * const y = applyConv(c, tf.zeros([1, 5, 5, 2]), { dilation: 2 });
 * assertEquals(y.shape, [1, 5, 5, 4]);
 * store.dispose();
 * ```
 */
export class ParameterStore {
  /** The variables created so far, by name. */
  readonly variables: Record<string, tf.Variable> = {};
  #rng: Rng;

  /**
   * Makes an empty store.
   *
   * @param seed Seed of the initialisation.
   */
  constructor(seed: number) {
    this.#rng = new Rng(assertNumber(seed, "seed", { integer: true }));
  }

  /**
   * A convolution with He-normal weights for a LeakyReLU of slope `slope`
   * (std √(2 / ((1 + slope²) · fan-in)), times `scale`) and zero bias.
   *
   * @param name Unique name (the variables are `name/w`, `name/b`).
   * @param kernel Kernel size (square).
   * @param cin Input channels.
   * @param cout Output channels.
   * @param options `scale` of the weights (default 1) and `slope` (default 0.1).
   * @returns The weights.
   */
  conv(
    name: string,
    kernel: number,
    cin: number,
    cout: number,
    options: { scale?: number; slope?: number } = {},
  ): ConvWeights {
    if (`${name}/w` in this.variables) throw new RangeError(`parameter ${name} exists already`);
    const slope = options.slope ?? 0.1;
    const std = (options.scale ?? 1) * Math.sqrt(2 / ((1 + slope * slope) * kernel * kernel * cin));
    const w = tf.variable(this.#rng.normalTensor([kernel, kernel, cin, cout], std), true);
    const b = tf.variable(tf.zeros([cout]), true);
    this.variables[`${name}/w`] = w;
    this.variables[`${name}/b`] = b;
    return { w, b };
  }

  /**
   * Number of parameters of the given convolutions.
   *
   * @param convs Convolutions.
   * @returns Total size of their weights and biases.
   */
  static count(convs: ConvWeights[]): number {
    return convs.reduce((s, c) => s + c.w.size + c.b.size, 0);
  }

  /** Disposes every variable. */
  dispose(): void {
    for (const v of Object.values(this.variables)) v.dispose();
  }
}

/**
 * A "same"-padded, stride-1 convolution plus bias (`tf.conv2d`, whose
 * dilated gradient `useBackend` registers).
 *
 * @param c Weights.
 * @param x `[N, H, W, cin]`.
 * @param options Dilation (default 1).
 * @returns `[N, H, W, cout]`.
 */
export function applyConv(
  c: ConvWeights,
  x: tf.Tensor4D,
  options: { dilation?: number } = {},
): tf.Tensor4D {
  const d = options.dilation ?? 1;
  return tf.add(tf.conv2d(x, c.w as tf.Tensor4D, 1, "same", "NHWC", [d, d]), c.b);
}

/**
 * Checks a (guide, target) batch against a network's channel counts.
 *
 * @param net The network.
 * @param guide The guide batch.
 * @param target The target batch.
 */
export function checkBatch(net: GuidedNetwork, guide: unknown, target: unknown): void {
  for (
    const [t, name, c] of [[guide, "guide", net.guideChannels], [
      target,
      "target",
      net.targetChannels,
    ]] as const
  ) {
    if (!(t instanceof tf.Tensor) || t.rank !== 4 || t.shape[3] !== c) {
      throw new RangeError(
        `${name} must be an NHWC batch with ${c} channels for ${net.name}, got ${
          t instanceof tf.Tensor ? formatShape(t.shape) : typeof t
        }`,
      );
    }
  }
  const g = guide as tf.Tensor4D, p = target as tf.Tensor4D;
  if (g.shape[0] !== p.shape[0] || g.shape[1] !== p.shape[1] || g.shape[2] !== p.shape[2]) {
    throw new RangeError(
      `guide and target must have the same batch and spatial size, got ${
        formatShape(g.shape)
      } and ${formatShape(p.shape)}`,
    );
  }
}

/**
 * Checks `upTo` against the number of outputs.
 *
 * @param upTo Requested outputs (or undefined for all).
 * @param outputs Available outputs.
 * @returns The number of outputs to compute.
 */
export function checkUpTo(upTo: number | undefined, outputs: number): number {
  return assertNumber(upTo ?? outputs, "upTo", { min: 1, max: outputs, integer: true });
}
