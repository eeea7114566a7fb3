import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../../core/backend.ts";
import { encoderDistillerDecoder } from "./encoder_distiller_decoder.ts";
import { trainableParams } from "./network.ts";
import { batch, checkGradients, checkRoundTrip, sameWeights } from "./_test_utils.ts";

await useBackend("wasm");

/** Parameters of a bias-free k×k convolution followed by batch norm (γ, β). */
const convBn = (k: number, i: number, o: number) => k * k * i * o + 2 * o;
/** A residual block of the author's `ops.py`: two 3×3 conv+BN, 1×1 conv+BN shortcut when the shape changes. */
const block = (i: number, o: number, strided: boolean) =>
  convBn(3, i, o) + convBn(3, o, o) + (i !== o || strided ? convBn(1, i, o) : 0);

// Hand count at full width from the author's code (github.com/shizenglin/Counting-with-Focus-for-Free,
// code/model.py); the thesis gives no parameter total for this network.
const ENCODER = convBn(7, 3, 16) + block(16, 16, false) + block(16, 32, true) +
  block(32, 64, true) + block(64, 64, false) + block(64, 96, true) + 9 * block(96, 96, false);
const DISTILLER = convBn(3, 4 * 96, 96) + 3 * convBn(3, 96, 96);
const decoder = (from: number) =>
  convBn(4, from, 64) + 2 * convBn(3, 64, 64) + convBn(4, 64, 32) + 2 * convBn(3, 32, 32) +
  convBn(4, 32, 16) + convBn(3, 16, 16);
const head = (c: number) => c + 1;

Deno.test("encoderDistillerDecoder: parameter counts of the four Table 21 variants at full width", () => {
  const cases: [string, { distiller?: boolean; decoder?: boolean }, number][] = [
    ["encoder", { distiller: false, decoder: false }, ENCODER + head(96)],
    ["encoder + distiller", { decoder: false }, ENCODER + DISTILLER + head(96)],
    ["encoder + decoder", { distiller: false }, ENCODER + decoder(96) + head(16)],
    ["all", {}, ENCODER + DISTILLER + decoder(96) + head(16)],
  ];
  for (const [name, options, expected] of cases) {
    const net = encoderDistillerDecoder(options);
    assertEquals(trainableParams(net.model), expected, name);
    net.dispose();
  }
  assertEquals(ENCODER + DISTILLER + decoder(96) + head(16), 2_610_465);
});

Deno.test("encoderDistillerDecoder: output strides and sizes of the variants", () => {
  const full = encoderDistillerDecoder({ width: 0.25 });
  assertEquals([full.outputStride, full.inputMultiple, full.featureChannels], [1, 8, 4]);
  const x = batch(2, 24, 40, 3);
  const y = full.forward(x);
  assertEquals(y.shape, [2, 24, 40, 1]);
  assertThrows(() => full.outputSize(100, 75), RangeError, "multiples of 8, got 100 × 75");
  const odd = batch(1, 100, 75, 3);
  assertThrows(() => full.forward(odd), RangeError, "pad to 104 × 80");
  full.dispose();

  const enc = encoderDistillerDecoder({ width: 0.25, decoder: false });
  assertEquals([enc.outputStride, enc.inputMultiple, enc.featureChannels], [8, 1, 24]);
  const z = enc.forward(odd);
  assertEquals(z.shape, [1, 13, 10, 1]);
  enc.dispose();
  tf.dispose([x, y, z, odd]);
});

Deno.test("encoderDistillerDecoder: the author's layer names; levels 5-8 dilated 2, 4, 2, 1", () => {
  const net = encoderDistillerDecoder({ width: 0.25 });
  const dil = (name: string) => net.model.getLayer(`edd/${name}/conv1`).getConfig().dilationRate;
  assertEquals(dil("res_block5"), [2, 2]);
  assertEquals(dil("res_block6_1"), [4, 4]);
  assertEquals(dil("res_block7"), [2, 2]);
  assertEquals(dil("res_block8_1"), [1, 1]);
  assertEquals(net.model.getLayer("edd/res_block4/conv1").getConfig().strides, [2, 2]);
  const concat = net.model.getLayer("edd/distiller_concat");
  assertEquals(
    (concat.inboundNodes[0].inboundLayers as tf.layers.Layer[]).map((l) => l.name),
    [
      "edd/res_block4_1/relu",
      "edd/res_block5_1/relu",
      "edd/res_block7_1/relu",
      "edd/res_block8_1/relu",
    ],
  );
  net.dispose();
});

Deno.test("encoderDistillerDecoder: seeded, trains on wasm without leaks, round trip", async () => {
  const a = encoderDistillerDecoder({ width: 0.25, seed: 5 });
  const b = encoderDistillerDecoder({ width: 0.25, seed: 5 });
  assert(sameWeights(a.model, b.model));
  b.dispose();
  const x = batch(2, 16, 16, 3);
  checkGradients(a, x);
  await checkRoundTrip(a, x);
  a.dispose();
  const enc = encoderDistillerDecoder({ width: 0.25, distiller: false, decoder: false });
  checkGradients(enc, x);
  // 64×64 is where the strided 1×1 shortcut's filter gradient used to crash the wasm backend
  const big = batch(1, 64, 64, 3);
  checkGradients(enc, big);
  big.dispose();
  enc.dispose();
  x.dispose();
});
