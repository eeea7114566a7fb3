// Reference values: Pillow 12 `convert("L")` and `convert("YCbCr")` of a
// 12x16 crop of data/astronaut.png, written by tools/fixtures/io_fixtures.py
// into testdata/io_color.json. Pillow works in 8-bit fixed point and rounds.
import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess, assertLessOrEqual, assertThrows } from "@std/assert";
import { readImage, rgbToYcbcr, toGray, ycbcrToRgb } from "./mod.ts";

await tf.setBackend("cpu");

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("../../testdata/io_color.json", import.meta.url)),
);
const full = await readImage(new URL(`../../data/${fixture.image}`, import.meta.url));
const [r, c, h, w] = fixture.crop;
const crop = tf.slice(full, [r, c, 0], [h, w, 3]) as tf.Tensor3D;
full.dispose();

/** Max |ours * 255 - Pillow| and the number of pixels where rounding differs. */
function compare(ours: Float32Array | Int32Array | Uint8Array, pil: number[]) {
  let max = 0, rounded = 0;
  for (let i = 0; i < pil.length; i++) {
    max = Math.max(max, Math.abs(ours[i] * 255 - pil[i]));
    if (Math.round(ours[i] * 255) !== pil[i]) rounded++;
  }
  return { max, rounded };
}

Deno.test("toGray is Pillow's convert('L') before its 8-bit rounding", () => {
  const gray = toGray(crop);
  assertEquals(gray.shape, [h, w, 1]);
  const { max } = compare(gray.dataSync() as Float32Array, fixture.gray);
  // Pillow computes (19595 R + 38470 G + 7471 B + 2^15) >> 16: within 0.5 of ours.
  assertLessOrEqual(max, 0.5 + 1e-3);
  gray.dispose();
});

Deno.test("rgbToYcbcr is Pillow's convert('YCbCr') before its 8-bit rounding", () => {
  const ycc = rgbToYcbcr(crop);
  const { max } = compare(ycc.dataSync() as Float32Array, fixture.ycbcr);
  // Pillow's fixed-point tables (and truncation) stay within one level.
  assertLess(max, 1);
  ycc.dispose();
});

Deno.test("ycbcrToRgb inverts rgbToYcbcr", () => {
  const image = tf.randomUniform([7, 9, 3], 0, 1, "float32", 1) as tf.Tensor3D;
  const back = ycbcrToRgb(rgbToYcbcr(image));
  assertLess(tf.max(tf.abs(tf.sub(back, image))).dataSync()[0], 2e-6);
  tf.dispose([image, back]);
});

Deno.test("toGray: gray stays a copy, pure colours give their weights", () => {
  const gray = tf.fill([2, 2, 1], 0.4) as tf.Tensor3D;
  const copy = toGray(gray);
  gray.dispose();
  assertEquals(Array.from(copy.dataSync()), new Array(4).fill(Math.fround(0.4)));
  copy.dispose();
  const rgb = tf.tensor3d([[[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]]);
  const y = Array.from(toGray(rgb).dataSync());
  [0.299, 0.587, 0.114, 1].forEach((v, i) => assertLess(Math.abs(y[i] - v), 1e-6));
  assertThrows(() => rgbToYcbcr(tf.zeros([2, 2, 1]) as tf.Tensor3D), RangeError, "3 channels");
  assertThrows(() => toGray(tf.zeros([2, 2]) as unknown as tf.Tensor3D), RangeError, "HWC");
});

Deno.test("colour conversions leave no tensors behind", () => {
  const before = tf.memory().numTensors;
  tf.dispose([toGray(crop), rgbToYcbcr(crop), ycbcrToRgb(crop)]);
  assertEquals(tf.memory().numTensors, before);
});
