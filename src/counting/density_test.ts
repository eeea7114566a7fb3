// Reference values: density maps of tools/fixtures/counting_fixtures.py (numpy, each
// point's truncated 2-D Gaussian normalised over its clipped window; checked there against
// scipy.ndimage.gaussian_filter for an interior point) in
// testdata/counting/counting_reference.json: per real image and kernel the map's sum, two
// 24 x 24 crops (top-left corner: border points; centre), and the whole map sum-pooled;
// small synthetic maps whole.
import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertLess, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import {
  crop,
  kernelOptions,
  loadPoints,
  loadReference,
  maxAbsDiff,
  pointsFor,
} from "./_reference_data.ts";
import { densityMap, densityMapData } from "./density.ts";
import { downsampleDensityData } from "./downsample.ts";

const ref = await loadReference();

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

Deno.test("densityMapData matches numpy on real images: crops to 1e-6, sums to the count", async () => {
  let worstMap = 0, worstSum = 0;
  for (const im of ref.images) {
    const { points, areas } = await loadPoints(im.pointsFile);
    const { height: h, width: w } = im;
    for (const [name, c] of Object.entries(im.kernels)) {
      const label = `${im.pointsFile} ${name}`;
      const d = densityMapData(
        pointsFor(points, areas, c.options),
        [h, w],
        kernelOptions(c.options),
      );
      const s = ref.crop;
      const errs = [
        maxAbsDiff(crop(d.data, w, 0, 0, s), c.cropTopLeft),
        maxAbsDiff(crop(d.data, w, h / 2 - s / 2, w / 2 - s / 2, s), c.cropCentre),
        maxAbsDiff(downsampleDensityData(d, im.pool).data, c.pooled),
      ];
      const err = Math.max(...errs);
      worstMap = Math.max(worstMap, err);
      assert(err < 1e-6, `${label}: max map error ${err}`);
      const total = sum(d.data);
      const rel = Math.abs(total - im.count) / im.count;
      worstSum = Math.max(worstSum, rel);
      assert(rel < 1e-4, `${label}: sum ${total} for ${im.count} points`);
      assertAlmostEquals(c.sum, im.count, 1e-9 * im.count, label);
    }
  }
  // Measured: pixels (crops) 2.4e-9, sum-pooled blocks 1.4e-7 (float32 accumulation);
  // sums off the count by at most 1.3e-9 relative.
  console.log(
    `max map error vs numpy ${worstMap.toExponential(2)}, max |sum - count| / count ${
      worstSum.toExponential(2)
    }`,
  );
});

Deno.test("densityMapData: 0, 1, 2, 3 points, border points and points outside, whole maps", () => {
  for (const [name, sc] of Object.entries(ref.synthetic)) {
    for (const [kname, c] of Object.entries(sc.kernels)) {
      const d = densityMapData(sc.points, [sc.height, sc.width], kernelOptions(c.options));
      assertEquals(d.indices.length, sc.kept, name);
      const err = maxAbsDiff(d.data, c.map);
      assert(err < 1e-6, `${name} ${kname}: max map error ${err}`);
      assertAlmostEquals(sum(d.data), sc.kept, 1e-5, `${name} ${kname}`);
    }
  }
  const out = densityMapData(ref.synthetic.withOutside.points, [20, 30]);
  assertEquals(Array.from(out.indices), [2, 3, 4, 6]);
});

Deno.test("densityMapData: explicit σ, tiny σ, outside points as errors", () => {
  // σ far below a pixel: all the mass on the nearest pixel (no 0/0), or split evenly
  // between two equidistant ones.
  const d = densityMapData([[2.4, 1.2]], [4, 5], { sigmas: [1e-3] });
  assertEquals(d.data[1 * 5 + 2], 1);
  const half = densityMapData([[2.5, 1]], [4, 5], { sigmas: [1e-3] });
  assertEquals([half.data[7], half.data[8]], [0.5, 0.5]);
  assertEquals(sum(d.data), 1);
  assertThrows(
    () => densityMapData([[1, 1], [9, 2]], [4, 5], { outside: "error" }),
    RangeError,
    "points[1] = (x=9, y=2) lies outside the 4x5 image",
  );
  assertThrows(
    () => densityMapData([[1, 1]], [4, 5], { sigmas: [0] }),
    RangeError,
    "sigmas[0] must be > 0, got 0",
  );
  assertThrows(
    () => densityMapData([[1, 1]], [4, 5], { sigmas: [NaN] }),
    RangeError,
    "sigmas[0] must be a number > 0, got NaN",
  );
  assertThrows(
    () => densityMapData([[1, 1]], [4, 5], { sigmas: [1, 2] }),
    RangeError,
    "expected 1, got 2",
  );
  assertThrows(
    () => densityMapData([[1, 1]], [4, 5], { truncate: 0 }),
    RangeError,
    "truncate must be > 0",
  );
  assertThrows(
    () => densityMapData([[1, 1]], [4, 5], { outside: "clip" as never }),
    RangeError,
    'outside must be one of "drop", "error"',
  );
  assertEquals(sum(densityMapData([], [4, 5]).data), 0);
});

Deno.test("densityMap returns an [H, W, 1] tensor and leaves no tensors behind", async () => {
  await useBackend("cpu");
  const before = tf.memory().numTensors;
  const t = densityMap([[1, 2], [3.5, 0.2], [6, 6]], [8, 9], { kernel: "fixed", sigma: 1 });
  assertEquals(t.shape, [8, 9, 1]);
  assertAlmostEquals(tf.tidy(() => t.sum().dataSync()[0]), 3, 1e-5);
  const plane = densityMapData([[1, 2], [3.5, 0.2], [6, 6]], [8, 9], { kernel: "fixed", sigma: 1 });
  assertEquals(Array.from(t.dataSync()), Array.from(plane.data));
  t.dispose();
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("a 1024 x 768 map of 2,000 points takes tens of milliseconds", () => {
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const n = 2000;
  const points = { x: new Float32Array(n), y: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    points.x[i] = rand() * 1024 - 0.5;
    points.y[i] = rand() * 768 - 0.5;
  }
  for (const kernel of ["fixed", "adaptive", "nonuniform"] as const) {
    densityMapData(points, [768, 1024], { kernel }); // warm-up
    const t0 = performance.now();
    const d = densityMapData(points, [768, 1024], { kernel });
    const ms = performance.now() - t0;
    console.log(`${kernel}: ${ms.toFixed(1)} ms`);
    assertAlmostEquals(sum(d.data), n, 1e-4 * n);
    // Measured on the 2-core dev machine: 10-20 ms; a generous bound for loaded CI.
    assertLess(ms, 500);
  }
});
