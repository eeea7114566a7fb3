import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLessOrEqual } from "@std/assert";
import { useBackend } from "../backend.ts";
import { nativeWasmKernel, WASM_GRADIENT_KERNELS } from "./wasm_kernels.ts";
import { type Data, on, random, relativeError, tensor } from "./_reference.ts";

// Reference: the same tfjs ops and gradients run on the cpu backend. The
// tests that touch convolutions run twice: with oneDNN's native kernels over
// the wasm ones (when libdnnl is installed) and with the wasm kernels alone.
const TOLERANCE = 1e-5;

const probe = await useBackend("wasm");
if (!probe.native.active) {
  console.log(`wasm_kernels_test: skipping the native half: ${probe.native.reason}`);
}
const MODES = [
  { native: true, ignore: !probe.native.active, label: "with oneDNN" },
  { native: false, ignore: false, label: "wasm kernels alone" },
];

Deno.test("useBackend('wasm') registers the gradient kernels", async () => {
  await useBackend("wasm");
  for (const name of WASM_GRADIENT_KERNELS) {
    assert(tf.getKernel(name, "wasm") !== undefined, `${name} missing on wasm`);
  }
  const native = nativeWasmKernel("Conv2DBackpropInput");
  assert(native !== undefined, "the native Conv2DBackpropInput was not kept");
  assert(tf.getKernel("Conv2DBackpropInput", "wasm") !== native, "native kernel still active");
  assertEquals(nativeWasmKernel("Conv2DBackpropFilter"), undefined);
});

/** A model touching every registered kernel: conv (strided and not), depthwise, fused conv, tile. */
function lossOf(x: tf.Tensor4D, w: tf.Variable[]): tf.Scalar {
  const [w1, w2, w3, w4] = w as unknown as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  let h = tf.conv2d(x, w1, 1, "same");
  h = tf.conv2d(tf.leakyRelu(h, 0.2), w2, 2, "valid");
  h = tf.depthwiseConv2d(h, w3, [1, 1], "same");
  h = tf.fused.conv2d({ x: h, filter: w4, strides: 2, pad: "same", activation: "relu" });
  // batch norm's gradient tiles the per-channel statistics
  const { mean, variance } = tf.moments(h, [0, 1, 2]);
  h = tf.batchNorm(
    h,
    mean,
    variance,
    tf.linspace(-0.5, 0.5, 4),
    tf.range(1, 5),
    1e-3,
  ) as tf.Tensor4D;
  // a loss whose gradient the normalisation does not project out
  return tf.sum(tf.mul(h, tf.sin(tf.reshape(tf.range(0, h.size), h.shape))));
}

async function gradsOn(backend: "cpu" | "wasm", data: Data[]): Promise<Data[]> {
  await useBackend(backend);
  const x = tensor(data[0]!);
  const vars = data.slice(1).map((d) => tf.variable(tensor(d)));
  const out: Data[] = [];
  const { value, grads } = tf.variableGrads(() => lossOf(x, vars), vars);
  out.push({ values: Float32Array.from(value.dataSync()), shape: [] });
  for (const v of vars) {
    const g = grads[v.name]!;
    out.push({ values: Float32Array.from(g.dataSync()), shape: g.shape });
  }
  tf.dispose([x, value, ...Object.values(grads), ...vars]);
  return out;
}

for (const mode of MODES) {
  Deno.test({
    name:
      `gradients of conv2d, depthwise, fused conv and batch norm on wasm (${mode.label}) match cpu`,
    ignore: mode.ignore,
    fn: async () => {
      await useBackend("wasm", { native: mode.native });
      const data = [
        random([2, 11, 10, 3], 1),
        random([3, 3, 3, 6], 2),
        random([3, 3, 6, 5], 3),
        random([3, 3, 5, 2], 4),
        random([3, 3, 10, 4], 5),
      ];
      const ref = await gradsOn("cpu", data);
      const got = await gradsOn("wasm", data);
      ref.forEach((r, i) => {
        assertLessOrEqual(relativeError(got[i]!, r), TOLERANCE, `output ${i}`);
      });
    },
  });

  Deno.test({
    name: `wasm gradient kernels (${mode.label}) release every intermediate tensor`,
    ignore: mode.ignore,
    fn: async () => {
      await useBackend("wasm", { native: mode.native });
      const x = tf.variable(tensor(random([1, 9, 9, 3], 6)));
      const w = tf.variable(tensor(random([3, 3, 3, 4], 7)));
      const dw = tf.variable(tensor(random([3, 3, 3, 2], 8)));
      const step = () =>
        tf.tidy(() =>
          tf.variableGrads(() =>
            tf.add(
              tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same")),
              tf.sum(tf.depthwiseConv2d(x as tf.Tensor4D, dw as tf.Tensor4D, 1, "valid")),
            )
          ).value
        ).dispose();
      step();
      const before = tf.memory();
      const backendBefore = tf.backend().numDataIds();
      for (let i = 0; i < 3; i++) step();
      assertEquals(tf.memory().numTensors, before.numTensors);
      assertEquals(tf.memory().numDataBuffers, before.numDataBuffers);
      assertEquals(tf.backend().numDataIds(), backendBefore);
      tf.dispose([x, w, dw]);
    },
  });

  Deno.test({
    name: `the Conv2DBackpropInput registered (${mode.label}) agrees with wasm's own one`,
    ignore: mode.ignore,
    fn: async () => {
      await useBackend("wasm", { native: mode.native });
      const dy = random([1, 6, 6, 4], 9), w = random([3, 3, 2, 4], 10);
      const native = nativeWasmKernel("Conv2DBackpropInput")!;
      const attrs = { strides: 2, pad: "same", dataFormat: "NHWC", inputShape: [1, 12, 11, 2] };
      const theirs = await on("wasm", () => {
        const backend = tf.backend();
        native.setupFunc?.(backend);
        const info = native.kernelFunc({
          inputs: { dy: tensor(dy), filter: tensor(w) },
          backend,
          attrs: attrs as unknown as tf.NamedAttrMap,
        }) as tf.TensorInfo;
        return tf.engine().makeTensorFromTensorInfo(info);
      });
      const ours = await on(
        "wasm",
        () =>
          tf.engine().runKernel(
            "Conv2DBackpropInput",
            { dy: tensor(dy), filter: tensor(w) },
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor,
      );
      assertLessOrEqual(relativeError(ours, theirs), TOLERANCE);
    },
  });
}

Deno.test("gather's gradient (UnsortedSegmentSum) on wasm matches cpu", async () => {
  const x = random([5, 3, 4], 11);
  const grad = () =>
    tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, [2, 0, 2, 1, 2], 1))))(tensor(x));
  const ref = await on("cpu", grad);
  const got = await on("wasm", grad);
  assertLessOrEqual(relativeError(got, ref), TOLERANCE);
  // out-of-range ids are dropped, as on cpu
  const segments = () =>
    tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]), [1, -1, 1, 3], 3);
  const want = await on("cpu", segments);
  assertEquals(Array.from((await on("wasm", segments)).values), Array.from(want.values));
  assertEquals(Array.from(want.values), [0, 0, 6, 8, 0, 0]);
});

Deno.test("Tile on wasm matches cpu for every rank, dtype and repetition count", async () => {
  const cases: [number[], number[]][] = [
    [[3], [5]],
    [[2, 3], [3, 1]],
    [[1, 1, 1, 4], [2, 7, 6, 1]],
    [[2, 1, 3, 2], [1, 4, 1, 3]],
    [[2, 2, 1, 2, 1], [1, 3, 2, 1, 5]],
  ];
  for (const dtype of ["float32", "int32", "bool"] as const) {
    for (const [shape, reps] of cases) {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = dtype === "bool"
        ? Array.from({ length: size }, (_, i) => i % 3 === 0)
        : Array.from({ length: size }, (_, i) => i);
      const run = () => tf.cast(tf.tile(tf.tensor(values, shape, dtype), reps), "float32");
      const want = await on("cpu", run);
      const got = await on("wasm", run);
      assertEquals(got.shape, want.shape, `${dtype} ${shape} x ${reps}`);
      assertEquals(Array.from(got.values), Array.from(want.values), `${dtype} ${shape} x ${reps}`);
    }
  }
  const broadcast = () => tf.broadcastTo(tf.tensor2d([[1], [2]]), [3, 2, 4]);
  assertEquals(
    Array.from((await on("wasm", broadcast)).values),
    Array.from((await on("cpu", broadcast)).values),
  );
});

Deno.test("wasm's own gradients used by the networks match cpu", async () => {
  // resize, reflection padding, pooling and activations: native wasm kernels,
  // checked here because the DIP and chapter 3 networks train through them
  const x = random([1, 7, 6, 3], 12);
  const weights = random([1, 14, 12, 3], 13);
  const ops: Record<string, (t: tf.Tensor4D) => tf.Tensor> = {
    resizeBilinear: (t) => tf.image.resizeBilinear(t, [14, 12]),
    resizeBilinearCorners: (t) => tf.image.resizeBilinear(t, [14, 12], true),
    resizeNearest: (t) => tf.image.resizeNearestNeighbor(t, [14, 12]),
    mirrorPadReflect: (t) => tf.mirrorPad(t, [[0, 0], [3, 4], [2, 4], [0, 0]], "reflect"),
    mirrorPadSymmetric: (t) => tf.mirrorPad(t, [[0, 0], [4, 3], [3, 3], [0, 0]], "symmetric"),
    avgPool: (t) => tf.avgPool(t, 2, 2, "same"),
    maxPool: (t) => tf.maxPool(t, 3, 2, "valid"),
    activations: (t) =>
      tf.concat([
        tf.sigmoid(t),
        tf.elu(t),
        tf.prelu(t, tf.tensor4d([0.1, 0.2, 0.3], [1, 1, 1, 3])),
        tf.tanh(t),
      ], 3),
  };
  for (const [name, op] of Object.entries(ops)) {
    const grad = () =>
      tf.grad((t: tf.Tensor) => {
        const y = op(t as tf.Tensor4D);
        const w = tf.slice(tf.tile(tensor(weights), [1, 2, 2, 4]), 0, y.shape);
        return tf.sum(tf.mul(y, w));
      })(tensor(x));
    const ref = await on("cpu", grad);
    assertLessOrEqual(relativeError(await on("wasm", grad), ref), TOLERANCE, name);
  }
});

Deno.test({
  name:
    "registered before the wasm backend starts, the replaced kernels still run (their setup is kept)",
  sanitizeResources: false,
  async fn() {
    const here = new URL("./wasm_kernels.ts", import.meta.url).href;
    const code = `
      import * as tf from "@tensorflow/tfjs";
      import { registerWasmKernels } from "${here}";
      await registerWasmKernels();
      await tf.setBackend("wasm");
      const x = tf.randomUniform([1, 8, 8, 3]);
      const ints = tf.randomUniform([1, 4, 4, 1], 0, 10, "int32");
      console.log(JSON.stringify([tf.maxPool(x, 2, 2, "valid").shape, tf.image.resizeNearestNeighbor(ints, [8, 8]).shape]));
    `;
    const config = new URL("../../../deno.json", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--config", config, code],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    assert(stdout.includes("[[1,4,4,3],[1,8,8,1]]"), stdout);
  },
});
