import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertGreater,
  assertLess,
  assertRejects,
} from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../core/backend.ts";
import type { Callback } from "../core/optimize.ts";
import { Rng } from "../core/rng.ts";
import { readImage } from "../io/read.ts";
import { resize } from "../io/resize.ts";
import { addGaussianNoise } from "../io/noise.ts";
import { psnr } from "../metrics/mod.ts";
import {
  CONTROLLED,
  decoder,
  dipInput,
  fitDip,
  type FitDipOptions,
  ORIGINAL_DIP,
  prepareTask,
  skipNet,
} from "./mod.ts";

// Training runs on wasm, the backend that trains on CPU machines.
await useBackend("wasm");

/** The 64x64 denoising problem: chelsea (skimage), σ = 25 on [0, 255], noise seed 1. */
async function chelsea64() {
  const full = await readImage("data/chelsea.png", { channels: 3 });
  const clean = tf.tidy(() =>
    resize(full, [64, 64], { method: "lanczos" }).clipByValue(0, 1)
  ) as tf.Tensor3D;
  full.dispose();
  const noisy = addGaussianNoise(clean, 25, { seed: 1 });
  return { clean, noisy, noisyPsnr: psnr(noisy, clean) };
}

function disposeResult(r: Awaited<ReturnType<typeof fitDip>>) {
  tf.dispose([r.last, r.best?.image, r.smoothed, r.posteriorMean].filter((t) => t !== undefined));
}

Deno.test("the controlled decoder (λ = 2, σ = 0.5) denoises a 64x64 image", async () => {
  const { clean, noisy, noisyPsnr } = await chelsea64();
  // Depth 3 (an 8x8 input): depth 5 would start from 2x2 at this size.
  const net = decoder({ ...CONTROLLED, channels: 16, depth: 3 });
  const r = await fitDip({ net, target: noisy, clean, steps: 100, lr: 0.01, every: 25 });
  // Measured: noisy 20.32 dB, the output 23.2 dB after 100 steps; require +1.5 dB.
  assertGreater(r.history.last("psnr")!, noisyPsnr + 1.5);
  assertGreater(r.best!.psnr, noisyPsnr + 1.5);
  assertEquals(r.history.series("psnr").x, [25, 50, 75, 100]);
  assertEquals(r.last.shape, [64, 64, 3]);
  assertAlmostEquals(psnr(r.last, clean), r.history.last("psnr")!, 1e-4);
  disposeResult(r);
  net.dispose();
  tf.dispose([clean, noisy]);
});

Deno.test("the original deep image prior denoises a 64x64 image", async () => {
  const { clean, noisy, noisyPsnr } = await chelsea64();
  const net = skipNet({ channels: 16, scales: 3 });
  const r = await fitDip({ net, target: noisy, clean, steps: 100, every: 25, ...ORIGINAL_DIP });
  // Measured: noisy 20.32 dB, the output 23.1 dB after 100 steps; require +1.5 dB.
  assertGreater(r.best!.psnr, noisyPsnr + 1.5);
  assert(r.smoothed, "exponential averaging gives a smoothed output");
  assertEquals(r.history.series("psnrSmoothed").x, [25, 50, 75, 100]);
  assertAlmostEquals(psnr(r.smoothed, clean), r.history.last("psnrSmoothed")!, 1e-4);
  disposeResult(r);
  net.dispose();
  tf.dispose([clean, noisy]);
});

/** A small problem for the mechanics tests. */
function tiny(seed = 0) {
  const rng = new Rng(seed + 100);
  const clean = rng.uniform([16, 16, 3]) as tf.Tensor3D;
  const noisy = addGaussianNoise(clean, 25, { seed: seed + 1 });
  const net = decoder({ ...CONTROLLED, channels: 8, depth: 2, seed });
  return { clean, noisy, net, dispose: () => (tf.dispose([clean, noisy]), net.dispose()) };
}

Deno.test("fitDip does not grow the number of tensors across 20 steps", async () => {
  const p = tiny();
  const counts: number[] = [];
  const probe: Callback = {
    onStep: (ctx) => void (ctx.step % 5 === 0 && counts.push(tf.memory().numTensors)),
  };
  const before = tf.memory().numTensors;
  const r = await fitDip({
    net: p.net,
    target: p.noisy,
    clean: p.clean,
    steps: 20,
    every: 5,
    ...ORIGINAL_DIP,
    langevin: { burnIn: 5, sampleEvery: 5 },
    fbc: true,
    callbacks: [probe],
  });
  assertEquals(new Set(counts.slice(1)).size, 1, `tensor counts ${counts}`);
  disposeResult(r);
  assertEquals(tf.memory().numTensors, before);
  p.dispose();
});

Deno.test("a run stopped at step 8 and resumed ends exactly as an uninterrupted run", async () => {
  const dir = await Deno.makeTempDir();
  const options = (net: FitDipOptions["net"], target: tf.Tensor3D, clean: tf.Tensor3D) => ({
    net,
    target,
    clean,
    steps: 14,
    every: 3,
    seed: 5,
    ...ORIGINAL_DIP,
    langevin: { burnIn: 4, sampleEvery: 2 },
    fbc: { bands: 3 },
    autoStop: { window: 3, stop: false },
  });
  const a = tiny(2);
  const full = await fitDip(options(a.net, a.noisy, a.clean));

  const b = tiny(2);
  const abort = new AbortController();
  const killer: Callback = { onStep: (ctx) => void (ctx.step === 8 && abort.abort()) };
  const first = await fitDip({
    ...options(b.net, b.noisy, b.clean),
    checkpoint: { dir, every: 4 },
    callbacks: [killer],
    signal: abort.signal,
  });
  assertEquals(first.steps, 8);
  assertEquals(first.stopped, "signal");
  disposeResult(first);
  b.net.dispose();

  const c = tiny(2); // a fresh network, as in a new process
  const resumed = await fitDip({
    ...options(c.net, c.noisy, c.clean),
    checkpoint: { dir, every: 4 },
    resume: true,
  });
  assertEquals(resumed.steps, 14);
  for (const key of ["loss", "psnr", "psnrSmoothed", "psnrPosterior", "band0", "band2", "ratio"]) {
    assertEquals(resumed.history.series(key), full.history.series(key), key);
  }
  const maxDiff = (x: tf.Tensor, y: tf.Tensor) => tf.sub(x, y).abs().max().dataSync()[0];
  assertEquals(maxDiff(resumed.last, full.last), 0);
  assertEquals(maxDiff(resumed.smoothed!, full.smoothed!), 0);
  assertEquals(maxDiff(resumed.posteriorMean!, full.posteriorMean!), 0);
  assertEquals(resumed.best!.step, full.best!.step);
  for (const r of [full, resumed]) disposeResult(r);
  for (const p of [a, c]) p.dispose();
  tf.dispose([b.clean, b.noisy]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Langevin dynamics adds N(0, (2·lr)²) noise to every convolution kernel", async () => {
  const run = async (langevin: FitDipOptions["langevin"]) => {
    const p = tiny(3);
    const net = decoder({ ...CONTROLLED, channels: 32, depth: 2, seed: 3 });
    await fitDip({ net, target: p.noisy, steps: 1, lr: 0.01, langevin });
    const values = Object.fromEntries(
      Object.entries(net.trainableVariables).map(([k, v]) => [k, v.dataSync().slice()]),
    );
    net.dispose();
    p.dispose();
    return values;
  };
  const plain = await run(false);
  const noisy = await run({ weightDecay: 0 });
  let sq = 0, n = 0;
  for (const [k, v] of Object.entries(plain)) {
    const d = v.map((x, i) => noisy[k][i] - x);
    if (k.endsWith("/w")) {
      for (const x of d) (sq += x * x), n++;
    } else {
      assertEquals(Math.max(...d.map(Math.abs)), 0, `${k} is not a kernel and gets no noise`);
    }
  }
  // 9,600+ kernel entries: the sample std is within 3% of 0.02 with overwhelming probability.
  assertAlmostEquals(Math.sqrt(sq / n), 0.02, 0.02 * 0.03);
});

Deno.test("the posterior mean averages every sampleEvery-th output after burn-in", async () => {
  const p = tiny(4);
  const sampled: tf.Tensor3D[] = [];
  const r = await fitDip({
    net: p.net,
    target: p.noisy,
    clean: p.clean,
    steps: 10,
    every: 1,
    lr: 0.01,
    langevin: { burnIn: 4, sampleEvery: 3 },
    onOutput: (out, step) => void (step > 4 && step % 3 === 0 && sampled.push(out.clone())),
  });
  assertEquals(sampled.length, 2); // steps 6 and 9
  const mean = tf.tidy(() => sampled[0].add(sampled[1]).div(2));
  assertAlmostEquals(tf.sub(mean, r.posteriorMean!).abs().max().dataSync()[0], 0, 1e-6);
  assertEquals(r.history.series("psnrPosterior").x, [6, 7, 8, 9, 10]);
  tf.dispose([mean, ...sampled]);
  disposeResult(r);
  p.dispose();
});

Deno.test("masked pixels do not influence the fit (inpainting)", async () => {
  const run = async (fill: number) => {
    const p = tiny(5);
    const mask = tf.tidy(() =>
      tf.concat([tf.ones([16, 8, 1]), tf.zeros([16, 8, 1])], 1)
    ) as tf.Tensor3D;
    const target = tf.tidy(() =>
      p.noisy.mul(mask).add(tf.scalar(fill).mul(tf.scalar(1).sub(mask)))
    ) as tf.Tensor3D;
    const r = await fitDip({ net: p.net, target, mask, steps: 5 });
    const out = r.last.dataSync().slice();
    const loss = r.history.series("loss").y;
    disposeResult(r);
    tf.dispose([mask, target]);
    p.dispose();
    return { out, loss };
  };
  const a = await run(0), b = await run(1);
  assertEquals(a.loss, b.loss);
  assertEquals(Array.from(a.out), Array.from(b.out));
});

Deno.test("a forward operator maps the output to the target's size (super-resolution)", async () => {
  const p = tiny(6);
  const small = tf.tidy(() => tf.avgPool(p.noisy, 2, 2, "valid")) as tf.Tensor3D;
  const degrade = (x: tf.Tensor4D) => tf.avgPool(x, 2, 2, "valid") as tf.Tensor4D;
  const r = await fitDip({
    net: p.net,
    target: small,
    clean: p.clean,
    outputSize: [16, 16],
    degrade,
    steps: 4,
    every: 2,
    fbc: true,
  });
  assertEquals(r.last.shape, [16, 16, 3]);
  assertEquals(r.history.series("band4").x, [2, 4]);
  await assertRejects(
    () => fitDip({ net: p.net, target: small, outputSize: [16, 16], steps: 1 }),
    RangeError,
    "no degrade operator",
  );
  await assertRejects(
    () => fitDip({ net: p.net, target: small, outputSize: [16, 16], degrade: (x) => x, steps: 1 }),
    RangeError,
    "degrade(net(z)) must have the target's shape [1, 8, 8, 3]",
  );
  disposeResult(r);
  small.dispose();
  p.dispose();
});

Deno.test("automatic stopping ends the run and reports the step", async () => {
  const p = tiny(7);
  const r = await fitDip({
    net: p.net,
    target: p.noisy,
    steps: 50,
    autoStop: { window: 3, epsilon: 1e9 },
  });
  // With a huge ε the criterion holds as soon as two windows exist: after 2n = 6 steps.
  assertEquals(r.stoppedAt, 6);
  assertEquals(r.steps, 6);
  assertEquals(r.stopped, "callback");
  assertEquals(r.history.series("ratio").x, [1, 2, 3, 4, 5, 6]);
  disposeResult(r);
  p.dispose();
});

Deno.test("fitDip validates its options", async () => {
  const p = tiny(8);
  await assertRejects(
    () => fitDip({ net: p.net, target: p.noisy, steps: -1 }),
    RangeError,
    "steps",
  );
  await assertRejects(
    () =>
      fitDip({ net: p.net, target: p.noisy, clean: tf.zeros([8, 8, 3]) as tf.Tensor3D, steps: 1 }),
    RangeError,
    "clean must have shape [16, 16, 3]",
  );
  await assertRejects(
    () =>
      fitDip({ net: p.net, target: p.noisy, mask: tf.ones([16, 16, 2]) as tf.Tensor3D, steps: 1 }),
    RangeError,
    "mask must have 1 or 3 channels",
  );
  const z = dipInput(p.net, [32, 32]);
  await assertRejects(
    () => fitDip({ net: p.net, target: p.noisy, input: z, steps: 1 }),
    RangeError,
    "input",
  );
  z.dispose();
  p.dispose();
});

Deno.test("without steps the result is the untrained network's output", async () => {
  const p = tiny(9);
  const r = await fitDip({ net: p.net, target: p.noisy, clean: p.clean, steps: 0 });
  assertEquals(r.steps, 0);
  assertEquals(r.last.shape, [16, 16, 3]);
  assertLess(r.last.max().dataSync()[0], 1);
  disposeResult(r);
  p.dispose();
});

Deno.test("a prepared task runs through fitDip and is scored as the thesis scores it", async () => {
  const clean = new Rng(10).uniform([32, 32, 3]) as tf.Tensor3D;
  const task = await prepareTask(clean, { kind: "superres", factor: 4 });
  const net = decoder({ ...CONTROLLED, channels: 8, depth: 2 });
  const [h, w] = task.outputShape;
  const r = await fitDip({
    net,
    target: task.target,
    degrade: task.degrade,
    outputSize: [h, w],
    score: (o) => task.score(o).psnr,
    steps: 4,
    every: 2,
  });
  assertEquals(r.history.series("psnr").x, [2, 4]);
  assertAlmostEquals(r.history.last("psnr")!, task.score(r.last).psnr, 1e-9);
  assert(r.best, "a score gives a best output without a clean image");
  disposeResult(r);
  net.dispose();
  task.dispose();
  clean.dispose();
});

Deno.test({
  name: "no tensor growth over 1,000 steps with every measurement on (DIP_SLOW=1)",
  ignore: !Deno.env.get("DIP_SLOW"),
  async fn() {
    const p = tiny(11);
    const seen = new Map<number, [number, number]>();
    const probe: Callback = {
      every: 100,
      onStep: (ctx) => void seen.set(ctx.step, [tf.memory().numTensors, tf.memory().numBytes]),
    };
    const before = tf.memory().numTensors;
    const r = await fitDip({
      net: p.net,
      target: p.noisy,
      clean: p.clean,
      steps: 1000,
      every: 10,
      ...ORIGINAL_DIP,
      langevin: { burnIn: 100, sampleEvery: 10 },
      fbc: true,
      autoStop: { stop: false },
      callbacks: [probe],
    });
    assertEquals(r.steps, 1000);
    // From step 200 on (all accumulators exist) tensors and bytes stay constant.
    const later = [...seen.entries()].filter(([s]) => s >= 200).map(([, v]) => v.join("/"));
    assertEquals(
      new Set(later).size,
      1,
      `tensors/bytes per 100 steps: ${[...seen.values()].join(" ")}`,
    );
    disposeResult(r);
    assertEquals(tf.memory().numTensors, before);
    p.dispose();
  },
});

Deno.test("fitDip reports progress to a sink", async () => {
  const p = tiny(12);
  const updates: number[] = [];
  let done = 0;
  const r = await fitDip({
    net: p.net,
    target: p.noisy,
    steps: 3,
    progress: { update: (step) => void updates.push(step), done: () => void done++ },
  });
  assertEquals(updates, [1, 2, 3]);
  assertEquals(done, 1);
  disposeResult(r);
  p.dispose();
});
