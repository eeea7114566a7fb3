import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertGreater, assertLessOrEqual } from "@std/assert";
import { useBackend } from "../../backend.ts";
import { on, random, relativeError, tensor } from "../_reference.ts";
import { nativeRuns } from "./kernels.ts";
import { OneDnn, SERIAL_BELOW_ELEMENTS } from "./runtime.ts";
import { openOneDnn } from "./library.ts";
import { NativeElementwise } from "./eltwise.ts";
import { threadControl } from "./threads.ts";

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

Deno.test({
  name: "a small product runs on one thread and leaves the thread count as it was",
  ignore: !probe.native.active || probe.native.runtime !== "omp",
  fn: async () => {
    await useBackend("wasm", { threads: 2, native: true });
    const omp = threadControl("omp");
    for (const n of [SERIAL_BELOW_ELEMENTS / 16, SERIAL_BELOW_ELEMENTS]) {
      const before = nativeRuns().eltwise;
      const a = random([n], 1), b = random([n], 2);
      const got = tf.tidy(() => tf.mul(tf.tensor(a.values), tf.tensor(b.values)).dataSync());
      let err = 0;
      for (let i = 0; i < n; i++) {
        err = Math.max(err, Math.abs(got[i] - Math.fround(a.values[i] * b.values[i])));
      }
      assertEquals(err, 0, `${n} elements`);
      assertEquals(nativeRuns().eltwise - before, 1, `${n} elements ran natively`);
      assertEquals(omp.get(), 2, `threads after ${n} elements`);
    }
    await useBackend("wasm");
  },
});

Deno.test({
  name: "OneDnn.execute drops to one thread below SERIAL_BELOW_ELEMENTS and comes back",
  ignore: !probe.native.active,
  fn: async () => {
    await useBackend("wasm", { native: true });
    const found = openOneDnn();
    if (!found.ok) throw new Error(found.reason);
    const dnn = new OneDnn(found.library);
    const calls: number[] = [];
    dnn.useThreads(2, (n) => calls.push(n));
    const elementwise = new NativeElementwise(dnn);
    for (
      const [n, want] of [[SERIAL_BELOW_ELEMENTS / 4, [1, 2]], [SERIAL_BELOW_ELEMENTS, []]] as const
    ) {
      calls.length = 0;
      tf.tidy(() => {
        const a = tf.ones([n]), b = tf.fill([n], 3);
        const out = elementwise.binary("Multiply", {
          inputs: { a, b },
          backend: tf.backend(),
          attrs: {},
        });
        if (out === null) throw new Error("not handled natively");
        const t = tf.engine().makeTensorFromTensorInfo(out);
        assertEquals(t.dataSync()[n - 1], 3);
      });
      assertEquals(calls, [...want], `${n} elements`);
    }
  },
});
