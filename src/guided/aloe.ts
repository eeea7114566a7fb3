/**
 * The real test pair: Middlebury "Aloe" (left view and ground-truth
 * disparity, `data/aloe_left.jpg`, `data/aloe_disparity.png`). Disparity 0
 * marks unknown values (occlusions); they are masked out of every metric.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import { Rng } from "../core/rng.ts";
import { readImage } from "../io/read.ts";
import { resize } from "../io/resize.ts";
import { type GuidedSample, type GuidedTask, makeSample } from "./tasks.ts";

/** The loaded pair. */
export interface AloePair {
  /** Left colour view `[H, W, 3]` in [0, 1]. */
  rgb: tf.Tensor3D;
  /** Disparity / 255 `[H, W, 1]`, 0 where unknown. */
  disparity: tf.Tensor3D;
  /** Disparity with the unknown pixels filled from their background neighbours. */
  filled: tf.Tensor3D;
  /** 1 where the disparity is known, `[H, W, 1]`. */
  mask: tf.Tensor3D;
}

/** Disparity values are stored ×1 in 8 bits: RMSE is reported on this 0–255 scale. */
export const ALOE_DISPARITY_SCALE = 255;

/**
 * Fills unknown (0) disparities along each row with the smaller of the
 * nearest known values to the left and right: occlusions belong to the
 * farther surface, which has the smaller disparity.
 *
 * @param values Disparities, row-major `[H, W]`.
 * @param h Rows.
 * @param w Columns.
 * @returns A filled copy.
 */
export function fillInvalid(values: ArrayLike<number>, h: number, w: number): Float32Array {
  const out = Float32Array.from(values);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const left = new Float32Array(w), right = new Float32Array(w);
    let last = 0;
    for (let x = 0; x < w; x++) left[x] = last = out[row + x] > 0 ? out[row + x] : last;
    last = 0;
    for (let x = w - 1; x >= 0; x--) right[x] = last = out[row + x] > 0 ? out[row + x] : last;
    for (let x = 0; x < w; x++) {
      if (out[row + x] > 0) continue;
      const l = left[x], r = right[x];
      out[row + x] = l > 0 && r > 0 ? Math.min(l, r) : Math.max(l, r);
    }
  }
  return out;
}

/**
 * Reads the Aloe pair, optionally reduced by an integer factor (colour by
 * Pillow-style bicubic resampling, disparity by nearest sampling so that no
 * unknown value is averaged in; disparities are also divided by the factor).
 *
 * @param options `reduce` factor (default 1) and `dataDir` (default the repository's `data/`).
 * @returns New tensors the caller disposes.
 */
export async function loadAloe(
  options: { reduce?: number; dataDir?: string | URL } = {},
): Promise<AloePair> {
  const reduce = assertNumber(options.reduce ?? 1, "reduce", { min: 1, integer: true });
  const dir = options.dataDir ?? new URL("../../data/", import.meta.url);
  const at = (name: string) => (dir instanceof URL ? new URL(name, dir) : `${dir}/${name}`);
  let rgb = await readImage(at("aloe_left.jpg"), { channels: 3 });
  let disparity = await readImage(at("aloe_disparity.png"), { channels: 1 });
  if (reduce > 1) {
    const size: [number, number] = [
      Math.floor(rgb.shape[0] / reduce),
      Math.floor(rgb.shape[1] / reduce),
    ];
    const [r, d] = [rgb, disparity];
    rgb = resize(r, size);
    disparity = tf.tidy(() =>
      tf.div(resize(d, size, { method: "nearest" }), reduce)
    ) as tf.Tensor3D;
    tf.dispose([r, d]);
  }
  const [h, w] = disparity.shape;
  const filled = tf.tensor3d(fillInvalid(await disparity.data(), h, w), [h, w, 1]);
  const mask = tf.tidy(() => tf.cast(tf.greater(disparity, 0), "float32")) as tf.Tensor3D;
  return { rgb, disparity, filled, mask };
}

/**
 * A depth task's test sample on the Aloe pair: the input is made from the
 * filled disparity, the truth is the raw disparity and the mask its known
 * pixels.
 *
 * @param pair The loaded pair.
 * @param task A depth task (upsampling or denoising).
 * @param seed Seed of the noise.
 * @returns New tensors the caller disposes.
 */
export function aloeSample(pair: AloePair, task: GuidedTask, seed = 0): GuidedSample {
  if (task.kind !== "depth-upsampling" && task.kind !== "depth-denoising") {
    throw new RangeError(`aloeSample needs a depth task, got "${task.kind}"`);
  }
  const s = makeSample(task, { rgb: pair.rgb, depth: pair.filled }, new Rng(seed));
  s.truth.dispose();
  return { ...s, truth: pair.disparity.clone(), mask: pair.mask.clone() };
}
