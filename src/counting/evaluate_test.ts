import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { densityMapData } from "./density.ts";
import { evaluateCounter, predictDensity } from "./evaluate.ts";
import type { CountingSample } from "./sample.ts";
import type { CounterForward } from "./train.ts";

await useBackend("cpu");

/** A sample whose image *is* its density × 100 (so an identity network counts it exactly). */
function oracleSample(h: number, w: number, pts: [number, number][], name = "s"): CountingSample {
  const d = densityMapData(pts, [h, w], { kernel: "fixed", sigma: 2 });
  return {
    name,
    image: d.data.map((v) => v * 100),
    shape: [h, w, 1],
    points: {
      x: Float32Array.from(pts.map((p) => p[0])),
      y: Float32Array.from(pts.map((p) => p[1])),
    },
  };
}

const identity: CounterForward = (x) => tf.clone(x);
const pool4: CounterForward = (x) => tf.mul(tf.avgPool(x, 4, 4, "same"), 16) as tf.Tensor4D;

Deno.test("predictDensity pads odd sizes to the multiple and tiles without double counting", async () => {
  const s = oracleSample(70, 101, [[5, 5], [50, 30], [99, 68], [30, 60]]);
  for (const maxPixels of [512 * 512, 32 * 32]) {
    const m = await predictDensity(pool4, { data: s.image, shape: s.shape }, {
      outputStride: 4,
      maxPixels,
    });
    assertEquals([m.height, m.width], [Math.ceil(70 / 4), Math.ceil(101 / 4)]);
    assertAlmostEquals(m.count, 4, 1e-3);
  }
});

Deno.test("evaluateCounter: counts, MAE and GAME of an exact counter are 0", async () => {
  const samples = [
    oracleSample(48, 64, [[10, 10], [30, 20], [50, 40]], "a"),
    oracleSample(48, 64, [], "empty"),
  ];
  const r = await evaluateCounter(identity, samples, {
    density: { kernel: "fixed", sigma: 2 },
    keepMaps: true,
    maxPixels: 24 * 32,
  });
  assertEquals(r.names, ["a", "empty"]);
  assertEquals(Array.from(r.truth), [3, 0]);
  assertAlmostEquals(r.metrics.mae, 0, 1e-4);
  for (const l of [0, 1, 2, 3]) assertAlmostEquals(r.game[l], 0, 1e-3);
  assertEquals(r.maps!.length, 2);
  assertEquals(r.metrics.zeroCountImages, 1);
});

Deno.test("evaluateCounter: a counter off by a factor has the expected MAE, GAME grows with L", async () => {
  const samples = [oracleSample(32, 32, [[5, 5], [25, 25]]), oracleSample(32, 32, [[16, 16]])];
  const half: CounterForward = (x) => tf.mul(x, 0.5) as tf.Tensor4D;
  const r = await evaluateCounter(half, samples, { density: { kernel: "fixed", sigma: 2 } });
  assertAlmostEquals(r.metrics.mae, (1 + 0.5) / 2, 1e-3);
  assertAlmostEquals(r.game[0], r.metrics.mae, 1e-3);
  for (const l of [1, 2, 3]) {
    assert(r.game[l] >= r.game[l - 1] - 1e-6, `GAME(${l}) < GAME(${l - 1})`);
  }
  await assertRejects(() => evaluateCounter(half, []), RangeError, "no samples");
});
