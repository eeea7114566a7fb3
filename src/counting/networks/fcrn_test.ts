import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../../core/backend.ts";
import { fcrn } from "./fcrn.ts";
import { trainableParams } from "./network.ts";
import { batch, checkGradients, checkRoundTrip, convParams, sameWeights } from "./_test_utils.ts";

await useBackend("wasm");

// Xie, Noble & Zisserman (2016), FCRN-A: 3×3 convolutions 32, 64, 128 (each followed by pooling),
// 512, then 128, 64, 32 after ×2 upsamplings, and a 1×1 output. The paper gives no total; this is
// the hand count of its layer table on RGB input.
const LAYERS: [number, number, number, boolean][] = [
  [9, 3, 32, true],
  [9, 32, 64, true],
  [9, 64, 128, true],
  [9, 128, 512, true],
  [9, 512, 128, true],
  [9, 128, 64, true],
  [9, 64, 32, true],
  [1, 32, 1, true],
];

Deno.test("fcrn: parameter count of FCRN-A at full width, with and without batch norm", () => {
  const net = fcrn();
  assertEquals(trainableParams(net.model), convParams(LAYERS));
  assertEquals(convParams(LAYERS), 1_365_825);
  net.dispose();
  // the authors' Keras code: bias-free convolutions + batch norm (γ, β)
  const bn = fcrn({ batchNorm: true });
  const withBn = convParams(LAYERS.map(([k, i, o, b], j) => [k, i, o, j === 7 ? b : false])) +
    2 * LAYERS.slice(0, 7).reduce((n, [, , o]) => n + o, 0);
  assertEquals(trainableParams(bn.model), withBn);
  bn.dispose();
});

Deno.test("fcrn: full-resolution output; sides must be multiples of 8", () => {
  const net = fcrn({ width: 0.125 });
  assertEquals([net.outputStride, net.inputMultiple], [1, 8]);
  for (const [h, w] of [[8, 8], [32, 24], [104, 80]]) {
    const x = batch(1, h, w, 3);
    const y = net.forward(x);
    assertEquals(y.shape, [1, h, w, 1]);
    tf.dispose([x, y]);
  }
  // the model alone would silently return 8·⌈H/8⌉ rows: forward refuses
  const odd = batch(1, 100, 75, 3);
  const raw = net.model.predict(odd) as tf.Tensor;
  assertEquals(raw.shape, [1, 104, 80, 1]);
  assertThrows(
    () => net.forward(odd),
    RangeError,
    "fcrn needs an input height and width that are multiples of 8",
  );
  tf.dispose([odd, raw]);
  net.dispose();
});

Deno.test("fcrn: seeded; trains on wasm without leaks; round trip", async () => {
  for (const batchNorm of [false, true]) {
    const a = fcrn({ width: 0.125, batchNorm, seed: 9 });
    const b = fcrn({ width: 0.125, batchNorm, seed: 9 });
    assert(sameWeights(a.model, b.model));
    b.dispose();
    const x = batch(2, 16, 16, 3);
    checkGradients(a, x);
    await checkRoundTrip(a, x);
    x.dispose();
    a.dispose();
  }
});
