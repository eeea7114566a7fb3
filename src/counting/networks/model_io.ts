/**
 * Saving and loading tfjs layers models as files in Deno: tfjs's own
 * `file://` handler is Node-only. {@linkcode fileHandler} writes and reads
 * the standard pair `model.json` + `weights.bin` (the layout
 * `tf.loadLayersModel("…/model.json")` reads over HTTP in a browser), and
 * reads models with several weight shards too.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { describe } from "../../core/checks.ts";
import { makeDilationsTrainable } from "./_layers.ts";

/** The file names {@linkcode fileHandler} writes. */
export const MODEL_FILES = { model: "model.json", weights: "weights.bin" } as const;

function paths(path: string): { dir: string; modelPath: string } {
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError(`path must be a directory or a model.json path, got ${describe(path)}`);
  }
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed.endsWith(".json")) {
    const cut = trimmed.lastIndexOf("/");
    return { dir: cut < 0 ? "." : trimmed.slice(0, cut) || "/", modelPath: trimmed };
  }
  return { dir: trimmed || "/", modelPath: `${trimmed}/${MODEL_FILES.model}` };
}

/**
 * Reads a `model.json` and the weight files its manifest lists.
 *
 * @param modelPath Path of the model.json.
 * @returns The parsed JSON, the weight specs and the concatenated weight bytes.
 */
export async function readModelJson(
  modelPath: string,
): Promise<{ json: tf.io.ModelJSON; specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer }> {
  let text: string;
  try {
    text = await Deno.readTextFile(modelPath);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`model file ${modelPath} not found`);
    throw e;
  }
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${modelPath} is not valid JSON: ${(e as Error).message}`);
  }
  const manifest = (json as { weightsManifest?: unknown }).weightsManifest;
  if (!Array.isArray(manifest)) {
    throw new Error(`${modelPath} has no weightsManifest: is it a tfjs model.json?`);
  }
  const { specs, data } = await readManifestWeights(manifest, dirOf(modelPath), modelPath);
  return { json, specs, data };
}

function dirOf(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut < 0 ? "." : path.slice(0, cut) || "/";
}

/**
 * Reads the weight shards of a tfjs weights manifest.
 *
 * @param manifest The manifest (groups of `paths` and `weights`).
 * @param dir The directory the shard paths are relative to.
 * @param source The manifest's file, for messages.
 * @returns The specs in order and the concatenated bytes.
 */
export async function readManifestWeights(
  manifest: tf.io.WeightsManifestConfig,
  dir: string,
  source: string,
): Promise<{ specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer }> {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const [g, group] of manifest.entries()) {
    if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new Error(`${source}: weightsManifest[${g}] needs "paths" and "weights" arrays`);
    }
    specs.push(...group.weights);
    for (const p of group.paths) {
      const file = p.startsWith("/") ? p : `${dir}/${p}`;
      try {
        const bytes = await Deno.readFile(file);
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) {
          throw new Error(`weight file ${file} (listed in ${source}) not found`);
        }
        throw e;
      }
    }
  }
  const data = tf.io.concatenateArrayBuffers(buffers);
  const bytesPerElement: Record<string, number> = {
    float32: 4,
    int32: 4,
    bool: 1,
    uint8: 1,
    uint16: 2,
    float16: 2,
  };
  let need = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const dtype = s.quantization?.dtype ?? s.dtype;
    need += n * (bytesPerElement[dtype] ?? 4);
  }
  if (data.byteLength !== need) {
    throw new Error(
      `${source}: the weight files hold ${data.byteLength} bytes, the manifest describes ${need}`,
    );
  }
  return { specs, data };
}

/**
 * A tfjs IO handler that saves to and loads from files: `model.json` and
 * `weights.bin` in a directory (or a path ending in `.json`, with the weights
 * beside it). Writes go to temporary files renamed into place.
 *
 * @param path A directory (created if missing) or a `model.json` path.
 * @returns The handler, for `model.save(handler)` and `tf.loadLayersModel(handler)`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fileHandler } from "./model_io.ts";
 * await tf.setBackend("cpu");
 * const input = tf.input({ shape: [2] });
 * const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor });
 * const dir = await Deno.makeTempDir();
 * await model.save(fileHandler(dir));
 * const back = await tf.loadLayersModel(fileHandler(dir));
 * console.log(back.outputs[0].shape); // [null, 1]
 * model.dispose();
 * back.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function fileHandler(path: string): tf.io.IOHandler {
  const { dir, modelPath } = paths(path);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new TypeError("fileHandler saves layers models (JSON topology) only");
      }
      await Deno.mkdir(dir, { recursive: true });
      const weightData = artifacts.weightData === undefined
        ? new ArrayBuffer(0)
        : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const weightsName = MODEL_FILES.weights;
      const json: Record<string, unknown> = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }],
      };
      for (
        const key of [
          "trainingConfig",
          "signature",
          "userDefinedMetadata",
          "modelInitializer",
          "initializerSignature",
        ] as const
      ) {
        if (artifacts[key] !== undefined) json[key] = artifacts[key];
      }
      const weightsPath = `${dir}/${weightsName}`;
      await Deno.writeFile(`${weightsPath}.tmp`, new Uint8Array(weightData));
      await Deno.writeTextFile(`${modelPath}.tmp`, JSON.stringify(json));
      await Deno.rename(`${weightsPath}.tmp`, weightsPath);
      await Deno.rename(`${modelPath}.tmp`, modelPath);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const { json, specs, data } = await readModelJson(modelPath);
      return await tf.io.getModelArtifactsForJSON(json, () => Promise.resolve([specs, data]));
    },
  };
}

/**
 * Saves a model as `model.json` + `weights.bin` in `dir`.
 *
 * @param model The model (e.g. a network's `model`).
 * @param dir Directory (created if missing) or a `model.json` path.
 * @returns tfjs's save result.
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<tf.io.SaveResult> {
  if (!(model instanceof tf.LayersModel)) {
    throw new TypeError(`model must be a tf.LayersModel, got ${describe(model)}`);
  }
  return await model.save(fileHandler(dir));
}

/**
 * Loads a model saved by {@linkcode saveModel} (or any tfjs layers model on
 * disk), with its dilated convolutions made trainable (tfjs's own `Conv2D`
 * cannot be trained with a dilation and a linear activation; inference is
 * the same either way). Metadata (output stride, ...) comes back in
 * `model.getUserDefinedMetadata()`; see `networkMetadata`.
 *
 * @param path Directory holding `model.json`, or the `model.json` path.
 * @returns The model; the caller disposes it.
 */
export async function loadModel(path: string): Promise<tf.LayersModel> {
  const model = await tf.loadLayersModel(fileHandler(path));
  makeDilationsTrainable(model);
  return model;
}
