/**
 * Test helpers of src/fbc: the reference values of
 * `tools/fixtures/fbc_fixtures.py` (numpy, scikit-image) and their images.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** An array stored by the fixture script. */
export interface Stored {
  shape: number[];
  dtype: "u8" | "f32" | "f64";
  b64: string;
}

/** The contents of `testdata/fbc_reference.json`. */
export interface FbcReference {
  origin: string;
  versions: Record<string, string>;
  images: Record<string, Stored>;
  spectra: Record<string, Stored>;
  fft2: { image: string; re: Stored; im: Stored };
  fbc: { output: string; target: string; bands5: number[]; bands3: number[]; map: Stored }[];
  blur_effect: { image: string; h_size: number; value: number }[];
  mlv: {
    image: string;
    variation: "absolute" | "signed";
    top: number;
    decay: number;
    value: number;
  }[];
}

/** The reference values, read once. */
export const reference: FbcReference = JSON.parse(
  await Deno.readTextFile(new URL("../../testdata/fbc_reference.json", import.meta.url)),
);

/**
 * Decodes a stored array.
 *
 * @param s The stored array.
 * @returns Its values.
 */
export function decode(s: Stored): Float64Array | Float32Array | Uint8Array {
  const bytes = Uint8Array.from(atob(s.b64), (c) => c.charCodeAt(0));
  if (s.dtype === "u8") return bytes;
  return s.dtype === "f32" ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer);
}

/**
 * A fixture image as an HWC float32 tensor, `byte / 255` (as the script).
 *
 * @param name The image's name in the fixture.
 * @returns The tensor; the caller disposes it.
 */
export function image(name: string): tf.Tensor3D {
  const s = reference.images[name];
  if (!s) throw new Error(`no fixture image "${name}"`);
  const bytes = decode(s);
  const data = Float32Array.from(bytes, (b) => b / 255);
  const [h, w, c] = s.shape;
  return tf.tensor3d(data, [h, w, c ?? 1]);
}

/**
 * The largest absolute difference between two arrays.
 *
 * @param a First array.
 * @param b Second array.
 * @returns max |a - b|.
 */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Runs `fn` and checks that it leaves no tensor behind.
 *
 * @param fn The work; it must dispose the tensors it gets and return plain values.
 * @returns What `fn` returns.
 */
export async function noLeak<T>(fn: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`tensor leak: ${before} tensors before, ${after} after`);
  return out;
}
