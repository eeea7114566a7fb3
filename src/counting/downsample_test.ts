// Reference values: the sum-pooled density maps of tools/fixtures/counting_fixtures.py
// (numpy: zero padding to a multiple of the factor, reshape and sum) in
// testdata/counting/counting_reference.json, pooled by 8 (256 x 256 VGG cells), 4 (150 x 150
// adipocytes: 2 rows and columns of padding) and 16 (520 x 696 BBBC039: 8 rows, 8 columns).
import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { loadPoints, loadReference, maxAbsDiff } from "./_reference_data.ts";
import { densityMapData } from "./density.ts";
import { downsampleDensity, downsampleDensityData } from "./downsample.ts";

const ref = await loadReference();

Deno.test("downsampleDensityData matches numpy's padded sum-pooling and keeps the count", async () => {
  for (const im of ref.images) {
    const { points } = await loadPoints(im.pointsFile);
    const c = im.kernels.adaptive;
    const d = densityMapData(points, [im.height, im.width], { kernel: "adaptive" });
    const small = downsampleDensityData(d, im.pool);
    assertEquals(small.height, Math.ceil(im.height / im.pool));
    assertEquals(small.width, Math.ceil(im.width / im.pool));
    // Measured: 1e-7 (float32 rounding of the block sums).
    assert(maxAbsDiff(small.data, c.pooled) < 1e-6, im.pointsFile);
    let s = 0;
    for (const v of small.data) s += v;
    assertAlmostEquals(s, im.count, 1e-4 * im.count);
  }
});

Deno.test("downsampleDensity on tensors equals the plane version, [H, W, C] and [N, H, W, C]", async () => {
  await useBackend("cpu");
  const d = densityMapData([[1, 2], [30, 20], [36.4, 0], [0, 25]], [27, 37], {
    kernel: "adaptive",
  });
  const before = tf.memory().numTensors;
  const t = tf.tensor3d(d.data, [27, 37, 1]);
  for (const f of [1, 2, 4, 8]) {
    const plane = downsampleDensityData(d, f);
    const pooled = downsampleDensity(t, f);
    assertEquals(pooled.shape, [plane.height, plane.width, 1]);
    assert(maxAbsDiff(pooled.dataSync(), plane.data) < 1e-6, `factor ${f}`);
    const batch = tf.stack([t, t]) as tf.Tensor4D;
    const pb = downsampleDensity(batch, f);
    assertEquals(pb.shape, [2, plane.height, plane.width, 1]);
    assertAlmostEquals(tf.tidy(() => pb.sum().dataSync()[0]), 8, 1e-4);
    tf.dispose([pooled, batch, pb]);
  }
  t.dispose();
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("downsampleDensity names bad input", () => {
  const plane = { data: new Float32Array(6), height: 2, width: 3 };
  assertThrows(() => downsampleDensityData(plane, 0), RangeError, "factor must be >= 1, got 0");
  assertThrows(
    () => downsampleDensityData(plane, 1.5),
    RangeError,
    "factor must be an integer, got 1.5",
  );
  assertThrows(
    () => downsampleDensityData({ data: new Float32Array(5), height: 2, width: 3 }, 2),
    RangeError,
    "density.data must hold height x width = 2 x 3 = 6 values, got 5",
  );
  assertThrows(() => downsampleDensity(tf.zeros([4]) as never, 2), TypeError, "got shape [4]");
});
