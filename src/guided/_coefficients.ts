/**
 * The local linear coefficients (a, b) shared by the guided, fast, weighted
 * and unsharp-mask guided filters, and the argument checks they share. Works
 * on planes `[K, N, H, W]` (see `_planar.ts`). Internal: not exported from
 * `mod.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { formatShape } from "../core/checks.ts";
import { boxPlanes, type Planes, planes } from "./_planar.ts";

/** Coefficients of the local linear model q = Σₖ aₖ Gₖ + b in each window, as planes. */
// A type alias (not an interface) so that `tf.tidy` may return it.
export type Coefficients = {
  /**
   * `[Cg·Ct, N, H, W]`, guide-channel-major: planes `k·Ct … k·Ct + Ct − 1`
   * hold a for guide channel k and every target channel.
   */
  a: Planes;
  /** `[Ct, N, H, W]`. */
  b: Planes;
};

/**
 * Checks a (guide, src) pair: ranks 3 or 4 (equal), guide with 1 or 3
 * channels, equal batch and spatial sizes.
 *
 * @param guide The guide.
 * @param src The target.
 * @returns Both as NHWC float32 batches and whether the inputs were rank 3.
 *   Call inside `tf.tidy`.
 */
export function checkPair(
  guide: unknown,
  src: unknown,
): { g: tf.Tensor4D; p: tf.Tensor4D; single: boolean } {
  for (const [t, name] of [[guide, "guide"], [src, "src"]] as const) {
    if (!(t instanceof tf.Tensor) || (t.rank !== 3 && t.rank !== 4)) {
      throw new RangeError(
        `${name} must be an HWC [H, W, C] or NHWC [N, H, W, C] tensor, got ${
          t instanceof tf.Tensor ? `shape ${formatShape(t.shape)}` : typeof t
        }`,
      );
    }
  }
  const g = guide as tf.Tensor, p = src as tf.Tensor;
  if (g.rank !== p.rank) {
    throw new RangeError(
      `guide and src must have the same rank, got ${formatShape(g.shape)} and ${
        formatShape(p.shape)
      }`,
    );
  }
  const cg = g.shape[g.rank - 1];
  if (cg !== 1 && cg !== 3) {
    throw new RangeError(`guide must have 1 or 3 channels, got shape ${formatShape(g.shape)}`);
  }
  const lead = (t: tf.Tensor) => t.shape.slice(0, t.rank - 1);
  if (!tf.util.arraysEqual(lead(g), lead(p))) {
    throw new RangeError(
      `src must match the guide's batch and spatial size: guide ${formatShape(g.shape)}, src ${
        formatShape(p.shape)
      }`,
    );
  }
  const single = g.rank === 3;
  const to4 = (t: tf.Tensor) => (single ? t.expandDims(0) : t).toFloat() as tf.Tensor4D;
  return { g: to4(g), p: to4(p), single };
}

/**
 * Solves eqs. (3.3)–(3.4) in every window (He et al. 2013, eqs. 5–6 for gray
 * guides and eqs. 14–15, the 3 × 3 covariance form, for colour guides).
 *
 * Both inputs are first centred on their global means (a is invariant to
 * that, and b is corrected afterwards) so that the float32 window statistics
 * keep their precision. The 3 × 3 systems are solved with the closed-form
 * inverse (adjugate over determinant), vectorised.
 *
 * @param g Guide planes `[1 | 3, N, H, W]`.
 * @param p Target planes `[Ct, N, H, W]`.
 * @param radius Window radius.
 * @param eps Regulariser: a number or per-pixel planes `[1, N, H, W]`.
 * @returns The coefficients. Call inside `tf.tidy`.
 */
export function guidedCoefficients(
  g: Planes,
  p: Planes,
  radius: number,
  eps: number | Planes,
): Coefficients {
  return tf.tidy(() => coefficients(g, p, radius, eps));
}

function coefficients(g: Planes, p: Planes, radius: number, eps: number | Planes): Coefficients {
  const cg = g.shape[0];
  const g0 = g.mean([2, 3], true), p0 = p.mean([2, 3], true);
  const pc = tf.sub(p, p0);
  const box = (x: tf.Tensor) => boxPlanes(x, radius);
  const mp = box(pc);
  if (cg === 1) {
    const gc = tf.sub(g, g0);
    const mg = box(gc);
    const variance = tf.sub(box(tf.square(gc)), tf.square(mg));
    const cov = tf.sub(box(tf.mul(gc, pc)), tf.mul(mg, mp));
    const a = tf.div(cov, tf.add(variance, eps)) as Planes;
    // b for the centred inputs is mp − a·mg; undo the centring: + p0 − a·g0.
    const b = tf.add(tf.sub(mp, tf.mul(a, mg)), tf.sub(p0, tf.mul(a, g0))) as Planes;
    return { a, b };
  }
  const gk = tf.unstack(tf.sub(g, g0)).map((t) => t.expandDims(0) as Planes);
  const g0k = tf.unstack(g0).map((t) => t.expandDims(0));
  const mg = gk.map(box);
  const pairs: [number, number][] = [[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]];
  const s = pairs.map(([i, j]) => {
    const c = tf.sub(box(tf.mul(gk[i], gk[j])), tf.mul(mg[i], mg[j]));
    return i === j ? tf.add(c, eps) : c;
  });
  const [s00, s01, s02, s11, s12, s22] = s;
  // Adjugate of the symmetric matrix [[s00 s01 s02] [s01 s11 s12] [s02 s12 s22]].
  const i00 = tf.sub(tf.mul(s11, s22), tf.mul(s12, s12));
  const i01 = tf.sub(tf.mul(s02, s12), tf.mul(s01, s22));
  const i02 = tf.sub(tf.mul(s01, s12), tf.mul(s02, s11));
  const i11 = tf.sub(tf.mul(s00, s22), tf.mul(s02, s02));
  const i12 = tf.sub(tf.mul(s01, s02), tf.mul(s00, s12));
  const i22 = tf.sub(tf.mul(s00, s11), tf.mul(s01, s01));
  const invDet = tf.reciprocal(tf.addN([tf.mul(s00, i00), tf.mul(s01, i01), tf.mul(s02, i02)]));
  const cov = gk.map((x, k) => tf.sub(box(tf.mul(x, pc)), tf.mul(mg[k], mp)));
  const row = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
    tf.mul(tf.addN([tf.mul(x, cov[0]), tf.mul(y, cov[1]), tf.mul(z, cov[2])]), invDet);
  const ak = [row(i00, i01, i02), row(i01, i11, i12), row(i02, i12, i22)];
  const shift = tf.addN(ak.map((x, k) => tf.mul(x, tf.add(mg[k], g0k[k]))));
  const b = tf.sub(tf.add(mp, p0), shift) as Planes;
  return { a: tf.concat(ak, 0) as Planes, b };
}

/**
 * Σₖ aₖ ⊙ xₖ for coefficients laid out as in {@linkcode Coefficients.a}.
 *
 * @param a `[Cg·Ct, N, H, W]`.
 * @param x `[Cg, N, H, W]` (the guide, or its unsharp mask).
 * @returns `[Ct, N, H, W]`.
 */
export function applyAmount(a: Planes, x: Planes): Planes {
  const cg = x.shape[0];
  const ct = a.shape[0] / cg;
  if (cg === 1) return tf.mul(a, x);
  const terms = [];
  for (let k = 0; k < cg; k++) terms.push(tf.mul(planes(a, k * ct, ct), planes(x, k)));
  return tf.addN(terms);
}

/**
 * The guided filter's output from its coefficients (eq. 3.11): the window
 * means ā and b̄, then q = Σₖ āₖ Gₖ + b̄.
 *
 * @param c The coefficients.
 * @param g The guide planes `[Cg, N, H, W]`.
 * @param radius Window radius of the averaging.
 * @returns q planes `[Ct, N, H, W]`.
 */
export function averageAndApply(c: Coefficients, g: Planes, radius: number): Planes {
  const cg = g.shape[0];
  const mb = boxPlanes(c.b, radius);
  if (cg === 1) return tf.add(tf.mul(boxPlanes(c.a, radius), g), mb);
  // One box filter per guide channel: slicing planes out of a large stack
  // copies the whole stack on wasm.
  const ct = c.b.shape[0];
  const gk = tf.unstack(g).map((t) => t.expandDims(0));
  const terms = gk.map((x, k) => tf.mul(boxPlanes(planes(c.a, k * ct, ct), radius), x));
  return tf.add(tf.addN(terms), mb);
}

/**
 * Returns `t` as rank 3 when the caller passed rank-3 inputs.
 *
 * @param t An NHWC tensor.
 * @param single Whether to drop the batch axis.
 * @returns `t` or `t[0]`.
 */
export function unbatch<T extends tf.Tensor3D | tf.Tensor4D>(t: tf.Tensor4D, single: boolean): T {
  return (single ? t.squeeze([0]) : t) as T;
}
