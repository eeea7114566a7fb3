/**
 * Checkpoints on disk: named tensors plus JSON state, written atomically (a
 * temporary folder renamed into place), so that a run killed while saving
 * keeps its previous checkpoint.
 *
 * Layout: `DIR/state.json` (the JSON state and an index of the tensors) and
 * `DIR/tensors.bin` (their float32/int32 bytes, concatenated).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** What a checkpoint holds. */
export interface CheckpointData {
  /** Any JSON-serialisable state. */
  json: unknown;
  /** Named tensors. */
  tensors: Record<string, tf.Tensor>;
}

interface TensorEntry {
  name: string;
  shape: number[];
  dtype: "float32" | "int32" | "bool";
  offset: number;
  bytes: number;
}

const FORMAT = "pixelbias-checkpoint-1";

/**
 * Writes a checkpoint to `dir`, replacing any previous one atomically.
 *
 * @param dir The checkpoint folder.
 * @param data The state and tensors to save.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * const dir = await Deno.makeTempDir();
 * await saveCheckpoint(`${dir}/ck`, { json: { step: 3 }, tensors: { w: tf.ones([2]) } });
 * const back = await loadCheckpoint(`${dir}/ck`);
 * console.log(back?.json, back?.tensors.w.shape); // { step: 3 } [ 2 ]
 * ```
 */
export async function saveCheckpoint(dir: string, data: CheckpointData): Promise<void> {
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(data.tensors)) {
    if (t.dtype !== "float32" && t.dtype !== "int32" && t.dtype !== "bool") {
      throw new TypeError(`checkpoint tensor "${name}" has unsupported dtype ${t.dtype}`);
    }
    const values = await t.data();
    const typed = t.dtype === "float32"
      ? new Float32Array(values as Float32Array)
      : new Int32Array(values as Int32Array);
    const bytes = new Uint8Array(typed.buffer);
    entries.push({ name, shape: [...t.shape], dtype: t.dtype, offset, bytes: bytes.length });
    chunks.push(bytes);
    offset += bytes.length;
  }
  const blob = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    blob.set(c, at);
    at += c.length;
  }
  const tmp = `${dir}.tmp-${Deno.pid}`;
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  await Deno.mkdir(tmp, { recursive: true });
  await Deno.writeFile(`${tmp}/tensors.bin`, blob);
  await Deno.writeTextFile(
    `${tmp}/state.json`,
    JSON.stringify({ format: FORMAT, tensors: entries, json: data.json }),
  );
  const old = `${dir}.old-${Deno.pid}`;
  let hadOld = false;
  try {
    await Deno.rename(dir, old);
    hadOld = true;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  await Deno.rename(tmp, dir);
  if (hadOld) await Deno.remove(old, { recursive: true });
}

/**
 * Reads a checkpoint written by {@linkcode saveCheckpoint}.
 *
 * @param dir The checkpoint folder.
 * @returns The state and tensors (caller disposes the tensors), or `null`
 *   when `dir` holds no checkpoint.
 * @throws {Error} When the checkpoint exists but is corrupt, naming the file.
 */
export async function loadCheckpoint(dir: string): Promise<CheckpointData | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/state.json`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  let state: { format?: string; tensors?: TensorEntry[]; json?: unknown };
  try {
    state = JSON.parse(text);
  } catch {
    throw new Error(`checkpoint ${dir}/state.json is corrupt: not valid JSON`);
  }
  if (state.format !== FORMAT || !Array.isArray(state.tensors)) {
    throw new Error(`checkpoint ${dir}/state.json is not a ${FORMAT} file`);
  }
  const blob = await Deno.readFile(`${dir}/tensors.bin`);
  const tensors: Record<string, tf.Tensor> = {};
  for (const e of state.tensors) {
    if (e.offset + e.bytes > blob.length) {
      for (const t of Object.values(tensors)) t.dispose();
      throw new Error(
        `checkpoint ${dir}/tensors.bin is truncated: tensor "${e.name}" needs bytes up to ${
          e.offset + e.bytes
        }, file has ${blob.length}`,
      );
    }
    const bytes = blob.slice(e.offset, e.offset + e.bytes);
    const values = e.dtype === "float32"
      ? new Float32Array(bytes.buffer)
      : new Int32Array(bytes.buffer);
    tensors[e.name] = tf.tensor(values, e.shape, e.dtype);
  }
  return { json: state.json, tensors };
}
