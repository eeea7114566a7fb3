/**
 * The no-reference perceptual blur metric of Crete et al. (2007), "The blur
 * effect: perception and estimation with a new no-reference perceptual blur
 * metric" (ref. [31] of the thesis), computed as scikit-image's
 * `skimage.measure.blur_effect` does: re-blur the image with an `h`-tap
 * average along one axis, compare the absolute Sobel responses along that axis
 * before (`S`) and after (`S_b`) over the interior `[2, n-1)`, and take
 * `B = (ΣS − Σmax(0, S − S_b)) / ΣS`; the metric is the larger of the two axes'
 * values. 0 is sharp, 1 is maximally blurred. Sobel responses are floored at
 * 2^-52 as in scikit-image, so a constant image (no variation to lose) scores
 * exactly 1.
 *
 * The thesis author's own code used a port of the original MATLAB metric
 * (9-tap average, [1, −1] differences); this module follows scikit-image, the
 * independent tool the tests compare against (`testdata/fbc_reference.json`).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { assertImage, assertNumber } from "../core/checks.ts";
import { type GrayArray, readGray } from "./gray.ts";

/** numpy's `np.spacing(1)`, the floor scikit-image puts under the Sobel responses. */
const EPSILON = 2 ** -52;

/** Options of {@linkcode blurMetric}. */
export interface BlurMetricOptions {
  /** Length of the re-blurring average, an integer >= 1 (default 11, scikit-image's `h_size`). */
  hSize?: number;
}

/** scipy's "reflect" boundary (`d c b a | a b c d | d c b a`) for any offset. */
function reflect(i: number, n: number): number {
  const period = 2 * n;
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - 1 - i;
}

/**
 * `scipy.ndimage.uniform_filter1d(x, size, axis, mode="reflect")` on a
 * row-major gray array, by running sums (whole rows at a time for axis 0).
 */
function uniformFilter1d(g: GrayArray, size: number, axis: 0 | 1): Float64Array {
  const { data, height: h, width: w } = g;
  const out = new Float64Array(h * w);
  const left = size >> 1;
  if (axis === 1) {
    for (let y = 0; y < h; y++) {
      const row = y * w;
      let s = 0;
      for (let k = 0; k < size; k++) s += data[row + reflect(k - left, w)];
      out[row] = s / size;
      for (let x = 1; x < w; x++) {
        s += data[row + reflect(x - left + size - 1, w)] - data[row + reflect(x - left - 1, w)];
        out[row + x] = s / size;
      }
    }
  } else {
    const s = new Float64Array(w);
    for (let k = 0; k < size; k++) {
      const row = reflect(k - left, h) * w;
      for (let x = 0; x < w; x++) s[x] += data[row + x];
    }
    for (let x = 0; x < w; x++) out[x] = s[x] / size;
    for (let y = 1; y < h; y++) {
      const add = reflect(y - left + size - 1, h) * w, drop = reflect(y - left - 1, h) * w;
      for (let x = 0; x < w; x++) {
        s[x] += data[add + x] - data[drop + x];
        out[y * w + x] = s[x] / size;
      }
    }
  }
  return out;
}

/**
 * Sums of the absolute Sobel responses along `axis` over the interior
 * `[2, n-1)²` of `x` and of `blurred`: M1 = Σ S, M2 = Σ max(0, S − S_b), each
 * response floored at 2^-52 as scikit-image does. Responses are the
 * difference along the axis smoothed by [1, 2, 1] / 4 across it.
 */
function sobelSums(x: Float64Array, blurred: Float64Array, h: number, w: number, axis: 0 | 1) {
  // Along axis 0 the difference is between rows y+1 and y-1 at columns c-1, c, c+1;
  // along axis 1 between columns c+1 and c-1 at rows y-1, y, y+1.
  const dPlus = axis === 0 ? w : 1, across = axis === 0 ? 1 : w;
  let m1 = 0, m2 = 0;
  for (let y = 2; y < h - 1; y++) {
    for (let c = 2; c < w - 1; c++) {
      const i = y * w + c;
      const a = i - across, b = i + across;
      const s = Math.max(
        EPSILON,
        Math.abs(
          (x[a + dPlus] - x[a - dPlus]) + 2 * (x[i + dPlus] - x[i - dPlus]) +
            (x[b + dPlus] - x[b - dPlus]),
        ) / 4,
      );
      const sb = Math.max(
        EPSILON,
        Math.abs(
          (blurred[a + dPlus] - blurred[a - dPlus]) +
            2 * (blurred[i + dPlus] - blurred[i - dPlus]) +
            (blurred[b + dPlus] - blurred[b - dPlus]),
        ) / 4,
      );
      m1 += s;
      if (s > sb) m2 += s - sb;
    }
  }
  return { m1, m2 };
}

/**
 * The blur effect of a gray array (see the module documentation).
 *
 * @param gray The image, at least 4×4.
 * @param hSize Length of the re-blurring average.
 * @returns The blur metric in [0, 1].
 */
export function blurEffectArray(gray: GrayArray, hSize = 11): number {
  const { data, height: h, width: w } = gray;
  if (h < 4 || w < 4) {
    throw new RangeError(`image must be at least 4x4 for the blur metric, got ${h}x${w}`);
  }
  let worst = -Infinity;
  for (const axis of [0, 1] as const) {
    const { m1, m2 } = sobelSums(data, uniformFilter1d(gray, hSize, axis), h, w, axis);
    worst = Math.max(worst, Math.abs(m1 - m2) / m1);
  }
  return worst;
}

/**
 * Crete et al.'s no-reference blur metric (as `skimage.measure.blur_effect`,
 * `h_size = 11`): 0 for a sharp image, towards 1 for a blurred one, exactly 1
 * for a constant image. RGB images are converted to gray with the author's
 * weights (see `gray.ts`).
 *
 * @param image An HWC image with 1 or 3 channels, at least 4×4.
 * @param options See {@linkcode BlurMetricOptions}.
 * @returns The blur metric in [0, 1].
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { blurMetric } from "./blur.ts";
 * await tf.setBackend("cpu");
 * const noise = tf.randomUniform([32, 32, 1], 0, 1, "float32", 4) as tf.Tensor3D;
 * const blurry = tf.avgPool(noise, 5, 1, "same") as tf.Tensor3D;
 * console.log(await blurMetric(noise) < await blurMetric(blurry)); // true
 * noise.dispose();
 * blurry.dispose();
 * ```
 */
export async function blurMetric(
  image: tf.Tensor3D,
  options: BlurMetricOptions = {},
): Promise<number> {
  assertImage(image, "image");
  const hSize = assertNumber(options.hSize ?? 11, "hSize", { min: 1, integer: true });
  const gray = await readGray(image, "image");
  return blurEffectArray(gray, hSize);
}
