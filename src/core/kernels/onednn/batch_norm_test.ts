import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLessOrEqual } from "@std/assert";
import { useBackend } from "../../backend.ts";
import { on, random, relativeError, tensor } from "../_reference.ts";
import { nativeRuns } from "./kernels.ts";

// Reference: tfjs's cpu FusedBatchNorm (tf.batchNorm).
const TOLERANCE = 1e-5;
const probe = await useBackend("wasm");
if (!probe.native.active) {
  console.log(`batch_norm_test: skipping the native half: ${probe.native.reason}`);
}
const MODES = [
  { native: true, ignore: !probe.native.active, label: "oneDNN" },
  { native: false, ignore: false, label: "wasm kernels" },
];

for (const mode of MODES) {
  Deno.test({
    name: `batchNorm on wasm (${mode.label}) matches cpu with and without scale and offset`,
    ignore: mode.ignore,
    fn: async () => {
      await useBackend("wasm", { native: mode.native });
      const before = nativeRuns().batchNorm;
      const cases: [number[], boolean, boolean, number][] = [
        [[2, 48, 40, 16], true, true, 1e-5],
        [[1, 64, 64, 8], false, true, 1e-3],
        [[1, 64, 64, 8], true, false, 0],
        [[2000, 24], true, true, 0.1],
        [[1, 4, 4, 3], true, true, 1e-5], // small: wasm
      ];
      for (const [i, [shape, withScale, withOffset, eps]] of cases.entries()) {
        const c = shape.at(-1)!;
        const x = random(shape, i), mean = random([c], 10 + i), scale = random([c], 20 + i);
        const offset = random([c], 30 + i);
        const variance = { values: mean.values.map((v) => 0.1 + v * v), shape: [c] };
        const run = () =>
          tf.batchNorm(
            tensor(x),
            tensor(mean),
            tensor(variance),
            withOffset ? tensor(offset) as tf.Tensor as tf.Tensor1D : undefined,
            withScale ? tensor(scale) as tf.Tensor as tf.Tensor1D : undefined,
            eps,
          );
        const want = await on("cpu", run), got = await on("wasm", run);
        assertLessOrEqual(
          relativeError(got, want),
          TOLERANCE,
          `${shape} ${withScale} ${withOffset}`,
        );
      }
      assertEquals(nativeRuns().batchNorm - before, mode.native ? 4 : 0, "native calls");
    },
  });
}
