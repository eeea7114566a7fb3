/**
 * Annotated images for `count train` and `count eval`: a folder of images
 * and a folder of annotations paired by name (`--images`, `--points`), or a
 * whole dataset in its public layout (`--dataset`, with `--split`), opened
 * with the counting core's readers. Also the choice of channels and of the
 * scale of 16-bit images, which a counter keeps so that `predict` prepares
 * images as its training did.
 *
 * @module
 */
import {
  type CountingDataset,
  type DatasetItem,
  readCountingDataset,
} from "../counting/dataset.ts";
import { findDatasetFiles } from "../counting/layouts.ts";
import { ANNOTATION_FORMATS, type AnnotationFormat } from "../counting/read_points.ts";
import type { CountingSample } from "../counting/sample.ts";
import type { ImageInfo } from "../io/format.ts";
import type { PngNormalization } from "../io/png16.ts";
import { type Flags, type FlagSpec, parseNumber, userPath } from "./args.ts";
import { asInput, CountInputError } from "./errors.ts";
import {
  type ImageFile,
  inspectImages,
  isDotImageName,
  listImageFiles,
  pairAnnotations,
  stemOf,
} from "./images.ts";

/** The flags naming annotated data. */
export const DATA_FLAGS: Record<string, FlagSpec> = {
  images: { type: "string" },
  points: { type: "string" },
  format: { type: "string" },
  dataset: { type: "string" },
  split: { type: "string" },
};

/** The help lines of {@linkcode DATA_FLAGS}. */
export const DATA_HELP = `  --images DIR       the images (PNG or JPEG, 8 or 16 bits)
  --points DIR       their annotations, one file per image with the image's name
                     (see --format); may be the images folder itself
  --format F         how objects are annotated (default json):
                       json   <name>.json = {"points": [[x, y], ...]} (pixels, x = column)
                       dots   a dot image per image, one coloured pixel per object
                              (<name>.png, <name>dots.png, ...)
                       shanghaitech, ucf-qnrf, jhu, nwpu, trancos: those datasets' files
  --dataset DIR      instead of --images/--points: a whole dataset in its own layout
                     (e.g. ShanghaiTech part_A; data/counting/* with --format json)
  --split NAME       with --dataset: only this split (train, val, test, ...)`;

/** Annotated images, opened. */
export interface AnnotatedImages {
  /** The dataset (annotations read, images decoded on demand). */
  dataset: CountingDataset;
  /** Image headers by name. */
  headers: Map<string, ImageInfo>;
  /** Where the data came from, for reports (`images/ + points/`). */
  source: string;
}

/** What {@linkcode findAnnotated} finds. */
export interface AnnotatedFiles {
  /** The images with their annotation files. */
  items: DatasetItem[];
  /** The images' headers, in order. */
  headers: ImageInfo[];
  /** The annotation format. */
  format: AnnotationFormat;
  /** Where the data came from, with full paths (reports, `settings.json`). */
  source: string;
  /** The images folder's last two path parts (a counter's `trainedOn`). */
  label: string;
}

/**
 * The image files and their annotation files named by the flags.
 *
 * @param flags The parsed flags.
 * @returns The items, their headers, the format, a description of the source
 *   (full paths) and a short label (the folder's last two path parts).
 * @throws {CountInputError} For missing flags or folders, images without annotation, unreadable images.
 */
export async function findAnnotated(
  flags: Flags,
): Promise<AnnotatedFiles> {
  const format = flags.choice("format", ANNOTATION_FORMATS, "json");
  let items: DatasetItem[];
  let source: string, label: string;
  const datasetDir = flags.string("dataset");
  if (datasetDir !== undefined) {
    if (flags.has("images") || flags.has("points")) {
      throw new CountInputError(`give either --dataset or --images with --points, not both`);
    }
    const dir = userPath(datasetDir);
    const found = await findDatasetFiles(dir, format);
    let entries = found.entries;
    const split = flags.string("split");
    if (split !== undefined) {
      const names = found.splits[split];
      if (!names) {
        const have = Object.keys(found.splits);
        throw new CountInputError(
          `--split ${split}: the dataset ${dir} has ${
            have.length ? `the splits ${have.join(", ")}` : "no splits"
          }`,
        );
      }
      const keep = new Set(names);
      entries = entries.filter((e) => keep.has(e.name));
    }
    if (entries.length === 0) {
      throw new CountInputError(`--dataset ${dir}: no annotated images found (--format ${format})`);
    }
    items = entries.map((e) => ({
      image: e.image,
      annotation: e.annotation,
      format: e.format,
      name: e.name,
      ...(e.roi ? { roi: e.roi } : {}),
    }));
    source = `${dir} (${format}${split ? `, split ${split}` : ""})`;
    label = `${shortPath(dir)}${split ? ` (${split})` : ""}`;
  } else {
    if (flags.has("split")) throw new CountInputError(`--split goes with --dataset`);
    const imagesDir = userPath(flags.required("images", "the folder of images"));
    const pointsDir = userPath(flags.required("points", "the folder of annotations"));
    const sameFolder = imagesDir.replace(/\/+$/, "") === pointsDir.replace(/\/+$/, "");
    const images: ImageFile[] = await listImageFiles(
      imagesDir,
      "--images",
      sameFolder && (format === "dots" || format === "trancos")
        ? (n) => isDotImageName(n) || /mask$/i.test(stemOf(n))
        : undefined,
    );
    items = await pairAnnotations(images, pointsDir, format);
    source = `${imagesDir} with ${pointsDir} (${format})`;
    label = shortPath(imagesDir);
  }
  const headers = await inspectImages(
    items.map((i) => ({ path: i.image, stem: i.name ?? stemOf(i.image) })),
  );
  return { items, headers, format, source, label };
}

/** The last two parts of a path (`train/images`): what a counter's metadata says it was trained on. */
function shortPath(path: string): string {
  return path.replace(/\/+$/, "").split("/").slice(-2).join("/");
}

/**
 * Opens annotated images as a dataset with the given channels and scale.
 *
 * @param found What {@linkcode findAnnotated} returned.
 * @param options Channels and 16-bit scale of the images.
 * @returns The dataset and headers.
 * @throws {CountInputError} For an unreadable or mismatched annotation.
 */
export async function openAnnotated(
  found: AnnotatedFiles,
  options: { channels: 1 | 3; normalize: PngNormalization },
): Promise<AnnotatedImages> {
  const dataset = await asInput(
    "",
    () =>
      readCountingDataset(found.items, {
        format: found.format,
        channels: options.channels,
        normalize: options.normalize,
      }),
  );
  const headers = new Map<string, ImageInfo>();
  dataset.names.forEach((n, i) => headers.set(n, found.headers[i]));
  return { dataset, headers, source: found.source };
}

/**
 * Decodes every sample of a dataset (images and points), naming the file
 * when one cannot be read.
 *
 * @param dataset The dataset.
 * @returns The samples, in order.
 */
export async function loadSamples(dataset: CountingDataset): Promise<CountingSample[]> {
  const out: CountingSample[] = [];
  for (const name of dataset.names) out.push(await dataset.sample(name));
  return out;
}

/**
 * Parses `--normalize`.
 *
 * @param text The flag's value, or `undefined`.
 * @param headers The images' headers (for `auto`).
 * @returns The normalisation.
 * @throws {CountInputError} For a value that is none of auto, depth, bits, `<n>bit`, `lo,hi`.
 */
export function parseNormalize(
  text: string | undefined,
  headers: readonly ImageInfo[],
): PngNormalization {
  if (text === undefined || text === "auto") {
    return headers.some((h) => h.bitDepth > 8) ? { percentiles: [1, 99.8] } : "depth";
  }
  if (text === "depth" || text === "bits") return text;
  const bits = /^(\d+)bits?$/.exec(text);
  if (bits) {
    return { bits: parseNumber(bits[1], "--normalize bits", { min: 1, max: 16, integer: true }) };
  }
  const pct = /^([\d.]+),([\d.]+)$/.exec(text);
  if (pct) {
    const lo = parseNumber(pct[1], "--normalize low percentile", { min: 0, max: 100 });
    const hi = parseNumber(pct[2], "--normalize high percentile", { min: 0, max: 100 });
    if (!(lo < hi)) {
      throw new CountInputError(
        `--normalize ${text}: the low percentile must be below the high one`,
      );
    }
    return { percentiles: [lo, hi] };
  }
  throw new CountInputError(
    `--normalize must be auto, depth, bits, <n>bit (e.g. 12bit) or two percentiles such as 1,99.8; got "${text}"`,
  );
}

/**
 * A normalisation in words.
 *
 * @param n The normalisation.
 * @returns E.g. `percentiles 1–99.8 per image`.
 */
export function describeNormalize(n: PngNormalization | undefined): string {
  if (n === undefined || n === "depth") return "by bit depth (8-bit / 255, 16-bit / 65535)";
  if (n === "bits") return "by the bits in use (12-bit data / 4095)";
  if ("bits" in n) return `value / ${2 ** n.bits - 1} (${n.bits}-bit data)`;
  return `percentiles ${n.percentiles[0]}–${n.percentiles[1]} of each image`;
}
