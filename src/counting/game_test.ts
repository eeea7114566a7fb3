// Reference values: GAME(0..3) of tools/fixtures/counting_fixtures.py (numpy, recursive
// quartering at floor(h/2), floor(w/2)) in testdata/counting/counting_reference.json, on
// pairs of real density maps: a fixed-σ map against the adaptive one (same count, local
// differences), and the fixed-σ map of every point but each 5th against the full one,
// without and with a disc-shaped ROI mask; 256 x 256, 150 x 150 and 520 x 696 images.
import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { loadPoints, loadReference } from "./_reference_data.ts";
import { densityMapData } from "./density.ts";
import { game, gameBounds, gameCells } from "./game.ts";
import type { DensityPlane } from "./plane.ts";
import type { Points } from "./points.ts";

const ref = await loadReference();

function every5thDropped(p: Points): Points {
  const keep = Array.from(p.x.keys()).filter((i) => i % 5 !== 0);
  return { x: Float32Array.from(keep, (i) => p.x[i]), y: Float32Array.from(keep, (i) => p.y[i]) };
}

function discMask(h: number, w: number): DensityPlane {
  const data = new Float32Array(h * w);
  const r2 = (Math.min(h, w) / 2) ** 2;
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) data[i * w + j] = (i - h / 2) ** 2 + (j - w / 2) ** 2 <= r2 ? 1 : 0;
  }
  return { data, height: h, width: w };
}

Deno.test("game matches numpy's recursive GAME(0..3) on real maps, with and without ROI mask", async () => {
  let worst = 0;
  for (const im of ref.images) {
    const { points } = await loadPoints(im.pointsFile);
    const shape = [im.height, im.width] as const;
    const fixed = densityMapData(points, shape, { kernel: "fixed", sigma: 4 });
    const adaptive = densityMapData(points, shape, { kernel: "adaptive" });
    const fewer = densityMapData(every5thDropped(points), shape, { kernel: "fixed", sigma: 4 });
    const mask = discMask(im.height, im.width);
    for (let level = 0; level <= 3; level++) {
      const got = [
        game(fixed, adaptive, { level }),
        game(fewer, fixed, { level }),
        game(fewer, fixed, { level, mask }),
      ];
      const want = [
        im.game.fixedVsAdaptive[level],
        im.game.every5thDroppedVsFixed[level],
        im.game.every5thDroppedVsFixedDiscMask[level],
      ];
      got.forEach((g, i) => {
        worst = Math.max(worst, Math.abs(g - want[i]));
        assertAlmostEquals(g, want[i], 1e-4, `${im.pointsFile} L=${level} case ${i}`);
      });
    }
  }
  // Measured: 4e-7 (float32 maps summed in float64).
  console.log(`max GAME difference vs numpy: ${worst.toExponential(2)}`);
});

Deno.test("game on tensors ([H, W] and [H, W, 1]) equals game on planes", async () => {
  await useBackend("cpu");
  const a = densityMapData([[1, 1], [8, 2], [3, 6]], [7, 9], { kernel: "fixed", sigma: 1 });
  const b = densityMapData([[1, 1], [7, 5]], [7, 9], { kernel: "fixed", sigma: 1 });
  const ta = tf.tensor3d(a.data, [7, 9, 1]), tb = tf.tensor2d(b.data, [7, 9]);
  const before = tf.memory().numTensors;
  for (let level = 0; level <= 3; level++) {
    assertAlmostEquals(game(ta, tb, { level }), game(a, b, { level }), 1e-9);
  }
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([ta, tb]);
});

Deno.test("GAME cells: floor(n / 2) splits, remainder to the lower/right cells", () => {
  assertEquals(Array.from(gameBounds(7, 1)), [0, 3, 7]);
  assertEquals(Array.from(gameBounds(7, 2)), [0, 1, 3, 5, 7]);
  assertEquals(Array.from(gameBounds(150, 3)), [0, 18, 37, 56, 75, 93, 112, 131, 150]);
  assertEquals(Array.from(gameBounds(3, 2)), [0, 0, 1, 2, 3]); // an empty cell
  assertEquals(Array.from(gameBounds(5, 0)), [0, 5]);
  // A 3 x 5 map of ones: cells of 1 x 2, 1 x 3, 2 x 2, 2 x 3 pixels.
  const ones = { data: new Float32Array(15).fill(1), height: 3, width: 5 };
  assertEquals(Array.from(gameCells(ones, { level: 1 })), [2, 3, 4, 6]);
  const zeros = { data: new Float32Array(15), height: 3, width: 5 };
  assertEquals(game(ones, zeros, { level: 2 }), 15);
  assertEquals(
    game(ones, zeros, {
      level: 0,
      mask: {
        data: Float32Array.of(1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        height: 3,
        width: 5,
      },
    }),
    5,
  );
});

Deno.test("game names bad input", () => {
  const a = { data: new Float32Array(6), height: 2, width: 3 };
  const b = { data: new Float32Array(6), height: 3, width: 2 };
  assertThrows(
    () => game(a, b, { level: 1 }),
    RangeError,
    "truth must have the size of predicted: expected 2x3, got 3x2",
  );
  assertThrows(() => game(a, a, { level: -1 }), RangeError, "level must be >= 0, got -1");
  assertThrows(
    () => game(a, a, { level: 1, mask: b }),
    RangeError,
    "mask must have the map's size",
  );
  assertThrows(
    () => game(a, tf.zeros([2, 3, 2]), { level: 0 }),
    RangeError,
    "truth must be a [H, W] or [H, W, 1] tensor, got shape [2, 3, 2]",
  );
  assertThrows(
    () => game({ data: [1] } as never, a, { level: 0 }),
    TypeError,
    "predicted must be {data: Float32Array, height, width}",
  );
});
