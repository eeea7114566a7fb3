// Expected values: numpy (value / 65535, / 4095, numpy.percentile with linear interpolation)
// on the arrays written into testdata/counting_formats/png16/ and on the real BBBC039 image
// data/counting/bbbc039/images/IXMtest_A02_s1_...png, as read by Pillow
// (tools/fixtures/counting_formats_fixtures.py → testdata/counting_formats.json).
import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import {
  decodePngFloat,
  ImageReadError,
  percentile,
  type PngNormalization,
  readImage,
  readImageData,
} from "./mod.ts";

await useBackend("cpu");

const ROOT = new URL("../../", import.meta.url);
const fixture = JSON.parse(
  await Deno.readTextFile(new URL("testdata/counting_formats.json", ROOT)),
);
interface Png16Case {
  shape: [number, number, number];
  raw: number[];
  bits: number;
  percentiles: [number, number];
  byPercentiles: number[];
  luma: number[] | null;
}
const files = Object.entries(fixture.png16 as Record<string, Png16Case>);

for (const [path, want] of files) {
  const name = path.slice(path.lastIndexOf("/") + 1);
  Deno.test(`readImageData reads all 16 bits of ${name}`, async () => {
    const url = new URL(path, ROOT);
    const depth = await readImageData(url, { normalize: "depth" });
    assertEquals(depth.shape, want.shape);
    assertEquals(Array.from(depth.data, (v) => Math.round(v * 65535)), want.raw);
    want.raw.forEach((r, i) => assertAlmostEquals(depth.data[i], r / 65535, 1e-7));

    const bits = decodePngFloat(await Deno.readFile(url), name, { normalize: "bits" });
    assertEquals(bits.bitDepth, 16);
    assertEquals(bits.range, [0, 2 ** want.bits - 1]);
    want.raw.forEach((r, i) => assertAlmostEquals(bits.data[i], r / (2 ** want.bits - 1), 1e-7));

    const p = decodePngFloat(await Deno.readFile(url), name, {
      normalize: { percentiles: [1, 99.8] },
    });
    assertAlmostEquals(p.range[0], want.percentiles[0], 1e-6 * want.percentiles[1]);
    assertAlmostEquals(p.range[1], want.percentiles[1], 1e-6 * want.percentiles[1]);
    want.byPercentiles.forEach((v, i) => assertAlmostEquals(p.data[i], v, 1e-6));

    if (want.luma) {
      const gray = await readImageData(url, { normalize: "depth", channels: 1 });
      assertEquals(gray.shape, [want.shape[0], want.shape[1], 1]);
      want.luma.forEach((v, i) => assertAlmostEquals(gray.data[i] * 65535, v, 0.02));
    } else {
      const rgb = await readImageData(url, { normalize: "depth", channels: 3 });
      assertEquals(rgb.shape, [want.shape[0], want.shape[1], 3]);
      want.raw.forEach((r, i) => assertAlmostEquals(rgb.data[3 * i + 2] * 65535, r, 1e-2));
    }
  });
}

Deno.test("readImageData: BBBC039's 12-bit nuclei in a 16-bit PNG, three normalisations", async () => {
  const want = fixture.bbbc039;
  const path = new URL(want.image, ROOT);
  const depth = await readImageData(path, { normalize: "depth" });
  assertEquals(depth.shape, [...want.shape, 1]);
  const bits = await readImageData(path, { normalize: "bits" });
  const p = decodePngFloat(await Deno.readFile(path), "bbbc", {
    normalize: { percentiles: [1, 99.8] },
  });
  assertEquals(p.range, want.percentiles);
  const w = want.shape[1];
  let max = 0;
  for (const v of bits.data) max = Math.max(max, v);
  assertEquals(max, want.max / 4095); // 4095 / 4095 = 1: the data are 12-bit
  for (const [key, raw] of Object.entries(want.pixels as Record<string, number>)) {
    const [r, c] = key.split(",").map(Number);
    assertAlmostEquals(depth.data[r * w + c], raw / 65535, 1e-8);
    assertAlmostEquals(bits.data[r * w + c], raw / 4095, 1e-7);
    const lo = want.percentiles[0], hi = want.percentiles[1];
    assertAlmostEquals(p.data[r * w + c], Math.min(1, Math.max(0, (raw - lo) / (hi - lo))), 1e-6);
  }
});

Deno.test("readImage: 16-bit only with a normalisation; 8-bit files rescale as asked", async () => {
  const gray16 = new URL("testdata/io_formats/gray16.png", ROOT);
  await assertRejects(() => readImage(gray16), ImageReadError, 'pass { normalize: "depth" }');
  const before = tf.memory().numTensors;
  const t = await readImage(gray16, { normalize: "depth" });
  assertEquals(t.shape, [5, 7, 1]);
  assertEquals(t.dtype, "float32");
  t.dispose();
  assertEquals(tf.memory().numTensors, before);

  const camera = new URL("data/camera.png", ROOT);
  const plain = await readImageData(camera);
  const depth = await readImageData(camera, { normalize: "depth" });
  assertEquals(depth.data, plain.data);
  const bits = await readImageData(camera, { normalize: "bits" });
  assertEquals(bits.data, plain.data); // camera reaches 255: 8 bits in use
  const [lo, hi] = fixture.bbbc039.camera.percentiles;
  const p = await readImageData(camera, { normalize: { percentiles: [2, 98] } });
  for (let i = 0; i < plain.data.length; i += 997) {
    const v = Math.round(plain.data[i] * 255);
    assertAlmostEquals(p.data[i], Math.min(1, Math.max(0, (v - lo) / (hi - lo))), 1e-6);
  }
});

Deno.test("normalisation errors name the option and the value", async () => {
  const gray16 = new URL("testdata/counting_formats/png16/gray16.png", ROOT);
  await assertRejects(
    () => readImageData(gray16, { normalize: { bits: 12 } }),
    ImageReadError,
    "normalize.bits is 12 (values up to 4095) but the image holds values up to",
  );
  const bad: [unknown, string][] = [
    ["max", 'normalize must be "depth", "bits", {bits: n} or {percentiles: [low, high]}'],
    [{ bits: 17 }, "normalize.bits must be an integer in [1, 16], got number 17"],
    [
      { percentiles: [99, 1] },
      "normalize.percentiles must be [low, high] with 0 <= low < high <= 100, got [99, 1]",
    ],
  ];
  for (const [normalize, message] of bad) {
    await assertRejects(
      () => readImageData(gray16, { normalize: normalize as PngNormalization }),
      RangeError,
      message,
    );
  }
});

Deno.test("percentile interpolates linearly between ranks, as numpy", () => {
  // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 99, 100]) = [1, 1.75, 2.5, 3.97, 4]
  const s = [1, 2, 3, 4];
  assertEquals([0, 25, 50, 100].map((q) => percentile(s, q)), [1, 1.75, 2.5, 4]);
  assertAlmostEquals(percentile(s, 99), 3.97, 1e-12);
  assertEquals(percentile([7], 50), 7);
  assertThrows(() => percentile([], 50), RangeError, "empty");
  assertThrows(() => percentile(s, 101), RangeError, "[0, 100]");
});
