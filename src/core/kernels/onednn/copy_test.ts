import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "@std/assert";
import { useBackend } from "../../backend.ts";
import { type Data, on, random, tensor } from "../_reference.ts";
import { nativeRuns } from "./kernels.ts";

// Reference: tfjs's cpu Slice and PadV2 (exact: these kernels only move values).
// Bool inputs come from a comparison: wasm's own float32 → bool Cast differs from cpu's.
const probe = await useBackend("wasm");
if (!probe.native.active) {
  console.log(`copy_test: skipping the native half: ${probe.native.reason}`);
}
const MODES = [
  { native: true, ignore: !probe.native.active, label: "oneDNN" },
  { native: false, ignore: false, label: "wasm kernels" },
];

function input(x: Data, dtype: "float32" | "int32" | "bool"): tf.Tensor {
  const t = tensor(x);
  return dtype === "bool" ? tf.greater(t, 0) : tf.cast(tf.mul(t, 10), dtype);
}

/** Positions where two results differ (assertEquals on 10^5 values builds a huge diff). */
function mismatches(got: Data, want: Data): number {
  assertEquals(got.shape, want.shape);
  let n = 0;
  for (let i = 0; i < want.values.length; i++) if (got.values[i] !== want.values[i]) n++;
  return n;
}

const SLICES: [number[], number[], number[]][] = [
  [[1, 130, 130, 16], [0, 1, 0, 0], [1, 128, 130, 16]], // contiguous rows
  [[1, 130, 130, 16], [0, 0, 1, 0], [-1, -1, 128, -1]], // a column window
  [[2, 9, 8, 5], [1, 2, 3, 1], [1, 5, 4, 3]],
  [[7, 6], [2, 1], [3, 4]],
  [[5, 4, 3, 2, 3], [1, 0, 1, 1, 0], [3, 4, 2, 1, 2]],
  [[11], [3], [5]],
];

const PADS: [number[], [number, number][], number][] = [
  [[1, 130, 1, 16], [[0, 0], [0, 0], [1, 126], [0, 0]], 0],
  [[2, 7, 6, 3], [[0, 1], [2, 0], [1, 3], [0, 2]], 0.5],
  [[5, 4], [[1, 2], [0, 3]], -2],
  [[3, 2, 4, 2, 2], [[0, 0], [1, 1], [0, 2], [1, 0], [0, 1]], 0],
];

for (const mode of MODES) {
  Deno.test({
    name: `Slice on wasm (${mode.label}) matches cpu for float32, int32 and bool`,
    ignore: mode.ignore,
    fn: async () => {
      await useBackend("wasm", { native: mode.native });
      const before = nativeRuns().copy;
      for (const [shape, begin, size] of SLICES) {
        const x = random(shape, shape.length);
        for (const dtype of ["float32", "int32", "bool"] as const) {
          const run = () => tf.cast(tf.slice(input(x, dtype), begin, size), "float32");
          const want = await on("cpu", run), got = await on("wasm", run);
          assertEquals(mismatches(got, want), 0, `${dtype} ${shape} ${begin} ${size}`);
        }
      }
      const ran = nativeRuns().copy - before;
      assertEquals(ran, mode.native ? 3 * SLICES.length : 0, "native Slice calls");
    },
  });

  Deno.test({
    name: `PadV2 on wasm (${mode.label}) matches cpu for float32, int32 and bool`,
    ignore: mode.ignore,
    fn: async () => {
      await useBackend("wasm", { native: mode.native });
      const before = nativeRuns().copy;
      for (const [shape, paddings, value] of PADS) {
        const x = random(shape, 3);
        for (const dtype of ["float32", "int32", "bool"] as const) {
          // a bool tensor pads with false or true
          const constant = dtype === "bool" ? Number(value !== 0) : value;
          const run = () => tf.cast(tf.pad(input(x, dtype), paddings, constant), "float32");
          const want = await on("cpu", run), got = await on("wasm", run);
          assertEquals(mismatches(got, want), 0, `${dtype} ${shape} ${paddings}`);
        }
      }
      assertEquals(nativeRuns().copy - before, mode.native ? 3 * PADS.length : 0);
    },
  });
}
