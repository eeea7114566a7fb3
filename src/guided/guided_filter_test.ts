import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertLess, assertThrows } from "@std/assert";
import { boxFilter } from "./box_filter.ts";
import { guidedFilter } from "./guided_filter.ts";
import { decodeArray, loadReference, maxAbsDiff, type StoredArray } from "./_testing.ts";

await tf.setBackend("cpu");

interface Case {
  name: string;
  guide: string;
  src: string;
  radius: number;
  eps: number;
  expected: StoredArray;
}

/**
 * Max error allowed against the float64 reference: float32 window statistics
 * lose ~1e-8 absolute, which the colour form's 3 × 3 inverse amplifies by
 * up to ~1/ε (measured: 1.7e-4 at ε = 0.02², below 2e-6 elsewhere).
 */
function tolerance(c: { guide: string; eps: number }, colour: boolean): number {
  return colour && c.eps < 1e-3 ? 5e-4 : 2e-5;
}

Deno.test("guidedFilter: matches the float64 reference of He et al.'s formulas on real crops", async () => {
  // Values from tools/fixtures/guided_fixtures.py: numpy/SciPy implementation of
  // He, Sun, Tang (TPAMI 2013) eqs. 3.1-3.4 and 3.11, colour guides by
  // numpy.linalg.inv per pixel; crops of data/camera.png, astronaut.png and the
  // aloe pair, with the thesis's (r, eps) settings among them.
  const ref = await loadReference() as { images: Record<string, StoredArray>; guided: Case[] };
  for (const c of ref.guided) {
    const g = decodeArray(ref.images[c.guide]) as tf.Tensor3D;
    const p = decodeArray(ref.images[c.src]) as tf.Tensor3D;
    const expected = decodeArray(c.expected);
    const q = guidedFilter(g, p, { radius: c.radius, eps: c.eps });
    assertEquals(q.shape, p.shape);
    const err = maxAbsDiff(q, expected);
    assertLess(err, tolerance(c, g.shape[2] === 3), `${c.name}: max error ${err}`);
    tf.dispose([g, p, expected, q]);
  }
});

Deno.test("guidedFilter: a huge eps gives the mean of the means (a → 0, q = box(box(I)))", () => {
  const g = tf.randomUniform([10, 12, 3], 0, 1, "float32", 1) as tf.Tensor3D;
  const p = tf.randomUniform([10, 12, 2], 0, 1, "float32", 2) as tf.Tensor3D;
  const q = guidedFilter(g, p, { radius: 2, eps: 1e8 });
  const want = tf.tidy(() => boxFilter(boxFilter(p, 2), 2));
  assertLess(maxAbsDiff(q, want), 1e-5);
  tf.dispose([g, p, q, want]);
});

Deno.test("guidedFilter: reproduces a target that is linear in the guide (eps → 0)", () => {
  // I = 0.5·G + 0.2 is fitted exactly by every window's model.
  const g = tf.randomUniform([9, 9, 1], 0, 1, "float32", 3) as tf.Tensor3D;
  const p = tf.tidy(() => g.mul(0.5).add(0.2)) as tf.Tensor3D;
  const q = guidedFilter(g, p, { radius: 2, eps: 1e-9 });
  assertLess(maxAbsDiff(q, p), 1e-4);
  tf.dispose([g, p, q]);
});

Deno.test("guidedFilter: a batch gives each image's result", () => {
  const g = tf.randomUniform([2, 8, 7, 3], 0, 1, "float32", 4) as tf.Tensor4D;
  const p = tf.randomUniform([2, 8, 7, 1], 0, 1, "float32", 5) as tf.Tensor4D;
  const q = guidedFilter(g, p, { radius: 3, eps: 0.01 });
  for (let i = 0; i < 2; i++) {
    const gi = g.slice(i, 1).squeeze([0]) as tf.Tensor3D;
    const pi = p.slice(i, 1).squeeze([0]) as tf.Tensor3D;
    const qi = guidedFilter(gi, pi, { radius: 3, eps: 0.01 });
    const got = q.slice(i, 1).squeeze([0]);
    assertLess(maxAbsDiff(got, qi), 1e-5);
    tf.dispose([gi, pi, qi, got]);
  }
  tf.dispose([g, p, q]);
});

Deno.test("guidedFilter: gradients match finite differences (colour guide)", () => {
  const g = tf.randomUniform([6, 6, 3], 0, 1, "float32", 6) as tf.Tensor3D;
  const p = tf.randomUniform([6, 6, 1], 0, 1, "float32", 7) as tf.Tensor3D;
  const w = tf.randomUniform([6, 6, 1], 0, 1, "float32", 8) as tf.Tensor3D;
  const f = (gg: tf.Tensor, pp: tf.Tensor) =>
    tf.sum(tf.mul(guidedFilter(gg as tf.Tensor3D, pp as tf.Tensor3D, { radius: 1, eps: 0.05 }), w));
  const [dg, dp] = tf.grads(f)([g, p]);
  const h = 1e-2;
  for (const idx of [0, 17, 50, 107]) {
    const bump = (t: tf.Tensor, d: number) =>
      tf.tidy(() => {
        const v = t.dataSync().slice();
        v[idx] += d;
        return tf.tensor(v, t.shape);
      });
    const num = (t: tf.Tensor, other: tf.Tensor, isGuide: boolean) => {
      const up = bump(t, h), down = bump(t, -h);
      const a = tf.tidy(() => (isGuide ? f(up, other) : f(other, up)).dataSync()[0]);
      const b = tf.tidy(() => (isGuide ? f(down, other) : f(other, down)).dataSync()[0]);
      tf.dispose([up, down]);
      return (a - b) / (2 * h);
    };
    assertAlmostEquals(dg.dataSync()[idx], num(g, p, true), 2e-3);
    if (idx < 36) assertAlmostEquals(dp.dataSync()[idx], num(p, g, false), 2e-3);
  }
  tf.dispose([g, p, w, dg, dp]);
});

Deno.test("guidedFilter: leaks no tensors", () => {
  const g = tf.randomUniform([8, 8, 3], 0, 1, "float32", 9) as tf.Tensor3D;
  const p = tf.randomUniform([8, 8, 3], 0, 1, "float32", 10) as tf.Tensor3D;
  guidedFilter(g, p, { radius: 2 }).dispose();
  const before = tf.memory().numTensors;
  guidedFilter(g, p, { radius: 2 }).dispose();
  const gray = g.mean(2, true) as tf.Tensor3D;
  guidedFilter(gray, p, { radius: 3 }).dispose();
  assertEquals(tf.memory().numTensors, before + 1);
  tf.dispose([g, p, gray]);
});

Deno.test("guidedFilter: rejects bad arguments with their names", () => {
  const g = tf.zeros([4, 4, 1]) as tf.Tensor3D;
  assertThrows(() => guidedFilter(tf.zeros([4, 4, 2]) as tf.Tensor3D, g), RangeError, "guide");
  assertThrows(() => guidedFilter(g, tf.zeros([4, 5, 1]) as tf.Tensor3D), RangeError, "src");
  assertThrows(() => guidedFilter(g, tf.zeros([1, 4, 4, 1]) as tf.Tensor4D), RangeError, "rank");
  assertThrows(() => guidedFilter(g, g, { eps: 0 }), RangeError, "eps");
  assertThrows(() => guidedFilter(g, g, { radius: -2 }), RangeError, "radius");
  g.dispose();
});
