// Reference values: Pillow 12 `Image.resize` on crops of data/camera.png and
// data/astronaut.png, written by tools/fixtures/io_fixtures.py into
// testdata/io_resize.json ("float": mode "F", no rounding; "uint8": 8-bit RGB).
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import { centerCrop, readImage, resampleMatrix, resize, type ResizeMethod } from "./mod.ts";

await tf.setBackend("cpu");

interface ResizeCase {
  image: string;
  crop: [number, number, number, number];
  size: [number, number];
  method: ResizeMethod;
  shape: number[];
  float: number[];
  uint8?: number[];
}
const { cases }: { cases: ResizeCase[] } = JSON.parse(
  await Deno.readTextFile(new URL("../../testdata/io_resize.json", import.meta.url)),
);

async function source(c: ResizeCase): Promise<tf.Tensor3D> {
  const full = await readImage(new URL(`../../data/${c.image}`, import.meta.url));
  const [r, col, h, w] = c.crop;
  const crop = tf.slice(full, [r, col, 0], [h, w, full.shape[2]]);
  full.dispose();
  return crop;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, scale = 1): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i] / scale));
  return m;
}

for (const c of cases) {
  const what = `${c.image} ${c.crop[2]}x${c.crop[3]} -> ${c.size.join("x")}`;
  Deno.test(`resize ${c.method} matches Pillow: ${what}`, async () => {
    const input = await source(c);
    const out = resize(input, c.size, { method: c.method });
    assertEquals(out.shape, c.shape);
    const got = out.dataSync();
    // Pillow's float mode accumulates in double; float32 matrix products
    // differ by rounding only (measured max 1.2e-7; the fixture keeps 7 decimals).
    assertLess(maxAbsDiff(got, c.float), 5e-7);
    if (c.uint8) {
      // Pillow's 8-bit mode rounds to 8 bits after the horizontal pass and at
      // the end, with 22-bit fixed-point weights: each rounding adds at most
      // 0.5/255, the first one amplified by the sum of |weights| (≤ 1.25 for
      // Lanczos), so |difference| < (0.5 * 1.25 + 0.5 + margin)/255 < 2/255.
      // Measured max: 0.86 (bilinear), 0.85 (bicubic), 0.92 (Lanczos) levels.
      assertLess(maxAbsDiff(got, c.uint8, 255), 2 / 255);
    }
    tf.dispose([input, out]);
  });
}

Deno.test("resampleMatrix rows sum to 1 and nearest picks floor((i + 0.5) * in / out)", () => {
  for (const method of ["nearest", "bilinear", "bicubic", "lanczos"] as const) {
    for (const [n, m] of [[10, 3], [7, 7], [5, 13], [512, 128]]) {
      const w = resampleMatrix(n, m, { method });
      const sums = w.sum(1).dataSync();
      for (const s of sums) assert(Math.abs(s - 1) < 1e-6, `${method} ${n}->${m}: ${s}`);
      w.dispose();
    }
  }
  const nearest = resampleMatrix(10, 4, { method: "nearest" });
  assertEquals(Array.from(nearest.argMax(1).dataSync()), [1, 3, 6, 8]);
  nearest.dispose();
});

Deno.test("resize without antialiasing is plain bilinear interpolation (tf.image, half-pixel)", () => {
  const image = tf.randomUniform([23, 17, 2], 0, 1, "float32", 3) as tf.Tensor3D;
  for (const size of [[7, 5], [40, 31]] as [number, number][]) {
    const ours = resize(image, size, { method: "bilinear", antialias: false });
    const theirs = tf.image.resizeBilinear(image, size, false, true);
    assertLess(maxAbsDiff(ours.dataSync(), theirs.dataSync()), 1e-6);
    tf.dispose([ours, theirs]);
  }
  image.dispose();
});

Deno.test("resize keeps constant images constant and same size is identity", () => {
  const flat = tf.fill([9, 14, 3], 0.3) as tf.Tensor3D;
  const down = resize(flat, [4, 5], { method: "lanczos" });
  assertLess(maxAbsDiff(down.dataSync(), new Float32Array(60).fill(0.3)), 1e-6);
  const same = resize(flat, [9, 14]);
  assertEquals(Array.from(same.dataSync()), Array.from(flat.dataSync()));
  tf.dispose([flat, down, same]);
});

Deno.test("resize of a batch equals resizing each image; gradients flow", () => {
  const batch = tf.randomUniform([2, 12, 10, 3], 0, 1, "float32", 5) as tf.Tensor4D;
  const out = resize(batch, [5, 4], { method: "lanczos" });
  assertEquals(out.shape, [2, 5, 4, 3]);
  for (let i = 0; i < 2; i++) {
    const one = tf.tidy(() =>
      resize(batch.slice([i], [1]).squeeze([0]) as tf.Tensor3D, [5, 4], {
        method: "lanczos",
      })
    );
    const part = out.slice([i], [1]).squeeze([0]);
    assertLess(maxAbsDiff(part.dataSync(), one.dataSync()), 1e-6);
    tf.dispose([one, part]);
  }
  // d(sum of output)/d(input) = column sums of the resampling matrices: nonzero.
  const grad = tf.grad((x: tf.Tensor) => resize(x as tf.Tensor4D, [5, 4]).sum())(batch);
  assertEquals(grad.shape, batch.shape);
  assert(grad.abs().sum().dataSync()[0] > 0);
  tf.dispose([batch, out, grad]);
});

Deno.test("resize rejects bad arguments", () => {
  const image = tf.zeros([4, 4, 1]) as tf.Tensor3D;
  assertThrows(() => resize(image, [0, 3]), RangeError, "size[0] (height) must be >= 1, got 0");
  assertThrows(
    () => resize(image, [2, 2], { method: "area" as ResizeMethod }),
    RangeError,
    'method must be one of "nearest", "bilinear", "bicubic", "lanczos", got string "area"',
  );
  assertThrows(() => resize(tf.zeros([4, 4]) as unknown as tf.Tensor3D, [2, 2]), RangeError);
  image.dispose();
});

Deno.test("resize and centerCrop leave no tensors behind", async () => {
  const image = await readImage(new URL("../../data/astronaut.png", import.meta.url));
  const crop = centerCrop(image, [64, 48]);
  const before = tf.memory().numTensors;
  for (const method of ["nearest", "bilinear", "bicubic", "lanczos"] as const) {
    resize(crop, [16, 20], { method }).dispose();
    resize(crop, [70, 50], { method }).dispose();
  }
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([image, crop]);
});
