import { assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { linspace, ringBands } from "./bands.ts";

Deno.test("linspace reproduces numpy's values bit for bit", () => {
  // np.linspace(0.2, 1, 5).tolist() and np.linspace(1/3, 1, 3).tolist()
  assertEquals(linspace(0.2, 1, 5), [0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
  assertEquals(linspace(1 / 3, 1, 3), [0.3333333333333333, 0.6666666666666667, 1.0]);
  assertEquals(linspace(1, 1, 1), [1]);
});

Deno.test("ringBands: rings of equal width around (W//2, H//2), corners left out", () => {
  const r = ringBands(8, 8, 2);
  // Counted with numpy: disc of radius 2 holds 13 elements, the ring up to 4 holds 34.
  assertEquals(r.counts, [13, 34]);
  assertEquals(r.radii, [2, 4]);
  assertEquals(r.label[4 * 8 + 4], 0); // the zero frequency
  assertEquals(r.label[4 * 8 + 0], 1); // distance 4: on the outer circle
  assertEquals(r.label[0], -1); // corner, distance 4√2
  assertEquals(r.label[7 * 8 + 7], -1);
  // Every element at distance <= 4 is in a ring; none beyond.
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      const d = Math.hypot(x - 4, y - 4);
      assertEquals(r.label[y * 8 + x] >= 0, d <= 4, `(${y}, ${x})`);
    }
  }
});

Deno.test("ringBands: the radius is half the width, also for non-square spectra", () => {
  const wide = ringBands(6, 12, 3); // radius 6 > H/2: the rings are cut by the top and bottom
  assertEquals(wide.radii, [2, 4, 6]);
  assertEquals(wide.label[3 * 12 + 0], 2); // (3, 0): distance 6 from (3, 6)
  // Only column 0 (dx = -6) reaches beyond 6, except its centre row.
  assertEquals(wide.counts.reduce((a, b) => a + b), 6 * 12 - 5);
  const tall = ringBands(12, 6, 3); // radius 3 < H/2
  assertEquals(tall.radii, [1, 2, 3]);
  assertEquals(tall.label[0], -1);
});

Deno.test("ringBands caches per size and validates the band count", () => {
  assertStrictEquals(ringBands(16, 16, 5), ringBands(16, 16, 5));
  assertThrows(() => ringBands(16, 16, 0), RangeError, "bands must be >= 1, got 0");
  assertThrows(() => ringBands(16, 16, 2.5), RangeError, "bands must be an integer, got 2.5");
  assertThrows(() => ringBands(16, 16, Number.NaN), TypeError, "bands");
  // 4x4 has radius 2: with 5 rings of width 0.4 the second ring holds no element.
  assertThrows(() => ringBands(4, 4, 5), RangeError, "band 1 is empty");
});
