/**
 * Point annotations and region-of-interest masks stored in MATLAB files:
 *
 * - ShanghaiTech (`GT_IMG_N.mat`): `image_info` is a 1×1 cell holding a 1×1
 *   struct with `location` (N×2 double, columns x, y) and `number` (the
 *   count), i.e. `image_info{1}.location` in MATLAB and
 *   `mat["image_info"][0, 0][0, 0][0]` in scipy.
 * - UCF-QNRF (`img_NNNN_ann.mat`): `annPoints`, N×2 double (x, y).
 * - TRANCOS ROI masks (`image-X-XXXXXXmask.mat`): `BW`, an H×W logical array.
 *
 * Both point sets are MATLAB 1-based (the centre of the top-left pixel is
 * (1, 1)); the readers subtract `origin` (default 1) so that points follow
 * the toolkit's 0-based convention.
 *
 * @module
 */
import type { Points } from "../points.ts";
import { AnnotationError } from "../annotation_error.ts";
import { describeMat, type MatNumeric, MatReadError, type MatValue, readMat } from "../mat.ts";

/**
 * Decodes a MAT-file, naming the file in any error.
 *
 * @param bytes The file's contents.
 * @param source The file's name (quoted).
 * @returns Its variables.
 */
export function matVariables(bytes: Uint8Array, source: string): Record<string, MatValue> {
  try {
    return readMat(bytes, source);
  } catch (cause) {
    if (cause instanceof MatReadError) throw new AnnotationError(source, cause.reason, { cause });
    throw cause;
  }
}

/**
 * Points of an N×2 numeric array (rows = points, columns x, y), less `origin`.
 *
 * @param value The array.
 * @param source The file's name for errors.
 * @param what How to name the array (e.g. `"annPoints"`).
 * @param origin Subtracted from both coordinates.
 * @returns The points.
 */
export function pointsFromMatrix(
  value: MatValue | undefined,
  source: string,
  what: string,
  origin: number,
): Points {
  if (value === undefined || value.kind !== "numeric") {
    throw new AnnotationError(
      source,
      `${what} must be an N x 2 numeric array, got ${describeMat(value)}`,
    );
  }
  const [rows, cols] = value.shape;
  const count = value.shape.reduce((a, b) => a * b, 1);
  // An empty set may be stored 0x0, 0x2 or 1x0.
  if (count === 0) return { x: new Float32Array(0), y: new Float32Array(0) };
  if (value.shape.length !== 2 || cols < 2) {
    throw new AnnotationError(
      source,
      `${what} must be an N x 2 array (one row per point: x, y), got ${describeMat(value)}`,
    );
  }
  const x = new Float32Array(rows), y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const xv = value.data[i], yv = value.data[i + rows]; // column-major
    if (!Number.isFinite(xv) || !Number.isFinite(yv)) {
      throw new AnnotationError(source, `${what} row ${i + 1} is not finite: (${xv}, ${yv})`);
    }
    x[i] = xv - origin;
    y[i] = yv - origin;
  }
  return { x, y };
}

/**
 * Points of a ShanghaiTech ground-truth file (`image_info{1}.location`).
 *
 * @param vars The file's variables.
 * @param source The file's name for errors.
 * @param origin Subtracted from the coordinates (default 1: MATLAB 1-based).
 * @returns The points; `image_info{1}.number`, when present, must equal their count.
 */
export function shanghaiTechPoints(
  vars: Record<string, MatValue>,
  source: string,
  origin = 1,
): Points {
  const info = vars.image_info;
  const fail = (reason: string) => new AnnotationError(source, reason);
  if (info === undefined) {
    throw fail(
      `no variable "image_info" (has ${
        Object.keys(vars).map((k) => `"${k}"`).join(", ") || "none"
      }); ` +
        `is this a ShanghaiTech GT_IMG_N.mat file?`,
    );
  }
  let record: MatValue = info;
  if (record.kind === "cell") {
    if (record.items.length === 0) throw fail(`image_info is an empty cell`);
    record = record.items[0];
  }
  if (record.kind !== "struct" || record.items.length === 0) {
    throw fail(`image_info{1} must be a struct with field "location", got ${describeMat(record)}`);
  }
  const fields = record.items[0];
  if (!("location" in fields)) {
    throw fail(`image_info{1} has no field "location" (fields: ${record.fields.join(", ")})`);
  }
  const points = pointsFromMatrix(fields.location, source, "image_info{1}.location", origin);
  const number = fields.number;
  if (
    number?.kind === "numeric" && number.data.length === 1 && number.data[0] !== points.x.length
  ) {
    throw fail(
      `image_info{1}.number is ${number.data[0]} but location holds ${points.x.length} points`,
    );
  }
  return points;
}

/**
 * Points of a UCF-QNRF annotation file (`annPoints`).
 *
 * @param vars The file's variables.
 * @param source The file's name for errors.
 * @param origin Subtracted from the coordinates (default 1: MATLAB 1-based).
 * @returns The points.
 */
export function ucfQnrfPoints(vars: Record<string, MatValue>, source: string, origin = 1): Points {
  if (!("annPoints" in vars)) {
    throw new AnnotationError(
      source,
      `no variable "annPoints" (has ${
        Object.keys(vars).map((k) => `"${k}"`).join(", ") || "none"
      }); ` +
        `is this a UCF-QNRF *_ann.mat file?`,
    );
  }
  return pointsFromMatrix(vars.annPoints, source, "annPoints", origin);
}

/**
 * An H×W mask from a MAT-file: the variable `name` (default: `BW`, TRANCOS'
 * name, else the only 2-D numeric or logical variable), non-zero = inside.
 *
 * @param vars The file's variables.
 * @param source The file's name for errors.
 * @param name The variable to use.
 * @returns Row-major 0/1 values and `[height, width]`.
 */
export function maskFromMat(
  vars: Record<string, MatValue>,
  source: string,
  name?: string,
): { data: Uint8Array; shape: [number, number] } {
  let value: MatValue | undefined;
  if (name !== undefined) value = vars[name];
  else if ("BW" in vars) value = vars.BW;
  else {
    const planes = Object.values(vars).filter((v) => v.kind === "numeric" && v.shape.length === 2);
    if (planes.length === 1) value = planes[0];
  }
  if (value === undefined || value.kind !== "numeric" || value.shape.length !== 2) {
    throw new AnnotationError(
      source,
      `expected a 2-D mask in variable ${name ? `"${name}"` : `"BW"`} (variables: ${
        Object.entries(vars).map(([k, v]) => `"${k}": ${describeMat(v)}`).join(", ") || "none"
      })`,
    );
  }
  const m = value as MatNumeric;
  const [h, w] = m.shape;
  const data = new Uint8Array(h * w);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) data[r * w + c] = m.data[r + c * h] !== 0 ? 1 : 0;
  }
  return { data, shape: [h, w] };
}
