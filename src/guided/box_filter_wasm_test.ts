/**
 * The box filter on the wasm backend (the training backend on CPU machines),
 * at a size where float32 running sums lose precision.
 */
import * as tf from "@tensorflow/tfjs";
import { assertLess } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { boxFilter } from "./box_filter.ts";

await useBackend("wasm");

Deno.test("boxFilter: keeps float32 precision on a 1-megapixel image", () => {
  // A bright image (values in [0.9, 1]) is the worst case for running sums.
  const [h, w] = [1000, 1000];
  const x = tf.tidy(() => tf.randomUniform([h, w, 1], 0.9, 1, "float32", 3)) as tf.Tensor3D;
  const v = x.dataSync();
  {
    const r = 8;
    // Float64 reference by prefix sums in JavaScript numbers.
    const rows = new Float64Array(h * w);
    for (let j = 0; j < w; j++) {
      const c = new Float64Array(h + 1);
      for (let i = 0; i < h; i++) c[i + 1] = c[i] + v[i * w + j];
      for (let i = 0; i < h; i++) {
        const lo = Math.max(0, i - r), hi = Math.min(h - 1, i + r);
        rows[i * w + j] = (c[hi + 1] - c[lo]) / (hi - lo + 1);
      }
    }
    let worst = 0;
    const y = boxFilter(x, r).dataSync();
    for (let i = 0; i < h; i++) {
      const c = new Float64Array(w + 1);
      for (let j = 0; j < w; j++) c[j + 1] = c[j] + rows[i * w + j];
      for (let j = 0; j < w; j++) {
        const lo = Math.max(0, j - r), hi = Math.min(w - 1, j + r);
        worst = Math.max(worst, Math.abs(y[i * w + j] - (c[hi + 1] - c[lo]) / (hi - lo + 1)));
      }
    }
    // Measured: 7e-8 (wasm) and 4e-8 (cpu) with the centring, 2e-5 without it.
    assertLess(worst, 1e-6, `radius ${r}: max error ${worst}`);
  }
  x.dispose();
});
