/**
 * The thesis's unsharp-mask guided filter without learning (eqs. 3.13–3.15):
 * Î = f_a ⊙ (G − F_L(G)) + F_L(I), one coefficient instead of two.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, formatShape } from "../core/checks.ts";
import { applyAmount, checkPair, guidedCoefficients, unbatch } from "./_coefficients.ts";
import { hostApply, hostKernelsActive, hostMeans } from "./_host.ts";
import { boxPlanes, fromPlanes, type Planes, toPlanes } from "./_planar.ts";
import type { GuidedFilterOptions } from "./guided_filter.ts";
import { checkLowPass, type LowPass, lowPassBatch, lowPassPlanes } from "./low_pass.ts";
import { type EdgeAwareOptions, weightedEps, weightedEpsHost } from "./weighted_guided_filter.ts";

/**
 * Where the amount f_a comes from: the window mean ā of the guided filter's
 * coefficient a (eq. 3.3, averaged as in eq. 3.14), that of the weighted
 * guided filter (eq. 3.6), or a given per-pixel tensor (e.g. a network's).
 */
export type Amount = "guided" | "weighted" | tf.Tensor3D | tf.Tensor4D;

/** Options of {@linkcode unsharpMaskGuidedFilter}. */
export interface UnsharpMaskGuidedFilterOptions extends GuidedFilterOptions, EdgeAwareOptions {
  /**
   * The amount f_a. Default `"guided"`. A tensor has the target's batch and
   * spatial size and 1 or Ct channels (multiplied channel by channel with the
   * guide's unsharp mask; a colour guide then needs a colour target), or
   * Cg·Ct channels (guide-channel-major, the vector form of a colour guide).
   */
  amount?: Amount;
  /** The low-pass filter F_L. Default `{ kind: "box", radius, times: 2 }` (thesis Fig. 22). */
  lowPass?: LowPass;
}

/** Every term of eq. 3.15, for inspection (thesis Fig. 22 b–d). The caller disposes them. */
export interface UnsharpMaskParts {
  /** The filtered output Î. */
  output: tf.Tensor;
  /** The amount f_a as applied (`[…, Ct]`, `[…, 1]` or `[…, Cg·Ct]`). */
  amount: tf.Tensor;
  /** The guide's unsharp mask G_m = G − F_L(G). */
  guideMask: tf.Tensor;
  /** The low-passed target F_L(I). */
  lowPassSrc: tf.Tensor;
}

/**
 * The unsharp-mask guided filter (thesis eqs. 3.13–3.15): the target is
 * smoothed by a low-pass filter, F_L(I), and the structure lost is put back
 * from the guide's unsharp mask G_m = G − F_L(G), scaled per pixel by a
 * single amount f_a:
 *
 *     Î = f_a ⊙ (G − F_L(G)) + F_L(I).
 *
 * With f_a = ā (the guided filter's a averaged over the windows) and F_L two
 * cascaded box filters of radius r this is the guided filter with b
 * eliminated (eq. 3.14). For a colour guide and the built-in amounts the
 * vector form Σₖ āₖ G_{m,k} is used. On wasm and cpu, outside a gradient
 * tape, the box low-passes, ā and the sum are float64 loops over the
 * tensors' memory, as for the guided filter.
 *
 * @param guide Guide image G, `[H, W, 1 | 3]` or `[N, H, W, 1 | 3]`.
 * @param src Target image I, same batch and spatial size, any channels.
 * @param options Radius and ε of the amount, the amount, and F_L.
 * @returns Î, shape of `src`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { unsharpMaskGuidedFilter } from "./unsharp_mask_guided_filter.ts";
 * await tf.setBackend("cpu");
 * const g = tf.tidy(() => tf.randomUniform([16, 16, 1], 0, 1, "float32", 4) as tf.Tensor3D);
 * const out = unsharpMaskGuidedFilter(g, g, {
 *   radius: 4,
 *   eps: 0.05 ** 2,
 *   lowPass: { kind: "box", radius: 4, times: 2 },
 * });
 * assertEquals(out.shape, [16, 16, 1]);
 * ```
 */
export function unsharpMaskGuidedFilter<T extends tf.Tensor3D | tf.Tensor4D>(
  guide: tf.Tensor3D | tf.Tensor4D,
  src: T,
  options: UnsharpMaskGuidedFilterOptions = {},
): T {
  return tf.tidy(() => {
    const parts = unsharpMaskGuidedFilterParts(guide, src, options);
    return parts.output as T;
  });
}

/**
 * {@linkcode unsharpMaskGuidedFilter} returning every term of eq. 3.15.
 *
 * @param guide Guide image G, `[H, W, 1 | 3]` or `[N, H, W, 1 | 3]`.
 * @param src Target image I, same batch and spatial size.
 * @param options As for {@linkcode unsharpMaskGuidedFilter}.
 * @returns The output, the amount, G_m and F_L(I) (new tensors).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertAlmostEquals } from "@std/assert";
 * import { unsharpMaskGuidedFilterParts } from "./unsharp_mask_guided_filter.ts";
 * await tf.setBackend("cpu");
 * const g = tf.tidy(() => tf.randomUniform([16, 16, 1], 0, 1, "float32", 5) as tf.Tensor3D);
 * const { output, amount, guideMask, lowPassSrc } = unsharpMaskGuidedFilterParts(g, g, { radius: 4 });
 * // Î = f_a ⊙ G_m + F_L(I)
 * const sum = tf.add(tf.mul(amount, guideMask), lowPassSrc);
 * assertAlmostEquals(tf.sub(sum, output).abs().max().dataSync()[0], 0, 1e-6);
 * ```
 */
export function unsharpMaskGuidedFilterParts(
  guide: tf.Tensor3D | tf.Tensor4D,
  src: tf.Tensor3D | tf.Tensor4D,
  options: UnsharpMaskGuidedFilterOptions = {},
): UnsharpMaskParts {
  const radius = assertNumber(options.radius ?? 8, "radius", { min: 0, integer: true });
  const eps = assertNumber(options.eps ?? 0.01, "eps", { min: 0, minExclusive: true });
  const lowPass = options.lowPass ?? { kind: "box", radius, times: 2 };
  checkLowPass(lowPass);
  const amount = options.amount ?? "guided";
  if (!(amount instanceof tf.Tensor) && amount !== "guided" && amount !== "weighted") {
    throw new RangeError(
      `amount must be "guided", "weighted" or a tensor, got ${JSON.stringify(amount)}`,
    );
  }
  const out = tf.tidy(() => {
    const { g, p, single } = checkPair(guide, src);
    const cg = g.shape[3], ct = p.shape[3];
    if (hostKernelsActive()) {
      const host = partsOnHost(g, p, single, amount, lowPass, radius, eps, options);
      if (host !== null) return host.map((t) => unbatch(t, single));
    }
    const gp = toPlanes(g), pp = toPlanes(p);
    const gm = tf.sub(gp, lowPassPlanes(gp, lowPass, radius)) as Planes;
    const lp = lowPassPlanes(pp, lowPass, radius);
    let fa: Planes;
    let structure: Planes;
    if (amount instanceof tf.Tensor) {
      fa = toPlanes(checkAmount(amount, p, cg, single));
      // Vector form for a colour guide given Cg·Ct channels, else channel by channel.
      structure = cg > 1 && fa.shape[0] === cg * ct ? applyAmount(fa, gm) : tf.mul(fa, gm);
    } else {
      const e = amount === "guided" ? eps : weightedEps(gp, eps, options);
      fa = boxPlanes(guidedCoefficients(gp, pp, radius, e).a, radius);
      structure = applyAmount(fa, gm);
    }
    const output = tf.add(structure, lp) as Planes;
    return [output, fa, gm, lp].map((t) => unbatch(fromPlanes(t), single));
  });
  return { output: out[0], amount: out[1], guideMask: out[2], lowPassSrc: out[3] };
}

/**
 * The same terms on NHWC batches with the host loops (`_host.ts`): box
 * low-passes, ā from one sweep, and the vector form Σₖ āₖ G_{m,k} in one
 * loop. `[output, amount, G_m, F_L(I)]`, or `null` to take the tfjs ops.
 */
function partsOnHost(
  g: tf.Tensor4D,
  p: tf.Tensor4D,
  single: boolean,
  amount: Amount,
  lowPass: LowPass,
  radius: number,
  eps: number,
  options: EdgeAwareOptions,
): tf.Tensor4D[] | null {
  const cg = g.shape[3], ct = p.shape[3];
  const gm = tf.sub(g, lowPassBatch(g, lowPass, radius)) as tf.Tensor4D;
  const lp = lowPassBatch(p, lowPass, radius);
  if (amount instanceof tf.Tensor) {
    const fa = checkAmount(amount, p, cg, single);
    // vector form for a colour guide given Cg·Ct channels, else channel by channel
    const output = cg > 1 && fa.shape[3] === cg * ct
      ? hostApply(fa, gm, lp)
      : tf.add(tf.mul(fa, gm), lp) as tf.Tensor4D;
    return output === null ? null : [output, fa, gm, lp];
  }
  const e = amount === "guided" ? eps : weightedEpsHost(g, eps, options);
  const means = e === null ? null : hostMeans(g, p, radius, e, false);
  const output = means === null ? null : hostApply(means.a, gm, lp);
  return output === null ? null : [output, means!.a, gm, lp];
}

/** Checks a tensor amount against the target and returns it as a batch. */
function checkAmount(
  amount: tf.Tensor,
  p: tf.Tensor4D,
  cg: number,
  single: boolean,
): tf.Tensor4D {
  const ct = p.shape[3];
  const a = (single && amount.rank === 3 ? amount.expandDims(0) : amount) as tf.Tensor4D;
  const allowed = cg === 1 ? [1, ct] : cg === ct ? [1, ct, cg * ct] : [cg * ct];
  const ok = a.rank === 4 && a.shape[0] === p.shape[0] && a.shape[1] === p.shape[1] &&
    a.shape[2] === p.shape[2] && allowed.includes(a.shape[3]);
  if (!ok) {
    throw new RangeError(
      `amount must have the target's size and ${allowed.join(" or ")} channels ` +
        `(target ${formatShape(p.shape)}, guide channels ${cg}), got ${formatShape(amount.shape)}`,
    );
  }
  return a.toFloat();
}
