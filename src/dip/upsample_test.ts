import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng.ts";
import {
  bilinearUpsample,
  gaussianPhaseTaps,
  gaussianUpsample,
  gaussianUpsampleKernel,
  nearestUpsample,
  Upsample,
} from "./upsample.ts";

await tf.setBackend("cpu");

/** The author's `get_kernel(5, σ)` (code/models/common.py), re-derived: offsets halved, sum 1. */
function authorKernel(sigma: number): number[][] {
  const k: number[][] = [];
  for (let i = 1; i <= 5; i++) {
    const row: number[] = [];
    for (let j = 1; j <= 5; j++) {
      const di = (i - 3) / 2, dj = (j - 3) / 2;
      row.push(Math.exp(-(di * di + dj * dj) / (2 * sigma * sigma)));
    }
    k.push(row);
  }
  const total = k.flat().reduce((a, b) => a + b, 0);
  return k.map((r) => r.map((v) => v / total));
}

/**
 * Direct 2-D reference: bed-of-nails expansion by s (input j at output s·j, zeros outside the
 * image), then the full size×size kernel; `renormalise` divides by the weights that land inside.
 */
function directUpsample(
  x: number[][],
  s: number,
  kernel: number[][],
  renormalise: boolean,
): number[][] {
  const h = x.length, w = x[0].length, r = (kernel.length - 1) / 2;
  const out: number[][] = [];
  for (let o1 = 0; o1 < s * h; o1++) {
    const row: number[] = [];
    for (let o2 = 0; o2 < s * w; o2++) {
      let acc = 0, weight = 0;
      for (let d1 = -r; d1 <= r; d1++) {
        for (let d2 = -r; d2 <= r; d2++) {
          const b1 = o1 - d1, b2 = o2 - d2;
          if (b1 % s !== 0 || b2 % s !== 0 || b1 < 0 || b2 < 0 || b1 >= s * h || b2 >= s * w) {
            continue;
          }
          acc += kernel[d1 + r][d2 + r] * x[b1 / s][b2 / s];
          weight += kernel[d1 + r][d2 + r];
        }
      }
      row.push(renormalise ? acc / weight : acc);
    }
    out.push(row);
  }
  return out;
}

function toGrid(t: tf.Tensor): number[][] {
  return (t.squeeze([0, 3]) as tf.Tensor2D).arraySync();
}

function assertGridClose(actual: number[][], expected: number[][], tol: number) {
  assertEquals(actual.length, expected.length);
  actual.forEach((row, i) => row.forEach((v, j) => assertAlmostEquals(v, expected[i][j], tol)));
}

for (const scale of [2, 3]) {
  for (const sigma of [0.1, 0.25, 0.5, 1, 2]) {
    Deno.test(`interpolating Gaussian upsampling keeps a constant constant (s=${scale}, σ=${sigma})`, () => {
      const x = tf.fill([1, 5, 4, 2], 0.37) as tf.Tensor4D;
      const y = gaussianUpsample(x, { scale, sigma });
      assertEquals(y.shape, [1, 5 * scale, 4 * scale, 2]);
      assertAlmostEquals(y.min().dataSync()[0], 0.37, 1e-6);
      assertAlmostEquals(y.max().dataSync()[0], 0.37, 1e-6);
      tf.dispose([x, y]);
    });
  }
}

Deno.test("σ = 0 is the plain bed-of-nails expansion in both normalisations", () => {
  const x = new Rng(1).uniform([1, 3, 4, 1]) as tf.Tensor4D;
  const xs = toGrid(x);
  for (const normalization of ["interpolating", "unit-sum"] as const) {
    const y = toGrid(gaussianUpsample(x, { sigma: 0, normalization }));
    y.forEach((row, i) =>
      row.forEach((v, j) =>
        assertAlmostEquals(v, i % 2 === 0 && j % 2 === 0 ? xs[i / 2][j / 2] : 0, 1e-7)
      )
    );
  }
  x.dispose();
});

Deno.test("the unit-sum kernel is the author's get_kernel (5x5, sums to 1)", () => {
  for (const sigma of [0.1, 0.5, 1]) {
    const k = gaussianUpsampleKernel({ sigma, normalization: "unit-sum" });
    assertGridClose(k, authorKernel(sigma), 1e-12);
  }
});

Deno.test("the interpolating kernel sums to s² with every phase summing to 1", () => {
  const k = gaussianUpsampleKernel({ sigma: 0.5 });
  assertAlmostEquals(k.flat().reduce((a, b) => a + b, 0), 4, 1e-12);
  for (let p = 0; p < 2; p++) {
    for (let q = 0; q < 2; q++) {
      let sum = 0;
      for (let i = p; i < 5; i += 2) for (let j = q; j < 5; j += 2) sum += k[i][j];
      assertAlmostEquals(sum, 1, 1e-12);
    }
  }
});

Deno.test("unit-sum upsampling equals the author's transposed convolution (zero borders)", () => {
  const x = new Rng(3).uniform([1, 4, 5, 1]) as tf.Tensor4D;
  const y = gaussianUpsample(x, { sigma: 0.5, normalization: "unit-sum" });
  assertGridClose(toGrid(y), directUpsample(toGrid(x), 2, authorKernel(0.5), false), 1e-6);
  tf.dispose([x, y]);
});

for (const scale of [2, 3]) {
  Deno.test(`interpolating upsampling equals the direct 2-D filter, renormalised at borders (s=${scale})`, () => {
    const x = new Rng(4).uniform([1, 4, 3, 1]) as tf.Tensor4D;
    const y = gaussianUpsample(x, { sigma: 0.7, scale });
    const kernel = gaussianUpsampleKernel({ sigma: 0.7, scale });
    assertGridClose(toGrid(y), directUpsample(toGrid(x), scale, kernel, true), 1e-6);
    tf.dispose([x, y]);
  });
}

Deno.test("the Gaussian upsampling gradient is its adjoint", () => {
  const rng = new Rng(6);
  for (const normalization of ["interpolating", "unit-sum"] as const) {
    const x = rng.normalTensor([1, 4, 4, 3]) as tf.Tensor4D;
    const w = rng.normalTensor([1, 8, 8, 3]);
    const up = (a: tf.Tensor) => gaussianUpsample(a as tf.Tensor4D, { sigma: 0.5, normalization });
    const g = tf.grad((a: tf.Tensor) => up(a).mul(w).sum())(x);
    // <Up x, w> = <x, Upᵀ w> for the linear map Up.
    assertAlmostEquals(up(x).mul(w).sum().dataSync()[0], x.mul(g).sum().dataSync()[0], 1e-3);
    tf.dispose([x, w, g]);
  }
});

Deno.test("a tiny σ does not underflow: it tends to nearest-tap interpolation", () => {
  const phases = gaussianPhaseTaps({ sigma: 0.01 });
  assertEquals(phases[0], [{ m: 0, w: 1 }]);
  assertEquals(phases[1].map((t) => t.w), [0.5, 0.5]);
  // The author's unit-sum kernel underflows to bed of nails, as it does in float64 there.
  assertEquals(gaussianPhaseTaps({ sigma: 0.01, normalization: "unit-sum" })[1], []);
});

Deno.test("bilinear upsampling matches PyTorch align_corners=False", () => {
  // PyTorch: F.interpolate([[0, 1]], scale_factor=2, mode="linear") = [0, 0.25, 0.75, 1].
  const x = tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1]);
  const y = toGrid(bilinearUpsample(x));
  const a = [[1, 0], [0.75, 0.25], [0.25, 0.75], [0, 1]];
  const xs = [[0, 1], [2, 3]];
  const expected = a.map((ar) =>
    a.map((ac) =>
      ar[0] * (ac[0] * xs[0][0] + ac[1] * xs[0][1]) + ar[1] * (ac[0] * xs[1][0] + ac[1] * xs[1][1])
    )
  );
  assertGridClose(y, expected, 1e-6);
  assertEquals(y[0], [0, 0.25, 0.75, 1]);
  x.dispose();
});

Deno.test("nearest upsampling repeats each pixel s×s times", () => {
  const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  assertEquals(toGrid(nearestUpsample(x, 2)), [
    [1, 1, 2, 2],
    [1, 1, 2, 2],
    [3, 3, 4, 4],
    [3, 3, 4, 4],
  ]);
  x.dispose();
});

Deno.test("Upsample validates its options and does not leak", () => {
  assertThrows(() => new Upsample({ mode: "cubic" as "nearest" }), RangeError, "mode");
  assertThrows(() => new Upsample({ mode: "gaussian", sigma: -1 }), RangeError, "sigma");
  assertThrows(() => new Upsample({ mode: "gaussian", size: 4 }), RangeError, "odd");
  const x = tf.ones([1, 3, 3, 2]) as tf.Tensor4D;
  for (const mode of ["bilinear", "nearest", "gaussian"] as const) {
    const before = tf.memory().numTensors;
    const y = new Upsample({ mode }).apply(x);
    assertEquals(tf.memory().numTensors, before + 1);
    assertEquals(y.shape, [1, 6, 6, 2]);
    y.dispose();
  }
  x.dispose();
});
