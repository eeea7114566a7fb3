import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertRejects,
} from "@std/assert";
import { type DipTask, prepareTask } from "./task.ts";
import { benchmarkLuma } from "./luma.ts";
// Reference values: tools/fixtures/tasks_fixtures.py — Pillow LANCZOS/BICUBIC resizes and JPEG
// (quality q, optimize, progressive), OpenCV YCrCb mapped to [16, 235], skimage PSNR.
import sr from "../../../testdata/tasks_sr.json" with { type: "json" };

await tf.setBackend("cpu");

const u8 = (a: unknown) => tf.div(tf.tensor(a as number[]), 255);
const HR = () => tf.tidy(() => u8(sr.hr)) as tf.Tensor3D;
const gray = (a: unknown) => tf.tidy(() => tf.expandDims(u8(a), -1)) as tf.Tensor3D;

function stats(a: tf.Tensor, b: tf.Tensor): { max: number; mean: number } {
  return tf.tidy(() => {
    const d = tf.abs(tf.sub(a, b));
    return { max: d.max().dataSync()[0], mean: d.mean().dataSync()[0] };
  });
}

Deno.test("benchmarkLuma equals OpenCV's YCrCb luma mapped to [16, 235] (DIP eval script)", () => {
  const hr = HR();
  const y = benchmarkLuma(hr);
  assertEquals(y.shape, [64, 64, 1]);
  const { max } = stats(y, tf.tidy(() => tf.expandDims(tf.tensor(sr.yStudio), -1)));
  assert(max < 1e-5, `max difference ${max}`);
  tf.dispose([hr, y]);
});

Deno.test("superres: LR target and bicubic baseline follow Pillow, score follows the DIP eval", async () => {
  const hr = HR();
  const before = tf.memory().numTensors;
  for (const f of sr.factors) {
    const t = await prepareTask(hr, { kind: "superres", factor: f.factor });
    assertEquals(t.target.shape, [64 / f.factor, 64 / f.factor, 3]);
    assertEquals(t.outputShape, [64, 64, 3]);
    assertEquals([t.steps, t.autoStop], [500 * f.factor, false]);
    assertEquals(t.task, {
      kind: "superres",
      factor: f.factor,
      shave: f.factor,
      kernel: "lanczos2",
      steps: 500 * f.factor,
    });
    // Pillow's LANCZOS (= ANTIALIAS) and BICUBIC on 8-bit images (width pass, rounding, height
    // pass, rounding) are reproduced exactly but for rare 1-level rounding differences
    const pilLr = tf.tidy(() => u8(f.lr));
    const pilBicubic = tf.tidy(() => u8(f.bicubic)) as tf.Tensor3D;
    const lr = stats(t.target, pilLr);
    assert(lr.max <= 1 / 255 + 1e-6 && lr.mean < 0.01 / 255, `LR vs Pillow: ${JSON.stringify(lr)}`);
    const bic = stats(t.baseline!, pilBicubic);
    assert(
      bic.max <= 1 / 255 + 1e-6 && bic.mean < 0.01 / 255,
      `bicubic vs Pillow: ${JSON.stringify(bic)}`,
    );
    // the score of Pillow's bicubic image equals skimage's PSNR on OpenCV's Y, shave = factor
    assertAlmostEquals(t.score(pilBicubic).psnr, f.psnrYBicubicShaveFactor, 1e-4);
    assertAlmostEquals(t.score(t.baseline!).psnr, f.psnrYBicubicShaveFactor, 1e-3);
    assertEquals(t.score(hr).psnr, Infinity);
    const t0 = await prepareTask(hr, { kind: "superres", factor: f.factor, shave: 0 });
    assertAlmostEquals(t0.score(pilBicubic).psnr, f.psnrYBicubicShave0, 1e-4);
    // the operator maps an HR image to the LR grid; on the HR image it is close to the target
    const down = tf.tidy(() => t.degrade!(tf.expandDims(hr, 0) as tf.Tensor4D).squeeze([0]));
    assertEquals(down.shape, t.target.shape);
    const gap = stats(down, t.target);
    assert(gap.mean < 0.02, `Lanczos2 operator vs Pillow Lanczos3 LR: ${JSON.stringify(gap)}`);
    tf.dispose([pilLr, pilBicubic, down]);
    t.dispose();
    t0.dispose();
  }
  assertEquals(tf.memory().numTensors, before);
  hr.dispose();
});

Deno.test("superres: gradients flow through the operator, and bad sizes are refused", async () => {
  const hr = HR();
  const t = await prepareTask(hr, { kind: "superres", factor: 8 });
  const x = tf.tidy(() => tf.variable(tf.fill([1, 64, 64, 3], 0.5) as tf.Tensor4D));
  const { value, grads } = tf.variableGrads(() =>
    tf.mean(tf.squaredDifference(t.degrade!(x), tf.expandDims(t.target, 0))) as tf.Scalar
  );
  const g = grads[x.name].dataSync();
  assert(g.every(Number.isFinite) && g.some((v) => v !== 0));
  tf.dispose([value, grads[x.name], x]);
  t.dispose();
  const odd = tf.zeros([60, 64, 3]) as tf.Tensor3D;
  await assertRejects(
    () => prepareTask(odd, { kind: "superres", factor: 8 }),
    RangeError,
    "divisible by task.factor 8, got shape [60, 64, 3]",
  );
  await assertRejects(
    () => prepareTask(hr, { kind: "superres", factor: 3 }),
    RangeError,
    "factor must be even",
  );
  await assertRejects(
    () => prepareTask(hr, { kind: "superres", factor: 1 }),
    RangeError,
    "task.factor must be >= 2",
  );
  await assertRejects(
    () => prepareTask(hr, { kind: "superres", factor: 4, shave: 40 }),
    RangeError,
    "task.shave 40",
  );
  tf.dispose([hr, odd]);
});

Deno.test("jpeg: Y channel (8-bit, studio swing) compressed; close to Pillow's JPEG", async () => {
  const hr = HR();
  const before = tf.memory().numTensors;
  for (const j of sr.jpeg) {
    const t = await prepareTask(hr, { kind: "jpeg", quality: j.quality });
    assertEquals(t.outputShape, [64, 64, 1]);
    assertEquals(t.degrade, undefined);
    const y8 = gray(sr.y8);
    const y = stats(t.clean, y8);
    y8.dispose();
    assert(
      y.max <= 1 / 255 + 1e-6 && y.mean < 0.05 / 255,
      `Y vs OpenCV 8-bit: ${JSON.stringify(y)}`,
    );
    const pil = gray(j.decoded);
    const vsPil = stats(t.target, pil);
    // imagescript and libjpeg share the IJG tables, not the DCT rounding
    assert(vsPil.mean < 1.5 / 255, `target vs Pillow JPEG q${j.quality}: ${JSON.stringify(vsPil)}`);
    const ours = t.score(t.target).psnr;
    assert(
      Math.abs(ours - j.psnrVsY8) < 0.05,
      `q${j.quality}: PSNR ${ours} vs Pillow ${j.psnrVsY8}`,
    );
    pil.dispose();
    t.dispose();
  }
  // PSNR grows with quality
  const p = [];
  for (const quality of [10, 20, 30]) {
    const t = await prepareTask(hr, { kind: "jpeg", quality });
    p.push(t.score(t.target).psnr);
    t.dispose();
  }
  assert(p[0] < p[1] && p[1] < p[2], `PSNR by quality ${p}`);
  // full-range luma and gray input
  const full = await prepareTask(hr, { kind: "jpeg", quality: 20, luma: "full" });
  const g = gray(sr.y8);
  const fromGray = await prepareTask(g, { kind: "jpeg", quality: 20 });
  assertEquals(stats(fromGray.clean, g).max, 0);
  assertNotEquals(stats(full.clean, g).max, 0);
  full.dispose();
  fromGray.dispose();
  g.dispose();
  assertEquals(tf.memory().numTensors, before);
  hr.dispose();
});

Deno.test("denoise: clipped Gaussian noise of σ/255, seeded, scored by PSNR", async () => {
  const clean = tf.fill([64, 64, 3], 0.5) as tf.Tensor3D;
  const before = tf.memory().numTensors;
  const t = await prepareTask(clean, { kind: "denoise", sigma: 25 }, { seed: 3 });
  const std = tf.tidy(() => tf.moments(tf.sub(t.target, clean)).variance.sqrt().dataSync()[0]);
  assertAlmostEquals(std, 25 / 255, 0.003);
  const psnr = t.score(t.target).psnr;
  assertAlmostEquals(psnr, 20 * Math.log10(255 / 25), 0.2);
  assertEquals(t.score(clean).psnr, Infinity);
  assertEquals([t.steps, t.autoStop, t.degrade], [10_000, true, undefined]);
  const again = await prepareTask(clean, { kind: "denoise", sigma: 25 }, { seed: 3 });
  const other = await prepareTask(clean, { kind: "denoise", sigma: 25 }, { seed: 4 });
  assertEquals(stats(again.target, t.target).max, 0);
  assert(stats(other.target, t.target).max > 0);
  // σ = 50 on a bright image is clipped to [0, 1] as the DIP does
  const bright = tf.fill([32, 32, 1], 0.95) as tf.Tensor3D;
  const b = await prepareTask(bright, { kind: "denoise", sigma: 50 });
  const [lo, hi] = tf.tidy(() => [b.target.min().dataSync()[0], b.target.max().dataSync()[0]]);
  assert(lo >= 0 && hi === 1);
  tf.dispose([t, again, other, b].map((x) => x.target)); // disposing twice below is harmless
  for (const x of [t, again, other, b]) x.dispose();
  bright.dispose();
  assertEquals(tf.memory().numTensors, before);
  for (const sigma of [0, -5, 300, NaN]) {
    await assertRejects(() => prepareTask(clean, { kind: "denoise", sigma }), Error, "task.sigma");
  }
  clean.dispose();
});

Deno.test("inpaint: y0 = x ⊙ m, operator x ⊙ m, no gradient on missing pixels", async () => {
  const clean = tf.randomUniform([32, 48, 3], 0.1, 1, "float32", 2) as tf.Tensor3D;
  const before = tf.memory().numTensors;
  const cases: DipTask[] = [
    { kind: "inpaint", mask: "bernoulli" },
    { kind: "inpaint", mask: "region", ratio: 0.25 },
    { kind: "inpaint", mask: "region", ratio: 0.1, shape: "rect" },
  ];
  for (const task of cases) {
    const t = await prepareTask(clean, task, { seed: 5 });
    assertEquals(t.mask!.shape, [32, 48, 3]);
    const masked = tf.mul(clean, t.mask!);
    assertEquals(stats(t.target, masked).max, 0);
    masked.dispose();
    const x = tf.tidy(() => tf.variable(tf.fill([1, 32, 48, 3], 0.5) as tf.Tensor4D));
    const { value, grads } = tf.variableGrads(() =>
      tf.mean(tf.squaredDifference(t.degrade!(x), tf.expandDims(t.target, 0))) as tf.Scalar
    );
    const g = grads[x.name].dataSync();
    const m = t.mask!.dataSync();
    let onMissing = 0, onKnown = 0;
    for (let i = 0; i < m.length; i++) {
      if (m[i] === 0) onMissing += Math.abs(g[i]);
      else if (g[i] !== 0) onKnown++;
    }
    assertEquals(onMissing, 0);
    assert(onKnown > 0.9 * tf.tidy(() => t.mask!.sum().dataSync()[0]));
    tf.dispose([value, grads[x.name], x]);
    assertEquals(t.score(clean).psnr, Infinity);
    assert(t.score(t.target).psnr < 20, "the masked image scores low against the clean one");
    t.dispose();
  }
  assertEquals(tf.memory().numTensors, before);
  const t = await prepareTask(clean, { kind: "inpaint", mask: "bernoulli" }, { seed: 5 });
  assertEquals((t.task as { dropRate: number }).dropRate, 0.5);
  const dropped = tf.tidy(() => 1 - t.mask!.mean().dataSync()[0]);
  assert(Math.abs(dropped - 0.5) < 0.02, `dropped ${dropped}`);
  const wrong = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
  try {
    t.degrade!(wrong);
    throw new Error("expected a RangeError");
  } catch (e) {
    assert(e instanceof RangeError && e.message.includes("x must have shape [N, 32, 48, 3]"));
  }
  wrong.dispose();
  t.dispose();
  await assertRejects(
    () => prepareTask(clean, { kind: "inpaint", mask: "circle" } as unknown as DipTask),
    RangeError,
    'task.mask must be one of "bernoulli", "region", got string "circle"',
  );
  await assertRejects(
    () => prepareTask(clean, { kind: "inpaint", mask: "region", ratio: 0 }),
    RangeError,
    "ratio must be > 0",
  );
  clean.dispose();
});

Deno.test("score: optional SSIM and an async variant with the same values", async () => {
  const hr = HR();
  const before = tf.memory().numTensors;
  const t = await prepareTask(hr, { kind: "superres", factor: 4 }, { ssim: true });
  const perfect = t.score(hr);
  assertEquals(perfect, { psnr: Infinity, ssim: 1 });
  const s = t.score(t.baseline!);
  assert(s.ssim! > 0.3 && s.ssim! < 1, `bicubic SSIM ${s.ssim}`);
  assertEquals(await t.scoreAsync(t.baseline!), s);
  const plain = await prepareTask(hr, { kind: "denoise", sigma: 15 });
  assertEquals(Object.keys(plain.score(plain.target)), ["psnr"]);
  t.dispose();
  plain.dispose();
  assertEquals(tf.memory().numTensors, before);
  hr.dispose();
});

Deno.test("enhance: the target is x0, finish() unsharp-masks the smooth output", async () => {
  const x0 = tf.tensor3d([[[0.2], [0.2], [0.8], [0.8]]]);
  const xs = tf.tensor3d([[[0.2], [0.35], [0.65], [0.8]]]);
  const t = await prepareTask(x0, { kind: "enhance", lambda: 1 });
  assertEquals([t.steps, t.autoStop, t.degrade], [5_000, false, undefined]);
  assertEquals(t.task, {
    kind: "enhance",
    lambda: 1,
    amount: 1,
    positiveOnly: false,
    steps: 5_000,
  });
  const xe = t.finish(xs);
  const v = Array.from(xe.dataSync());
  [0.2, 0.05, 0.95, 0.8].forEach((want, i) => assertAlmostEquals(v[i], want, 1e-6));
  assertAlmostEquals(t.score(xs).psnr, -10 * Math.log10((0.15 ** 2 * 2) / 4), 1e-4);
  tf.dispose([xe, xs]);
  t.dispose();
  assert(!x0.isDisposed, "the input is never disposed");
  await assertRejects(
    () => prepareTask(x0, { kind: "enhance", lambda: 0 }),
    RangeError,
    "task.lambda must be > 0",
  );
  x0.dispose();
});

Deno.test("prepareTask validates the image, the kind and the output shape", async () => {
  const img = tf.fill([16, 16, 3], 0.5) as tf.Tensor3D;
  await assertRejects(
    () => prepareTask(img, { kind: "deblur" } as unknown as DipTask),
    RangeError,
    'task.kind must be one of "denoise", "jpeg", "inpaint", "superres", "enhance", got string "deblur"',
  );
  await assertRejects(
    () => prepareTask(img, null as unknown as DipTask),
    TypeError,
    "task must be a task object",
  );
  for (const quality of [0, 101, 10.5]) {
    await assertRejects(
      () => prepareTask(img, { kind: "jpeg", quality }),
      RangeError,
      "task.quality",
    );
  }
  const big = tf.fill([8, 8, 3], 255) as tf.Tensor3D;
  await assertRejects(
    () => prepareTask(big, { kind: "denoise", sigma: 25 }),
    RangeError,
    "clean must hold values in [0, 1], got [255, 255]",
  );
  await assertRejects(
    () => prepareTask(tf.zeros([8, 8, 2]) as tf.Tensor3D, { kind: "denoise", sigma: 25 }),
    RangeError,
    "clean must be an HWC image with 1 or 3 channels",
  );
  const t = await prepareTask(img, { kind: "denoise", sigma: 15, steps: 300 });
  assertEquals(t.steps, 300);
  const wrong = tf.zeros([16, 16, 1]) as tf.Tensor3D;
  try {
    t.score(wrong);
    throw new Error("expected a RangeError");
  } catch (e) {
    assert(
      e instanceof RangeError &&
        e.message === "output must have shape [16, 16, 3], got [16, 16, 1]",
    );
  }
  tf.dispose([img, big, wrong]);
  t.dispose();
});
