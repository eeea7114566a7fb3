/**
 * The local linear coefficients (a, b) shared by the guided, fast, weighted
 * and unsharp-mask guided filters, and the argument checks they share.
 * Internal: not exported from `mod.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { formatShape } from "../core/checks.ts";
import { boxFilter } from "./box_filter.ts";

/** Coefficients of the local linear model q = Σₖ aₖ Gₖ + b in each window. */
export interface Coefficients {
  /**
   * `[N, H, W, Cg·Ct]`, guide-channel-major: channels `k·Ct … k·Ct + Ct − 1`
   * hold a for guide channel k and every target channel.
   */
  a: tf.Tensor4D;
  /** `[N, H, W, Ct]`. */
  b: tf.Tensor4D;
}

/**
 * Checks a (guide, src) pair: ranks 3 or 4 (equal), guide with 1 or 3
 * channels, equal batch and spatial sizes.
 *
 * @param guide The guide.
 * @param src The target.
 * @returns Both as NHWC batches (views the caller must not dispose twice:
 *   reshapes of the inputs) and whether the inputs were rank 3.
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
    throw new RangeError(
      `guide must have 1 or 3 channels, got shape ${formatShape(g.shape)}`,
    );
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
 * Both inputs are first centred on their global means (the coefficient a is
 * invariant to that, and b is corrected afterwards) so that the float32
 * window statistics keep their precision. The 3 × 3 systems are solved with
 * the closed-form inverse (adjugate over determinant), vectorised.
 *
 * @param g Guide `[N, H, W, 1 | 3]`.
 * @param p Target `[N, H, W, Ct]`.
 * @param radius Window radius.
 * @param eps Regulariser: a number or a per-pixel `[N, H, W, 1]` tensor.
 * @returns The coefficients; must be called inside `tf.tidy`.
 */
export function guidedCoefficients(
  g: tf.Tensor4D,
  p: tf.Tensor4D,
  radius: number,
  eps: number | tf.Tensor4D,
): Coefficients {
  const cg = g.shape[3], ct = p.shape[3];
  const g0 = g.mean([1, 2], true), p0 = p.mean([1, 2], true);
  const gc = tf.sub(g, g0), pc = tf.sub(p, p0);
  const ch = (t: tf.Tensor, k: number, n = 1) =>
    tf.slice(t as tf.Tensor4D, [0, 0, 0, k], [-1, -1, -1, n]);
  if (cg === 1) {
    const m = boxFilter(
      tf.concat([gc, pc, tf.square(gc), tf.mul(gc, pc)], 3) as tf.Tensor4D,
      radius,
    );
    const mg = ch(m, 0), mp = ch(m, 1, ct), mgg = ch(m, 1 + ct), mgp = ch(m, 2 + ct, ct);
    const variance = tf.sub(mgg, tf.square(mg));
    const cov = tf.sub(mgp, tf.mul(mg, mp));
    const a = tf.div(cov, tf.add(variance, eps)) as tf.Tensor4D;
    // b for the centred inputs is mp − a·mg; undo the centring: + p0 − a·g0.
    const b = tf.add(tf.sub(mp, tf.mul(a, mg)), tf.sub(p0, tf.mul(a, g0))) as tf.Tensor4D;
    return { a, b };
  }
  const gk = [0, 1, 2].map((k) => ch(gc, k));
  const pairs: [number, number][] = [[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]];
  const parts: tf.Tensor[] = [gc, pc, ...pairs.map(([i, j]) => tf.mul(gk[i], gk[j]))];
  for (let k = 0; k < 3; k++) parts.push(tf.mul(gk[k], pc));
  const m = boxFilter(tf.concat(parts, 3) as tf.Tensor4D, radius);
  const mg = [0, 1, 2].map((k) => ch(m, k));
  const mp = ch(m, 3, ct);
  const s = pairs.map(([i, j], n) => {
    const c = tf.sub(ch(m, 3 + ct + n), tf.mul(mg[i], mg[j]));
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
  const det = tf.addN([tf.mul(s00, i00), tf.mul(s01, i01), tf.mul(s02, i02)]);
  const cov = [0, 1, 2].map((k) => tf.sub(ch(m, 9 + ct + k * ct, ct), tf.mul(mg[k], mp)));
  const row = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
    tf.div(tf.addN([tf.mul(x, cov[0]), tf.mul(y, cov[1]), tf.mul(z, cov[2])]), det);
  const ak = [row(i00, i01, i02), row(i01, i11, i12), row(i02, i12, i22)];
  const a = tf.concat(ak, 3) as tf.Tensor4D;
  const shift = tf.addN(ak.map((x, k) => tf.mul(x, tf.add(mg[k], ch(g0, k)))));
  const b = tf.sub(tf.add(mp, p0), shift) as tf.Tensor4D;
  return { a, b };
}

/**
 * Σₖ aₖ ⊙ xₖ for coefficients laid out as in {@linkcode Coefficients.a}.
 *
 * @param a `[N, H, W, Cg·Ct]`.
 * @param x `[N, H, W, Cg]` (the guide, or its unsharp mask).
 * @returns `[N, H, W, Ct]`.
 */
export function applyAmount(a: tf.Tensor4D, x: tf.Tensor4D): tf.Tensor4D {
  const cg = x.shape[3];
  const ct = a.shape[3] / cg;
  if (cg === 1) return tf.mul(a, x);
  const terms = [];
  for (let k = 0; k < cg; k++) {
    terms.push(
      tf.mul(
        tf.slice(a, [0, 0, 0, k * ct], [-1, -1, -1, ct]),
        tf.slice(x, [0, 0, 0, k], [-1, -1, -1, 1]),
      ),
    );
  }
  return tf.addN(terms);
}

/**
 * The guided filter's output from its coefficients (eq. 3.11): the window
 * means ā and b̄, then q = Σₖ āₖ Gₖ + b̄.
 *
 * @param c The coefficients.
 * @param g The guide `[N, H, W, Cg]`.
 * @param radius Window radius of the averaging.
 * @returns q `[N, H, W, Ct]`.
 */
export function averageAndApply(c: Coefficients, g: tf.Tensor4D, radius: number): tf.Tensor4D {
  const n = c.a.shape[3];
  const m = boxFilter(tf.concat([c.a, c.b], 3), radius);
  const ma = tf.slice(m, [0, 0, 0, 0], [-1, -1, -1, n]);
  const mb = tf.slice(m, [0, 0, 0, n], [-1, -1, -1, -1]);
  return tf.add(applyAmount(ma, g), mb);
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
