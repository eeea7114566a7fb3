/**
 * Point annotations stored as JSON: the project's layout
 * (`{"points": [[x, y], ...], "areas"?: [...], "boxes"?: [[x0, y0, x1, y1], ...]}`,
 * as in `data/counting/<set>/points/<stem>.json`) and NWPU-Crowd's
 * (`{"img_id", "human_num", "points", "boxes"}`).
 *
 * Object sizes (the diameter in pixels kept in `Points.sizes`) come from, in
 * this order: a `"sizes"` array; `"areas"` (pixels of each object's mask) as
 * the diameter of the disc of that area, `2 · sqrt(area / π)`; `"boxes"` as
 * the geometric mean of the box's sides, `sqrt((x1 − x0) · (y1 − y0))` (the
 * diameter of the circle whose area is that of the ellipse inscribed in the
 * box). Boxes are kept as given, end-exclusive, in the points' order.
 *
 * @module
 */
import type { Points } from "../points.ts";
import { AnnotationError } from "../annotation_error.ts";

/**
 * Diameter of the disc whose area is `area` pixels: `2 · sqrt(area / π)`.
 *
 * @param area Area in pixels.
 * @returns The diameter in pixels.
 */
export function diameterFromArea(area: number): number {
  return 2 * Math.sqrt(area / Math.PI);
}

/**
 * Size of a box `[x0, y0, x1, y1]`: the geometric mean of its sides,
 * `sqrt((x1 − x0) · (y1 − y0))`.
 *
 * @param box The box.
 * @returns The size in pixels.
 */
export function diameterFromBox(box: ArrayLike<number>): number {
  return Math.sqrt(Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]));
}

/**
 * Parses a JSON point annotation.
 *
 * @param text The file's text.
 * @param source The file's name (quoted) for errors.
 * @param flavour `"json"` (the project's layout; a bare `[[x, y], ...]`
 * array is accepted too) or `"nwpu"` (also checks `human_num` against the
 * number of points).
 * @returns The points, 0-based as stored.
 * @throws {AnnotationError} For invalid JSON, a missing or malformed
 * `points`, non-finite coordinates, or lengths of `areas`, `sizes`, `boxes`
 * or `human_num` that differ from the number of points.
 */
export function parsePointsJson(
  text: string,
  source: string,
  flavour: "json" | "nwpu" = "json",
): Points {
  const fail = (reason: string, cause?: unknown) =>
    new AnnotationError(source, reason, cause === undefined ? undefined : { cause });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    throw fail(
      text.trim() === "" ? "the file is empty" : `not valid JSON (${msg})`,
      cause,
    );
  }
  const record = (Array.isArray(doc) && flavour === "json" ? { points: doc } : doc) as Record<
    string,
    unknown
  >;
  if (record === null || typeof record !== "object" || Array.isArray(record)) {
    throw fail(`expected a JSON object with "points", got ${kind(doc)}`);
  }
  const raw = record.points;
  if (!Array.isArray(raw)) throw fail(`"points" must be an array of [x, y], got ${kind(raw)}`);
  const n = raw.length;
  const out: Points = { x: new Float32Array(n), y: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    const p = raw[i];
    if (!Array.isArray(p) || p.length < 2 || !isFiniteNumber(p[0]) || !isFiniteNumber(p[1])) {
      throw fail(`points[${i}] must be [x, y] with finite numbers, got ${JSON.stringify(p)}`);
    }
    out.x[i] = p[0];
    out.y[i] = p[1];
  }
  if (flavour === "nwpu" && record.human_num !== undefined && record.human_num !== n) {
    throw fail(`"human_num" is ${JSON.stringify(record.human_num)} but there are ${n} points`);
  }
  const numbers = (key: string): number[] | undefined => {
    const v = record[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) throw fail(`"${key}" must be an array, got ${kind(v)}`);
    if (v.length !== n) throw fail(`"${key}" has ${v.length} entries but there are ${n} points`);
    return v as number[];
  };
  const boxes = numbers("boxes");
  if (boxes) {
    out.boxes = new Float32Array(4 * n);
    boxes.forEach((b, i) => {
      const box = b as unknown;
      if (!Array.isArray(box) || box.length !== 4 || !box.every(isFiniteNumber)) {
        throw fail(`boxes[${i}] must be [x0, y0, x1, y1], got ${JSON.stringify(box)}`);
      }
      out.boxes!.set(box, 4 * i);
    });
  }
  const sizes = numbers("sizes"), areas = numbers("areas");
  const checked = (values: number[], key: string) =>
    values.map((v, i) => {
      if (!isFiniteNumber(v) || v < 0) {
        throw fail(`${key}[${i}] must be a finite number >= 0, got ${JSON.stringify(v)}`);
      }
      return v;
    });
  if (sizes) out.sizes = Float32Array.from(checked(sizes, "sizes"));
  else if (areas) out.sizes = Float32Array.from(checked(areas, "areas"), diameterFromArea);
  else if (out.boxes) {
    out.sizes = new Float32Array(n);
    for (let i = 0; i < n; i++) out.sizes[i] = diameterFromBox(out.boxes.subarray(4 * i));
  }
  return out;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}
