/**
 * A check of the WebGPU backend on a real GPU, in under five minutes:
 * `deno run -A tools/gpu_check.ts [--force] [--budget=SECONDS] [--only=kernels,decoder,guard]
 * [--sizes=128,512]`.
 *
 * 1. The training kernels against the cpu backend (max |Δ| / max |reference|
 *    ≤ 1e-4): conv2d and its input/filter gradients (strides, padding,
 *    dilation), depthwise conv gradients, bilinear resize and its gradient,
 *    batch normalisation and its gradients, reflection padding (tf.mirrorPad
 *    and the deep image prior's `reflectPad` gradient), LeakyReLU/sigmoid.
 * 2. The thesis decoder's training step (`decoder({ ...CONTROLLED,
 *    channels: 128 })`, Adam, loss read back) at 128² and 512², median of
 *    the timed steps after two warm-up steps.
 * 3. The storage-buffer guard: a tensor one MiB over
 *    `maxStorageBufferBindingSize` is refused (uploads and kernel outputs),
 *    and a 64 MiB tensor (or half the limit) comes back exact.
 *
 * Without a WebGPU adapter it says so and exits 0; on a software adapter
 * (llvmpipe, SwiftShader) it says that the check is for hardware GPUs and
 * exits 0, unless `--force` (slow: minutes per decoder step). Exits 1 when a
 * check fails. Checks still pending when the budget (default 270 s) runs out
 * are reported as skipped.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendInfo, useBackend } from "../src/core/backend.ts";
import { Rng } from "../src/core/rng.ts";
import { CONTROLLED, decoder, dipInput, reflectPad } from "../src/dip/mod.ts";

const force = Deno.args.includes("--force");
const budgetArg = Deno.args.find((a) => a.startsWith("--budget="));
const budgetS = budgetArg ? Number(budgetArg.slice("--budget=".length)) : 270;
const start = performance.now();
const TOLERANCE = 1e-4;
const left = () => budgetS - (performance.now() - start) / 1000;
const onlyArg = Deno.args.find((a) => a.startsWith("--only="));
const sections = new Set((onlyArg?.slice("--only=".length) ?? "kernels,decoder,guard").split(","));
const sizesArg = Deno.args.find((a) => a.startsWith("--sizes="));
const sizes = (sizesArg?.slice("--sizes=".length) ?? "128,512").split(",").map(Number);

let info: BackendInfo;
try {
  info = await useBackend("webgpu");
} catch (e) {
  console.log(`gpu_check: no WebGPU here (${(e as Error).message}); nothing to check.`);
  Deno.exit(0);
}
console.log(`gpu_check: tfjs ${tf.version.tfjs}, Deno ${Deno.version.deno}`);
console.log(`adapter: ${info.adapter}${info.isFallbackAdapter ? " [software fallback]" : ""}`);
console.log(
  `limits: maxStorageBufferBindingSize=${info.limits.maxStorageBufferBindingSize}, ` +
    `maxBufferSize=${info.limits.maxBufferSize}`,
);
if (info.isFallbackAdapter && !force) {
  console.log(
    `gpu_check: ${info.adapter} is a software adapter: this check is for a hardware GPU ` +
      `(pass --force to run it anyway; each decoder step takes minutes). Nothing checked.`,
  );
  Deno.exit(0);
}

// ------------------------------------------------------------ kernel checks

interface Data {
  values: Float32Array;
  shape: number[];
}

function random(shape: number[], seed: number): Data {
  const rng = new Rng(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = 2 * rng.next() - 1;
  return { values, shape };
}

const t = (d: Data) => tf.tensor(d.values, d.shape, "float32");

/** Runs `f` on a backend; returns its outputs as plain data. */
async function on(backend: "cpu" | "webgpu", f: () => tf.Tensor[]): Promise<Data[]> {
  await useBackend(backend);
  const outs = tf.tidy(f);
  const data: Data[] = [];
  for (const o of outs) data.push({ values: (await o.data()) as Float32Array, shape: o.shape });
  tf.dispose(outs);
  return data;
}

function relativeError(a: Data, e: Data): number {
  if (a.shape.join() !== e.shape.join()) return Infinity;
  let diff = 0, scale = 0;
  for (let i = 0; i < e.values.length; i++) {
    diff = Math.max(diff, Math.abs(a.values[i]! - e.values[i]!));
    scale = Math.max(scale, Math.abs(e.values[i]!));
  }
  return diff / Math.max(scale, 1e-30);
}

/** The value of `op` and its gradients for a random upstream gradient. */
function withGrads(op: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Data[], seed: number) {
  return () => {
    const xs = inputs.map(t);
    const y = op(...xs);
    const r = t(random(y.shape, seed));
    const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(op(...a), r)))(xs);
    return [y, ...grads];
  };
}

const x4 = random([2, 33, 31, 16], 1);
const CHECKS: [string, () => tf.Tensor[]][] = [
  [
    "conv2d 3x3 same, and its input/filter gradients",
    withGrads((x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"), [
      x4,
      random([3, 3, 16, 24], 2),
    ], 3),
  ],
  [
    "conv2d 3x3 stride 2 valid, gradients",
    withGrads((x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "valid"), [
      x4,
      random([3, 3, 16, 8], 4),
    ], 5),
  ],
  [
    "conv2d 3x3 dilation 2, gradients",
    withGrads(
      (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same", "NHWC", 2),
      [x4, random([3, 3, 16, 8], 6)],
      7,
    ),
  ],
  [
    "depthwise conv2d 3x3, gradients",
    withGrads((x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"), [
      x4,
      random([3, 3, 16, 1], 8),
    ], 9),
  ],
  [
    "resizeBilinear x2 (and align corners), gradient",
    withGrads(
      (x) =>
        tf.concat([
          tf.image.resizeBilinear(x as tf.Tensor4D, [66, 62]),
          tf.image.resizeBilinear(x as tf.Tensor4D, [66, 62], true),
        ], 3),
      [x4],
      10,
    ),
  ],
  [
    "batch norm with batch statistics, gradients",
    withGrads(
      (x, g, b) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.batchNorm(x as tf.Tensor4D, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D);
      },
      [x4, random([16], 11), random([16], 12)],
      13,
    ),
  ],
  [
    "reflection padding: mirrorPad and reflectPad's gradient",
    withGrads(
      (x) =>
        tf.concat([
          reflectPad(x as tf.Tensor4D, 2),
          tf.mirrorPad(x as tf.Tensor4D, [[0, 0], [2, 2], [2, 2], [0, 0]], "reflect"),
        ], 3),
      [x4],
      14,
    ),
  ],
  [
    "LeakyReLU, sigmoid, gradients",
    withGrads((x) => tf.concat([tf.leakyRelu(x, 0.2), tf.sigmoid(x)], 3), [x4], 15),
  ],
];

let failures = 0;
console.log(`\nkernels, WebGPU against cpu (pass: relative error ≤ ${TOLERANCE}):`);
for (const [name, f] of sections.has("kernels") ? CHECKS : []) {
  if (left() < 60) {
    console.log(`  SKIP  ${name} (budget)`);
    continue;
  }
  try {
    const want = await on("cpu", f);
    const got = await on("webgpu", f);
    const errors = got.map((g, i) => relativeError(g, want[i]!));
    const worst = Math.max(...errors);
    const ok = worst <= TOLERANCE;
    if (!ok) failures++;
    console.log(
      `  ${ok ? "ok   " : "FAIL "} ${name}: ${errors.map((e) => e.toExponential(1)).join(", ")}`,
    );
  } catch (e) {
    failures++;
    console.log(`  FAIL  ${name}: ${(e as Error).message.split("\n")[0]}`);
  }
}

// ---------------------------------------------------------- decoder timings

console.log("\ndecoder step (controlled, 128 channels), WebGPU:");
for (const size of sections.has("decoder") ? sizes : []) {
  if (left() < 45) {
    console.log(`  SKIP  ${size}x${size} (budget)`);
    continue;
  }
  await useBackend("webgpu");
  try {
    const net = decoder({ ...CONTROLLED, channels: 128 });
    const z = dipInput(net, [size, size], { seed: 1 });
    const target = tf.randomUniform([1, size, size, 3], 0, 1, "float32", 2);
    const optimizer = tf.train.adam(1e-3);
    const vars = Object.values(net.trainableVariables);
    const step = async () => {
      const t0 = performance.now();
      const cost = optimizer.minimize(
        () => tf.losses.meanSquaredError(target, net.apply(z, { training: true })) as tf.Scalar,
        true,
        vars,
      )!;
      await cost.data();
      cost.dispose();
      return performance.now() - t0;
    };
    const warm = [await step(), await step()];
    const times: number[] = [];
    while (times.length < 5 && (times.length < 2 || left() > 40)) times.push(await step());
    times.sort((a, b) => a - b);
    console.log(
      `  ${size}x${size}: median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms ` +
        `(min ${times[0]!.toFixed(1)}, ${times.length} steps; warm-up ${
          warm.map((w) => w.toFixed(0)).join(", ")
        } ms)`,
    );
    tf.dispose([z, target]);
    optimizer.dispose();
    net.dispose();
  } catch (e) {
    const refused = e instanceof RangeError && /maxStorageBufferBindingSize/.test(e.message);
    if (!refused) failures++;
    console.log(
      `  ${size}x${size}: ${refused ? "refused by the storage guard" : "FAILED"}: ${
        (e as Error).message.split("\n")[0]
      }`,
    );
  }
}

// ------------------------------------------------------ storage-buffer guard

console.log("\nstorage-buffer guard:");
await useBackend("webgpu");
if (sections.has("guard")) {
  const limit = Math.min(
    info.limits.maxStorageBufferBindingSize ?? Infinity,
    info.limits.maxBufferSize ?? Infinity,
  );
  const MiB = 2 ** 20;
  const report = (ok: boolean, what: string) => {
    if (!ok) failures++;
    console.log(`  ${ok ? "ok   " : "FAIL "} ${what}`);
  };
  if (!Number.isFinite(limit)) {
    report(false, "the device reports no storage-buffer limit");
  } else {
    const tooMany = Math.floor((limit + MiB) / 4);
    const refuses = (f: () => unknown) => {
      try {
        tf.dispose(f() as tf.Tensor);
        return false;
      } catch (e) {
        return e instanceof RangeError && /maxStorageBufferBindingSize/.test(e.message);
      }
    };
    report(
      refuses(() => tf.zeros([tooMany])),
      `a ${(tooMany * 4 / MiB).toFixed(0)} MiB upload is refused`,
    );
    const small = tf.ones([Math.ceil(tooMany / 8)]);
    report(refuses(() => tf.tile(small, [8])), "a kernel output over the limit is refused");
    small.dispose();
    const n = Math.floor(Math.min(64 * MiB, limit / 2) / 4);
    const values = tf.tidy(() => {
      const x = tf.range(0, n, 1, "float32");
      return tf.sub(tf.mul(x, 2), x);
    });
    const got = await values.data();
    values.dispose();
    let wrong = 0;
    for (let i = 0; i < n; i++) if (got[i] !== i) wrong++;
    report(
      wrong === 0,
      `a ${(n * 4 / MiB).toFixed(0)} MiB tensor comes back exact (${wrong} wrong)`,
    );
  }
}

const seconds = ((performance.now() - start) / 1000).toFixed(0);
console.log(`\ngpu_check: ${failures === 0 ? "all passed" : `${failures} failed`} in ${seconds} s`);
Deno.exit(failures === 0 ? 0 : 1);
