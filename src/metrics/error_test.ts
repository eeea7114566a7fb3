// Reference values: numpy (float64) RMSE and MAE, over all pixels and over
// the mask's pixels, on the pairs of testdata/metrics_values.json
// (tools/fixtures/metrics_fixtures.py).
import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { mae, maeAsync, rmse, rmseAsync } from "./mod.ts";
import { disposePairs, loadPairs } from "./_test_fixtures.ts";

await tf.setBackend("cpu");

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`rmse and mae match numpy on real images, with and without mask (${backend})`, async () => {
    await useBackend(backend);
    const pairs = await loadPairs();
    for (const { name, ref, test, mask, values } of pairs) {
      // Measured on cpu: max 2e-9.
      assertAlmostEquals(rmse(ref, test), values.rmse, 1e-6, name);
      assertAlmostEquals(mae(ref, test), values.mae, 1e-6, name);
      assertAlmostEquals(rmse(ref, test, { mask }), values.masked.rmse, 1e-6, name);
      assertAlmostEquals(mae(ref, test, { mask }), values.masked.mae, 1e-6, name);
      assertAlmostEquals(await rmseAsync(ref, test, { mask }), values.masked.rmse, 1e-6, name);
      assertAlmostEquals(await maeAsync(ref, test), values.mae, 1e-6, name);
    }
    disposePairs(pairs);
    await useBackend("cpu");
  });
}

Deno.test("masks are weights: a disparity map with unknown pixels (0) left out", () => {
  const truth = tf.tensor3d([[[0], [10]], [[20], [30]]]);
  const estimate = tf.tensor3d([[[5], [12]], [[17], [30]]]);
  const known = tf.notEqual(truth, 0); // bool masks work too
  assertAlmostEquals(mae(truth, estimate, { mask: known }), (2 + 3 + 0) / 3, 1e-6);
  assertAlmostEquals(rmse(truth, estimate, { mask: known }), Math.sqrt((4 + 9) / 3), 1e-6);
  // Masks align with the trailing axes (numpy broadcasting): [H, W, 1] for an
  // [H, W, 3] image; an [H, W] mask would align with [W, C] and is refused.
  const rgb = tf.ones([2, 2, 3]);
  assertAlmostEquals(mae(rgb, tf.zeros([2, 2, 3]), { mask: tf.ones([2, 2, 1]) }), 1, 1e-6);
  assertThrows(() => mae(rgb, rgb, { mask: tf.ones([2, 2]) }), RangeError, "broadcastable");
  tf.dispose([truth, estimate, known, rgb]);
});

Deno.test("rmse and mae work on any rank and reject mismatches", () => {
  assertAlmostEquals(rmse(tf.tensor1d([0, 0]), tf.tensor1d([3, 4])), Math.sqrt(12.5), 1e-6);
  assertAlmostEquals(mae(tf.zeros([2, 3, 4, 5]), tf.ones([2, 3, 4, 5])), 1, 1e-6);
  assertThrows(
    () => rmse(tf.zeros([3, 3, 1]), tf.zeros([3, 3, 3])),
    RangeError,
    "expected [3, 3, 1], got [3, 3, 3]",
  );
  assertThrows(() => mae(tf.zeros([0, 3]), tf.zeros([0, 3])), RangeError, "must not be empty");
});

Deno.test("rmse and mae leave no tensors behind", async () => {
  const a = tf.randomUniform([16, 16, 3]), b = tf.randomUniform([16, 16, 3]);
  const mask = tf.ones([16, 16, 1]);
  const before = tf.memory().numTensors;
  rmse(a, b);
  mae(a, b, { mask });
  await rmseAsync(a, b, { mask });
  await maeAsync(a, b);
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([a, b, mask]);
});
