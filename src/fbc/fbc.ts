/**
 * Frequency-band correspondence (FBC, eq. 2.1 of the thesis): how far the
 * spectrum of the network output `f(θ_t)` has caught up with the spectrum of
 * the image it fits, `y0`, in each of N frequency bands.
 *
 * `H = |F(output)| / (|F(target)| + 1e-8)`, clipped to [0, 1], on the centred
 * spectra of the gray images, then averaged over each ring of
 * {@linkcode ringBands} (lowest frequency first). Where the thesis is silent
 * this follows the author's published measure (`get_circular_statastic`):
 * gray by 0.2989/0.5870/0.1140, the 1e-8 guard, the clip, rings relative to
 * half the width, corners outside the inscribed circle left out. A target bin
 * with |F| = 0 gives 0 unless the output has energy there (then 1).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertImage, assertNumber, formatShape } from "../core/checks.ts";
import type { Callback, StepContext } from "../core/optimize.ts";
import { type RingBands, ringBands } from "./bands.ts";
import { magnitudeSpectrumArray } from "./fft.ts";
import { readGray } from "./gray.ts";

/** The guard added to the target's magnitude, as in the author's code. */
export const FBC_GUARD = 1e-8;

/** Options of {@linkcode frequencyBandCorrespondence} and {@linkcode FbcMeter}. */
export interface FbcOptions {
  /** Number of frequency bands N, an integer >= 1 (default 5, as in the thesis). */
  bands?: number;
}

/** Options of one measurement. */
export interface FbcMeasureOptions {
  /** Also return the 2-D correspondence map H (default `true`; `false` is faster in training loops). */
  map?: boolean;
}

/** The correspondence of one output. */
export interface FbcResult {
  /** Mean correspondence per band, lowest frequency first, each in [0, 1]. */
  bands: number[];
}

/** The correspondence of one output, with its map. */
export interface FbcResultWithMap extends FbcResult {
  /** The centred correspondence map H, `[H, W]` float32 in [0, 1]; the caller disposes it. */
  map: tf.Tensor2D;
}

/**
 * Measures the FBC of many outputs against one target, computing the
 * target's spectrum and the ring masks once (for use every k steps of a fit).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { FbcMeter } from "./fbc.ts";
 * await tf.setBackend("cpu");
 * const target = tf.randomUniform([16, 16, 1], 0, 1, "float32", 1) as tf.Tensor3D;
 * const meter = await FbcMeter.create(target, { bands: 4 });
 * const { bands } = await meter.measure(target, { map: false });
 * console.log(bands.map((b) => b.toFixed(3))); // ["1.000", "1.000", "1.000", "1.000"]
 * target.dispose();
 * ```
 */
export class FbcMeter {
  /** Shape of the target (and of every output). */
  readonly shape: readonly [number, number, number];
  /** Number of bands. */
  readonly bands: number;
  readonly #denominator: Float64Array;
  readonly #rings: RingBands;

  private constructor(
    shape: [number, number, number],
    denominator: Float64Array,
    rings: RingBands,
  ) {
    this.shape = shape;
    this.bands = rings.bands;
    this.#denominator = denominator;
    this.#rings = rings;
  }

  /**
   * Prepares the measurement against `target`.
   *
   * @param target The image the network fits (y0 of eq. 2.1), HWC with 1 or 3 channels.
   * @param options See {@linkcode FbcOptions}.
   * @returns The meter.
   */
  static async create(target: tf.Tensor3D, options: FbcOptions = {}): Promise<FbcMeter> {
    assertImage(target, "target");
    const bands = assertNumber(options.bands ?? 5, "bands", { min: 1, integer: true });
    const [h, w, c] = target.shape;
    const rings = ringBands(h, w, bands);
    const mag = magnitudeSpectrumArray(await readGray(target, "target"));
    for (let i = 0; i < mag.length; i++) mag[i] += FBC_GUARD;
    return new FbcMeter([h, w, c], mag, rings);
  }

  /**
   * The correspondence of `output` with the target.
   *
   * @param output The network output, of the target's shape.
   * @param options See {@linkcode FbcMeasureOptions}.
   * @returns The per-band means and, unless `map: false`, the map.
   */
  measure(output: tf.Tensor3D, options?: { map?: true }): Promise<FbcResultWithMap>;
  /**
   * The per-band correspondence of `output` with the target, without the map.
   *
   * @param output The network output, of the target's shape.
   * @param options `{ map: false }`.
   * @returns The per-band means.
   */
  measure(output: tf.Tensor3D, options: { map: false }): Promise<FbcResult>;
  /**
   * The correspondence of `output` with the target.
   *
   * @param output The network output, of the target's shape.
   * @param options See {@linkcode FbcMeasureOptions}.
   * @returns The per-band means and, unless `map: false`, the map.
   */
  measure(output: tf.Tensor3D, options?: FbcMeasureOptions): Promise<FbcResult | FbcResultWithMap>;
  async measure(
    output: tf.Tensor3D,
    options: FbcMeasureOptions = {},
  ): Promise<FbcResult | FbcResultWithMap> {
    assertImage(output, "output");
    if (!tf.util.arraysEqual(output.shape, [...this.shape])) {
      throw new RangeError(
        `output must have the shape of target: expected ${formatShape(this.shape)}, got ${
          formatShape(output.shape)
        }`,
      );
    }
    const wantMap = options.map ?? true;
    const mag = magnitudeSpectrumArray(await readGray(output, "output"));
    const den = this.#denominator, { label, counts } = this.#rings;
    const sums = new Float64Array(this.bands);
    const map = wantMap ? new Float32Array(mag.length) : null;
    for (let i = 0; i < mag.length; i++) {
      let r = mag[i] / den[i];
      if (r > 1) r = 1;
      if (map) map[i] = r;
      const b = label[i];
      if (b >= 0) sums[b] += r;
    }
    const bands = Array.from(sums, (s, b) => s / counts[b]);
    if (!map) return { bands };
    return { bands, map: tf.tensor2d(map, [this.shape[0], this.shape[1]]) };
  }
}

/**
 * Frequency-band correspondence of `output` with `target` (eq. 2.1): the
 * ring means of `|F(output)| / (|F(target)| + 1e-8)` clipped to [0, 1].
 *
 * @param output The network output f(θ_t), HWC with 1 or 3 channels, values in [0, 1].
 * @param target The image the network fits (y0, the degraded image), same shape.
 * @param options Number of bands and whether to return the map.
 * @returns `bands` (lowest frequency first) and the `map` (the caller disposes it).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { frequencyBandCorrespondence } from "./fbc.ts";
 * await tf.setBackend("cpu");
 * const target = tf.randomUniform([16, 16, 1], 0, 1, "float32", 2) as tf.Tensor3D;
 * const output = target.mul(0.5) as tf.Tensor3D;
 * const { bands, map } = await frequencyBandCorrespondence(output, target, { bands: 3 });
 * console.log(bands.map((b) => b.toFixed(2)), map.shape); // ["0.50", "0.50", "0.50"] [16, 16]
 * map.dispose();
 * ```
 */
export function frequencyBandCorrespondence(
  output: tf.Tensor3D,
  target: tf.Tensor3D,
  options?: FbcOptions & { map?: true },
): Promise<FbcResultWithMap>;
/**
 * Frequency-band correspondence of `output` with `target` (eq. 2.1), without the map.
 *
 * @param output The network output f(θ_t), HWC with 1 or 3 channels.
 * @param target The image the network fits (y0), same shape.
 * @param options Number of bands, and `map: false`.
 * @returns The per-band means, lowest frequency first.
 */
export function frequencyBandCorrespondence(
  output: tf.Tensor3D,
  target: tf.Tensor3D,
  options: FbcOptions & { map: false },
): Promise<FbcResult>;
/**
 * Frequency-band correspondence of `output` with `target` (eq. 2.1).
 *
 * @param output The network output f(θ_t), HWC with 1 or 3 channels.
 * @param target The image the network fits (y0), same shape.
 * @param options Number of bands and whether to return the map.
 * @returns The per-band means and, unless `map: false`, the map.
 */
export function frequencyBandCorrespondence(
  output: tf.Tensor3D,
  target: tf.Tensor3D,
  options?: FbcOptions & FbcMeasureOptions,
): Promise<FbcResult | FbcResultWithMap>;
export async function frequencyBandCorrespondence(
  output: tf.Tensor3D,
  target: tf.Tensor3D,
  options: FbcOptions & FbcMeasureOptions = {},
): Promise<FbcResult | FbcResultWithMap> {
  assertImage(output, "output");
  assertImage(target, "target");
  if (!tf.util.arraysEqual(output.shape, target.shape)) {
    throw new RangeError(
      `output must have the shape of target: expected ${formatShape(target.shape)}, got ${
        formatShape(output.shape)
      }`,
    );
  }
  const meter = await FbcMeter.create(target, options);
  return meter.measure(output, { map: options.map ?? true });
}

/** Options of {@linkcode fbcCallback}. */
export interface FbcCallbackOptions extends FbcOptions {
  /** The current output; read, never disposed, by the callback. */
  output: (ctx: StepContext) => tf.Tensor3D | Promise<tf.Tensor3D>;
  /** The image the network fits (y0); read once at the start. */
  target: tf.Tensor3D;
  /** Measure every `every` steps (default 10). */
  every?: number;
  /** History keys are `${prefix}0` (lowest band) .. `${prefix}${N - 1}` (default `"band"`). */
  prefix?: string;
}

/**
 * A loop callback recording the FBC bands of the current output in the run's
 * history every `every` steps (keys `band0` .. `band4` by default).
 *
 * @param options The output getter, the target, and how often.
 * @returns A {@linkcode Callback} for `optimize`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { optimize } from "../core/optimize.ts";
 * import { fbcCallback } from "./fbc.ts";
 * await tf.setBackend("cpu");
 * const target = tf.randomUniform([8, 8, 1], 0, 1, "float32", 3) as tf.Tensor3D;
 * const x = tf.variable(tf.zeros([8, 8, 1]), true, "x");
 * const result = await optimize({
 *   steps: 20,
 *   variables: { x },
 *   loss: () => tf.losses.meanSquaredError(target, x as tf.Tensor3D) as tf.Scalar,
 *   optimizer: { kind: "adam", lr: 0.05 },
 *   callbacks: [fbcCallback({ output: () => x as tf.Tensor3D, target, bands: 2 })],
 * });
 * console.log(result.history.series("band0").x); // [10, 20]
 * x.dispose();
 * target.dispose();
 * ```
 */
export function fbcCallback(options: FbcCallbackOptions): Callback {
  if (typeof options.output !== "function") {
    throw new TypeError(`options.output must be a function returning the current output`);
  }
  assertImage(options.target, "options.target");
  const every = assertNumber(options.every ?? 10, "options.every", { min: 1, integer: true });
  const bands = assertNumber(options.bands ?? 5, "options.bands", { min: 1, integer: true });
  const prefix = options.prefix ?? "band";
  let meter: FbcMeter | null = null;
  return {
    every,
    async onStart() {
      meter ??= await FbcMeter.create(options.target, { bands });
    },
    async onStep(ctx) {
      meter ??= await FbcMeter.create(options.target, { bands });
      const result = await meter.measure(await options.output(ctx), { map: false });
      const values: Record<string, number> = {};
      result.bands.forEach((b, i) => values[`${prefix}${i}`] = b);
      ctx.history.add(ctx.step, values);
    },
  };
}
