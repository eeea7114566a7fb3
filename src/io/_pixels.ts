/**
 * Conversions between image tensors and 8-bit pixel buffers, and the lazy
 * loader of imagescript (loaded on first use, so that importing the toolkit
 * needs no `--allow-ffi`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { LUMA_WEIGHTS } from "./color.ts";

type ImageScript = typeof import("imagescript");
let loaded: Promise<ImageScript> | undefined;

/**
 * Loads imagescript once.
 *
 * @returns The imagescript module.
 */
export function imagescript(): Promise<ImageScript> {
  return (loaded ??= import("imagescript"));
}

/**
 * Quantises an HWC image to 8 bits: clips to [0, 1], scales by 255 and
 * rounds to nearest (half to even).
 *
 * @param image An HWC image tensor (not disposed).
 * @returns The samples, row-major HWC, one byte each.
 */
export async function toBytes(image: tf.Tensor3D): Promise<Uint8Array> {
  const q = tf.tidy(() => tf.round(tf.mul(tf.clipByValue(image, 0, 1), 255)).toInt());
  try {
    return Uint8Array.from(await q.data());
  } finally {
    q.dispose();
  }
}

/**
 * Expands 1- or 3-channel bytes to the RGBA layout of imagescript (gray is
 * replicated, alpha is opaque).
 *
 * @param bytes Row-major HWC bytes.
 * @param channels 1 or 3.
 * @returns RGBA bytes, four per pixel.
 */
export function toRgba(bytes: Uint8Array, channels: number): Uint8ClampedArray {
  const n = bytes.length / channels;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const k = i * channels;
    out[j] = bytes[k];
    out[j + 1] = bytes[channels === 1 ? k : k + 1];
    out[j + 2] = bytes[channels === 1 ? k : k + 2];
    out[j + 3] = 255;
  }
  return out;
}

/**
 * Converts imagescript's RGBA bytes to float32 HWC samples in [0, 1]: three
 * channels keep R, G, B; one channel keeps R of a gray source (`gray`), or
 * computes the BT.601 luma of a colour one.
 *
 * @param rgba Four bytes per pixel.
 * @param channels 1 or 3.
 * @param gray Whether the source is gray (R = G = B).
 * @returns The samples.
 */
export function fromRgba(rgba: Uint8ClampedArray, channels: number, gray: boolean): Float32Array {
  const n = rgba.length / 4;
  const out = new Float32Array(n * channels);
  const [wr, wg, wb] = LUMA_WEIGHTS;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    if (channels === 3) {
      out[3 * i] = rgba[j] / 255;
      out[3 * i + 1] = rgba[j + 1] / 255;
      out[3 * i + 2] = rgba[j + 2] / 255;
    } else {
      out[i] = gray ? rgba[j] / 255 : (wr * rgba[j] + wg * rgba[j + 1] + wb * rgba[j + 2]) / 255;
    }
  }
  return out;
}
