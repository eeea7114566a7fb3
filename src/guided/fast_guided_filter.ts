/**
 * He & Sun's fast guided filter: the coefficients are computed on a
 * subsampled pair and upsampled.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import { applyAmount, checkPair, guidedCoefficients, unbatch } from "./_coefficients.ts";
import { hostApply, hostKernelsActive, hostMeans } from "./_host.ts";
import { boxPlanes, fromPlanes, type Planes, planes, toPlanes } from "./_planar.ts";
import type { GuidedFilterOptions } from "./guided_filter.ts";

/** Options of {@linkcode fastGuidedFilter}. */
export interface FastGuidedFilterOptions extends GuidedFilterOptions {
  /** Subsampling factor s (integer ≥ 1). Default 4. */
  subsample?: number;
}

/**
 * The fast guided filter (He & Sun 2015, arXiv:1505.00996): guide and target
 * are subsampled by s (nearest sampling at pixel centres, as MATLAB's
 * `imresize(…, 1/s, 'nearest')`), the coefficients (a, b) and their window
 * means are computed at low resolution with radius round(r / s) (at least 1),
 * the means are upsampled bilinearly (half-pixel centres, edges clamped), and
 * the output q = ā·G + b̄ uses the full-resolution guide. About s² times
 * fewer operations for the statistics; `subsample: 1` is the guided filter.
 * On wasm and cpu, outside a gradient tape, the low-resolution statistics
 * and means are one float64 sweep, as in {@linkcode guidedFilter}.
 *
 * @param guide Guide image G, `[H, W, 1 | 3]` or `[N, H, W, 1 | 3]`.
 * @param src Target image I, same batch and spatial size, any channels.
 * @param options Radius and ε (at full resolution) and the factor s.
 * @returns The filtered target, shape of `src`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { fastGuidedFilter } from "./fast_guided_filter.ts";
 * await tf.setBackend("cpu");
 * const g = tf.tidy(() => tf.randomUniform([32, 32, 1], 0, 1, "float32", 1) as tf.Tensor3D);
 * const q = fastGuidedFilter(g, g, { radius: 8, eps: 0.01, subsample: 4 });
 * assertEquals(q.shape, [32, 32, 1]);
 * ```
 */
export function fastGuidedFilter<T extends tf.Tensor3D | tf.Tensor4D>(
  guide: tf.Tensor3D | tf.Tensor4D,
  src: T,
  options: FastGuidedFilterOptions = {},
): T {
  const radius = assertNumber(options.radius ?? 8, "radius", { min: 0, integer: true });
  const eps = assertNumber(options.eps ?? 0.01, "eps", { min: 0, minExclusive: true });
  const s = assertNumber(options.subsample ?? 4, "subsample", { min: 1, integer: true });
  return tf.tidy(() => {
    const { g, p, single } = checkPair(guide, src);
    const [n, h, w] = g.shape;
    const low: [number, number] = [Math.ceil(h / s), Math.ceil(w / s)];
    const rs = radius === 0 ? 0 : Math.max(1, Math.round(radius / s));
    // Resampling treats every plane as a one-channel image of a batch.
    const resample = (x: Planes, size: [number, number], nearest: boolean): Planes => {
      const k = x.shape[0];
      const flat = x.reshape([k * n, x.shape[2], x.shape[3], 1]) as tf.Tensor4D;
      const y = nearest
        ? tf.image.resizeNearestNeighbor(flat, size, false, true)
        : tf.image.resizeBilinear(flat, size, false, true);
      return y.reshape([k, n, size[0], size[1]]);
    };
    const host = hostKernelsActive() ? fastOnHost(g, p, low, rs, eps) : null;
    if (host !== null) return unbatch<T>(host, single);
    const gp = toPlanes(g);
    const c = guidedCoefficients(
      resample(gp, low, true),
      resample(toPlanes(p), low, true),
      rs,
      eps,
    );
    const na = c.a.shape[0];
    const m = resample(boxPlanes(tf.concat([c.a, c.b], 0), rs), [h, w], false);
    const q = tf.add(applyAmount(planes(m, 0, na), gp), planes(m, na, c.b.shape[0]));
    return unbatch<T>(fromPlanes(q), single);
  });
}

/**
 * The same filter with the coefficients' means from the host sweep
 * (`_host.ts`) on NHWC batches: resampling each channel of an NHWC batch is
 * resampling each plane.
 */
function fastOnHost(
  g: tf.Tensor4D,
  p: tf.Tensor4D,
  low: [number, number],
  rs: number,
  eps: number,
): tf.Tensor4D | null {
  const size: [number, number] = [g.shape[1], g.shape[2]];
  const down = (x: tf.Tensor4D) => tf.image.resizeNearestNeighbor(x, low, false, true);
  const m = hostMeans(down(g), down(p), rs, eps, true);
  if (m === null) return null;
  const up = (x: tf.Tensor4D) => tf.image.resizeBilinear(x, size, false, true);
  return hostApply(up(m.a), g, up(m.b!));
}
