/**
 * Downsampling a density map by sum-pooling, for networks whose output is
 * 1/2, 1/4 or 1/8 of the input: each output pixel is the sum of a
 * `factor × factor` block, so the count is kept exactly (to float32
 * rounding). Sizes not divisible by the factor are padded with zeros at the
 * bottom and right: the output is `ceil(H / factor) × ceil(W / factor)` and
 * nothing is dropped.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, describe, formatShape } from "../core/checks.ts";
import { checkPlane, type DensityPlane } from "./plane.ts";

/**
 * Sum-pools a plain density map.
 *
 * @param density The `height × width` map.
 * @param factor Block size, an integer ≥ 1 (typically 2, 4 or 8).
 * @returns A new `ceil(H / factor) × ceil(W / factor)` map with the same sum.
 * @example
 * ```ts
 * import { downsampleDensityData } from "./downsample.ts";
 * const d = { data: new Float32Array(15).fill(1), height: 3, width: 5 };
 * const small = downsampleDensityData(d, 2);
 * // 2 x 3 blocks; the last row and column are padded with zeros.
 * if (small.width !== 3 || small.data[0] !== 4 || small.data[5] !== 1) throw new Error();
 * ```
 */
export function downsampleDensityData(density: DensityPlane, factor: number): DensityPlane {
  checkPlane(density, "density");
  const f = assertNumber(factor, "factor", { min: 1, integer: true });
  const { data, height, width } = density;
  const oh = Math.ceil(height / f), ow = Math.ceil(width / f);
  // Accumulate in float64, then round once.
  const acc = new Float64Array(oh * ow);
  for (let i = 0; i < height; i++) {
    const orow = Math.floor(i / f) * ow;
    const row = i * width;
    for (let j = 0; j < width; j++) acc[orow + Math.floor(j / f)] += data[row + j];
  }
  return { data: Float32Array.from(acc), height: oh, width: ow };
}

/**
 * Sum-pools a density map tensor, `[H, W, C]` or `[N, H, W, C]`.
 *
 * @param density The map (not disposed).
 * @param factor Block size, an integer ≥ 1 (typically 2, 4 or 8).
 * @returns A new tensor of the same rank, `ceil(H / factor) × ceil(W / factor)`, same sum.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { useBackend } from "../core/backend.ts";
 * import { downsampleDensity } from "./downsample.ts";
 * await useBackend("cpu");
 * const d = tf.ones([5, 6, 1]) as tf.Tensor3D;
 * const small = downsampleDensity(d, 4);
 * if (small.shape.join() !== "2,2,1") throw new Error(`${small.shape}`);
 * tf.dispose([d, small]);
 * ```
 */
export function downsampleDensity<T extends tf.Tensor3D | tf.Tensor4D>(
  density: T,
  factor: number,
): T {
  if (!(density instanceof tf.Tensor) || (density.rank !== 3 && density.rank !== 4)) {
    throw new TypeError(
      `density must be an [H, W, C] or [N, H, W, C] tensor, got ${
        density instanceof tf.Tensor ? `shape ${formatShape(density.shape)}` : describe(density)
      }`,
    );
  }
  const f = assertNumber(factor, "factor", { min: 1, integer: true });
  return tf.tidy(() => {
    const x = (density.rank === 3 ? density.expandDims(0) : density) as tf.Tensor4D;
    const [n, h, w, c] = x.shape;
    const oh = Math.ceil(h / f), ow = Math.ceil(w / f);
    const padded = oh * f === h && ow * f === w
      ? x
      : tf.pad(x, [[0, 0], [0, oh * f - h], [0, ow * f - w], [0, 0]]);
    const pooled = padded.reshape([n, oh, f, ow, f, c]).sum([2, 4]);
    return (density.rank === 3 ? pooled.reshape([oh, ow, c]) : pooled) as T;
  });
}
