/**
 * What one training step of the deep image prior costs.
 *
 * `deno bench -A bench/dip_bench.ts`. On the backend `useBackend("auto")`
 * picks (wasm on these CPU machines), for the thesis decoder (5 × [Gaussian
 * upsampling σ = 0.5 → 3×3 convolution → mean-only BN → LeakyReLU], λ = 2,
 * input 4×4×32, 128×128 output) at 128 and 64 channels:
 * - `controlled`: one full step as `fitDip` runs it (forward, loss, backward
 *   with the power iterations, Adam update, loss read back);
 * - `plain`: the same decoder with batch normalisation and bilinear
 *   upsampling (the uncontrolled DIP of Section 2.3);
 * - `convolutions only`: forward and backward of the five convolutions alone
 *   (same shapes, zero padding, no Adam) — the floor set by the backend's
 *   convolution kernels.
 *
 * PyTorch takes 139 ms (128 channels) and 48 ms (64 channels) for the step
 * on these 2-core machines (issue 3); `peer_bench.ts` times it beside us.
 *
 * One run each way (2 cores shared with other jobs, load average ~6, so
 * absolute times are inflated; mean of 5 steps after 2 warm-up steps, min
 * in brackets): wasm with oneDNN's native kernels (`libdnnl2`, 2 threads)
 * and, with `PIXELBIAS_NATIVE=0`, the wasm kernels alone (SIMD, 1 thread):
 *
 * | 128×128 output               | 128 ch, oneDNN | 128 ch, wasm  | 64 ch, oneDNN | 64 ch, wasm     |
 * | ---------------------------- | -------------- | ------------- | ------------- | --------------- |
 * | controlled step              | 271 ms (213)   | 1.3 s (0.96)  | 54 ms (47)    | 403 ms (360)    |
 * | plain step (BN, bilinear)    | 173 ms (147)   | 1.2 s (0.96)  | 43 ms (42)    | 307 ms (277)    |
 * | convolutions only            | 144 ms (117)   | 0.97 s (0.82) | 26 ms (25)    | 237 ms (210)    |
 *
 * With oneDNN the convolutions are no longer most of the step: the rest
 * (the power iterations, Gaussian upsampling, mean-only normalisation,
 * activations, reflection padding and its gradient, Adam) runs as several
 * hundred small tfjs kernels, a few of them native (`Slice`, `PadV2`,
 * `FusedBatchNorm`, `Sum`/`Mean`, large element-wise ops).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../src/core/backend.ts";
import { CONTROLLED, decoder, dipInput, type DipNetwork } from "../src/dip/mod.ts";

const SIZE = 128;
const info = await useBackend("auto");

interface Step {
  run(): number;
}

/** One fitDip-style training step of `net` on a fixed random target. */
function trainingStep(net: DipNetwork): Step {
  const z = dipInput(net, [SIZE, SIZE], { seed: 1 });
  const target = tf.randomUniform([1, SIZE, SIZE, 3], 0, 1, "float32", 2);
  const optimizer = tf.train.adam(1e-3);
  const vars = Object.values(net.trainableVariables);
  return {
    run() {
      const cost = optimizer.minimize(
        () => tf.losses.meanSquaredError(target, net.apply(z, { training: true })) as tf.Scalar,
        true,
        vars,
      )!;
      const value = cost.dataSync()[0];
      cost.dispose();
      return value;
    },
  };
}

/**
 * Forward and backward (input and filter gradients) of the decoder's five
 * 3×3 convolutions alone, zero padding, no Adam.
 */
function convolutionsOnly(channels: number): Step {
  const shapes: [number, number][] = [
    [8, 32],
    [16, channels],
    [32, channels],
    [64, channels],
    [128, channels],
  ];
  const inputs = shapes.map(([s, c]) => tf.randomNormal([1, s, s, c]) as tf.Tensor4D);
  const filters = shapes.map(([, c]) => tf.randomNormal([3, 3, c, channels]) as tf.Tensor4D);
  const grad = tf.grads((...xs: tf.Tensor[]) =>
    tf.addN(
      inputs.map((_, i) =>
        tf.conv2d(xs[i] as tf.Tensor4D, xs[5 + i] as tf.Tensor4D, 1, "same").mean()
      ),
    )
  );
  return {
    run() {
      const grads = grad([...inputs, ...filters]);
      const v = grads[0].dataSync()[0];
      tf.dispose(grads);
      return v;
    },
  };
}

for (const channels of [128, 64]) {
  const group = `decoder step, ${SIZE}x${SIZE}, ${channels} channels, ${info.name}`;
  const cases: [string, () => Step, boolean][] = [
    [
      "controlled (λ=2, gaussian σ=0.5)",
      () => trainingStep(decoder({ ...CONTROLLED, channels })),
      true,
    ],
    ["plain (batch norm, bilinear)", () => trainingStep(decoder({ channels })), false],
    ["convolutions only", () => convolutionsOnly(channels), false],
  ];
  for (const [name, make, baseline] of cases) {
    let step: Step | null = null; // built on first use, kept until the process ends
    Deno.bench({
      name,
      group,
      baseline,
      n: 5,
      warmup: 2,
      fn() {
        step ??= make();
        step.run();
      },
    });
  }
}
