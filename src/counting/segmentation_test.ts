// Reference values: the segmentation maps (eq. 4.2) of tools/fixtures/counting_fixtures.py
// (numpy: every pixel centre within σ_P of a point P, plus the pixel holding each point), for
// every kernel's σ, on the real images and synthetic sets of
// testdata/counting/counting_reference.json, stored whole as packed bits.
import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import {
  kernelOptions,
  loadPoints,
  loadReference,
  pointsFor,
  unpackBits,
} from "./_reference_data.ts";
import { segmentationMap, segmentationMapData } from "./segmentation.ts";

const ref = await loadReference();

function mismatches(a: Float32Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

Deno.test("segmentationMapData equals numpy's eq. 4.2 maps pixel for pixel", async () => {
  for (const im of ref.images) {
    const { points, areas } = await loadPoints(im.pointsFile);
    for (const [name, c] of Object.entries(im.kernels)) {
      const s = segmentationMapData(
        pointsFor(points, areas, c.options),
        [im.height, im.width],
        kernelOptions(c.options),
      );
      const expected = await unpackBits(c.segmentation, im.height * im.width);
      assertEquals(mismatches(s.data, expected), 0, `${im.pointsFile} ${name}`);
      assertEquals(s.data.reduce((a, b) => a + b, 0), c.segmentationPixels);
    }
  }
  for (const [name, sc] of Object.entries(ref.synthetic)) {
    for (const [kname, c] of Object.entries(sc.kernels)) {
      const s = segmentationMapData(sc.points, [sc.height, sc.width], kernelOptions(c.options));
      const expected = await unpackBits(c.segmentation, sc.height * sc.width);
      assertEquals(mismatches(s.data, expected), 0, `${name} ${kname}`);
    }
  }
});

Deno.test("segmentation: radius scale, the point's own pixel, bad input", () => {
  const one = segmentationMapData([[4, 4]], [9, 9], { kernel: "fixed", sigma: 1, radiusScale: 2 });
  assertEquals(one.data.reduce((a, b) => a + b, 0), 13); // |d|² ≤ 4 on the integer grid
  const tiny = segmentationMapData([[4.5, 4.5]], [9, 9], { kernel: "fixed", sigma: 0.2 });
  assertEquals(tiny.data[5 * 9 + 5], 1); // the pixel holding the point
  assertEquals(tiny.data.reduce((a, b) => a + b, 0), 1);
  assertThrows(
    () => segmentationMapData([[1, 1]], [9, 9], { radiusScale: 0 }),
    RangeError,
    "radiusScale must be > 0",
  );
  assertThrows(
    () => segmentationMapData([[1, 1]], [9, 9], { kernel: "fixed", sigma: -1 }),
    RangeError,
    "sigma must be > 0, got -1",
  );
});

Deno.test("segmentationMap returns an [H, W, 1] tensor and leaves no tensors behind", async () => {
  await useBackend("cpu");
  const before = tf.memory().numTensors;
  const t = segmentationMap([[2, 2], [6, 1]], [5, 8], { kernel: "fixed", sigma: 1 });
  assertEquals(t.shape, [5, 8, 1]);
  assertEquals(Array.from(t.dataSync()).reduce((a, b) => a + b, 0), 10); // two 5-pixel discs
  t.dispose();
  assertEquals(tf.memory().numTensors, before);
});
