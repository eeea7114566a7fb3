// Reference values: σ per point computed by tools/fixtures/counting_fixtures.py (scipy
// KDTree neighbours, numpy region means) into testdata/counting/counting_reference.json, on
// real point sets copied from the shared data (2 VGG cells images, 1 adipocyte, 1 BBBC039
// with boxes and areas) and small synthetic sets (0-3 points, border and outside points).
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  kernelOptions,
  loadPoints,
  loadReference,
  maxRelDiff,
  pointsFor,
} from "./_reference_data.ts";
import { pointsInside, toPoints } from "./points.ts";
import { kernelSigmas } from "./sigma.ts";

const ref = await loadReference();

Deno.test("kernelSigmas matches scipy on real point sets, every kernel, to 1e-5 relative", async () => {
  let worst = 0;
  for (const im of ref.images) {
    const { points, areas } = await loadPoints(im.pointsFile);
    for (const [name, c] of Object.entries(im.kernels)) {
      const p = pointsFor(points, areas, c.options);
      const s = kernelSigmas(p, [im.height, im.width], kernelOptions(c.options));
      const err = maxRelDiff(s, c.sigmas);
      worst = Math.max(worst, err);
      assert(err < 1e-5, `${im.pointsFile} ${name}: max relative σ error ${err}`);
    }
  }
  // Measured: 6e-8 (float32 rounding of σ).
  console.log(`max relative σ error vs scipy (real images): ${worst.toExponential(2)}`);
});

Deno.test("kernelSigmas matches on 0, 1, 2 and 3 points (fewer than k neighbours)", () => {
  for (const [name, sc] of Object.entries(ref.synthetic)) {
    const kept = pointsInside(toPoints(sc.points), [sc.height, sc.width]);
    assertEquals(kept.x.length, sc.kept, name);
    for (const [kname, c] of Object.entries(sc.kernels)) {
      const s = kernelSigmas(kept, [sc.height, sc.width], kernelOptions(c.options));
      assertEquals(s.length, c.sigmas.length, `${name} ${kname}`);
      if (s.length) assert(maxRelDiff(s, c.sigmas) < 1e-5, `${name} ${kname}`);
    }
  }
});

Deno.test("kernel rules: lone point, fewer neighbours, includeSelf, duplicates, region", () => {
  const shape = [40, 80] as const;
  // A lone point: a quarter of the mean side, as CSRNet's generator.
  assertEquals(kernelSigmas([[3, 3]], shape)[0], 15);
  assertEquals(kernelSigmas([[3, 3]], shape, { kernel: "nonuniform", loneSigma: 2 })[0], 2);
  // Two points, k = 3: the one neighbour there is.
  assertAlmostEquals(kernelSigmas([[0, 0], [3, 4]], shape)[1], 1.5, 1e-6);
  // includeSelf: the own 0 is one of the k: (0 + 5) / 2 with k = 2.
  const self = kernelSigmas([[0, 0], [3, 4]], shape, { k: 2, includeSelf: true });
  assertAlmostEquals(self[0], 0.3 * 2.5, 1e-6);
  // Coincident duplicates with k = 1 give d̄ = 0: raised to minSigma.
  assertAlmostEquals(kernelSigmas([[5, 5], [5, 5]], shape, { k: 1 })[0], 0.1, 1e-7);
  // Non-uniform: each point alone in a tiny region keeps its own β d̄; a region over the
  // whole image gives every point the image mean.
  const pts = [[1, 1], [2, 1], [30, 20], [40, 20]] as [number, number][];
  const own = kernelSigmas(pts, shape, { kernel: "nonuniform", k: 1, region: 0.01 });
  assertAlmostEquals(own[0], 0.3, 1e-6);
  assertAlmostEquals(own[2], 3, 1e-6);
  const all = kernelSigmas(pts, shape, { kernel: "nonuniform", k: 1, region: 1 });
  for (const s of all) assertAlmostEquals(s, 0.3 * 5.5, 1e-6);
  assertEquals(kernelSigmas([], shape, { kernel: "nonuniform" }).length, 0);
});

Deno.test("kernel from boxes and sizes: σ = size / 4", () => {
  const p = {
    x: Float32Array.of(5, 9),
    y: Float32Array.of(5, 9),
    boxes: Float32Array.of(0, 0, 8, 8, 6, 7, 10, 16),
  };
  const s = kernelSigmas(p, [20, 20], { kernel: "boxes" });
  assertAlmostEquals(s[0], 2, 1e-6);
  assertAlmostEquals(s[1], Math.sqrt(36) / 4, 1e-6);
  const q = { ...p, sizes: Float32Array.of(12, 4) };
  assertEquals(Array.from(kernelSigmas(q, [20, 20], { kernel: "boxes", sizeToSigma: 0.5 })), [
    6,
    2,
  ]);
});

Deno.test("kernelSigmas names bad parameters", () => {
  const shape = [10, 10] as const;
  assertThrows(
    () => kernelSigmas([[1, 1]], shape, { kernel: "fixed", sigma: 0 }),
    RangeError,
    "sigma must be > 0, got 0",
  );
  assertThrows(
    () => kernelSigmas([[1, 1]], shape, { kernel: "fixed", sigma: NaN }),
    RangeError,
    "sigma must be a number > 0, got NaN",
  );
  assertThrows(
    () => kernelSigmas([[1, 1]], shape, { kernel: "fixed", sigma: -2 }),
    RangeError,
    "got -2",
  );
  assertThrows(
    () => kernelSigmas([[1, 1]], shape, { kernel: "gauss" as never }),
    RangeError,
    'kernel must be one of "fixed"',
  );
  assertThrows(() => kernelSigmas([[1, 1]], shape, { k: 0 }), RangeError, "k must be >= 1, got 0");
  assertThrows(() => kernelSigmas([[1, 1]], shape, { beta: 0 }), RangeError, "beta must be > 0");
  assertThrows(
    () => kernelSigmas([[1, 1]], shape, { kernel: "nonuniform", region: 2 }),
    RangeError,
    "region (height fraction) must be <= 1, got 2",
  );
  assertThrows(
    () => kernelSigmas([[1, 1]], shape, { kernel: "boxes" }),
    TypeError,
    "needs points.sizes or points.boxes",
  );
  assertThrows(
    () =>
      kernelSigmas(
        { x: Float32Array.of(1), y: Float32Array.of(1), sizes: Float32Array.of(0) },
        shape,
        { kernel: "boxes" },
      ),
    RangeError,
    "points.sizes[0] must be a finite size > 0, got 0",
  );
  assertThrows(
    () =>
      kernelSigmas(
        { x: Float32Array.of(1), y: Float32Array.of(1), boxes: Float32Array.of(3, 3, 3, 5) },
        shape,
        { kernel: "boxes" },
      ),
    RangeError,
    "points.boxes[0] = [3, 3, 3, 5] must have width and height > 0, got 0 x 2",
  );
  assertThrows(
    () => kernelSigmas([[1, 1]], [0, 10]),
    RangeError,
    "shape[0] (height) must be >= 1, got 0",
  );
  assertThrows(
    () => kernelSigmas([[1, NaN]], shape),
    RangeError,
    "points[0] has a non-finite coordinate",
  );
});
