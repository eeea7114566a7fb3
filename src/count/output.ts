/**
 * Output folders that never lose anything silently: before a subcommand
 * writes, it names the files and folders it will write; if any of them is
 * already there, it stops with one line, unless `--force` was given, in
 * which case exactly those (and nothing else in the folder) are removed
 * first, so that no stale file of an earlier run is left beside new ones.
 *
 * @module
 */
import { join } from "node:path";
import { CountInputError } from "./errors.ts";

/**
 * The entries of `dir` among `names` that exist.
 *
 * @param dir The output folder.
 * @param names File or folder names inside it.
 * @returns Those that exist.
 */
export async function existing(dir: string, names: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const n of names) {
    try {
      await Deno.lstat(join(dir, n));
      found.push(n);
    } catch {
      // absent
    }
  }
  return found;
}

/**
 * Checks, without writing anything, that a run may write `names` into `dir`.
 *
 * @param dir The output folder (it need not exist).
 * @param names What the run writes there (files and folders).
 * @param options `force`: existing ones may be replaced; `flag`: how the folder was given.
 * @returns Those of `names` that exist (to remove with `force`).
 * @throws {CountInputError} When some exist and `force` is not set, or `dir` is a file.
 */
export async function assertFree(
  dir: string,
  names: readonly string[],
  options: { force?: boolean; flag?: string } = {},
): Promise<string[]> {
  const flag = options.flag ?? "--out";
  try {
    const stat = await Deno.stat(dir);
    if (!stat.isDirectory) throw new CountInputError(`${flag} ${dir} is a file, not a folder`);
  } catch (e) {
    if (e instanceof CountInputError) throw e;
  }
  const found = await existing(dir, names);
  if (found.length > 0 && !options.force) {
    throw new CountInputError(
      `${flag} ${dir} already holds ${found[0]}${
        found.length > 1 ? ` (and ${found.length - 1} more)` : ""
      } from an earlier run: pass --force to overwrite, or choose another ${flag}`,
    );
  }
  return found;
}

/**
 * Prepares an output folder for files that a run will write: checks it
 * ({@linkcode assertFree}), removes with `force` exactly those of `names`
 * that exist, and creates the folder.
 *
 * @param dir The output folder (created when missing).
 * @param names What the run writes there (files and folders).
 * @param options `force`: remove those that exist; `flag`: how the folder was given, for messages.
 * @returns Once the folder exists and none of `names` is in it.
 * @throws {CountInputError} When some exist and `force` is not set, or `dir` is a file.
 */
export async function prepareOutput(
  dir: string,
  names: readonly string[],
  options: { force?: boolean; flag?: string } = {},
): Promise<void> {
  const found = await assertFree(dir, names, options);
  for (const n of found) await Deno.remove(join(dir, n), { recursive: true });
  await Deno.mkdir(dir, { recursive: true });
}

/**
 * Writes a text file through a temporary name, so that a killed run leaves
 * no half-written file.
 *
 * @param path The file.
 * @param text Its content.
 * @returns Once written.
 */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}

/**
 * A CSV line: fields quoted when they hold a comma, a quote or a newline.
 *
 * @param fields The values (numbers written as given).
 * @returns The line without its newline.
 */
export function csvLine(fields: readonly (string | number)[]): string {
  return fields.map((f) => {
    const s = typeof f === "number" ? (Number.isFinite(f) ? String(f) : "") : f;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(",");
}
