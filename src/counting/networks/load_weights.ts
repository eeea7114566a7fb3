/**
 * Loading pretrained weights from a file the user gives into a model, by
 * weight name (`layer/kernel`, ...). Nothing is shipped and nothing is
 * downloaded.
 *
 * Formats, by content:
 * - a tfjs `model.json` (its `weightsManifest` and shards), or a bare weights
 *   manifest (`[{paths, weights}]`, as tfjs-converter writes);
 * - `.npz` (numpy `savez` / `savez_compressed`) with one array per weight,
 *   e.g. `np.savez("vgg16.npz", **{"conv1_1/kernel": w, "conv1_1/bias": b})`;
 * - plain JSON: `{"conv1_1/kernel": {"shape": [3, 3, 3, 64], "data": [...]}, ...}`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertOneOf, describe, formatShape } from "../../core/checks.ts";
import { parseNpz } from "./_npz.ts";
import { readManifestWeights } from "./model_io.ts";

/** Options of {@linkcode loadWeights}. */
export interface LoadWeightsOptions {
  /**
   * Require every model weight to be in the file and every array of the file
   * to be used (default true). When false, the weights found are loaded and
   * the others reported in the result; a shape mismatch is an error either way.
   */
  strict?: boolean;
  /** Prepended to each name of the file before matching, e.g. `"csrnet/"` (default none). */
  prefix?: string;
  /** Maps a name of the file (after `prefix`) to a model weight name; `null` skips the array. */
  rename?: (name: string) => string | null;
  /**
   * Layout of the file's arrays (default `"tfjs"`: kernels `[kh, kw, in, out]`,
   * dense `[in, out]`). `"pytorch"`: 4-D arrays `[out, in, kh, kw]` (and
   * transposed-convolution weights `[in, out, kh, kw]`) and 2-D `[out, in]`
   * are transposed on reading.
   */
  layout?: "tfjs" | "pytorch";
}

/** What {@linkcode loadWeights} did. */
export interface LoadWeightsResult {
  /** Model weights that were set. */
  loaded: string[];
  /** Model weights the file does not have (empty when strict). */
  missing: string[];
  /** Names of the file that match no model weight (empty when strict). */
  unused: string[];
}

/**
 * Reads the named arrays of a weights file (any format of the module doc).
 *
 * @param path The file.
 * @returns Tensors by name; the caller disposes them.
 */
export async function readWeightsFile(path: string): Promise<Record<string, tf.Tensor>> {
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError(`path must be a weights file path, got ${describe(path)}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`weights file ${path} not found`);
    throw e;
  }
  // zip archives start with "PK\x03\x04"
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    const arrays = await parseNpz(bytes, path);
    const out: Record<string, tf.Tensor> = {};
    for (const [name, a] of arrays) {
      out[name] = tf.tensor(a.data, a.shape, a.data instanceof Float32Array ? "float32" : "int32");
    }
    return out;
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error(
      `${path} is neither an .npz archive nor JSON (a tfjs model.json, a weights manifest, ` +
        `or {name: {shape, data}})`,
    );
  }
  const cut = path.lastIndexOf("/");
  const dir = cut < 0 ? "." : path.slice(0, cut) || "/";
  const manifest = Array.isArray(json)
    ? json
    : (json as { weightsManifest?: unknown })?.weightsManifest;
  if (Array.isArray(manifest)) {
    const { specs, data } = await readManifestWeights(
      manifest as tf.io.WeightsManifestConfig,
      dir,
      path,
    );
    return tf.io.decodeWeights(data, specs);
  }
  if (json === null || typeof json !== "object") {
    throw new Error(`${path}: expected an object of {shape, data} arrays, got ${describe(json)}`);
  }
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
      const e = entry as { shape?: unknown; data?: unknown };
      if (!Array.isArray(e?.shape) || !Array.isArray(e?.data)) {
        throw new Error(`${path}: entry "${name}" needs "shape" and "data" arrays`);
      }
      const shape = e.shape as number[];
      const size = shape.reduce((a, b) => a * b, 1);
      if (e.data.length !== size) {
        throw new Error(
          `${path}: entry "${name}" has ${e.data.length} values, shape ${
            formatShape(shape)
          } needs ${size}`,
        );
      }
      out[name] = tf.tensor(e.data as number[], shape, "float32");
    }
  } catch (err) {
    tf.dispose(Object.values(out));
    throw err;
  }
  return out;
}

function toTfjsLayout(t: tf.Tensor): tf.Tensor {
  if (t.rank === 4) return tf.transpose(t, [2, 3, 1, 0]);
  if (t.rank === 2) return tf.transpose(t, [1, 0]);
  return tf.clone(t);
}

function list(names: string[]): string {
  const shown = names.slice(0, 8).map((n) => `"${n}"`).join(", ");
  return names.length > 8 ? `${shown} and ${names.length - 8} more` : shown;
}

/**
 * Sets a model's weights from a file, matching by weight name (the names of
 * `namedWeights`, e.g. `csrnet/conv1_1/kernel`). All names and shapes are
 * checked before anything is written, so a failed load leaves the model as
 * it was.
 *
 * @param model The model (e.g. a network's `model`).
 * @param path The weights file (see the module doc for the formats).
 * @param options Strictness, name mapping, layout; see {@linkcode LoadWeightsOptions}.
 * @returns What was loaded, missing and unused.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { csrnet, loadWeights } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const net = csrnet({ width: 1 / 16 });
 * // a "VGG front-end" file with two arrays, named as VGG names them
 * const file = await Deno.makeTempFile({ suffix: ".json" });
 * const k = net.model.getLayer("csrnet/conv1_1").getWeights();
 * await Deno.writeTextFile(file, JSON.stringify({
 *   "conv1_1/kernel": { shape: k[0].shape, data: Array.from(k[0].dataSync()) },
 *   "conv1_1/bias": { shape: k[1].shape, data: Array.from(k[1].dataSync()) },
 * }));
 * const r = await loadWeights(net.model, file, { strict: false, prefix: "csrnet/" });
 * console.log(r.loaded.length, r.unused.length); // 2 0
 * net.dispose();
 * await Deno.remove(file);
 * ```
 */
export async function loadWeights(
  model: tf.LayersModel,
  path: string,
  options: LoadWeightsOptions = {},
): Promise<LoadWeightsResult> {
  if (!(model instanceof tf.LayersModel)) {
    throw new TypeError(`model must be a tf.LayersModel, got ${describe(model)}`);
  }
  const strict = options.strict ?? true;
  const layout = options.layout ?? "tfjs";
  assertOneOf(layout, ["tfjs", "pytorch"] as const, "layout");
  const prefix = options.prefix ?? "";
  const byName = new Map(model.weights.map((w) => [w.originalName, w]));
  const file = await readWeightsFile(path);
  const staged: [tf.LayerVariable, tf.Tensor][] = [];
  try {
    const unused: string[] = [];
    const seen = new Set<string>();
    for (const [rawName, t] of Object.entries(file)) {
      const mapped = options.rename ? options.rename(prefix + rawName) : prefix + rawName;
      if (mapped === null) continue;
      const w = byName.get(mapped);
      if (!w) {
        unused.push(rawName);
        continue;
      }
      if (seen.has(mapped)) {
        throw new RangeError(`${path}: two arrays map to the model weight "${mapped}"`);
      }
      seen.add(mapped);
      const value = layout === "pytorch" ? toTfjsLayout(t) : tf.clone(t);
      staged.push([w, value]);
      if (!tf.util.arraysEqual(value.shape, w.shape as number[])) {
        const hint = layout === "tfjs" && value.rank === 4 &&
            tf.util.arraysEqual(value.shape.slice(0, 2), [w.shape[3], w.shape[2]] as number[])
          ? ' (a PyTorch layout? pass layout: "pytorch")'
          : "";
        throw new RangeError(
          `${path}: "${rawName}" has shape ${formatShape(value.shape)}, the model's weight ` +
            `"${mapped}" has ${formatShape(w.shape)}${hint}`,
        );
      }
      if (value.dtype !== w.dtype) {
        throw new TypeError(
          `${path}: "${rawName}" is ${value.dtype}, the model's weight "${mapped}" is ${w.dtype}`,
        );
      }
    }
    const missing = [...byName.keys()].filter((n) => !seen.has(n));
    if (strict && (missing.length > 0 || unused.length > 0)) {
      const parts: string[] = [];
      if (missing.length) parts.push(`the model's weights ${list(missing)} are not in the file`);
      if (unused.length) parts.push(`the file's arrays ${list(unused)} match no model weight`);
      throw new RangeError(
        `${path}: ${parts.join("; ")} (pass strict: false to load the rest, or prefix / rename ` +
          `to map the names)`,
      );
    }
    for (const [w, value] of staged) w.write(value);
    return { loaded: staged.map(([w]) => w.originalName), missing, unused };
  } finally {
    tf.dispose(staged.map(([, v]) => v));
    tf.dispose(Object.values(file));
  }
}
