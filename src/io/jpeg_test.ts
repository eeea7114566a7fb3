// Reference: Pillow 12 JPEG files of a 64x64 crop of data/camera.png
// (rows 160.., cols 224..) at qualities 10, 20, 30, and Pillow's decoding of
// them, written by tools/fixtures/io_fixtures.py (testdata/io_jpeg_q*.jpg and
// testdata/io_jpeg_q*_pil.png). The thesis compresses gray images with PIL.
import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess, assertLessOrEqual, assertRejects } from "@std/assert";
import { encodeJpeg, inspectImage, jpegCompress, readImage } from "./mod.ts";

await tf.setBackend("cpu");

const testdata = (name: string) => new URL(`../../testdata/${name}`, import.meta.url);
const { crop: box, qualities } = JSON.parse(await Deno.readTextFile(testdata("io_jpeg.json")));
const full = await readImage(new URL("../../data/camera.png", import.meta.url));
const clean = tf.slice(full, [box[0], box[1], 0], [box[2], box[3], 1]) as tf.Tensor3D;
full.dispose();

/** Max and mean absolute difference in gray levels, and PSNR in dB. */
function stats(a: tf.Tensor, b: tf.Tensor) {
  return tf.tidy(() => {
    const d = tf.sub(a, b);
    return {
      max: d.abs().max().dataSync()[0] * 255,
      mean: d.abs().mean().dataSync()[0] * 255,
      psnr: -10 * Math.log10(d.square().mean().dataSync()[0]),
    };
  });
}

for (const q of qualities as number[]) {
  Deno.test(`jpegCompress(q=${q}) of a gray image degrades it as Pillow does`, async () => {
    const pil = await readImage(testdata(`io_jpeg_q${q}_pil.png`));
    const decodedByUs = await readImage(testdata(`io_jpeg_q${q}.jpg`));
    const ours = await jpegCompress(clean, q);
    assertEquals(ours.shape, clean.shape);
    // Decoders agree to one level (measured max 1, mean 0.005-0.007).
    assertLessOrEqual(stats(decodedByUs, pil).max, 1 + 1e-4);
    // Encoders: same IJG tables; some DCT coefficients round differently.
    // Measured mean |diff| 0.005 (q10), 0.30 (q20), 0.42 (q30) levels, and
    // the PSNR to the clean image within 0.01 dB of Pillow's.
    assertLess(stats(ours, pil).mean, 0.6);
    assertLess(Math.abs(stats(ours, clean).psnr - stats(pil, clean).psnr), 0.05);
    tf.dispose([pil, decodedByUs, ours]);
  });
}

Deno.test("jpegCompress keeps colour, stronger compression loses more", async () => {
  const image = await readImage(new URL("../../data/astronaut.png", import.meta.url));
  const crop = tf.slice(image, [100, 180, 0], [48, 64, 3]) as tf.Tensor3D;
  const psnrs = [];
  for (const q of [10, 50, 95]) {
    const out = await jpegCompress(crop, q);
    assertEquals(out.shape, [48, 64, 3]);
    psnrs.push(stats(out, crop).psnr);
    out.dispose();
  }
  assertLess(psnrs[0], psnrs[1]);
  assertLess(psnrs[1], psnrs[2]);
  tf.dispose([image, crop]);
});

Deno.test("encodeJpeg writes a 4:4:4 three-component baseline JPEG", async () => {
  const bytes = await encodeJpeg(clean, 75);
  const info = inspectImage(bytes);
  assertEquals([info.format, info.width, info.height, info.channels], ["jpeg", 64, 64, 3]);
  // SOF0 component sampling factors are all 1x1 (no chroma subsampling).
  const sof = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xc0);
  assertEquals([bytes[sof + 11], bytes[sof + 14], bytes[sof + 17]], [0x11, 0x11, 0x11]);
});

Deno.test("jpegCompress validates quality and leaves no tensors behind", async () => {
  await assertRejects(() => jpegCompress(clean, 0), RangeError, "quality must be >= 1, got 0");
  await assertRejects(() => jpegCompress(clean, 50.5), RangeError, "must be an integer");
  const before = tf.memory().numTensors;
  (await jpegCompress(clean, 30)).dispose();
  assertEquals(tf.memory().numTensors, before);
});
