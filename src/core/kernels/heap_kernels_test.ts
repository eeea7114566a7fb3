import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLessOrEqual, assertThrows } from "@std/assert";
import { useBackend } from "../backend.ts";
import { maxPoolGradInto, resizeNearestIndex, tileInto } from "./heap_kernels.ts";
import { nativeWasmKernel } from "./wasm_kernels.ts";
import { on } from "./_reference.ts";

// References: tfjs's cpu backend (TensorFlow's semantics) for the max-pool
// gradient and tile, wasm's own kernels (kept by registerWasmKernels) for the
// nearest-neighbour resizes, and the adjoint identity <R x, dy> = <x, Rᵀ dy>.

await useBackend("wasm");

/** Runs the wasm backend's own kernel that the heap kernel replaced. */
function original(name: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor {
  const config = nativeWasmKernel(name);
  assert(config !== undefined, `wasm's own ${name} was not kept`);
  const info = config.kernelFunc({
    inputs,
    backend: tf.backend(),
    attrs: attrs as unknown as tf.NamedAttrMap,
  }) as tf.TensorInfo;
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** Deterministic values in [-1, 1), quantised to `levels` steps when given (to make ties). */
function values(n: number, seed: number, levels?: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    out[i] = levels ? Math.floor(u * levels) / levels * 2 - 1 : u * 2 - 1;
  }
  return out;
}

type Shape4 = [number, number, number, number];

const RESIZES: [Shape4, [number, number]][] = [
  [[2, 8, 8, 3], [16, 16]],
  [[1, 5, 7, 2], [15, 21]],
  [[1, 6, 5, 1], [7, 11]],
  [[2, 9, 4, 4], [5, 3]],
  [[1, 1, 3, 2], [4, 1]],
  [[1, 7, 7, 16], [21, 14]],
];
const FLAGS = [
  { alignCorners: false, halfPixelCenters: false },
  { alignCorners: true, halfPixelCenters: false },
  { alignCorners: false, halfPixelCenters: true },
];

Deno.test("ResizeNearestNeighbor on the heap is wasm's own kernel, bit for bit", () => {
  for (const [shape, size] of RESIZES) {
    for (const flags of FLAGS) {
      tf.tidy(() => {
        const x = tf.tensor(values(shape.reduce((a, b) => a * b), 3), shape) as tf.Tensor4D;
        const ours = tf.image.resizeNearestNeighbor(
          x,
          size,
          flags.alignCorners,
          flags.halfPixelCenters,
        );
        const theirs = original("ResizeNearestNeighbor", { images: x }, { ...flags, size });
        assertEquals(ours.shape, theirs.shape);
        assertEquals(
          ours.dataSync(),
          theirs.dataSync(),
          `${shape} → ${size} ${JSON.stringify(flags)}`,
        );
      });
    }
  }
});

Deno.test("ResizeNearestNeighborGrad on the heap is the forward kernel's adjoint, and wasm's without half-pixel centres", () => {
  for (const [shape, size] of RESIZES) {
    for (const flags of FLAGS) {
      tf.tidy(() => {
        const n = shape.reduce((a, b) => a * b);
        const x = tf.tensor(values(n, 5), shape) as tf.Tensor4D;
        const outShape: Shape4 = [shape[0], size[0], size[1], shape[3]];
        const dy = tf.tensor(values(outShape.reduce((a, b) => a * b), 7), outShape) as tf.Tensor4D;
        const resize = (t: tf.Tensor4D) =>
          tf.image.resizeNearestNeighbor(t, size, flags.alignCorners, flags.halfPixelCenters);
        const dx = tf.grad((t) => tf.sum(tf.mul(resize(t as tf.Tensor4D), dy)))(x);
        const left = dot(resize(x).dataSync(), dy.dataSync());
        const right = dot(x.dataSync(), dx.dataSync());
        const label = `${shape} → ${size} ${JSON.stringify(flags)}`;
        assertLessOrEqual(
          Math.abs(left - right),
          1e-5 * (1 + Math.abs(left)),
          `${label}: ${left} vs ${right}`,
        );
        // wasm's own gradient divides by zero for a length-1 input axis with alignCorners.
        const degenerate = flags.alignCorners && (shape[1] === 1 || shape[2] === 1);
        if (!flags.halfPixelCenters && !degenerate) {
          const theirs = original("ResizeNearestNeighborGrad", { images: x, dy }, flags);
          assertEquals(dx.dataSync(), theirs.dataSync(), label);
        }
      });
    }
  }
});

Deno.test("resizeNearestIndex: integer scales replicate, align-corners rounds, sources stay in range", () => {
  assertEquals(Array.from(resizeNearestIndex(4, 8)), [0, 0, 1, 1, 2, 2, 3, 3]);
  assertEquals(Array.from(resizeNearestIndex(3, 9)), [0, 0, 0, 1, 1, 1, 2, 2, 2]);
  assertEquals(Array.from(resizeNearestIndex(4, 2)), [0, 2]);
  assertEquals(Array.from(resizeNearestIndex(3, 1, { alignCorners: true })), [0]);
  for (let inSize = 1; inSize < 40; inSize += 3) {
    for (let outSize = 1; outSize < 70; outSize += 5) {
      for (const flags of FLAGS) {
        const map = resizeNearestIndex(inSize, outSize, flags);
        assert(map.every((j, i) => j >= 0 && j < inSize && (i === 0 || j >= map[i - 1])));
      }
    }
  }
});

const POOLS: {
  shape: Shape4;
  filter: number | [number, number];
  stride: number | [number, number];
  pad: "valid" | "same" | number;
}[] = [
  { shape: [2, 8, 8, 3], filter: 2, stride: 2, pad: "valid" },
  { shape: [1, 9, 7, 5], filter: 2, stride: 2, pad: "same" },
  { shape: [2, 7, 9, 2], filter: 3, stride: 1, pad: "same" },
  { shape: [1, 10, 10, 4], filter: 3, stride: 2, pad: "valid" },
  { shape: [1, 9, 8, 3], filter: [3, 2], stride: [2, 1], pad: "same" },
  // A numeric pad only with square windows: tfjs sizes both axes from the height's filter and stride.
  { shape: [1, 9, 9, 3], filter: 3, stride: 2, pad: 1 },
  // Rounding modes: against PyTorch below (tfjs's cpu gradient drops the mode).
];

Deno.test("MaxPoolGrad on the heap matches cpu: first maximum of each window, ties and negatives included", async () => {
  for (const p of POOLS) {
    for (const levels of [undefined, 3]) {
      const n = p.shape.reduce((a, b) => a * b);
      const run = () => {
        const x = tf.tensor(values(n, 11, levels), p.shape) as tf.Tensor4D;
        const pool = (t: tf.Tensor4D) => tf.maxPool(t, p.filter, p.stride, p.pad);
        const dy = tf.tensor(values(pool(x).size, 13), pool(x).shape);
        return tf.grad((t) => tf.sum(tf.mul(pool(t as tf.Tensor4D), dy)))(x);
      };
      const want = await on("cpu", run);
      const got = await on("wasm", run);
      const label = `${JSON.stringify(p)} levels ${levels}`;
      assertEquals(got.shape, want.shape, label);
      const err = Math.max(...Array.from(got.values, (v, i) => Math.abs(v - want.values[i])));
      assertLessOrEqual(err, 1e-6, label);
    }
  }
});

Deno.test("MaxPool keeps tfjs's geometry where XNNPACK's differs (rounding modes, uneven numeric pads)", async () => {
  const cases: {
    shape: Shape4;
    filter: number | [number, number];
    stride: number | [number, number];
    pad: number | "same" | "valid";
    round?: "floor" | "round" | "ceil";
  }[] = [
    { shape: [1, 8, 8, 2], filter: 3, stride: 2, pad: 1, round: "ceil" },
    { shape: [2, 7, 9, 3], filter: 2, stride: 2, pad: 0, round: "round" },
    { shape: [1, 9, 8, 3], filter: [3, 2], stride: [2, 1], pad: 1 },
    { shape: [1, 8, 8, 2], filter: 2, stride: 2, pad: "valid" }, // XNNPACK's own
  ];
  for (const p of cases) {
    const n = p.shape.reduce((a, b) => a * b);
    const run = () =>
      tf.maxPool(
        tf.tensor(values(n, 17, 5), p.shape) as tf.Tensor4D,
        p.filter,
        p.stride,
        p.pad,
        p.round,
      );
    const want = await on("cpu", run);
    const got = await on("wasm", run);
    assertEquals(got.shape, want.shape, JSON.stringify(p));
    assertEquals(Array.from(got.values), Array.from(want.values), JSON.stringify(p));
  }
});

Deno.test("MaxPool and its gradient on wasm match PyTorch's max_pool2d, ceil mode included", async () => {
  // testdata/max_pool_reference.json: tools/fixtures/max_pool_fixtures.py (torch.nn.functional.max_pool2d).
  const ref = JSON.parse(
    await Deno.readTextFile(new URL("../../../testdata/max_pool_reference.json", import.meta.url)),
  ) as {
    cases: {
      name: string;
      shape: Shape4;
      kernel: number;
      stride: number;
      pad: number;
      rounding: "ceil" | "floor";
      outShape: Shape4;
      y: number[];
      dx: number[];
    }[];
  };
  await useBackend("wasm");
  for (const c of ref.cases) {
    tf.tidy(() => {
      const x = tf.tensor(values(c.shape.reduce((a, b) => a * b), 11), c.shape) as tf.Tensor4D;
      const dy = tf.tensor(values(c.outShape.reduce((a, b) => a * b), 13), c.outShape);
      const pool = (t: tf.Tensor4D) =>
        tf.maxPool(t, c.kernel, c.stride, c.pad, c.rounding === "ceil" ? "ceil" : undefined);
      const y = pool(x);
      assertEquals(y.shape, c.outShape, c.name);
      assertEquals(Array.from(y.dataSync()), Array.from(Float32Array.from(c.y)), `${c.name}: y`);
      const dx = tf.grad((t) => tf.sum(tf.mul(pool(t as tf.Tensor4D), dy)))(x).dataSync();
      const err = Math.max(...Array.from(dx, (v, i) => Math.abs(v - c.dx[i])));
      assertLessOrEqual(err, 1e-6, `${c.name}: dx`);
    });
  }
});

Deno.test("MaxPoolGrad on the heap routes the gradient of windows ≤ 0, which wasm's own kernel misroutes", () => {
  tf.tidy(() => {
    const x = tf.tensor4d([-3, -1, -2, -5], [1, 2, 2, 1]);
    const dy = tf.tensor4d([1], [1, 1, 1, 1]);
    const attrs = { filterSize: 2, strides: 2, pad: "valid" };
    const pool = (t: tf.Tensor4D) => tf.maxPool(t, 2, 2, "valid");
    const ours = tf.grad((t) => tf.sum(tf.mul(pool(t as tf.Tensor4D), dy)))(x);
    assertEquals(Array.from(ours.dataSync()), [0, 1, 0, 0]);
    // wasm's own sends it to offset 0 of the tensor (here the −3), as its search starts from +FLT_MIN.
    const theirs = original("MaxPoolGrad", { dy, input: x, output: pool(x) }, attrs);
    assertEquals(Array.from(theirs.dataSync()), [1, 0, 0, 0]);
  });
});

Deno.test("tileInto: zero repetitions, scalars along an axis, and named size errors", () => {
  const out = new Int32Array(0);
  tileInto(new Int32Array([1, 2]), [2], [0], out);
  const col = new Float32Array(6);
  tileInto(new Float32Array([4, 5]), [2, 1], [1, 3], col);
  assertEquals(Array.from(col), [4, 4, 4, 5, 5, 5]);
  assertThrows(
    () => tileInto(new Float32Array(2), [2], [2], new Float32Array(3)),
    RangeError,
    "4 elements, got 3",
  );
  assertThrows(
    () => tileInto(new Float32Array(2), [2], [2, 1], new Float32Array(4)),
    RangeError,
    "1 entries, got 2",
  );
});

Deno.test("maxPoolGradInto sums the gradients of overlapping windows", () => {
  const g = tf.backend_util.computePool2DInfo([1, 1, 3, 1], [1, 2], 1, 1, "valid");
  const dx = new Float32Array(3);
  maxPoolGradInto(new Float32Array([0, 9, 1]), new Float32Array([2, 3]), g, dx);
  assertEquals(Array.from(dx), [0, 5, 0]);
});

Deno.test("the heap kernels leave no tensors behind", () => {
  const x = tf.tensor(values(2 * 8 * 8 * 3, 1), [2, 8, 8, 3]) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    tf.tidy(() => {
      const f = (t: tf.Tensor) =>
        tf.sum(
          tf.tile(
            tf.image.resizeNearestNeighbor(tf.maxPool(t as tf.Tensor4D, 2, 2, "valid"), [8, 8]),
            [
              1,
              1,
              1,
              2,
            ],
          ),
        );
      tf.grad(f)(x).dataSync();
    });
  }
  assertEquals(tf.memory().numTensors, before);
  x.dispose();
});

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
