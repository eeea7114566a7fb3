import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertGreater,
  assertLess,
  assertThrows,
} from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng.ts";
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

Deno.test("the Fourier input: [sin 2πu, cos 2πu] of c/2 uniform draws per pixel", () => {
  const d = decoder({ channels: 4, depth: 3 });
  const z = dipInput(d, [64, 48], { seed: 1, kind: "fourier" });
  assertEquals(z.shape, [1, 8, 6, 32]);
  const [s, c] = tf.split(z, 2, 3);
  // Channel k and k + 16 are the sine and cosine of one angle.
  const norm = tf.tidy(() => s.square().add(c.square()).sub(1).abs().max().dataSync()[0]);
  assertLess(norm, 1e-6);
  // The angles 2πu: atan2 recovers u, which must be uniform on [0, 1).
  const u = tf.tidy(() => {
    const a = tf.atan2(s, c).div(2 * Math.PI);
    return Array.from(a.add(a.less(0).toFloat()).dataSync());
  });
  const mean = u.reduce((x, v) => x + v, 0) / u.length;
  assertLess(Math.abs(mean - 0.5), 0.05); // 768 draws: std of the mean 0.0104
  assertLess(Math.max(...u), 1);
  // u is the seed's first 8·6·16 uniform draws, as for the uniform input.
  const draws = new Rng(1).uniform([1, 8, 6, 16]);
  const first = Array.from(draws.dataSync());
  assertLess(Math.max(...u.map((v, i) => Math.abs(v - first[i]))), 1e-5);
  const odd = decoder({ channels: 4, depth: 1, inputDepth: 3 });
  assertThrows(() => dipInput(odd, [8, 8], { kind: "fourier" }), RangeError, "even input depth");
  assertThrows(() => dipInput(d, [8, 8], { kind: "grid" as "fourier" }), RangeError, "kind");
  tf.dispose([z, s, c, draws]);
  for (const n of [d, odd]) n.dispose();
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

/** A Fig. 4 network as built before the shared builders were factored out. */
interface Pinned {
  builder: "decoder" | "convNet" | "encoderDecoder";
  variant: "plain" | "controlled" | "other";
  name: string;
  params: number;
  variables: string;
  state: string;
  /** Σ|θ| over every trainable variable. */
  weights: number;
  /** Σ y and Σ y² of the output for a fixed z (training mode). */
  sum: number;
  squares: number;
}

// Recorded on the cpu backend with the builders of commit 63c9e2b (before
// decoder.ts, conv_net.ts and encoder_decoder.ts shared _architecture.ts's
// hiddenBlockOptions, upsampleLayer and addOutputHead): the refactor must
// keep names, parameter counts, the seeded initialisation and the forward
// pass exactly.
const PINNED: Pinned[] = [
  {
    builder: "decoder",
    variant: "plain",
    name: "decoder(4x2, bilinear, batch norm)",
    params: 386,
    variables:
      "block0/conv/w,block0/norm/gamma,block0/norm/beta,block1/conv/w,block1/norm/gamma,block1/norm/beta,out/conv/w,out/conv/b",
    state: "",
    weights: 71.638517,
    sum: 40.406685,
    squares: 15.022167,
  },
  {
    builder: "decoder",
    variant: "controlled",
    name: "decoder(4x2, gaussian σ=0.5, lipschitz λ=2)",
    params: 378,
    variables:
      "block0/conv/w,block0/norm/bias,block1/conv/w,block1/norm/bias,out/conv/w,out/conv/b",
    state: "block0/conv/u,block1/conv/u",
    weights: 61.182777,
    sum: 63.779751,
    squares: 31.784727,
  },
  {
    builder: "decoder",
    variant: "other",
    name: "decoder(4x2, nearest, batch norm)",
    params: 1026,
    variables:
      "block0/conv/w,block0/norm/gamma,block0/norm/beta,block1/conv/w,block1/norm/gamma,block1/norm/beta,out/conv/w,out/conv/b",
    state: "",
    weights: 113.858196,
    sum: 76.933502,
    squares: 49.055428,
  },
  {
    builder: "convNet",
    variant: "plain",
    name: "convNet(4x2, batch norm)",
    params: 386,
    variables:
      "block0/conv/w,block0/norm/gamma,block0/norm/beta,block1/conv/w,block1/norm/gamma,block1/norm/beta,out/conv/w,out/conv/b",
    state: "",
    weights: 71.638517,
    sum: 44.224472,
    squares: 19.483635,
  },
  {
    builder: "convNet",
    variant: "controlled",
    name: "convNet(4x2, lipschitz λ=2)",
    params: 378,
    variables:
      "block0/conv/w,block0/norm/bias,block1/conv/w,block1/norm/bias,out/conv/w,out/conv/b",
    state: "block0/conv/u,block1/conv/u",
    weights: 61.182777,
    sum: 63.505001,
    squares: 31.513245,
  },
  {
    builder: "convNet",
    variant: "other",
    name: "convNet(4x2, batch norm)",
    params: 1026,
    variables:
      "block0/conv/w,block0/norm/gamma,block0/norm/beta,block1/conv/w,block1/norm/gamma,block1/norm/beta,out/conv/w,out/conv/b",
    state: "",
    weights: 113.858196,
    sum: 76.186523,
    squares: 48.267883,
  },
  {
    builder: "encoderDecoder",
    variant: "plain",
    name: "encoderDecoder(4x2, bilinear, batch norm)",
    params: 994,
    variables:
      "down0a/conv/w,down0a/norm/gamma,down0a/norm/beta,down0b/conv/w,down0b/norm/gamma,down0b/norm/beta,down1a/conv/w,down1a/norm/gamma,down1a/norm/beta,down1b/conv/w,down1b/norm/gamma,down1b/norm/beta,block0/conv/w,block0/norm/gamma,block0/norm/beta,block1/conv/w,block1/norm/gamma,block1/norm/beta,out/conv/w,out/conv/b",
    state: "",
    weights: 200.042240,
    sum: 40.072441,
    squares: 15.100463,
  },
  {
    builder: "encoderDecoder",
    variant: "controlled",
    name: "encoderDecoder(4x2, gaussian σ=0.5, lipschitz λ=2)",
    params: 970,
    variables:
      "down0a/conv/w,down0a/norm/bias,down0b/conv/w,down0b/norm/bias,down1a/conv/w,down1a/norm/bias,down1b/conv/w,down1b/norm/bias,block0/conv/w,block0/norm/bias,block1/conv/w,block1/norm/bias,out/conv/w,out/conv/b",
    state: "down0a/conv/u,down0b/conv/u,down1a/conv/u,down1b/conv/u,block0/conv/u,block1/conv/u",
    weights: 174.003423,
    sum: 63.979889,
    squares: 31.979914,
  },
  {
    builder: "encoderDecoder",
    variant: "other",
    name: "encoderDecoder(4x2, nearest, batch norm)",
    params: 2658,
    variables:
      "down0a/conv/w,down0a/norm/gamma,down0a/norm/beta,down0b/conv/w,down0b/norm/gamma,down0b/norm/beta,down1a/conv/w,down1a/norm/gamma,down1a/norm/beta,down1b/conv/w,down1b/norm/gamma,down1b/norm/beta,block0/conv/w,block0/norm/gamma,block0/norm/beta,block1/conv/w,block1/norm/gamma,block1/norm/beta,out/conv/w,out/conv/b",
    state: "",
    weights: 302.341465,
    sum: 57.899303,
    squares: 30.695353,
  },
];

Deno.test("the Fig. 4 builders give the networks they gave before sharing their blocks", () => {
  const builders = { decoder, convNet, encoderDecoder };
  const variants = {
    plain: {},
    controlled: { ...CONTROLLED },
    other: { upsample: "nearest", pad: "zero", kernelSize: 5, leakySlope: 0.2 } as const,
  };
  for (const p of PINNED) {
    const net = builders[p.builder]({
      channels: 4,
      depth: 2,
      outChannels: 2,
      inputDepth: 6,
      seed: 3,
      ...variants[p.variant],
    });
    const what = `${p.builder} ${p.variant}`;
    assertEquals(net.name, p.name, what);
    assertEquals(net.paramCount(), p.params, what);
    assertEquals(Object.keys(net.trainableVariables).join(","), p.variables, what);
    assertEquals(Object.keys(net.stateVariables).join(","), p.state, what);
    const weights = Object.values(net.trainableVariables)
      .reduce((s, v) => s + tf.tidy(() => v.abs().sum().dataSync()[0]), 0);
    assertAlmostEquals(weights, p.weights, 1e-5, what);
    const z = dipInput(net, [8, 8], { seed: 4 });
    const y = net.apply(z, { training: true });
    assertAlmostEquals(tf.tidy(() => y.sum().dataSync()[0]), p.sum, 1e-5, what);
    assertAlmostEquals(tf.tidy(() => y.square().sum().dataSync()[0]), p.squares, 1e-5, what);
    tf.dispose([z, y]);
    net.dispose();
  }
});
