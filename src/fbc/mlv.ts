/**
 * The maximum-local-variation (MLV) sharpness of Bahrami & Kot (2014), "A fast
 * approach for no-reference image sharpness assessment based on maximum local
 * variation" (ref. [11] of the thesis).
 *
 * The MLV of a pixel is the largest variation of intensity towards its 8
 * neighbours, `max |I(i,j) − I(x,y)|` (the paper's definition; computed on the
 * pixels that have all 8 neighbours, so the map is `(H−2)×(W−2)`). The
 * sharpness is the standard deviation of the weighted MLV distribution as the
 * paper authors' released code computes it (and the thesis author's code after
 * it): sort the MLVs in decreasing order, weight the k-th largest by
 * `exp(−0.01 k)` so that the large variations dominate, keep the 1,000 largest
 * and take `σ = sqrt(mean(v²))` (the zero-mean generalised-Gaussian scale).
 *
 * The released code's map takes the signed `max(I(x,y) − I(i,j))` instead of
 * the absolute variation (an edge then counts on its dark side only) and
 * fills neighbours outside the interior with zeros; `variation: "signed"`
 * gives the signed variant with true neighbours.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertImage, assertNumber, assertOneOf } from "../core/checks.ts";
import { type GrayArray, readGray } from "./gray.ts";

/** How the variation towards a neighbour is measured. */
export type MlvVariation = "absolute" | "signed";

/** Options of {@linkcode mlvMap}. */
export interface MlvMapOptions {
  /** `"absolute"`: max |centre − neighbour| (the paper, default); `"signed"`: max (neighbour − centre) (the released code). */
  variation?: MlvVariation;
}

/** Options of {@linkcode mlvSharpness}. */
export interface MlvSharpnessOptions extends MlvMapOptions {
  /** Number of largest MLVs kept, T (default 1000, as the released code). */
  top?: number;
  /** Rate of the exponential rank weights `exp(−decay·k)` (default 0.01, as the released code). */
  decay?: number;
}

/**
 * The MLV map of a gray array.
 *
 * @param gray The image, at least 3×3.
 * @param variation How the variation is measured.
 * @returns The `(H−2)×(W−2)` map, row-major.
 */
export function mlvMapArray(gray: GrayArray, variation: MlvVariation = "absolute"): Float64Array {
  const { data, height: h, width: w } = gray;
  if (h < 3 || w < 3) {
    throw new RangeError(`image must be at least 3x3 for the MLV map, got ${h}x${w}`);
  }
  const mw = w - 2;
  const out = new Float64Array((h - 2) * mw);
  const signed = variation === "signed";
  const offsets = Int32Array.of(-w - 1, -w, -w + 1, -1, 1, w - 1, w, w + 1);
  for (let y = 1; y < h - 1; y++) {
    const o = (y - 1) * mw - 1;
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x, c = data[i];
      let hi = -Infinity, lo = Infinity; // largest and smallest neighbour
      for (let k = 0; k < 8; k++) {
        const v = data[i + offsets[k]];
        if (v > hi) hi = v;
        if (v < lo) lo = v;
      }
      // max(neighbour - centre), or max |neighbour - centre| = max(hi - c, c - lo).
      out[o + x] = signed || hi - c >= c - lo ? hi - c : c - lo;
    }
  }
  return out;
}

/**
 * Rearranges `a` so that its `k` largest values occupy `a[n-k .. n)` (in any
 * order): Hoare-partition quickselect, median-of-three pivots.
 */
function selectTop(a: Float64Array, k: number): void {
  const target = a.length - k;
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    const x = a[lo], y = a[mid], z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return;
  }
}

/**
 * The weighted-MLV standard deviation of an MLV map.
 *
 * @param map MLV values.
 * @param top Number of largest values kept.
 * @param decay Rate of the rank weights.
 * @returns The sharpness (NaN if the map holds NaN).
 */
export function weightedMlvSigma(map: Float64Array, top = 1000, decay = 0.01): number {
  const n = map.length;
  if (n === 0) return NaN;
  for (let i = 0; i < n; i++) if (Number.isNaN(map[i])) return NaN;
  const k = Math.min(top, n);
  const values = Float64Array.from(map);
  selectTop(values, k);
  const sorted = values.subarray(n - k).sort(); // the k largest, ascending
  let s = 0;
  for (let r = 1; r <= k; r++) {
    const v = sorted[k - r] * Math.exp(-decay * r);
    s += v * v;
  }
  return Math.sqrt(s / k);
}

/**
 * The MLV map of an image: per interior pixel, the largest intensity
 * variation towards its 8 neighbours. RGB images are converted to gray with
 * the author's weights (see `gray.ts`).
 *
 * @param image An HWC image with 1 or 3 channels, at least 3×3.
 * @param options See {@linkcode MlvMapOptions}.
 * @returns A `[H−2, W−2]` float32 tensor the caller owns.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mlvMap } from "./mlv.ts";
 * await tf.setBackend("cpu");
 * const step = tf.tensor3d([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1], [3, 4, 1]);
 * const m = await mlvMap(step);
 * console.log(m.arraySync()); // [[1, 1]]: both sides of the edge vary by 1
 * m.dispose();
 * ```
 */
export async function mlvMap(
  image: tf.Tensor3D,
  options: MlvMapOptions = {},
): Promise<tf.Tensor2D> {
  assertImage(image, "image");
  const variation = assertOneOf(
    options.variation ?? "absolute",
    ["absolute", "signed"],
    "variation",
  );
  const gray = await readGray(image, "image");
  const map = mlvMapArray(gray, variation);
  return tf.tensor2d(Float32Array.from(map), [gray.height - 2, gray.width - 2]);
}

/**
 * Bahrami & Kot's MLV sharpness: the standard deviation of the rank-weighted
 * maximum local variations (see the module documentation). Larger is sharper;
 * 0 for a constant image. RGB images are converted to gray with the author's
 * weights (see `gray.ts`).
 *
 * @param image An HWC image with 1 or 3 channels, at least 3×3, values in [0, 1].
 * @param options See {@linkcode MlvSharpnessOptions}.
 * @returns The sharpness, >= 0.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mlvSharpness } from "./mlv.ts";
 * await tf.setBackend("cpu");
 * const noise = tf.randomUniform([32, 32, 1], 0, 1, "float32", 5) as tf.Tensor3D;
 * const blurry = tf.avgPool(noise, 5, 1, "same") as tf.Tensor3D;
 * console.log(await mlvSharpness(noise) > await mlvSharpness(blurry)); // true
 * noise.dispose();
 * blurry.dispose();
 * ```
 */
export async function mlvSharpness(
  image: tf.Tensor3D,
  options: MlvSharpnessOptions = {},
): Promise<number> {
  assertImage(image, "image");
  const variation = assertOneOf(
    options.variation ?? "absolute",
    ["absolute", "signed"],
    "variation",
  );
  const top = assertNumber(options.top ?? 1000, "top", { min: 1, integer: true });
  const decay = assertNumber(options.decay ?? 0.01, "decay", { min: 0 });
  const gray = await readGray(image, "image");
  return weightedMlvSigma(mlvMapArray(gray, variation), top, decay);
}
