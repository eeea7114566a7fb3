import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import type { Rng } from "../core/rng.ts";
import {
  type CounterBatch,
  type CounterForward,
  counterLoss,
  densityOf,
  predictedCount,
  trainCounter,
} from "./train.ts";

await useBackend("cpu");

/**
 * A synthetic counting task: images with bright blobs (peak 1, σ = 1.5 px) at random positions,
 * densities with a unit-mass Gaussian at the same positions. A 3x3 convolution with a bias can
 * map one to the other (the density is the image times 1 / (2πσ²)).
 */
function blobs(rng: Rng, size = 16, batch = 2): CounterBatch {
  const s = 1.5;
  const img = new Float32Array(batch * size * size);
  const den = new Float32Array(batch * size * size);
  for (let b = 0; b < batch; b++) {
    const n = 1 + rng.int(4);
    for (let k = 0; k < n; k++) {
      const cx = 3 + rng.next() * (size - 6), cy = 3 + rng.next() * (size - 6);
      let mass = 0;
      const g = new Float32Array(size * size);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const v = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s));
          g[y * size + x] = v;
          mass += v;
        }
      }
      for (let i = 0; i < size * size; i++) {
        img[b * size * size + i] += g[i];
        den[b * size * size + i] += g[i] / mass;
      }
    }
  }
  return {
    images: tf.tensor4d(img, [batch, size, size, 1]),
    targets: tf.tensor4d(den, [batch, size, size, 1]),
  };
}

function tinyNet(seed = 1) {
  const w = tf.variable(tf.randomNormal([3, 3, 1, 1], 0, 0.1, "float32", seed), true);
  const b = tf.variable(tf.zeros([1]), true);
  const forward: CounterForward = (x) => tf.add(tf.conv2d(x, w as tf.Tensor4D, 1, "same"), b);
  return { variables: { w, b }, forward, dispose: () => tf.dispose([w, b]) };
}

Deno.test("counterLoss names the sizes when output and target do not match", () => {
  const forward: CounterForward = (x) => tf.avgPool(x, 2, 2, "valid") as tf.Tensor4D;
  const batch = {
    images: tf.zeros([1, 8, 8, 1]) as tf.Tensor4D,
    targets: tf.zeros([1, 8, 8, 1]) as tf.Tensor4D,
  };
  assertThrows(() => counterLoss(forward, batch), RangeError, "outputStride 1 is 8x8");
  const l = counterLoss(forward, batch, { outputStride: 2 });
  assertEquals(l.dataSync()[0], 0);
  tf.dispose([batch.images, batch.targets, l]);
});

Deno.test("trainCounter learns to count blobs (loss falls 10x), without leaking tensors", async () => {
  const net = tinyNet();
  const before = tf.memory().numTensors;
  const r = await trainCounter(net.forward, {
    steps: 300,
    lr: 0.01,
    variables: net.variables,
    batch: (_step, rng) => blobs(rng),
  });
  assertEquals(tf.memory().numTensors, before);
  const loss = r.history.series("loss").y;
  const first = loss.slice(0, 10).reduce((a, b) => a + b) / 10;
  const last = loss.slice(-10).reduce((a, b) => a + b) / 10;
  assert(last < first / 10, `loss ${first} -> ${last}`);
  // counts of a fresh batch
  const { Rng } = await import("../core/rng.ts");
  const test = blobs(new Rng(99), 16, 4);
  const out = net.forward(test.images, false);
  const counts = predictedCount(densityOf(out));
  const truth = tf.sum(test.targets, [1, 2, 3]).dataSync();
  counts.forEach((c, i) => assertAlmostEquals(c, truth[i], 0.1 * truth[i] + 0.05));
  tf.dispose([test.images, test.targets, out]);
  net.dispose();
});

Deno.test("trainCounter keeps and restores the weights of the best validation MAE", async () => {
  const net = tinyNet();
  const scripted = [3, 1, 2, 5];
  let calls = 0;
  let atBest: Float32Array | null = null;
  const r = await trainCounter(net.forward, {
    steps: 40,
    lr: 0.01,
    variables: net.variables,
    batch: (_s, rng) => blobs(rng),
    validation: {
      every: 10,
      run: () => {
        const mae = scripted[calls++];
        if (mae === 1) atBest = net.variables.w.dataSync().slice() as Float32Array;
        return { mae, rmse: 2 * mae };
      },
    },
  });
  assertEquals(calls, 4);
  assertEquals(r.best, { step: 20, mae: 1 });
  assertEquals(r.history.series("val_mae").y, scripted);
  assertEquals(r.history.series("val_rmse").y, scripted.map((v) => 2 * v));
  assertEquals(Array.from(net.variables.w.dataSync()), Array.from(atBest!));
  net.dispose();
});

Deno.test("trainCounter stopped and resumed ends where an uninterrupted run ends", async () => {
  const dir = await Deno.makeTempDir();
  const mae = (w: tf.Variable) => Math.abs(w.dataSync()[4] - 0.05);
  const run = async (checkpointDir: string, stopAt?: number) => {
    const net = tinyNet();
    const controller = new AbortController();
    const r = await trainCounter(net.forward, {
      steps: 30,
      lr: 0.01,
      seed: 7,
      variables: net.variables,
      batch: (step, rng) => {
        if (step === stopAt) controller.abort();
        return blobs(rng);
      },
      validation: { every: 5, run: () => ({ mae: mae(net.variables.w) }) },
      checkpoint: { dir: checkpointDir, every: 5 },
      resume: true,
      signal: controller.signal,
    });
    const w = Array.from(net.variables.w.dataSync());
    net.dispose();
    return { r, w };
  };
  const whole = await run(`${dir}/a`);
  const first = await run(`${dir}/b`, 12);
  assertEquals(first.r.stopped, "signal");
  const second = await run(`${dir}/b`);
  assertEquals(second.r.steps, 30);
  assertEquals(second.w, whole.w);
  assertEquals(second.r.best, whole.r.best);
  assertEquals(second.r.history.series("loss").y, whole.r.history.series("loss").y);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("trainCounter rejects bad options by name", async () => {
  const net = tinyNet();
  const base = { steps: 1, variables: net.variables, batch: (_: number, rng: Rng) => blobs(rng) };
  for (
    const [options, message] of [
      [{ loss: "l3" }, "loss"],
      [{ outputStride: 0 }, "outputStride"],
      [{ densityScale: -1 }, "densityScale"],
      [{ validation: { every: 0, run: () => ({ mae: 0 }) } }, "validation.every"],
    ] as const
  ) {
    let error: Error | undefined;
    try {
      // deno-lint-ignore no-explicit-any
      await trainCounter(net.forward, { ...base, ...(options as any) });
    } catch (e) {
      error = e as Error;
    }
    assert(error instanceof RangeError, `${message}: ${error}`);
    assert(error.message.includes(message), error.message);
  }
  net.dispose();
});
