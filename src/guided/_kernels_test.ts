/**
 * The loops of `_kernels.ts` against the formulas evaluated directly in
 * float64 (window sums by brute force, 3 × 3 systems by Gaussian
 * elimination), on odd sizes, radii up to and beyond the image, batches,
 * gray and colour guides, any target channels and per-pixel ε.
 */
import { assertEquals, assertLess } from "@std/assert";
import { applyLinear, boxMean, edgeWeights, guidedSweep } from "./_kernels.ts";
import { bruteBox } from "./_testing.ts";

function random(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  });
}

function solve3(m: number[][], v: number[]): number[] {
  const a = m.map((row, i) => [...row, v[i]!]);
  for (let i = 0; i < 3; i++) {
    let p = i;
    for (let k = i + 1; k < 3; k++) if (Math.abs(a[k]![i]!) > Math.abs(a[p]![i]!)) p = k;
    [a[i], a[p]] = [a[p]!, a[i]!];
    for (let k = 0; k < 3; k++) {
      if (k === i) continue;
      const f = a[k]![i]! / a[i]![i]!;
      for (let j = i; j < 4; j++) a[k]![j]! -= f * a[i]![j]!;
    }
  }
  return a.map((row, i) => row[3]! / row[i]!);
}

/** He et al.'s filter, literally: q, ā and b̄ of one image. */
function reference(
  g: Float32Array,
  cg: number,
  p: Float32Array,
  ct: number,
  h: number,
  w: number,
  r: number,
  eps: (i: number) => number,
) {
  const n = h * w;
  const box = (x: ArrayLike<number>, c: number) => bruteBox(x, [h, w, c], r);
  const mg = box(g, cg), mp = box(p, ct);
  const gg = new Float64Array(n * cg * cg), gp = new Float64Array(n * cg * ct);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < cg; k++) {
      for (let l = 0; l < cg; l++) gg[(i * cg + k) * cg + l] = g[i * cg + k]! * g[i * cg + l]!;
      for (let c = 0; c < ct; c++) gp[(i * cg + k) * ct + c] = g[i * cg + k]! * p[i * ct + c]!;
    }
  }
  const mgg = box(gg, cg * cg), mgp = box(gp, cg * ct);
  const a = new Float64Array(n * cg * ct), b = new Float64Array(n * ct);
  for (let i = 0; i < n; i++) {
    const sigma = Array.from(
      { length: cg },
      (_, k) =>
        Array.from(
          { length: cg },
          (_, l) =>
            mgg[(i * cg + k) * cg + l]! - mg[i * cg + k]! * mg[i * cg + l]! +
            (k === l ? eps(i) : 0),
        ),
    );
    for (let c = 0; c < ct; c++) {
      const cov = Array.from(
        { length: cg },
        (_, k) => mgp[(i * cg + k) * ct + c]! - mg[i * cg + k]! * mp[i * ct + c]!,
      );
      const ak = cg === 1 ? [cov[0]! / sigma[0]![0]!] : solve3(sigma, cov);
      let bc = mp[i * ct + c]!;
      ak.forEach((v, k) => {
        a[(i * cg + k) * ct + c] = v;
        bc -= v * mg[i * cg + k]!;
      });
      b[i * ct + c] = bc;
    }
  }
  const ma = box(a, cg * ct), mb = box(b, ct);
  const q = new Float64Array(n * ct);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < ct; c++) {
      let s = mb[i * ct + c]!;
      for (let k = 0; k < cg; k++) s += ma[(i * cg + k) * ct + c]! * g[i * cg + k]!;
      q[i * ct + c] = s;
    }
  }
  return { q, ma, mb };
}

/** Largest |x − y| / max(1, |y|). */
function relError(x: ArrayLike<number>, y: ArrayLike<number>): number {
  assertEquals(x.length, y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / Math.max(1, Math.abs(y[i]!)));
  }
  return worst;
}

Deno.test("guidedSweep: equals the formulas in float64 (filter and coefficient means)", () => {
  const n = 2;
  for (const [h, w] of [[1, 1], [1, 7], [6, 1], [5, 9], [13, 11]]) {
    for (const cg of [1, 3]) {
      for (const ct of [1, 2, 3]) {
        for (const r of [0, 1, 3, 20]) {
          for (const map of [false, true]) {
            const size = h * w;
            const g = random(n * size * cg, 7 * h + w + cg),
              p = random(n * size * ct, h + 3 * w + ct);
            const epsMap = random(n * size, 5).map((v) => 1e-3 + 0.01 * v);
            const eps = map ? epsMap : 0.01;
            const q = new Float32Array(n * size * ct);
            const a = new Float32Array(n * size * cg * ct), b = new Float32Array(n * size * ct);
            guidedSweep({ data: g, c: cg }, { data: p, c: ct }, n, h, w, r, eps, {
              kind: "filter",
              q,
            });
            guidedSweep({ data: g, c: cg }, { data: p, c: ct }, n, h, w, r, eps, {
              kind: "means",
              a,
              b,
            });
            for (let i = 0; i < n; i++) {
              const want = reference(
                g.subarray(i * size * cg, (i + 1) * size * cg),
                cg,
                p.subarray(i * size * ct, (i + 1) * size * ct),
                ct,
                h,
                w,
                r,
                (j) => (map ? epsMap[i * size + j]! : 0.01),
              );
              const part = (x: Float32Array, c: number) =>
                x.subarray(i * size * c, (i + 1) * size * c);
              const err = Math.max(
                relError(part(q, ct), want.q),
                relError(part(a, cg * ct), want.ma),
                relError(part(b, ct), want.mb),
              );
              // float32 rounding of the outputs
              assertLess(err, 2e-7, `${h}×${w}, Cg ${cg}, Ct ${ct}, r ${r}, map ${map}: ${err}`);
            }
          }
        }
      }
    }
  }
});

Deno.test("guidedSweep: colour guide, tiny ε, bright flat regions: float64 keeps the solve exact", () => {
  // A bright image with flat patches (the case where float32 statistics cancel).
  const [h, w] = [24, 20];
  const g = random(h * w * 3, 3).map((v, i) => 0.95 + 0.05 * (((i / 3) | 0) % 7 === 0 ? v : 0));
  const q = new Float32Array(h * w * 3);
  guidedSweep({ data: g, c: 3 }, { data: g, c: 3 }, 1, h, w, 2, 1e-6, { kind: "filter", q });
  const want = reference(g, 3, g, 3, h, w, 2, () => 1e-6);
  assertLess(relError(q, want.q), 2e-7);
});

Deno.test("boxMean: equals direct summation, any channels, batches, radii beyond the image", () => {
  for (const [h, w, c] of [[1, 1, 1], [7, 5, 3], [4, 9, 2], [12, 3, 1]]) {
    for (const r of [0, 1, 2, 4, 50]) {
      const x = random(2 * h * w * c, h * w + c), y = new Float32Array(x.length);
      boxMean(x, y, 2, h, w, c, r);
      for (let i = 0; i < 2; i++) {
        const s = h * w * c;
        const want = bruteBox(x.subarray(i * s, (i + 1) * s), [h, w, c], r);
        assertLess(relError(y.subarray(i * s, (i + 1) * s), want), 2e-7, `${h}×${w}×${c}, r ${r}`);
      }
    }
  }
});

Deno.test("edgeWeights: Γ from the windowed variance, mean of 1/Γ is 1; λ/Γ; flat windows", () => {
  const [h, w] = [9, 7];
  for (const c of [1, 3]) {
    for (const re of [1, 2]) {
      // half the image flat (variance 0: x = ε exactly), half random
      const g = random(2 * h * w * c, 11 + c).map((v, i) => (((i / c) | 0) % w < 3 ? 0.7 : v));
      const gamma = new Float32Array(2 * h * w), eps = new Float32Array(2 * h * w);
      edgeWeights(g, 2, h, w, c, re, 1e-6, null, gamma);
      edgeWeights(g, 2, h, w, c, re, 1e-6, 0.01, eps);
      for (let b = 0; b < 2; b++) {
        const x = new Float64Array(h * w);
        for (let i = 0; i < h; i++) {
          for (let j = 0; j < w; j++) {
            let total = 0;
            for (let k = 0; k < c; k++) {
              const v: number[] = [];
              for (let u = Math.max(0, i - re); u <= Math.min(h - 1, i + re); u++) {
                for (let t = Math.max(0, j - re); t <= Math.min(w - 1, j + re); t++) {
                  v.push(g[((b * h + u) * w + t) * c + k]!);
                }
              }
              const m = v.reduce((s, e) => s + e, 0) / v.length;
              total += v.reduce((s, e) => s + (e - m) ** 2, 0) / v.length;
            }
            x[i * w + j] = total / c + 1e-6;
          }
        }
        const meanInverse = x.reduce((s, v) => s + 1 / v, 0) / x.length;
        const part = (a: Float32Array) => a.subarray(b * h * w, (b + 1) * h * w);
        const label = `C ${c}, r ${re}`;
        assertLess(relError(part(gamma), x.map((v) => v * meanInverse)), 1e-6, label);
        assertLess(relError(part(eps), x.map((v) => 0.01 / (v * meanInverse))), 1e-6, label);
      }
    }
  }
});

Deno.test("applyLinear: Σₖ a[k·Ct + c]·x_k + add_c", () => {
  const a = Float32Array.from([1, 2, 3, 4, 5, 6]), x = Float32Array.from([10, 100, 1000]);
  const add = Float32Array.from([0.5, 0.25]), out = new Float32Array(2);
  applyLinear(a, x, add, out, 1, 3, 2);
  assertEquals(Array.from(out), [
    1 * 10 + 3 * 100 + 5 * 1000 + 0.5,
    2 * 10 + 4 * 100 + 6 * 1000 + 0.25,
  ]);
});
