import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../../core/backend.ts";
import {
  lanczosDownsample,
  LanczosDownsampler,
  lanczosKernel,
  lanczosKernel1d,
} from "./lanczos.ts";
// Reference values: tools/fixtures/tasks_fixtures.py (numpy double loop over the DIP's published
// Lanczos formula; np.pad(mode="edge") + direct strided correlation).
import fixture from "../../../testdata/tasks_lanczos.json" with { type: "json" };

await tf.setBackend("cpu");

type Case = (typeof fixture.cases)[number];
const options = (c: Case) => ({
  kernel: c.kernel as "lanczos2" | "lanczos3",
  phase: c.phase as 0 | 0.5,
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEquals(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function fixtureImage(shape: number[]): tf.Tensor4D {
  const [h, w] = shape;
  const rows = (fixture.image as number[][][]).slice(0, h).map((r) => r.slice(0, w));
  return tf.tensor4d([rows]);
}

Deno.test("lanczosKernel matches the numpy DIP kernel for every fixture case", () => {
  for (const c of fixture.cases) {
    const k = lanczosKernel(c.factor, options(c));
    assertEquals(k.length, c.kernelSize);
    const err = maxAbsDiff(k.flat(), c.kernel2d.flat());
    assert(err < 1e-12, `${c.kernel} f=${c.factor} phase=${c.phase}: max error ${err}`);
    assertAlmostEquals(lanczosKernel1d(c.factor, options(c)).reduce((a, b) => a + b, 0), 1, 1e-12);
  }
});

Deno.test("lanczosKernel sizes: 4f taps for lanczos2 at phase 0.5, 4f+1 at phase 0, 6f for lanczos3", () => {
  assertEquals(lanczosKernel1d(4).length, 16);
  assertEquals(lanczosKernel1d(8).length, 32);
  assertEquals(lanczosKernel1d(4, { phase: 0 }).length, 17);
  assertEquals(lanczosKernel1d(4, { kernel: "lanczos3" }).length, 24);
  // symmetric
  const k = lanczosKernel1d(8);
  for (let i = 0; i < k.length; i++) assertAlmostEquals(k[i], k[k.length - 1 - i], 1e-15);
});

Deno.test("lanczosDownsample matches the numpy reference to 1e-5", () => {
  for (const c of fixture.cases) {
    const x = fixtureImage(c.inputShape);
    const y = lanczosDownsample(x, c.factor, options(c));
    assertEquals(y.shape, [1, ...c.outputShape]);
    const err = maxAbsDiff(y.dataSync(), (c.output as number[][][]).flat(2));
    assert(err < 1e-5, `${c.kernel} f=${c.factor} phase=${c.phase}: max error ${err}`);
    x.dispose();
    y.dispose();
  }
});

Deno.test("LanczosDownsampler: batches, shape, constant preserved, gradients flow, no leaks", () => {
  const x = tf.randomUniform([2, 16, 24, 3], 0, 1, "float32", 1) as tf.Tensor4D;
  const start = tf.memory().numTensors;
  const down = new LanczosDownsampler(4);
  assertEquals([down.kernelSize, down.pad], [16, 6]);
  down.apply(x).dispose(); // caches the 16- and 24-pixel axis matrices
  const before = tf.memory().numTensors;
  assertEquals(before, start + 2);
  const y = down.apply(x);
  assertEquals(y.shape, [2, 4, 6, 3]);
  // batch items are independent: the second item equals downsampling it alone
  const err = tf.tidy(() => {
    const alone = down.apply(tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]));
    return maxAbsDiff(alone.dataSync(), tf.slice(y, [1, 0, 0, 0], [1, -1, -1, -1]).dataSync());
  });
  assert(err < 1e-6, `batch item differs by ${err}`);
  y.dispose();
  assertEquals(tf.memory().numTensors, before);

  const c = tf.fill([1, 16, 16, 1], 0.3) as tf.Tensor4D;
  const yc = down.apply(c);
  assert(maxAbsDiff(yc.dataSync(), new Float32Array(16).fill(0.3)) < 1e-6);
  tf.dispose([c, yc]);

  const g = tf.grad((t: tf.Tensor) => down.apply(t as tf.Tensor4D).square().sum())(x);
  const gv = g.dataSync();
  assert(gv.every(Number.isFinite), "gradient is finite");
  assert(gv.some((v) => v !== 0), "gradient is non-zero");
  // the downsampler is linear with a kernel summing to 1: d sum(D x)/dx sums to (H/f)(W/f) per plane
  const gs = tf.grad((t: tf.Tensor) => down.apply(t as tf.Tensor4D).sum())(x);
  assertAlmostEquals(tf.tidy(() => gs.sum().dataSync()[0]), 2 * 3 * 4 * 6, 1e-3);
  tf.dispose([g, gs]);
  assertEquals(tf.memory().numTensors, before);
  down.dispose();
  assertEquals(tf.memory().numTensors, start);
  x.dispose();
});

Deno.test("Lanczos downsampler rejects bad factors, phases and sizes", () => {
  assertThrows(() => lanczosKernel1d(1), RangeError, "factor must be >= 2");
  assertThrows(() => lanczosKernel1d(2.5), RangeError, "factor must be an integer");
  assertThrows(() => lanczosKernel1d(3), RangeError, "factor must be even for phase 0.5");
  assertThrows(
    () => lanczosKernel1d(4, { phase: 0.25 as 0 }),
    RangeError,
    "phase must be 0 or 0.5",
  );
  assertThrows(
    () => lanczosKernel1d(4, { kernel: "box" as "lanczos2" }),
    RangeError,
    "kernel must be one of",
  );
  const down = new LanczosDownsampler(4);
  const x = tf.zeros([1, 18, 16, 1]) as tf.Tensor4D;
  assertThrows(() => down.apply(x), RangeError, "divisible by factor 4, got shape [1, 18, 16, 1]");
  assertThrows(
    () => down.apply(tf.zeros([16, 16, 1]) as unknown as tf.Tensor4D),
    RangeError,
    "x must have shape",
  );
  down.dispose();
  assertThrows(() => down.apply(x), Error, "disposed");
  x.dispose();
});

Deno.test("LanczosDownsampler gives the cpu result and a gradient on the wasm backend", async () => {
  const data = tf.tidy(() => tf.randomUniform([1, 32, 32, 3], 0, 1, "float32", 4).dataSync());
  const run = () =>
    tf.tidy(() => {
      const down = new LanczosDownsampler(8);
      const x = tf.tensor4d(data, [1, 32, 32, 3]);
      const y = down.apply(x);
      const g = tf.grad((t: tf.Tensor) => down.apply(t as tf.Tensor4D).square().sum())(x);
      const out = { y: y.dataSync(), g: g.dataSync() };
      down.dispose();
      return out;
    });
  const cpu = run();
  await useBackend("wasm");
  try {
    const before = tf.memory().numTensors;
    const wasm = run();
    assertEquals(tf.memory().numTensors, before);
    assert(maxAbsDiff(wasm.y, cpu.y) < 1e-5);
    assert(wasm.g.every(Number.isFinite) && maxAbsDiff(wasm.g, cpu.g) < 1e-5);
    assert(wasm.g.some((v) => v !== 0));
  } finally {
    await useBackend("cpu");
  }
});
