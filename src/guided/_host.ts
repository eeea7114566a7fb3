/**
 * Running the loops of `_kernels.ts` on tensors' memory: in place on the
 * wasm heap (outputs allocated there, inputs and outputs read as float32
 * views of it) or on the cpu backend's arrays. Other backends (WebGPU), and
 * any call while a gradient tape records, take the filters' tfjs ops
 * instead, which are differentiable and run where the tensors are.
 *
 * Internal: not exported from `mod.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOnHost } from "../core/_host.ts";
import { applyLinear, boxMean, edgeWeights, guidedSweep } from "./_kernels.ts";

let enabled = true;

/**
 * Turns the loops off (`false`: every filter takes its tfjs ops) or back on;
 * for tests that compare the two.
 *
 * @param on Whether the loops may run.
 * @returns The previous setting.
 */
export function setHostKernels(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/**
 * Whether the loops run now: on, the backend is wasm or cpu, and no
 * gradient is being recorded.
 *
 * @returns `true` when {@linkcode runOnHost} may be called.
 */
export function hostKernelsActive(): boolean {
  if (!enabled) return false;
  const engine = tf.engine();
  if (engine.isTapeOn()) return false;
  const name = engine.backendName;
  return name === "wasm" || name === "cpu";
}

/**
 * The box mean of an NHWC batch on the host (see `boxMean`).
 *
 * @param x `[N, H, W, C]` float32.
 * @param r Radius.
 * @returns The means, or `null` where the loops do not run.
 */
export function hostBox(x: tf.Tensor4D, r: number): tf.Tensor4D | null {
  if (!hostKernelsActive() || x.size === 0) return null;
  const [n, h, w, c] = x.shape;
  const out = runOnHost([x], [x.shape], ([xs], [ys]) => boxMean(xs!, ys!, n, h, w, c, r));
  return out === null ? null : out[0] as tf.Tensor4D;
}

/** Target channels above which the guided filters keep their tfjs ops (the generated code grows with them). */
const MAX_TARGET_CHANNELS = 64;

/**
 * The guided filter on the host (see `guidedSweep`).
 *
 * @param g Guide `[N, H, W, 1 | 3]` float32.
 * @param p Target `[N, H, W, Ct]` float32.
 * @param r Radius.
 * @param eps ε, or per-pixel ε `[N, H, W, 1]`.
 * @returns q `[N, H, W, Ct]`, or `null` where the loops do not run.
 */
export function hostGuided(
  g: tf.Tensor4D,
  p: tf.Tensor4D,
  r: number,
  eps: number | tf.Tensor4D,
): tf.Tensor4D | null {
  if (!hostKernelsActive() || g.size === 0 || p.size === 0) return null;
  const [n, h, w, cg] = g.shape, ct = p.shape[3];
  if (ct > MAX_TARGET_CHANNELS) return null;
  const inputs = typeof eps === "number" ? [g, p] : [g, p, eps];
  const out = runOnHost(
    inputs,
    [p.shape],
    ([gs, ps, es], [q]) =>
      guidedSweep({ data: gs!, c: cg }, { data: ps!, c: ct }, n, h, w, r, es ?? (eps as number), {
        kind: "filter",
        q: q!,
      }),
  );
  return out === null ? null : out[0] as tf.Tensor4D;
}

/**
 * The window means ā and b̄ of the guided filter's coefficients on the host.
 *
 * @param g Guide `[N, H, W, 1 | 3]` float32.
 * @param p Target `[N, H, W, Ct]` float32.
 * @param r Radius.
 * @param eps ε, or per-pixel ε `[N, H, W, 1]`.
 * @param withB Whether b̄ is wanted.
 * @returns ā `[N, H, W, Cg·Ct]` (guide-channel-major) and b̄ `[N, H, W, Ct]`
 *   (`null` without `withB`), or `null` where the loops do not run.
 */
export function hostMeans(
  g: tf.Tensor4D,
  p: tf.Tensor4D,
  r: number,
  eps: number | tf.Tensor4D,
  withB: boolean,
): { a: tf.Tensor4D; b: tf.Tensor4D | null } | null {
  if (!hostKernelsActive() || g.size === 0 || p.size === 0) return null;
  const [n, h, w, cg] = g.shape, ct = p.shape[3];
  if (ct > MAX_TARGET_CHANNELS) return null;
  const inputs = typeof eps === "number" ? [g, p] : [g, p, eps];
  const shapes = [[n, h, w, cg * ct], ...(withB ? [p.shape] : [])];
  const out = runOnHost(
    inputs,
    shapes,
    ([gs, ps, es], [a, b]) =>
      guidedSweep({ data: gs!, c: cg }, { data: ps!, c: ct }, n, h, w, r, es ?? (eps as number), {
        kind: "means",
        a: a!,
        b: b ?? null,
      }),
  );
  if (out === null) return null;
  return { a: out[0] as tf.Tensor4D, b: withB ? out[1] as tf.Tensor4D : null };
}

/**
 * Σₖ a[…, k·Ct + c] · x[…, k] + add[…, c] on the host.
 *
 * @param a `[N, H, W, Cx·Ct]`.
 * @param x `[N, H, W, Cx]`.
 * @param add `[N, H, W, Ct]`.
 * @returns `[N, H, W, Ct]`, or `null` where the loops do not run.
 */
export function hostApply(a: tf.Tensor4D, x: tf.Tensor4D, add: tf.Tensor4D): tf.Tensor4D | null {
  if (!hostKernelsActive() || add.size === 0) return null;
  const [n, h, w, cx] = x.shape, ct = add.shape[3];
  const out = runOnHost(
    [a, x, add],
    [add.shape],
    ([as, xs, ds], [q]) => applyLinear(as!, xs!, ds!, q!, n * h * w, cx, ct),
  );
  return out === null ? null : out[0] as tf.Tensor4D;
}

/**
 * The edge-aware weighting Γ (or λ / Γ) on the host (see `edgeWeights`).
 *
 * @param g Guide `[N, H, W, C]` float32.
 * @param edgeRadius Window radius of the local variance.
 * @param edgeEps ε of eq. 3.6.
 * @param lambda λ, or `null` for Γ.
 * @returns `[N, H, W, 1]`, or `null` where the loops do not run.
 */
export function hostEdgeWeights(
  g: tf.Tensor4D,
  edgeRadius: number,
  edgeEps: number,
  lambda: number | null,
): tf.Tensor4D | null {
  if (!hostKernelsActive() || g.size === 0) return null;
  const [n, h, w, c] = g.shape;
  const out = runOnHost(
    [g],
    [[n, h, w, 1]],
    ([gs], [o]) => edgeWeights(gs!, n, h, w, c, edgeRadius, edgeEps, lambda, o!),
  );
  return out === null ? null : out[0] as tf.Tensor4D;
}
