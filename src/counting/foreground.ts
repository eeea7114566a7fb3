/**
 * The oracle foreground of a density map (thesis ch. 5, "Do not count on
 * the background"): 1 where the ground-truth density is non-zero, 0
 * elsewhere; the image masked by it is what a counter with perfect
 * background awareness sees.
 *
 * With the truncated kernels of `density.ts` the non-zero region is the
 * union of each point's square window of radius `ceil(truncate · σ)`; a
 * small positive `threshold` (e.g. a fraction of a kernel's peak) gives
 * rounder regions.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, describe } from "../core/checks.ts";
import { checkPlane, type DensityPlane } from "./plane.ts";

/** Options of {@linkcode oracleForeground}. */
export interface ForegroundOptions {
  /** A pixel is foreground when its density is `> threshold` (default 0). */
  threshold?: number;
}

/**
 * The oracle foreground of a plain density map.
 *
 * @param density The `height × width` density map.
 * @param options The threshold.
 * @returns A new 0/1 map of the same size.
 * @example
 * ```ts
 * import { oracleForegroundData } from "./foreground.ts";
 * const fg = oracleForegroundData({ data: Float32Array.of(0, 0.2, 1e-9, 0), height: 2, width: 2 });
 * if (fg.data.join() !== "0,1,1,0") throw new Error();
 * ```
 */
export function oracleForegroundData(
  density: DensityPlane,
  options: ForegroundOptions = {},
): DensityPlane {
  checkPlane(density, "density");
  const t = assertNumber(options.threshold ?? 0, "threshold", { min: 0 });
  const out = new Float32Array(density.data.length);
  for (let i = 0; i < out.length; i++) out[i] = density.data[i] > t ? 1 : 0;
  return { data: out, height: density.height, width: density.width };
}

/**
 * The oracle foreground of a density map tensor (any shape, e.g. `[H, W, 1]`
 * or `[N, H, W, 1]`).
 *
 * @param density The density map (not disposed).
 * @param options The threshold.
 * @returns A new float32 tensor of 0 and 1, the shape of `density`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { useBackend } from "../core/backend.ts";
 * import { oracleForeground } from "./foreground.ts";
 * await useBackend("cpu");
 * const d = tf.tensor3d([[[0], [0.5]]]);
 * const fg = oracleForeground(d);
 * if (fg.dataSync().join() !== "0,1") throw new Error();
 * tf.dispose([d, fg]);
 * ```
 */
export function oracleForeground<T extends tf.Tensor>(
  density: T,
  options: ForegroundOptions = {},
): T {
  if (!(density instanceof tf.Tensor)) {
    throw new TypeError(`density must be a tf.Tensor, got ${describe(density)}`);
  }
  const t = assertNumber(options.threshold ?? 0, "threshold", { min: 0 });
  return tf.tidy(() => tf.greater(density, t).toFloat() as T);
}
