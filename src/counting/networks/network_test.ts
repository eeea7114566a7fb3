import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertThrows,
} from "@std/assert";
import { useBackend } from "../../core/backend.ts";
import { optimize } from "../../core/optimize.ts";
import {
  type BuildContext,
  conv,
  DilatedConv2D,
  layerSeed,
  makeDilationsTrainable,
  subsample,
} from "./_layers.ts";
import { csrnet } from "./csrnet.ts";
import { encoderDistillerDecoder } from "./encoder_distiller_decoder.ts";
import { mcnn } from "./mcnn.ts";
import { fileHandler, loadModel, saveModel } from "./model_io.ts";
import { checkedOutputSize, describeNetwork, namedWeights, networkMetadata } from "./network.ts";
import { batch } from "./_test_utils.ts";

await useBackend("wasm");

const bnLayer = "csrnet/conv1_1/bn";

Deno.test("batch norm: training-mode apply updates the moving statistics outside model.fit", () => {
  const net = csrnet({ width: 1 / 16, batchNorm: true, batchNormMomentum: 0.9 });
  const { state } = namedWeights(net.model);
  const mean = state[`${bnLayer}/moving_mean`], variance = state[`${bnLayer}/moving_variance`];
  assertEquals(Array.from(mean.dataSync()), [0, 0, 0, 0]);
  const x = batch(2, 16, 16, 3);
  // the batch statistics of the conv output feeding the layer
  const pre = tf.model({
    inputs: net.model.inputs,
    outputs: net.model.getLayer("csrnet/conv1_1/conv").output as tf.SymbolicTensor,
  });
  const m = tf.tidy(() => {
    const { mean, variance } = tf.moments(pre.predict(x) as tf.Tensor, [0, 1, 2]);
    return [Array.from(mean.dataSync()), Array.from(variance.dataSync())];
  });

  // inference leaves them alone and uses them
  tf.dispose(net.forward(x));
  assertEquals(Array.from(mean.dataSync()), [0, 0, 0, 0]);
  // one training-mode call: new = 0.9·old + 0.1·batch (tfjs uses the biased batch variance)
  tf.dispose(net.forward(x, true));
  mean.dataSync().forEach((v, i) => assertAlmostEquals(v, 0.1 * m[0][i], 1e-5));
  variance.dataSync().forEach((v, i) => assertAlmostEquals(v, 0.9 + 0.1 * m[1][i], 1e-5));
  // a second call moves them again
  tf.dispose(net.forward(x, true));
  mean.dataSync().forEach((v, i) => assertAlmostEquals(v, 0.19 * m[0][i], 1e-5));
  x.dispose();
  net.dispose();
});

Deno.test("batch norm: inside optimize, the state moves once per step, checkpoints keep it, no leaks", async () => {
  const net = csrnet({ width: 1 / 16, batchNorm: true });
  const { variables, state } = namedWeights(net.model);
  const x = batch(2, 16, 16, 3);
  const target = tf.zeros([2, 2, 2, 1]);
  const before = Array.from(state[`${bnLayer}/moving_mean`].dataSync());
  const dir = await Deno.makeTempDir();
  const counts: number[] = [];
  const result = await optimize({
    steps: 3,
    variables,
    state,
    loss: () => tf.losses.meanSquaredError(target, net.forward(x, true)) as tf.Scalar,
    optimizer: { kind: "adam", lr: 1e-3 },
    checkpoint: { dir, every: 3 },
    callbacks: [{ onStep: () => void counts.push(tf.memory().numTensors) }],
  });
  assertEquals(result.steps, 3);
  assertEquals(counts[1], counts[2]);
  const after = Array.from(state[`${bnLayer}/moving_mean`].dataSync());
  assertNotEquals(after, before);
  // resume from the checkpoint into a fresh network: weights and statistics come back
  const again = csrnet({ width: 1 / 16, batchNorm: true, seed: 99 });
  const w2 = namedWeights(again.model);
  await optimize({
    steps: 3,
    variables: w2.variables,
    state: w2.state,
    loss: () => tf.losses.meanSquaredError(target, again.forward(x, true)) as tf.Scalar,
    checkpoint: { dir, every: 3 },
    resume: true,
  });
  assertEquals(Array.from(w2.state[`${bnLayer}/moving_mean`].dataSync()), after);
  await Deno.remove(dir, { recursive: true });
  tf.dispose([x, target]);
  net.dispose();
  again.dispose();
});

Deno.test("dilated convolutions: tfjs's fused Conv2D cannot train them, DilatedConv2D can and agrees", () => {
  const input = tf.input({ shape: [null, null, 2] as unknown as number[] });
  const args = {
    filters: 3,
    kernelSize: 3,
    dilationRate: 2,
    padding: "same" as const,
    kernelInitializer: tf.initializers.heNormal({ seed: 1 }),
  };
  const builtin = tf.layers.conv2d({ ...args, name: "t/builtin" });
  const ours = new DilatedConv2D({ ...args, name: "t/ours" });
  const m1 = tf.model({ inputs: input, outputs: builtin.apply(input) as tf.SymbolicTensor });
  const m2 = tf.model({ inputs: input, outputs: ours.apply(input) as tf.SymbolicTensor });
  assertEquals(ours.getClassName(), "Conv2D");
  const x = batch(1, 9, 9, 2);
  const loss = (m: tf.LayersModel) => () => tf.sum(tf.square(m.apply(x) as tf.Tensor)).asScalar();
  // the tfjs 4.22 limitation this workaround exists for
  assertThrows(
    () => tf.variableGrads(loss(m1), [builtin.getWeights()[0] as tf.Variable]),
    Error,
    "dilation rates greater than 1",
  );
  const [a, b] = [m1.predict(x) as tf.Tensor, m2.predict(x) as tf.Tensor];
  assertEquals(Array.from(a.dataSync()), Array.from(b.dataSync()));
  const { grads } = tf.variableGrads(loss(m2));
  assertEquals(Object.keys(grads).length, 2);
  tf.dispose([x, a, b, ...Object.values(grads)]);
  m1.dispose();
  m2.dispose();
});

Deno.test("dilated convolutions: a model loaded from files is made trainable again", async () => {
  const net = encoderDistillerDecoder({ width: 0.25, decoder: false });
  const dir = await Deno.makeTempDir();
  await saveModel(net.model, dir);
  const plain = await tf.loadLayersModel(fileHandler(dir));
  const loaded = await loadModel(dir);
  // levels 5, 6, 7: 2 residual blocks of 2 dilated convolutions each
  assertEquals(makeDilationsTrainable(plain), 12);
  assertEquals(makeDilationsTrainable(loaded), 0); // already done by loadModel
  const x = batch(1, 16, 16, 3);
  const { value, grads } = tf.variableGrads(() =>
    tf.mean(loaded.apply(x, { training: true }) as tf.Tensor).asScalar()
  );
  assert(Object.keys(grads).length > 0);
  tf.dispose([x, value, ...Object.values(grads)]);
  plain.dispose();
  loaded.dispose();
  net.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("namedWeights: stable names when a network is built twice in one process", () => {
  const a = mcnn({ width: 0.25 }), b = mcnn({ width: 0.25 });
  const na = namedWeights(a.model), nb = namedWeights(b.model);
  assertEquals(Object.keys(na.variables), Object.keys(nb.variables));
  // tfjs's own variable names differ (suffix _1), ours do not
  assertNotEquals(a.model.weights[0].name === b.model.weights[0].name, true);
  assertEquals(Object.keys(na.variables).length, 2 * 13);
  assertEquals(Object.keys(na.state).length, 0);
  a.dispose();
  b.dispose();
});

Deno.test("networks: metadata, prefix, output-size rule", () => {
  const net = mcnn({ width: 0.25, prefix: "counter/mcnn" });
  assertEquals(net.prefix, "counter/mcnn");
  assert(net.model.layers.every((l) => l.name.startsWith("counter/mcnn/")));
  const meta = networkMetadata(net.model)!;
  assertEquals([meta.network, meta.outputStride, meta.inputMultiple], ["mcnn", 4, 1]);
  assertEquals(meta.featureLayer, "counter/mcnn/merge");
  assertEquals(networkMetadata(tf.sequential()), null);
  assertEquals(describeNetwork(net).startsWith("mcnn ("), true);
  net.dispose();
  // with the features option, forward still returns the density alone (and frees V)
  const two = csrnet({ width: 1 / 16, batchNorm: true, features: true });
  assertEquals(two.model.outputs.length, 2);
  const x = batch(1, 16, 16, 3);
  const n0 = tf.memory().numTensors;
  const y = two.forward(x);
  assertEquals(y.shape, [1, 2, 2, 1]);
  assertEquals(tf.memory().numTensors, n0 + 1);
  tf.dispose([x, y]);
  two.dispose();
  assertEquals(checkedOutputSize({ network: "n", outputStride: 8, inputMultiple: 1 }, 100, 75), [
    13,
    10,
  ]);
  assertThrows(
    () => checkedOutputSize({ network: "n", outputStride: 1, inputMultiple: 8 }, 0, 8),
    RangeError,
    "input height must be a positive integer",
  );
});

Deno.test("layerSeed: depends on the base seed and the name only", () => {
  assertEquals(layerSeed(0, "a/conv"), layerSeed(0, "a/conv"));
  assertNotEquals(layerSeed(0, "a/conv"), layerSeed(1, "a/conv"));
  assertNotEquals(layerSeed(0, "a/conv"), layerSeed(0, "a/conv2"));
  assert(layerSeed(-5, "x") >= 0 && layerSeed(-5, "x") < 2 ** 31);
});

Deno.test("subsample + 1×1 convolution equals the strided 1×1 convolution it replaces", () => {
  const ctx: BuildContext = { prefix: "sub", seed: 0, init: "he", momentum: 0.9, epsilon: 1e-5 };
  const input = tf.input({ shape: [null, null, 3] as unknown as number[] });
  const direct = conv(ctx, input, "direct", { filters: 4, kernel: 1, stride: 2, bias: false });
  const sub = conv(ctx, subsample(ctx, input, "pick", 2), "direct_twin", {
    filters: 4,
    kernel: 1,
    bias: false,
  });
  const model = tf.model({ inputs: input, outputs: [direct, sub] });
  model.getLayer("sub/direct_twin").setWeights(model.getLayer("sub/direct").getWeights());
  for (const [h, w] of [[8, 8], [13, 7]]) {
    const x = batch(2, h, w, 3);
    const [a, b] = model.predict(x) as tf.Tensor[];
    assertEquals(a.shape, [2, Math.ceil(h / 2), Math.ceil(w / 2), 4]);
    assertEquals(Array.from(b.dataSync()), Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
  }
  model.dispose();
});
