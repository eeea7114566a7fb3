/**
 * `CountingDataset`: the images and point annotations of a counting
 * dataset, in its own folder layout (see `layouts.ts`) or given as a list,
 * with named splits, lazily decoded samples, seeded augmentation and NHWC
 * batches.
 *
 * - **Annotations** are read when the dataset is opened (they are small),
 *   so that a missing, corrupt or mismatched file fails at once, naming the
 *   file, not in the middle of training, and counts are known without
 *   decoding any image.
 * - **Images** are decoded when a sample is first asked for and kept in a
 *   small least-recently-used cache (`cacheSize`, default 16 images), shared
 *   by the dataset's subsets, so a batch never decodes the whole dataset.
 * - **Points outside the image** (ShanghaiTech has a few, just past the
 *   border) are, by default, clamped into it (`outside: "clamp"`: to
 *   `[-0.5, size − 0.51]`), which keeps every image's count equal to its
 *   annotation's; `"drop"` removes them and `"error"` refuses them.
 * - **Empty annotations.** Images with 0 points are kept (negative samples
 *   are real data); `skipEmpty: true` leaves them out. BBBC039 has three
 *   images whose instance mask is all zero, IXMtest_F13_s7…, IXMtest_L01_s2…
 *   and IXMtest_L10_s6…: they are unannotated, not empty, and must be left
 *   out of counting evaluation (`skipEmpty: true`, or `exclude`); L10_s6 is
 *   in the third-party train list of `split.json`.
 * - **16-bit images** (BBBC039) are scaled by `normalize` (default
 *   `"depth"`, value / 65535); BBBC039's 12-bit data want `"bits"` or
 *   `{bits: 12}` (value / 4095) or percentiles (see `src/io/png16.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf } from "../core/checks.ts";
import { Rng } from "../core/rng.ts";
import { inspectImage } from "../io/format.ts";
import type { PngNormalization } from "../io/png16.ts";
import { readImageData } from "../io/read.ts";
import { AnnotationError, fileName } from "./annotation_error.ts";
import { augmentSample } from "./augment.ts";
import type { DotsOptions } from "./formats/dots.ts";
import {
  type DatasetEntry,
  DatasetLayoutError,
  findDatasetFiles,
  type FindDatasetOptions,
} from "./layouts.ts";
import { type Points, type PointsLike, toPoints } from "./points.ts";
import { ANNOTATION_FORMATS, type AnnotationFormat, readPoints, readRoi } from "./read_points.ts";
import type { CountingSample } from "./sample.ts";
import { shuffled } from "./splits.ts";

/** Options of {@linkcode readCountingDataset}. */
export interface CountingDatasetOptions extends FindDatasetOptions, DotsOptions {
  /** The folder layout and annotation format (default `"json"`, the project's layout). */
  format?: AnnotationFormat;
  /** Channels of the images: 1 (luma of colour files) or 3 (gray repeated). Default: as stored. */
  channels?: 1 | 3;
  /** Scale of 16-bit images (default `"depth"`; 8-bit files are divided by 255 either way). */
  normalize?: PngNormalization;
  /** Points outside their image: `"clamp"` (default), `"drop"` or `"error"`. */
  outside?: "clamp" | "drop" | "error";
  /** Leave out images whose annotation has no points (default false). */
  skipEmpty?: boolean;
  /** Names to leave out. */
  exclude?: readonly string[];
  /** Decoded images kept in memory (default 16). */
  cacheSize?: number;
  /** Overrides the annotation format's coordinate origin (see `readPoints`). */
  origin?: number;
}

/** One element of a dataset given as a list (see {@linkcode readCountingDataset}). */
export interface DatasetItem {
  /** The image file. */
  image: string;
  /** The annotation file (or give `points`). */
  annotation?: string;
  /** The points, instead of an annotation file. */
  points?: PointsLike;
  /** How to read `annotation` (default: the dataset's `format`). */
  format?: AnnotationFormat;
  /** Name (default: the image's file name without extension). */
  name?: string;
  /** A region-of-interest mask file. */
  roi?: string;
}

/** Options of {@linkcode CountingDataset.batches}. */
export interface CountingBatchOptions {
  /** Samples per batch. */
  batchSize: number;
  /** Random crop `[height, width]` of every sample (needed when the images differ in size). */
  crop?: readonly [number, number];
  /** Random horizontal flips (default false). */
  flip?: boolean;
  /** Visit the samples in a random order (default true). */
  shuffle?: boolean;
  /** The generator of the order and augmentations (its state can be checkpointed); default `new Rng(seed)`. */
  rng?: Rng;
  /** Seed when no `rng` is given (default 0). */
  seed?: number;
  /**
   * Makes the target plane (e.g. a density map) of a sample from its points:
   * `(points, [height, width]) => Float32Array` of `height × width` values.
   */
  target?: (points: Points, shape: [number, number]) => Float32Array;
  /**
   * `"image"` (default): the target is made once per image (cached with it)
   * and cropped and flipped with the image, as the reference codebases do;
   * `"crop"`: made from the crop's points after augmentation (count-exact
   * per crop, but computed for every batch).
   */
  targetOn?: "image" | "crop";
  /** Leave out a last, smaller batch (default false). */
  dropLast?: boolean;
}

/** A batch of samples. */
export interface CountingBatch {
  /** `[B, h, w, C]` images. */
  images: tf.Tensor4D;
  /** `[B, h, w, 1]` targets, when `target` was given. */
  targets?: tf.Tensor4D;
  /** `[B, h, w, 1]` ROI masks (1 inside), when the dataset has them. */
  rois?: tf.Tensor4D;
  /** Number of points of each sample (inside its crop). */
  counts: Float32Array;
  /** The samples' names. */
  names: string[];
  /** The samples' points (after augmentation). */
  points: Points[];
}

/** Builds a dataset (set in the class's static block, so the constructor stays private). */
let openDataset: (
  entries: DatasetEntry[],
  splits: Record<string, string[]>,
  skipped: string[],
  given: Map<string, Points>,
  options: CountingDatasetOptions,
) => Promise<CountingDataset>;

interface CacheEntry {
  sample: Promise<CountingSample>;
  targets: Map<unknown, Float32Array>;
}

/** What a dataset and its subsets share: annotations, options and the image cache. */
class Store {
  readonly cache = new Map<string, CacheEntry>();
  constructor(
    readonly entries: Map<string, DatasetEntry>,
    readonly points: Map<string, Points>,
    readonly options: CountingDatasetOptions,
    readonly cacheSize: number,
  ) {}

  entry(name: string): CacheEntry {
    let hit = this.cache.get(name);
    if (hit) {
      this.cache.delete(name); // refresh its place in the LRU order
      this.cache.set(name, hit);
      return hit;
    }
    const sample = this.load(name);
    hit = { sample, targets: new Map() };
    sample.catch(() => this.cache.delete(name));
    this.cache.set(name, hit);
    while (this.cache.size > this.cacheSize) {
      this.cache.delete(this.cache.keys().next().value!);
    }
    return hit;
  }

  async load(name: string): Promise<CountingSample> {
    const entry = this.entries.get(name)!;
    const { channels, normalize = "depth" } = this.options;
    const decoded = await readImageData(entry.image, { channels, normalize });
    const [h, w] = decoded.shape;
    if (
      entry.format === "dots" || (entry.format === "trancos" && /\.png$/i.test(entry.annotation))
    ) {
      const info = inspectImage(await Deno.readFile(entry.annotation), fileName(entry.annotation));
      if (info.width !== w || info.height !== h) {
        throw new AnnotationError(
          fileName(entry.annotation),
          `the dot image is ${info.width}x${info.height} but its image ${
            fileName(entry.image)
          } is ${w}x${h}`,
        );
      }
    }
    const points = this.fit(this.points.get(name)!, [h, w], entry);
    const sample: CountingSample = { name, image: decoded.data, shape: decoded.shape, points };
    if (entry.roi) {
      const roi = await readRoi(entry.roi);
      if (roi.shape[0] !== h || roi.shape[1] !== w) {
        throw new AnnotationError(
          fileName(entry.roi),
          `the mask is ${roi.shape[1]}x${roi.shape[0]} but its image ${
            fileName(entry.image)
          } is ${w}x${h}`,
        );
      }
      sample.roi = roi.data;
    }
    return sample;
  }

  /** Applies the `outside` rule. */
  fit(points: Points, [h, w]: [number, number], entry: DatasetEntry): Points {
    const rule = this.options.outside ?? "clamp";
    const inside = (x: number, y: number) => x >= -0.5 && x < w - 0.5 && y >= -0.5 && y < h - 0.5;
    const bad: number[] = [];
    for (let i = 0; i < points.x.length; i++) if (!inside(points.x[i], points.y[i])) bad.push(i);
    if (bad.length === 0) return points;
    if (rule === "error") {
      const i = bad[0];
      throw new AnnotationError(
        fileName(entry.annotation),
        `${bad.length} point(s) outside the ${h}x${w} image ${fileName(entry.image)}, ` +
          `the first: points[${i}] = (x=${points.x[i]}, y=${points.y[i]})`,
      );
    }
    if (rule === "drop") {
      const keep = new Set(bad);
      const out: Points = { x: new Float32Array(0), y: new Float32Array(0) };
      const idx = Array.from(points.x.keys()).filter((i) => !keep.has(i));
      out.x = Float32Array.from(idx, (i) => points.x[i]);
      out.y = Float32Array.from(idx, (i) => points.y[i]);
      if (points.sizes) out.sizes = Float32Array.from(idx, (i) => points.sizes![i]);
      if (points.boxes) {
        out.boxes = new Float32Array(4 * idx.length);
        idx.forEach((j, i) => out.boxes!.set(points.boxes!.subarray(4 * j, 4 * j + 4), 4 * i));
      }
      return out;
    }
    const out: Points = { ...points, x: points.x.slice(), y: points.y.slice() };
    for (const i of bad) {
      out.x[i] = Math.min(Math.max(out.x[i], -0.5), w - 0.51);
      out.y[i] = Math.min(Math.max(out.y[i], -0.5), h - 0.51);
    }
    return out;
  }
}

/**
 * A counting dataset (see the module doc). Make one with
 * {@linkcode readCountingDataset}; `split` and `subset` give views that
 * share its annotations and image cache.
 */
export class CountingDataset {
  readonly #store: Store;
  readonly #known: Set<string>;
  /** The dataset's names, in order. */
  readonly names: readonly string[];
  /** Named splits (lists of names) found with the dataset. */
  readonly splits: Readonly<Record<string, readonly string[]>>;
  /** Files left out while opening, with the reason. */
  readonly skipped: readonly string[];

  /**
   * Use {@linkcode readCountingDataset}.
   *
   * @param store Shared state.
   * @param names The names of this view.
   * @param splits Named splits.
   * @param skipped What was left out.
   */
  private constructor(
    store: Store,
    names: readonly string[],
    splits: Record<string, readonly string[]>,
    skipped: readonly string[],
  ) {
    this.#store = store;
    this.names = names;
    this.splits = splits;
    this.skipped = skipped;
    this.#known = new Set(names);
  }

  static {
    openDataset = async (entries, splits, skipped, given, options) => {
      const cacheSize = assertNumber(options.cacheSize ?? 16, "cacheSize", {
        min: 1,
        integer: true,
      });
      const exclude = new Set(options.exclude ?? []);
      const points = new Map<string, Points>();
      const kept: DatasetEntry[] = [];
      const left = [...skipped];
      const todo = entries.filter((e) => !exclude.has(e.name));
      // Read annotations a few at a time (thousands of files in NWPU or JHU).
      for (let i = 0; i < todo.length; i += 16) {
        const chunk = todo.slice(i, i + 16);
        const read = await Promise.all(chunk.map((e) =>
          given.get(e.name) ??
            readPoints(e.annotation, {
              format: e.format,
              origin: options.origin,
              channel: options.channel,
              threshold: options.threshold,
              othersBelow: options.othersBelow,
              rule: options.rule,
              connectivity: options.connectivity,
            })
        ));
        chunk.forEach((e, k) => {
          if (options.skipEmpty && read[k].x.length === 0) {
            left.push(`${e.annotation}: no points (skipEmpty)`);
            return;
          }
          points.set(e.name, read[k]);
          kept.push(e);
        });
      }
      const names = kept.map((e) => e.name);
      const known = new Set(names);
      const cleaned: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(splits)) cleaned[k] = v.filter((n) => known.has(n));
      const store = new Store(new Map(kept.map((e) => [e.name, e])), points, options, cacheSize);
      return new CountingDataset(store, names, cleaned, left);
    };
  }

  /** Number of images. */
  get length(): number {
    return this.names.length;
  }

  /**
   * The annotation's point count of every image, in `names` order (before
   * the `outside` rule, which only `"drop"` changes).
   *
   * @returns The counts.
   */
  counts(): Float32Array {
    return Float32Array.from(this.names, (n) => this.#store.points.get(n)!.x.length);
  }

  /**
   * The annotation of one image, as read (before the `outside` rule).
   *
   * @param which Index into `names`, or a name.
   * @returns The points.
   */
  points(which: number | string): Points {
    return this.#store.points.get(this.#name(which))!;
  }

  /**
   * The entry (files) of one image.
   *
   * @param which Index into `names`, or a name.
   * @returns Its image, annotation and ROI paths.
   */
  entry(which: number | string): DatasetEntry {
    return this.#store.entries.get(this.#name(which))!;
  }

  /**
   * One sample: its image decoded (or taken from the cache) and its points
   * fitted to the image (see `outside`). The arrays are shared with the
   * cache: do not modify them (the augmentations make copies).
   *
   * @param which Index into `names`, or a name.
   * @returns The sample.
   */
  sample(which: number | string): Promise<CountingSample> {
    return this.#store.entry(this.#name(which)).sample;
  }

  /**
   * A view of some of the images (sharing annotations and cache).
   *
   * @param names The names to keep, in the order given.
   * @returns The subset.
   */
  subset(names: readonly string[]): CountingDataset {
    const known = new Set(this.names);
    for (const n of names) {
      if (!known.has(n)) throw new RangeError(`subset: "${n}" is not a name of this dataset`);
    }
    return new CountingDataset(this.#store, names.slice(), this.splits, this.skipped);
  }

  /**
   * The view of a named split.
   *
   * @param name A key of `splits`.
   * @returns The subset.
   */
  split(name: string): CountingDataset {
    const list = this.splits[name];
    if (list === undefined) {
      const have = Object.keys(this.splits);
      throw new RangeError(
        `split must be one of ${
          have.map((k) => `"${k}"`).join(", ") || "(none: this dataset has no splits)"
        }, ` +
          `got "${name}"`,
      );
    }
    return this.subset(list);
  }

  /**
   * One pass over the dataset in batches: samples in a seeded random order
   * (or in order), each randomly cropped and flipped (image, points, ROI and
   * target together, see `augment.ts`), stacked into NHWC tensors that the
   * caller disposes. Draws of the generator, in order: the visiting order,
   * then for each sample its crop and flip.
   *
   * @param options Batch size, augmentation, order and target.
   * @returns The batches.
   * @example
   * ```ts
   * import * as tf from "@tensorflow/tfjs";
   * import { readCountingDataset } from "./dataset.ts";
   * await tf.setBackend("cpu");
   * const cells = await readCountingDataset("data/counting/vgg_cells");
   * const few = cells.subset(cells.names.slice(0, 4));
   * for await (const batch of few.batches({ batchSize: 2, crop: [64, 64], flip: true, seed: 1 })) {
   *   console.log(batch.images.shape); // [2, 64, 64, 3]
   *   batch.images.dispose();
   * }
   * ```
   */
  async *batches(options: CountingBatchOptions): AsyncGenerator<CountingBatch> {
    const size = assertNumber(options.batchSize, "batchSize", { min: 1, integer: true });
    const targetOn = assertOneOf(options.targetOn ?? "image", ["image", "crop"], "targetOn");
    const rng = options.rng ?? new Rng(options.seed ?? 0);
    const order = options.shuffle ?? true ? shuffled(this.names, rng) : this.names.slice();
    for (let start = 0; start < order.length; start += size) {
      const names = order.slice(start, start + size);
      if (names.length < size && options.dropLast) break;
      const samples: CountingSample[] = [];
      for (const name of names) {
        const entry = this.#store.entry(name);
        let sample = await entry.sample;
        if (options.target && targetOn === "image") {
          let t = entry.targets.get(options.target);
          if (!t) {
            t = makeTarget(options.target, sample);
            entry.targets.set(options.target, t);
          }
          sample = { ...sample, target: t };
        }
        let out = augmentSample(sample, { crop: options.crop, flip: options.flip }, rng);
        if (options.target && targetOn === "crop") {
          out = { ...out, target: makeTarget(options.target, out) };
        }
        samples.push(out);
      }
      yield stackBatch(samples);
    }
  }

  #name(which: number | string): string {
    if (typeof which === "number") {
      if (!Number.isInteger(which) || which < 0 || which >= this.names.length) {
        throw new RangeError(
          `index must be an integer in [0, ${this.names.length - 1}], got ${which}`,
        );
      }
      return this.names[which];
    }
    if (!this.#known.has(which)) {
      throw new RangeError(`"${which}" is not a name of this dataset`);
    }
    return which;
  }
}

function makeTarget(
  target: (points: Points, shape: [number, number]) => Float32Array,
  sample: CountingSample,
): Float32Array {
  const [h, w] = sample.shape;
  const t = target(sample.points, [h, w]);
  if (!(t instanceof Float32Array) || t.length !== h * w) {
    throw new RangeError(
      `target must return a Float32Array of ${h}x${w} = ${h * w} values for "${sample.name}", got ${
        t instanceof Float32Array ? `${t.length} values` : typeof t
      }`,
    );
  }
  return t;
}

/**
 * Stacks samples of one size into a batch (tensors owned by the caller).
 *
 * @param samples Samples of equal `shape`; all with or all without `target` and `roi`.
 * @returns The batch.
 */
export function stackBatch(samples: readonly CountingSample[]): CountingBatch {
  if (samples.length === 0) throw new RangeError("stackBatch needs at least one sample");
  const [h, w, c] = samples[0].shape;
  for (const s of samples) {
    if (s.shape[0] !== h || s.shape[1] !== w || s.shape[2] !== c) {
      throw new RangeError(
        `samples of a batch must share one shape: "${samples[0].name}" is [${h}, ${w}, ${c}] but ` +
          `"${s.name}" is [${s.shape.join(", ")}]; pass crop: [height, width] to batch images of ` +
          `different sizes`,
      );
    }
  }
  const b = samples.length;
  const images = new Float32Array(b * h * w * c);
  samples.forEach((s, i) => images.set(s.image, i * h * w * c));
  const batch: CountingBatch = {
    images: tf.tensor4d(images, [b, h, w, c]),
    counts: Float32Array.from(samples, (s) => s.points.x.length),
    names: samples.map((s) => s.name),
    points: samples.map((s) => s.points),
  };
  if (samples.every((s) => s.target)) {
    const t = new Float32Array(b * h * w);
    samples.forEach((s, i) => t.set(s.target!, i * h * w));
    batch.targets = tf.tensor4d(t, [b, h, w, 1]);
  }
  if (samples.every((s) => s.roi)) {
    const r = new Float32Array(b * h * w);
    samples.forEach((s, i) => r.set(s.roi!, i * h * w));
    batch.rois = tf.tensor4d(r, [b, h, w, 1]);
  }
  return batch;
}

/**
 * Opens a counting dataset: a folder in one of the supported layouts, or a
 * list of images with their annotation files or points.
 *
 * @param source The dataset folder (see `layouts.ts` for each `format`'s
 * layout), or a list of {@linkcode DatasetItem}.
 * @param options Format, image channels and scale, rules for unpaired files,
 * points outside the image, empty annotations, and the cache size.
 * @returns The dataset.
 * @throws {DatasetLayoutError} When the folder lacks the layout's folders.
 * @throws {AnnotationError} For an unpaired, missing, corrupt or mismatched file.
 * @example
 * ```ts
 * import { readCountingDataset } from "./dataset.ts";
 * import { vggSplits } from "./splits.ts";
 * const cells = await readCountingDataset("data/counting/vgg_cells", { format: "json" });
 * console.log(cells.length, cells.counts()[0]); // 200 135
 * const [draw] = vggSplits(cells.names, { train: 32, seeds: [0] });
 * const train = cells.subset(draw.train), test = cells.subset(draw.test);
 * const sample = await test.sample(0);
 * console.log(sample.name, sample.shape); // "101cell" [256, 256, 3]
 * console.log(train.length); // 32
 * ```
 */
export async function readCountingDataset(
  source: string | URL | readonly DatasetItem[],
  options: CountingDatasetOptions = {},
): Promise<CountingDataset> {
  const format = assertOneOf(options.format ?? "json", ANNOTATION_FORMATS, "format");
  if (options.outside !== undefined) {
    assertOneOf(options.outside, ["clamp", "drop", "error"], "outside");
  }
  if (options.missing !== undefined) assertOneOf(options.missing, ["error", "skip"], "missing");
  if (Array.isArray(source)) {
    const given = new Map<string, Points>();
    const entries: DatasetEntry[] = [];
    const seen = new Set<string>();
    (source as readonly DatasetItem[]).forEach((item, i) => {
      if (typeof item?.image !== "string") {
        throw new TypeError(`source[${i}].image must be a path, got ${typeof item?.image}`);
      }
      const base = item.image.slice(item.image.lastIndexOf("/") + 1);
      const name = item.name ?? (base.includes(".") ? base.slice(0, base.lastIndexOf(".")) : base);
      if (seen.has(name)) throw new RangeError(`source[${i}]: the name "${name}" is used twice`);
      seen.add(name);
      if (item.points !== undefined) {
        given.set(name, toPoints(item.points, { name: `source[${i}].points` }));
      } else if (item.annotation === undefined) {
        throw new TypeError(`source[${i}] needs an annotation file or points`);
      }
      entries.push({
        name,
        image: item.image,
        annotation: item.annotation ?? item.image,
        format: item.format ?? format,
        ...(item.roi ? { roi: item.roi } : {}),
      });
    });
    return openDataset(entries, {}, [], given, options);
  }
  if (typeof source !== "string" && !(source instanceof URL)) {
    throw new TypeError(`source must be a folder or a list of items, got ${typeof source}`);
  }
  const found = await findDatasetFiles(source, format, { missing: options.missing });
  if (found.entries.length === 0) {
    throw new DatasetLayoutError(
      source instanceof URL ? source.pathname : source,
      `no annotated images found for format "${format}"`,
    );
  }
  return openDataset(found.entries, found.splits, found.skipped, new Map(), options);
}
