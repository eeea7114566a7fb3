/**
 * A PNG encoder for 8-bit gray and RGB images: gray images stay one-channel
 * files (imagescript would write RGBA), so that reading them back gives a
 * gray image again.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { assertImage } from "../core/checks.ts";
import { crc32 } from "./_crc32.ts";
import { toBytes } from "./_pixels.ts";

/**
 * Encodes an image as an 8-bit PNG: colour type 0 (gray) for one channel, 2
 * (RGB) for three. Values are clipped to [0, 1] and rounded to the nearest of
 * the 256 levels. Each row gets the filter with the smallest sum of absolute
 * residuals (the usual heuristic), and the data is deflated with the
 * platform's `CompressionStream`.
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
  const [height, width, channels] = image.shape;
  const pixels = await toBytes(image);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = channels === 1 ? 0 : 2; // colour type
  const data = await deflate(filterRows(pixels, width * channels, channels));
  return concat([
    Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10),
    chunk("IHDR", header),
    chunk("IDAT", data),
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

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("deflate"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
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
