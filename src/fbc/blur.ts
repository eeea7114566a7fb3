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
 * row-major gray array.
 */
function uniformFilter1d(g: GrayArray, size: number, axis: 0 | 1): Float64Array {
  const { data, height: h, width: w } = g;
  const out = new Float64Array(h * w);
  const n = axis === 0 ? h : w, lines = axis === 0 ? w : h;
  const stride = axis === 0 ? w : 1, lineStride = axis === 0 ? 1 : w;
  const left = size >> 1;
  const index = new Int32Array(n + size - 1);
  for (let j = 0; j < index.length; j++) index[j] = reflect(j - left, n) * stride;
  for (let l = 0; l < lines; l++) {
    const base = l * lineStride;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < size; k++) s += data[base + index[i + k]];
      out[base + i * stride] = s / size;
    }
  }
  return out;
}

/**
 * Absolute Sobel response along `axis` (difference along it, [1, 2, 1]
 * smoothing across), at an interior pixel; the scale and sign do not matter to
 * the metric's ratio.
 */
function sobelAbs(x: Float64Array, w: number, y: number, c: number, axis: 0 | 1): number {
  let v: number;
  if (axis === 0) {
    const up = (y - 1) * w, down = (y + 1) * w;
    v = (x[down + c - 1] - x[up + c - 1]) + 2 * (x[down + c] - x[up + c]) +
      (x[down + c + 1] - x[up + c + 1]);
  } else {
    const a = (y - 1) * w + c, b = y * w + c, d = (y + 1) * w + c;
    v = (x[a + 1] - x[a - 1]) + 2 * (x[b + 1] - x[b - 1]) + (x[d + 1] - x[d - 1]);
  }
  return Math.abs(v) / 4;
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
    const blurred = uniformFilter1d(gray, hSize, axis);
    let m1 = 0, m2 = 0;
    for (let y = 2; y < h - 1; y++) {
      for (let x = 2; x < w - 1; x++) {
        const sharp = Math.max(EPSILON, sobelAbs(data, w, y, x, axis));
        const blur = Math.max(EPSILON, sobelAbs(blurred, w, y, x, axis));
        m1 += sharp;
        if (sharp > blur) m2 += sharp - blur;
      }
    }
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
