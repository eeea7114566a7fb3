/**
 * The user's files: the images of a folder (PNG or JPEG, 8 or 16 bits), and
 * their annotations in a second folder, paired by file name in whatever
 * format the counting core reads. Every problem is one
 * {@linkcode CountInputError} naming the file or folder: a missing or empty
 * folder, a TIFF (not read: convert it), an image without annotation, an
 * annotation without image.
 *
 * | `--format` | annotation of `images/<stem>.png` in the points folder |
 * | --- | --- |
 * | `json` | `<stem>.json` = `{"points": [[x, y], ...]}` (0-based pixels, x = column) |
 * | `dots` | a dot image: `<stem>.png`, `<stem>dots.png`, `<stem>_dots.png` (VGG cells: `<p>cell.png` → `<p>dots.png`) |
 * | `shanghaitech` | `GT_<stem>.mat` |
 * | `ucf-qnrf` | `<stem>_ann.mat` |
 * | `jhu` | `<stem>.txt` |
 * | `nwpu` | `<stem>.json` |
 * | `trancos` | `<stem>dots.png` or `<stem>.txt` (+ `<stem>mask.mat` / `<stem>mask.png` as the region of interest) |
 *
 * @module
 */
import { basename, join } from "node:path";
import type { DatasetItem } from "../counting/dataset.ts";
import { naturalCompare } from "../counting/layouts.ts";
import type { AnnotationFormat } from "../counting/read_points.ts";
import { type ImageInfo, inspectImage } from "../io/format.ts";
import { CountInputError } from "./errors.ts";

const IMAGE = /\.(png|jpe?g)$/i;
const UNSUPPORTED = /\.(tiff?|bmp|gif|webp|czi|nd2|lif)$/i;

/** An image file of the user's. */
export interface ImageFile {
  /** The path. */
  path: string;
  /** The file name without extension (names outputs). */
  stem: string;
}

/**
 * The image files of a folder (or one image file), in natural order
 * (`img2` before `img10`).
 *
 * @param path A folder or an image file.
 * @param flag The flag that named it, for messages (`--images`).
 * @param exclude Files to leave out (annotations that live beside the images).
 * @returns The images.
 * @throws {CountInputError} For a missing path, an empty folder or unsupported files only.
 */
export async function listImageFiles(
  path: string,
  flag = "--images",
  exclude: (name: string) => boolean = () => false,
): Promise<ImageFile[]> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(path);
  } catch {
    throw new CountInputError(`${flag} ${path}: no such file or folder`);
  }
  if (stat.isFile) {
    if (!IMAGE.test(path)) {
      throw new CountInputError(`${flag} ${path}: not a PNG or JPEG file${tiffHint(path)}`);
    }
    return [{ path, stem: stemOf(basename(path)) }];
  }
  const names: string[] = [];
  const others: string[] = [];
  for await (const e of Deno.readDir(path)) {
    if (e.name.startsWith(".") || !(await isFile(join(path, e.name), e))) continue;
    if (IMAGE.test(e.name)) {
      if (!exclude(e.name)) names.push(e.name);
    } else if (UNSUPPORTED.test(e.name)) others.push(e.name);
  }
  if (names.length === 0) {
    throw new CountInputError(
      others.length
        ? `${flag} ${path}: no PNG or JPEG images, only ${others.length} file(s) such as ${
          others[0]
        }${tiffHint(others[0])}`
        : `${flag} ${path}: the folder holds no PNG or JPEG images`,
    );
  }
  names.sort(naturalCompare);
  const seen = new Map<string, string>();
  for (const n of names) {
    const stem = stemOf(n);
    const before = seen.get(stem);
    if (before) {
      throw new CountInputError(
        `${flag} ${path}: ${before} and ${n} have the same name; outputs are named by it, so rename one`,
      );
    }
    seen.set(stem, n);
  }
  return names.map((n) => ({ path: join(path, n), stem: stemOf(n) }));
}

/**
 * Reads the header of every image (size, channels, bit depth), so that an
 * unreadable file fails before anything is computed or written.
 *
 * @param images The files.
 * @returns Their headers, in order.
 * @throws {ImageReadError} Naming the first file that is missing, empty, truncated or not an image.
 */
export async function inspectImages(images: readonly ImageFile[]): Promise<ImageInfo[]> {
  const out: ImageInfo[] = [];
  for (const image of images) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(image.path);
    } catch (e) {
      throw new CountInputError(
        `cannot read image ${JSON.stringify(image.path)}: ${(e as Error).message}`,
      );
    }
    out.push(inspectImage(bytes, JSON.stringify(image.path)));
  }
  return out;
}

/** Candidate annotation file names of an image stem, per format. */
export function annotationNames(stem: string, format: AnnotationFormat): string[] {
  switch (format) {
    case "json":
    case "nwpu":
      return [`${stem}.json`];
    case "dots": {
      const p = stem.replace(/cell$/i, "");
      const exts = ["png", "jpg", "jpeg"];
      const stems = [stem, `${stem}dots`, `${stem}_dots`, `${stem}-dots`, `${p}dots`];
      return [...new Set(stems)].flatMap((s) => exts.map((e) => `${s}.${e}`));
    }
    case "shanghaitech":
      return [`GT_${stem}.mat`];
    case "ucf-qnrf":
      return [`${stem}_ann.mat`];
    case "jhu":
      return [`${stem}.txt`];
    case "trancos":
      return [`${stem}dots.png`, `${stem}.txt`];
  }
}

/**
 * Pairs each image with its annotation file in `pointsDir` (see the module
 * doc for the names looked for).
 *
 * @param images The images.
 * @param pointsDir The folder of annotations.
 * @param format Their format.
 * @returns Dataset items for `readCountingDataset`.
 * @throws {CountInputError} For a missing folder, an image without annotation,
 *   or an annotation without image.
 */
export async function pairAnnotations(
  images: readonly ImageFile[],
  pointsDir: string,
  format: AnnotationFormat,
): Promise<DatasetItem[]> {
  const files = new Map<string, string>(); // lower-case name → name
  try {
    for await (const e of Deno.readDir(pointsDir)) {
      if (await isFile(join(pointsDir, e.name), e)) files.set(e.name.toLowerCase(), e.name);
    }
  } catch {
    throw new CountInputError(`--points ${pointsDir}: no such folder`);
  }
  const imagePaths = new Set(images.map((i) => basename(i.path).toLowerCase()));
  const used = new Set<string>();
  const items: DatasetItem[] = [];
  for (const image of images) {
    const candidates = annotationNames(image.stem, format);
    const found = candidates.map((c) => files.get(c.toLowerCase())).find((f) =>
      f !== undefined && !(imagePaths.has(f.toLowerCase()) && samePlace(image.path, pointsDir, f))
    );
    if (!found) {
      throw new CountInputError(
        `image ${basename(image.path)} has no points: expected ${
          candidates.slice(0, 3).join(" or ")
        } in ${pointsDir} (--format ${format})`,
      );
    }
    used.add(found.toLowerCase());
    const item: DatasetItem = {
      image: image.path,
      annotation: join(pointsDir, found),
      format,
      name: image.stem,
    };
    if (format === "trancos") {
      for (const m of [`${image.stem}mask.mat`, `${image.stem}mask.png`]) {
        const f = files.get(m.toLowerCase());
        if (f) {
          item.roi = join(pointsDir, f);
          used.add(m.toLowerCase());
          break;
        }
      }
    }
    items.push(item);
  }
  const annotationLike = format === "json" || format === "nwpu"
    ? /\.json$/i
    : format === "jhu"
    ? /\.txt$/i
    : format === "shanghaitech" || format === "ucf-qnrf"
    ? /\.mat$/i
    : null;
  if (annotationLike) {
    const orphan = [...files.values()].find((f) =>
      annotationLike.test(f) && !used.has(f.toLowerCase())
    );
    if (orphan) {
      throw new CountInputError(
        `annotation ${orphan} in ${pointsDir} has no image in the images folder ` +
          `(images are matched by file name); remove it or add the image`,
      );
    }
  }
  return items;
}

/**
 * Whether a file name in the points folder is a dot image beside the images
 * (VGG cells keep `001cell.png` and `001dots.png` in one folder).
 *
 * @param name A file name.
 * @returns True for `...dots.png` and similar.
 */
export function isDotImageName(name: string): boolean {
  return /[_-]?dots$/i.test(stemOf(name));
}

/**
 * The file name without its extension.
 *
 * @param name A file name.
 * @returns The stem.
 */
export function stemOf(name: string): string {
  const cut = name.lastIndexOf(".");
  return cut > 0 ? name.slice(0, cut) : name;
}

/** A file, or a symbolic link to one (data folders are often links into a shared store). */
async function isFile(path: string, entry: Deno.DirEntry): Promise<boolean> {
  if (entry.isFile) return true;
  if (!entry.isSymlink) return false;
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false; // a dangling link
  }
}

function samePlace(imagePath: string, pointsDir: string, name: string): boolean {
  return join(pointsDir, name) === imagePath;
}

function tiffHint(name: string): string {
  return /\.tiff?$/i.test(name)
    ? " (TIFF is not read: convert to 16-bit PNG, e.g. with Fiji or `convert in.tif out.png`; no bits are lost)"
    : "";
}
