/**
 * Point annotations stored as text, one object per line:
 *
 * - JHU-Crowd++ (`gt/NNNN.txt`): `x y w h o b`, the head's centre, its box
 *   width and height, occlusion level (1–3) and blur (0/1), integers,
 *   0-based. Each point gets the box `[x − w/2, y − h/2, x + w/2, y + h/2]`
 *   and the size `sqrt(w · h)`.
 * - TRANCOS (`image-X-XXXXXX.txt`): `x y` per vehicle. The dataset's
 *   README calls them pixel coordinates; they were made with MATLAB and are
 *   read as 1-based by default (`origin` 1); the `...dots.png` files are
 *   unambiguous and are what the dataset reader uses by default.
 *
 * Blank lines are skipped; a line with the wrong number of fields or a
 * non-number is an error naming the file and the line.
 *
 * @module
 */
import type { Points } from "../points.ts";
import { AnnotationError } from "../annotation_error.ts";
import { diameterFromBox } from "./json.ts";

/**
 * Parses whitespace-separated numbers, `fields` or more per line.
 *
 * @param text The file's text.
 * @param source The file's name for errors.
 * @param fields The number of fields each line needs at least.
 * @param layout What the fields are, for messages (e.g. `"x y w h o b"`).
 * @returns One array of numbers per non-blank line.
 */
export function parseRows(
  text: string,
  source: string,
  fields: number,
  layout: string,
): number[][] {
  const rows: number[][] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === "") return;
    const parts = trimmed.split(/[\s,]+/);
    const values = parts.map(Number);
    if (parts.length < fields || values.some((v) => !Number.isFinite(v))) {
      throw new AnnotationError(
        source,
        `line ${i + 1} must hold ${fields} numbers (${layout}), got ${JSON.stringify(trimmed)}`,
      );
    }
    rows.push(values);
  });
  return rows;
}

/**
 * Points of a JHU-Crowd++ `gt/*.txt` file, with boxes and sizes.
 *
 * @param text The file's text.
 * @param source The file's name for errors.
 * @returns The points (0-based, as stored).
 */
export function jhuPoints(text: string, source: string): Points {
  const rows = parseRows(text, source, 4, "x y w h o b");
  const n = rows.length;
  const out: Points = {
    x: new Float32Array(n),
    y: new Float32Array(n),
    sizes: new Float32Array(n),
    boxes: new Float32Array(4 * n),
  };
  rows.forEach(([x, y, w, h], i) => {
    if (w < 0 || h < 0) {
      throw new AnnotationError(source, `line ${i + 1} has a negative box size ${w} x ${h}`);
    }
    out.x[i] = x;
    out.y[i] = y;
    const box = [x - w / 2, y - h / 2, x + w / 2, y + h / 2];
    out.boxes!.set(box, 4 * i);
    out.sizes![i] = diameterFromBox(box);
  });
  return out;
}

/**
 * Points of an `x y` per line file (TRANCOS `.txt`), less `origin`.
 *
 * @param text The file's text.
 * @param source The file's name for errors.
 * @param origin Subtracted from both coordinates (TRANCOS default 1).
 * @returns The points.
 */
export function xyPoints(text: string, source: string, origin: number): Points {
  const rows = parseRows(text, source, 2, "x y");
  return {
    x: Float32Array.from(rows, (r) => r[0] - origin),
    y: Float32Array.from(rows, (r) => r[1] - origin),
  };
}
