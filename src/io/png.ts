/**
 * A PNG encoder for 8-bit gray and RGB images: gray images stay one-channel
 * files (imagescript would write RGBA), so that reading them back gives a
 * gray image again.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { deflateSync } from "node:zlib";
import { assertImage } from "../core/checks.ts";
import { crc32 } from "./_crc32.ts";
import { toBytes } from "./_pixels.ts";

/**
 * Encodes an image as an 8-bit PNG: colour type 0 (gray) for one channel, 2
 * (RGB) for three. Values are clipped to [0, 1] and rounded to the nearest of
 * the 256 levels. See {@linkcode encodePngPixels} for the encoding.
 *
 * @param image HWC image with 1 or 3 channels (not disposed).
 * @returns The PNG file's bytes.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { encodePng } from "./png.ts";
 * await tf.setBackend("cpu");
 * const image = tf.fill([4, 6, 1], 0.5) as tf.Tensor3D;
 * const png = await encodePng(image);
 * console.log(png[25]); // 0: colour type "gray"
 * image.dispose();
 * ```
 */
export async function encodePng(image: tf.Tensor3D): Promise<Uint8Array> {
  assertImage(image, "image");
  const [height, width, channels] = image.shape as [number, number, 1 | 3];
  return encodePngPixels({ height, width, channels, data: await toBytes(image) });
}

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
 * Encodes 8-bit pixels as a PNG file, synchronously (for figure builders and
 * notebook displays): colour type 0 (gray) or 2 (RGB); each row gets the
 * filter with the smallest sum of absolute residuals (the usual heuristic),
 * and the data is deflated with zlib.
 *
 * @param pixels The pixels.
 * @returns The PNG file's bytes.
 * @example
 * ```ts
 * import { encodePngPixels } from "./png.ts";
 * const png = encodePngPixels({ height: 1, width: 2, channels: 1, data: new Uint8Array([0, 255]) });
 * console.log(png[1] === 0x50); // true: "PNG"
 * ```
 */
export function encodePngPixels(pixels: Pixels8): Uint8Array {
  const { height, width, channels, data } = pixels;
  if (channels !== 1 && channels !== 3) {
    throw new RangeError(`pixels.channels must be 1 or 3, got ${channels}`);
  }
  if (data.length !== height * width * channels) {
    throw new RangeError(
      `pixels.data must hold height * width * channels = ${
        height * width * channels
      } bytes, got ${data.length}`,
    );
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = channels === 1 ? 0 : 2; // colour type
  const compressed = new Uint8Array(deflateSync(filterRows(data, width * channels, channels)));
  return concat([
    Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10),
    chunk("IHDR", header),
    chunk("IDAT", compressed),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/** Prefixes each row with the filter type that minimises its sum of |residuals|. */
function filterRows(pixels: Uint8Array, stride: number, bpp: number): Uint8Array {
  const rows = pixels.length / stride;
  const out = new Uint8Array(rows * (stride + 1));
  const candidate = new Uint8Array(stride);
  const zero = new Uint8Array(stride);
  for (let r = 0; r < rows; r++) {
    const cur = pixels.subarray(r * stride, (r + 1) * stride);
    const up = r > 0 ? pixels.subarray((r - 1) * stride, r * stride) : zero;
    const dst = out.subarray(r * (stride + 1) + 1, (r + 1) * (stride + 1));
    let best = Infinity;
    for (let type = 0; type < 5; type++) {
      let cost = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= bpp ? cur[i - bpp] : 0, b = up[i], c = i >= bpp ? up[i - bpp] : 0;
        const pred = type === 0
          ? 0
          : type === 1
          ? a
          : type === 2
          ? b
          : type === 3
          ? (a + b) >> 1
          : paeth(a, b, c);
        const v = (cur[i] - pred) & 0xff;
        candidate[i] = v;
        cost += v < 128 ? v : 256 - v;
      }
      if (cost < best) {
        best = cost;
        out[r * (stride + 1)] = type;
        dst.set(candidate);
      }
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 12);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
