// Reference values: scikit-image 0.26 `structural_similarity` (data_range=1,
// channel_axis=-1 for RGB) in four settings (Gaussian or 7x7 window, population
// or sample covariance) on the pairs of testdata/metrics_values.json, written
// by tools/fixtures/metrics_fixtures.py. See _test_fixtures.ts.
import * as tf from "@tensorflow/tfjs";
import {
  assertAlmostEquals,
  assertEquals,
  assertLess,
  assertRejects,
  assertThrows,
} from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { ssim, ssimAsync, ssimMap, type SsimOptions } from "./mod.ts";
import { disposePairs, loadPairs, type SsimSetting } from "./_test_fixtures.ts";

await tf.setBackend("cpu");

const SETTINGS: Record<SsimSetting, SsimOptions> = {
  gaussianPopulation: {}, // the defaults: Wang et al.'s convention, the thesis's
  gaussianSample: { useSampleCovariance: true },
  box7Sample: { convention: "scikit-image" }, // scikit-image's defaults
  box7Population: { convention: "scikit-image", useSampleCovariance: false },
};

// Required: 1e-3. Measured on cpu: max 7e-6 (float32 vs float64). Checking to
// 5e-5 also tells the two covariance normalisations apart (they differ by
// 3e-4 to 9e-4 on these pairs).
const TOLERANCE = 5e-5;

// wasm (the training backend on CPU machines) checks every setting; the much
// slower cpu backend (~0.5 s per 128x128 RGB SSIM) checks the thesis setting.
for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`ssim matches scikit-image on real images (${backend})`, async () => {
    await useBackend(backend);
    const pairs = await loadPairs();
    const settings = (Object.entries(SETTINGS) as [SsimSetting, SsimOptions][])
      .filter(([setting]) => backend === "wasm" || setting === "gaussianPopulation");
    for (const { name, ref, test, values } of pairs) {
      for (const [setting, options] of settings) {
        const got = ssim(ref, test, options);
        assertAlmostEquals(got, values.ssim[setting], TOLERANCE, `${name} ${setting}`);
        assertLess(Math.abs(got - values.ssim[setting]), 1e-3);
      }
    }
    disposePairs(pairs);
    await useBackend("cpu");
  });
}

Deno.test("the default is Wang et al.'s convention; the options override a convention", async () => {
  const pairs = await loadPairs();
  const { ref, test, values } = pairs.find((p) => p.name === "astronaut_noise25")!;
  const value = (options?: SsimOptions) => ssim(ref, test, options);
  assertEquals(value(), value({ convention: "wang" }));
  assertEquals(value(), value({ gaussian: true, sigma: 1.5, useSampleCovariance: false }));
  assertEquals(
    value({ convention: "scikit-image" }),
    value({ gaussian: false, winSize: 7, useSampleCovariance: true }),
  );
  assertEquals(
    value({ convention: "scikit-image", gaussian: true }),
    value({ useSampleCovariance: true }),
  );
  assertAlmostEquals(value(), values.ssim.gaussianPopulation, TOLERANCE);
  assertThrows(() => value({ convention: "matlab" as "wang" }), RangeError, "convention");
  disposePairs(pairs);
});

Deno.test("ssim names an image holding NaN or infinite values", async () => {
  const a = tf.randomUniform([16, 16, 3], 0, 1, "float32", 5) as tf.Tensor3D;
  const b = tf.tidy(() =>
    a.where(tf.range(0, 16).reshape([16, 1, 1]).less(15), NaN)
  ) as tf.Tensor3D;
  const msg = "b must hold finite values, got 48 NaN or infinite of 768 (shape [16, 16, 3])";
  assertThrows(() => ssim(a, b), RangeError, msg);
  await assertRejects(() => ssimAsync(a, b), RangeError, msg);
  assertThrows(() => ssim(b, a), RangeError, "a must hold finite values");
  tf.dispose([a, b]);
});

Deno.test("ssim properties: identity, symmetry, data range, async", async () => {
  const a = tf.randomUniform([24, 20, 3], 0, 1, "float32", 1) as tf.Tensor3D;
  const b = tf.clipByValue(tf.add(a, tf.randomNormal(a.shape, 0, 0.1, "float32", 2)), 0, 1);
  assertAlmostEquals(ssim(a, a), 1, 1e-6);
  assertAlmostEquals(ssim(a, b as tf.Tensor3D), ssim(b as tf.Tensor3D, a), 1e-6);
  const a255 = tf.mul(a, 255) as tf.Tensor3D, b255 = tf.mul(b, 255) as tf.Tensor3D;
  assertAlmostEquals(ssim(a255, b255, { dataRange: 255 }), ssim(a, b as tf.Tensor3D), 1e-5);
  assertEquals(await ssimAsync(a, b as tf.Tensor3D), ssim(a, b as tf.Tensor3D));
  tf.dispose([a, b, a255, b255]);
});

Deno.test("ssimMap crops (win - 1) / 2 pixels per side", () => {
  const a = tf.zeros([20, 16, 2]) as tf.Tensor3D;
  assertEquals(ssimMap(a, a).shape, [10, 6, 2]); // 11-tap Gaussian (sigma 1.5)
  assertEquals(ssimMap(a, a, { sigma: 1 }).shape, [12, 8, 2]); // radius int(3.5 + 0.5) = 4
  assertEquals(ssimMap(a, a, { gaussian: false }).shape, [14, 10, 2]); // 7x7 box
  a.dispose();
});

Deno.test("ssim rejects mismatched shapes, small images and bad windows", () => {
  const a = tf.zeros([16, 16, 3]) as tf.Tensor3D, b = tf.zeros([16, 16, 1]) as tf.Tensor3D;
  assertThrows(
    () => ssim(a, b),
    RangeError,
    "b must have the shape of a: expected [16, 16, 3], got [16, 16, 1]",
  );
  const small = tf.zeros([10, 30, 1]) as tf.Tensor3D;
  assertThrows(() => ssim(small, small), RangeError, "at least 11x11 pixels");
  assertThrows(() => ssim(a, a, { gaussian: false, winSize: 4 }), RangeError, "must be odd");
  assertThrows(() => ssim(a, a, { winSize: 7 }), RangeError, "uniform window only");
  assertThrows(() => ssim(a, a, { dataRange: 0 }), RangeError, "dataRange must be > 0");
  assertThrows(() => ssim(tf.zeros([16, 16]) as unknown as tf.Tensor3D, a), RangeError, "a must");
  tf.dispose([a, b, small]);
});

Deno.test("ssim leaves no tensors behind", async () => {
  const a = tf.randomUniform([16, 16, 3], 0, 1, "float32", 3) as tf.Tensor3D;
  const before = tf.memory().numTensors;
  ssim(a, a);
  ssim(a, a, { gaussian: false });
  await ssimAsync(a, a);
  ssimMap(a, a).dispose();
  assertEquals(tf.memory().numTensors, before);
  a.dispose();
});
