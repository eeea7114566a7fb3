/**
 * The datasets of the chapter 4 reproduction: opening each dataset folder
 * with the core's loader (a missing folder or a wrong layout is one clear
 * {@linkcode UsageError}), its training / validation / test split per seed,
 * the samples reduced by the profile's factor, and the per-image object
 * statistics that define the scale and crowding thirds (Tables 15–17).
 *
 * **Reduction.** A dataset with `reduce: f` is box-averaged over f × f
 * pixels (the last rows and columns that do not fill a block are dropped);
 * a point at x moves to `(x + 0.5) / f − 0.5` (pixel centres stay centres),
 * clamped into the image, and object sizes and boxes are divided by f. The
 * count never changes.
 *
 * **Scale and crowding** (thesis Sec. 4.4.2–4.4.3, defined there on WIDER
 * FACE's boxes): with F_n the number of objects in an image, F_s their summed
 * area (from the object sizes: π (size / 2)², BBBC039's mask areas) and I_s
 * the image's area, an image's scale level is F_s / F_n (the mean object
 * area) and its crowding level (F_s / I_s) · (F_n / I_s). Test images are
 * sorted by each and cut into three equal thirds (small / medium / large,
 * sparse / medium / dense; the first `n mod 3` thirds get one image more).
 *
 * @module
 */
import { Rng } from "../../core/rng.ts";
import { type CountingDataset, readCountingDataset } from "../../counting/dataset.ts";
import type { Points } from "../../counting/points.ts";
import type { CountingSample } from "../../counting/sample.ts";
import { holdOut, shuffled, vggSplits } from "../../counting/splits.ts";
import { inspectImage } from "../../io/format.ts";
import { UsageError } from "../cli.ts";
import type { Chapter4Dataset } from "./settings.ts";

/** The images of one run: names of the training, validation and test images. */
export interface Chapter4Split {
  /** Training images. */
  train: string[];
  /** Validation images (best-model selection; never the test images). */
  val: string[];
  /** Test images. */
  test: string[];
}

/**
 * Reduces a sample by an integer factor (see the module doc).
 *
 * @param sample The sample.
 * @param factor The factor (1: the sample itself).
 * @returns The reduced sample (a new one unless `factor` is 1).
 * @example
 * ```ts
 * import { reduceChapter4Sample } from "./data.ts";
 * const s = {
 *   name: "a", image: new Float32Array(16).fill(0.5), shape: [4, 4, 1] as [number, number, number],
 *   points: { x: Float32Array.of(2.5), y: Float32Array.of(0), sizes: Float32Array.of(4) },
 * };
 * const r = reduceChapter4Sample(s, 2);
 * console.log(r.shape, r.points.x[0], r.points.y[0], r.points.sizes![0]); // [2, 2, 1] 1 -0.25 2
 * ```
 */
export function reduceChapter4Sample(sample: CountingSample, factor: number): CountingSample {
  if (!Number.isInteger(factor) || factor < 1) {
    throw new RangeError(`factor must be a whole number ≥ 1, got ${factor}`);
  }
  if (factor === 1) return sample;
  const [h, w, c] = sample.shape;
  const H = Math.floor(h / factor), W = Math.floor(w / factor);
  if (H < 1 || W < 1) {
    throw new RangeError(
      `sample "${sample.name}" (${h}x${w}) is smaller than the factor ${factor}`,
    );
  }
  const image = new Float32Array(H * W * c);
  const area = factor * factor;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let k = 0; k < c; k++) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++) {
          const row = (y * factor + dy) * w;
          for (let dx = 0; dx < factor; dx++) sum += sample.image[(row + x * factor + dx) * c + k];
        }
        image[(y * W + x) * c + k] = sum / area;
      }
    }
  }
  const p = sample.points;
  const move = (v: number, size: number) =>
    Math.min(size - 0.51, Math.max(-0.5, (v + 0.5) / factor - 0.5));
  const points: Points = {
    x: p.x.map((v) => move(v, W)),
    y: p.y.map((v) => move(v, H)),
  };
  if (p.sizes) points.sizes = p.sizes.map((v) => v / factor);
  if (p.boxes) points.boxes = p.boxes.map((v) => v / factor);
  return { name: sample.name, image, shape: [H, W, c], points };
}

/** Per-image object statistics (see the module doc). */
export interface ObjectStats {
  /** F_n, objects. */
  count: number;
  /** F_s / F_n, the mean object area in pixels (`NaN` without objects or sizes). */
  scale: number;
  /** (F_s / I_s) · (F_n / I_s) (`NaN` without sizes). */
  crowding: number;
}

/**
 * Scale and crowding levels of an image from its objects' sizes.
 *
 * @param points The points with `sizes` (diameters) or `boxes`.
 * @param shape `[height, width]` of the image.
 * @returns The statistics.
 */
export function objectStats(points: Points, shape: readonly [number, number]): ObjectStats {
  const n = points.x.length;
  const imageArea = shape[0] * shape[1];
  if (!points.sizes && !points.boxes) return { count: n, scale: NaN, crowding: NaN };
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (points.sizes) total += Math.PI * (points.sizes[i] / 2) ** 2;
    else {
      const b = points.boxes!.subarray(4 * i, 4 * i + 4);
      total += Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
    }
  }
  return {
    count: n,
    scale: n > 0 ? total / n : NaN,
    crowding: (total / imageArea) * (n / imageArea),
  };
}

/**
 * The thirds of images sorted by a level: index lists of the low, middle and
 * high third (the first `n mod 3` thirds one longer).
 *
 * @param levels One level per image (`NaN`s sort last).
 * @returns Three lists of indices into `levels`.
 * @example
 * ```ts
 * import { objectThirds } from "./data.ts";
 * console.log(objectThirds([5, 1, 3, 2, 4, 0, 6])); // [[5, 1, 3], [2, 4], [0, 6]]
 * ```
 */
export function objectThirds(levels: readonly number[]): [number[], number[], number[]] {
  const order = [...levels.keys()].sort((a, b) => {
    const x = levels[a], y = levels[b];
    if (Number.isNaN(x) || Number.isNaN(y)) {
      return Number.isNaN(x) ? (Number.isNaN(y) ? a - b : 1) : -1;
    }
    return x - y || a - b;
  });
  const n = order.length, base = Math.floor(n / 3), extra = n % 3;
  const sizes = [0, 1, 2].map((i) => base + (i < extra ? 1 : 0));
  return [
    order.slice(0, sizes[0]),
    order.slice(sizes[0], sizes[0] + sizes[1]),
    order.slice(sizes[0] + sizes[1]),
  ];
}

/** One opened dataset: its settings, the core's dataset, splits and reduced samples. */
export class Chapter4Data {
  readonly #samples = new Map<string, Promise<CountingSample>>();

  private constructor(
    /** The dataset's settings. */
    readonly spec: Chapter4Dataset,
    /** The folder it was read from. */
    readonly dir: string,
    /** The core's dataset (annotations read, images decoded on demand). */
    readonly dataset: CountingDataset,
  ) {}

  /**
   * Opens a dataset folder under `root`.
   *
   * @param spec The dataset's settings.
   * @param root The data folder.
   * @returns The opened dataset.
   * @throws {UsageError} For a missing folder or one the core cannot read (one line).
   */
  static async open(spec: Chapter4Dataset, root: string): Promise<Chapter4Data> {
    const dir = `${root.replace(/\/+$/, "")}/${spec.dir}`;
    try {
      const info = await Deno.stat(dir);
      if (!info.isDirectory) throw new UsageError(`--data-dir: "${dir}" is not a folder`);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(
        `--data-dir "${root}" lacks ${spec.dir}/ (${spec.name} in the core's "${spec.format}" layout)`,
      );
    }
    let dataset: CountingDataset;
    try {
      dataset = await readCountingDataset(dir, {
        format: spec.format,
        normalize: spec.normalize,
        channels: spec.channels,
        skipEmpty: true,
        cacheSize: 2,
      });
    } catch (e) {
      throw new UsageError(`${spec.name}: ${(e as Error).message.split("\n")[0]}`);
    }
    return new Chapter4Data(spec, dir, dataset);
  }

  /**
   * The split of one seed (the VGG protocol draws per seed; named and random
   * splits are the same for every seed).
   *
   * @param seed The run's seed.
   * @returns Training, validation and test names.
   * @throws {UsageError} When the dataset lacks a named split or has too few images.
   */
  split(seed: number): Chapter4Split {
    const { spec, dataset } = this;
    const names = dataset.names;
    const known = new Set(names);
    let train: string[], val: string[], test: string[];
    const named = (which: string) => {
      const list = dataset.splits[which];
      if (!list) {
        throw new UsageError(
          `${spec.name} (${this.dir}) has no split "${which}" (it has: ${
            Object.keys(dataset.splits).join(", ") || "none"
          })`,
        );
      }
      return list.filter((n) => known.has(n));
    };
    switch (spec.split.kind) {
      case "named": {
        train = named(spec.split.train);
        test = named(spec.split.test);
        if (spec.split.val) val = named(spec.split.val).slice(0, spec.val);
        else {
          const h = holdOut(train, { count: Math.min(spec.val, train.length - 1), seed: 0 });
          train = h.train;
          val = h.val;
        }
        break;
      }
      case "vgg": {
        if (names.length < 200) {
          throw new UsageError(
            `${spec.name} needs 200 images for the VGG protocol, has ${names.length}`,
          );
        }
        const [s] = vggSplits(names, { train: spec.split.train, seeds: [seed] });
        const chosen = new Set(s.train);
        const rest = names.slice(0, 100).filter((n) => !chosen.has(n));
        train = s.train;
        val = shuffled(rest, new Rng(seed)).slice(0, spec.val);
        test = s.test;
        break;
      }
      case "random": {
        if (names.length < spec.split.train + 2) {
          throw new UsageError(
            `${spec.name} has ${names.length} images, too few for ${spec.split.train} training images and a test set`,
          );
        }
        const order = shuffled(names, new Rng(0));
        const pool = order.slice(0, spec.split.train);
        test = names.filter((n) => !pool.includes(n));
        const h = holdOut(pool, { count: Math.min(spec.val, pool.length - 1), seed: 0 });
        train = h.train;
        val = h.val;
        break;
      }
    }
    if (spec.maxTrain !== null) train = train.slice(0, spec.maxTrain);
    if (spec.maxTest !== null) test = test.slice(0, spec.maxTest);
    if (train.length === 0 || test.length === 0 || val.length === 0) {
      throw new UsageError(
        `${spec.name}: the split has ${train.length} training, ${val.length} validation and ${test.length} test images`,
      );
    }
    return { train, val, test };
  }

  /**
   * The reduced samples of some names (decoded once, then cached).
   *
   * @param names Names of the dataset.
   * @returns The samples, in order.
   */
  samples(names: readonly string[]): Promise<CountingSample[]> {
    return Promise.all(names.map((n) => this.sample(n)));
  }

  /**
   * One reduced sample (cached).
   *
   * @param name A name of the dataset.
   * @returns The sample.
   */
  sample(name: string): Promise<CountingSample> {
    let s = this.#samples.get(name);
    if (!s) {
      s = this.dataset.sample(name).then((x) => reduceChapter4Sample(x, this.spec.reduce));
      s.catch(() => this.#samples.delete(name));
      this.#samples.set(name, s);
    }
    return s;
  }

  /**
   * The points and image size of every annotated image at full resolution
   * (read from the annotations and the image files' headers; nothing decoded).
   *
   * @param names Names (default all).
   * @returns Each image's points and `[height, width]`.
   */
  async annotations(
    names: readonly string[] = this.dataset.names,
  ): Promise<{ name: string; points: Points; shape: [number, number] }[]> {
    const out = [];
    for (const name of names) {
      const file = this.dataset.entry(name).image;
      const info = inspectImage(await Deno.readFile(file), file);
      out.push({
        name,
        points: this.dataset.points(name),
        shape: [info.height, info.width] as [number, number],
      });
    }
    return out;
  }

  /** Whether the annotations carry object sizes (scale/crowding thirds, σ error). */
  get hasSizes(): boolean {
    const first = this.dataset.names.find((n) => this.dataset.points(n).x.length > 0);
    if (first === undefined) return false;
    const p = this.dataset.points(first);
    return p.sizes !== undefined || p.boxes !== undefined;
  }
}
