import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { createDgf, createDjf, createSvlrm } from "./baselines.ts";
import { guidedFilter } from "./guided_filter.ts";
import { maxAbsDiff } from "./_testing.ts";

await useBackend("cpu");

Deno.test("DJF: paper-sized parameter count; zero fusion output gives the residual input back", () => {
  const net = createDjf();
  // Branch (×2): 9·9·1·96+96, 5·5·96·48+48, 5·5·48·1+1; fusion: 9·9·2·64+64, 1·1·64·32+32, 5·5·32·1+1.
  const branch = 9 * 9 * 96 + 96 + 5 * 5 * 96 * 48 + 48 + 5 * 5 * 48 + 1;
  const fusion = 9 * 9 * 2 * 64 + 64 + 64 * 32 + 32 + 5 * 5 * 32 + 1;
  assertEquals(net.parameterCount(), 2 * branch + fusion);
  net.dispose();
  const small = createDjf({ branchWidths: [4, 2, 1], fusionWidths: [4, 2] });
  small.variables["djf/fusion/conv2/w"].assign(tf.zerosLike(small.variables["djf/fusion/conv2/w"]));
  const g = tf.randomUniform([1, 10, 10, 1], 0, 1, "float32", 1) as tf.Tensor4D;
  const t = tf.randomUniform([1, 10, 10, 1], 0, 1, "float32", 2) as tf.Tensor4D;
  const [out] = small.forward(g, t);
  assertLess(maxAbsDiff(out, t), 1e-6);
  tf.dispose([g, t, out]);
  small.dispose();
});

Deno.test("SVLRM: the output is f_α ⊙ G + f_β of a two-channel coefficient map", () => {
  const net = createSvlrm({ depth: 2, width: 4 });
  // With zero weights and bias (α, β) = (0.5, 0.2), Î = 0.5 G + 0.2.
  const w = net.variables["svlrm/coefficients/w"], b = net.variables["svlrm/coefficients/b"];
  w.assign(tf.zerosLike(w));
  b.assign(tf.tensor1d([0.5, 0.2]));
  const g = tf.randomUniform([2, 9, 9, 1], 0, 1, "float32", 3) as tf.Tensor4D;
  const [out] = net.forward(g, tf.zerosLike(g) as tf.Tensor4D);
  const want = tf.tidy(() => g.mul(0.5).add(0.2));
  assertLess(maxAbsDiff(out, want), 1e-6);
  tf.dispose([g, out, want]);
  net.dispose();
});

Deno.test("DGF: with the learned parts at zero it is the guided filter of the gray guide", () => {
  const net = createDgf({ guideWidth: 4, targetDepth: 1, targetWidth: 4, radius: 2, eps: 0.01 });
  for (const k of ["dgf/guide1/w", "dgf/target_out/w"]) {
    net.variables[k].assign(tf.zerosLike(net.variables[k]));
  }
  const g = tf.randomUniform([1, 12, 12, 1], 0, 1, "float32", 5) as tf.Tensor4D;
  const t = tf.randomUniform([1, 12, 12, 1], 0, 1, "float32", 6) as tf.Tensor4D;
  const [out] = net.forward(g, t);
  const want = guidedFilter(g, t, { radius: 2, eps: 0.01 });
  assertLess(maxAbsDiff(out, want), 1e-5);
  // Trainable end to end: every variable gets a gradient.
  const { grads, value } = tf.variableGrads(() => tf.mean(net.forward(g, t)[0]) as tf.Scalar);
  assertEquals(Object.keys(grads).length, Object.keys(net.variables).length);
  tf.dispose([g, t, out, want, value, ...Object.values(grads)]);
  net.dispose();
});
