// Consistency checks: the points moved by a crop or flip must be the dots found (by
// pointsFromDots) in the equally cropped or flipped dot image, and the image must be the
// numpy-style slice / mirror of the original.
import { assert, assertEquals, assertThrows } from "@std/assert";
import { Rng } from "../core/rng.ts";
import { augmentSample, cropSample, flipSample, randomCropBox } from "./augment.ts";
import { pointsFromDots } from "./formats/dots.ts";
import type { CountingSample } from "./sample.ts";

/** A sample whose image has value 1 at its points (channel 0) and a gradient in channel 1. */
function dotted(h: number, w: number, pts: [number, number][]): CountingSample {
  const image = new Float32Array(h * w * 2);
  const roi = new Uint8Array(h * w);
  const target = new Float32Array(h * w);
  for (let i = 0; i < h * w; i++) {
    image[2 * i + 1] = i / (h * w);
    roi[i] = i % 3 === 0 ? 1 : 0;
  }
  for (const [x, y] of pts) {
    image[(y * w + x) * 2] = 1;
    target[y * w + x] += 1;
  }
  return {
    name: "dotted",
    image,
    shape: [h, w, 2],
    points: {
      x: Float32Array.from(pts, (p) => p[0]),
      y: Float32Array.from(pts, (p) => p[1]),
      sizes: Float32Array.from(pts, (_, i) => i + 1),
      boxes: Float32Array.from(pts.flatMap(([x, y]) => [x - 1, y - 2, x + 2, y + 3])),
    },
    roi,
    target,
  };
}

function sortedPoints(p: { x: Float32Array; y: Float32Array }): string[] {
  return Array.from(p.x, (x, i) => `${x},${p.y[i]}`).sort();
}

const PTS: [number, number][] = [[0, 0], [9, 0], [3, 4], [4, 4], [9, 6], [0, 6], [5, 2]];

Deno.test("flipSample mirrors image, points, boxes, ROI and target together", () => {
  const s = dotted(7, 10, PTS);
  const f = flipSample(s);
  assertEquals(
    sortedPoints(f.points),
    sortedPoints(pointsFromDots({ data: f.image, shape: f.shape })),
  );
  for (let r = 0; r < 7; r++) {
    for (let c = 0; c < 10; c++) {
      assertEquals(f.image[(r * 10 + c) * 2 + 1], s.image[(r * 10 + (9 - c)) * 2 + 1]);
      assertEquals(f.roi![r * 10 + c], s.roi![r * 10 + (9 - c)]);
      assertEquals(f.target![r * 10 + c], s.target![r * 10 + (9 - c)]);
    }
  }
  // box [x - 1, x + 2) mirrored: [W - (x + 2), W - (x - 1))
  assertEquals(Array.from(f.points.boxes!.subarray(8, 12)), [10 - 5, 2, 10 - 2, 7]);
  assertEquals(f.points.sizes, s.points.sizes);
  const back = flipSample(f);
  assertEquals(back.image, s.image);
  assertEquals(back.points.x, s.points.x);
  assertEquals(back.points.boxes, s.points.boxes);
});

Deno.test("flipSample keeps a point on the left edge inside the image", () => {
  // Clamped points sit at x = −0.5; mirrored they must stay in [−0.5, w − 0.5).
  const s = dotted(4, 6, [[0, 1]]);
  const edge = { ...s, points: { x: Float32Array.of(-0.5), y: Float32Array.of(1) } };
  const f = flipSample(edge);
  assert(f.points.x[0] < 5.5 && f.points.x[0] > 5.4, `${f.points.x[0]}`);
});

Deno.test("cropSample keeps the points inside the crop, shifted, with their sizes", () => {
  const s = dotted(7, 10, PTS);
  const c = cropSample(s, { top: 2, left: 3, height: 4, width: 5 });
  assertEquals(c.shape, [4, 5, 2]);
  assertEquals(sortedPoints(c.points), ["0,2", "1,2", "2,0"]);
  assertEquals(
    sortedPoints(c.points),
    sortedPoints(pointsFromDots({ data: c.image, shape: c.shape })),
  );
  assertEquals(Array.from(c.points.sizes!).sort(), [3, 4, 7]);
  let sum = 0;
  for (const v of c.target!) sum += v;
  assertEquals(sum, c.points.x.length);
  for (let r = 0; r < 4; r++) {
    for (let col = 0; col < 5; col++) {
      assertEquals(c.image[(r * 5 + col) * 2 + 1], s.image[((r + 2) * 10 + col + 3) * 2 + 1]);
      assertEquals(c.roi![r * 5 + col], s.roi![(r + 2) * 10 + col + 3]);
    }
  }
});

Deno.test("cropSample pads crops that reach past the image; images with 0 points work", () => {
  const s = dotted(3, 4, []);
  const c = cropSample(s, { top: -1, left: 2, height: 5, width: 4 });
  assertEquals(c.shape, [5, 4, 2]);
  assertEquals(c.points.x.length, 0);
  assertEquals(c.image[1], 0, "padding is zero");
  assertEquals(c.image[(1 * 4 + 0) * 2 + 1], s.image[(0 * 4 + 2) * 2 + 1]);
  assertThrows(
    () => cropSample(s, { top: 0, left: 0, height: 0, width: 2 }),
    RangeError,
    "box.height",
  );
});

Deno.test("augmentSample is repeatable from a seed and covers every crop position", () => {
  const s = dotted(7, 10, PTS);
  const a = augmentSample(s, { crop: [4, 4], flip: true }, new Rng(5));
  const b = augmentSample(s, { crop: [4, 4], flip: true }, new Rng(5));
  assertEquals(a.image, b.image);
  assertEquals(a.points, b.points);
  const rng = new Rng(0);
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const box = randomCropBox([7, 10], [4, 4], rng);
    assert(box.top >= 0 && box.top <= 3 && box.left >= 0 && box.left <= 6);
    seen.add(`${box.top},${box.left}`);
  }
  assertEquals(seen.size, 4 * 7);
  assertEquals(randomCropBox([3, 3], [8, 8], new Rng(1)), { top: 0, left: 0, height: 8, width: 8 });
  assertEquals(augmentSample(s, {}, new Rng(1)), s);
});
