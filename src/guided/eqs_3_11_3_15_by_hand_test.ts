/**
 * The guided filter (eqs. 3.1–3.4, 3.11) and the unsharp-mask guided filter
 * (eqs. 3.13–3.15) checked term by term on a 3 × 3 example worked by hand:
 * every window mean, variance, covariance, coefficient, averaged coefficient,
 * cascade and output below was computed with exact fractions (the fractions
 * are in the comments; the decimals are them rounded to 6 places).
 *
 * Conventions checked: windows of radius r = 1 cut to the image and
 * normalised by the number of pixels inside (4 at a corner, 6 on an edge, 9
 * in the centre: He et al.'s `boxfilter(I, r) ./ N`); ā and b̄ are the same
 * box mean of a and b (eq. 3.11); F_L is two cascaded box filters of the
 * guided filter's radius (the author's `umgf_guidedfilter.m`, n = 1) on the
 * guide and on the target; f_a = ā (eq. 3.14).
 */
import * as tf from "@tensorflow/tfjs";
import { assertLess } from "@std/assert";
import { boxFilter } from "./box_filter.ts";
import { guidedFilter } from "./guided_filter.ts";
import { guidedCoefficients } from "./_coefficients.ts";
import { boxPlanes, fromPlanes, type Planes, toPlanes } from "./_planar.ts";
import { unsharpMaskGuidedFilterParts } from "./unsharp_mask_guided_filter.ts";

await tf.setBackend("cpu");

// Guide G and target I (gray), radius 1, ε = 1/10.
const G = [[0, 0, 1], [0, 1, 1], [1, 1, 1]];
const I = [[0, 1, 0], [1, 0, 1], [0, 1, 1]];
const R = 1, EPS = 0.1;

const HAND = {
  // μ_G = box(G): corner (0,0) window {0,0,0,1} / 4 = 1/4; centre 6/9 = 2/3.
  meanG: [[0.25, 0.5, 0.75], [0.5, 0.666667, 0.833333], [0.75, 0.833333, 1]],
  // μ_I = box(I): 1/2 1/2 1/2 | 1/2 5/9 2/3 | 1/2 2/3 3/4.
  meanI: [[0.5, 0.5, 0.5], [0.5, 0.555556, 0.666667], [0.5, 0.666667, 0.75]],
  // σ² = box(G²) − μ_G²: 3/16 1/4 3/16 | 1/4 2/9 5/36 | 3/16 5/36 0.
  varG: [[0.1875, 0.25, 0.1875], [0.25, 0.222222, 0.138889], [0.1875, 0.138889, 0]],
  // cov = box(G·I) − μ_G μ_I: −1/8 −1/12 −1/8 | −1/12 −1/27 −1/18 | −1/8 −1/18 0.
  cov: [[-0.125, -0.083333, -0.125], [-0.083333, -0.037037, -0.055556], [-0.125, -0.055556, 0]],
  // a = cov / (σ² + ε) (eq. 3.3): −10/23 −5/21 −10/23 | −5/21 −10/87 −10/43 | −10/23 −10/43 0.
  a: [[-0.434783, -0.238095, -0.434783], [-0.238095, -0.114943, -0.232558], [
    -0.434783,
    -0.232558,
    0,
  ]],
  // b = μ_I − a μ_G (eq. 3.4): 14/23 13/21 19/23 | 13/21 55/87 37/43 | 19/23 37/43 3/4.
  b: [[0.608696, 0.619048, 0.826087], [0.619048, 0.632184, 0.860465], [0.826087, 0.860465, 0.75]],
  // ā = box(a): −2395/9338 at (0,0), −473930/1806903 in the centre, −1085/7482 at (2,2).
  aBar: [[-0.256479, -0.282209, -0.255095], [-0.282209, -0.262289, -0.208823], [
    -0.255095,
    -0.208823,
    -0.145015,
  ]],
  // b̄ = box(b): 34723/56028 at (0,0), 46435/59856 at (2,2).
  bBar: [[0.619744, 0.694254, 0.734446], [0.694254, 0.733564, 0.758041], [
    0.734446,
    0.758041,
    0.775779,
  ]],
  // q = ā G + b̄ (eq. 3.11): 34723/56028 at (0,0), 12585/19952 at (2,2).
  gf: [[0.619744, 0.694254, 0.479351], [0.694254, 0.471276, 0.549219], [
    0.479351,
    0.549219,
    0.630764,
  ]],
  // F_L(G) = box(box(G)): 23/48 7/12 11/16 | 7/12 73/108 55/72 | 11/16 55/72 5/6.
  lowG: [[0.479167, 0.583333, 0.6875], [0.583333, 0.675926, 0.763889], [
    0.6875,
    0.763889,
    0.833333,
  ]],
  // F_L(I) = box(box(I)): 37/72 29/54 5/9 | 29/54 185/324 131/216 | 5/9 131/216 95/144.
  lowI: [[0.513889, 0.537037, 0.555556], [0.537037, 0.570988, 0.606481], [
    0.555556,
    0.606481,
    0.659722,
  ]],
  // Î = ā (G − F_L(G)) + F_L(I) (eq. 3.14): 37229/58464 at (0,0), 114125/179568 at (2,2).
  ours: [[0.636785, 0.701659, 0.475838], [0.701659, 0.485987, 0.557176], [
    0.475838,
    0.557176,
    0.635553,
  ]],
};

const img = (rows: number[][]) => tf.tensor3d(rows.flat(), [3, 3, 1]);
const planesOf = (rows: number[][]) => toPlanes(img(rows).expandDims(0) as tf.Tensor4D);

function assertClose(actual: tf.Tensor, expected: number[][], what: string, tol = 2e-6) {
  const a = actual.dataSync();
  const e = expected.flat();
  const err = Math.max(...e.map((v, i) => Math.abs(a[i] - v)));
  assertLess(err, tol, `${what}: max error ${err}, got ${Array.from(a).map((v) => v.toFixed(6))}`);
}

Deno.test("by hand: box windows are cut at the border and normalised by their pixel count", () => {
  tf.tidy(() => {
    assertClose(boxFilter(img(G), R), HAND.meanG, "μ_G");
    assertClose(boxFilter(img(I), R), HAND.meanI, "μ_I");
  });
});

Deno.test("by hand: the guided filter's a, b (eqs. 3.3–3.4) and output ā G + b̄ (eq. 3.11)", () => {
  tf.tidy(() => {
    const c = guidedCoefficients(planesOf(G), planesOf(I), R, EPS);
    assertClose(c.a, HAND.a, "a");
    assertClose(c.b, HAND.b, "b");
    assertClose(boxPlanes(c.a, R), HAND.aBar, "ā");
    assertClose(boxPlanes(c.b, R), HAND.bBar, "b̄");
    assertClose(guidedFilter(img(G), img(I), { radius: R, eps: EPS }), HAND.gf, "q");
  });
});

Deno.test("by hand: the unsharp-mask guided filter's terms (eqs. 3.13–3.15)", () => {
  tf.tidy(() => {
    const p = unsharpMaskGuidedFilterParts(img(G), img(I), { radius: R, eps: EPS });
    assertClose(p.amount, HAND.aBar, "f_a = ā");
    const gMinusLow = G.map((row, i) => row.map((v, j) => v - HAND.lowG[i][j]));
    assertClose(p.guideMask, gMinusLow, "G − F_L(G), F_L = box ∘ box");
    assertClose(p.lowPassSrc, HAND.lowI, "F_L(I)");
    assertClose(p.output, HAND.ours, "Î");
  });
});

Deno.test("by hand: the two filters differ by exactly the term eq. 3.14 drops", () => {
  // b̄ = box(μ_I) − box(a μ_G) = F_L(I) − box(a μ_G), so
  // q − Î = ā F_L(G) − box(a μ_G): nothing else (windows, cascade, borders) differs.
  // Gray: the hand example; colour: a 3-channel guide and target (vector form, 3 × 3 ā).
  tf.tidy(() => {
    const cases: [tf.Tensor3D, tf.Tensor3D][] = [
      [img(G), img(I)],
      [
        tf.randomUniform([7, 9, 3], 0, 1, "float32", 11) as tf.Tensor3D,
        tf.randomUniform([7, 9, 3], 0, 1, "float32", 12) as tf.Tensor3D,
      ],
    ];
    for (const [g, t] of cases) {
      const radius = 2, eps = 0.05;
      const q = guidedFilter(g, t, { radius, eps });
      const ours = unsharpMaskGuidedFilterParts(g, t, { radius, eps }).output;
      const gp = toPlanes(g.expandDims(0) as tf.Tensor4D);
      const c = guidedCoefficients(gp, toPlanes(t.expandDims(0) as tf.Tensor4D), radius, eps);
      const cg = g.shape[2], ct = t.shape[2];
      const meanG = boxPlanes(gp, radius), lowG = boxPlanes(meanG, radius);
      const terms: tf.Tensor[] = [];
      for (let k = 0; k < cg; k++) {
        const ak = tf.slice(c.a, [k * ct, 0, 0, 0], [ct, -1, -1, -1]);
        const gk = tf.slice(meanG, [k, 0, 0, 0], [1, -1, -1, -1]);
        const lk = tf.slice(lowG, [k, 0, 0, 0], [1, -1, -1, -1]);
        terms.push(tf.sub(tf.mul(boxPlanes(ak, radius), lk), boxPlanes(tf.mul(ak, gk), radius)));
      }
      const dropped = fromPlanes(tf.addN(terms) as Planes).squeeze([0]);
      const err = tf.sub(tf.sub(q, ours), dropped).abs().max().dataSync()[0];
      assertLess(err, 1e-5, `${cg}-channel guide: q − Î − dropped term = ${err}`);
    }
  });
});
