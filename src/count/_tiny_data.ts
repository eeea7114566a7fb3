/**
 * Tiny annotated data for the tests of `deno task count`: crops of real
 * images of the project's counting sets (VGG cells, RGB PNG; BBBC039, 16-bit
 * gray PNG) with their points, written to a folder in the project's JSON
 * layout (`images/` + `points/`).
 *
 * @module
 */
import { decode, encode } from "fast-png";
import { join } from "node:path";
import { encodePngPixels } from "../io/png.ts";
import { readImageData } from "../io/read.ts";

const DATA = new URL("../../data/counting/", import.meta.url);

/** Options of {@linkcode writeTinySet}. */
export interface TinySetOptions {
  /** Which set (default `"vgg_cells"`). */
  set?: "vgg_cells" | "bbbc039";
  /** Images (default 6). */
  count?: number;
  /** Crop side (default 64). */
  side?: number;
  /** First image index in the set (default 0). */
  first?: number;
}

/**
 * Writes `count` crops of `side` × `side` pixels (top-left corners) of a
 * set's images and their points to `dir/images` and `dir/points`.
 *
 * @param dir The folder (created).
 * @param options Set, number and size.
 * @returns The names written and their point counts.
 */
export async function writeTinySet(
  dir: string,
  options: TinySetOptions = {},
): Promise<{ names: string[]; counts: number[] }> {
  const set = options.set ?? "vgg_cells";
  const count = options.count ?? 6, side = options.side ?? 64, first = options.first ?? 0;
  const root = new URL(`${set}/`, DATA);
  const files: string[] = [];
  for await (const e of Deno.readDir(new URL("images/", root))) files.push(e.name);
  files.sort();
  await Deno.mkdir(join(dir, "images"), { recursive: true });
  await Deno.mkdir(join(dir, "points"), { recursive: true });
  const names: string[] = [], counts: number[] = [];
  for (const file of files.slice(first, first + count)) {
    const stem = file.replace(/\.[^.]+$/, "");
    const short = set === "bbbc039" ? stem.slice(0, 16) : stem;
    const { points } = JSON.parse(
      await Deno.readTextFile(new URL(`points/${stem}.json`, root)),
    ) as { points: [number, number][] };
    const inside = points.filter(([x, y]) => x < side - 0.5 && y < side - 0.5);
    if (set === "bbbc039") {
      const bytes = await Deno.readFile(new URL(`images/${file}`, root));
      const png = decode(bytes);
      const data = new Uint16Array(side * side);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) data[y * side + x] = png.data[y * png.width + x] as number;
      }
      await Deno.writeFile(
        join(dir, "images", `${short}.png`),
        encode({ width: side, height: side, data, depth: 16, channels: 1 }),
      );
    } else {
      const img = await readImageData(new URL(`images/${file}`, root));
      const [, w, c] = img.shape;
      const px = new Uint8Array(side * side * c);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side * c; x++) {
          px[y * side * c + x] = Math.round(255 * img.data[y * w * c + x]);
        }
      }
      await Deno.writeFile(
        join(dir, "images", `${short}.png`),
        encodePngPixels({ height: side, width: side, channels: c as 1 | 3, data: px }),
      );
    }
    await Deno.writeTextFile(
      join(dir, "points", `${short}.json`),
      JSON.stringify({ points: inside }),
    );
    names.push(short);
    counts.push(inside.length);
  }
  return { names, counts };
}
