/**
 * A small reader of numpy's `.npz` archives (`np.savez`, stored, and
 * `np.savez_compressed`, deflated; zip64 fields as numpy writes them) and
 * `.npy` arrays (little-endian float32/float64/int32/int64/uint8, C order).
 * float64 becomes float32 and int64 int32 (range-checked).
 *
 * @module
 */

/** One array read from a file. */
export interface NpyArray {
  /** The shape (`[]` for a scalar). */
  shape: number[];
  /** The values in C order. */
  data: Float32Array | Int32Array;
}

function fail(file: string, what: string): never {
  throw new Error(`${file}: ${what}`);
}

/**
 * Parses one `.npy` array.
 *
 * @param bytes The file's bytes.
 * @param file The name to use in error messages.
 * @returns The array.
 */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) {
    fail(file, "not a .npy array (no \\x93NUMPY magic)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder("latin1").decode(
    bytes.subarray(headerStart, headerStart + headerLen),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    fail(file, `unreadable .npy header ${JSON.stringify(header.trim())}`);
  }
  if (fortran === "True") {
    fail(file, "array is in Fortran order: save it with np.ascontiguousarray(a)");
  }
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s.length > 0).map(
    Number,
  );
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
    fail(file, `bad shape (${shapeText}) in the .npy header`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLen;
  const itemSize: Record<string, number> = {
    "<f4": 4,
    "<f8": 8,
    "<i4": 4,
    "<i8": 8,
    "|u1": 1,
  };
  const item = itemSize[descr];
  if (item === undefined) {
    fail(
      file,
      `dtype ${descr} is not supported (use little-endian float32, float64, int32, int64 or uint8)`,
    );
  }
  if (bytes.length - start < size * item) {
    fail(file, `holds ${bytes.length - start} data bytes, shape (${shape}) needs ${size * item}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset + start, size * item);
  switch (descr) {
    case "<f4":
    case "<f8": {
      const out = new Float32Array(size);
      for (let i = 0; i < size; i++) {
        out[i] = descr === "<f4" ? dv.getFloat32(4 * i, true) : dv.getFloat64(8 * i, true);
      }
      return { shape, data: out };
    }
    default: {
      const out = new Int32Array(size);
      for (let i = 0; i < size; i++) {
        let v: number;
        if (descr === "<i4") v = dv.getInt32(4 * i, true);
        else if (descr === "|u1") v = dv.getUint8(i);
        else {
          const big = dv.getBigInt64(8 * i, true);
          if (big > 2147483647n || big < -2147483648n) {
            fail(file, `int64 value ${big} at index ${i} does not fit in int32`);
          }
          v = Number(big);
        }
        out[i] = v;
      }
      return { shape, data: out };
    }
  }
}

async function inflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(
    new DecompressionStream("deflate-raw"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Reads every array of an `.npz` archive, keyed by the entry's name without
 * `.npy` (`np.savez(f, **{"conv1_1/kernel": a})` gives `"conv1_1/kernel"`).
 *
 * @param bytes The archive's bytes.
 * @param file The name to use in error messages.
 * @returns The arrays.
 */
export async function parseNpz(bytes: Uint8Array, file: string): Promise<Map<string, NpyArray>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => view.getUint16(o, true);
  const u32 = (o: number) => view.getUint32(o, true);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (u32(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail(file, "not a zip archive (.npz): no end-of-central-directory record");
  let entries = u16(eocd + 10);
  let dirOffset = u32(eocd + 16);
  if (dirOffset === 0xffffffff || entries === 0xffff) {
    // zip64 end-of-central-directory locator just before the EOCD
    const loc = eocd - 20;
    if (loc < 0 || u32(loc) !== 0x07064b50) fail(file, "zip64 archive without its locator");
    const rec = Number(view.getBigUint64(loc + 8, true));
    if (u32(rec) !== 0x06064b50) fail(file, "zip64 end-of-central-directory record not found");
    entries = Number(view.getBigUint64(rec + 32, true));
    dirOffset = Number(view.getBigUint64(rec + 48, true));
  }
  const out = new Map<string, NpyArray>();
  let p = dirOffset;
  for (let e = 0; e < entries; e++) {
    if (p + 46 > bytes.length || u32(p) !== 0x02014b50) {
      fail(file, `corrupt zip central directory at entry ${e}`);
    }
    const method = u16(p + 10);
    let compressed = u32(p + 20);
    let uncompressed = u32(p + 24);
    const nameLen = u16(p + 28), extraLen = u16(p + 30), commentLen = u16(p + 32);
    let local = u32(p + 42);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field (id 1): the 8-byte values of the fields that are 0xffffffff
    let q = p + 46 + nameLen;
    const extraEnd = q + extraLen;
    while (q + 4 <= extraEnd) {
      const id = u16(q), len = u16(q + 2);
      if (id === 1) {
        let r = q + 4;
        const next = () => {
          const v = Number(view.getBigUint64(r, true));
          r += 8;
          return v;
        };
        if (uncompressed === 0xffffffff) uncompressed = next();
        if (compressed === 0xffffffff) compressed = next();
        if (local === 0xffffffff) local = next();
      }
      q += 4 + len;
    }
    p = extraEnd + commentLen;
    if (u32(local) !== 0x04034b50) fail(file, `corrupt local header of ${name}`);
    const dataStart = local + 30 + u16(local + 26) + u16(local + 28);
    const raw = bytes.subarray(dataStart, dataStart + compressed);
    let content: Uint8Array;
    if (method === 0) content = raw;
    else if (method === 8) content = await inflateRaw(raw);
    else {fail(
        file,
        `entry ${name} uses zip compression method ${method} (only stored and deflate)`,
      );}
    if (content.length !== uncompressed) {
      fail(file, `entry ${name} has ${content.length} bytes, its header says ${uncompressed}`);
    }
    if (!name.endsWith(".npy")) continue;
    out.set(name.slice(0, -4), parseNpy(content, `${file}:${name}`));
  }
  return out;
}
