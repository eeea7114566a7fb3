import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import { bernoulliMask, regionBox, regionMask } from "./masks.ts";

await tf.setBackend("cpu");

Deno.test("bernoulliMask drops 50% ± 1% of the pixels, shared across channels, seeded", () => {
  const before = tf.memory().numTensors;
  const m = bernoulliMask([128, 96, 3], { seed: 7 });
  const v = m.dataSync();
  let dropped = 0;
  for (let p = 0; p < 128 * 96; p++) {
    assert(
      v[3 * p] === v[3 * p + 1] && v[3 * p] === v[3 * p + 2],
      "channels share the pixel's state",
    );
    assert(v[3 * p] === 0 || v[3 * p] === 1);
    if (v[3 * p] === 0) dropped++;
  }
  const frac = dropped / (128 * 96);
  assert(Math.abs(frac - 0.5) < 0.01, `dropped fraction ${frac}`);
  const again = bernoulliMask([128, 96, 3], { seed: 7 });
  assertEquals(Array.from(again.dataSync()), Array.from(v));
  const other = bernoulliMask([128, 96, 3], { seed: 8 });
  assertNotEquals(Array.from(other.dataSync()), Array.from(v));
  tf.dispose([m, again, other]);
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("bernoulliMask: other drop rates and per-channel draws", () => {
  const m = bernoulliMask([100, 100, 1], { seed: 3, dropRate: 0.9 });
  const kept = tf.tidy(() => m.mean().dataSync()[0]);
  assert(Math.abs(kept - 0.1) < 0.01, `kept fraction ${kept}`);
  const pc = bernoulliMask([64, 64, 3], { seed: 3, perChannel: true });
  const v = pc.dataSync();
  let differ = 0;
  for (let p = 0; p < 64 * 64; p++) if (v[3 * p] !== v[3 * p + 1]) differ++;
  // independent channels disagree on about half the pixels
  assert(differ > 0.4 * 64 * 64 && differ < 0.6 * 64 * 64, `channels differ on ${differ} pixels`);
  tf.dispose([m, pc]);
});

Deno.test("regionMask: centred hole with the area ratio to a pixel", () => {
  for (const [h, w] of [[128, 128], [64, 96], [321, 481], [480, 320]]) {
    for (const ratio of [0.1, 0.25, 0.5]) {
      for (const shape of ["square", "rect"] as const) {
        const box = regionBox(h, w, { ratio, shape });
        const m = regionMask([h, w, 1], { ratio, shape });
        const v = m.dataSync();
        const holes = Array.from(v).filter((x) => x === 0).length;
        assertEquals(holes, box.height * box.width);
        // each side is the exact side rounded to the nearest pixel
        const exactH = shape === "square" ? Math.sqrt(ratio * h * w) : h * Math.sqrt(ratio);
        const exactW = shape === "square" ? exactH : w * Math.sqrt(ratio);
        assert(Math.abs(box.height - exactH) <= 0.5 && Math.abs(box.width - exactW) <= 0.5);
        // so the area is within half a row plus half a column (+1/4) of ratio·H·W
        const slack = (exactH + exactW) / 2 + 0.25;
        assert(Math.abs(holes - ratio * h * w) <= slack, `${h}x${w} ${ratio} ${shape}: ${holes}`);
        // centred: margins differ by at most one pixel
        assert(Math.abs(box.top - (h - box.top - box.height)) <= 1);
        assert(Math.abs(box.left - (w - box.left - box.width)) <= 1);
        // the hole is where the box says
        assertEquals(v[(box.top + 1) * w + box.left + 1], 0);
        assertEquals(v[(box.top - 1) * w + box.left], 1);
        assertEquals(v[box.top * w + box.left + box.width], 1);
        m.dispose();
      }
    }
  }
  // Pathak et al.'s setting: 64×64 hole in a 128×128 image
  assertEquals(regionBox(128, 128, { ratio: 0.25 }), { top: 32, left: 32, height: 64, width: 64 });
});

Deno.test("regionMask: same hole in every channel", () => {
  const m = regionMask([32, 32, 3], { ratio: 0.25 });
  const s = tf.tidy(() => Array.from(m.sum([0, 1]).dataSync()));
  assertEquals(s, [1024 - 256, 1024 - 256, 1024 - 256]);
  m.dispose();
});

Deno.test("masks reject bad parameters", () => {
  assertThrows(
    () => bernoulliMask([8, 8, 1], { seed: 1, dropRate: 1 }),
    RangeError,
    "dropRate must be < 1",
  );
  assertThrows(
    () => bernoulliMask([8, 8, 1], { seed: 1, dropRate: 0 }),
    RangeError,
    "dropRate must be > 0",
  );
  assertThrows(
    () => bernoulliMask([8, 8, 1], {} as { seed: number }),
    TypeError,
    "seed must be a number",
  );
  assertThrows(
    () => bernoulliMask([8, 8], { seed: 1 }),
    RangeError,
    "shape must be [height, width, channels]",
  );
  assertThrows(() => regionMask([8, 8, 0], { ratio: 0.1 }), RangeError, "shape[2] must be >= 1");
  assertThrows(() => regionMask([8, 8, 1], { ratio: 1.5 }), RangeError, "ratio must be < 1");
  assertThrows(() => regionMask([8, 8, 1], { ratio: 0.001 }), RangeError, "leaves no hole");
  assertThrows(
    () => regionMask([10, 100, 1], { ratio: 0.5 }),
    RangeError,
    "larger than the 10×100 image",
  );
  assertThrows(
    () => regionMask([8, 8, 1], { ratio: 0.1, shape: "circle" as "rect" }),
    RangeError,
    'shape must be one of "square", "rect"',
  );
});
