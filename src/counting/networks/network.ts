/**
 * The common interface of the counting networks: a built-in-layers tfjs
 * model from an image batch `[B, H, W, C]` (any size, see
 * {@linkcode CountingNetwork.outputSize}) to a density `[B, ⌈H/s⌉, ⌈W/s⌉, 1]`,
 * the backbone up to the feature map V that chapter 4's focus heads attach
 * to, the output stride `s`, and the weights under stable names for the
 * `optimize` loop and its checkpoints.
 *
 * **Output size.** Every pooling or strided convolution uses 'same' padding,
 * so each halves a side rounding up: the output is `⌈H/s⌉ × ⌈W/s⌉`, exactly
 * the size of a density target sum-pooled by `s` with zero padding at the
 * bottom and right (the training code's `sumPool4d`), so the count is kept
 * for any input size. Networks that upsample back (FCRN-A, the
 * encoder-distiller-decoder with its decoder, HRNet) need sides that are
 * multiples of {@linkcode CountingNetwork.inputMultiple} (8, 8 and 32); the
 * model itself cannot check this (FCRN-A would silently return
 * `8·⌈H/8⌉` rows), so {@linkcode CountingNetwork.forward} and
 * {@linkcode CountingNetwork.outputSize} do, with an error that names the
 * sizes.
 *
 * **Batch norm.** tfjs-layers' `BatchNormalization` updates its moving mean
 * and variance on every `model.apply(x, {training: true})` (imperatively,
 * inside the call, not only in `model.fit`), also inside
 * `optimizer.minimize`; the update uses the batch's biased variance (PyTorch
 * uses the unbiased one) and the layer's `momentum` as the weight of the old
 * value (0.9 here, PyTorch's 0.1). Apply a network once per step in training
 * mode, or the statistics move twice. Inference (`training: false`, the
 * default of `forward`) uses the moving statistics.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertShape, describe, formatShape } from "../../core/checks.ts";
import type { InitKind } from "./_layers.ts";

/** Options every counting network takes. */
export interface NetworkOptions {
  /** Input channels C (default 3; 1 for gray images). */
  inputChannels?: number;
  /** Base seed of the initialisation (default 0): equal seeds give equal weights. */
  seed?: number;
  /** Layer-name prefix (default the network's name, e.g. `"mcnn"`): layers are `prefix/...`. */
  prefix?: string;
  /**
   * Kernel initialisation (default `"he"`, He-normal); `"normal"` is N(0, 0.01²),
   * the reference implementations' choice. Biases start at 0.
   */
  init?: InitKind;
  /** Batch-norm momentum, Keras's convention: the weight of the old value (default 0.9). */
  batchNormMomentum?: number;
  /** Give the model two outputs, `[density, V]` (default false). */
  features?: boolean;
}

/** What a counting network builder returns. */
export interface CountingNetwork {
  /** The network's kind, e.g. `"csrnet"`. */
  readonly name: string;
  /**
   * Image `[B, H, W, C]` → density `[B, ⌈H/s⌉, ⌈W/s⌉, 1]`; with the `features`
   * option two outputs, `[density, V]`.
   */
  readonly model: tf.LayersModel;
  /**
   * Image → V (the last feature map before the 1×1 density head), sharing the
   * model's layers and weights. Build heads on `backbone.outputs[0]` with
   * `tf.model({inputs: backbone.inputs, outputs: ...})`.
   */
  readonly backbone: tf.LayersModel;
  /** Output stride `s`: the density has `⌈H/s⌉ × ⌈W/s⌉` pixels. */
  readonly outputStride: number;
  /** Input height and width must be multiples of this (1: any size). */
  readonly inputMultiple: number;
  /** Input channels C. */
  readonly inputChannels: number;
  /** Channels of V. */
  readonly featureChannels: number;
  /** The layer-name prefix. */
  readonly prefix: string;
  /**
   * The density size for an input size, after checking it.
   *
   * @param height Input height.
   * @param width Input width.
   * @returns `[⌈height/s⌉, ⌈width/s⌉]`.
   */
  outputSize(height: number, width: number): [number, number];
  /**
   * Runs the model on a batch after checking its shape; returns the density
   * (the first output). Does not dispose `images`.
   *
   * @param images `[B, H, W, C]`.
   * @param training Batch statistics and moving-statistics updates in batch norm (default false).
   * @returns The density `[B, ⌈H/s⌉, ⌈W/s⌉, 1]`.
   */
  forward(images: tf.Tensor4D, training?: boolean): tf.Tensor4D;
  /** Frees the weights (the model and the backbone share them: dispose once, here). */
  dispose(): void;
}

/** The metadata a network stores in its model (`model.getUserDefinedMetadata()`), kept by `save`. */
export interface NetworkMetadata {
  /** The network's kind. */
  network: string;
  /** Output stride. */
  outputStride: number;
  /** Required multiple of the input sides. */
  inputMultiple: number;
  /** Input channels. */
  inputChannels: number;
  /** Channels of V. */
  featureChannels: number;
  /** The layer-name prefix. */
  prefix: string;
  /** Name of the layer whose output is V. */
  featureLayer: string;
  /** The builder's options (JSON). */
  options: Record<string, unknown>;
}

/**
 * Checks an input size against a network's stride rules.
 *
 * @param meta The network's metadata (`name` for the message).
 * @param height Input height.
 * @param width Input width.
 * @returns The output size.
 */
export function checkedOutputSize(
  meta: Pick<NetworkMetadata, "network" | "outputStride" | "inputMultiple">,
  height: number,
  width: number,
): [number, number] {
  for (const [v, n] of [[height, "height"], [width, "width"]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`input ${n} must be a positive integer, got ${describe(v)}`);
    }
  }
  const m = meta.inputMultiple;
  if (height % m !== 0 || width % m !== 0) {
    const down = (v: number) => Math.max(m, Math.floor(v / m) * m);
    const up = (v: number) => Math.ceil(v / m) * m;
    throw new RangeError(
      `${meta.network} needs an input height and width that are multiples of ${m}, got ` +
        `${height} × ${width}: pad to ${up(height)} × ${up(width)} or crop to ` +
        `${down(height)} × ${down(width)}`,
    );
  }
  const s = meta.outputStride;
  return [Math.ceil(height / s), Math.ceil(width / s)];
}

/**
 * The metadata a counting network stored in a model (also after
 * `loadModel`), or `null` for another model.
 *
 * @param model A model.
 * @returns The metadata or `null`.
 */
export function networkMetadata(model: tf.LayersModel): NetworkMetadata | null {
  const m = model.getUserDefinedMetadata() as { pixelbias?: NetworkMetadata } | undefined;
  const meta = m?.pixelbias;
  if (!meta || typeof meta.network !== "string" || typeof meta.outputStride !== "number") {
    return null;
  }
  return meta;
}

/** A model's weights under stable names, split for the `optimize` loop. */
export interface NamedWeights {
  /** Trainable weights (convolution kernels and biases, batch-norm γ and β). */
  variables: Record<string, tf.Variable>;
  /** Non-trainable weights (batch-norm moving mean and variance). */
  state: Record<string, tf.Variable>;
}

/**
 * The weights of a model under the names its layers give them
 * (`layer/kernel`, `layer/moving_mean`, ...; tfjs's own variable names get
 * `_1` suffixes when a model is built twice in one process, these do not),
 * trainable ones in `variables` and the rest in `state`, ready for
 * `optimize({variables, state})`.
 *
 * @param model A model (or a network's `model`).
 * @returns The named variables.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mcnn, namedWeights } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const net = mcnn({ width: 0.25 });
 * const { variables, state } = namedWeights(net.model);
 * console.log(Object.keys(variables)[0], Object.keys(state).length); // "mcnn/column1_conv1/kernel" 0
 * net.dispose();
 * ```
 */
export function namedWeights(model: tf.LayersModel): NamedWeights {
  if (!(model instanceof tf.LayersModel)) {
    throw new TypeError(`model must be a tf.LayersModel, got ${describe(model)}`);
  }
  const variables: Record<string, tf.Variable> = {};
  const state: Record<string, tf.Variable> = {};
  for (const w of model.weights) {
    const v = w.read();
    if (!(v instanceof tf.Variable)) {
      throw new TypeError(`weight ${w.originalName} is not backed by a tf.Variable`);
    }
    const key = w.originalName;
    if (key in variables || key in state) {
      throw new RangeError(`two weights of the model are named "${key}": name the layers uniquely`);
    }
    (w.trainable ? variables : state)[key] = v;
  }
  return { variables, state };
}

/**
 * Number of trainable parameters (what PyTorch's `sum(p.numel() for p in
 * model.parameters())` counts: batch-norm moving statistics excluded).
 *
 * @param model A model.
 * @returns The count.
 */
export function trainableParams(model: tf.LayersModel): number {
  let n = 0;
  for (const w of model.trainableWeights) {
    n += (w.shape as number[]).reduce((a, b) => a * b, 1);
  }
  return n;
}

/**
 * Checks the input shape of a batch for a network (for callers that apply the
 * model themselves).
 *
 * @param net The network.
 * @param images The batch.
 */
export function assertNetworkInput(net: CountingNetwork, images: tf.Tensor): void {
  assertShape(images, [null, null, null, net.inputChannels], "images");
  net.outputSize(images.shape[1]!, images.shape[2]!);
}

/**
 * Formats a network for logs: kind, parameters, stride.
 *
 * @param net The network.
 * @returns E.g. `csrnet (16,263,489 parameters, output stride 8, V [*, *, *, 64])`.
 */
export function describeNetwork(net: CountingNetwork): string {
  return `${net.name} (${trainableParams(net.model).toLocaleString("en-US")} parameters, ` +
    `output stride ${net.outputStride}, V ${formatShape([null, null, null, net.featureChannels])})`;
}
