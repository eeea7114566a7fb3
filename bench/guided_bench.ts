/**
 * Speed of the guided filter on a 1-megapixel colour image (a 1000 × 1000 crop
 * of data/aloe_left.jpg) per backend: gray guide and colour guide at r = 8,
 * and r = 2 against r = 32 to show that the cost does not depend on r.
 * Megapixels per second = 1 / (seconds per iteration).
 *
 * Run: `deno bench -A bench/guided_bench.ts`; GUIDED_BENCH_BACKENDS (default
 * `wasm`) chooses the backends, e.g. `wasm,cpu,webgpu`. The cpu backend is
 * the reference, not a fast path: one colour-target iteration with a gray
 * guide took 59 s there (wasm: 0.49 s), so it is left out by default.
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, useBackend } from "../src/core/backend.ts";
import { readImage, toGray } from "../src/io/mod.ts";
import { guidedFilter } from "../src/guided/mod.ts";

const backends = (Deno.env.get("GUIDED_BENCH_BACKENDS") ?? "wasm").split(",") as BackendName[];

const rgbFull = await readImage(new URL("../data/aloe_left.jpg", import.meta.url));
const rgbData = await tf.tidy(() => rgbFull.slice([0, 0, 0], [1000, 1000, 3])).data();
rgbFull.dispose();

// Backends are started here, once: inputs live on the backend they were made on,
// and each benchmark only switches to its backend.
const inputs = new Map<BackendName, { colour: tf.Tensor3D; gray: tf.Tensor3D }>();
for (const backend of backends) {
  await useBackend(backend);
  const colour = tf.tensor3d(rgbData as Float32Array, [1000, 1000, 3]);
  inputs.set(backend, { colour, gray: toGray(colour) });
}

for (const backend of backends) {
  const run = async (guide: "gray" | "colour", radius: number) => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
    const x = inputs.get(backend)!;
    const q = guidedFilter(x[guide], x.colour, { radius, eps: 0.01 });
    await q.data();
    q.dispose();
  };
  const n = backend === "wasm" ? 5 : 2;
  for (const guide of ["gray", "colour"] as const) {
    Deno.bench({
      name: `guidedFilter ${guide} guide, r=8, 1 Mpx colour target [${backend}]`,
      group: `guide-${backend}`,
      baseline: guide === "gray",
      n,
      warmup: 1,
      fn: () => run(guide, 8),
    });
  }
  for (const radius of [2, 32]) {
    Deno.bench({
      name: `guidedFilter colour guide, r=${radius}, 1 Mpx [${backend}]`,
      group: `radius-${backend}`,
      baseline: radius === 2,
      n,
      warmup: 1,
      fn: () => run("colour", radius),
    });
  }
}
