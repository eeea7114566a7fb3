/**
 * Evaluating a counter on whole images: each image is padded at the bottom
 * and right to the network's input multiple, predicted in tiles of at most
 * `maxPixels` pixels (stitched without counting anything twice), and its
 * predicted count compared with its number of points. Returns per-image
 * counts, MAE / RMSE / NMAE, GAME(L) against the ground-truth density at
 * the output's resolution, and optionally the maps.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, describe } from "../core/checks.ts";
import { densityMapData, type DensityOptions } from "./density.ts";
import { downsampleDensityData } from "./downsample.ts";
import { game } from "./game.ts";
import { type CountingMetrics, countingMetrics } from "./metrics.ts";
import type { CountingSample } from "./sample.ts";
import { predictTiled } from "./tiles.ts";
import { type CounterForward, densityOf } from "./train.ts";

/** Options of {@linkcode evaluateCounter} and {@linkcode predictDensity}. */
export interface EvaluateOptions {
  /** Output stride of the network (default 1). */
  outputStride?: number;
  /** Input sides must be multiples of this (default: the output stride). */
  inputMultiple?: number;
  /** The density scale the network was trained with (default 100). */
  densityScale?: number;
  /** Largest tile in pixels (default 512 × 512). */
  maxPixels?: number;
  /** Overlap of neighbouring tiles in pixels (default 32, less for small tiles: a quarter of their side). */
  overlap?: number;
  /** GAME levels to compute (default [0, 1, 2, 3]). */
  gameLevels?: readonly number[];
  /** Kernel of the ground-truth density for GAME (default: geometry-adaptive). */
  density?: DensityOptions;
  /** Keep the predicted maps in the result (default false). */
  keepMaps?: boolean;
  /** Called after each image (progress). */
  onImage?: (done: number, total: number) => void;
}

/** A predicted density map at the network's output resolution, in density units. */
export interface PredictedMap {
  /** `height × width` values. */
  data: Float32Array;
  /** Rows. */
  height: number;
  /** Columns. */
  width: number;
  /** Its sum: the predicted count. */
  count: number;
}

/** What {@linkcode evaluateCounter} returns. */
export interface Evaluation {
  /** Image names, in order. */
  names: string[];
  /** Predicted counts. */
  predicted: Float64Array;
  /** True counts (points per image). */
  truth: Float64Array;
  /** MAE, RMSE, NMAE and errors. */
  metrics: CountingMetrics;
  /** GAME(L) per level asked for, averaged over images. */
  game: Record<number, number>;
  /** The predicted maps (with `keepMaps`). */
  maps?: PredictedMap[];
}

/**
 * Predicts the density of one image, tiled and padded as needed.
 *
 * @param forward The network's forward pass (run in inference mode).
 * @param image The image as HWC float32 and its shape.
 * @param options Stride, multiple, scale, tile size.
 * @returns The map at the output resolution of the unpadded image (`⌈H/s⌉ × ⌈W/s⌉`).
 */
export async function predictDensity(
  forward: CounterForward,
  image: { data: Float32Array; shape: readonly [number, number, number] },
  options: EvaluateOptions = {},
): Promise<PredictedMap> {
  const s = assertNumber(options.outputStride ?? 1, "outputStride", { min: 1, integer: true });
  const m = assertNumber(options.inputMultiple ?? s, "inputMultiple", { min: 1, integer: true });
  const scale = assertNumber(options.densityScale ?? 100, "densityScale", {
    min: 0,
    minExclusive: true,
  });
  const multiple = lcm(m, s);
  const maxPixels = assertNumber(options.maxPixels ?? 512 * 512, "maxPixels", { min: 1 });
  const [h, w, c] = image.shape;
  const ph = Math.ceil(h / multiple) * multiple, pw = Math.ceil(w / multiple) * multiple;
  let data = image.data;
  if (ph !== h || pw !== w) {
    data = new Float32Array(ph * pw * c);
    for (let r = 0; r < h; r++) {
      data.set(image.data.subarray(r * w * c, (r + 1) * w * c), r * pw * c);
    }
  }
  const out = await predictTiled(
    { data, shape: [ph, pw, c] },
    (tile) => tf.tidy(() => tf.div(densityOf(forward(tile, false)), scale)),
    {
      maxPixels,
      multiple,
      stride: s,
      overlap: options.overlap ?? Math.min(32, Math.floor(Math.sqrt(maxPixels) / 4)),
    },
  );
  const oh = Math.ceil(h / s), ow = Math.ceil(w / s);
  const full = out.shape[1];
  const map = new Float32Array(oh * ow);
  let count = 0;
  for (let r = 0; r < oh; r++) {
    for (let q = 0; q < ow; q++) {
      const v = out.data[r * full + q];
      map[r * ow + q] = v;
      count += v;
    }
  }
  return { data: map, height: oh, width: ow, count };
}

/**
 * Evaluates a counter on samples (whole images).
 *
 * @param forward The network's forward pass.
 * @param samples The images with their points.
 * @param options Stride, scale, tiles, GAME levels, kernel of the truth maps.
 * @returns Counts, metrics, GAME and optionally the maps.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { evaluateCounter } from "./evaluate.ts";
 * await tf.setBackend("cpu");
 * const sample = {
 *   name: "a", image: new Float32Array(8 * 8).fill(0.5), shape: [8, 8, 1] as [number, number, number],
 *   points: { x: Float32Array.of(2), y: Float32Array.of(3) },
 * };
 * // a "network" that predicts 100 × 1/64 everywhere: one object per image
 * const forward = (x: tf.Tensor4D) => tf.mul(tf.onesLike(x), 100 / 64) as tf.Tensor4D;
 * const r = await evaluateCounter(forward, [sample], { gameLevels: [0] });
 * console.log(r.metrics.mae.toFixed(3)); // "0.000"
 * ```
 */
export async function evaluateCounter(
  forward: CounterForward,
  samples: readonly CountingSample[] | AsyncIterable<CountingSample>,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  if (typeof forward !== "function") {
    throw new TypeError(`forward must be a function, got ${describe(forward)}`);
  }
  const levels = options.gameLevels ?? [0, 1, 2, 3];
  levels.forEach((l, i) => assertNumber(l, `gameLevels[${i}]`, { min: 0, integer: true }));
  const s = options.outputStride ?? 1;
  const names: string[] = [], predicted: number[] = [], truth: number[] = [];
  const gameSums: Record<number, number> = Object.fromEntries(levels.map((l) => [l, 0]));
  const maps: PredictedMap[] = [];
  const total = Array.isArray(samples) ? samples.length : NaN;
  let done = 0;
  for await (const sample of samples as AsyncIterable<CountingSample>) {
    const map = await predictDensity(forward, { data: sample.image, shape: sample.shape }, options);
    names.push(sample.name);
    predicted.push(map.count);
    truth.push(sample.points.x.length);
    if (levels.length) {
      const [h, w] = sample.shape;
      const d = densityMapData(sample.points, [h, w], options.density);
      const t = s === 1 ? d : downsampleDensityData(d, s);
      const p = { data: map.data, height: map.height, width: map.width };
      for (const l of levels) gameSums[l] += game(p, t, { level: l });
    }
    if (options.keepMaps) maps.push(map);
    options.onImage?.(++done, total);
  }
  const n = names.length;
  if (n === 0) throw new RangeError("evaluateCounter got no samples");
  const result: Evaluation = {
    names,
    predicted: Float64Array.from(predicted),
    truth: Float64Array.from(truth),
    metrics: countingMetrics(predicted, truth),
    game: Object.fromEntries(levels.map((l) => [l, gameSums[l] / n])),
  };
  if (options.keepMaps) result.maps = maps;
  return result;
}

function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a / gcd(a, b)) * b;
}
