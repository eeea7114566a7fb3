/**
 * Finding the images a reproduction runs on.
 *
 * @module
 */
import { UsageError } from "./cli.ts";

const IMAGE_EXT = /\.(png|jpe?g)$/i;

/**
 * Lists the PNG and JPEG files of a folder, sorted by name.
 *
 * @param dir The folder.
 * @param what What the images stand in for, for the error message.
 * @returns The paths.
 * @throws {UsageError} When the folder is missing or holds no image.
 */
export async function listImages(dir: string, what = "images"): Promise<string[]> {
  const files: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && IMAGE_EXT.test(e.name)) files.push(`${dir.replace(/\/+$/, "")}/${e.name}`);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UsageError(`--data-dir "${dir}" does not exist`);
    }
    if (e instanceof Error && /not a directory/i.test(e.message)) {
      throw new UsageError(`--data-dir "${dir}" is not a folder`);
    }
    throw e;
  }
  if (files.length === 0) {
    throw new UsageError(`--data-dir "${dir}" holds no PNG or JPEG image (needed: ${what})`);
  }
  return files.sort();
}

/**
 * The repository's `data/` folder, found from this module's location.
 *
 * @returns The absolute path of `data/`.
 */
export function defaultDataDir(): string {
  return new URL("../../data/", import.meta.url).pathname.replace(/\/$/, "");
}
