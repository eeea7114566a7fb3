import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLessOrEqual } from "@std/assert";
import { BatchNormalization } from "./batch_norm_layer.ts";
import { batchNormTraining } from "./batch_norm.ts";
import { useBackend } from "./backend.ts";

// Reference: tfjs-layers' own BatchNormalization (automatic differentiation
// of tf.moments + tf.batchNorm), same weights and inputs, on cpu and wasm.

/** conv → batch norm → ReLU → conv, the batch norm ours or tfjs's, with the same weights. */
function model(ours: boolean, momentum: number): tf.LayersModel {
  const input = tf.input({ shape: [6, 5, 3] });
  let y = tf.layers.conv2d({
    filters: 4,
    kernelSize: 3,
    padding: "same",
    kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }),
    name: "c1",
  }).apply(input) as tf.SymbolicTensor;
  const args = {
    momentum,
    epsilon: 1e-3,
    name: "bn",
    gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 2 }),
    betaInitializer: tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: 3 }),
  };
  y = (ours ? new BatchNormalization(args) : tf.layers.batchNormalization(args)).apply(
    y,
  ) as tf.SymbolicTensor;
  y = tf.layers.reLU().apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({
    filters: 2,
    kernelSize: 1,
    kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }),
    name: "c2",
  }).apply(y) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: y });
}

/** Largest |a − b| over (largest |b| + floor): relative, but absolute near zero. */
function maxRelative(a: tf.Tensor, b: tf.Tensor, floor = 1e-3): number {
  const x = a.dataSync(), y = b.dataSync();
  let scale = 0, err = 0;
  for (let i = 0; i < x.length; i++) {
    scale = Math.max(scale, Math.abs(y[i]));
    err = Math.max(err, Math.abs(x[i] - y[i]));
  }
  return err / (scale + floor);
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`BatchNormalization (${backend}): training output, gradients and moving statistics match tfjs-layers'`, async () => {
    await useBackend(backend);
    const ours = model(true, 0.9), theirs = model(false, 0.9);
    const x = tf.randomNormal([3, 6, 5, 3], 0.5, 2, "float32", 5);
    const target = tf.randomNormal([3, 6, 5, 2], 0, 1, "float32", 6);
    const step = (m: tf.LayersModel) => {
      const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => {
        const y = m.apply(x, { training: true }) as tf.Tensor;
        return tf.losses.meanSquaredError(target, y) as tf.Scalar;
      }, vars);
      return { value, grads: m.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name]) };
    };
    const a = step(ours), b = step(theirs);
    assertLessOrEqual(Math.abs(a.value.dataSync()[0] - b.value.dataSync()[0]), 1e-5);
    for (let i = 0; i < a.grads.length; i++) {
      const name = ours.trainableWeights[i].originalName;
      assertLessOrEqual(maxRelative(a.grads[i], b.grads[i]), 1e-4, `gradient of ${name}`);
    }
    for (const name of ["bn/moving_mean", "bn/moving_variance"]) {
      const wa = ours.getLayer("bn").weights.find((w) => w.originalName === name)!.read();
      const wb = theirs.getLayer("bn").weights.find((w) => w.originalName === name)!.read();
      assertLessOrEqual(maxRelative(wa, wb), 1e-5, name);
    }
    // Inference uses the moving statistics, as tfjs's layer does.
    const ya = ours.predict(x) as tf.Tensor, yb = theirs.predict(x) as tf.Tensor;
    assertLessOrEqual(maxRelative(ya, yb), 1e-5, "inference");
    tf.dispose([a.value, b.value, ...a.grads, ...b.grads, ya, yb, x, target]);
    ours.dispose();
    theirs.dispose();
  });
}

Deno.test("BatchNormalization saves as tfjs's standard layer and loads back as itself", async () => {
  await useBackend("cpu");
  const m = model(true, 0.9);
  const json = m.toJSON(undefined, false) as {
    config: { layers: { class_name: string; name: string }[] };
  };
  assertEquals(json.config.layers.find((l) => l.name === "bn")!.class_name, "BatchNormalization");
  const back = await tf.models.modelFromJSON(
    {
      modelTopology: m.toJSON(undefined, false) as tf.io.ModelJSON["modelTopology"],
    } as tf.io.ModelJSON,
  );
  assert(back.getLayer("bn") instanceof BatchNormalization);
  m.dispose();
  back.dispose();
});

Deno.test("BatchNormalization keeps tfjs's path for other axes and leaves no tensors behind", async () => {
  await useBackend("cpu");
  const bn = new BatchNormalization({ axis: 1 }), plain = tf.layers.batchNormalization({ axis: 1 });
  const x = tf.randomNormal([2, 3, 4, 5]);
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const a = bn.apply(x, { training: true }) as tf.Tensor;
    const b = plain.apply(x, { training: true }) as tf.Tensor;
    assertEquals(a.dataSync(), b.dataSync());
  });
  const ours = new BatchNormalization();
  tf.tidy(() => ours.apply(x, { training: true }) as tf.Tensor).dispose();
  const withWeights = before + 4 + 4 + 4; // each layer's γ, β and moving statistics
  assertEquals(tf.memory().numTensors, withWeights);
  bn.dispose();
  plain.dispose();
  ours.dispose();
  x.dispose();
});

Deno.test("batchNormTraining's written-out gradient equals automatic differentiation of its formula", async () => {
  await useBackend("cpu");
  const x = tf.randomNormal([2, 3, 4, 3], 1, 2, "float32", 7);
  const g = tf.tensor1d([0.5, 1, 2]), b = tf.tensor1d([0.1, -0.2, 0.3]);
  const w = tf.randomNormal([2, 3, 4, 3], 0, 1, "float32", 8);
  const loss = (f: (x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor) =>
    tf.grads((xs: tf.Tensor, gs: tf.Tensor, bs: tf.Tensor) =>
      tf.sum(tf.mul(f(xs as tf.Tensor4D, gs as tf.Tensor1D, bs as tf.Tensor1D), w))
    )([x, g, b]);
  const ours = loss((xs, gs, bs) => {
    const r = batchNormTraining(xs, gs, bs, { epsilon: 1e-3 });
    tf.dispose([r.mean, r.variance]);
    return r.output;
  });
  const auto = loss((xs, gs, bs) => {
    const { mean, variance } = tf.moments(xs, [0, 1, 2]);
    return tf.batchNorm(xs, mean, variance, bs, gs, 1e-3);
  });
  for (let i = 0; i < 3; i++) {
    assertLessOrEqual(maxRelative(ours[i], auto[i]), 1e-4, ["x", "γ", "β"][i]);
  }
  tf.dispose([x, g, b, w, ...ours, ...auto]);
});
