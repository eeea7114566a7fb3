/**
 * Li et al.'s weighted guided filter: the guided filter with an edge-aware,
 * per-pixel regulariser (thesis eq. 3.6).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import { averageAndApply, checkPair, guidedCoefficients, unbatch } from "./_coefficients.ts";
import { hostEdgeWeights, hostGuided } from "./_host.ts";
import { fromPlanes, type Planes, toPlanes } from "./_planar.ts";
import type { GuidedFilterOptions } from "./guided_filter.ts";

/** Options of {@linkcode edgeAwareWeighting}. */
export interface EdgeAwareOptions {
  /** Radius of the small window of the local variance (default 1: 3 × 3). */
  edgeRadius?: number;
  /** The small constant ε of eq. 3.6, (0.001·L)² for range L = 1. Default 1e-6. */
  edgeEps?: number;
}

/** Options of {@linkcode weightedGuidedFilter}: ε plays the role of λ in eq. 3.6. */
export interface WeightedGuidedFilterOptions extends GuidedFilterOptions, EdgeAwareOptions {}

/**
 * The edge-aware weighting Γ_G of Li et al. (TIP 2015, eq. 5; thesis eq. 3.6):
 * Γ_G(k) = (σ²(k) + ε) · (1/N) Σⱼ 1 / (σ²(j) + ε), with σ² the variance of
 * the guide in the 3 × 3 window around each pixel (for colour guides the mean
 * of the three channels' variances) and the sum over all N pixels of the
 * image. Γ > 1 at edges, < 1 in flat regions.
 *
 * @param guide Guide `[H, W, 1 | 3]` or `[N, H, W, 1 | 3]` (each image of a batch on its own).
 * @param options Window radius and ε.
 * @returns Γ_G with one channel, `[H, W, 1]` or `[N, H, W, 1]`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertGreater } from "@std/assert";
 * import { edgeAwareWeighting } from "./weighted_guided_filter.ts";
 * await tf.setBackend("cpu");
 * const step = tf.tidy(() => tf.concat([tf.zeros([8, 4, 1]), tf.ones([8, 4, 1])], 1) as tf.Tensor3D);
 * const gamma = edgeAwareWeighting(step).dataSync(); // large along the step, small elsewhere
 * assertGreater(gamma[3], 100 * gamma[0]);
 * ```
 */
export function edgeAwareWeighting<T extends tf.Tensor3D | tf.Tensor4D>(
  guide: T,
  options: EdgeAwareOptions = {},
): T {
  const { edgeRadius, edgeEps } = edgeSettings(options);
  return tf.tidy(() => {
    const { g, single } = checkPair(guide, guide);
    const host = hostEdgeWeights(g, edgeRadius, edgeEps, null);
    if (host !== null) return unbatch<T>(host, single);
    return unbatch<T>(fromPlanes(gammaOf(toPlanes(g), edgeRadius, edgeEps)), single);
  });
}

function gammaOf(g: Planes, edgeRadius: number, edgeEps: number): Planes {
  const x = tf.add(localVariance(g, edgeRadius).mean(0, true), edgeEps);
  return tf.mul(x, tf.reciprocal(x).mean([2, 3], true)) as Planes;
}

/**
 * Variance in the (2r+1)² window cut to the image, from the differences to
 * the centre pixel: var = mean(d²) − mean(d)² with d = x_j − x_i. Exact where
 * the window is flat, unlike mean(x²) − mean(x)², whose float32 rounding
 * (~3e-8) is not small against the ε = 1e-6 of eq. 3.6. O(r²) per pixel: for
 * the small windows of the edge-aware weighting.
 */
function localVariance(x: Planes, r: number): Planes {
  const [k, n, h, w] = x.shape;
  const pads: [number, number][] = [[0, 0], [0, 0], [r, r], [r, r]];
  const xp = tf.pad(x, pads);
  const mp = tf.pad(tf.ones([1, 1, h, w]), pads);
  let s1: tf.Tensor = tf.zeros(x.shape), s2: tf.Tensor = tf.zeros(x.shape);
  let count: tf.Tensor = tf.zeros([1, 1, h, w]);
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      const m = tf.slice(mp, [0, 0, r + dy, r + dx], [1, 1, h, w]);
      const d = tf.mul(tf.sub(tf.slice(xp, [0, 0, r + dy, r + dx], [k, n, h, w]), x), m);
      s1 = tf.add(s1, d);
      s2 = tf.add(s2, tf.square(d));
      count = tf.add(count, m);
    }
  }
  const mean = tf.div(s1, count);
  return tf.relu(tf.sub(tf.div(s2, count), tf.square(mean))) as Planes;
}

/**
 * The weighted guided filter (Li, Zheng, Zhu, Wu, Rahardja, TIP 2015): the
 * guided filter of eqs. 3.1–3.4 and 3.11 with the fixed ε replaced by
 * λ / Γ_G(k) (eq. 3.6; see {@linkcode edgeAwareWeighting}), so that edges are
 * smoothed less and flat regions more, which reduces halos. `eps` is λ.
 * For colour guides, λ / Γ is added to the diagonal of the 3 × 3 covariance.
 * On wasm and cpu, outside a gradient tape, Γ and the filter are float64
 * loops over the tensors' memory, as for {@linkcode guidedFilter}.
 *
 * @param guide Guide image G, `[H, W, 1 | 3]` or `[N, H, W, 1 | 3]`.
 * @param src Target image I, same batch and spatial size, any channels.
 * @param options Radius, λ (as `eps`) and the edge-aware weighting's settings.
 * @returns The filtered target, shape of `src`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { weightedGuidedFilter } from "./weighted_guided_filter.ts";
 * await tf.setBackend("cpu");
 * const g = tf.tidy(() => tf.randomUniform([16, 16, 1], 0, 1, "float32", 2) as tf.Tensor3D);
 * const q = weightedGuidedFilter(g, g, { radius: 4, eps: 0.01 });
 * assertEquals(q.shape, [16, 16, 1]);
 * ```
 */
export function weightedGuidedFilter<T extends tf.Tensor3D | tf.Tensor4D>(
  guide: tf.Tensor3D | tf.Tensor4D,
  src: T,
  options: WeightedGuidedFilterOptions = {},
): T {
  const radius = assertNumber(options.radius ?? 8, "radius", { min: 0, integer: true });
  const lambda = assertNumber(options.eps ?? 0.01, "eps", { min: 0, minExclusive: true });
  return tf.tidy(() => {
    const { g, p, single } = checkPair(guide, src);
    const hostEps = weightedEpsHost(g, lambda, options);
    const host = hostEps === null ? null : hostGuided(g, p, radius, hostEps);
    if (host !== null) return unbatch<T>(host, single);
    const gp = toPlanes(g);
    const epsMap = weightedEps(gp, lambda, options);
    const q = averageAndApply(guidedCoefficients(gp, toPlanes(p), radius, epsMap), gp, radius);
    return unbatch<T>(fromPlanes(q), single);
  });
}

/**
 * λ / Γ_G per pixel as an NHWC batch, computed on the host (see `_host.ts`),
 * for use inside `tf.tidy` by the filters of this folder.
 *
 * @param g Guide `[N, H, W, Cg]`.
 * @param lambda λ.
 * @param options Edge-aware settings.
 * @returns `[N, H, W, 1]`, or `null` where the host loops do not run.
 */
export function weightedEpsHost(
  g: tf.Tensor4D,
  lambda: number,
  options: EdgeAwareOptions = {},
): tf.Tensor4D | null {
  const { edgeRadius, edgeEps } = edgeSettings(options);
  return hostEdgeWeights(g, edgeRadius, edgeEps, lambda);
}

function edgeSettings(options: EdgeAwareOptions): { edgeRadius: number; edgeEps: number } {
  const edgeRadius = assertNumber(options.edgeRadius ?? 1, "edgeRadius", {
    min: 1,
    integer: true,
  });
  const edgeEps = assertNumber(options.edgeEps ?? 1e-6, "edgeEps", {
    min: 0,
    minExclusive: true,
  });
  return { edgeRadius, edgeEps };
}

/**
 * λ / Γ_G per pixel, for use inside `tf.tidy` by the filters of this folder.
 *
 * @param g Guide planes `[Cg, N, H, W]`.
 * @param lambda λ.
 * @param options Edge-aware settings.
 * @returns Planes `[1, N, H, W]`.
 */
export function weightedEps(
  g: Planes,
  lambda: number,
  options: EdgeAwareOptions = {},
): Planes {
  const { edgeRadius, edgeEps } = edgeSettings(options);
  return tf.div(lambda, gammaOf(g, edgeRadius, edgeEps));
}
