/**
 * Backend speed for training, `deno task bench` (or
 * `deno bench -A bench/backend_bench.ts`).
 *
 * 1. `decoder step`: one Adam step of a 5-layer conv decoder, 1×8×8×64 noise
 *    → 4 × [bilinear upsample ×2 → conv 3×3, 64 channels → batch norm →
 *    LeakyReLU(0.2)] → conv 3×3 to 3 channels → sigmoid = 128×128×3, MSE
 *    loss against a fixed image; per available backend, wasm with oneDNN's
 *    native kernels (when libdnnl is installed) and without. The cpu backend
 *    is skipped (its conv gradients are ~500x slower than wasm's: minutes per
 *    step); WebGPU on a software adapter (llvmpipe) runs only a few steps.
 * 2. `conv grads`: the wasm gradient kernels of `src/core/kernels/` against
 *    the paths they replace, on a 1×128×128×64 input and a 3×3×64×64 filter
 *    (stride 1 and 2): oneDNN's kernels (when installed), the composite
 *    replacements (wasm kernels only), wasm's own `Conv2DBackpropInput`
 *    (what `conv2dTranspose` runs) and, for the filter gradient wasm lacks,
 *    an im2col + matMul formulation on wasm; the forward conv2d on wasm
 *    (XNNPACK, same FLOPs) is the baseline. Then the cpu backend's kernels
 *    (the only filter gradient before) on a 1×32×32×16 input, as they take
 *    minutes on the large one. `peer_bench.ts` compares with
 *    PyTorch.
 *
 * Set BACKEND_BENCH_BACKENDS=wasm,webgpu to choose the decoder backends.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, useBackend } from "../src/core/backend.ts";
import { nativeWasmKernel } from "../src/core/kernels/wasm_kernels.ts";
import { Rng } from "../src/core/rng.ts";

// ---------------------------------------------------------------- decoder step

interface Decoder {
  step(): Promise<number>;
}

/** Builds the decoder and its optimiser on the active backend. */
function makeDecoder(seed: number): Decoder {
  const rng = new Rng(seed);
  const C = 64;
  const heInit = (shape: number[]) => {
    const fanIn = shape[0]! * shape[1]! * shape[2]!;
    return tf.variable(tf.mul(rng.uniform(shape, -1, 1), Math.sqrt(6 / fanIn)));
  };
  const input = rng.uniform([1, 8, 8, C]) as tf.Tensor4D;
  const target = rng.uniform([1, 128, 128, 3]) as tf.Tensor4D;
  const blocks = Array.from({ length: 4 }, () => ({
    w: heInit([3, 3, C, C]) as tf.Variable<tf.Rank.R4>,
    gamma: tf.variable(tf.ones([C])),
    beta: tf.variable(tf.zeros([C])),
  }));
  const head = heInit([3, 3, C, 3]) as tf.Variable<tf.Rank.R4>;
  const forward = () => {
    let h = input;
    for (const b of blocks) {
      const [, height, width] = h.shape;
      h = tf.image.resizeBilinear(h, [2 * height, 2 * width]);
      h = tf.conv2d(h, b.w, 1, "same");
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      h = tf.leakyRelu(tf.batchNorm(h, mean, variance, b.beta, b.gamma, 1e-5), 0.2) as tf.Tensor4D;
    }
    return tf.sigmoid(tf.conv2d(h, head, 1, "same"));
  };
  const optimizer = tf.train.adam(0.01);
  return {
    async step() {
      const cost = optimizer.minimize(() => tf.losses.meanSquaredError(target, forward()), true)!;
      const value = (await cost.data())[0]!;
      cost.dispose();
      return value;
    },
  };
}

const wanted = (Deno.env.get("BACKEND_BENCH_BACKENDS") ?? "wasm,webgpu").split(",");
const native = (await useBackend("wasm")).native;
const decoderBackends: { name: BackendName; software: boolean; native?: boolean }[] = [];
for (const name of wanted as BackendName[]) {
  try {
    const info = await useBackend(name);
    if (name === "wasm" && native.active) {
      decoderBackends.push({ name, software: false, native: true });
    }
    decoderBackends.push({
      name,
      software: name === "webgpu" && info.isFallbackAdapter,
      native: name === "wasm" ? false : undefined,
    });
  } catch (e) {
    console.error(`decoder step: skipping ${name}: ${(e as Error).message}`);
  }
}

for (const [i, { name, software, native }] of decoderBackends.entries()) {
  let decoder: Decoder | undefined;
  const label = native === true ? " + oneDNN" : native === false ? " kernels only" : "";
  Deno.bench({
    name: `decoder step, ${name}${label}${software ? " (software adapter)" : ""}`,
    group: "decoder step 8x8x64 -> 128x128x3",
    baseline: i === 0,
    // llvmpipe needs about a minute per step: one timed step after the warm-up
    n: software ? 1 : 10,
    warmup: software ? 0 : 2,
    async fn() {
      await useBackend(name, native === undefined ? {} : { native });
      decoder ??= makeDecoder(1);
      await decoder.step();
    },
  });
}
Deno.bench({
  name: "decoder step, cpu (skipped: conv gradients ~500x slower, minutes per step)",
  group: "decoder step 8x8x64 -> 128x128x3",
  ignore: true,
  fn() {},
});

// ------------------------------------------------------------------ conv grads

interface ConvSize {
  h: number;
  c: number;
}
const LARGE: ConvSize = { h: 128, c: 64 }, SMALL: ConvSize = { h: 32, c: 16 };

interface ConvTensors {
  x: tf.Tensor4D;
  w: tf.Tensor4D;
  dy: Record<1 | 2, tf.Tensor4D>;
}
const tensorsOn = new Map<string, ConvTensors>();

/** Inputs 1×h×h×c and a 3×3×c×c filter, created once per backend (on the active one). */
async function convTensors(
  backend: "wasm" | "cpu",
  { h, c }: ConvSize,
  withNative = false,
): Promise<ConvTensors> {
  await useBackend(backend, backend === "wasm" ? { native: withNative } : {});
  const key = `${backend} ${h} ${c}`;
  let t = tensorsOn.get(key);
  if (t === undefined) {
    const rng = new Rng(2);
    t = {
      x: rng.uniform([1, h, h, c]) as tf.Tensor4D,
      w: rng.uniform([3, 3, c, c], -0.1, 0.1) as tf.Tensor4D,
      dy: {
        1: rng.uniform([1, h, h, c]) as tf.Tensor4D,
        2: rng.uniform([1, h / 2, h / 2, c]) as tf.Tensor4D,
      },
    };
    tensorsOn.set(key, t);
  }
  return t;
}

function run(kernel: string, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor {
  return tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
}

/** Calls wasm's own Conv2DBackpropInput, which `useBackend("wasm")` replaced. */
function nativeBackpropInput(inputs: tf.NamedTensorMap, attrs: object): tf.Tensor {
  const native = nativeWasmKernel("Conv2DBackpropInput");
  if (native === undefined) throw new Error("wasm's native Conv2DBackpropInput was not kept");
  const backend = tf.backend();
  native.setupFunc?.(backend);
  const info = native.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap });
  return tf.engine().makeTensorFromTensorInfo(info as tf.TensorInfo);
}

/** The filter gradient as one im2col matrix product. */
function im2colFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, stride: number): tf.Tensor {
  return tf.tidy(() => {
    const c = x.shape[3];
    const [b, oh, ow, cout] = dy.shape;
    const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    const columns: tf.Tensor[] = [];
    for (let p = 0; p < 3; p++) {
      for (let q = 0; q < 3; q++) {
        const end = [b, p + (oh - 1) * stride + 1, q + (ow - 1) * stride + 1, c];
        columns.push(tf.stridedSlice(padded, [0, p, q, 0], end, [1, stride, stride, 1]));
      }
    }
    const n = b * oh * ow;
    const cols = tf.reshape(tf.concat(columns, 3), [n, 9 * c]);
    return tf.reshape(tf.matMul(cols, tf.reshape(dy, [n, cout]), true, false), [3, 3, c, cout]);
  });
}

type Path = (t: ConvTensors, stride: 1 | 2, size: ConvSize) => tf.Tensor;

const attrs = (stride: number, extra: object) => ({
  strides: stride,
  pad: "same",
  dataFormat: "NHWC",
  ...extra,
});
const paths: Record<string, Path> = {
  forward: (t, s) => tf.conv2d(t.x, t.w, s, "same"),
  input: (t, s, { h, c }) =>
    run(
      "Conv2DBackpropInput",
      { dy: t.dy[s], filter: t.w },
      attrs(s, { inputShape: [1, h, h, c] }),
    ),
  nativeInput: (t, s, { h, c }) =>
    nativeBackpropInput({ dy: t.dy[s], filter: t.w }, attrs(s, { inputShape: [1, h, h, c] })),
  filter: (t, s, { c }) =>
    run("Conv2DBackpropFilter", { x: t.x, dy: t.dy[s] }, attrs(s, { filterShape: [3, 3, c, c] })),
  im2col: (t, s) => im2colFilterGrad(t.x, t.dy[s], s),
};

function bench(
  group: string,
  name: string,
  backend: "wasm" | "cpu",
  size: ConvSize,
  stride: 1 | 2,
  path: Path,
  options: { baseline?: boolean; n?: number; native?: boolean } = {},
): void {
  Deno.bench({
    name,
    group,
    baseline: options.baseline,
    n: options.n ?? 10,
    warmup: options.n === undefined ? 2 : 0,
    async fn() {
      const t = await convTensors(backend, size, options.native);
      const out = path(t, stride, size);
      await out.data();
      out.dispose();
    },
  });
}

for (const stride of [1, 2] as const) {
  const group = `conv grads 1x128x128x64 * 3x3x64x64, stride ${stride}`;
  const add = (
    name: string,
    path: Path,
    options?: { baseline?: boolean; n?: number; native?: boolean },
  ) => bench(group, name, "wasm", LARGE, stride, path, options);
  add("conv2d forward, wasm (same FLOPs)", paths.forward!, { baseline: true });
  if (native.active) {
    add("conv2d forward, oneDNN", paths.forward!, { native: true });
    add("Conv2DBackpropInput, oneDNN", paths.input!, { native: true });
    add("Conv2DBackpropFilter, oneDNN", paths.filter!, { native: true });
  }
  add("Conv2DBackpropInput, replacement (wasm)", paths.input!);
  add("Conv2DBackpropInput, wasm native (conv2dTranspose)", paths.nativeInput!, { n: 2 });
  add("Conv2DBackpropFilter, replacement (wasm)", paths.filter!);
  add("Conv2DBackpropFilter, im2col + matMul (wasm)", paths.im2col!, { n: 2 });
}

// The cpu backend was the only way to get a filter gradient before: compared
// on a smaller problem, as it needs minutes for the large one.
{
  const group = "conv grads 1x32x32x16 * 3x3x16x16, stride 1: wasm vs cpu kernels";
  bench(group, "Conv2DBackpropFilter, replacement (wasm)", "wasm", SMALL, 1, paths.filter!, {
    baseline: true,
  });
  bench(group, "Conv2DBackpropFilter, cpu backend", "cpu", SMALL, 1, paths.filter!, { n: 3 });
  bench(group, "Conv2DBackpropInput, replacement (wasm)", "wasm", SMALL, 1, paths.input!);
  bench(group, "Conv2DBackpropInput, cpu backend", "cpu", SMALL, 1, paths.input!, { n: 3 });
}
