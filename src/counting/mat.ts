/**
 * A small reader of MATLAB Level 5 MAT-files (the format of `save -v7` and
 * earlier, and of scipy's `savemat`), enough for the annotation files of the
 * public counting datasets: numeric and logical arrays, character arrays,
 * cells and structs, compressed (`-v7`) or not, little- or big-endian.
 *
 * Why not an npm package: the one Level 5 reader on npm (`mat-for-js` 1.1.0,
 * a single release, GPL-3.0-or-later) works in Deno, but flattens shapes (a
 * 1×2 point, a 2×1 column and a 0×2 empty set all come back alike, exactly
 * the 0–3 point cases that matter for counting) and returns BigInt for
 * 64-bit integers. This reader keeps every array's MATLAB shape.
 *
 * Not read (returned as `{kind: "unsupported"}` so that other variables of
 * the file still read): sparse arrays, objects, function handles and the
 * opaque classes of newer MATLAB (strings, tables). MATLAB v7.3 files are
 * HDF5, not Level 5, and are refused with a message saying so; v4 files are
 * refused as not Level 5.
 *
 * @module
 */
import { inflateSync } from "node:zlib";

/** Numeric classes of MATLAB arrays. */
export type MatNumericClass =
  | "double"
  | "single"
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64"
  | "logical";

/**
 * A numeric or logical array. `data` holds the real part in MATLAB's
 * column-major order (element `(r, c)` of a 2-D array is
 * `data[r + c * shape[0]]`), converted to float64 (64-bit integers beyond
 * 2^53 lose precision).
 */
export interface MatNumeric {
  /** Discriminant. */
  kind: "numeric";
  /** The MATLAB class. */
  class: MatNumericClass;
  /** Dimensions, at least two, as MATLAB reports them. */
  shape: number[];
  /** Real part, column-major. */
  data: Float64Array;
  /** Imaginary part of a complex array. */
  imag?: Float64Array;
}

/** A character array; `text` is its characters in column-major order (a row string as written). */
export interface MatChar {
  /** Discriminant. */
  kind: "char";
  /** Dimensions. */
  shape: number[];
  /** The characters. */
  text: string;
}

/** A cell array; `items` in column-major order. */
export interface MatCell {
  /** Discriminant. */
  kind: "cell";
  /** Dimensions. */
  shape: number[];
  /** The cells. */
  items: MatValue[];
}

/** A struct array; `items[i][field]` is field `field` of element `i` (column-major). */
export interface MatStruct {
  /** Discriminant. */
  kind: "struct";
  /** Dimensions. */
  shape: number[];
  /** Field names in stored order. */
  fields: string[];
  /** One record per element. */
  items: Record<string, MatValue>[];
}

/** An array of a class this reader does not decode (sparse, object, function, opaque). */
export interface MatUnsupported {
  /** Discriminant. */
  kind: "unsupported";
  /** The MATLAB class, e.g. `"sparse"`. */
  class: string;
}

/** Any value read from a MAT-file. */
export type MatValue = MatNumeric | MatChar | MatCell | MatStruct | MatUnsupported;

/**
 * Error for a MAT-file that cannot be read; the message reads
 * `cannot read MAT-file <source>: <reason>`.
 */
export class MatReadError extends Error {
  /** The file's name as given, or a description of the bytes. */
  readonly source: string;
  /** What is wrong. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param source The file's name.
   * @param reason What is wrong.
   * @param options Standard error options (`cause`).
   */
  constructor(source: string, reason: string, options?: ErrorOptions) {
    super(`cannot read MAT-file ${source}: ${reason}`, options);
    this.name = "MatReadError";
    this.source = source;
    this.reason = reason;
  }
}

// Data types of element tags (MAT-file format, table 1-1).
const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;
const MI_SIZE: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 2,
  5: 4,
  6: 4,
  7: 4,
  9: 8,
  12: 8,
  13: 8,
  16: 1,
  17: 2,
  18: 4,
};
// Array classes (table 1-3).
const MX_NUMERIC: Record<number, MatNumericClass> = {
  6: "double",
  7: "single",
  8: "int8",
  9: "uint8",
  10: "int16",
  11: "uint16",
  12: "int32",
  13: "uint32",
  14: "int64",
  15: "uint64",
};
const MX_OTHER: Record<number, string> = {
  3: "object",
  5: "sparse",
  16: "function",
  17: "opaque",
};

/**
 * Reads every variable of a MATLAB Level 5 MAT-file.
 *
 * @param bytes The file's contents.
 * @param source How to name the file in errors (default `bytes (N bytes)`).
 * @returns The variables by name, in file order.
 * @throws {MatReadError} For an empty, truncated, corrupt, v4 or v7.3 (HDF5) file.
 * @example
 * ```ts
 * import { readMat } from "./mat.ts";
 * const path = "testdata/counting_formats/ucf_qnrf/Train/img_0001_ann.mat";
 * const vars = readMat(await Deno.readFile(path), path);
 * const ann = vars.annPoints;
 * if (ann.kind !== "numeric" || ann.shape[1] !== 2) throw new Error("unexpected");
 * ```
 */
export function readMat(bytes: Uint8Array, source?: string): Record<string, MatValue> {
  const name = source ?? `bytes (${bytes.length} bytes)`;
  const fail = (reason: string, cause?: unknown) =>
    new MatReadError(name, reason, cause === undefined ? undefined : { cause });
  if (bytes.length === 0) throw fail("the file is empty (0 bytes)");
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, Math.min(116, bytes.length)));
  if (!head.startsWith("MATLAB")) {
    throw fail(
      `not a MATLAB Level 5 MAT-file (no "MATLAB" header text; v4 files and other formats ` +
        `are not read)`,
    );
  }
  if (
    head.startsWith("MATLAB 7.3") ||
    (bytes.length > 516 && bytes[512] === 0x89 && bytes[513] === 0x48 && bytes[514] === 0x44)
  ) {
    throw fail(
      "MATLAB v7.3 files are HDF5, not Level 5, and are not read here; re-save the file " +
        "in MATLAB with save(..., '-v7') or in Python with scipy.io.savemat",
    );
  }
  if (bytes.length < 128) {
    throw fail(`truncated: ${bytes.length} bytes, shorter than the 128-byte header`);
  }
  const endian = String.fromCharCode(bytes[126], bytes[127]);
  if (endian !== "IM" && endian !== "MI") {
    throw fail(`corrupt header: endian indicator "${endian}", expected "IM" or "MI"`);
  }
  const reader = new ElementReader(name, endian === "IM");
  const out: Record<string, MatValue> = {};
  let offset = 128;
  while (offset < bytes.length) {
    if (bytes.length - offset < 8) {
      // Some writers pad the end of the file; only zeros are accepted there.
      if (bytes.subarray(offset).every((b) => b === 0)) break;
      throw fail(`truncated: ${bytes.length - offset} stray bytes at byte ${offset}`);
    }
    const tag = reader.tag(bytes, offset);
    let body: Uint8Array;
    let next: number;
    if (tag.type === MI.COMPRESSED) {
      if (tag.end > bytes.length) {
        throw fail(
          `truncated: the compressed variable at byte ${offset} declares ${tag.nbytes} bytes ` +
            `but only ${bytes.length - tag.start} remain`,
        );
      }
      let inflated: Uint8Array;
      try {
        inflated = new Uint8Array(inflateSync(bytes.subarray(tag.start, tag.end)));
      } catch (cause) {
        const msg = cause instanceof Error ? cause.message : String(cause);
        throw fail(`corrupt compressed variable at byte ${offset} (zlib: ${msg})`, cause);
      }
      const inner = reader.tag(inflated, 0, `the compressed variable at byte ${offset}`);
      if (inner.type !== MI.MATRIX) {
        throw fail(`the compressed variable at byte ${offset} holds element type ${inner.type}`);
      }
      if (inner.end > inflated.length) {
        throw fail(`corrupt compressed variable at byte ${offset}: its matrix is truncated`);
      }
      body = inflated.subarray(inner.start, inner.end);
      next = tag.end; // compressed elements are not padded
    } else if (tag.type === MI.MATRIX) {
      if (tag.end > bytes.length) {
        throw fail(
          `truncated: the variable at byte ${offset} declares ${tag.nbytes} bytes but only ` +
            `${bytes.length - tag.start} remain`,
        );
      }
      body = bytes.subarray(tag.start, tag.end);
      next = tag.start + pad8(tag.nbytes);
    } else {
      throw fail(`corrupt: element type ${tag.type} at byte ${offset} is not a variable`);
    }
    const [varName, value] = reader.matrix(body, `the variable at byte ${offset}`);
    out[varName] = value;
    offset = next;
  }
  return out;
}

interface Tag {
  type: number;
  nbytes: number;
  start: number;
  end: number;
  /** Offset of the next element (padded). */
  next: number;
}

/** Decodes tags and matrices of one file (fixed byte order). */
class ElementReader {
  constructor(readonly name: string, readonly little: boolean) {}

  fail(reason: string): MatReadError {
    return new MatReadError(this.name, reason);
  }

  tag(bytes: Uint8Array, offset: number, where = `byte ${offset}`): Tag {
    if (offset + 8 > bytes.length) {
      throw this.fail(`truncated: the element tag at ${where} runs past the end`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const first = view.getUint32(offset, this.little);
    const upper = first >>> 16;
    if (upper !== 0) {
      // Small data element: type and size packed in 4 bytes, data in the next 4.
      const type = first & 0xffff;
      const nbytes = upper;
      if (nbytes > 4) throw this.fail(`corrupt: small element of ${nbytes} bytes at ${where}`);
      return { type, nbytes, start: offset + 4, end: offset + 4 + nbytes, next: offset + 8 };
    }
    const nbytes = view.getUint32(offset + 4, this.little);
    return {
      type: first,
      nbytes,
      start: offset + 8,
      end: offset + 8 + nbytes,
      next: offset + 8 + pad8(nbytes),
    };
  }

  /** Reads the next sub-element of a matrix; returns its tag and the offset after it. */
  element(body: Uint8Array, offset: number, where: string): [Tag, number] {
    if (offset >= body.length) throw this.fail(`corrupt: ${where} ends early`);
    const tag = this.tag(body, offset, where);
    if (tag.end > body.length) {
      throw this.fail(`corrupt: ${where} declares ${tag.nbytes} bytes past the end of its matrix`);
    }
    return [tag, tag.next];
  }

  /** Decodes a numeric sub-element to float64. */
  numbers(body: Uint8Array, tag: Tag, where: string): Float64Array {
    const size = MI_SIZE[tag.type];
    if (size === undefined) {
      throw this.fail(`corrupt: ${where} has non-numeric element type ${tag.type}`);
    }
    const n = Math.floor(tag.nbytes / size);
    const view = new DataView(body.buffer, body.byteOffset + tag.start, tag.nbytes);
    const out = new Float64Array(n);
    const le = this.little;
    switch (tag.type) {
      case MI.INT8:
        for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
        break;
      case MI.UINT8:
      case MI.UTF8:
        for (let i = 0; i < n; i++) out[i] = view.getUint8(i);
        break;
      case MI.INT16:
        for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, le);
        break;
      case MI.UINT16:
      case MI.UTF16:
        for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, le);
        break;
      case MI.INT32:
        for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, le);
        break;
      case MI.UINT32:
      case MI.UTF32:
        for (let i = 0; i < n; i++) out[i] = view.getUint32(4 * i, le);
        break;
      case MI.SINGLE:
        for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, le);
        break;
      case MI.DOUBLE:
        for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, le);
        break;
      case MI.INT64:
        for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(8 * i, le));
        break;
      case MI.UINT64:
        for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(8 * i, le));
        break;
    }
    return out;
  }

  /** Decodes the body of an miMATRIX element: its name and value. */
  matrix(body: Uint8Array, where: string): [string, MatValue] {
    // An empty miMATRIX (0 bytes) is an empty double array (written for empty cells).
    if (body.length === 0) {
      return ["", { kind: "numeric", class: "double", shape: [0, 0], data: new Float64Array(0) }];
    }
    let [tag, offset] = this.element(body, 0, `the array flags of ${where}`);
    if (tag.type !== MI.UINT32 || tag.nbytes !== 8) {
      throw this.fail(`corrupt: ${where} starts with element type ${tag.type}, not array flags`);
    }
    const flagsWord = new DataView(body.buffer, body.byteOffset + tag.start, 8).getUint32(
      0,
      this.little,
    );
    const mxClass = flagsWord & 0xff;
    const complex = (flagsWord & 0x800) !== 0;
    const logical = (flagsWord & 0x200) !== 0;
    [tag, offset] = this.element(body, offset, `the dimensions of ${where}`);
    if (tag.type !== MI.INT32) throw this.fail(`corrupt: ${where} has no dimensions element`);
    const shape = Array.from(this.numbers(body, tag, where));
    if (shape.length < 2 || shape.some((d) => d < 0 || !Number.isInteger(d))) {
      throw this.fail(`corrupt: ${where} has dimensions [${shape.join(", ")}]`);
    }
    [tag, offset] = this.element(body, offset, `the name of ${where}`);
    const name = new TextDecoder("latin1").decode(body.subarray(tag.start, tag.end));
    const label = name ? `"${name}"` : where;
    const count = shape.reduce((a, b) => a * b, 1);

    const numericClass = MX_NUMERIC[mxClass];
    if (numericClass !== undefined) {
      [tag, offset] = this.element(body, offset, `the data of ${label}`);
      const data = this.numbers(body, tag, `the data of ${label}`);
      if (data.length !== count) {
        throw this.fail(
          `corrupt: ${label} has dimensions [${shape.join(", ")}] (${count} values) but ` +
            `stores ${data.length}`,
        );
      }
      const value: MatNumeric = {
        kind: "numeric",
        class: logical ? "logical" : numericClass,
        shape,
        data,
      };
      if (complex) {
        [tag, offset] = this.element(body, offset, `the imaginary part of ${label}`);
        value.imag = this.numbers(body, tag, `the imaginary part of ${label}`);
      }
      return [name, value];
    }
    if (mxClass === 4) {
      if (count === 0) return [name, { kind: "char", shape, text: "" }];
      [tag, offset] = this.element(body, offset, `the characters of ${label}`);
      let text: string;
      if (tag.type === MI.UTF8) {
        text = new TextDecoder("utf-8").decode(body.subarray(tag.start, tag.end));
      } else {
        const codes = this.numbers(body, tag, `the characters of ${label}`);
        text = String.fromCharCode(...codes);
      }
      return [name, { kind: "char", shape, text }];
    }
    if (mxClass === 1) {
      const items: MatValue[] = [];
      for (let i = 0; i < count; i++) {
        const itemWhere = `cell ${i + 1} of ${label}`;
        [tag, offset] = this.element(body, offset, itemWhere);
        if (tag.type !== MI.MATRIX) throw this.fail(`corrupt: ${itemWhere} is not an array`);
        items.push(this.matrix(body.subarray(tag.start, tag.end), itemWhere)[1]);
      }
      return [name, { kind: "cell", shape, items }];
    }
    if (mxClass === 2) {
      [tag, offset] = this.element(body, offset, `the field-name length of ${label}`);
      const fieldLength = this.numbers(body, tag, label)[0];
      [tag, offset] = this.element(body, offset, `the field names of ${label}`);
      if (!(fieldLength > 0) || tag.nbytes % fieldLength !== 0) {
        throw this.fail(`corrupt: ${label} has field names of length ${fieldLength}`);
      }
      const fields: string[] = [];
      for (let f = 0; f < tag.nbytes / fieldLength; f++) {
        const raw = body.subarray(tag.start + f * fieldLength, tag.start + (f + 1) * fieldLength);
        const zero = raw.indexOf(0);
        fields.push(new TextDecoder("latin1").decode(zero < 0 ? raw : raw.subarray(0, zero)));
      }
      const items: Record<string, MatValue>[] = [];
      for (let i = 0; i < count; i++) {
        const record: Record<string, MatValue> = {};
        for (const field of fields) {
          const fieldWhere = `field "${field}" of element ${i + 1} of ${label}`;
          [tag, offset] = this.element(body, offset, fieldWhere);
          if (tag.type !== MI.MATRIX) throw this.fail(`corrupt: ${fieldWhere} is not an array`);
          record[field] = this.matrix(body.subarray(tag.start, tag.end), fieldWhere)[1];
        }
        items.push(record);
      }
      return [name, { kind: "struct", shape, fields, items }];
    }
    return [name, { kind: "unsupported", class: MX_OTHER[mxClass] ?? `class ${mxClass}` }];
  }
}

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Describes a MAT value for messages, e.g. `a 3x2 double array`.
 *
 * @param value The value.
 * @returns A short description.
 */
export function describeMat(value: MatValue | undefined): string {
  if (value === undefined) return "nothing";
  if (value.kind === "unsupported") return `an unsupported ${value.class} value`;
  const dims = value.shape.join("x");
  if (value.kind === "numeric") return `a ${dims} ${value.class} array`;
  if (value.kind === "char") return `a ${dims} char array`;
  return `a ${dims} ${value.kind}`;
}
