/**
 * Recognises PNG and JPEG files from their bytes and checks their structure
 * (signature, chunk and segment lengths, PNG checksums, end markers) before
 * any decoding, so that an empty, truncated or foreign file is reported with
 * the problem named instead of as a decoder crash.
 *
 * @module
 */
import { crc32 } from "./_crc32.ts";

/** What {@linkcode inspectImage} learns from a file's headers. */
export interface ImageInfo {
  /** The container format. */
  format: "png" | "jpeg";
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /**
   * Colour channels stored, alpha not counted: 1 for gray (PNG colour types
   * 0 and 4, one-component JPEG), 3 for colour (PNG types 2, 3 and 6, JPEG
   * with three or four components).
   */
  channels: 1 | 3;
  /** Whether the file carries alpha (PNG colour types 4 and 6, or a `tRNS` chunk). */
  alpha: boolean;
  /** Bits per sample (PNG: 1, 2, 4, 8 or 16; JPEG: 8 or 12). */
  bitDepth: number;
  /** PNG: whether Adam7 interlaced. JPEG: whether progressive. */
  interlaced: boolean;
}

/**
 * Error for an image file that cannot be read: missing, empty, truncated,
 * corrupt or not an image. `source` names the file (or says that the image
 * came from bytes) and `reason` says what is wrong.
 */
export class ImageReadError extends Error {
  /** The file's path, or a description such as `bytes (120 bytes)`. */
  readonly source: string;
  /** What is wrong, e.g. `the file is empty (0 bytes)`. */
  readonly reason: string;

  /**
   * Creates the error; the message reads `cannot read image <source>: <reason>`.
   *
   * @param source The file's path or a description of the bytes.
   * @param reason What is wrong.
   * @param options Standard error options (`cause`).
   */
  constructor(source: string, reason: string, options?: ErrorOptions) {
    super(`cannot read image ${source}: ${reason}`, options);
    this.name = "ImageReadError";
    this.source = source;
    this.reason = reason;
  }
}

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/** Allowed bit depths per PNG colour type (PNG spec, table 11.1). */
const PNG_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
/** JPEG start-of-frame markers (all coding processes). */
const JPEG_SOF = new Set([
  0xc0,
  0xc1,
  0xc2,
  0xc3,
  0xc5,
  0xc6,
  0xc7,
  0xc9,
  0xca,
  0xcb,
  0xcd,
  0xce,
  0xcf,
]);

/**
 * Identifies a PNG or JPEG file from its bytes and checks that it is
 * complete: for PNG every chunk fits in the file, its CRC matches, the first
 * chunk is `IHDR`, image data and `IEND` are present; for JPEG every segment
 * fits, a frame header precedes the first scan, and an end-of-image marker
 * follows the scan data.
 *
 * @param bytes The file's contents.
 * @param source How to name the file in errors (default: `bytes (N bytes)`).
 * @returns The header information.
 * @throws {ImageReadError} When the bytes are empty, not PNG/JPEG, truncated or corrupt.
 * @example
 * ```ts
 * import { inspectImage } from "./format.ts";
 * const info = inspectImage(await Deno.readFile("data/camera.png"));
 * console.log(info.width, info.height, info.channels); // 512 512 1
 * ```
 */
export function inspectImage(bytes: Uint8Array, source?: string): ImageInfo {
  const name = source ?? `bytes (${bytes.length} bytes)`;
  if (bytes.length === 0) throw new ImageReadError(name, "the file is empty (0 bytes)");
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return inspectPng(bytes, name);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return inspectJpeg(bytes, name);
  }
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new ImageReadError(name, `not a PNG or JPEG file (it starts with bytes ${head})`);
}

function inspectPng(bytes: Uint8Array, name: string): ImageInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (reason: string) => new ImageReadError(name, reason);
  let offset = 8;
  let header: Omit<ImageInfo, "alpha"> | null = null;
  let colorType = -1;
  let alpha = false, hasPalette = false, hasData = false;
  while (true) {
    if (offset + 8 > bytes.length) {
      throw fail(
        offset === bytes.length
          ? `truncated PNG: no IEND chunk (the file ends at byte ${bytes.length})`
          : `truncated PNG: the file ends inside a chunk header at byte ${offset}`,
      );
    }
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > bytes.length) {
      throw fail(
        `truncated PNG: chunk "${type}" at byte ${offset} declares ${length} data bytes ` +
          `but only ${Math.max(0, bytes.length - offset - 12)} remain`,
      );
    }
    const stored = view.getUint32(end - 4);
    if (crc32(bytes.subarray(offset + 4, end - 4)) !== stored) {
      throw fail(`corrupt PNG: CRC mismatch in chunk "${type}" at byte ${offset}`);
    }
    if (header === null) {
      if (type !== "IHDR" || length !== 13) {
        throw fail(`corrupt PNG: the first chunk is "${type}", expected a 13-byte IHDR`);
      }
      const width = view.getUint32(offset + 8), height = view.getUint32(offset + 12);
      const bitDepth = bytes[offset + 16];
      colorType = bytes[offset + 17];
      const interlace = bytes[offset + 20];
      if (width === 0 || height === 0) throw fail(`corrupt PNG: size ${width}x${height}`);
      if (!PNG_DEPTHS[colorType]?.includes(bitDepth)) {
        throw fail(`corrupt PNG: colour type ${colorType} with bit depth ${bitDepth}`);
      }
      if (interlace > 1) throw fail(`corrupt PNG: unknown interlace method ${interlace}`);
      header = {
        format: "png",
        width,
        height,
        channels: colorType === 0 || colorType === 4 ? 1 : 3,
        bitDepth,
        interlaced: interlace === 1,
      };
      alpha = colorType === 4 || colorType === 6;
    } else if (type === "PLTE") {
      hasPalette = true;
    } else if (type === "tRNS") {
      alpha = true;
    } else if (type === "IDAT") {
      hasData = true;
    } else if (type === "IEND") {
      break;
    }
    offset = end;
  }
  if (!hasData) throw fail("corrupt PNG: no IDAT (image data) chunk");
  if (colorType === 3 && !hasPalette) throw fail("corrupt PNG: palette image without PLTE chunk");
  return { ...header!, alpha };
}

function inspectJpeg(bytes: Uint8Array, name: string): ImageInfo {
  const fail = (reason: string) => new ImageReadError(name, reason);
  let offset = 2;
  let frame: ImageInfo | null = null;
  while (true) {
    if (offset >= bytes.length) {
      throw fail(`truncated JPEG: the file ends at byte ${bytes.length} before any scan data`);
    }
    if (bytes[offset] !== 0xff) {
      throw fail(
        `corrupt JPEG: expected a marker at byte ${offset}, found 0x${hex(bytes[offset])}`,
      );
    }
    let marker = bytes[offset + 1];
    while (marker === 0xff) marker = bytes[++offset + 1]; // fill bytes
    if (marker === undefined) throw fail(`truncated JPEG: the file ends inside a marker`);
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // parameterless markers
      continue;
    }
    if (marker === 0xd9) throw fail("corrupt JPEG: end-of-image marker before any scan data");
    if (offset + 4 > bytes.length) throw fail(`truncated JPEG: the file ends at byte ${offset}`);
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    const end = offset + 2 + length;
    if (length < 2 || end > bytes.length) {
      throw fail(
        `truncated JPEG: segment 0x${hex(marker)} at byte ${offset} declares ${length} bytes ` +
          `but only ${bytes.length - offset - 2} remain`,
      );
    }
    if (JPEG_SOF.has(marker)) {
      if (length < 8) throw fail(`corrupt JPEG: frame header of ${length} bytes`);
      const bitDepth = bytes[offset + 4];
      const height = (bytes[offset + 5] << 8) | bytes[offset + 6];
      const width = (bytes[offset + 7] << 8) | bytes[offset + 8];
      const components = bytes[offset + 9];
      if (width === 0 || height === 0) throw fail(`corrupt JPEG: size ${width}x${height}`);
      if (![1, 3, 4].includes(components)) {
        throw fail(`unsupported JPEG: ${components} colour components (expected 1, 3 or 4)`);
      }
      frame = {
        format: "jpeg",
        width,
        height,
        channels: components === 1 ? 1 : 3,
        alpha: false,
        bitDepth,
        interlaced: marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce,
      };
    }
    if (marker === 0xda) {
      if (frame === null) throw fail("corrupt JPEG: scan data before the frame header (SOF)");
      // Inside entropy-coded data 0xFF is always followed by 0x00 or a restart
      // marker, so an FF D9 pair after the first scan is the end-of-image.
      for (let i = bytes.length - 2; i >= end; i--) {
        if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return frame;
      }
      throw fail(
        `truncated JPEG: no end-of-image marker after the scan data ` +
          `(the file ends at byte ${bytes.length})`,
      );
    }
    offset = end;
  }
}

function hex(b: number): string {
  return b.toString(16).padStart(2, "0");
}
