/**
 * Finding and opening the counter of `--model`: a folder written by `count
 * train` (or its `model.json`), by default the VGG-cells counter shipped in
 * `models/vgg-cells/`. A missing folder, a file that is not a tfjs model,
 * and a tfjs model that is not a counter are each one clear line.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type Counter, loadCounter } from "../counting/counter.ts";
import { userPath } from "./args.ts";
import { CountInputError } from "./errors.ts";

/** Where the shipped counter lives, relative to the project. */
export const SHIPPED_MODEL = "models/vgg-cells";

/**
 * The shipped counter's folder.
 *
 * @returns Its absolute path.
 */
export function shippedModelPath(): string {
  return fileURLToPath(new URL(`../../${SHIPPED_MODEL}/`, import.meta.url)).replace(/\/+$/, "");
}

/**
 * Resolves `--model` and checks, from `model.json` alone (before any backend
 * starts), that it is there, is a tfjs model and carries a counter's
 * metadata.
 *
 * @param given The flag's value, or `undefined` for the shipped counter.
 * @param flag The flag's name, for messages (default `--model`).
 * @returns The folder (or `model.json` path) to load.
 * @throws {CountInputError} When nothing is there, or it is not a counter.
 */
export async function resolveModel(given: string | undefined, flag = "--model"): Promise<string> {
  const path = given === undefined ? shippedModelPath() : userPath(given);
  const json = path.endsWith(".json") ? path : `${path.replace(/\/+$/, "")}/model.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(json);
  } catch {
    if (given === undefined) {
      throw new CountInputError(
        `the shipped VGG-cells counter (${SHIPPED_MODEL}/model.json) is not there yet: ` +
          `pass ${flag} DIR, a folder written by \`deno task count train\``,
      );
    }
    throw new CountInputError(`${flag} ${given}: no model.json there`);
  }
  const quoted = given ?? SHIPPED_MODEL;
  let parsed: { weightsManifest?: unknown; userDefinedMetadata?: Record<string, unknown> };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CountInputError(`${flag} ${quoted}: model.json is not valid JSON`);
  }
  if (!parsed || !Array.isArray(parsed.weightsManifest)) {
    throw new CountInputError(
      `${flag} ${quoted}: model.json is not a tfjs model (no weightsManifest)`,
    );
  }
  const meta = parsed.userDefinedMetadata?.pixelbias as
    | { counter?: { densityScale?: unknown } }
    | undefined;
  if (typeof meta?.counter?.densityScale !== "number") {
    throw new CountInputError(
      `${flag} ${quoted} is a tfjs model but not a counter (it has no pixelbias counter ` +
        `metadata): train one with \`deno task count train\``,
    );
  }
  return path;
}

/**
 * Opens a counter checked by {@linkcode resolveModel}, with every failure
 * as one line naming the flag.
 *
 * @param path What `resolveModel` returned.
 * @param given The flag's value as typed, for messages.
 * @param flag The flag's name (default `--model`).
 * @returns The counter; the caller disposes it.
 * @throws {CountInputError} When the weights cannot be read.
 */
export async function openCounter(
  path: string,
  given: string | undefined,
  flag = "--model",
): Promise<Counter> {
  try {
    return await loadCounter(path);
  } catch (e) {
    const message = (e as Error)?.message ?? String(e);
    throw new CountInputError(`${flag} ${given ?? SHIPPED_MODEL} cannot be read: ${message}`);
  }
}
