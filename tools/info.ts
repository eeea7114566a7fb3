/**
 * Prints what this machine computes with: `deno task info`.
 *
 * The backend `useBackend("auto")` chooses and why, the WebGPU adapter (if
 * any) and the limits that matter, whether oneDNN's native kernels run on
 * wasm (library, version, threads and why), then a measured conv2d speed on
 * each available backend (wasm with and without the native kernels): a 1×128×128×64 input through a 3×3×64×64 filter ("same"
 * padding), 2·H·W·Cin·Cout·9 = 1.21 GFLOP per call; warm-up calls first, then
 * timed calls (each read back, so asynchronous backends finish) until about
 * two seconds have passed.
 *
 * Options: `--backends=wasm,cpu` to measure only those (`wasm-native` and
 * `wasm` are wasm with and without oneDNN).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendInfo, type BackendName, useBackend } from "../src/core/backend.ts";
import type { NativeKernelsInfo } from "../src/core/kernels/onednn/kernels.ts";
import { Rng } from "../src/core/rng.ts";

const H = 128, W = 128, CIN = 64, COUT = 64, K = 3;
const FLOP = 2 * H * W * CIN * COUT * K * K;

/** Seconds per conv2d call on the active backend. */
async function timeConv2d(budgetMs = 2000): Promise<{ seconds: number; runs: number }> {
  const rng = new Rng(1);
  const x = rng.uniform([1, H, W, CIN]) as tf.Tensor4D;
  const w = rng.uniform([K, K, CIN, COUT], -0.1, 0.1) as tf.Tensor4D;
  const once = async () => {
    const t0 = performance.now();
    const y = tf.conv2d(x, w, 1, "same");
    await y.data();
    y.dispose();
    return performance.now() - t0;
  };
  const first = await once(); // compiles shaders, packs weights, ...
  if (first < budgetMs / 4) await once();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 2 || (performance.now() - start < budgetMs && times.length < 50)) {
    times.push(await once());
  }
  tf.dispose([x, w]);
  times.sort((a, b) => a - b);
  return { seconds: times[Math.floor(times.length / 2)]! / 1000, runs: times.length };
}

function describeLimits(info: BackendInfo): string {
  const entries = Object.entries(info.limits).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "none reported";
  return entries.map(([k, v]) =>
    typeof v === "number" && v >= 2 ** 20
      ? `${k}=${v} (${(v / 2 ** 20).toFixed(0)} MiB)`
      : `${k}=${v}`
  ).join(", ");
}

function describeNative(native: NativeKernelsInfo): string {
  if (!native.active) return `off: ${native.reason}`;
  return `oneDNN ${native.version} (${native.library}, ${native.runtime}), ${native.threads} ` +
    `thread${native.threads === 1 ? "" : "s"} (${native.threadsSource}; ` +
    `OMP_WAIT_POLICY=${native.waitPolicy}), kernels: ${native.kernels.join(", ")}`;
}

type Measured = BackendName | "wasm-native";

const arg = Deno.args.find((a) => a.startsWith("--backends="));
const wanted = (arg?.slice("--backends=".length) ?? "wasm-native,wasm,webgpu,cpu")
  .split(",") as Measured[];

const auto = await useBackend("auto");
console.log(
  `tfjs ${tf.version.tfjs}, Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPU threads`,
);
console.log(`chosen backend: ${auto.name} (${auto.reason})`);
console.log(
  `WebGPU adapter: ${auto.adapter ?? "none"}${
    auto.isFallbackAdapter ? " [software fallback]" : ""
  }`,
);
console.log(`limits: ${describeLimits(auto)}`);
const wasmInfo = auto.name === "wasm" ? auto : await useBackend("wasm");
console.log(`native kernels on wasm: ${describeNative(wasmInfo.native)}`);
console.log(
  `\nconv2d 1x${H}x${W}x${CIN} * ${K}x${K}x${CIN}x${COUT}, same: ${
    (FLOP / 1e9).toFixed(3)
  } GFLOP per call`,
);
for (const name of wanted) {
  let info: BackendInfo;
  try {
    info = name === "wasm-native"
      ? await useBackend("wasm", { native: true })
      : await useBackend(name, name === "wasm" ? { native: false } : {});
  } catch (e) {
    console.log(`  ${name.padEnd(11)} unavailable: ${(e as Error).message}`);
    continue;
  }
  if (name === "wasm-native" && !info.native.active) {
    console.log(`  ${name.padEnd(11)} unavailable: ${info.native.reason}`);
    continue;
  }
  const { seconds, runs } = await timeConv2d();
  const note = name === "webgpu" && info.isFallbackAdapter ? " (software adapter)" : "";
  console.log(
    `  ${name.padEnd(11)} ${(FLOP / seconds / 1e9).toFixed(2).padStart(7)} GFLOP/s` +
      `  ${(seconds * 1000).toFixed(1).padStart(8)} ms/call (median of ${runs})${note}`,
  );
}
