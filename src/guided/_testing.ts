/**
 * Test helpers of the guided folder: reading the reference fixtures written by
 * `tools/fixtures/guided_fixtures.py` and comparing arrays. Not exported from
 * `mod.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** An array stored in a fixture: little-endian bytes in base64. */
export interface StoredArray {
  /** Shape of the array. */
  shape: number[];
  /** Element type: `"u8"` (image bytes) or `"f32"`. */
  dtype: "u8" | "f32";
  /** The bytes, base64. */
  b64: string;
}

/**
 * Decodes a stored array into a float32 tensor; `u8` arrays are divided by 255.
 *
 * @param a The stored array.
 * @returns A new tensor the caller owns.
 */
export function decodeArray(a: StoredArray): tf.Tensor {
  const bin = atob(a.b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  if (a.dtype === "u8") {
    const f = new Float32Array(bytes.length);
    for (let i = 0; i < f.length; i++) f[i] = bytes[i] / 255;
    return tf.tensor(f, a.shape, "float32");
  }
  return tf.tensor(new Float32Array(bytes.buffer), a.shape, "float32");
}

let cache: Record<string, unknown> | null = null;

/**
 * Reads `testdata/guided_reference.json` (once per process).
 *
 * @returns The parsed fixture file.
 */
export async function loadReference(): Promise<Record<string, unknown>> {
  if (cache === null) {
    const url = new URL("../../testdata/guided_reference.json", import.meta.url);
    cache = JSON.parse(await Deno.readTextFile(url)) as Record<string, unknown>;
  }
  return cache;
}

/**
 * Largest absolute difference of two tensors of equal size.
 *
 * @param a First tensor.
 * @param b Second tensor.
 * @returns max |a − b|.
 */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  if (a.size !== b.size) throw new RangeError(`sizes differ: ${a.size} vs ${b.size}`);
  const x = a.dataSync(), y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

/**
 * Float64 box filter by direct summation (the slow, obviously right version).
 *
 * @param x Values, HWC row-major.
 * @param shape `[H, W, C]`.
 * @param r Radius.
 * @returns The window means.
 */
export function bruteBox(x: ArrayLike<number>, shape: number[], r: number): Float64Array {
  const [h, w, c] = shape;
  const out = new Float64Array(h * w * c);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      for (let k = 0; k < c; k++) {
        let s = 0, n = 0;
        for (let u = Math.max(0, i - r); u <= Math.min(h - 1, i + r); u++) {
          for (let v = Math.max(0, j - r); v <= Math.min(w - 1, j + r); v++) {
            s += x[(u * w + v) * c + k];
            n++;
          }
        }
        out[(i * w + j) * c + k] = s / n;
      }
    }
  }
  return out;
}
