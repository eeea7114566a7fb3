/**
 * Test helpers of src/counting/networks (not exported): one training step's
 * gradients, weight comparison, and a save → load round trip.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "@std/assert";
import { type CountingNetwork, namedWeights } from "./network.ts";
import { loadModel, saveModel } from "./model_io.ts";

/** A seeded uniform batch `[b, h, w, c]` in [0, 1). */
export function batch(b: number, h: number, w: number, c: number, seed = 1): tf.Tensor4D {
  return tf.randomUniform([b, h, w, c], 0, 1, "float32", seed) as tf.Tensor4D;
}

/**
 * Runs two forward+backward steps in training mode (L2 against zeros) and
 * checks: a gradient for every trainable weight, shaped like it, finite, not
 * all zero overall; and that the tensor count is the same after each step.
 *
 * @param net The network.
 * @param x The batch.
 * @returns Milliseconds of the second step.
 */
export function checkGradients(net: CountingNetwork, x: tf.Tensor4D): number {
  const { variables } = namedWeights(net.model);
  const names = Object.keys(variables);
  const vars = names.map((n) => variables[n]);
  const step = () => {
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(net.forward(x, true))).asScalar(),
      vars,
    );
    let total = 0;
    for (const [i, v] of vars.entries()) {
      const g = grads[v.name];
      assert(g, `no gradient for ${names[i]}`);
      assertEquals(g.shape, v.shape, `gradient shape of ${names[i]}`);
      const data = g.dataSync();
      for (const d of data) {
        assert(Number.isFinite(d), `non-finite gradient in ${names[i]}`);
        total += Math.abs(d);
      }
    }
    assert(total > 0, "all gradients are zero");
    assert(Number.isFinite(value.dataSync()[0]), "loss is not finite");
    tf.dispose([value, ...Object.values(grads)]);
  };
  step();
  const n0 = tf.memory().numTensors;
  const t0 = performance.now();
  step();
  const ms = performance.now() - t0;
  assertEquals(tf.memory().numTensors, n0, "tensors leaked by a training step");
  step();
  assertEquals(tf.memory().numTensors, n0, "tensors leaked by a training step");
  return ms;
}

/** Whether two models have equal weights (same names, bit-identical values). */
export function sameWeights(a: tf.LayersModel, b: tf.LayersModel): boolean {
  const wa = a.weights, wb = b.weights;
  if (wa.length !== wb.length) return false;
  return wa.every((w, i) => {
    if (w.originalName !== wb[i].originalName) return false;
    const x = w.read().dataSync(), y = wb[i].read().dataSync();
    return x.length === y.length && x.every((v, j) => v === y[j]);
  });
}

/**
 * Saves the network's model to a temporary directory, loads it back and
 * checks that the loaded model gives bit-identical outputs on `x` (inference
 * mode) and has the same weight names and metadata.
 *
 * @param net The network.
 * @param x The batch.
 */
export async function checkRoundTrip(net: CountingNetwork, x: tf.Tensor4D): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pixelbias-net-" });
  try {
    await saveModel(net.model, dir);
    const back = await loadModel(dir);
    try {
      assertEquals(
        back.weights.map((w) => w.originalName),
        net.model.weights.map((w) => w.originalName),
      );
      assertEquals(back.getUserDefinedMetadata(), net.model.getUserDefinedMetadata());
      const a = net.model.predict(x) as tf.Tensor;
      const b = back.predict(x) as tf.Tensor;
      assertEquals(b.shape, a.shape);
      const da = a.dataSync(), db = b.dataSync();
      assert(da.every((v, i) => v === db[i]), "the loaded model's output differs");
      tf.dispose([a, b]);
      // the loaded model is made of built-in layers only
      const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
      const classes = new Set<string>(
        json.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name),
      );
      for (const c of classes) {
        assert(
          [
            "InputLayer",
            "Conv2D",
            "Conv2DTranspose",
            "BatchNormalization",
            "ReLU",
            "MaxPooling2D",
            "AveragePooling2D",
            "UpSampling2D",
            "Add",
            "Concatenate",
          ].includes(c),
          `unexpected layer class ${c}`,
        );
      }
    } finally {
      back.dispose();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Sum of `rows × cols` products plus biases, for hand-counted parameter totals.
 *
 * @param layers `[kh·kw, in, out, bias?]` per convolution.
 * @returns The count.
 */
export function convParams(
  layers: readonly (readonly [number, number, number, boolean])[],
): number {
  return layers.reduce((n, [k, i, o, b]) => n + k * i * o + (b ? o : 0), 0);
}
