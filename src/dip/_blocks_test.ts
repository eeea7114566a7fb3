import { assertAlmostEquals } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng.ts";
import { leakyRelu } from "./_blocks.ts";

await tf.setBackend("cpu");

Deno.test("leakyRelu's hand-written gradient equals tfjs's", () => {
  const x = new Rng(1).normalTensor([1, 4, 4, 3]) as tf.Tensor4D;
  const w = new Rng(2).normalTensor([1, 4, 4, 3]);
  const ours = tf.grad((a: tf.Tensor) => leakyRelu(a as tf.Tensor4D, 0.2).mul(w).sum())(x);
  const ref = tf.grad((a: tf.Tensor) => tf.leakyRelu(a, 0.2).mul(w).sum())(x);
  assertAlmostEquals(tf.sub(ours, ref).abs().max().dataSync()[0], 0, 1e-7);
  const y = leakyRelu(x, 0.2);
  assertAlmostEquals(tf.sub(y, tf.leakyRelu(x, 0.2)).abs().max().dataSync()[0], 0, 0);
  tf.dispose([x, w, ours, ref, y]);
});
