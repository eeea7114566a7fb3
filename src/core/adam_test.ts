import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLessOrEqual } from "@std/assert";
import { Adam } from "./adam.ts";
import { useBackend } from "./backend.ts";

// Reference: tfjs's own AdamOptimizer on the same variables, losses and backend.

/** Three variables of different shapes and a loss that mixes them. */
function problem(seed: number) {
  const vars = [
    tf.variable(tf.randomNormal([3, 3, 2, 4], 0, 1, "float32", seed)),
    tf.variable(tf.randomNormal([4], 0, 1, "float32", seed + 1)),
    tf.variable(tf.randomNormal([5, 7], 0, 1, "float32", seed + 2)),
  ];
  const loss = () =>
    tf.tidy(() =>
      tf.addN([
        vars[0].square().mul(vars[1].reshape([1, 1, 1, 4])).sum(),
        vars[1].sin().sum(),
        vars[2].abs().pow(1.5).mean(),
      ]) as tf.Scalar
    );
  return { vars, loss };
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`Adam (${backend}) takes tfjs's AdamOptimizer's steps, bit for bit`, async () => {
    await useBackend(backend);
    const a = problem(1), b = problem(1);
    const ours = new Adam(0.05, 0.8, 0.95, 1e-6), theirs = tf.train.adam(0.05, 0.8, 0.95, 1e-6);
    for (let step = 0; step < 12; step++) {
      ours.minimize(a.loss, true, a.vars)?.dispose();
      theirs.minimize(b.loss, true, b.vars)?.dispose();
    }
    let worst = 0;
    for (let i = 0; i < 3; i++) {
      const x = a.vars[i].dataSync(), y = b.vars[i].dataSync();
      for (let j = 0; j < x.length; j++) {
        worst = Math.max(worst, Math.abs(x[j] - y[j]) / Math.max(Math.abs(y[j]), 1e-6));
      }
    }
    // The same float32 roundings as tfjs's kernels, on both backends.
    assertLessOrEqual(worst, 0, `largest relative difference ${worst}`);
    // The state is tfjs's: same names, same values.
    const [wa, wb] = [await ours.getWeights(), await theirs.getWeights()];
    const names = (vars: tf.Variable[]) => [
      "iter",
      ...vars.map((v) => `${v.name}/m`),
      ...vars.map((v) => `${v.name}/v`),
    ];
    assertEquals(wa.map((w) => w.name), names(a.vars));
    assertEquals(wb.map((w) => w.name), names(b.vars));
    for (let i = 0; i < wa.length; i++) {
      const x = wa[i].tensor.dataSync(), y = wb[i].tensor.dataSync();
      for (let j = 0; j < x.length; j++) {
        assertLessOrEqual(Math.abs(x[j] - y[j]), 1e-6 * Math.max(Math.abs(y[j]), 1e-6));
      }
    }
    assertEquals(ours.iterations, 12);
    tf.dispose([...a.vars, ...b.vars]);
    ours.dispose();
    theirs.dispose();
  });
}

Deno.test("Adam: a checkpoint of tfjs's optimiser continues in ours, and it leaves no tensors behind", async () => {
  await useBackend("wasm");
  const a = problem(3), b = problem(3);
  const theirs = tf.train.adam(0.01), same = tf.train.adam(0.01);
  for (let step = 0; step < 4; step++) {
    theirs.minimize(a.loss, true, a.vars)?.dispose();
    same.minimize(b.loss, true, b.vars)?.dispose();
  }
  const ours = new Adam(0.01);
  await ours.setWeights(await theirs.getWeights());
  const before = tf.memory().numTensors;
  for (let step = 0; step < 3; step++) {
    ours.minimize(a.loss, true, a.vars)?.dispose();
    same.minimize(b.loss, true, b.vars)?.dispose();
  }
  assertEquals(tf.memory().numTensors, before);
  for (let i = 0; i < 3; i++) {
    const x = a.vars[i].dataSync(), y = b.vars[i].dataSync();
    for (let j = 0; j < x.length; j++) {
      assertLessOrEqual(Math.abs(x[j] - y[j]), 1e-6 * Math.max(Math.abs(y[j]), 1));
    }
  }
  assertEquals(ours.getClassName(), "Adam");
  tf.dispose([...a.vars, ...b.vars]);
  [ours, theirs, same].forEach((o) => o.dispose());
});

Deno.test("Adam skips variables without a gradient, as tfjs's does", async () => {
  await useBackend("cpu");
  const w = tf.variable(tf.tensor1d([1, 2])), frozen = tf.variable(tf.tensor1d([5]));
  const opt = new Adam(0.1);
  opt.applyGradients([
    { name: w.name, tensor: tf.tensor1d([1, -1]) },
    { name: frozen.name, tensor: null as unknown as tf.Tensor },
  ]);
  assertEquals(Array.from(frozen.dataSync()), [5]);
  const got = Array.from(w.dataSync());
  assert(Math.abs(got[0] - 0.9) < 1e-6 && Math.abs(got[1] - 2.1) < 1e-6, `${got}`);
  tf.dispose([w, frozen]);
  opt.dispose();
});
