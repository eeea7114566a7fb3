/**
 * `readPoints`: one reader for the point annotations of every supported
 * dataset format, and `readRoi` for region-of-interest masks.
 *
 * | format | file | coordinates |
 * | --- | --- | --- |
 * | `"json"` | `{"points": [[x, y], ...], "areas"?, "boxes"?, "sizes"?}` (the project's layout) | 0-based |
 * | `"nwpu"` | NWPU-Crowd `jsons/NNNN.json`: `{"img_id", "human_num", "points", "boxes"}` | 0-based |
 * | `"dots"` | a dot image (VGG cells, MBM, ADI): see `formats/dots.ts` | pixel centres |
 * | `"shanghaitech"` | `GT_IMG_N.mat`, `image_info{1}.location` | 1-based → 0-based |
 * | `"ucf-qnrf"` | `img_NNNN_ann.mat`, `annPoints` | 1-based → 0-based |
 * | `"jhu"` | JHU-Crowd++ `gt/NNNN.txt`, `x y w h o b` per line | 0-based |
 * | `"trancos"` | `...dots.png` (red dots) or `....txt` (`x y` per line) | pixels / 1-based → 0-based |
 *
 * Sizes from areas and boxes: see `formats/json.ts` (`2 · sqrt(area / π)`,
 * `sqrt(w · h)`).
 *
 * @module
 */
import { readImageData } from "../io/read.ts";
import { ImageReadError } from "../io/format.ts";
import { type Points, toPoints } from "./points.ts";
import { AnnotationError, fileName, readAnnotationBytes } from "./annotation_error.ts";
import { dotMask, type DotsOptions, pointsFromDots } from "./formats/dots.ts";
import { parsePointsJson } from "./formats/json.ts";
import { maskFromMat, matVariables, shanghaiTechPoints, ucfQnrfPoints } from "./formats/matlab.ts";
import { jhuPoints, xyPoints } from "./formats/text.ts";

/** The annotation formats {@linkcode readPoints} reads. */
export type AnnotationFormat =
  | "json"
  | "dots"
  | "shanghaitech"
  | "ucf-qnrf"
  | "jhu"
  | "nwpu"
  | "trancos";

/** Every {@linkcode AnnotationFormat}, for run-time checks. */
export const ANNOTATION_FORMATS: readonly AnnotationFormat[] = [
  "json",
  "dots",
  "shanghaitech",
  "ucf-qnrf",
  "jhu",
  "nwpu",
  "trancos",
];

/** Options of {@linkcode readPoints}; the dot options apply to `"dots"` (and TRANCOS' dots images). */
export interface ReadPointsOptions extends DotsOptions {
  /**
   * The file's format. Default: from the extension, `"json"` for `.json`,
   * `"dots"` for `.png`/`.jpg`/`.jpeg`; other files need it.
   */
  format?: AnnotationFormat;
  /**
   * The coordinate of the first pixel's centre in the file, subtracted from
   * every point. Default 1 for `"shanghaitech"`, `"ucf-qnrf"` and TRANCOS
   * `.txt` (MATLAB), 0 for the others.
   */
  origin?: number;
  /**
   * `[height, width]` of the image: when given, a point outside it
   * (`x < -0.5` or `x >= width - 0.5`, same for y) is an error naming the
   * file and the point.
   */
  inside?: readonly [number, number];
}

/**
 * Reads the point annotation of one image.
 *
 * @param path The annotation file.
 * @param options Format, coordinate origin, dot rule and image bounds.
 * @returns The points (x = column, y = row, 0-based), with `sizes` and
 * `boxes` where the format has them (our JSON's `areas`/`boxes`, JHU and
 * NWPU boxes).
 * @throws {AnnotationError} For a missing, empty, corrupt or mismatched
 * file (e.g. ShanghaiTech `number` or NWPU `human_num` differing from the
 * points, a JHU line with too few fields), or a point outside `inside`.
 * @example
 * ```ts
 * import { readPoints } from "./read_points.ts";
 * const cells = await readPoints("data/counting/vgg_cells/points/001cell.json");
 * console.log(cells.x.length); // 135
 * const crowd = await readPoints(
 *   "testdata/counting_formats/shanghaitech/part_A/train_data/ground-truth/GT_IMG_1.mat",
 *   { format: "shanghaitech" },
 * );
 * console.log(crowd.x.length); // 3
 * ```
 */
export async function readPoints(
  path: string | URL,
  options: ReadPointsOptions = {},
): Promise<Points> {
  const source = fileName(path);
  const format = options.format ?? formatFromExtension(path, source);
  if (!ANNOTATION_FORMATS.includes(format)) {
    throw new RangeError(
      `format must be one of ${ANNOTATION_FORMATS.map((f) => `"${f}"`).join(", ")}, got ${
        JSON.stringify(format)
      }`,
    );
  }
  const origin = options.origin;
  if (origin !== undefined && !Number.isFinite(origin)) {
    throw new RangeError(`origin must be a finite number, got ${origin}`);
  }
  let points: Points;
  const text = async () => new TextDecoder().decode(await readAnnotationBytes(path));
  const mat = async () => matVariables(await readAnnotationBytes(path), source);
  switch (format) {
    case "json":
    case "nwpu":
      points = parsePointsJson(await text(), source, format);
      if (origin) points = shift(points, origin);
      break;
    case "dots":
      points = pointsFromDots(await dotImage(path, source), options);
      if (origin) points = shift(points, origin);
      break;
    case "shanghaitech":
      points = shanghaiTechPoints(await mat(), source, origin ?? 1);
      break;
    case "ucf-qnrf":
      points = ucfQnrfPoints(await mat(), source, origin ?? 1);
      break;
    case "jhu":
      points = jhuPoints(await text(), source);
      if (origin) points = shift(points, origin);
      break;
    case "trancos": {
      const ext = extension(path);
      if (ext === ".txt") points = xyPoints(await text(), source, origin ?? 1);
      else if (ext === ".png") {
        points = pointsFromDots(await dotImage(path, source), { channel: 0, ...options });
        if (origin) points = shift(points, origin);
      } else {
        throw new AnnotationError(
          source,
          `TRANCOS annotations are ...dots.png or .txt files, got extension "${ext}"`,
        );
      }
      break;
    }
  }
  if (options.inside) {
    try {
      toPoints(points, { inside: options.inside, name: "points" });
    } catch (cause) {
      throw new AnnotationError(source, (cause as Error).message, { cause });
    }
  }
  return points;
}

/** A region-of-interest mask: `data[row * width + col]` is 1 inside, 0 outside. */
export interface RoiMask {
  /** Row-major 0/1 values. */
  data: Uint8Array;
  /** `[height, width]`. */
  shape: [number, number];
}

/** Options of {@linkcode readRoi}. */
export interface ReadRoiOptions {
  /** The MAT-file variable holding the mask (default `BW`, TRANCOS' name, else the only 2-D array). */
  variable?: string;
  /** For image masks: a pixel is inside when channel 0 is above this (default 0.5). */
  threshold?: number;
}

/**
 * Reads a region-of-interest mask: a `.mat` file (TRANCOS `...mask.mat`,
 * logical `BW`) or a PNG/JPEG image (inside where channel 0 > `threshold`).
 *
 * @param path The mask file.
 * @param options MAT variable or image threshold.
 * @returns The mask.
 * @throws {AnnotationError} For a missing or corrupt file or a MAT-file without a 2-D mask.
 * @example
 * ```ts
 * import { readRoi } from "./read_points.ts";
 * const roi = await readRoi("testdata/counting_formats/trancos/images/image-1-000001mask.mat");
 * console.log(roi.shape); // [24, 36]
 * ```
 */
export async function readRoi(path: string | URL, options: ReadRoiOptions = {}): Promise<RoiMask> {
  const source = fileName(path);
  if (extension(path) === ".mat") {
    return maskFromMat(
      matVariables(await readAnnotationBytes(path), source),
      source,
      options.variable,
    );
  }
  const image = await dotImage(path, source);
  const [h, w] = image.shape;
  return { data: dotMask(image, { threshold: options.threshold ?? 0.5 }), shape: [h, w] };
}

/** Reads a dot or mask image, reporting failures as annotation errors. */
async function dotImage(path: string | URL, source: string) {
  try {
    return await readImageData(path, { normalize: "depth" });
  } catch (cause) {
    if (cause instanceof ImageReadError) {
      throw new AnnotationError(source, cause.reason, { cause });
    }
    throw cause;
  }
}

function shift(points: Points, origin: number): Points {
  for (let i = 0; i < points.x.length; i++) {
    points.x[i] -= origin;
    points.y[i] -= origin;
  }
  if (points.boxes) { for (let i = 0; i < points.boxes.length; i++) points.boxes[i] -= origin; }
  return points;
}

function extension(path: string | URL): string {
  const name = path instanceof URL ? path.pathname : path;
  const base = name.slice(name.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot < 0 ? "" : base.slice(dot).toLowerCase();
}

function formatFromExtension(path: string | URL, source: string): AnnotationFormat {
  const ext = extension(path);
  if (ext === ".json") return "json";
  if (ext === ".png" || ext === ".jpg" || ext === ".jpeg") return "dots";
  throw new AnnotationError(
    source,
    `cannot tell the format from the extension "${ext}"; pass { format: ${
      ANNOTATION_FORMATS.map((f) => `"${f}"`).join(" | ")
    } }`,
  );
}
