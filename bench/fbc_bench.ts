/**
 * What the spectral measurements cost next to a training step.
 *
 * `deno bench -A bench/fbc_bench.ts`. Groups per image size on wasm (the
 * training backend on CPU machines) compare:
 * - one training step of the thesis decoder (128 channels, 5 upsampling
 *   blocks, 128×128 output; 128 only) — the unit the 5 % budget refers to;
 * - FBC against a prepared target (`FbcMeter.measure`, `map: false`), as a
 *   training loop calls it every 10 steps;
 * - the full `frequencyBandCorrespondence` (target spectrum and map included);
 * - r = blur / sharpness (`blurSharpnessRatio`), as the automatic stopping
 *   computes it;
 * - the centred magnitude spectrum by the JavaScript FFT of `src/fbc/fft.ts`
 *   against a DFT as real matrix products on the backend (cached cos/sin
 *   matrices with the shift folded in) — the measurement behind the choice.
 * The cpu groups repeat FBC and the spectra there.
 *
 * One run (2 shared cores, load average ~8, so absolute times are inflated;
 * mean, min in brackets):
 *
 * | wasm                         | 128           | 256          | 512           |
 * | ---------------------------- | ------------- | ------------ | ------------- |
 * | FbcMeter.measure, map: false | 8.0 (1.0) ms  | 22 (9) ms    | 78 (51) ms    |
 * | FBC with target and map      | 10.5 (2.0) ms | 36 (20) ms   | 174 (107) ms  |
 * | blurSharpnessRatio           | 12.6 (2.5) ms | 30 (11) ms   | 108 (74) ms   |
 * | magnitude, JS FFT            | 3.6 (0.8) ms  | 14 (3.7) ms  | 50 (38) ms    |
 * | magnitude, DFT as matMul     | 30 (15) ms    | 181 (149) ms | 1.4 (1.0) s   |
 *
 * On cpu the matMul DFT took 149 ms / 2.0 s / 15.9 s (90–300x the FFT). The
 * decoder step at 128×128 measured 6.3 s mean (5.0 s min) in the same run;
 * with the ~100–300 ms the same step takes on an idle machine, FBC every 10th
 * step costs < 1 % of the run at 128 and less at larger sizes.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../src/core/backend.ts";
import { decoder } from "../src/dip/decoder.ts";
import {
  blurSharpnessRatio,
  FbcMeter,
  frequencyBandCorrespondence,
  magnitudeSpectrum,
} from "../src/fbc/mod.ts";

const SIZES = [128, 256, 512];

function smoothImage(n: number, seed: number): tf.Tensor3D {
  return tf.tidy(() => {
    const noise = tf.randomUniform([n, n, 3], 0, 1, "float32", seed) as tf.Tensor3D;
    return tf.avgPool(noise, 3, 1, "same") as tf.Tensor3D;
  });
}

/** The DFT as real matrix products: |F| = |(C_H − iS_H) X (C_W − iS_W)|, centred. */
const dftCache = new Map<number, tf.Tensor2D>();
function dftMatrix(n: number): tf.Tensor2D {
  let m = dftCache.get(n);
  if (!m) {
    // Rows 0..n-1: cos, rows n..2n-1: sin, of 2π·(k − n//2)·j / n (the shifted frequency k).
    const data = new Float32Array(2 * n * n);
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < n; j++) {
        const a = (2 * Math.PI * (((k - (n >> 1)) * j) % n)) / n;
        data[k * n + j] = Math.cos(a);
        data[(n + k) * n + j] = Math.sin(a);
      }
    }
    m = tf.keep(tf.tensor2d(data, [2 * n, n]));
    dftCache.set(n, m);
  }
  return m;
}

function matmulMagnitude(gray: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [h, w] = gray.shape;
    const a = dftMatrix(h), b = dftMatrix(w);
    const pq = tf.matMul(gray, b, false, true); // [H, 2W] = [X C_W | X S_W]
    const blocks = tf.matMul(a, pq); // [2H, 2W] = [[C P, C Q], [S P, S Q]]
    const cp = blocks.slice([0, 0], [h, w]), cq = blocks.slice([0, w], [h, w]);
    const sp = blocks.slice([h, 0], [h, w]), sq = blocks.slice([h, w], [h, w]);
    const re = cp.sub(sq), im = sp.add(cq);
    return re.square().add(im.square()).sqrt() as tf.Tensor2D;
  });
}

interface Fixture {
  output: tf.Tensor3D;
  target: tf.Tensor3D;
  gray: tf.Tensor2D;
  meter: FbcMeter;
}
const fixtures = new Map<string, Fixture>();
async function fixture(backend: "wasm" | "cpu", n: number): Promise<Fixture> {
  await useBackend(backend);
  const key = `${backend}${n}`;
  let f = fixtures.get(key);
  if (!f) {
    const output = smoothImage(n, 1), target = smoothImage(n, 2);
    const gray = tf.tidy(() => output.mean(2) as tf.Tensor2D);
    f = { output, target, gray, meter: await FbcMeter.create(target) };
    fixtures.set(key, f);
    // The two spectra being compared must agree (float32 products: ~1e-4 of the peak).
    const [js, mm] = [await magnitudeSpectrum(gray), matmulMagnitude(gray)];
    const err = tf.tidy(() => js.sub(mm).abs().max().div(js.max()).dataSync()[0]);
    if (!(err < 1e-3)) throw new Error(`matMul DFT disagrees with the FFT at ${key}: ${err}`);
    tf.dispose([js, mm]);
  }
  return f;
}

// One Adam step of the thesis decoder at 128×128 (wasm).
let step: (() => Promise<void>) | null = null;
async function decoderStep(): Promise<void> {
  if (!step) {
    await useBackend("wasm");
    const net = decoder({ channels: 128, depth: 5, outChannels: 3 });
    const [h, w, c] = net.inputShape(128, 128);
    const z = tf.randomUniform([1, h, w, c], 0, 0.1, "float32", 3) as tf.Tensor4D;
    const y = tf.randomUniform([1, 128, 128, 3], 0, 1, "float32", 4) as tf.Tensor4D;
    const opt = tf.train.adam(1e-3);
    const vars = Object.values(net.trainableVariables);
    step = async () => {
      const loss = opt.minimize(
        () => tf.losses.meanSquaredError(y, net.apply(z)) as tf.Scalar,
        true,
        vars,
      );
      await loss!.data();
      loss!.dispose();
    };
  }
  await step();
}

Deno.bench({
  name: "decoder training step 128x128 (wasm)",
  group: "wasm 128",
  baseline: true,
  n: 5,
  warmup: 1,
  fn: decoderStep,
});

for (const backend of ["wasm", "cpu"] as const) {
  for (const n of SIZES) {
    const group = `${backend} ${n}`;
    const runs = n === 512 ? 10 : 30;
    Deno.bench({
      name: `FbcMeter.measure, map: false (${group})`,
      group,
      n: runs,
      warmup: 2,
      async fn() {
        const f = await fixture(backend, n);
        await f.meter.measure(f.output, { map: false });
      },
    });
    Deno.bench({
      name: `frequencyBandCorrespondence with map (${group})`,
      group,
      n: runs,
      warmup: 2,
      async fn() {
        const f = await fixture(backend, n);
        const { map } = await frequencyBandCorrespondence(f.output, f.target);
        map.dispose();
      },
    });
    Deno.bench({
      name: `blurSharpnessRatio (${group})`,
      group,
      n: runs,
      warmup: 2,
      async fn() {
        const f = await fixture(backend, n);
        await blurSharpnessRatio(f.output);
      },
    });
    Deno.bench({
      name: `magnitudeSpectrum, JS FFT (${group})`,
      group,
      n: runs,
      warmup: 2,
      async fn() {
        const f = await fixture(backend, n);
        const m = await magnitudeSpectrum(f.gray);
        m.dispose();
      },
    });
    Deno.bench({
      name: `magnitude spectrum, DFT as matMul (${group})`,
      group,
      n: backend === "cpu" && n === 512 ? 3 : runs,
      warmup: 1,
      async fn() {
        const f = await fixture(backend, n);
        const m = matmulMagnitude(f.gray);
        await m.data();
        m.dispose();
      },
    });
  }
}
