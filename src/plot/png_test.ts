import * as tf from "@tensorflow/tfjs";
import { Image } from "imagescript";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { base64, imageDataUri, imagePng, pngDataUri, toPixels8 } from "./png.ts";
import { encodePngPixels } from "../io/png.ts";

await tf.setBackend("cpu");

// imagescript's PNG decoder is independent of the encoder under test.
async function decode(png: Uint8Array): Promise<Image> {
  return await Image.decode(png);
}

Deno.test("imagePng: RGB pixels survive an encode/decode round trip", async () => {
  const values = Float32Array.from({ length: 5 * 7 * 3 }, (_, i) => ((i * 37) % 256) / 255);
  const image = tf.tensor3d(values, [5, 7, 3]);
  const decoded = await decode(imagePng(image));
  assertEquals([decoded.height, decoded.width], [5, 7]);
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 7; x++) {
      const [r, g, b, a] = decoded.getRGBAAt(x + 1, y + 1); // imagescript is 1-based
      const k = (y * 7 + x) * 3;
      assertEquals([r, g, b, a], [
        Math.round(values[k] * 255),
        Math.round(values[k + 1] * 255),
        Math.round(values[k + 2] * 255),
        255,
      ]);
    }
  }
  image.dispose();
});

Deno.test("imagePng: gray images are written as gray, values clipped to [0, 1]", async () => {
  const image = tf.tensor3d([-0.5, 0, 0.5, 1.7], [2, 2, 1]);
  const png = imagePng(image);
  assertEquals(png[25], 0, "colour type 0 (grayscale) in IHDR");
  const decoded = await decode(png);
  const grays = [1, 2].flatMap((y) => [1, 2].map((x) => decoded.getRGBAAt(x, y)[0]));
  assertEquals(grays, [0, 0, 128, 255]);
  image.dispose();
});

Deno.test("toPixels8 leaks no tensors and names bad input", () => {
  const image = tf.ones([3, 3, 3]) as tf.Tensor3D;
  const before = tf.memory().numTensors;
  toPixels8(image);
  assertEquals(tf.memory().numTensors, before);
  image.dispose();
  const four = tf.zeros([2, 2, 4]);
  assertThrows(
    () => imagePng(four as tf.Tensor3D),
    RangeError,
    "image must be an HWC image with 1 or 3 channels",
  );
  four.dispose();
  assertThrows(
    () => encodePngPixels({ height: 2, width: 2, channels: 3, data: new Uint8Array(5) }),
    RangeError,
    "12 bytes, got 5",
  );
});

Deno.test("data URIs: base64 matches btoa on text, URI prefix", () => {
  const bytes = new TextEncoder().encode("pixel bias!");
  assertEquals(base64(bytes), btoa("pixel bias!"));
  const big = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
  assertEquals(atob(base64(big)).length, big.length); // chunked path
  assert(pngDataUri(new Uint8Array([1, 2])).startsWith("data:image/png;base64,AQI="));
  const image = tf.zeros([1, 1, 3]) as tf.Tensor3D;
  const uri = imageDataUri(image);
  const bin = atob(uri.slice("data:image/png;base64,".length));
  assertEquals(bin.slice(1, 4), "PNG");
  image.dispose();
});
