import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLess, assertNotEquals, assertThrows } from "@std/assert";
import { Rng } from "../core/rng.ts";
import { addGaussianNoise } from "./mod.ts";

await tf.setBackend("cpu");

const gray = tf.fill([64, 64, 1], 0.5) as tf.Tensor3D;

Deno.test("addGaussianNoise: N(0, sigma/255), same seed same noise", () => {
  const a = addGaussianNoise(gray, 25, { seed: 3, clip: false });
  const b = addGaussianNoise(gray, 25, { seed: 3, clip: false });
  const c = addGaussianNoise(gray, 25, { seed: 4, clip: false });
  assertEquals(Array.from(a.dataSync()), Array.from(b.dataSync()));
  assertNotEquals(Array.from(a.dataSync()), Array.from(c.dataSync()));
  const { mean, variance } = tf.moments(tf.sub(a, gray));
  // 4096 samples: standard error of the mean 0.0015, of the std about 1.1%.
  assertLess(Math.abs(mean.dataSync()[0]), 0.006);
  assertLess(Math.abs(Math.sqrt(variance.dataSync()[0]) / (25 / 255) - 1), 0.045);
  tf.dispose([a, b, c, mean, variance]);
});

Deno.test("addGaussianNoise clips to [0, 1] by default", () => {
  const noisy = addGaussianNoise(gray, 200, { seed: 1 });
  const [min, max] = [noisy.min().dataSync()[0], noisy.max().dataSync()[0]];
  assertEquals([min, max], [0, 1]);
  noisy.dispose();
});

Deno.test("addGaussianNoise draws from a given Rng, which advances", () => {
  const rng = new Rng(9);
  const first = addGaussianNoise(gray, 15, { rng });
  const second = addGaussianNoise(gray, 15, { rng });
  assertNotEquals(Array.from(first.dataSync()), Array.from(second.dataSync()));
  const again = addGaussianNoise(gray, 15, { rng: new Rng(9) });
  assertEquals(Array.from(again.dataSync()), Array.from(first.dataSync()));
  tf.dispose([first, second, again]);
});

Deno.test("addGaussianNoise: zero sigma is a copy; bad arguments are named", () => {
  const same = addGaussianNoise(gray, 0, { seed: 1 });
  assert(tf.equal(same, gray).all().dataSync()[0] === 1);
  same.dispose();
  assertThrows(() => addGaussianNoise(gray, -1, { seed: 1 }), RangeError, "sigma255 must be >= 0");
  assertThrows(() => addGaussianNoise(gray, 25, {}), TypeError, "exactly one of");
  assertThrows(() => addGaussianNoise(gray, 25, { seed: 1, rng: new Rng(1) }), TypeError);
  assertThrows(
    () => addGaussianNoise(gray, 25, { seed: 1.5 }),
    RangeError,
    "seed must be an integer",
  );
});

Deno.test("addGaussianNoise leaves no tensors behind", () => {
  const before = tf.memory().numTensors;
  addGaussianNoise(gray, 25, { seed: 2 }).dispose();
  addGaussianNoise(gray, 25, { seed: 2, clip: false }).dispose();
  assertEquals(tf.memory().numTensors, before);
});
