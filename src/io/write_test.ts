import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess, assertRejects } from "@std/assert";
import { encodePng, inspectImage, readImage, writeImage } from "./mod.ts";
import { imagescript } from "./_pixels.ts";

await tf.setBackend("cpu");

const dir = await Deno.makeTempDir();
const camera = await readImage(new URL("../../data/camera.png", import.meta.url));
const astronaut = await readImage(new URL("../../data/astronaut.png", import.meta.url));

Deno.test("writeImage PNG: gray stays gray, RGB stays RGB, values are exact", async () => {
  for (const [name, image, channels] of [["g.png", camera, 1], ["c.PNG", astronaut, 3]] as const) {
    const path = `${dir}/${name}`;
    await writeImage(path, image);
    const bytes = await Deno.readFile(path);
    assertEquals(inspectImage(bytes).channels, channels);
    const back = await readImage(path);
    assertEquals(back.shape, image.shape);
    assertEquals(tf.max(tf.abs(tf.sub(back, image))).dataSync()[0], 0);
    back.dispose();
  }
});

Deno.test("encodePng output decodes identically with imagescript (an independent decoder)", async () => {
  // Random values exercise every row filter; out-of-range values are clipped.
  const image = tf.randomUniform([13, 11, 3], -0.2, 1.2, "float32", 7) as tf.Tensor3D;
  const { Image } = await imagescript();
  const decoded = await Image.decode(await encodePng(image));
  const expected = tf.tidy(() => tf.round(tf.clipByValue(image, 0, 1).mul(255)).dataSync());
  const rgba = decoded.bitmap;
  for (let i = 0; i < 13 * 11; i++) {
    for (let k = 0; k < 3; k++) assertEquals(rgba[4 * i + k], expected[3 * i + k]);
  }
  image.dispose();
});

Deno.test("writeImage JPEG: quality sets the size, the image survives", async () => {
  const sizes = [];
  for (const quality of [20, 90]) {
    const path = `${dir}/a${quality}.jpg`;
    await writeImage(path, astronaut, { quality });
    sizes.push((await Deno.stat(path)).size);
    const back = await readImage(path);
    const mse = tf.tidy(() => tf.mean(tf.square(tf.sub(back, astronaut))).dataSync()[0]);
    assertLess(mse, quality === 90 ? 1e-3 : 5e-3);
    back.dispose();
  }
  assertLess(sizes[0], sizes[1]);
  const gray = `${dir}/g.jpeg`;
  await writeImage(gray, camera);
  const back = await readImage(gray, { channels: 1 });
  assertEquals(back.shape, [512, 512, 1]);
  back.dispose();
});

Deno.test("writeImage rejects unknown extensions, quality for PNG, bad images", async () => {
  await assertRejects(() => writeImage(`${dir}/x.bmp`, camera), RangeError, ".png, .jpg or .jpeg");
  await assertRejects(
    () => writeImage(`${dir}/x.png`, camera, { quality: 50 }),
    RangeError,
    "JPEG files only",
  );
  await assertRejects(
    () => writeImage(`${dir}/x.jpg`, camera, { quality: 101 }),
    RangeError,
    "quality must be <= 100",
  );
  await assertRejects(
    () => writeImage(`${dir}/x.png`, tf.zeros([4, 4, 2]) as tf.Tensor3D),
    RangeError,
    "1 or 3 channels",
  );
});

Deno.test("writeImage leaves no tensors behind", async () => {
  const before = tf.memory().numTensors;
  await writeImage(`${dir}/n.png`, astronaut);
  await writeImage(`${dir}/n.jpg`, camera);
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("cleanup", async () => {
  tf.dispose([camera, astronaut]);
  await Deno.remove(dir, { recursive: true });
});
