import { assert, assertEquals, assertGreater, assertLess, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import {
  CONTROLLED,
  convNet,
  decoder,
  deepDecoder,
  dipInput,
  type DipNetwork,
  encoderDecoder,
  skipNet,
} from "./mod.ts";

await tf.setBackend("cpu");

/** Parameters of a k×k convolution from cin to cout channels. */
const conv = (k: number, cin: number, cout: number, bias: boolean) =>
  k * k * cin * cout + (bias ? cout : 0);

function checkForward(net: DipNetwork, size: [number, number]) {
  const z = dipInput(net, size, { seed: 3 });
  const before = tf.memory().numTensors;
  const y = net.apply(z, { training: true });
  assertEquals(tf.memory().numTensors, before + 1, `${net.name} leaks tensors`);
  assertEquals(y.shape, [1, size[0], size[1], net.outChannels]);
  const [lo, hi] = [y.min().dataSync()[0], y.max().dataSync()[0]];
  assertGreater(lo, 0);
  assertLess(hi, 1);
  assertGreater(hi - lo, 1e-4, `${net.name} gives a constant image`);
  tf.dispose([z, y]);
}

Deno.test("the input z is uniform in [0, 0.1) at the resolution each network needs", () => {
  const d = decoder({ channels: 4, depth: 3 });
  const z = dipInput(d, [64, 48], { seed: 1 });
  assertEquals(z.shape, [1, 8, 6, 32]);
  assert(z.min().dataSync()[0] >= 0 && z.max().dataSync()[0] < 0.1);
  const c = convNet({ channels: 4, depth: 1 });
  assertEquals(c.inputShape(64, 48), [64, 48, 32]);
  const e = encoderDecoder({ channels: 4, depth: 3 });
  assertEquals(e.inputShape(64, 48), [64, 48, 32]);
  const dd = deepDecoder({ channels: 16 });
  assertEquals(dd.inputShape(64, 96), [2, 3, 16]);
  assertThrows(() => d.inputShape(60, 48), RangeError, "divisible by 8");
  tf.dispose(z);
  for (const n of [d, c, e, dd]) n.dispose();
});

Deno.test("decoder, convNet and encoderDecoder have the expected parameters", () => {
  const [k, c, d, out, cin] = [3, 16, 3, 3, 32];
  const hidden = conv(k, cin, c, false) + (d - 1) * conv(k, c, c, false);
  const head = conv(1, c, out, true);
  for (const norm of ["batch", "lipschitz"] as const) {
    const perNorm = norm === "batch" ? 2 * c : c; // γ, β or the mean-only bias
    const dec = decoder({ channels: c, depth: d, norm });
    assertEquals(dec.paramCount(), hidden + d * perNorm + head);
    const cn = convNet({ channels: c, depth: d, norm });
    assertEquals(cn.paramCount(), hidden + d * perNorm + head);
    const ed = encoderDecoder({ channels: c, depth: d, norm });
    const encoder = conv(k, cin, c, false) + (2 * d - 1) * conv(k, c, c, false);
    assertEquals(ed.paramCount(), encoder + d * conv(k, c, c, false) + 3 * d * perNorm + head);
    assertEquals(Object.keys(dec.stateVariables).length, norm === "lipschitz" ? d : 0);
    for (const n of [dec, cn, ed]) n.dispose();
  }
  // The thesis decoder: 128 channels, 5 upsamplings, input depth 32.
  const full = decoder({ ...CONTROLLED });
  assertEquals(
    full.paramCount(),
    conv(3, 32, 128, false) + 4 * conv(3, 128, 128, false) + 5 * 128 + 387,
  );
  full.dispose();
});

Deno.test("the original DIP skip network has 2,217,831 parameters", () => {
  const net = skipNet();
  // Per scale (input depth d): skip 1x1 conv + BN, two 3x3 convs + BNs, BN of the concatenation,
  // a 3x3 and a 1x1 conv + BNs; convs with bias, BN with γ and β (models/skip.py).
  const level = (d: number) =>
    conv(1, d, 4, true) + 8 + conv(3, d, 128, true) + 256 + conv(3, 128, 128, true) + 256 +
    2 * 132 + conv(3, 132, 128, true) + 256 + conv(1, 128, 128, true) + 256;
  const expected = level(32) + 4 * level(128) + conv(1, 128, 3, true);
  assertEquals(expected, 2217831); // the count the DIP code prints for its denoising network
  assertEquals(net.paramCount(), expected);
  net.dispose();
});

Deno.test("the deep decoder has 6k² + 15k parameters (k = 128)", () => {
  const net = deepDecoder();
  assertEquals(net.paramCount(), 6 * 128 * 128 + 12 * 128 + 3 * 128);
  assertEquals(net.paramCount(), 100224);
  net.dispose();
});

Deno.test("every network maps z to an image in (0, 1) without leaking tensors", () => {
  const nets: [DipNetwork, [number, number]][] = [
    [decoder({ channels: 8, depth: 3 }), [16, 24]],
    [decoder({ ...CONTROLLED, channels: 8, depth: 3 }), [16, 16]],
    [decoder({ channels: 8, depth: 2, upsample: "nearest", outChannels: 1 }), [8, 8]],
    [convNet({ ...CONTROLLED, channels: 8, depth: 2 }), [8, 12]],
    [encoderDecoder({ ...CONTROLLED, channels: 8, depth: 2 }), [16, 16]],
    [skipNet({ channels: 8, scales: 3 }), [16, 16]],
    [skipNet({ channels: 8, scales: 2 }), [13, 10]],
    [deepDecoder({ channels: 8, depth: 3 }), [16, 16]],
  ];
  for (const [net, size] of nets) {
    checkForward(net, size);
    net.dispose();
  }
});

Deno.test("a network is repeatable from its seed and disposes every variable", () => {
  const before = tf.memory().numTensors;
  const a = decoder({ ...CONTROLLED, channels: 4, depth: 2, seed: 7 });
  const b = decoder({ ...CONTROLLED, channels: 4, depth: 2, seed: 7 });
  const c = decoder({ ...CONTROLLED, channels: 4, depth: 2, seed: 8 });
  const names = Object.keys(a.trainableVariables);
  assertEquals(names, Object.keys(b.trainableVariables));
  assertEquals(new Set(names).size, names.length);
  const w = (n: DipNetwork) => Array.from(n.trainableVariables["block1/conv/w"].dataSync());
  assertEquals(w(a), w(b));
  assert(w(a).some((v, i) => v !== w(c)[i]));
  for (const n of [a, b, c]) n.dispose();
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("networks validate their options", () => {
  assertThrows(() => decoder({ norm: "layer" as "batch" }), RangeError, '"batch", "lipschitz"');
  assertThrows(() => decoder({ lambda: 0 }), RangeError, "lambda");
  assertThrows(() => encoderDecoder({ kernelSize: 4 }), RangeError, "odd");
  assertThrows(() => skipNet({ scales: 0 }), RangeError, "scales");
  const skip = skipNet({ channels: 4, scales: 5 });
  assertThrows(() => skip.inputShape(32, 32), RangeError, "coarsest");
  skip.dispose();
  const net = decoder({ channels: 4, depth: 1 });
  assertThrows(() => net.apply(tf.zeros([1, 4, 4, 3]) as tf.Tensor4D), RangeError, "[*, *, *, 32]");
  net.dispose();
});
