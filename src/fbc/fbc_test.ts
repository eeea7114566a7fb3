import * as tf from "@tensorflow/tfjs";
import {
  assertAlmostEquals,
  assertEquals,
  assertGreater,
  assertLess,
  assertRejects,
} from "@std/assert";
import { optimize } from "../core/optimize.ts";
import { ringBands } from "./bands.ts";
import { fbcCallback, FbcMeter, frequencyBandCorrespondence } from "./fbc.ts";
import { decode, image, maxAbsDiff, noLeak, reference } from "./_testing.ts";

await tf.setBackend("cpu");

Deno.test("FBC matches the author's measure computed with numpy (gray pair and RGB pair, 5 and 3 bands)", async () => {
  for (const pair of reference.fbc) {
    const output = image(pair.output), target = image(pair.target);
    await noLeak(async () => {
      const five = await frequencyBandCorrespondence(output, target);
      assertLess(maxAbsDiff(five.bands, pair.bands5), 1e-9, `${pair.output} vs ${pair.target}`);
      assertLess(maxAbsDiff(await five.map.data(), decode(pair.map)), 1e-6);
      five.map.dispose();
      const three = await frequencyBandCorrespondence(output, target, { bands: 3, map: false });
      assertLess(maxAbsDiff(three.bands, pair.bands3), 1e-9);
      assertEquals("map" in three, false);
    });
    tf.dispose([output, target]);
  }
});

Deno.test("FBC of an image against itself is 1 in every band", async () => {
  for (const name of ["camera64", "astronaut48x40"]) {
    const img = image(name);
    const { bands, map } = await frequencyBandCorrespondence(img, img);
    assertEquals(bands.length, 5);
    for (const b of bands) assertAlmostEquals(b, 1, 1e-6);
    assertEquals(map.shape, [img.shape[0], img.shape[1]]);
    tf.dispose([img, map]);
  }
});

/** Circular convolution with the 5-tap binomial kernel [1, 4, 6, 4, 1] / 16 on both axes. */
function circularBinomial(x: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, w] = x.shape;
    const rows = tf.concat([
      x.slice([h - 2, 0, 0], [2, -1, -1]),
      x,
      x.slice([0, 0, 0], [2, -1, -1]),
    ], 0);
    const wrapped = tf.concat([
      rows.slice([0, w - 2, 0], [-1, 2, -1]),
      rows,
      rows.slice([0, 0, 0], [-1, 2, -1]),
    ], 1);
    const k = tf.tensor1d([1, 4, 6, 4, 1].map((v) => v / 16));
    const kernel = tf.outerProduct(k, k).reshape([5, 5, 1, 1]) as tf.Tensor4D;
    return tf.conv2d(wrapped as tf.Tensor3D, kernel, 1, "valid");
  });
}

Deno.test("FBC of a low-passed image against the original is the filter's response per band, decreasing", async () => {
  // A circular binomial blur multiplies the DFT by cos⁴(πu/H)·cos⁴(πv/W), so each
  // band's FBC is the ring mean of that transfer function (up to the 1e-8 guard).
  const original = image("camera64");
  const smooth = circularBinomial(original);
  const { bands } = await frequencyBandCorrespondence(smooth, original, { map: false });
  const rings = ringBands(64, 64, 5);
  const expected = new Array(5).fill(0);
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 64; j++) {
      const b = rings.label[i * 64 + j];
      if (b >= 0) {
        expected[b] +=
          (Math.cos((Math.PI * (i - 32)) / 64) * Math.cos((Math.PI * (j - 32)) / 64)) ** 4;
      }
    }
  }
  for (let b = 0; b < 5; b++) {
    assertAlmostEquals(bands[b], expected[b] / rings.counts[b], 1e-4, `band ${b}`);
  }
  for (let b = 1; b < 5; b++) assertLess(bands[b], bands[b - 1], `band ${b}`);
  assertLess(bands[4], 0.05);
  tf.dispose([original, smooth]);
});

Deno.test("FBC rejects mismatched shapes, bad band counts and non-images", async () => {
  const a = tf.zeros([16, 16, 1]) as tf.Tensor3D;
  const b = tf.zeros([16, 12, 1]) as tf.Tensor3D;
  const rgb = tf.zeros([16, 16, 3]) as tf.Tensor3D;
  await assertRejects(
    () => frequencyBandCorrespondence(a, b),
    RangeError,
    "output must have the shape of target: expected [16, 12, 1], got [16, 16, 1]",
  );
  await assertRejects(() => frequencyBandCorrespondence(rgb, a), RangeError, "shape of target");
  await assertRejects(
    () => frequencyBandCorrespondence(a, a, { bands: 0 }),
    RangeError,
    "bands must be >= 1",
  );
  await assertRejects(() => frequencyBandCorrespondence(a, a, { bands: -2 }), RangeError, "bands");
  await assertRejects(
    () => frequencyBandCorrespondence(a, a, { bands: 2.5 }),
    RangeError,
    "bands must be an integer, got 2.5",
  );
  await assertRejects(
    () => frequencyBandCorrespondence(a, tf.zeros([16, 16]) as unknown as tf.Tensor3D),
    RangeError,
    "target must be an HWC image",
  );
  const meter = await FbcMeter.create(a, { bands: 2 });
  await assertRejects(() => meter.measure(b), RangeError, "expected [16, 16, 1], got [16, 12, 1]");
  tf.dispose([a, b, rgb]);
});

Deno.test("FbcMeter gives the function's result and leaks nothing over repeated use", async () => {
  const target = image("camera64_noisy"), output = image("camera64_blur1");
  const meter = await FbcMeter.create(target);
  const direct = await frequencyBandCorrespondence(output, target, { map: false });
  await noLeak(async () => {
    for (let i = 0; i < 3; i++) {
      const { bands } = await meter.measure(output, { map: false });
      assertEquals(bands, direct.bands);
    }
    const { map } = await meter.measure(output);
    map.dispose();
  });
  tf.dispose([target, output]);
});

Deno.test("fbcCallback records band0..band{N-1} in the run's history every k steps", async () => {
  const target = image("camera10x9");
  const x = tf.variable(tf.zerosLike(target), true, "x");
  const result = await optimize({
    steps: 30,
    variables: { x },
    loss: () => tf.losses.meanSquaredError(target, x as tf.Tensor3D) as tf.Scalar,
    optimizer: { kind: "adam", lr: 0.02 },
    callbacks: [fbcCallback({ output: () => x as tf.Tensor3D, target, bands: 2, every: 10 })],
  });
  assertEquals(result.history.series("band0").x, [10, 20, 30]);
  const high = result.history.series("band1").y;
  assertEquals(high.length, 3);
  assertGreater(high[2], high[0]); // the fit catches up with the target
  tf.dispose([x, target]);
});
