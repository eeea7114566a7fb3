import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertGreater, assertLessOrEqual } from "@std/assert";
import { useBackend } from "../../backend.ts";
import { on, random, relativeError, tensor } from "../_reference.ts";
import { nativeRuns } from "./kernels.ts";

// Reference: tfjs's cpu kernels.
const TOLERANCE = 1e-5;
const probe = await useBackend("wasm");
if (!probe.native.active) {
  console.log(`eltwise_test: skipping the native half: ${probe.native.reason}`);
}
const MODES = [
  { native: true, ignore: !probe.native.active, label: "oneDNN" },
  { native: false, ignore: false, label: "wasm kernels" },
];

const BIG = [2, 48, 40, 16];
// [a, b, native?]: equal shapes, per-channel, per-column (oneDNN has only a reference
// kernel for it: left to wasm), scalar, broadcast first input, small (wasm)
const PAIRS: [number[], number[], boolean][] = [
  [BIG, BIG, true],
  [BIG, [16], true],
  [BIG, [1, 1, 40, 1], false],
  [BIG, [], true],
  [[16], BIG, true], // Add and Multiply swap; Sub stays with wasm
  [[3, 4], [4], false],
];

for (const mode of MODES) {
  Deno.test({
    name: `Add, Sub and Multiply on wasm (${mode.label}) match cpu, broadcasting`,
    ignore: mode.ignore,
    fn: async () => {
      await useBackend("wasm", { native: mode.native });
      const before = nativeRuns().eltwise;
      let expected = 0;
      for (const [i, [sa, sb, big]] of PAIRS.entries()) {
        const a = random(sa, 2 * i), b = random(sb, 2 * i + 1);
        for (const [name, op] of [["add", tf.add], ["sub", tf.sub], ["mul", tf.mul]] as const) {
          const run = () => op(tf.tensor(a.values, a.shape), tf.tensor(b.values, b.shape));
          const want = await on("cpu", run), got = await on("wasm", run);
          assertLessOrEqual(relativeError(got, want), TOLERANCE, `${name} ${sa} ${sb}`);
          if (big && !(name === "sub" && sa.length < sb.length)) expected++;
        }
      }
      assertEquals(nativeRuns().eltwise - before, mode.native ? expected : 0, "native calls");
    },
  });

  Deno.test({
    name: `activations on wasm (${mode.label}) match cpu`,
    ignore: mode.ignore,
    fn: async () => {
      await useBackend("wasm", { native: mode.native });
      const before = nativeRuns().eltwise;
      const x = random(BIG, 9);
      const ops: Record<string, (t: tf.Tensor) => tf.Tensor> = {
        relu: (t) => tf.relu(t),
        leakyRelu: (t) => tf.leakyRelu(t, 0.1),
        leakyReluDefault: (t) => tf.leakyRelu(t),
        sigmoid: (t) => tf.sigmoid(t),
        tanh: (t) => tf.tanh(t),
        elu: (t) => tf.elu(t),
      };
      for (const [name, op] of Object.entries(ops)) {
        const run = () => op(tf.mul(tensor(x), 4));
        const want = await on("cpu", run), got = await on("wasm", run);
        assertLessOrEqual(relativeError(got, want), TOLERANCE, name);
        // and their gradients, which are products and selects
        const grad = () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(op(t), tf.sin(t))))(tensor(x));
        assertLessOrEqual(
          relativeError(await on("wasm", grad), await on("cpu", grad)),
          TOLERANCE,
          `${name}'s gradient`,
        );
      }
      const ran = nativeRuns().eltwise - before;
      if (mode.native) assertGreater(ran, Object.keys(ops).length);
      else assertEquals(ran, 0);
    },
  });
}
