/**
 * The networks `count train` offers, by the names a user types, with widths
 * that train on a laptop CPU by default, and the rebuilding of a saved
 * counter's network for fine-tuning (`--from`).
 *
 * @module
 */
import { csrnet } from "../counting/networks/csrnet.ts";
import { encoderDistillerDecoder } from "../counting/networks/encoder_distiller_decoder.ts";
import { fcrn } from "../counting/networks/fcrn.ts";
import { hrnet } from "../counting/networks/hrnet.ts";
import { loadWeights } from "../counting/networks/load_weights.ts";
import { mcnn } from "../counting/networks/mcnn.ts";
import type { CountingNetwork, NetworkMetadata } from "../counting/networks/network.ts";
import { CountInputError } from "./errors.ts";

/** The network names of `--network`. */
export type NetworkChoice = "fcrn" | "csrnet" | "mcnn" | "edd" | "hrnet";

/** Every {@linkcode NetworkChoice}, the default first. */
export const NETWORK_CHOICES: readonly NetworkChoice[] = ["fcrn", "mcnn", "edd", "hrnet", "csrnet"];

/** The default `--width` of each network (CPU-sized). */
export const DEFAULT_WIDTH: Record<NetworkChoice, number> = {
  fcrn: 0.25,
  mcnn: 0.5,
  edd: 0.5,
  hrnet: 0.25,
  csrnet: 0.25,
};

/** The core's builder name of each choice (as stored in a model's metadata). */
const BUILDER_NAME: Record<NetworkChoice, string> = {
  fcrn: "fcrn",
  mcnn: "mcnn",
  edd: "encoderDistillerDecoder",
  hrnet: "hrnet",
  csrnet: "csrnet",
};

/**
 * Builds a network by its `--network` name.
 *
 * @param choice The name.
 * @param options Width (channel multiplier; for hrnet, W = 32 × width), input channels, seed.
 * @returns The network, with batch norm where the network has the option.
 */
export function buildCountNetwork(
  choice: NetworkChoice,
  options: { width: number; channels: number; seed: number },
): CountingNetwork {
  const { width, channels: inputChannels, seed } = options;
  switch (choice) {
    case "fcrn":
      return fcrn({ width, batchNorm: true, inputChannels, seed });
    case "mcnn":
      return mcnn({ width, inputChannels, seed });
    case "edd":
      return encoderDistillerDecoder({ width, inputChannels, seed });
    case "hrnet":
      return hrnet({ channels: Math.max(2, Math.round(32 * width)), inputChannels, seed });
    case "csrnet":
      return csrnet({ width, batchNorm: true, inputChannels, seed });
  }
}

/**
 * The `--network` name of a saved network's metadata.
 *
 * @param meta The metadata.
 * @returns The choice, or `undefined` for a network this command does not build.
 */
export function choiceOf(meta: NetworkMetadata): NetworkChoice | undefined {
  return NETWORK_CHOICES.find((c) => BUILDER_NAME[c] === meta.network);
}

/**
 * Rebuilds the network of a saved counter and loads its weights, for
 * fine-tuning.
 *
 * @param meta The counter's network metadata.
 * @param modelPath Its folder or `model.json`.
 * @returns The network with the saved weights.
 * @throws {CountInputError} For a network kind this command cannot rebuild, or weights that do not fit.
 */
export async function rebuildNetwork(
  meta: NetworkMetadata,
  modelPath: string,
): Promise<CountingNetwork> {
  const options = { ...meta.options, features: false };
  const builders: Record<string, (o: Record<string, unknown>) => CountingNetwork> = {
    fcrn,
    mcnn,
    encoderDistillerDecoder,
    hrnet,
    csrnet,
  };
  const build = builders[meta.network];
  if (!build) {
    throw new CountInputError(
      `--from ${modelPath}: its network "${meta.network}" is not one count train builds (${
        NETWORK_CHOICES.join(", ")
      })`,
    );
  }
  const net = build(options);
  try {
    const json = modelPath.endsWith(".json")
      ? modelPath
      : `${modelPath.replace(/\/+$/, "")}/model.json`;
    await loadWeights(net.model, json, { strict: true });
  } catch (e) {
    net.dispose();
    throw new CountInputError(`--from ${modelPath}: ${(e as Error).message}`);
  }
  return net;
}
