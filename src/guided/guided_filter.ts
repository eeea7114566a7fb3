/**
 * He et al.'s guided image filter (thesis eqs. 3.1–3.4 and 3.11).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import { averageAndApply, checkPair, guidedCoefficients, unbatch } from "./_coefficients.ts";
import { hostGuided } from "./_host.ts";
import { fromPlanes, toPlanes } from "./_planar.ts";

/** Options of {@linkcode guidedFilter}. */
export interface GuidedFilterOptions {
  /** Window radius r (integer ≥ 0; the window is (2r+1)²). Default 8. */
  radius?: number;
  /** Regulariser ε > 0 penalising large a (for images in [0, 1]). Default 0.01 (= 0.1²). */
  eps?: number;
}

/**
 * The guided filter (He, Sun, Tang, TPAMI 2013): in each window the output is
 * a linear function of the guide, q = a·G + b, with (a, b) minimising
 * Σ (aGᵢ + b − Iᵢ)² + εa² (eqs. 3.1–3.4); the output averages the models of
 * all windows covering a pixel (eq. 3.11). Colour guides use the 3 × 3
 * covariance form, solved per pixel in closed form. Each target channel is
 * filtered with the same guide. Cost O(1) per pixel in r; differentiable.
 *
 * On the wasm and cpu backends, outside a gradient tape, the whole filter is
 * one sweep down the rows over the tensors' memory with float64 running
 * sums and a float64 solve (`_kernels.ts`): exact to the float32 rounding
 * of the output, and about OpenCV's speed (`bench/guided_bench.ts`).
 * Elsewhere (WebGPU, or while a gradient is recorded) it is tfjs ops on
 * float32 statistics of centred inputs (max error ~1e-5 against a float64
 * reference; more for colour guides at ε below 1e-3).
 *
 * @param guide Guide image G, `[H, W, 1 | 3]` or a batch `[N, H, W, 1 | 3]`.
 * @param src Target image I, same batch and spatial size, any number of channels.
 * @param options Radius and ε.
 * @returns The filtered target, shape of `src`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { guidedFilter } from "./guided_filter.ts";
 * await tf.setBackend("cpu");
 * const g = tf.tidy(() => tf.linspace(0, 1, 64).reshape([8, 8, 1]) as tf.Tensor3D);
 * const q = guidedFilter(g, g, { radius: 2, eps: 0.01 });
 * assertEquals(q.shape, [8, 8, 1]); // an edge-preserving smoothing of g
 * ```
 */
export function guidedFilter<T extends tf.Tensor3D | tf.Tensor4D>(
  guide: tf.Tensor3D | tf.Tensor4D,
  src: T,
  options: GuidedFilterOptions = {},
): T {
  const radius = assertNumber(options.radius ?? 8, "radius", { min: 0, integer: true });
  const eps = assertNumber(options.eps ?? 0.01, "eps", { min: 0, minExclusive: true });
  return tf.tidy(() => {
    const { g, p, single } = checkPair(guide, src);
    const host = hostGuided(g, p, radius, eps);
    if (host !== null) return unbatch<T>(host, single);
    const gp = toPlanes(g);
    const q = averageAndApply(guidedCoefficients(gp, toPlanes(p), radius, eps), gp, radius);
    return unbatch<T>(fromPlanes(q), single);
  });
}
