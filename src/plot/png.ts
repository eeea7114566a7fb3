/**
 * Image tensors as PNG data URIs for figures, notebook outputs and reports.
 *
 * The encoder is synchronous (zlib from `node:zlib`), so that figure builders
 * and notebook displays stay plain functions; it writes 8-bit grayscale or
 * RGB PNGs without filtering, which is all a figure needs. Reading and writing
 * image files is `src/io`'s job.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { deflateSync } from "node:zlib";
import { assertImage } from "../core/checks.ts";

/** 8-bit pixels of an image, row-major, `channels` values per pixel. */
export interface Pixels8 {
  /** Height in pixels. */
  height: number;
  /** Width in pixels. */
  width: number;
  /** 1 (gray) or 3 (RGB). */
  channels: 1 | 3;
  /** `height * width * channels` bytes. */
  data: Uint8Array;
}

/**
 * Reads an HWC image tensor in [0, 1] back as 8-bit pixels (values clipped to
 * [0, 1], scaled by 255 and rounded). Reads synchronously: call it on images,
 * not inside training loops.
 *
 * @param image HWC tensor with 1 or 3 channels.
 * @param name The argument's name, used in error messages.
 * @returns The pixels.
 */
export function toPixels8(image: tf.Tensor3D, name = "image"): Pixels8 {
  assertImage(image, name);
  const [height, width, channels] = image.shape as [number, number, 1 | 3];
  const scaled = tf.tidy(() => image.clipByValue(0, 1).mul(255).round());
  try {
    return { height, width, channels, data: Uint8Array.from(scaled.dataSync()) };
  } finally {
    scaled.dispose();
  }
}

/**
 * Encodes 8-bit pixels as a PNG file.
 *
 * @param pixels The pixels.
 * @returns The PNG bytes.
 * @example
 * ```ts
 * import { encodePngPixels } from "./png.ts";
 * const png = encodePngPixels({ height: 1, width: 2, channels: 1, data: new Uint8Array([0, 255]) });
 * if (png[1] !== 0x50) throw new Error("not a PNG");
 * ```
 */
export function encodePngPixels(pixels: Pixels8): Uint8Array {
  const { height, width, channels, data } = pixels;
  if (data.length !== height * width * channels) {
    throw new RangeError(
      `pixels.data must hold height * width * channels = ${
        height * width * channels
      } bytes, got ${data.length}`,
    );
  }
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1)); // filter byte 0 (none) per row
  for (let y = 0; y < height; y++) {
    raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 1 ? 0 : 2; // colour type: gray or RGB
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", new Uint8Array(deflateSync(raw, { level: 6 }))),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Encodes an image tensor as PNG bytes.
 *
 * @param image HWC tensor in [0, 1] with 1 or 3 channels.
 * @returns The PNG bytes.
 */
export function imagePng(image: tf.Tensor3D): Uint8Array {
  return encodePngPixels(toPixels8(image));
}

/**
 * Encodes an image tensor as a `data:image/png;base64,...` URI, for `<img>`
 * tags and plotly image traces.
 *
 * @param image HWC tensor in [0, 1] with 1 or 3 channels.
 * @returns The data URI.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { imageDataUri } from "./png.ts";
 * await tf.setBackend("cpu");
 * const img = tf.fill([4, 4, 3], 0.5) as tf.Tensor3D;
 * if (!imageDataUri(img).startsWith("data:image/png;base64,")) throw new Error("bad uri");
 * img.dispose();
 * ```
 */
export function imageDataUri(image: tf.Tensor3D): string {
  return pngDataUri(imagePng(image));
}

/**
 * Wraps PNG bytes as a data URI.
 *
 * @param png PNG bytes.
 * @returns `data:image/png;base64,...`.
 */
export function pngDataUri(png: Uint8Array): string {
  return `data:image/png;base64,${base64(png)}`;
}

/**
 * Base64 of bytes (standard alphabet, padded).
 *
 * @param bytes The bytes.
 * @returns The base64 text.
 */
export function base64(bytes: Uint8Array): string {
  let binary = "";
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode(...bytes.subarray(i, i + step));
  }
  return btoa(binary);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 12);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}
