import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertLess, assertRejects } from "@std/assert";
import { mlvMap, mlvSharpness, weightedMlvSigma } from "./mlv.ts";
import { image, noLeak, reference } from "./_testing.ts";

await tf.setBackend("cpu");

Deno.test("mlvSharpness matches the numpy version of the definition on real images", async () => {
  for (const ref of reference.mlv) {
    const img = image(ref.image);
    const got = await noLeak(() =>
      mlvSharpness(img, { variation: ref.variation, top: ref.top, decay: ref.decay })
    );
    assertLess(Math.abs(got - ref.value), 1e-12, `${ref.image} ${ref.variation} top ${ref.top}`);
    img.dispose();
  }
});

Deno.test("mlvSharpness: a blurred copy is less sharp, a sharpened copy sharper", async () => {
  const original = image("camera64"),
    blur1 = image("camera64_blur1"),
    blur2 = image("camera64_blur2");
  const sharpened = tf.tidy(() => original.mul(2).sub(blur1).clipByValue(0, 1)) as tf.Tensor3D;
  for (const variation of ["absolute", "signed"] as const) {
    const s = await Promise.all(
      [sharpened, original, blur1, blur2].map((x) => mlvSharpness(x, { variation })),
    );
    for (let i = 1; i < s.length; i++) assertLess(s[i], s[i - 1], `${variation} step ${i}: ${s}`);
  }
  tf.dispose([original, blur1, blur2, sharpened]);
});

Deno.test("mlvSharpness of a constant image is 0", async () => {
  const flat = tf.fill([40, 40, 3], 0.7) as tf.Tensor3D;
  assertEquals(await mlvSharpness(flat), 0);
  assertEquals(await mlvSharpness(flat, { variation: "signed" }), 0);
  flat.dispose();
});

Deno.test("mlvMap: the largest variation towards the 8 neighbours; signed counts only rises", async () => {
  // A single bright pixel: it and its 8 neighbours vary by 0.5; the rest by 0.
  const dot = tf.buffer([5, 5, 1]);
  dot.set(0.5, 2, 2, 0);
  const img = dot.toTensor() as tf.Tensor3D;
  const abs = await mlvMap(img);
  assertEquals(abs.arraySync(), [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
  // Signed: neighbour minus centre; every neighbour of the bright pixel is 0.5 darker.
  const signed = await mlvMap(img, { variation: "signed" });
  assertEquals(signed.arraySync(), [[0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.5, 0.5, 0.5]]);
  tf.dispose([img, abs, signed]);
});

Deno.test("weightedMlvSigma: exponential rank weights over the top values", () => {
  // Two values 1 and 0.5: sqrt(((1·e^-0.01)² + (0.5·e^-0.02)²) / 2).
  const want = Math.sqrt(((Math.exp(-0.01)) ** 2 + (0.5 * Math.exp(-0.02)) ** 2) / 2);
  assertAlmostEquals(weightedMlvSigma(new Float64Array([0.5, 1])), want, 1e-15);
  // Only the top one kept.
  assertAlmostEquals(weightedMlvSigma(new Float64Array([0.5, 1]), 1), Math.exp(-0.01), 1e-15);
  assertEquals(Number.isNaN(weightedMlvSigma(new Float64Array([0.5, Number.NaN]))), true);
});

Deno.test("mlvSharpness validates its arguments", async () => {
  const img = tf.zeros([8, 8, 1]) as tf.Tensor3D;
  await assertRejects(() => mlvSharpness(img, { top: 0 }), RangeError, "top must be >= 1");
  await assertRejects(() => mlvSharpness(img, { decay: -1 }), RangeError, "decay must be >= 0");
  await assertRejects(
    () => mlvSharpness(img, { variation: "abs" as "absolute" }),
    RangeError,
    'variation must be one of "absolute", "signed", got string "abs"',
  );
  const thin = tf.zeros([2, 8, 1]) as tf.Tensor3D;
  await assertRejects(() => mlvSharpness(thin), RangeError, "at least 3x3");
  tf.dispose([img, thin]);
});
