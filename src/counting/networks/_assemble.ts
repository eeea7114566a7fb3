/**
 * Assembles a counting network's models from its symbolic graph (internal to
 * the builders).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertShape } from "../../core/checks.ts";
import { type BuildContext, fullName, type Sym } from "./_layers.ts";
import { checkedOutputSize, type CountingNetwork, type NetworkMetadata } from "./network.ts";

/**
 * Assembles a {@linkcode CountingNetwork} from the symbolic graph.
 *
 * @param ctx Build context (the prefix).
 * @param parts The graph and its facts.
 * @returns The network.
 */
export function assembleNetwork(
  ctx: BuildContext,
  parts: {
    name: string;
    input: Sym;
    features: Sym;
    density: Sym;
    outputStride: number;
    inputMultiple: number;
    inputChannels: number;
    withFeatures: boolean;
    options: Record<string, unknown>;
  },
): CountingNetwork {
  const model = tf.model({
    inputs: parts.input,
    outputs: parts.withFeatures ? [parts.density, parts.features] : parts.density,
    name: ctx.prefix,
  });
  const backbone = tf.model({
    inputs: parts.input,
    outputs: parts.features,
    name: fullName(ctx, "backbone"),
  });
  const featureChannels = parts.features.shape[3] as number;
  const featureLayer = parts.features.sourceLayer.name;
  const meta: NetworkMetadata = {
    network: parts.name,
    outputStride: parts.outputStride,
    inputMultiple: parts.inputMultiple,
    inputChannels: parts.inputChannels,
    featureChannels,
    prefix: ctx.prefix,
    featureLayer,
    options: JSON.parse(JSON.stringify(parts.options)),
  };
  model.setUserDefinedMetadata({ pixelbias: meta as unknown as Record<string, unknown> });
  const outputSize = (h: number, w: number) => checkedOutputSize(meta, h, w);
  return {
    name: parts.name,
    model,
    backbone,
    outputStride: parts.outputStride,
    inputMultiple: parts.inputMultiple,
    inputChannels: parts.inputChannels,
    featureChannels,
    prefix: ctx.prefix,
    outputSize,
    forward(images: tf.Tensor4D, training = false): tf.Tensor4D {
      assertShape(images, [null, null, null, parts.inputChannels], "images");
      outputSize(images.shape[1], images.shape[2]);
      const out = model.apply(images, { training });
      if (Array.isArray(out)) {
        tf.dispose(out.slice(1) as tf.Tensor[]);
        return out[0] as tf.Tensor4D;
      }
      return out as tf.Tensor4D;
    },
    dispose() {
      model.dispose();
    },
  };
}
