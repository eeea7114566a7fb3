/**
 * The images of the chapter 2 reproduction: which files stand in for the
 * thesis's images and data sets, and how they are read and cropped.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { centerCrop, cropToMultiple, ImageReadError, readImage } from "../../io/mod.ts";
import { UsageError } from "../cli.ts";
import { defaultDataDir, listImages } from "../data.ts";
import type { Chapter2Settings, ImageCounts } from "./settings.ts";

/** The roles images play in chapter 2 (see {@linkcode ImageCounts}). */
export type ImageRole = keyof ImageCounts;

/** The roles, in the order they are listed. */
export const IMAGE_ROLES: readonly ImageRole[] = [
  "figure",
  "denoise",
  "jpeg",
  "inpaint",
  "superres",
  "enhance",
];

/** What each role stands in for, for reports. */
export const ROLE_STANDS_FOR: Readonly<Record<ImageRole, string>> = Object.freeze({
  figure: "'peppers', 'F16', 'Lena' (Figs. 5–9, 19)",
  denoise: "Set9 and CBSD68 (Fig. 10, Tables 1 and 3)",
  jpeg: "Classic5 and LIVE1, gray (Fig. 11, Table 2)",
  inpaint: "the 11 gray images of the pixel-inpainting set (Fig. 12)",
  superres: "Set5 and Set14 (Tables 4–5)",
  enhance: "the image of Fig. 18",
});

/**
 * The repository's images for each role (in `data/`). Gray files serve
 * deblocking and pixel inpainting, as the thesis's gray sets do.
 */
export const DEFAULT_ROLE_FILES: Readonly<Record<ImageRole, readonly string[]>> = Object.freeze({
  figure: ["astronaut.png", "coffee.png", "chelsea.png"],
  denoise: ["astronaut.png", "coffee.png", "chelsea.png"],
  jpeg: ["camera.png", "coins.png", "astronaut.png"],
  inpaint: ["camera.png", "coins.png"],
  superres: ["astronaut.png", "coffee.png", "chelsea.png"],
  enhance: ["coffee.png"],
});

/** One image file of the reproduction. */
export interface Chapter2Image {
  /** Short name (file stem, made safe for experiment ids), e.g. `"astronaut"`. */
  name: string;
  /** Path of the file. */
  path: string;
}

/** The images of each role. */
export type Chapter2Images = Record<ImageRole, Chapter2Image[]>;

/** A file stem usable in experiment ids. */
export function imageName(path: string): string {
  const stem = path.replace(/^.*[\\/]/, "").replace(/\.[^.]*$/, "");
  return stem.replace(/[^\w.-]+/g, "_") || "image";
}

/**
 * Finds the images of every role and checks that each can be read. Without
 * `dataDir`, the repository's `data/` images of {@linkcode DEFAULT_ROLE_FILES};
 * with it, every PNG/JPEG image of that folder (sorted by name) serves every
 * role. Each role keeps the first `settings.images[role]` images.
 *
 * @param settings The profile's settings (image counts, crop).
 * @param dataDir A folder of images replacing the defaults.
 * @returns The images of each role.
 * @throws {UsageError} When the folder is missing, holds no image, or an
 *   image cannot be read or is smaller than the crop; the message names the file.
 */
export async function findChapter2Images(
  settings: Chapter2Settings,
  dataDir?: string,
): Promise<Chapter2Images> {
  let byRole: Record<ImageRole, string[]>;
  if (dataDir === undefined) {
    const dir = defaultDataDir();
    byRole = Object.fromEntries(
      IMAGE_ROLES.map((r) => [r, DEFAULT_ROLE_FILES[r].map((f) => `${dir}/${f}`)]),
    ) as Record<ImageRole, string[]>;
  } else {
    const files = await listImages(dataDir, "images standing in for the thesis's data sets");
    byRole = Object.fromEntries(IMAGE_ROLES.map((r) => [r, files])) as Record<
      ImageRole,
      string[]
    >;
  }
  const result = {} as Chapter2Images;
  const checked = new Map<string, Promise<void>>();
  for (const role of IMAGE_ROLES) {
    const count = settings.images[role];
    const paths = count === null ? byRole[role] : byRole[role].slice(0, count);
    for (const p of paths) {
      if (!checked.has(p)) checked.set(p, checkImage(p, settings));
    }
    result[role] = paths.map((path) => ({ name: imageName(path), path }));
  }
  await Promise.all(checked.values());
  const names = new Map<string, string>();
  for (const images of Object.values(result)) {
    for (const { name, path } of images) {
      const other = names.get(name);
      if (other !== undefined && other !== path) {
        throw new UsageError(`two images share the name "${name}": ${other} and ${path}`);
      }
      names.set(name, path);
    }
  }
  return result;
}

async function checkImage(path: string, settings: Chapter2Settings): Promise<void> {
  let image: tf.Tensor3D;
  try {
    image = await readImage(path);
  } catch (e) {
    if (e instanceof ImageReadError) throw new UsageError(e.message);
    throw new UsageError(`cannot read image ${path}: ${(e as Error).message}`);
  }
  const [height, width] = image.shape;
  image.dispose();
  const need = settings.crop ?? 32;
  if (width < need || height < need) {
    throw new UsageError(
      `image ${path} is ${width}×${height}, smaller than the ${need}×${need} the ${settings.profile} profile needs`,
    );
  }
}

/**
 * Reads an image: with `channels` (default: as stored), centre-cropped to
 * `settings.crop` (or, without a crop, cut to a multiple of 32).
 *
 * @param image The image.
 * @param channels 1 (luma), 3 (RGB), or `undefined` for the file's own.
 * @param settings Crop size.
 * @returns A new `[H, W, C]` tensor the caller disposes.
 * @throws {UsageError} When the file cannot be decoded.
 */
export async function readChapter2Image(
  image: Chapter2Image,
  channels: 1 | 3 | undefined,
  settings: Chapter2Settings,
): Promise<tf.Tensor3D> {
  let full: tf.Tensor3D;
  try {
    full = await readImage(image.path, { channels });
  } catch (e) {
    if (e instanceof ImageReadError) throw new UsageError(e.message);
    throw e;
  }
  try {
    return settings.crop === null
      ? cropToMultiple(full, 32)
      : centerCrop(full, [settings.crop, settings.crop]);
  } finally {
    full.dispose();
  }
}
