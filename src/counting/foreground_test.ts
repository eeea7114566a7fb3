// Reference values: the number of pixels with density > 0 in the maps of
// tools/fixtures/counting_fixtures.py (numpy), testdata/counting/counting_reference.json.
import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { kernelOptions, loadPoints, loadReference, pointsFor } from "./_reference_data.ts";
import { densityMapData } from "./density.ts";
import { oracleForeground, oracleForegroundData } from "./foreground.ts";

const ref = await loadReference();

Deno.test("oracleForegroundData of real density maps matches numpy's density > 0", async () => {
  for (const im of ref.images) {
    const { points, areas } = await loadPoints(im.pointsFile);
    for (const [name, c] of Object.entries(im.kernels)) {
      const d = densityMapData(
        pointsFor(points, areas, c.options),
        [im.height, im.width],
        kernelOptions(c.options),
      );
      const fg = oracleForegroundData(d);
      assertEquals(
        fg.data.reduce((a, b) => a + b, 0),
        c.foregroundPixels,
        `${im.pointsFile} ${name}`,
      );
    }
  }
});

Deno.test("oracleForeground on tensors equals the plane version, with a threshold", async () => {
  await useBackend("cpu");
  const d = densityMapData([[3, 3], [10, 2]], [8, 14], { kernel: "fixed", sigma: 1.5 });
  const t = tf.tensor3d(d.data, [8, 14, 1]);
  const before = tf.memory().numTensors;
  for (const threshold of [0, 1e-3, 0.05]) {
    const plane = oracleForegroundData(d, { threshold });
    const fg = oracleForeground(t, { threshold });
    assertEquals(Array.from(fg.dataSync()), Array.from(plane.data));
    fg.dispose();
  }
  assertEquals(tf.memory().numTensors, before);
  // With the default truncation (3σ → r = 5), the foreground is two 11 x 11 windows, clipped.
  assertEquals(oracleForegroundData(d).data.reduce((a, b) => a + b, 0), 8 * 9 + 8 * 5);
  t.dispose();
  assertThrows(
    () => oracleForegroundData(d, { threshold: -1 }),
    RangeError,
    "threshold must be >= 0",
  );
  assertThrows(() => oracleForeground([1] as never), TypeError, "density must be a tf.Tensor");
});
