/**
 * The heap kernels (`src/core/kernels/heap_kernels.ts`) beside the wasm
 * backend's own kernels they replace, in one run: `deno bench -A
 * bench/heap_kernels_bench.ts` (part of `deno task bench`). The shapes are
 * those of one training step of FCRN-A/4 on 4 × 128² crops (the counting
 * step of `peer_bench.ts`): its first max pooling's gradient, its first
 * nearest upsampling and that one's gradient, and batch norm's tile of
 * `[1, 1, 1, 8]` over the activation. Each group's baseline is wasm's own
 * kernel, so `deno bench` prints the speed-up of ours.
 *
 * Measured on the 2-core dev machine (load 0.1, `deno bench` averages):
 *
 * | kernel | wasm's own | heap loop | speed-up |
 * |---|---|---|---|
 * | MaxPoolGrad 4×128×128×8, 2×2 stride 2 | 8.4 ms | 2.9 ms | 2.9× |
 * | ResizeNearestNeighbor 4×64×64×16 → 128² | 1.3 ms | 0.46 ms | 2.8× |
 * | ResizeNearestNeighborGrad 4×128×128×16 → 64² | 6.1 ms | 0.93 ms | 6.6× |
 * | Tile [1, 1, 1, 8] → 4×128×128×8 | 23.1 ms | 0.03 ms | 800× |
 *
 * (Before the heap loop, `Tile` ran as repeated `Concat`s, not as wasm's
 * own kernel: 1.2 ms for this case in the FCRN step's profile.) The whole
 * FCRN-A/4 training step, one oneDNN thread: 102 → 77 ms.
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../src/core/backend.ts";
import { nativeWasmKernel } from "../src/core/kernels/wasm_kernels.ts";

await useBackend("wasm", { native: false });

/** Runs `name` with the registered kernel (ours) or wasm's own, and waits for the result. */
function runner(name: string, inputs: Record<string, tf.Tensor>, attrs: object, own: boolean) {
  const config = own ? nativeWasmKernel(name) : tf.getKernel(name, "wasm");
  if (config === undefined) throw new Error(`no ${own ? "own " : ""}wasm kernel ${name}`);
  return () => {
    const info = config.kernelFunc({
      inputs,
      backend: tf.backend(),
      attrs: attrs as unknown as tf.NamedAttrMap,
    }) as tf.TensorInfo;
    tf.engine().makeTensorFromTensorInfo(info).dispose();
  };
}

const x = tf.randomUniform([4, 128, 128, 8], -1, 1, "float32", 1);
const pooled = tf.maxPool(x as tf.Tensor4D, 2, 2, "valid");
const dyPool = tf.randomUniform(pooled.shape, -1, 1, "float32", 2);
const small = tf.randomUniform([4, 64, 64, 16], -1, 1, "float32", 3);
const dyUp = tf.randomUniform([4, 128, 128, 16], -1, 1, "float32", 4);
const stats = tf.randomUniform([1, 1, 1, 8], -1, 1, "float32", 5);

const CASES: { group: string; name: string; inputs: Record<string, tf.Tensor>; attrs: object }[] = [
  {
    group: "MaxPoolGrad 4x128x128x8, 2x2 stride 2",
    name: "MaxPoolGrad",
    inputs: { dy: dyPool, input: x, output: pooled },
    attrs: { filterSize: 2, strides: 2, pad: "valid" },
  },
  {
    group: "ResizeNearestNeighbor 4x64x64x16 -> 128x128",
    name: "ResizeNearestNeighbor",
    inputs: { images: small },
    attrs: { size: [128, 128], alignCorners: false, halfPixelCenters: false },
  },
  {
    group: "ResizeNearestNeighborGrad 4x128x128x16 -> 64x64",
    name: "ResizeNearestNeighborGrad",
    inputs: { images: small, dy: dyUp },
    attrs: { alignCorners: false, halfPixelCenters: false },
  },
  {
    group: "Tile [1,1,1,8] -> 4x128x128x8",
    name: "Tile",
    inputs: { x: stats },
    attrs: { reps: [4, 128, 128, 1] },
  },
];

for (const c of CASES) {
  Deno.bench(
    `${c.name}: wasm's own`,
    { group: c.group, baseline: true },
    runner(c.name, c.inputs, c.attrs, true),
  );
  Deno.bench(`${c.name}: heap loop`, { group: c.group }, runner(c.name, c.inputs, c.attrs, false));
}
