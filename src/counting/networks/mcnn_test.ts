import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../../core/backend.ts";
import { mcnn } from "./mcnn.ts";
import { trainableParams } from "./network.ts";
import { batch, checkGradients, checkRoundTrip, convParams, sameWeights } from "./_test_utils.ts";

await useBackend("wasm");

Deno.test("mcnn: parameter count at full width is the paper's ≈ 0.13 M", () => {
  // Zhang et al. (CVPR 2016), Fig. 2: columns 9-7-7-7 (16, 32, 16, 8), 7-5-5-5 (20, 40, 20, 10),
  // 5-3-3-3 (24, 48, 24, 12) on a gray image, a 1×1 merge; its size is usually quoted as 0.13 M
  // (model-size comparisons of later counting papers). Counted by hand from that table:
  const expected = convParams([
    [81, 1, 16, true],
    [49, 16, 32, true],
    [49, 32, 16, true],
    [49, 16, 8, true],
    [49, 1, 20, true],
    [25, 20, 40, true],
    [25, 40, 20, true],
    [25, 20, 10, true],
    [25, 1, 24, true],
    [9, 24, 48, true],
    [9, 48, 24, true],
    [9, 24, 12, true],
    [1, 30, 1, true],
  ]);
  assertEquals(expected, 127_953);
  const gray = mcnn({ inputChannels: 1 });
  assertEquals(trainableParams(gray.model), expected);
  assertEquals(Math.round(trainableParams(gray.model) / 1e4) / 100, 0.13);
  assertEquals(gray.featureChannels, 30);
  gray.dispose();
  const rgb = mcnn();
  assertEquals(trainableParams(rgb.model), expected + 2 * (81 * 16 + 49 * 20 + 25 * 24));
  rgb.dispose();
});

Deno.test("mcnn: output is ⌈H/4⌉ × ⌈W/4⌉ for any input size", () => {
  const net = mcnn({ width: 0.25 });
  assertEquals(net.outputStride, 4);
  for (const [h, w] of [[32, 32], [100, 75], [7, 5], [1, 1]]) {
    const x = batch(2, h, w, 3);
    const y = net.forward(x);
    assertEquals(y.shape, [2, Math.ceil(h / 4), Math.ceil(w / 4), 1]);
    assertEquals(net.outputSize(h, w), [Math.ceil(h / 4), Math.ceil(w / 4)]);
    tf.dispose([x, y]);
  }
  net.dispose();
});

Deno.test("mcnn: one seed gives identical weights, another seed different ones", () => {
  const a = mcnn({ width: 0.25, seed: 3 }), b = mcnn({ width: 0.25, seed: 3 });
  const c = mcnn({ width: 0.25, seed: 4 });
  assert(sameWeights(a.model, b.model));
  assert(!sameWeights(a.model, c.model));
  [a, b, c].forEach((n) => n.dispose());
});

Deno.test("mcnn: features option and backbone give V (the merged columns)", () => {
  const net = mcnn({ width: 0.5, features: true });
  const x = batch(1, 16, 12, 3);
  const [d, v] = net.model.predict(x) as tf.Tensor[];
  const vb = net.backbone.predict(x) as tf.Tensor;
  assertEquals(d.shape, [1, 4, 3, 1]);
  assertEquals(v.shape, [1, 4, 3, net.featureChannels]);
  assertEquals(net.featureChannels, 4 + 5 + 6);
  assertEquals(Array.from(vb.dataSync()), Array.from(v.dataSync()));
  tf.dispose([x, d, v, vb]);
  net.dispose();
});

Deno.test("mcnn: forward+backward on wasm, finite gradients, no leaks; save/load round trip", async () => {
  const net = mcnn({ width: 0.25 });
  const x = batch(2, 16, 16, 3);
  checkGradients(net, x);
  await checkRoundTrip(net, x);
  x.dispose();
  net.dispose();
});

Deno.test("mcnn: bad options are refused with their names", () => {
  assertThrows(() => mcnn({ width: 0 }), RangeError, "width");
  assertThrows(() => mcnn({ inputChannels: 0 }), RangeError, "inputChannels");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => mcnn({ init: "xavier" as any }), RangeError, "init");
  assertThrows(() => mcnn({ prefix: "bad name" }), RangeError, "prefix");
  const net = mcnn({ width: 0.25 });
  const gray = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
  assertThrows(() => net.forward(gray), RangeError, "images must have shape [*, *, *, 3]");
  gray.dispose();
  net.dispose();
});
