/**
 * Evaluation of images too large for memory: cut the image into overlapping
 * tiles of at most `maxPixels` pixels, run the network on one tile at a
 * time, and stitch the outputs back.
 *
 * Stitching is a partition: each output pixel comes from exactly one tile,
 * the one whose `core` holds it (neighbouring cores meet in the middle of
 * their overlap, away from the tiles' borders, where a convolutional
 * network's output is least reliable). A density map stitched this way sums
 * to the sum of the tiles' core predictions, with nothing counted twice;
 * `mode: "mean"` averages overlapping predictions instead.
 *
 * For networks whose output is smaller than their input by a stride `s`
 * (CSRNet: 8), pass `multiple: s`: tile sizes and positions are multiples of
 * `s` and the image's height and width must be too (pad or crop it first).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import type { CropBox } from "./augment.ts";

/** A tile: the rectangle fed to the network, and the part of it kept when stitching. */
export interface Tile extends CropBox {
  /** The part of the image this tile's output fills (inside the tile). */
  core: CropBox;
}

/** Options of {@linkcode tileGrid}. */
export interface TileOptions {
  /** Largest tile, in pixels (height × width). */
  maxPixels: number;
  /** Overlap between neighbouring tiles in pixels (default 32; at least this, less at most `multiple`). */
  overlap?: number;
  /** Tile sizes and positions are multiples of this: the network's output stride (default 1). */
  multiple?: number;
}

/**
 * Tiles covering an image, row by row, each at most `maxPixels` pixels; one
 * tile when the whole image fits.
 *
 * @param shape The image's `[height, width]`.
 * @param options Tile budget, overlap and multiple.
 * @returns The tiles; their cores partition the image.
 * @example
 * ```ts
 * import { tileGrid } from "./tiles.ts";
 * const tiles = tileGrid([1000, 1504], { maxPixels: 512 * 512, overlap: 32, multiple: 8 });
 * console.log(tiles.length, tiles[0].height * tiles[0].width <= 512 * 512); // 12 true
 * ```
 */
export function tileGrid(shape: readonly [number, number], options: TileOptions): Tile[] {
  const [h, w] = shape;
  assertNumber(h, "shape[0]", { min: 1, integer: true });
  assertNumber(w, "shape[1]", { min: 1, integer: true });
  const maxPixels = assertNumber(options.maxPixels, "maxPixels", { min: 1 });
  const overlap = assertNumber(options.overlap ?? 32, "overlap", { min: 0, integer: true });
  const m = assertNumber(options.multiple ?? 1, "multiple", { min: 1, integer: true });
  if (h % m !== 0 || w % m !== 0) {
    throw new RangeError(
      `the image's height and width must be multiples of multiple = ${m}, got ${h}x${w}; ` +
        `pad or crop the image first`,
    );
  }
  let th: number, tw: number;
  if (h * w <= maxPixels) {
    th = h;
    tw = w;
  } else {
    const side = Math.floor(Math.sqrt(maxPixels) / m) * m;
    th = Math.min(h, side);
    tw = Math.min(w, Math.floor(maxPixels / th / m) * m);
    if (th < h) th = Math.min(h, Math.floor(maxPixels / tw / m) * m);
    if (th < m || tw < m) {
      throw new RangeError(`maxPixels = ${maxPixels} is too small for tiles of multiples of ${m}`);
    }
    if ((th < h && th <= overlap) || (tw < w && tw <= overlap)) {
      throw new RangeError(
        `tiles of ${th}x${tw} pixels (maxPixels = ${maxPixels}) must be larger than the ` +
          `overlap (${overlap})`,
      );
    }
  }
  const rows = axis(h, th, overlap, m), cols = axis(w, tw, overlap, m);
  const tiles: Tile[] = [];
  for (const r of rows) {
    for (const c of cols) {
      tiles.push({
        top: r.start,
        left: c.start,
        height: th,
        width: tw,
        core: { top: r.core0, left: c.core0, height: r.core1 - r.core0, width: c.core1 - c.core0 },
      });
    }
  }
  return tiles;
}

function axis(length: number, size: number, overlap: number, m: number) {
  if (size >= length) return [{ start: 0, core0: 0, core1: length }];
  const n = Math.ceil((length - overlap) / (size - overlap));
  const slack = (length - size) / m;
  const starts = Array.from({ length: n }, (_, i) => m * Math.round((i * slack) / (n - 1)));
  const bounds = [0];
  for (let i = 0; i + 1 < n; i++) {
    bounds.push(m * Math.round((starts[i] + size + starts[i + 1]) / 2 / m));
  }
  bounds.push(length);
  return starts.map((start, i) => ({ start, core0: bounds[i], core1: bounds[i + 1] }));
}

/**
 * Copies a rectangle of an HWC image (zero outside the image).
 *
 * @param data The image's samples, row-major HWC.
 * @param shape `[height, width, channels]`.
 * @param box The rectangle.
 * @returns The rectangle's samples, row-major HWC.
 */
export function cropData(
  data: Float32Array,
  shape: readonly [number, number, number],
  box: CropBox,
): Float32Array {
  const [h, w, c] = shape;
  const out = new Float32Array(box.height * box.width * c);
  const c0 = Math.max(0, box.left), c1 = Math.min(w, box.left + box.width);
  for (let r = Math.max(0, box.top); r < Math.min(h, box.top + box.height); r++) {
    out.set(
      data.subarray((r * w + c0) * c, (r * w + c1) * c),
      ((r - box.top) * box.width + (c0 - box.left)) * c,
    );
  }
  return out;
}

/** Options of {@linkcode stitchTiles}. */
export interface StitchOptions {
  /** Channels of each output (default 1). */
  channels?: number;
  /** Outputs are smaller than the tiles by this factor (default 1). */
  stride?: number;
  /** `"core"` (default): each pixel from its tile's core; `"mean"`: average of all tiles covering it. */
  mode?: "core" | "mean";
}

/**
 * Stitches per-tile outputs into one map of the image's size (divided by `stride`).
 *
 * @param outputs One row-major HWC array per tile, `(height/stride) × (width/stride) × channels`.
 * @param tiles The tiles, from {@linkcode tileGrid}.
 * @param shape The image's `[height, width]`.
 * @param options Channels, stride and mode.
 * @returns The stitched map, `(height/stride) × (width/stride) × channels`, row-major.
 */
export function stitchTiles(
  outputs: readonly Float32Array[],
  tiles: readonly Tile[],
  shape: readonly [number, number],
  options: StitchOptions = {},
): Float32Array {
  const c = assertNumber(options.channels ?? 1, "channels", { min: 1, integer: true });
  const s = assertNumber(options.stride ?? 1, "stride", { min: 1, integer: true });
  const mode = options.mode ?? "core";
  if (mode !== "core" && mode !== "mean") {
    throw new RangeError(`mode must be "core" or "mean", got ${JSON.stringify(mode)}`);
  }
  if (outputs.length !== tiles.length) {
    throw new RangeError(`${tiles.length} tiles but ${outputs.length} outputs`);
  }
  const H = shape[0] / s, W = shape[1] / s;
  const out = new Float32Array(H * W * c);
  const weight = mode === "mean" ? new Float32Array(H * W) : undefined;
  tiles.forEach((t, k) => {
    const th = t.height / s, tw = t.width / s;
    const o = outputs[k];
    if (o.length !== th * tw * c) {
      throw new RangeError(
        `output ${k} has ${o.length} values, expected ${th}x${tw}x${c} = ${th * tw * c} ` +
          `for a ${t.height}x${t.width} tile at stride ${s}`,
      );
    }
    const region = mode === "core" ? t.core : t;
    const r0 = region.top / s, r1 = (region.top + region.height) / s;
    const c0 = region.left / s, c1 = (region.left + region.width) / s;
    for (let r = r0; r < r1; r++) {
      for (let col = c0; col < c1; col++) {
        const src = ((r - t.top / s) * tw + (col - t.left / s)) * c, dst = (r * W + col) * c;
        for (let ch = 0; ch < c; ch++) out[dst + ch] += o[src + ch];
        if (weight) weight[r * W + col] += 1;
      }
    }
  });
  if (weight) {
    for (let i = 0; i < H * W; i++) for (let ch = 0; ch < c; ch++) out[i * c + ch] /= weight[i];
  }
  return out;
}

/** Options of {@linkcode predictTiled}. */
export interface PredictTiledOptions extends TileOptions {
  /**
   * Output stride of the network (default `multiple`): its output is this
   * much smaller than a tile. A network may need inputs that are multiples of
   * more than its stride (FCRN-A: stride 1, multiples of 8); `multiple` must
   * then be a multiple of `stride`.
   */
  stride?: number;
  /** How overlaps are resolved (default `"core"`). */
  mode?: "core" | "mean";
}

/**
 * Runs `predict` on an image tile by tile and stitches the outputs, so
 * that no more than `maxPixels` input pixels (and their output) are on the
 * backend at once. Each tile goes in as a `[1, th, tw, C]` tensor; `predict`
 * returns `[1, th/s, tw/s, K]` with `s = multiple`. Tensors made here are
 * disposed; the image stays a plain array.
 *
 * @param image The image: row-major HWC samples and `[height, width, channels]`.
 * @param predict The network, e.g. `(x) => model.predict(x) as tf.Tensor`.
 * @param options Tile budget, overlap, stride (`multiple`) and stitching mode.
 * @returns The stitched output and its `[height/s, width/s, K]`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { predictTiled } from "./tiles.ts";
 * await tf.setBackend("cpu");
 * const image = { data: new Float32Array(40 * 60).fill(0.5), shape: [40, 60, 1] as [number, number, number] };
 * // a "network" that outputs its input scaled by 2
 * const out = await predictTiled(image, (x) => tf.mul(x, 2), { maxPixels: 500, overlap: 4 });
 * console.log(out.shape, out.data[0]); // [40, 60, 1] 1
 * ```
 */
export async function predictTiled(
  image: { data: Float32Array; shape: readonly [number, number, number] },
  predict: (tile: tf.Tensor4D) => tf.Tensor | Promise<tf.Tensor>,
  options: PredictTiledOptions,
): Promise<{ data: Float32Array; shape: [number, number, number] }> {
  const [h, w, c] = image.shape;
  const m = options.multiple ?? 1;
  const s = assertNumber(options.stride ?? m, "stride", { min: 1, integer: true });
  if (m % s !== 0) {
    throw new RangeError(`multiple (${m}) must be a multiple of stride (${s})`);
  }
  const tiles = tileGrid([h, w], options);
  const outputs: Float32Array[] = [];
  let k = -1;
  for (const t of tiles) {
    const input = tf.tensor4d(cropData(image.data, image.shape, t), [1, t.height, t.width, c]);
    let result: tf.Tensor;
    try {
      result = await predict(input);
    } finally {
      input.dispose();
    }
    try {
      const [b, oh, ow, oc] = result.shape;
      if (result.rank !== 4 || b !== 1 || oh !== t.height / s || ow !== t.width / s) {
        throw new RangeError(
          `predict must return [1, ${t.height / s}, ${t.width / s}, K] for a ` +
            `${t.height}x${t.width} tile (stride = ${s}), got [${result.shape.join(", ")}]`,
        );
      }
      if (k >= 0 && oc !== k) throw new RangeError(`predict returned ${oc} channels, before ${k}`);
      k = oc!;
      outputs.push((await result.data()) as Float32Array);
    } finally {
      result.dispose();
    }
  }
  const data = stitchTiles(outputs, tiles, [h, w], { channels: k, stride: s, mode: options.mode });
  return { data, shape: [h / s, w / s, k] };
}
