/**
 * Segmentation maps from points (thesis eq. 4.2): a pixel is foreground (1)
 * when its centre lies within σ_P of at least one point P,
 * `(j − x_P)² + (i − y_P)² ≤ σ_P²`, background (0) elsewhere. σ_P comes from
 * the same kernels as the density map (`sigma.ts`), so that the focus from
 * segmentation and the density agree. One addition to eq. 4.2: the pixel
 * containing a point is always foreground, so that a point with σ < 0.5
 * lying between pixel centres still marks its object. Points outside the
 * image are handled as in `density.ts` (dropped by default).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type DensityOptions, pointsAndSigmas } from "./density.ts";
import type { DensityPlane } from "./plane.ts";
import type { PointsLike } from "./points.ts";
import { checkShape, positive } from "./sigma.ts";

/** Options of {@linkcode segmentationMap}: the σ options of a density map, and a radius scale. */
export interface SegmentationOptions extends Omit<DensityOptions, "truncate"> {
  /** Disc radius in σ (default 1, eq. 4.2). */
  radiusScale?: number;
}

/** What {@linkcode segmentationMapData} returns. */
export interface SegmentationMapData extends DensityPlane {
  /** σ of each point used, in the order of `indices`. */
  sigmas: Float32Array;
  /** Indices (into the given points) of the points inside the image. */
  indices: Int32Array;
}

/**
 * The binary segmentation map of points as a plain array (1 = foreground).
 *
 * @param points `{x, y, sizes?, boxes?}` or `[[x, y], ...]`.
 * @param shape `[height, width]` of the image.
 * @param options Kernel (as for the density map) and radius scale.
 * @returns The `height × width` 0/1 map and the σ it used.
 * @example
 * ```ts
 * import { segmentationMapData } from "./segmentation.ts";
 * const s = segmentationMapData([[4, 4]], [9, 9], { kernel: "fixed", sigma: 1 });
 * // the centre and its 4 neighbours at distance 1
 * if (s.data.reduce((a, b) => a + b, 0) !== 5) throw new Error();
 * ```
 */
export function segmentationMapData(
  points: PointsLike,
  shape: readonly [number, number],
  options: SegmentationOptions = {},
): SegmentationMapData {
  const [height, width] = checkShape(shape);
  const scale = positive(options.radiusScale ?? 1, "radiusScale");
  const { kept, indices, sigmas } = pointsAndSigmas(points, [height, width], options);
  const data = new Float32Array(height * width);
  for (let i = 0; i < kept.x.length; i++) {
    const x = kept.x[i], y = kept.y[i];
    const rho = scale * sigmas[i], rho2 = rho * rho;
    const x0 = Math.max(0, Math.ceil(x - rho)), x1 = Math.min(width - 1, Math.floor(x + rho));
    const y0 = Math.max(0, Math.ceil(y - rho)), y1 = Math.min(height - 1, Math.floor(y + rho));
    for (let row = y0; row <= y1; row++) {
      const dy2 = (row - y) * (row - y);
      for (let col = x0; col <= x1; col++) {
        if ((col - x) * (col - x) + dy2 <= rho2) data[row * width + col] = 1;
      }
    }
    data[Math.floor(y + 0.5) * width + Math.floor(x + 0.5)] = 1;
  }
  return { data, height, width, sigmas, indices };
}

/**
 * The binary segmentation map of points (eq. 4.2), `[height, width, 1]`.
 *
 * @param points `{x, y, sizes?, boxes?}` or `[[x, y], ...]`.
 * @param shape `[height, width]` of the image.
 * @param options Kernel (as for the density map) and radius scale.
 * @returns A new `[H, W, 1]` float32 tensor of 0 and 1.
 * @example
 * ```ts
 * import { useBackend } from "../core/backend.ts";
 * import { segmentationMap } from "./segmentation.ts";
 * await useBackend("cpu");
 * const s = segmentationMap([[4, 4], [1, 1]], [9, 9], { kernel: "nonuniform" });
 * if (s.shape.join() !== "9,9,1") throw new Error();
 * s.dispose();
 * ```
 */
export function segmentationMap(
  points: PointsLike,
  shape: readonly [number, number],
  options: SegmentationOptions = {},
): tf.Tensor3D {
  const s = segmentationMapData(points, shape, options);
  return tf.tensor3d(s.data, [s.height, s.width, 1], "float32");
}
