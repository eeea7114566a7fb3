import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertThrows } from "@std/assert";
import { centerCrop, cropToMultiple } from "./mod.ts";

await tf.setBackend("cpu");

/** An image whose value at (y, x) is 1000 y + x, to read back offsets. */
function coords(h: number, w: number): tf.Tensor3D {
  return tf.tidy(() =>
    tf.add(tf.range(0, h).reshape([h, 1, 1]).mul(1000), tf.range(0, w).reshape([1, w, 1]))
  ) as tf.Tensor3D;
}

Deno.test("cropToMultiple crops centred with DIP's offsets floor((size - new) / 2)", () => {
  // DIP crop_image: new = size - size % d; box starts at int((size - new) / 2).
  for (const [h, w, k] of [[70, 100, 32], [512, 512, 32], [303, 384, 64], [33, 35, 32]]) {
    const image = coords(h, w);
    const out = cropToMultiple(image, k);
    const nh = h - (h % k), nw = w - (w % k);
    assertEquals(out.shape, [nh, nw, 1]);
    const top = Math.floor((h - nh) / 2), left = Math.floor((w - nw) / 2);
    assertEquals(out.dataSync()[0], 1000 * top + left);
    tf.dispose([image, out]);
  }
});

Deno.test("centerCrop takes the middle, odd surplus goes bottom-right", () => {
  const image = coords(5, 6);
  const out = centerCrop(image, [2, 3]);
  assertEquals(Array.from(out.dataSync()), [1001, 1002, 1003, 2001, 2002, 2003]);
  const rgb = tf.zeros([9, 9, 3]) as tf.Tensor3D;
  assertEquals(centerCrop(rgb, [4, 9]).shape, [4, 9, 3]);
  tf.dispose([image, out, rgb]);
});

Deno.test("crops reject sizes that do not fit, naming the value", () => {
  const image = coords(20, 30);
  assertThrows(() => cropToMultiple(image, 32), RangeError, "smaller than the multiple k = 32");
  assertThrows(() => cropToMultiple(image, 0), RangeError, "k must be >= 1, got 0");
  assertThrows(
    () => centerCrop(image, [21, 5]),
    RangeError,
    "size[0] (height) must be <= 20, got 21",
  );
  assertThrows(() => centerCrop(image, [5] as unknown as [number, number]), TypeError);
  image.dispose();
});

Deno.test("crops leave no tensors behind", () => {
  const image = coords(40, 40);
  const before = tf.memory().numTensors;
  cropToMultiple(image, 16).dispose();
  centerCrop(image, [3, 3]).dispose();
  assertEquals(tf.memory().numTensors, before);
  image.dispose();
});
