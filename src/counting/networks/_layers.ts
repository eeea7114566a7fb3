/**
 * Building blocks the counting networks share: explicit layer names under a
 * prefix, seeds derived from the base seed and the layer's name, and the
 * conv / batch-norm / ReLU blocks, all made of tfjs's built-in layers.
 *
 * One workaround lives here: tfjs-layers' `Conv2D` runs `tf.fused.conv2d`,
 * whose gradient (defined inside the op, so `registerConvGradients` cannot
 * replace it) throws for a dilation above 1 whenever the layer's activation
 * is linear, i.e. for every dilated convolution followed by batch norm.
 * {@linkcode DilatedConv2D} is a `Conv2D` whose `call` runs the plain
 * `tf.conv2d` (whose dilation-aware gradient the toolkit registers). It keeps
 * the class name `Conv2D`, so a saved model is a standard tfjs model that
 * loads anywhere as built-in `Conv2D` layers; {@linkcode makeDilationsTrainable}
 * puts the workaround back into such a loaded model.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BatchNormalization } from "../../core/batch_norm_layer.ts";
import { assertNumber, assertOneOf, describe } from "../../core/checks.ts";

/** Weight initialisation of the convolutions. */
export type InitKind = "he" | "normal";

/** The initialisations {@linkcode InitKind} allows. */
export const INIT_KINDS: readonly InitKind[] = ["he", "normal"];

/** What every block builder needs: names, seeds, initialisation, batch-norm settings. */
export interface BuildContext {
  /** Layer-name prefix, e.g. `"csrnet"`: layers are named `prefix/name`. */
  prefix: string;
  /** Base seed. */
  seed: number;
  /** Kernel initialisation. */
  init: InitKind;
  /** Batch-norm momentum in Keras's convention (the weight of the old value). */
  momentum: number;
  /** Batch-norm epsilon. */
  epsilon: number;
}

/** A symbolic tensor of the functional API. */
export type Sym = tf.SymbolicTensor;

/**
 * A 32-bit seed for one layer: FNV-1a over the base seed and the layer's
 * name, so that a layer's initial weights depend on its name only (adding a
 * layer elsewhere does not change them) and two builds with one seed agree.
 *
 * @param seed The network's base seed.
 * @param name The layer's full name.
 * @returns An integer in [0, 2^31).
 */
export function layerSeed(seed: number, name: string): number {
  let h = 0x811c9dc5;
  const text = `${seed}:${name}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 2147483647;
}

/**
 * Scales a channel count by a width multiplier (at least 1 channel).
 *
 * @param channels Channels at full width.
 * @param width Multiplier.
 * @returns `max(1, round(channels · width))`.
 */
export function scaled(channels: number, width: number): number {
  return Math.max(1, Math.round(channels * width));
}

/**
 * Checks the options every network shares and fills in their defaults.
 *
 * @param options The user's options.
 * @param name The network's name (the default prefix).
 * @returns The build context and the checked common values.
 */
export function resolveCommon(
  options: {
    inputChannels?: number;
    seed?: number;
    prefix?: string;
    init?: InitKind;
    batchNormMomentum?: number;
    features?: boolean;
  },
  name: string,
): { ctx: BuildContext; inputChannels: number; features: boolean } {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`options must be an object, got ${describe(options)}`);
  }
  const inputChannels = assertNumber(options.inputChannels ?? 3, "inputChannels", {
    min: 1,
    integer: true,
  });
  const seed = assertNumber(options.seed ?? 0, "seed", { integer: true });
  const prefix = options.prefix ?? name;
  if (typeof prefix !== "string" || !/^[A-Za-z0-9][-A-Za-z0-9._/]*$/.test(prefix)) {
    throw new RangeError(
      `prefix must start with a letter or digit and contain only letters, digits, ` +
        `"-", ".", "_" or "/", got ${describe(prefix)}`,
    );
  }
  const init = options.init ?? "he";
  assertOneOf(init, INIT_KINDS, "init");
  const momentum = assertNumber(options.batchNormMomentum ?? 0.9, "batchNormMomentum", {
    min: 0,
    max: 1,
    maxExclusive: true,
  });
  return {
    ctx: { prefix, seed, init, momentum, epsilon: 1e-5 },
    inputChannels,
    features: options.features ?? false,
  };
}

/**
 * The full name of a layer.
 *
 * @param ctx Build context.
 * @param name The layer's name inside the network.
 * @returns `prefix/name`.
 */
export function fullName(ctx: BuildContext, name: string): string {
  return `${ctx.prefix}/${name}`;
}

function kernelInit(ctx: BuildContext, name: string): ReturnType<typeof tf.initializers.heNormal> {
  const seed = layerSeed(ctx.seed, name);
  return ctx.init === "he"
    ? tf.initializers.heNormal({ seed })
    : tf.initializers.randomNormal({ mean: 0, stddev: 0.01, seed });
}

/** Settings of {@linkcode conv}. */
export interface ConvSpec {
  /** Output channels. */
  filters: number;
  /** Kernel size (default 3). */
  kernel?: number;
  /** Stride (default 1). */
  stride?: number;
  /** Dilation (default 1). */
  dilation?: number;
  /** Add a bias (default true). */
  bias?: boolean;
  /** Fused activation (default linear). */
  activation?: "linear" | "relu";
}

/** The protected fields of tfjs-layers' `Conv2D` that {@linkcode DilatedConv2D} reads. */
interface Conv2DInternals {
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  strides: number[];
  padding: "valid" | "same";
  dilationRate: number | number[];
  activation: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string };
}

type LayerConstructor = new (args: Parameters<typeof tf.layers.conv2d>[0]) => tf.layers.Layer;

/** tfjs-layers' `Conv2D` class (not exported by name; taken from the serialization registry). */
const Conv2DBase: LayerConstructor = (() => {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap["Conv2D"];
  if (!entry) throw new Error("tfjs-layers did not register the Conv2D layer class");
  return entry[0] as unknown as LayerConstructor;
})();

/**
 * A built-in `Conv2D` (same class name, config and weights) whose forward pass
 * runs `tf.conv2d` + bias + activation instead of `tf.fused.conv2d`, so that
 * dilated convolutions train; see the module documentation.
 */
export class DilatedConv2D extends Conv2DBase {
  /**
   * The forward pass.
   *
   * @param inputs The input tensor (or a one-element array).
   * @returns The output tensor.
   */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const self = this as unknown as Conv2DInternals;
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const d = self.dilationRate;
      const dilations: [number, number] = typeof d === "number" ? [d, d] : [d[0], d[1] ?? d[0]];
      let y: tf.Tensor = tf.conv2d(
        x,
        self.kernel.read() as tf.Tensor4D,
        [self.strides[0], self.strides[1] ?? self.strides[0]],
        self.padding,
        "NHWC",
        dilations,
      );
      if (self.bias) y = tf.add(y, self.bias.read());
      return self.activation.apply(y);
    });
  }
}

function dilationOf(layer: tf.layers.Layer): number {
  const d = (layer as unknown as Conv2DInternals).dilationRate;
  return Math.max(...(typeof d === "number" ? [d] : d));
}

/**
 * Makes the dilated `Conv2D` layers of a model trainable (see the module
 * documentation): needed for a model loaded by `tf.loadLayersModel`, whose
 * layers are tfjs's own `Conv2D`. Inference is unchanged.
 *
 * @param model The model; changed in place.
 * @returns The number of layers changed.
 */
export function makeDilationsTrainable(model: tf.LayersModel): number {
  let changed = 0;
  const visit = (layers: tf.layers.Layer[]) => {
    for (const layer of layers) {
      const nested = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
      if (Array.isArray(nested)) visit(nested);
      if (
        layer.getClassName() === "Conv2D" && !(layer instanceof DilatedConv2D) &&
        dilationOf(layer) > 1
      ) {
        Object.setPrototypeOf(layer, DilatedConv2D.prototype);
        changed++;
      }
    }
  };
  visit(model.layers);
  return changed;
}

/**
 * A 2-D convolution layer ('same' padding) applied to `x`.
 *
 * @param ctx Build context.
 * @param x Input.
 * @param name Name inside the network.
 * @param spec Filters, kernel, stride, dilation, bias, activation.
 * @returns The output.
 */
export function conv(ctx: BuildContext, x: Sym, name: string, spec: ConvSpec): Sym {
  const full = fullName(ctx, name);
  const dilation = spec.dilation ?? 1;
  const args = {
    name: full,
    filters: spec.filters,
    kernelSize: spec.kernel ?? 3,
    strides: spec.stride ?? 1,
    dilationRate: dilation,
    padding: "same" as const,
    useBias: spec.bias ?? true,
    activation: spec.activation ?? "linear",
    kernelInitializer: kernelInit(ctx, full),
    biasInitializer: "zeros" as const,
  };
  const layer = dilation > 1 ? new DilatedConv2D(args) : tf.layers.conv2d(args);
  return layer.apply(x) as Sym;
}

/**
 * A transposed convolution ('same' padding: the output is `stride` times the input).
 *
 * @param ctx Build context.
 * @param x Input.
 * @param name Name inside the network.
 * @param spec Filters, kernel, stride, bias.
 * @returns The output.
 */
export function deconv(
  ctx: BuildContext,
  x: Sym,
  name: string,
  spec: { filters: number; kernel: number; stride: number; bias?: boolean },
): Sym {
  const full = fullName(ctx, name);
  return tf.layers.conv2dTranspose({
    name: full,
    filters: spec.filters,
    kernelSize: spec.kernel,
    strides: spec.stride,
    padding: "same",
    useBias: spec.bias ?? true,
    kernelInitializer: kernelInit(ctx, full),
    biasInitializer: "zeros",
  }).apply(x) as Sym;
}

/**
 * Batch normalisation over the channels (γ = 1, β = 0, moving mean 0 and
 * variance 1 at the start): tfjs-layers' layer with the written-out training
 * gradient of `src/core/batch_norm_layer.ts`.
 *
 * @param ctx Build context (momentum, epsilon).
 * @param x Input.
 * @param name Name inside the network.
 * @returns The output.
 */
export function batchNorm(ctx: BuildContext, x: Sym, name: string): Sym {
  return new BatchNormalization({
    name: fullName(ctx, name),
    axis: -1,
    momentum: ctx.momentum,
    epsilon: ctx.epsilon,
  }).apply(x) as Sym;
}

/**
 * ReLU.
 *
 * @param ctx Build context.
 * @param x Input.
 * @param name Name inside the network.
 * @returns The output.
 */
export function relu(ctx: BuildContext, x: Sym, name: string): Sym {
  return tf.layers.reLU({ name: fullName(ctx, name) }).apply(x) as Sym;
}

/**
 * Convolution → batch norm → ReLU, named `name/conv`, `name/bn`, `name/relu`;
 * without batch norm a convolution with a fused ReLU named `name`.
 *
 * @param ctx Build context.
 * @param x Input.
 * @param name Name inside the network.
 * @param spec The convolution (its `activation` is ignored).
 * @param bn Whether to add batch norm.
 * @param bnBias Keep the convolution's bias when there is batch norm (default false).
 * @returns The output.
 */
export function convBnRelu(
  ctx: BuildContext,
  x: Sym,
  name: string,
  spec: ConvSpec,
  bn: boolean,
  bnBias = false,
): Sym {
  if (!bn) return conv(ctx, x, name, { ...spec, activation: "relu" });
  const y = conv(ctx, x, `${name}/conv`, { ...spec, bias: bnBias, activation: "linear" });
  return relu(ctx, batchNorm(ctx, y, `${name}/bn`), `${name}/relu`);
}

/**
 * 2×2 max pooling with stride 2 and 'same' padding: `ceil(H/2) × ceil(W/2)`.
 *
 * @param ctx Build context.
 * @param x Input.
 * @param name Name inside the network.
 * @returns The output.
 */
export function maxPool(ctx: BuildContext, x: Sym, name: string): Sym {
  return tf.layers.maxPooling2d({
    name: fullName(ctx, name),
    poolSize: 2,
    strides: 2,
    padding: "same",
  }).apply(x) as Sym;
}

/**
 * Keeps every `stride`-th row and column, starting at the first (a 1×1
 * average pooling with that stride): `⌈H/s⌉ × ⌈W/s⌉`.
 *
 * @param ctx Build context.
 * @param x Input.
 * @param name Name inside the network.
 * @param stride The stride.
 * @returns The output.
 */
export function subsample(ctx: BuildContext, x: Sym, name: string, stride: number): Sym {
  return tf.layers.averagePooling2d({
    name: fullName(ctx, name),
    poolSize: 1,
    strides: stride,
    padding: "valid",
  }).apply(x) as Sym;
}

/**
 * Upsampling by an integer factor.
 *
 * @param ctx Build context.
 * @param x Input.
 * @param name Name inside the network.
 * @param factor The factor.
 * @param interpolation Nearest or bilinear (tfjs's `resizeBilinear`, no half-pixel centres).
 * @returns The output.
 */
export function upsample(
  ctx: BuildContext,
  x: Sym,
  name: string,
  factor: number,
  interpolation: "nearest" | "bilinear",
): Sym {
  return tf.layers.upSampling2d({
    name: fullName(ctx, name),
    size: [factor, factor],
    interpolation,
  })
    .apply(x) as Sym;
}

/**
 * Element-wise sum.
 *
 * @param ctx Build context.
 * @param xs Inputs (at least two).
 * @param name Name inside the network.
 * @returns The output.
 */
export function add(ctx: BuildContext, xs: Sym[], name: string): Sym {
  return tf.layers.add({ name: fullName(ctx, name) }).apply(xs) as Sym;
}

/**
 * Concatenation over channels.
 *
 * @param ctx Build context.
 * @param xs Inputs (at least two).
 * @param name Name inside the network.
 * @returns The output.
 */
export function concat(ctx: BuildContext, xs: Sym[], name: string): Sym {
  return tf.layers.concatenate({ name: fullName(ctx, name), axis: -1 }).apply(xs) as Sym;
}

/**
 * The model's input: `[null, null, null, channels]`.
 *
 * @param ctx Build context.
 * @param channels Input channels.
 * @returns The symbolic input.
 */
export function imageInput(ctx: BuildContext, channels: number): Sym {
  return tf.input({
    shape: [null, null, channels] as unknown as number[],
    name: fullName(ctx, "input"),
    dtype: "float32",
  });
}

/**
 * The 1×1 convolution from the features V to the density (linear, with bias).
 *
 * @param ctx Build context.
 * @param v The features.
 * @returns The density `[B, h, w, 1]`.
 */
export function densityHead(ctx: BuildContext, v: Sym): Sym {
  return conv(ctx, v, "density", { filters: 1, kernel: 1, bias: true });
}
