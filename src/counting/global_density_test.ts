// Reference values: eqs. 4.4-4.5 computed by tools/fixtures/counting_fixtures.py (plain
// Python) in testdata/counting/counting_reference.json: the step L over the 200 VGG cells
// images (counts.csv of the shared data) for 128 x 128 patches, M = 4 and 8, and the levels of
// the four 128 x 128 patches of the two fixture VGG images.
import { assertEquals, assertThrows } from "@std/assert";
import { loadPoints, loadReference } from "./_reference_data.ts";
import { globalDensityLevel, globalDensityStep } from "./global_density.ts";
import { pointsInside } from "./points.ts";

const ref = await loadReference();
const g = ref.globalDensity;

Deno.test("globalDensityStep and globalDensityLevel match the reference on VGG cells", async () => {
  const regions = g.counts.map((count) => ({ count, pixels: g.pixels }));
  for (const [m, want] of Object.entries(g.levels)) {
    const levels = Number(m);
    const step = globalDensityStep(regions, { levels, patchPixels: g.patchPixels });
    assertEquals(step, want.step, `M = ${m}`);
    for (const [stem, counts] of Object.entries(g.patchCounts)) {
      const { points } = await loadPoints(`points/${stem}.json`);
      // The patch counts themselves, from the points (pixel-centre rule of points.ts).
      const mine = [0, 128].flatMap((r) =>
        [0, 128].map((c) => {
          const shifted = {
            x: points.x.map((x) => x - c),
            y: points.y.map((y) => y - r),
          };
          return pointsInside(shifted, [128, 128]).x.length;
        })
      );
      assertEquals(mine, counts, stem);
      assertEquals(
        mine.map((c) => globalDensityLevel(c, { step, levels })),
        want.patchLevels[stem],
      );
    }
    assertEquals(globalDensityLevel(1000, { step, levels }), want.denseLevel); // clamped
  }
});

Deno.test("global density: M classes, clamped; patches as regions; float sums", () => {
  // Regions that are the patches themselves: L = floor(max count / M) + 1.
  assertEquals(
    globalDensityStep([{ count: 10, pixels: 64 }, { count: 31, pixels: 64 }], { levels: 4 }),
    8,
  );
  assertEquals(globalDensityLevel(31, { step: 8, levels: 4 }), 3);
  assertEquals(globalDensityLevel(0, { step: 8, levels: 4 }), 0);
  assertEquals(globalDensityLevel(1e6, { step: 8, levels: 4 }), 3);
  assertEquals(globalDensityLevel(16 - 1e-6, { step: 8, levels: 4 }), 2); // a density sum of 16
  assertEquals(globalDensityStep([{ count: 0, pixels: 64 }], { levels: 8 }), 1);
  assertThrows(
    () => globalDensityStep([], { levels: 4 }),
    RangeError,
    "regions must be a non-empty array",
  );
  assertThrows(
    () => globalDensityStep([{ count: 1, pixels: 0 }], { levels: 4 }),
    RangeError,
    "regions[0].pixels must be > 0",
  );
  assertThrows(
    () => globalDensityStep([{ count: 1, pixels: 4 }], { levels: 0 }),
    RangeError,
    "levels must be >= 1",
  );
  assertThrows(
    () => globalDensityLevel(-1, { step: 8, levels: 4 }),
    RangeError,
    "count must be >= 0, got -1",
  );
  assertThrows(() => globalDensityLevel(1, { step: 0, levels: 4 }), RangeError, "step must be > 0");
});
