import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { type Callback, type CallbackState, optimize, type OptimizeOptions } from "./optimize.ts";
import type { Rng } from "./rng.ts";

await tf.setBackend("cpu");

/** A small noisy regression: fit w, b of y = 3x - 1 with per-step noise from the rng. */
function problem() {
  const w = tf.variable(tf.zeros([4, 1]));
  const b = tf.variable(tf.zeros([1]));
  const x = tf.tensor2d([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 1, 1, 1]]);
  const y = tf.tensor2d([[2], [2], [2], [2], [11]]);
  const loss = (_step: number, rng: Rng) => {
    const noise = rng.normalTensor([5, 1], 0.01);
    return tf.losses.meanSquaredError(y.add(noise), x.matMul(w).add(b)) as tf.Scalar;
  };
  return {
    variables: { w, b },
    loss,
    dispose: () => tf.dispose([w, b, x, y]),
  };
}

/** A callback that keeps the running sum of losses (state that must survive resume). */
function sumCallback(): Callback & { sum: () => number } {
  let sum = 0;
  let best: tf.Tensor | null = null;
  return {
    every: 5,
    onStep(ctx) {
      sum += ctx.loss;
      ctx.history.add(ctx.step, { sum });
      best?.dispose();
      best = tf.scalar(ctx.loss);
    },
    getState: (): CallbackState => ({ json: { sum }, tensors: best ? { best } : {} }),
    setState(s) {
      sum = (s.json as { sum: number }).sum;
      best?.dispose();
      best = s.tensors?.best ?? null;
    },
    onEnd() {
      best?.dispose();
      best = null;
    },
    sum: () => sum,
  };
}

Deno.test("optimize reduces the loss and records it every step", async () => {
  const p = problem();
  const r = await optimize({
    steps: 300,
    variables: p.variables,
    loss: p.loss,
    optimizer: { kind: "adam", lr: 0.05 },
  });
  assertEquals(r.steps, 300);
  assertEquals(r.stopped, "budget");
  const loss = r.history.series("loss");
  assertEquals(loss.x.length, 300);
  assert(loss.y[299] < loss.y[0] / 100, `loss ${loss.y[0]} -> ${loss.y[299]}`);
  p.dispose();
});

Deno.test("optimize resumed from a checkpoint ends where an uninterrupted run ends", async () => {
  const dir = await Deno.makeTempDir();
  const base = (p: ReturnType<typeof problem>): OptimizeOptions => ({
    steps: 40,
    variables: p.variables,
    loss: p.loss,
    seed: 3,
    optimizer: { kind: "adam", lr: 0.05 },
  });
  const a = problem();
  const cbA = sumCallback();
  const ra = await optimize({ ...base(a), callbacks: [cbA] });
  const wa = a.variables.w.dataSync().slice();

  const b = problem();
  const cbB = sumCallback();
  const controller = new AbortController();
  const stopAt: Callback = { onStep: (ctx) => (ctx.step === 23 ? controller.abort() : undefined) };
  const rb1 = await optimize({
    ...base(b),
    callbacks: [cbB, stopAt],
    checkpoint: { dir: `${dir}/ck`, every: 10 },
    signal: controller.signal,
  });
  assertEquals(rb1.stopped, "signal");
  assertEquals(rb1.steps, 23);
  b.dispose();

  const c = problem(); // a fresh process would build the model anew
  const cbC = sumCallback();
  const rc = await optimize({
    ...base(c),
    callbacks: [cbC, {}],
    checkpoint: { dir: `${dir}/ck`, every: 10 },
    resume: true,
  });
  assertEquals(rc.steps, 40);
  assertEquals(Array.from(c.variables.w.dataSync()), Array.from(wa));
  assertEquals(rc.history.series("loss"), ra.history.series("loss"));
  assertAlmostEquals(cbC.sum(), cbA.sum(), 1e-12);

  // Resuming a finished run does nothing more.
  const rd = await optimize({
    ...base(c),
    callbacks: [sumCallback()],
    checkpoint: { dir: `${dir}/ck`, every: 10 },
    resume: true,
  });
  assertEquals(rd.steps, 40);
  assertEquals(rd.history.series("loss").x.length, 40);
  a.dispose();
  c.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("optimize: a callback can stop the run", async () => {
  const p = problem();
  const r = await optimize({
    steps: 100,
    variables: p.variables,
    loss: p.loss,
    callbacks: [{ every: 10, onStep: (ctx) => ctx.step >= 30 ? ctx.stop("enough") : undefined }],
  });
  assertEquals(r.steps, 30);
  assertEquals(r.stopped, "callback");
  assertEquals(r.stopReason, "enough");
  p.dispose();
});

Deno.test("optimize leaks no tensors across steps", async () => {
  const p = problem();
  const dir = await Deno.makeTempDir();
  await optimize({ steps: 2, variables: p.variables, loss: p.loss });
  const before = tf.memory().numTensors;
  await optimize({
    steps: 25,
    variables: p.variables,
    loss: p.loss,
    callbacks: [sumCallback()],
    checkpoint: { dir: `${dir}/ck`, every: 10 },
  });
  await optimize({
    steps: 30,
    variables: p.variables,
    loss: p.loss,
    callbacks: [sumCallback()],
    checkpoint: { dir: `${dir}/ck`, every: 10 },
    resume: true,
  });
  assertEquals(tf.memory().numTensors, before);
  p.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("optimize rejects bad options and NaN losses with named errors", async () => {
  const p = problem();
  await assertRejects(
    () => optimize({ steps: -1, variables: p.variables, loss: p.loss }),
    RangeError,
    "steps",
  );
  await assertRejects(
    () =>
      optimize({
        steps: 1,
        variables: p.variables,
        loss: p.loss,
        optimizer: { kind: "adam", lr: 0 },
      }),
    RangeError,
    "optimizer.lr",
  );
  await assertRejects(
    () => optimize({ steps: 3, variables: p.variables, loss: () => p.variables.b.sum().mul(NaN) }),
    RangeError,
    "loss became NaN at step 1",
  );
  await assertRejects(
    () => optimize({ steps: 1, variables: {}, loss: p.loss }),
    RangeError,
    "variables must not be empty",
  );
  p.dispose();
});

Deno.test("optimize refuses a checkpoint of another model", async () => {
  const dir = await Deno.makeTempDir();
  const p = problem();
  await optimize({ steps: 2, variables: p.variables, loss: p.loss, checkpoint: { dir, every: 1 } });
  const other = tf.variable(tf.zeros([3]));
  await assertRejects(
    () =>
      optimize({
        steps: 4,
        variables: { other },
        loss: () => other.sum(),
        checkpoint: { dir, every: 1 },
        resume: true,
      }),
    Error,
    `lacks variable "other"`,
  );
  tf.dispose([other]);
  p.dispose();
  await Deno.remove(dir, { recursive: true });
});
