// Expected pixels of testdata/io_formats/* come from Pillow 12
// (tools/fixtures/io_fixtures.py writes the files and testdata/io_formats.json).
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLessOrEqual, assertRejects } from "@std/assert";
import { ImageReadError, readImage } from "./mod.ts";

await tf.setBackend("cpu");

const FORMATS = new URL("../../testdata/io_formats/", import.meta.url);
const DATA = new URL("../../data/", import.meta.url);

interface FormatCase {
  shape?: [number, number, number];
  values?: number[];
  error?: string;
  note: string;
}
const fixture: { files: Record<string, FormatCase> } = JSON.parse(
  await Deno.readTextFile(new URL("../../testdata/io_formats.json", import.meta.url)),
);

/** Reads a file and returns its 8-bit values (the tensor is disposed). */
async function bytesOf(source: string | URL | Uint8Array, channels?: 1 | 3) {
  const image = await readImage(source, { channels });
  const values = Array.from(image.dataSync(), (v) => Math.round(v * 255));
  const shape = image.shape;
  image.dispose();
  return { shape, values };
}

for (const [name, expected] of Object.entries(fixture.files)) {
  Deno.test(`readImage decodes ${name} (${expected.note}) as Pillow does`, async () => {
    const url = new URL(name, FORMATS);
    if (expected.error) {
      await assertRejects(() => readImage(url), ImageReadError, "16-bit PNG is not supported");
      return;
    }
    const { shape, values } = await bytesOf(url);
    assertEquals(shape, expected.shape);
    // PNG is lossless: exact. JPEG: imagescript's decoder and libjpeg (Pillow)
    // differ in IDCT and chroma upsampling rounding. Measured: gray.jpg max 1
    // level (mean 0.003), rgb.jpg and progressive.jpg max 3 (mean 0.08).
    const diffs = values.map((v, i) => Math.abs(v - expected.values![i]));
    const max = Math.max(...diffs), mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    if (name.endsWith(".png")) assertEquals(max, 0);
    else {
      assertLessOrEqual(max, name === "gray.jpg" ? 1 : 4);
      assertLessOrEqual(mean, 0.25);
    }
  });
}

Deno.test("readImage reads the real images of data/ with their stored channels", async () => {
  const cases: [string, number[]][] = [
    ["camera.png", [512, 512, 1]],
    ["astronaut.png", [512, 512, 3]],
    ["coins.png", [303, 384, 1]],
    ["chelsea.png", [300, 451, 3]],
  ];
  for (const [name, shape] of cases) {
    const image = await readImage(new URL(name, DATA));
    assertEquals(image.shape, shape, name);
    assertEquals(image.dtype, "float32");
    const [min, max] = [image.min().dataSync()[0], image.max().dataSync()[0]];
    assert(min >= 0 && max <= 1 && max > min, `${name}: range [${min}, ${max}]`);
    image.dispose();
  }
});

Deno.test("readImage: paths, URLs and bytes give the same image", async () => {
  const path = new URL("gray8.png", FORMATS);
  const a = await bytesOf(path);
  const b = await bytesOf(path.pathname);
  const c = await bytesOf(await Deno.readFile(path));
  assertEquals(b, a);
  assertEquals(c, a);
});

Deno.test("readImage channels: 3 repeats gray, 1 takes the BT.601 luma of colour", async () => {
  const gray = await bytesOf(new URL("gray8.png", FORMATS));
  const rgb = await bytesOf(new URL("gray8.png", FORMATS), 3);
  assertEquals(rgb.shape, [5, 7, 3]);
  assertEquals(rgb.values, gray.values.flatMap((v) => [v, v, v]));

  const colour = fixture.files["rgb.png"].values!;
  const image = await readImage(new URL("rgb.png", FORMATS), { channels: 1 });
  assertEquals(image.shape, [5, 7, 1]);
  const got = image.dataSync();
  for (let i = 0; i < 35; i++) {
    const y = (0.299 * colour[3 * i] + 0.587 * colour[3 * i + 1] + 0.114 * colour[3 * i + 2]) /
      255;
    assert(Math.abs(got[i] - y) < 1e-6, `pixel ${i}: ${got[i]} vs ${y}`);
  }
  image.dispose();
  await assertRejects(
    () => readImage(new URL("rgb.png", FORMATS), { channels: 2 as 1 }),
    RangeError,
    "channels must be 1 or 3, got number 2",
  );
});

Deno.test("readImage names the file and the problem for bad files", async (t) => {
  const dir = await Deno.makeTempDir();
  const camera = await Deno.readFile(new URL("camera.png", DATA));
  const jpeg = await Deno.readFile(new URL("aloe_left.jpg", DATA));
  const corrupt = camera.slice();
  corrupt[1000] ^= 0xff; // inside the first IDAT chunk
  const files: [string, Uint8Array | null, string][] = [
    ["missing.png", null, "file not found"],
    ["empty.png", new Uint8Array(0), "the file is empty (0 bytes)"],
    ["half.png", camera.subarray(0, camera.length >> 1), "truncated PNG"],
    ["header-only.png", camera.subarray(0, 20), "truncated PNG"],
    ["no-iend.png", camera.subarray(0, camera.length - 12), "truncated PNG: no IEND chunk"],
    ["half.jpg", jpeg.subarray(0, jpeg.length >> 1), "truncated JPEG: no end-of-image marker"],
    ["soi-only.jpg", jpeg.subarray(0, 3), "truncated JPEG"],
    ["crc.png", corrupt, 'corrupt PNG: CRC mismatch in chunk "IDAT"'],
    ["notes.png", new TextEncoder().encode("just some text\n"), "not a PNG or JPEG file"],
  ];
  for (const [name, bytes, reason] of files) {
    await t.step(name, async () => {
      const path = `${dir}/${name}`;
      if (bytes) await Deno.writeFile(path, bytes);
      const error = await assertRejects(() => readImage(path), ImageReadError, reason);
      assert(error.message.includes(path), `message names the file: ${error.message}`);
      assertEquals(error.source, JSON.stringify(path));
    });
  }
  await t.step("a directory", async () => {
    await assertRejects(() => readImage(dir), ImageReadError, "directory");
  });
  await t.step("bytes are named by their length", async () => {
    await assertRejects(
      () => readImage(new Uint8Array([1, 2, 3])),
      ImageReadError,
      "cannot read image bytes (3 bytes): not a PNG or JPEG file",
    );
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readImage leaves no tensors behind", async () => {
  const before = tf.memory().numTensors;
  const image = await readImage(new URL("rgb.png", FORMATS), { channels: 1 });
  assertEquals(tf.memory().numTensors, before + 1);
  image.dispose();
  await assertRejects(() => readImage(new URL("gray16.png", FORMATS)));
  assertEquals(tf.memory().numTensors, before);
});
