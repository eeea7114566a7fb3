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
    backtrack: true,
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

Deno.test("fitDip refuses a budget below one step and NaN images before training", async () => {
  const p = tiny(9);
  const before = Array.from(p.net.trainableVariables["block0/conv/w"].dataSync());
  await assertRejects(
    () => fitDip({ net: p.net, target: p.noisy, steps: 0 }),
    RangeError,
    "steps must be >= 1, got 0",
  );
  const nan = tf.tidy(() => p.noisy.where(tf.range(0, 16).reshape([16, 1, 1]).greater(1), NaN));
  let stepped = 0;
  const probe: Callback = { onStep: () => void stepped++ };
  await assertRejects(
    () => fitDip({ net: p.net, target: nan as tf.Tensor3D, steps: 5, callbacks: [probe] }),
    RangeError,
    "target must hold finite values, got 96 NaN or infinite of 768 (shape [16, 16, 3])",
  );
  const inf = tf.tidy(() => p.clean.div(tf.sub(p.clean, p.clean.max()))) as tf.Tensor3D;
  await assertRejects(
    () => fitDip({ net: p.net, target: p.noisy, clean: inf, steps: 5, callbacks: [probe] }),
    RangeError,
    "clean must hold finite values",
  );
  assertEquals(stepped, 0);
  assertEquals(Array.from(p.net.trainableVariables["block0/conv/w"].dataSync()), before);
  tf.dispose([nan, inf]);
  p.dispose();
});

Deno.test("dipInput: 'fourier' fits from the author's input, seeded as the default", async () => {
  const lossOf = async (options: Partial<FitDipOptions>) => {
    const p = tiny(13);
    const r = await fitDip({ net: p.net, target: p.noisy, steps: 2, seed: 4, ...options });
    disposeResult(r);
    const loss = r.history.series("loss").y;
    p.dispose();
    return loss;
  };
  const p = tiny(13);
  const z = dipInput(p.net, [16, 16], { seed: new Rng(4).int(2 ** 31), kind: "fourier" });
  p.dispose();
  const fourier = await lossOf({ dipInput: "fourier" });
  assertEquals(fourier, await lossOf({ input: z }));
  assert(fourier[0] !== (await lossOf({}))[0], "the Fourier input differs from the uniform one");
  assertEquals(await lossOf({}), await lossOf({ dipInput: "uniform" }));
  await assertRejects(() => lossOf({ input: z, dipInput: "fourier" }), RangeError, "got both");
  await assertRejects(
    () => lossOf({ dipInput: "meshgrid" as "fourier" }),
    RangeError,
    "dipInput must be one of",
  );
  z.dispose();
});

/**
 * At step `at`, a callback saturates the output head (bias 30: every pixel
 * near 1), so that the next step's fit falls by ~6 dB on the tiny problem.
 */
function saboteur(net: FitDipOptions["net"], at: number): Callback {
  return {
    onStep: (ctx) => {
      if (ctx.step === at) {
        tf.tidy(() => net.trainableVariables["out/conv/b"].assign(tf.fill([3], 30)));
      }
    },
  };
}

const paramsOf = (net: FitDipOptions["net"]) =>
  Object.fromEntries(
    Object.entries(net.trainableVariables).map(([k, v]) => [k, Float64Array.from(v.dataSync())]),
  );

Deno.test("backtracking restores the last good parameters and applies the step's update", async () => {
  // θ_5 (the parameters of step 5's forward pass) and the sabotaged θ_6, read by a probe.
  const run = async (backtrack: boolean) => {
    const p = tiny(14);
    const seen: Record<number, Record<string, Float64Array>> = {};
    const probe: Callback = {
      onStep: (ctx) => void ([4, 5].includes(ctx.step) && (seen[ctx.step + 1] = paramsOf(p.net))),
    };
    const r = await fitDip({
      net: p.net,
      target: p.noisy,
      steps: 6,
      lr: 0.01,
      backtrack: backtrack && { drop: 2 },
      callbacks: [saboteur(p.net, 5), probe],
    });
    const after = paramsOf(p.net);
    const history = r.history;
    disposeResult(r);
    p.dispose();
    return { seen, after, history };
  };
  const plain = await run(false), guarded = await run(true);
  const loss = plain.history.series("loss").y;
  // Measured: the fit's PSNR falls from 10.9 to 5.0 dB at step 6; require 4 dB (threshold 2).
  const drop = 10 * Math.log10(loss[5] / loss[4]);
  assertGreater(drop, 4);
  assertEquals(guarded.history.series("backtrack").x, [6]);
  assertAlmostEquals(guarded.history.series("backtrack").y[0], drop, 1e-3);
  assertEquals(plain.history.series("backtrack").x, []);
  // Expected: θ_5 + (θ_6 after Adam − θ_6), with the unguarded run's identical first 6 steps.
  let worst = 0;
  for (const [k, a] of Object.entries(guarded.after)) {
    const t5 = guarded.seen[5][k], t6 = guarded.seen[6][k], adam = plain.after[k];
    a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (t5[i] + adam[i] - t6[i])))));
  }
  assertLess(worst, 1e-6);
});

Deno.test("backtracking changes nothing on a smooth fit and validates drop", async () => {
  const run = async (backtrack: boolean) => {
    const p = tiny(15);
    const r = await fitDip({ net: p.net, target: p.noisy, clean: p.clean, steps: 20, backtrack });
    const out = { loss: r.history.series("loss").y, last: Array.from(r.last.dataSync()) };
    assertEquals(r.history.series("backtrack").x, []);
    disposeResult(r);
    p.dispose();
    return out;
  };
  assertEquals(await run(true), await run(false));
  const p = tiny(15);
  await assertRejects(
    () => fitDip({ net: p.net, target: p.noisy, steps: 1, backtrack: { drop: 0 } }),
    RangeError,
    "backtrack.drop must be > 0",
  );
  p.dispose();
});

Deno.test("a backtracking run resumed right before the fall ends as an uninterrupted one", async () => {
  const dir = await Deno.makeTempDir();
  const options = (net: FitDipOptions["net"], target: tf.Tensor3D) => ({
    net,
    target,
    steps: 12,
    lr: 0.01,
    seed: 3,
    backtrack: { drop: 2 },
    langevin: { burnIn: 4, sampleEvery: 2 },
  });
  const a = tiny(16);
  const full = await fitDip({ ...options(a.net, a.noisy), callbacks: [saboteur(a.net, 8)] });
  assertEquals(full.history.series("backtrack").x, [9]);

  const b = tiny(16);
  const abort = new AbortController();
  const killer: Callback = { onStep: (ctx) => void (ctx.step === 8 && abort.abort()) };
  const first = await fitDip({
    ...options(b.net, b.noisy),
    checkpoint: { dir, every: 4 },
    callbacks: [saboteur(b.net, 8), killer],
    signal: abort.signal,
  });
  assertEquals(first.steps, 8);
  disposeResult(first);
  b.net.dispose();

  const c = tiny(16); // a fresh network: step 9 falls and goes back to the checkpoint's θ_8
  const resumed = await fitDip({
    ...options(c.net, c.noisy),
    checkpoint: { dir, every: 4 },
    resume: true,
  });
  assertEquals(resumed.history.series("backtrack"), full.history.series("backtrack"));
  assertEquals(resumed.history.series("loss"), full.history.series("loss"));
  assertEquals(paramsOf(c.net), paramsOf(a.net));
  for (const r of [full, resumed]) disposeResult(r);
  for (const p of [a, c]) p.dispose();
  tf.dispose([b.clean, b.noisy]);
  await Deno.remove(dir, { recursive: true });
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
