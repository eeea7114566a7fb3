import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng.ts";
import { Conv2d, conv2d, reflectPad } from "./conv.ts";

await tf.setBackend("cpu");

const reflect = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);

/** A direct NHWC convolution (N = 1), the PyTorch way: output i centred on input s·i. */
function naiveConv(
  x: ArrayLike<number>,
  [h, w, c]: number[],
  k: ArrayLike<number>,
  [ks, , , o]: number[],
  stride: number,
  pad: "zero" | "reflect",
): number[] {
  const r = (ks - 1) / 2;
  const oh = Math.floor((h - 1) / stride) + 1, ow = Math.floor((w - 1) / stride) + 1;
  const out: number[] = [];
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      for (let q = 0; q < o; q++) {
        let acc = 0;
        for (let di = 0; di < ks; di++) {
          for (let dj = 0; dj < ks; dj++) {
            let y = i * stride + di - r, xx = j * stride + dj - r;
            if (pad === "reflect") [y, xx] = [reflect(y, h), reflect(xx, w)];
            if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
            for (let ci = 0; ci < c; ci++) {
              acc += x[(y * w + xx) * c + ci] * k[((di * ks + dj) * c + ci) * o + q];
            }
          }
        }
        out.push(acc);
      }
    }
  }
  return out;
}

Deno.test("reflectPad mirrors without repeating the edge (PyTorch ReflectionPad2d)", () => {
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  const y = reflectPad(x, 1);
  assertEquals(Array.from(y.dataSync()), [
    5,
    4,
    5,
    6,
    5,
    2,
    1,
    2,
    3,
    2,
    5,
    4,
    5,
    6,
    5,
    8,
    7,
    8,
    9,
    8,
    5,
    4,
    5,
    6,
    5,
  ]);
  tf.dispose([x, y]);
  assertThrows(() => reflectPad(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, 2), RangeError, "> 2");
});

Deno.test("reflectPad's gradient counts every mirrored copy (tf.mirrorPad's does not)", () => {
  const [h, w, p] = [4, 5, 2];
  const x = tf.zeros([1, h, w, 1]) as tf.Tensor4D;
  const weights = new Rng(0).normalTensor([1, h + 2 * p, w + 2 * p, 1]);
  const g = tf.grad((a: tf.Tensor) => reflectPad(a as tf.Tensor4D, p).mul(weights).sum())(x);
  const wv = weights.dataSync();
  const expected = new Array<number>(h * w).fill(0);
  for (let i = 0; i < h + 2 * p; i++) {
    for (let j = 0; j < w + 2 * p; j++) {
      expected[reflect(i - p, h) * w + reflect(j - p, w)] += wv[i * (w + 2 * p) + j];
    }
  }
  const got = g.dataSync();
  expected.forEach((e, i) => assertAlmostEquals(got[i], e, 1e-5));
  tf.dispose([x, weights, g]);
});

for (const pad of ["zero", "reflect"] as const) {
  for (const stride of [1, 2]) {
    Deno.test(`conv2d matches a direct convolution (pad ${pad}, stride ${stride})`, () => {
      const rng = new Rng(stride * 7 + pad.length);
      const shape = [7, 6, 3], kshape = [3, 3, 3, 2];
      const x = rng.normalTensor([1, ...shape]) as tf.Tensor4D;
      const k = rng.normalTensor(kshape) as tf.Tensor4D;
      const bias = tf.tensor1d([0.5, -1]);
      const y = conv2d(x, k, { stride, pad, bias });
      const ref = naiveConv(x.dataSync(), shape, k.dataSync(), kshape, stride, pad);
      assertEquals(y.shape, [1, Math.ceil(7 / stride), Math.ceil(6 / stride), 2]);
      const got = y.dataSync();
      ref.forEach((r, i) => assertAlmostEquals(got[i], r + (i % 2 === 0 ? 0.5 : -1), 1e-4));
      tf.dispose([x, k, bias, y]);
    });
  }
}

Deno.test("conv2d validates its arguments", () => {
  const x = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
  assertThrows(() => conv2d(x, tf.zeros([3, 3, 2, 4]) as tf.Tensor4D), RangeError, "[*, *, 3, *]");
  assertThrows(() => conv2d(x, tf.zeros([2, 2, 3, 4]) as tf.Tensor4D), RangeError, "odd");
  assertThrows(
    () => conv2d(x, tf.zeros([3, 3, 3, 4]) as tf.Tensor4D, { pad: "same" as "zero" }),
    RangeError,
    '"reflect", "zero", "none"',
  );
  x.dispose();
});

Deno.test("Conv2d owns its variables and reports them under stable names", () => {
  const before = tf.memory().numTensors;
  const conv = new Conv2d(3, 8, { lambda: 2, rng: new Rng(0) });
  assertEquals(Object.keys(conv.variables("c")), ["c/w", "c/b"]);
  assertEquals(Object.keys(conv.state("c")), ["c/u"]);
  assertEquals(conv.weight.shape, [3, 3, 3, 8]);
  const x = tf.zeros([1, 5, 5, 3]) as tf.Tensor4D;
  const n = tf.memory().numTensors;
  const y = conv.apply(x, { training: true });
  assertEquals(tf.memory().numTensors, n + 1);
  tf.dispose([x, y]);
  conv.dispose();
  assertEquals(tf.memory().numTensors, before);
});
