// Reference values: scikit-image 0.26 `peak_signal_noise_ratio(ref, test,
// data_range=1)` and, for the masked PSNR, numpy over the mask's pixels, on
// the pairs of testdata/metrics_values.json (tools/fixtures/metrics_fixtures.py).
// The NaN checks compare to hand counts.
import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { mae, psnr, psnrAsync, rmse } from "./mod.ts";
import { disposePairs, loadPairs } from "./_test_fixtures.ts";

await tf.setBackend("cpu");

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`psnr matches scikit-image to 1e-3 dB on real images (${backend})`, async () => {
    await useBackend(backend);
    const pairs = await loadPairs();
    for (const { name, ref, test, mask, values } of pairs) {
      // Measured on cpu: max 2e-7 dB.
      assertAlmostEquals(psnr(ref, test), values.psnr, 1e-3, name);
      assertAlmostEquals(await psnrAsync(ref, test), values.psnr, 1e-3, name);
      assertAlmostEquals(psnr(ref, test, { mask }), values.masked.psnr, 1e-3, `${name} masked`);
    }
    disposePairs(pairs);
    await useBackend("cpu");
  });
}

Deno.test("psnr: known value, data range, identical images, int tensors", () => {
  const a = tf.fill([8, 8, 3], 0.5), b = tf.fill([8, 8, 3], 0.6);
  assertAlmostEquals(psnr(a, b), 20, 1e-4); // error 0.1 everywhere
  const a255 = tf.mul(a, 255), b255 = tf.mul(b, 255);
  assertAlmostEquals(psnr(a255, b255, { dataRange: 255 }), 20, 1e-4);
  assertEquals(psnr(a, a), Infinity);
  const i = tf.tensor1d([0, 100], "int32"), j = tf.tensor1d([10, 100], "int32");
  assertAlmostEquals(psnr(i, j, { dataRange: 255 }), 10 * Math.log10(255 ** 2 / 50), 1e-6);
  tf.dispose([a, b, a255, b255, i, j]);
});

Deno.test("psnr rejects mismatched shapes, bad masks and ranges", async () => {
  const a = tf.zeros([4, 5, 3]), b = tf.zeros([5, 4, 3]);
  assertThrows(
    () => psnr(a, b),
    RangeError,
    "b must have the shape of a: expected [4, 5, 3], got [5, 4, 3]",
  );
  await assertRejects(() => psnrAsync(a, b), RangeError, "expected [4, 5, 3]");
  assertThrows(() => psnr(a, a, { dataRange: -1 }), RangeError, "dataRange must be > 0");
  assertThrows(
    () => psnr(a, a, { mask: tf.ones([4, 4, 1]) }),
    RangeError,
    "mask must be broadcastable to shape [4, 5, 3], got [4, 4, 1]",
  );
  assertThrows(() => psnr(a, a, { mask: tf.zeros([4, 5, 1]) }), RangeError, "selects no pixels");
  assertThrows(
    () => psnr(a, "b" as unknown as tf.Tensor),
    TypeError,
    'b must be a tf.Tensor, got string "b"',
  );
  tf.dispose([a, b]);
});

Deno.test("psnr, rmse and mae name an image or mask holding NaN or infinite values", async () => {
  const a = tf.randomUniform([4, 5, 3], 0, 1, "float32", 1);
  const nan = tf.tidy(() => a.where(tf.range(0, 4).reshape([4, 1, 1]).greater(0), NaN));
  const inf = tf.tidy(() => a.div(tf.zeros(a.shape)));
  const expected = "b must hold finite values, got 15 NaN or infinite of 60 (shape [4, 5, 3])";
  assertThrows(() => psnr(a, nan), RangeError, expected);
  await assertRejects(() => psnrAsync(a, nan), RangeError, expected);
  assertThrows(() => psnr(nan, a), RangeError, "a must hold finite values, got 15 NaN");
  assertThrows(() => psnr(a, inf), RangeError, "b must hold finite values, got 60 NaN or inf");
  assertThrows(() => rmse(a, nan), RangeError, expected);
  assertThrows(() => mae(a, nan), RangeError, expected);
  const mask = tf.fill([4, 5, 1], NaN);
  assertThrows(() => psnr(a, a, { mask }), RangeError, "mask must hold finite values, got 20");
  // A finite pair with an infinite PSNR (identical images) is not an error.
  assertEquals(psnr(a, a), Infinity);
  tf.dispose([a, nan, inf, mask]);
});

Deno.test("psnr leaves no tensors behind", async () => {
  const a = tf.randomUniform([16, 16, 3], 0, 1, "float32", 1);
  const b = tf.randomUniform([16, 16, 3], 0, 1, "float32", 2);
  const mask = tf.ones([16, 16, 1]), empty = tf.zeros([16, 16, 1]);
  const before = tf.memory().numTensors;
  psnr(a, b);
  psnr(a, b, { mask });
  await psnrAsync(a, b, { mask });
  assertThrows(() => psnr(a, b, { mask: empty }), RangeError);
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([a, b, mask, empty]);
});
