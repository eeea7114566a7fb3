import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertEquals,
  assertGreater,
  assertLess,
  assertRejects,
  assertStrictEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { isSoftwareAdapter, useBackend } from "./backend.ts";
import { Rng } from "./rng.ts";

const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
const adapter = await gpu?.requestAdapter() as
  | { info?: { description?: string; isFallbackAdapter?: boolean }; limits: Record<string, number> }
  | null
  | undefined;
const hasWebGpu = adapter != null;
if (!hasWebGpu) {
  console.log(
    `backend_test: skipping the WebGPU tests: ${
      gpu === undefined ? "no navigator.gpu" : "navigator.gpu has no adapter"
    }`,
  );
}

Deno.test("isSoftwareAdapter spots llvmpipe and SwiftShader", () => {
  assert(isSoftwareAdapter({ description: "llvmpipe (LLVM 15.0.6, 256 bits)" }));
  assert(isSoftwareAdapter({ description: "Google SwiftShader" }));
  assert(isSoftwareAdapter({ description: "", isFallbackAdapter: true }));
  assert(!isSoftwareAdapter({ description: "AMD Radeon RX 7900", isFallbackAdapter: false }));
  assert(!isSoftwareAdapter({}));
});

Deno.test("useBackend activates cpu and wasm and reports their limits", async () => {
  const cpu = await useBackend("cpu");
  assertEquals(cpu.name, "cpu");
  assertEquals(tf.getBackend(), "cpu");
  const wasm = await useBackend("wasm");
  assertEquals(wasm.name, "wasm");
  assertEquals(tf.getBackend(), "wasm");
  assertEquals(typeof wasm.limits.simd, "boolean");
  assertGreater(wasm.limits.threads!, 0);
  // remembered: the same answer, without re-initialising
  assertStrictEquals(await useBackend("wasm"), wasm);
  // native kernels: only ever on wasm; without oneDNN they say why, in one line
  assertEquals(cpu.native.active, false);
  assertEquals(cpu.native.reason, "native kernels are for wasm, not cpu");
  assert(Array.isArray(wasm.native.kernels));
  assertEquals(wasm.native.reason.split("\n").length, 1);
  if (wasm.native.active) {
    assert(wasm.native.kernels.includes("Conv2D"));
    assertGreater(wasm.native.threads!, 0);
  } else {
    console.log(`backend_test: no native kernels: ${wasm.native.reason}`);
  }
});

Deno.test("useBackend checks its options", async () => {
  await assertRejects(
    () => useBackend("wasm", { native: "no" as never }),
    TypeError,
    "options.native must be a boolean, got string no",
  );
  await assertRejects(
    () => useBackend("wasm", { threads: 0 }),
    RangeError,
    "options.threads must be a positive integer, got number 0",
  );
});

/** `BackendInfo.native` of `useBackend("wasm")` in a fresh process with `env`. */
async function nativeIn(env: Record<string, string>): Promise<Record<string, unknown>> {
  const backend = new URL("./backend.ts", import.meta.url).href;
  const config = new URL("../../deno.json", import.meta.url).pathname;
  const code = `import { useBackend } from "${backend}";
console.log(JSON.stringify((await useBackend("wasm")).native));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", config, code],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!;
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return JSON.parse(text);
}

Deno.test("PIXELBIAS_NATIVE=0 turns the native kernels off; PIXELBIAS_THREADS sets threads", async () => {
  const off = await nativeIn({ PIXELBIAS_NATIVE: "0" });
  assertEquals(off.active, false);
  assertEquals(off.kernels, []);
  const probe = await useBackend("wasm");
  if (!probe.native.active) return; // no oneDNN: off already, for its own reason
  assertEquals(off.reason, "native kernels turned off (PIXELBIAS_NATIVE=0)");
  const one = await nativeIn({ PIXELBIAS_THREADS: "1" });
  assertEquals([one.active, one.threads, one.threadsSource], [true, 1, "PIXELBIAS_THREADS=1"]);
});

Deno.test("useBackend('auto') picks WebGPU only on a hardware adapter", async () => {
  const info = await useBackend("auto");
  const description = adapter?.info?.description ?? null;
  if (!hasWebGpu) {
    assertEquals(info.name, "wasm");
    assertEquals(info.adapter, null);
  } else if (isSoftwareAdapter(adapter!.info ?? {})) {
    assertEquals(info.name, "wasm", info.reason);
    assert(info.isFallbackAdapter);
    assertStringIncludes(info.reason, "software fallback");
  } else {
    assertEquals(info.name, "webgpu", info.reason);
  }
  if (description) assertEquals(info.adapter, description);
  assertEquals(tf.getBackend(), info.name);
});

Deno.test("useBackend rejects an unknown kind", async () => {
  await assertRejects(
    () => useBackend("gpu" as never),
    RangeError,
    `kind must be one of "auto", "webgpu", "wasm", "cpu", got string "gpu"`,
  );
});

Deno.test({
  name: "on WebGPU, tensors beyond maxStorageBufferBindingSize are refused",
  ignore: !hasWebGpu,
  fn: async () => {
    const info = await useBackend("webgpu");
    assertEquals(tf.getBackend(), "webgpu");
    const limit = info.limits.maxStorageBufferBindingSize!;
    assertGreater(limit, 0);
    const MiB = 2 ** 20;
    // one MiB over the limit (129 MiB on llvmpipe): refused before any GPU memory is used
    const tooMany = (limit + MiB) / 4;
    const error = assertThrows(() => tf.zeros([tooMany]), RangeError);
    assertStringIncludes(error.message, `shape [${tooMany}]`);
    assertStringIncludes(error.message, `${limit} bytes`);
    assertStringIncludes(error.message, "maxStorageBufferBindingSize");
    // kernel outputs are checked too
    const small = tf.ones([tooMany / 8]);
    assertThrows(() => tf.tile(small, [8]), RangeError, "maxStorageBufferBindingSize");
    small.dispose();
    if (limit <= 256 * MiB) {
      assertThrows(() => tf.tensor1d(new Float32Array(tooMany)), RangeError, "WebGPU cannot hold");
    }
    // 64 MiB (or half the limit) computes correctly, to the last element
    const n = Math.min(64 * MiB, limit / 2) / 4;
    const values = tf.tidy(() => {
      const x = tf.range(0, n, 1, "float32");
      return tf.sub(tf.mul(x, 2), x);
    });
    const got = await values.data();
    values.dispose();
    assertEquals(got.length, n);
    let wrong = 0;
    for (let i = 0; i < n; i++) if (got[i] !== i) wrong++;
    assertEquals(wrong, 0, "elements of a 64 MiB tensor came back wrong");
  },
});

Deno.test("a small conv net trains on wasm with Adam without leaking tensors", async () => {
  await useBackend("wasm");
  const rng = new Rng(3);
  const noise = rng.uniform([1, 8, 8, 4]) as tf.Tensor4D;
  const target = rng.uniform([1, 16, 16, 3]) as tf.Tensor4D;
  const he = (shape: number[]) =>
    tf.variable(
      tf.mul(rng.uniform(shape, -1, 1), Math.sqrt(6 / (shape[0]! * shape[1]! * shape[2]!))),
    );
  const w1 = he([3, 3, 4, 8]), w2 = he([3, 3, 8, 3]);
  const gamma = tf.variable(tf.ones([8])), beta = tf.variable(tf.zeros([8]));
  const net = () => {
    const h = tf.conv2d(noise, w1 as tf.Variable<tf.Rank.R4>, 1, "same");
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    const normed = tf.batchNorm(h, mean, variance, beta, gamma, 1e-5);
    const up = tf.image.resizeBilinear(tf.leakyRelu(normed, 0.2) as tf.Tensor4D, [16, 16]);
    return tf.sigmoid(tf.conv2d(up, w2 as tf.Variable<tf.Rank.R4>, 1, "same"));
  };
  const optimizer = tf.train.adam(0.02);
  const step = () => {
    const cost = optimizer.minimize(() => tf.losses.meanSquaredError(target, net()), true)!;
    const value = cost.dataSync()[0]!;
    cost.dispose();
    return value;
  };
  const first = step(); // creates Adam's slots
  const tensors = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 100; i++) last = step();
  assertEquals(tf.memory().numTensors, tensors, "tensors leaked over 100 Adam steps");
  assertLess(last, 0.6 * first, `loss went from ${first} to ${last}`);
  optimizer.dispose();
  tf.dispose([noise, target, w1, w2, gamma, beta]);
});
