import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { enhanceDetails } from "./enhance.ts";

await tf.setBackend("cpu");

Deno.test("enhanceDetails: x0 + amount·(x0 − xs), clipped to [0, 1]", () => {
  const x0 = tf.tensor3d([[[0.2], [0.5], [0.9], [0.6]]]);
  const xs = tf.tensor3d([[[0.3], [0.5], [0.6], [0.7]]]);
  const before = tf.memory().numTensors;
  const expect = (got: tf.Tensor, want: number[]) => {
    const v = got.dataSync();
    want.forEach((w, i) => assertAlmostEquals(v[i], w, 1e-6));
    got.dispose();
  };
  expect(enhanceDetails(x0, xs), [0.1, 0.5, 1, 0.5]); // 0.9 + 0.3 = 1.2 clips to 1
  expect(enhanceDetails(x0, xs, { amount: 2 }), [0, 0.5, 1, 0.4]);
  expect(enhanceDetails(x0, xs, { amount: 0 }), [0.2, 0.5, 0.9, 0.6]);
  // the author's code adds only positive details
  expect(enhanceDetails(x0, xs, { positiveOnly: true }), [0.2, 0.5, 1, 0.6]);
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([x0, xs]);
});

Deno.test("enhanceDetails sharpens: a smoothed step gets a larger gradient back", () => {
  const x0 = tf.tensor3d([[[0.2], [0.2], [0.8], [0.8]]]);
  const xs = tf.tensor3d([[[0.2], [0.35], [0.65], [0.8]]]);
  const xe = enhanceDetails(x0, xs);
  const v = xe.dataSync();
  assert(v[2] - v[1] > 0.8 - 0.2, "the step is steeper than the original");
  tf.dispose([x0, xs, xe]);
});

Deno.test("enhanceDetails rejects mismatched shapes and bad amounts", () => {
  const a = tf.zeros([4, 4, 3]) as tf.Tensor3D;
  const b = tf.zeros([4, 4, 1]) as tf.Tensor3D;
  assertThrows(() => enhanceDetails(a, b), RangeError, "xs must have the shape of x0");
  assertThrows(() => enhanceDetails(a, a, { amount: -1 }), RangeError, "amount must be >= 0");
  assertThrows(
    () => enhanceDetails(tf.zeros([4, 4]) as unknown as tf.Tensor3D, a),
    RangeError,
    "x0 must be an HWC image",
  );
  tf.dispose([a, b]);
});
