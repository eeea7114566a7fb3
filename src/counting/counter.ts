/**
 * A trained counter as files: a standard tfjs layers model (`model.json` +
 * `weights.bin`, loadable by `tf.loadLayersModel` here and in a browser)
 * whose metadata says how to use it: the network's output stride and input
 * multiple, the density scale it was trained with, the channels and the
 * normalisation of its inputs, the kernel of its training targets and where
 * it was trained. {@linkcode loadCounter} refuses a model without that
 * metadata with one clear line, rather than counting nonsense.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { assertNumber, describe } from "../core/checks.ts";
import type { PngNormalization } from "../io/png16.ts";
import type { DensityOptions } from "./density.ts";
import { type EvaluateOptions, predictDensity, type PredictedMap } from "./evaluate.ts";
import { loadModel, saveModel } from "./networks/model_io.ts";
import { type CountingNetwork, type NetworkMetadata, networkMetadata } from "./networks/network.ts";

/** How a counter was trained and how its inputs must be prepared. */
export interface CounterInfo {
  /** The network outputs `densityScale ×` density. */
  densityScale: number;
  /** Input channels: 1 (gray) or 3 (RGB). */
  channels: number;
  /** Normalisation of 16-bit inputs (8-bit images are divided by 255). */
  normalize?: PngNormalization;
  /** The kernel of the training targets. */
  density?: DensityOptions;
  /** What it was trained on, e.g. `"VGG cells, 32 images"`. */
  trainedOn?: string;
  /** Training steps. */
  steps?: number;
  /** Best validation MAE during training. */
  validationMae?: number;
  /** The command that trained it. */
  command?: string;
}

/** A counter loaded from files. */
export interface Counter {
  /** The tfjs model. */
  readonly model: tf.LayersModel;
  /** The network's metadata (stride, multiple, channels). */
  readonly network: NetworkMetadata;
  /** How it was trained. */
  readonly info: CounterInfo;
  /**
   * The density of an image (tiled, padded), in density units, at the
   * network's output resolution.
   *
   * @param image HWC float32 samples and their shape.
   * @param options Tile size.
   * @returns The map and its sum, the count.
   */
  predict(
    image: { data: Float32Array; shape: readonly [number, number, number] },
    options?: Pick<EvaluateOptions, "maxPixels">,
  ): Promise<PredictedMap>;
  /** Frees the weights. */
  dispose(): void;
}

/**
 * Saves a trained network as a counter.
 *
 * @param net The network.
 * @param dir The folder (created) for `model.json` and `weights.bin`.
 * @param info How it was trained (`densityScale` and `channels` at least).
 * @returns Once written.
 */
export async function saveCounter(
  net: CountingNetwork,
  dir: string,
  info: CounterInfo,
): Promise<void> {
  assertNumber(info?.densityScale, "info.densityScale", { min: 0, minExclusive: true });
  assertNumber(info.channels, "info.channels", { min: 1, integer: true });
  const meta = networkMetadata(net.model);
  if (!meta) throw new TypeError(`net.model has no network metadata: build it with the toolkit`);
  const previous = net.model.getUserDefinedMetadata();
  net.model.setUserDefinedMetadata({ pixelbias: { ...meta, counter: info } });
  try {
    await saveModel(net.model, dir);
  } finally {
    if (previous) net.model.setUserDefinedMetadata(previous);
  }
}

/**
 * Loads a counter saved by {@linkcode saveCounter}.
 *
 * @param path The folder or its `model.json`.
 * @returns The counter; the caller disposes it.
 * @throws Error naming the file when it is not a counter.
 */
export async function loadCounter(path: string): Promise<Counter> {
  const model = await loadModel(path);
  const network = networkMetadata(model);
  const info = (model.getUserDefinedMetadata() as { pixelbias?: { counter?: CounterInfo } })
    ?.pixelbias?.counter;
  if (!network || !info || typeof info.densityScale !== "number") {
    model.dispose();
    throw new Error(
      `${path} is a tfjs model but not a counter (no pixelbias counter metadata): ` +
        `train one with \`deno task count train\` or save it with saveCounter`,
    );
  }
  const forward = (x: tf.Tensor4D) => {
    const out = model.predict(x);
    return (Array.isArray(out) ? out[0] : out) as tf.Tensor4D;
  };
  return {
    model,
    network,
    info,
    predict: (image, options = {}) => {
      if (image?.shape?.[2] !== network.inputChannels) {
        throw new RangeError(
          `the counter takes ${network.inputChannels}-channel images, got shape ${
            describe(image?.shape)
          }`,
        );
      }
      return predictDensity(forward, image, {
        outputStride: network.outputStride,
        inputMultiple: network.inputMultiple,
        densityScale: info.densityScale,
        maxPixels: options.maxPixels,
      });
    },
    dispose: () => model.dispose(),
  };
}
