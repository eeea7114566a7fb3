import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "@std/assert";
import { useBackend } from "../../core/backend.ts";
import { csrnet } from "./csrnet.ts";
import { namedWeights, trainableParams } from "./network.ts";
import { batch, checkGradients, checkRoundTrip, convParams, sameWeights } from "./_test_utils.ts";

await useBackend("wasm");

/** VGG-16's ten convolutions and CSRNet's back-end: [k², in, out, bias]. */
const LAYERS: [number, number, number, boolean][] = [
  [9, 3, 64, true],
  [9, 64, 64, true],
  [9, 64, 128, true],
  [9, 128, 128, true],
  [9, 128, 256, true],
  [9, 256, 256, true],
  [9, 256, 256, true],
  [9, 256, 512, true],
  [9, 512, 512, true],
  [9, 512, 512, true],
  [9, 512, 512, true],
  [9, 512, 512, true],
  [9, 512, 512, true],
  [9, 512, 256, true],
  [9, 256, 128, true],
  [9, 128, 64, true],
  [1, 64, 1, true],
];

Deno.test("csrnet: 16.26 M parameters at full width, as in the paper", () => {
  // Li, Zhang & Chen (CVPR 2018) give CSRNet 16.26 M parameters (their model-size comparison
  // with MCNN, CP-CNN, ...); the hand count of its layers is 16,263,489.
  const expected = convParams(LAYERS);
  assertEquals(expected, 16_263_489);
  const net = csrnet();
  assertEquals(trainableParams(net.model), expected);
  assertEquals((trainableParams(net.model) / 1e6).toFixed(2), "16.26");
  net.dispose();
  // batch norm adds γ and β per channel of every 3×3 convolution
  const bn = csrnet({ batchNorm: true });
  const channels = LAYERS.slice(0, -1).reduce((n, [, , o]) => n + o, 0);
  assertEquals(trainableParams(bn.model), expected + 2 * channels);
  assertEquals(Object.keys(namedWeights(bn.model).state).length, 2 * 16);
  bn.dispose();
});

Deno.test("csrnet: VGG's layer names, dilation 2 in the back-end, output ⌈H/8⌉ × ⌈W/8⌉", () => {
  const net = csrnet({ width: 1 / 16 });
  const names = Object.keys(namedWeights(net.model).variables);
  assertEquals(names.slice(0, 4), [
    "csrnet/conv1_1/kernel",
    "csrnet/conv1_1/bias",
    "csrnet/conv1_2/kernel",
    "csrnet/conv1_2/bias",
  ]);
  const backend = net.model.getLayer("csrnet/backend1").getConfig();
  assertEquals(backend.dilationRate, [2, 2]);
  for (const [h, w] of [[64, 64], [100, 75], [9, 17]]) {
    const x = batch(1, h, w, 3);
    const y = net.forward(x);
    assertEquals(y.shape, [1, Math.ceil(h / 8), Math.ceil(w / 8), 1]);
    tf.dispose([x, y]);
  }
  assertEquals(net.featureChannels, 4);
  net.dispose();
});

Deno.test("csrnet: seeded initialisation is repeatable", () => {
  const a = csrnet({ width: 1 / 16, seed: 11, batchNorm: true });
  const b = csrnet({ width: 1 / 16, seed: 11, batchNorm: true });
  const c = csrnet({ width: 1 / 16, seed: 12, batchNorm: true });
  assert(sameWeights(a.model, b.model));
  assert(!sameWeights(a.model, c.model));
  [a, b, c].forEach((n) => n.dispose());
});

Deno.test("csrnet: forward+backward through the dilated back-end on wasm, with and without batch norm", async () => {
  for (const batchNorm of [false, true]) {
    const net = csrnet({ width: 1 / 16, batchNorm });
    const x = batch(2, 32, 32, 3);
    checkGradients(net, x);
    await checkRoundTrip(net, x);
    x.dispose();
    net.dispose();
  }
});
