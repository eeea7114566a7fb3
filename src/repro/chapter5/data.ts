/**
 * The data of the chapter 5 reproduction: one data set's training,
 * validation and test images in memory (reduced by an integer factor where
 * the profile says so), the oracle-masked copies the background experiments
 * test on, the test images' occlusion levels M̄ (eq. 5.3), and, for BBBC039,
 * the real foreground masks.
 *
 * @module
 */
import { Rng } from "../../core/rng.ts";
import { readImageData } from "../../io/read.ts";
import { type CountingDataset, readCountingDataset } from "../../counting/dataset.ts";
import { densityMapData, type DensityOptions } from "../../counting/density.ts";
import { occlusionLevel } from "../../counting/occlusion.ts";
import type { Points } from "../../counting/points.ts";
import type { CountingSample } from "../../counting/sample.ts";
import { kernelSigmas } from "../../counting/sigma.ts";
import { holdOut, shuffled, vggSplits } from "../../counting/splits.ts";
import { DatasetLayoutError } from "../../counting/layouts.ts";
import { UsageError } from "../cli.ts";
import type { Chapter5Dataset } from "./settings.ts";

/** One data set, loaded. */
export interface Chapter5Data {
  /** The data set's settings. */
  dataset: Chapter5Dataset;
  /** Training images. */
  train: CountingSample[];
  /** Validation images (model selection). */
  val: CountingSample[];
  /** Test images. */
  test: CountingSample[];
  /** Occlusion level M̄ of each test image (eq. 5.3, σ of the data set's kernel). */
  levels: number[];
  /** Real foreground masks of the test images (0/1, `H × W`), where the data set has them. */
  masks?: Float32Array[];
}

/**
 * Reduces a sample by an integer factor: each output pixel is the mean of a
 * `factor × factor` block (a remainder at the bottom and right is dropped),
 * points move to `(x + 0.5) / factor − 0.5` (clamped inside), object sizes
 * and boxes shrink with them.
 *
 * @param sample The sample.
 * @param factor The integer factor (1: the sample itself).
 * @returns The reduced sample.
 * @example
 * ```ts
 * import { reduceSample } from "./data.ts";
 * const s = { name: "a", image: Float32Array.of(0, 1, 2, 3), shape: [2, 2, 1] as [number, number, number],
 *   points: { x: Float32Array.of(1), y: Float32Array.of(0) } };
 * const r = reduceSample(s, 2);
 * console.log(r.shape, r.image[0], r.points.x[0]); // [1, 1, 1] 1.5 0.25
 * ```
 */
export function reduceSample(sample: CountingSample, factor: number): CountingSample {
  if (!Number.isInteger(factor) || factor < 1) {
    throw new RangeError(`factor must be an integer >= 1, got ${factor}`);
  }
  if (factor === 1) return sample;
  const [h, w, c] = sample.shape;
  const H = Math.floor(h / factor), W = Math.floor(w / factor);
  if (H < 1 || W < 1) {
    throw new RangeError(
      `sample "${sample.name}" (${h}x${w}) is smaller than the factor ${factor}`,
    );
  }
  const image = reducePlane(sample.image, [h, w, c], factor);
  const move = (v: number, n: number) =>
    Math.min(n - 0.51, Math.max(-0.5, (v + 0.5) / factor - 0.5));
  const p = sample.points;
  const points: Points = {
    x: p.x.map((v) => move(v, W)),
    y: p.y.map((v) => move(v, H)),
  };
  if (p.sizes) points.sizes = p.sizes.map((v) => v / factor);
  if (p.boxes) points.boxes = p.boxes.map((v) => v / factor);
  return { name: sample.name, image, shape: [H, W, c], points };
}

/** Block means of an HWC plane. */
function reducePlane(
  data: Float32Array,
  [h, w, c]: readonly [number, number, number],
  f: number,
): Float32Array {
  const H = Math.floor(h / f), W = Math.floor(w / f);
  const out = new Float32Array(H * W * c);
  const norm = 1 / (f * f);
  for (let y = 0; y < H; y++) {
    for (let dy = 0; dy < f; dy++) {
      const row = (y * f + dy) * w;
      for (let x = 0; x < W; x++) {
        for (let dx = 0; dx < f; dx++) {
          const i = (row + x * f + dx) * c, o = (y * W + x) * c;
          for (let ch = 0; ch < c; ch++) out[o + ch] += data[i + ch] * norm;
        }
      }
    }
  }
  return out;
}

/**
 * The integer reduction factor of a scale.
 *
 * @param scale `1 / k` for an integer k.
 * @returns k.
 * @throws {RangeError} When `1 / scale` is not an integer.
 */
export function reductionFactor(scale: number): number {
  const k = Math.round(1 / scale);
  if (!(scale > 0) || Math.abs(k * scale - 1) > 1e-9) {
    throw new RangeError(`scale must be 1/k for an integer k, got ${scale}`);
  }
  return k;
}

/**
 * The sample's image masked by its oracle foreground (the true density > 0):
 * what the oracle counter of Table 23 sees, in training and in testing.
 *
 * @param sample The sample.
 * @param density The data set's kernel.
 * @returns A copy whose background pixels are 0.
 */
export function oracleMaskedSample(
  sample: CountingSample,
  density: DensityOptions,
): CountingSample {
  const [h, w, c] = sample.shape;
  const d = densityMapData(sample.points, [h, w], density).data;
  const image = new Float32Array(sample.image.length);
  for (let i = 0; i < h * w; i++) {
    if (d[i] > 0) { for (let ch = 0; ch < c; ch++) image[i * c + ch] = sample.image[i * c + ch]; }
  }
  return { ...sample, image };
}

/**
 * The occlusion level M̄ of a sample (eq. 5.3) with the σ of a kernel.
 *
 * @param sample The sample.
 * @param density The kernel.
 * @returns M̄.
 */
export function sampleOcclusionLevel(sample: CountingSample, density: DensityOptions): number {
  const shape: [number, number] = [sample.shape[0], sample.shape[1]];
  return occlusionLevel(sample.points, kernelSigmas(sample.points, shape, density), shape);
}

/**
 * The names of the training, validation and test images of a data set.
 *
 * @param ds The opened data set.
 * @param d The data set's settings.
 * @param seed Seed of the draws (VGG protocol, hold-out).
 * @returns The three name lists.
 * @throws {UsageError} When a named split is missing.
 */
export function splitNames(
  ds: CountingDataset,
  d: Chapter5Dataset,
  seed: number,
): { train: string[]; val: string[]; test: string[] } {
  let train: string[], val: string[], test: string[];
  if (d.split.kind === "vgg") {
    const [draw] = vggSplits(ds.names, { train: d.split.train, seeds: [seed] });
    const chosen = new Set(draw.train);
    const rest = ds.names.slice(0, 100).filter((n) => !chosen.has(n));
    train = draw.train;
    val = shuffled(rest, new Rng(seed)).slice(0, d.valCount);
    test = draw.test;
  } else {
    const named = (name: string) => {
      const list = ds.splits[name];
      if (!list || list.length === 0) {
        throw new UsageError(
          `data set "${d.dir}" has no "${name}" split (it has: ${
            Object.keys(ds.splits).join(", ") || "none"
          })`,
        );
      }
      return [...list];
    };
    train = named(d.split.train);
    test = named(d.split.test);
    if (d.split.val !== null) val = named(d.split.val).slice(0, d.valCount);
    else {
      const h = holdOut(train, { count: Math.min(d.valCount, train.length - 1), seed });
      train = h.train;
      val = h.val;
    }
    if (d.trainCount !== null) train = train.slice(0, d.trainCount);
  }
  if (d.testCount !== null) test = test.slice(0, d.testCount);
  return { train, val, test };
}

/**
 * Reads one data set into memory as the settings say.
 *
 * @param dataDir The data folder (`data/` by default; `--data-dir`).
 * @param d The data set's settings.
 * @param seed Seed of the draws.
 * @returns The loaded data.
 * @throws {UsageError} When the folder is missing or not a data set.
 */
export async function loadChapter5Data(
  dataDir: string,
  d: Chapter5Dataset,
  seed: number,
): Promise<Chapter5Data> {
  const dir = `${dataDir.replace(/\/+$/, "")}/${d.dir}`;
  let ds: CountingDataset;
  try {
    ds = await readCountingDataset(dir, {
      format: d.format,
      normalize: d.normalize,
      skipEmpty: d.skipEmpty,
    });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof DatasetLayoutError) {
      throw new UsageError(
        `--data-dir "${dataDir}": cannot read ${d.label} from ${dir} (${(e as Error).message})`,
      );
    }
    throw e;
  }
  const names = splitNames(ds, d, seed);
  const factor = reductionFactor(d.scale);
  const load = async (list: string[]) => {
    const out: CountingSample[] = [];
    for (const n of list) out.push(reduceSample(await ds.sample(n), factor));
    return out;
  };
  const [train, val, test] = [
    await load(names.train),
    await load(names.val),
    await load(names.test),
  ];
  const levels = test.map((s) => sampleOcclusionLevel(s, d.density));
  let masks: Float32Array[] | undefined;
  if (d.masks) {
    masks = [];
    for (const s of test) {
      const file = ds.entry(s.name).image.replace(/\/images\/([^/]*)\.\w+$/, `/${d.masks}/$1.png`);
      const m = await readImageData(file, { channels: 1 });
      const binary = m.data.map((v) => (v > 0 ? 1 : 0));
      const reduced = reducePlane(binary, [m.shape[0], m.shape[1], 1], factor);
      masks.push(reduced.map((v) => (v >= 0.5 ? 1 : 0)));
    }
  }
  return { dataset: d, train, val, test, levels, masks };
}
