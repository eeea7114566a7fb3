/**
 * The toolkit beside PyTorch, in one run: `deno bench -A bench/peer_bench.ts`
 * (part of `deno task bench`).
 *
 * Cases, each with oneDNN limited to 1 and to 2 threads, on wasm with the
 * native kernels (`useBackend("wasm", { threads })`):
 * - `conv 3x3 fwd+bwd`: 1×128×128×128 input, 3×3×128×128 filter, "same":
 *   `Conv2D`, `Conv2DBackpropInput` and `Conv2DBackpropFilter` for a fixed
 *   output gradient (the kernels alone, as PyTorch's `conv2d(...).backward(dy)`);
 * - `decoder step`: one `fitDip`-style training step of the thesis decoder
 *   (`decoder({ ...CONTROLLED, channels })`, 128×128 output) with 64 and 128
 *   channels: forward, MSE, backward, Adam, loss read back;
 * - `counting step`: one training step of FCRN-A with batch norm at a quarter
 *   width (`fcrn({ width: 0.25, batchNorm: true })`, the shipped VGG-cells
 *   counter's network) on a batch of 4 RGB 128×128 crops: forward, MSE,
 *   backward, Adam, loss read back.
 *
 * Before them, `bench/peers/torch_peer.py` times the same cases with PyTorch
 * (`python3`, or `PIXELBIAS_PYTHON`) at the same thread counts; when the
 * benches end, a table of medians and ratios (ours / PyTorch) is printed.
 * Without torch (or python) the peer is skipped with a message, and without
 * oneDNN the cases run on the wasm kernels (the table says so).
 *
 * Two runs on the 2 shared cores (ours / PyTorch 2.13, medians; the second
 * run with Slice, PadV2, batch norm and the reductions native as well).
 * Two-thread numbers on a busy machine mostly measure the other jobs:
 * PyTorch's spinning workers collapse there, ours sleep (PASSIVE).
 *
 * | case                         | threads | load 2.7: ms        | load 5.4: ms        |
 * | ---------------------------- | ------- | ------------------- | ------------------- |
 * | conv 3x3 fwd+bwd 128x128x128 | 1       | 82 / 77 = 1.06×     | 80 / 78 = 1.02×     |
 * | conv 3x3 fwd+bwd 128x128x128 | 2       | 35 / 116 = 0.31×    | 75 / 116 = 0.65×    |
 * | decoder step, 64 ch          | 1       | 60 / 56 = 1.08×     | 68 / 48 = 1.42×     |
 * | decoder step, 64 ch          | 2       | 58 / 36 = 1.60×     | 71 / 171 = 0.41×    |
 * | decoder step, 128 ch         | 1       | 181 / 150 = 1.21×   | 165 / 159 = 1.04×   |
 * | decoder step, 128 ch         | 2       | 202 / 91 = 2.22×    | 160 / 1416 = 0.11×  |
 *
 * A third run on a quiet machine (load 1.2–2.4: this run alone), after the
 * heap kernels (`heap_kernels.ts`: max-pool gradient, nearest resizes, tile,
 * copy-free identity) took the counting step from 102 to 78 ms on 1 thread:
 *
 * | case                         | 1 thread: ms       | 2 threads: ms      |
 * | ---------------------------- | ------------------ | ------------------ |
 * | conv 3x3 fwd+bwd 128x128x128 | 74.8 / 85.2 = 0.88× | 36.6 / 40.5 = 0.90× |
 * | decoder step, 64 ch          | 56.0 / 54.3 = 1.03× | 54.5 / 23.6 = 2.32× |
 * | decoder step, 128 ch         | 148.7 / 162.4 = 0.92× | 104.0 / 84.7 = 1.23× |
 * | counting step FCRN-A/4       | 77.6 / 23.9 = 3.25× | 68.2 / 16.7 = 4.09× |
 *
 * With the counting networks' batch norm on the written-out gradient
 * (`src/core/batch_norm_layer.ts`), the next run (load 2.5): counting step
 * 49.0 / 24.1 = 2.04× (1 thread), 43.3 / 16.8 = 2.57× (2 threads); the other
 * cases as before (0.94–1.17×, the 64-channel decoder on 2 threads 2.10×).
 * With the toolkit's one-loop-per-variable Adam (`src/core/adam.ts`, which these steps
 * now use, as `optimize` does) and small memory-bound oneDNN primitives on
 * one thread, load 0.7: conv 1.09× / 0.82×, decoder 64 ch 1.21× / 2.02×,
 * decoder 128 ch 1.00× / 1.44×, counting step 48.7 / 23.3 = 2.09× and
 * 42.8 / 15.9 = 2.70× (1 / 2 threads).
 *
 * The convolutions are at PyTorch's speed on both thread counts; what stays
 * slower is the per-op work around them: tfjs runs Adam's update, the loss
 * and batch norm's statistics as ~400 separate small kernels per counting
 * step (PyTorch fuses each); why the 64-channel
 * decoder gains nothing from a second thread was not looked into.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendInfo, useBackend } from "../src/core/backend.ts";
import { CONTROLLED, decoder, dipInput } from "../src/dip/mod.ts";
import { Rng } from "../src/core/rng.ts";
import { Adam } from "../src/core/adam.ts";
import { fcrn, namedWeights } from "../src/counting/networks/mod.ts";

const THREADS = [1, 2] as const;
const REPEATS = 5;
const SIZE = 128;

interface PeerTimes {
  torch: string;
  results: Record<string, { median: number; min: number }>;
}

/** Runs the PyTorch peer; `null` (after saying why) when it cannot run. */
async function runPeer(): Promise<PeerTimes | null> {
  const python = Deno.env.get("PIXELBIAS_PYTHON") ?? "python3";
  const script = new URL("./peers/torch_peer.py", import.meta.url).pathname;
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(python, {
      args: [script, "--threads", THREADS.join(","), "--repeats", String(REPEATS)],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    console.log(`PyTorch peer skipped: ${python} not found (${(e as Error).message})`);
    return null;
  }
  const err = new TextDecoder().decode(out.stderr).trim();
  if (!out.success) {
    console.log(`PyTorch peer skipped: ${err.split("\n").at(-1) || `exit ${out.code}`}`);
    return null;
  }
  return JSON.parse(new TextDecoder().decode(out.stdout)) as PeerTimes;
}

const peer = await runPeer();
const loadAtStart = loadAverage();

interface Step {
  run(): void;
}

/** The three conv kernels on fixed tensors. */
function convStep(): Step {
  const rng = new Rng(1);
  const x = rng.uniform([1, SIZE, SIZE, 128]) as tf.Tensor4D;
  const w = rng.uniform([3, 3, 128, 128], -0.1, 0.1) as tf.Tensor4D;
  const dy = rng.uniform([1, SIZE, SIZE, 128]) as tf.Tensor4D;
  const attrs = { strides: 1, pad: "same", dataFormat: "NHWC", dilations: 1 };
  const run = (name: string, inputs: tf.NamedTensorMap, extra: object) =>
    tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as tf.NamedAttrMap) as tf.Tensor;
  return {
    run() {
      tf.dispose([
        tf.conv2d(x, w, 1, "same"),
        run("Conv2DBackpropInput", { dy, filter: w }, { inputShape: x.shape }),
        run("Conv2DBackpropFilter", { x, dy }, { filterShape: w.shape }),
      ]);
    },
  };
}

/** One training step of the controlled decoder. */
function decoderStep(channels: number): Step {
  const net = decoder({ ...CONTROLLED, channels });
  const z = dipInput(net, [SIZE, SIZE], { seed: 1 });
  const target = tf.randomUniform([1, SIZE, SIZE, 3], 0, 1, "float32", 2);
  const optimizer = new Adam(1e-3);
  const vars = Object.values(net.trainableVariables);
  return {
    run() {
      const cost = optimizer.minimize(
        () => tf.losses.meanSquaredError(target, net.apply(z, { training: true })) as tf.Scalar,
        true,
        vars,
      )!;
      cost.dataSync();
      cost.dispose();
    },
  };
}

/** One training step of a narrow FCRN-A on a batch of crops. */
function countingStep(): Step {
  const net = fcrn({ width: 0.25, batchNorm: true, seed: 1 });
  const rng = new Rng(3);
  const x = rng.uniform([4, SIZE, SIZE, 3]) as tf.Tensor4D;
  const target = rng.uniform([4, SIZE, SIZE, 1], 0, 0.01);
  const optimizer = new Adam(1e-4);
  const vars = Object.values(namedWeights(net.model).variables);
  return {
    run() {
      const cost = optimizer.minimize(
        () => tf.losses.meanSquaredError(target, net.forward(x, true)) as tf.Scalar,
        true,
        vars,
      )!;
      cost.dataSync();
      cost.dispose();
    },
  };
}

const CASES: { key: string; label: string; make: () => Step }[] = [
  { key: "conv", label: "conv 3x3 fwd+bwd 128x128x128", make: convStep },
  { key: "decoder64", label: "decoder step 128x128, 64 ch", make: () => decoderStep(64) },
  { key: "decoder128", label: "decoder step 128x128, 128 ch", make: () => decoderStep(128) },
  { key: "fcrn", label: "counting step FCRN-A/4, 4x128x128", make: countingStep },
];

const ours = new Map<string, number[]>();
const infos = new Map<number, BackendInfo>();

for (const c of CASES) {
  for (const threads of THREADS) {
    let step: Step | undefined;
    const key = `${c.key}/${threads}`;
    Deno.bench({
      name: `${c.label}, ${threads} thread${threads === 1 ? "" : "s"}`,
      group: c.label,
      baseline: threads === 1,
      n: REPEATS,
      warmup: 2,
      async fn() {
        infos.set(threads, await useBackend("wasm", { threads }));
        step ??= c.make();
        const t0 = performance.now();
        step.run();
        const times = ours.get(key) ?? [];
        times.push(performance.now() - t0);
        ours.set(key, times);
      },
    });
  }
}

function median(times: number[]): number {
  const s = [...times].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

globalThis.addEventListener("unload", () => {
  const native = infos.get(1)?.native;
  const engine = native?.active ? `wasm + oneDNN ${native.version}` : "wasm (no oneDNN)";
  const lines = [
    "",
    `ours (${engine}) vs PyTorch ${peer?.torch ?? "(skipped)"}: median ms, ratio ours/PyTorch` +
    ` (load average ${loadAtStart} at start, ${loadAverage()} at end)`,
    `| case | threads | ours | PyTorch | ours / PyTorch |`,
    `| --- | --- | --- | --- | --- |`,
  ];
  for (const c of CASES) {
    for (const threads of THREADS) {
      const key = `${c.key}/${threads}`;
      const times = ours.get(key);
      // the first two calls of each case are Deno's warm-up
      const mine = times && times.length > 2 ? median(times.slice(2)) : undefined;
      const theirs = peer?.results[key]?.median;
      const fmt = (v?: number) => (v === undefined ? "–" : v.toFixed(1));
      const ratio = mine !== undefined && theirs !== undefined
        ? `${(mine / theirs).toFixed(2)}×`
        : "–";
      lines.push(`| ${c.label} | ${threads} | ${fmt(mine)} | ${fmt(theirs)} | ${ratio} |`);
    }
  }
  console.log(lines.join("\n"));
});
