import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertGreater, assertLessOrEqual } from "@std/assert";
import { useBackend } from "../../backend.ts";
import { on, random, relativeError, tensor } from "../_reference.ts";
import { nativeRuns } from "./kernels.ts";
import { mergeReducedAxes } from "./reduce.ts";

// Reference: tfjs's cpu Sum and Mean.
const TOLERANCE = 1e-5;
const probe = await useBackend("wasm");
if (!probe.native.active) {
  console.log(`reduce_test: skipping the native half: ${probe.native.reason}`);
}
const MODES = [
  { native: true, ignore: !probe.native.active, label: "oneDNN" },
  { native: false, ignore: false, label: "wasm kernels" },
];

Deno.test("mergeReducedAxes merges runs of reduced and kept axes and drops axes of 1", () => {
  assertEquals(mergeReducedAxes([2, 8, 8, 16], [true, true, true, false]), {
    src: [128, 16],
    dst: [1, 16],
  });
  assertEquals(mergeReducedAxes([4, 1, 5, 6], [false, true, true, true]), {
    src: [4, 30],
    dst: [4, 1],
  });
  assertEquals(mergeReducedAxes([3, 4, 5], [true, false, true]), {
    src: [3, 4, 5],
    dst: [1, 4, 1],
  });
  assertEquals(mergeReducedAxes([1, 1], [true, true]), { src: [1], dst: [1] });
});

// [shape, axes]: per-channel (a product with ones), trailing and all axes
// (oneDNN reductions), a middle axis (left to wasm when oneDNN has no fast one)
const CASES: [number[], number | number[]][] = [
  [[2, 64, 64, 8], [0, 1, 2]],
  [[1, 128, 128, 3], [0, 1, 2]],
  [[2, 64, 64, 8], [1, 2, 3]],
  [[2, 64, 64, 8], 3],
  [[2, 64, 64, 8], [0, 1, 2, 3]],
  [[2, 64, 64, 8], [1, 2]],
  [[300, 70], 0],
  [[300, 70], -1],
  [[3, 4, 5], [0, 1, 2]], // small: wasm
];

for (const mode of MODES) {
  Deno.test({
    name: `Sum and Mean on wasm (${mode.label}) match cpu`,
    ignore: mode.ignore,
    fn: async () => {
      await useBackend("wasm", { native: mode.native });
      const before = nativeRuns().reduce;
      for (const [i, [shape, axes]] of CASES.entries()) {
        const x = random(shape, i);
        for (const keepDims of [false, true]) {
          for (const op of [tf.sum, tf.mean]) {
            const run = () => op(tensor(x), axes, keepDims);
            const want = await on("cpu", run), got = await on("wasm", run);
            assertEquals(got.shape, want.shape);
            assertLessOrEqual(
              relativeError(got, want),
              TOLERANCE,
              `${op.name} ${shape} ${axes} ${keepDims}`,
            );
          }
        }
      }
      const ran = nativeRuns().reduce - before;
      if (mode.native) assertGreater(ran, 4 * 5, "the leading, trailing and full reductions");
      else assertEquals(ran, 0);
    },
  });
}
