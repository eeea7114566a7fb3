import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertGreater, assertLess, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { lowPassFilter } from "./low_pass.ts";
import { createSuccessiveNetwork } from "./successive_network.ts";
import { maxAbsDiff } from "./_testing.ts";

await useBackend("cpu");

Deno.test("successive network: one output per block, parameter counts of Fig. 21", () => {
  const net = createSuccessiveNetwork();
  assertEquals(net.outputs, 4);
  // Block 1: 3·3·2·24 + 24 + 3·(3·3·24·24 + 24) + 1×1 output (24 + 1) = 16105.
  assertEquals(net.parameterCount(1), 16105);
  // Block 2 sees 2 + 24 channels: + 3·3·26·24 + 24 + 3·5208 + 25.
  assertEquals(net.parameterCount(2), 16105 - 25 + 5640 + 15624 + 25);
  const total = Object.values(net.variables).reduce((s, v) => s + v.size, 0);
  assertEquals(net.parameterCount(4) + 3 * 25, total);
  net.dispose();
});

Deno.test("successive network: outputs are f_a ⊙ G_m + F_L(I); fewer blocks give the same first outputs", () => {
  const net = createSuccessiveNetwork({
    blocks: 3,
    width: 4,
    seed: 3,
    lowPass: { kind: "box", radius: 2 },
  });
  const g = tf.randomUniform([2, 20, 20, 1], 0, 1, "float32", 1) as tf.Tensor4D;
  const t = tf.randomUniform([2, 20, 20, 1], 0, 1, "float32", 2) as tf.Tensor4D;
  const parts = net.forwardParts(g, t);
  assertEquals(parts.outputs.length, 3);
  const lowI = lowPassFilter(t, net.config.lowPass);
  assertLess(maxAbsDiff(parts.lowPassTarget, lowI), 1e-6);
  for (let l = 0; l < 3; l++) {
    const want = tf.tidy(() => tf.add(tf.mul(parts.amounts[l], parts.guideMask), lowI));
    assertLess(maxAbsDiff(parts.outputs[l], want), 1e-6);
    want.dispose();
  }
  const two = net.forward(g, t, 2);
  assertEquals(two.length, 2);
  assertLess(maxAbsDiff(two[1], parts.outputs[1]), 1e-6);
  tf.dispose([
    g,
    t,
    lowI,
    ...two,
    ...parts.outputs,
    ...parts.amounts,
    parts.guideMask,
    parts.lowPassTarget,
  ]);
  net.dispose();
});

Deno.test("successive network: same seed, same weights; gradients reach every variable", () => {
  const a = createSuccessiveNetwork({ blocks: 2, width: 3, seed: 7 });
  const b = createSuccessiveNetwork({ blocks: 2, width: 3, seed: 7 });
  for (const k of Object.keys(a.variables)) {
    assertEquals(maxAbsDiff(a.variables[k], b.variables[k]), 0);
  }
  const g = tf.randomUniform([1, 18, 18, 1], 0, 1, "float32", 4) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const { grads, value } = tf.variableGrads(() =>
    tf.addN(a.forward(g, g).map((o) => tf.mean(tf.abs(o.sub(g))))) as tf.Scalar
  );
  for (const k of Object.keys(a.variables)) {
    const key = a.variables[k].name;
    assertGreater(tf.tidy(() => tf.abs(grads[key]).sum().dataSync()[0]), 0, k);
  }
  tf.dispose([value, ...Object.values(grads)]);
  assertEquals(tf.memory().numTensors, before);
  tf.dispose(g);
  a.dispose();
  b.dispose();
});

Deno.test("successive network: colour targets need a gray or colour guide; bad batches are refused", () => {
  assertThrows(
    () => createSuccessiveNetwork({ guideChannels: 3, targetChannels: 1 }),
    RangeError,
    "gray guide",
  );
  const net = createSuccessiveNetwork({ blocks: 1, width: 2, guideChannels: 3, targetChannels: 3 });
  const x = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D, y = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
  assertEquals(net.forward(x, x)[0].shape, [1, 8, 8, 3]);
  assertThrows(() => net.forward(x, y), RangeError, "target");
  assertThrows(() => net.forward(x, x, 2), RangeError, "upTo");
  tf.dispose([x, y]);
  net.dispose();
});
