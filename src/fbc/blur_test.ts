import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertGreater, assertLess, assertRejects } from "@std/assert";
import { blurMetric } from "./blur.ts";
import { image, noLeak, reference } from "./_testing.ts";

await tf.setBackend("cpu");

Deno.test("blurMetric matches skimage.measure.blur_effect on real images (h_size 11, 7, 4)", async () => {
  let worst = 0;
  for (const ref of reference.blur_effect) {
    const img = image(ref.image);
    const got = await noLeak(() => blurMetric(img, { hSize: ref.h_size }));
    worst = Math.max(worst, Math.abs(got - ref.value));
    assertLess(Math.abs(got - ref.value), 1e-9, `${ref.image}, h_size ${ref.h_size}`);
    img.dispose();
  }
  assertLess(worst, 1e-9);
});

Deno.test("blurMetric: a Gaussian-blurred copy is blurrier, a sharpened copy sharper", async () => {
  const original = image("camera64"),
    blur1 = image("camera64_blur1"),
    blur2 = image("camera64_blur2");
  // Unsharp masking: x + (x - blur(x)), clipped.
  const sharpened = tf.tidy(() => original.mul(2).sub(blur1).clipByValue(0, 1)) as tf.Tensor3D;
  const b = await Promise.all([sharpened, original, blur1, blur2].map((x) => blurMetric(x)));
  for (let i = 1; i < b.length; i++) assertGreater(b[i], b[i - 1], `step ${i}: ${b}`);
  tf.dispose([original, blur1, blur2, sharpened]);
});

Deno.test("blurMetric of a constant image is 1 (nothing left to lose by re-blurring)", async () => {
  for (const v of [0, 0.5, 1]) {
    const flat = tf.fill([16, 16, 1], v) as tf.Tensor3D;
    assertEquals(await blurMetric(flat), 1);
    flat.dispose();
  }
  const rgb = tf.fill([8, 8, 3], 0.3) as tf.Tensor3D;
  assertEquals(await blurMetric(rgb), 1);
  rgb.dispose();
});

Deno.test("blurMetric validates its arguments", async () => {
  const small = tf.zeros([3, 8, 1]) as tf.Tensor3D;
  await assertRejects(() => blurMetric(small), RangeError, "at least 4x4");
  const img = tf.zeros([8, 8, 1]) as tf.Tensor3D;
  await assertRejects(() => blurMetric(img, { hSize: 0 }), RangeError, "hSize must be >= 1");
  await assertRejects(
    () => blurMetric(img, { hSize: 1.5 }),
    RangeError,
    "hSize must be an integer",
  );
  await assertRejects(
    () => blurMetric(tf.zeros([8, 8]) as unknown as tf.Tensor3D),
    RangeError,
    "HWC",
  );
  tf.dispose([small, img]);
});
