import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { assertAlmostEquals, assertEquals, assertLess, assertRejects } from "@std/assert";
import { fft1d, fft2, fft2Array, magnitudeSpectrum, magnitudeSpectrumArray } from "./fft.ts";
import { readGray } from "./gray.ts";
import { decode, image, maxAbsDiff, noLeak, reference } from "./_testing.ts";

await tf.setBackend("cpu");

/** Direct O(N²M²) DFT, the definition itself. */
function naiveDft(x: Float64Array, h: number, w: number) {
  const re = new Float64Array(h * w), im = new Float64Array(h * w);
  for (let u = 0; u < h; u++) {
    for (let v = 0; v < w; v++) {
      let sr = 0, si = 0;
      for (let y = 0; y < h; y++) {
        for (let x0 = 0; x0 < w; x0++) {
          const a = -2 * Math.PI * ((u * y) / h + (v * x0) / w);
          sr += x[y * w + x0] * Math.cos(a);
          si += x[y * w + x0] * Math.sin(a);
        }
      }
      re[u * w + v] = sr;
      im[u * w + v] = si;
    }
  }
  return { re, im };
}

function seeded(n: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  });
}

Deno.test("fft2Array matches the DFT definition for odd, even, prime and power-of-two sizes", () => {
  for (
    const [h, w] of [[1, 1], [1, 6], [5, 1], [2, 2], [3, 3], [4, 6], [7, 5], [8, 8], [9, 16], [
      13,
      11,
    ], [17, 12]]
  ) {
    const data = seeded(h * w, h * 31 + w);
    const got = fft2Array({ data, height: h, width: w });
    const want = naiveDft(data, h, w);
    assertLess(maxAbsDiff(got.re, want.re), 1e-10, `${h}x${w} real part`);
    assertLess(maxAbsDiff(got.im, want.im), 1e-10, `${h}x${w} imaginary part`);
  }
});

Deno.test("fft1d handles complex input of any length and rejects mismatched arrays", () => {
  for (const n of [3, 6, 7, 12, 64, 100]) {
    const re = seeded(n, n), im = seeded(n, n + 1);
    const want = { re: new Float64Array(n), im: new Float64Array(n) };
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < n; j++) {
        const a = (-2 * Math.PI * j * k) / n;
        want.re[k] += re[j] * Math.cos(a) - im[j] * Math.sin(a);
        want.im[k] += re[j] * Math.sin(a) + im[j] * Math.cos(a);
      }
    }
    fft1d(re, im);
    assertLess(maxAbsDiff(re, want.re), 1e-10);
    assertLess(maxAbsDiff(im, want.im), 1e-10);
  }
  let threw = false;
  try {
    fft1d(new Float64Array(4), new Float64Array(3));
  } catch (e) {
    threw = e instanceof RangeError;
  }
  assertEquals(threw, true);
});

Deno.test("magnitudeSpectrum matches numpy abs(fftshift(fft2)) on a 48x40 camera crop", async () => {
  const img = image("camera48x40");
  const want = decode(reference.spectra.camera48x40);
  const got = await noLeak(async () => {
    const m = await magnitudeSpectrum(img);
    assertEquals(m.shape, [48, 40]);
    const d = await m.data();
    m.dispose();
    return d;
  });
  const peak = Math.max(...want);
  // float32 storage of the result: relative error ~6e-8 of each value.
  for (let i = 0; i < want.length; i++) {
    assertAlmostEquals(got[i], want[i], 1e-7 * peak + 1e-6 * want[i]);
  }
  img.dispose();
});

Deno.test("magnitudeSpectrumArray is exact to 1e-12 of the peak on an odd-sized RGB crop after gray conversion", async () => {
  const img = image("astronaut33x27");
  assertEquals(img.shape, [33, 27, 3]);
  const got = magnitudeSpectrumArray(await readGray(img, "img"));
  const want = decode(reference.spectra.astronaut33x27);
  assertLess(maxAbsDiff(got, want), 1e-12 * Math.max(...want));
  img.dispose();
});

Deno.test("fft2 matches numpy's fft2 (unshifted, complex) on a 10x9 crop", async () => {
  const img = image(reference.fft2.image);
  await noLeak(async () => {
    const { re, im } = await fft2(img);
    assertEquals(re.shape, [10, 9]);
    assertLess(maxAbsDiff(await re.data(), decode(reference.fft2.re)), 1e-5);
    assertLess(maxAbsDiff(await im.data(), decode(reference.fft2.im)), 1e-5);
    tf.dispose([re, im]);
  });
  img.dispose();
});

Deno.test("shift: false gives the unshifted magnitude; a constant image has only the zero frequency", async () => {
  const ones = tf.ones([4, 5, 1]) as tf.Tensor3D;
  const centred = await magnitudeSpectrum(ones);
  const plain = await magnitudeSpectrum(ones, { shift: false });
  const c = centred.arraySync(), p = plain.arraySync();
  assertAlmostEquals(c[2][2], 20, 1e-5);
  assertAlmostEquals(p[0][0], 20, 1e-5);
  assertAlmostEquals(c.flat().reduce((a, b) => a + b), 20, 1e-4);
  tf.dispose([ones, centred, plain]);
});

Deno.test("magnitudeSpectrum gives the same result on the wasm backend", async () => {
  const img = image("camera48x40");
  const onCpu = await magnitudeSpectrum(img);
  const cpuData = await onCpu.data();
  tf.dispose([img, onCpu]);
  await tf.setBackend("wasm");
  try {
    const img2 = image("camera48x40");
    await noLeak(async () => {
      const onWasm = await magnitudeSpectrum(img2);
      assertEquals(maxAbsDiff(await onWasm.data(), cpuData), 0);
      onWasm.dispose();
    });
    img2.dispose();
  } finally {
    await tf.setBackend("cpu");
  }
});

Deno.test("magnitudeSpectrum validates its input", async () => {
  const batch = tf.zeros([1, 4, 4, 1]);
  await assertRejects(
    () => magnitudeSpectrum(batch as unknown as tf.Tensor3D),
    RangeError,
    "image",
  );
  await assertRejects(
    () => magnitudeSpectrum([1, 2] as unknown as tf.Tensor2D),
    TypeError,
    "image",
  );
  const two = tf.zeros([4, 4, 2]) as tf.Tensor3D;
  await assertRejects(() => magnitudeSpectrum(two), RangeError, "1 or 3 channels");
  const ok = tf.zeros([4, 4]) as tf.Tensor2D;
  await assertRejects(
    () => magnitudeSpectrum(ok, { shift: "yes" as unknown as boolean }),
    TypeError,
    "shift",
  );
  tf.dispose([batch, two, ok]);
});
