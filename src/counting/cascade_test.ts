import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { downsampleDensity } from "./downsample.ts";
import {
  cascadeForward,
  foregroundCrossEntropy,
  foregroundOf,
  maskImages,
  oracleBatch,
  segmentationAttentionForward,
  segmentationAttentionLoss,
  twoStageForward,
} from "./cascade.ts";
import { distilledBatch, distilledTargets } from "./distill.ts";
import { type CounterForward, densityOf, trainCounter } from "./train.ts";

await useBackend("cpu");

const images = tf.randomUniform([2, 6, 6, 3], 0, 1, "float32", 1) as tf.Tensor4D;
const density = tf.mul(
  tf.cast(tf.greater(tf.randomUniform([2, 6, 6, 1], 0, 1, "float32", 2), 0.6), "float32"),
  0.1,
) as tf.Tensor4D;

const max = (t: tf.Tensor) => tf.max(tf.abs(t)).dataSync()[0];

Deno.test("maskImages is exactly I ⊙ S, broadcast over channels; upsamples a coarse mask", () => {
  const s = tf.randomUniform([2, 6, 6, 1], 0, 1, "float32", 3) as tf.Tensor4D;
  const m = maskImages(images, s);
  const manual = tf.mul(images, tf.tile(s, [1, 1, 1, 3]));
  assertEquals(Array.from(m.dataSync()), Array.from(manual.dataSync()));
  const coarse = maskImages(images, tf.ones([2, 3, 3, 1]) as tf.Tensor4D);
  assertEquals(coarse.shape, [2, 6, 6, 3]);
  assertAlmostEquals(max(tf.sub(coarse, images)), 0, 1e-6);
  assertThrows(
    () => maskImages(images, tf.ones([1, 6, 6, 1]) as tf.Tensor4D),
    RangeError,
    "mask must be [2, h, w, 1]",
  );
  tf.dispose([s, m, manual, coarse]);
});

Deno.test("oracleBatch zeroes the background of the input, keeps the targets", () => {
  const b = oracleBatch(() => ({ images: tf.clone(images), targets: tf.clone(density) }))();
  const fg = foregroundOf(density);
  assertEquals(Array.from(b.images.dataSync()), Array.from(tf.mul(images, fg).dataSync()));
  assertEquals(Array.from(b.targets.dataSync()), Array.from(density.dataSync()));
  tf.dispose([b.images, b.targets, fg]);
});

Deno.test("cascadeForward feeds f_d exactly I ⊙ σ(f_s(I)), soft or hard", () => {
  const logits = tf.randomNormal([2, 6, 6, 1], 0, 2, "float32", 4) as tf.Tensor4D;
  const segmenter = () => tf.clone(logits);
  let seen: tf.Tensor4D | undefined;
  const counter: CounterForward = (x) => {
    seen?.dispose();
    seen = tf.keep(tf.clone(x));
    return tf.sum(x, 3, true) as tf.Tensor4D;
  };
  for (const hard of [false, true]) {
    const out = cascadeForward(segmenter, counter, { hard })(images, false);
    const p = tf.sigmoid(logits);
    const mask = hard ? tf.cast(tf.greater(p, 0.5), "float32") : p;
    assertEquals(Array.from(seen!.dataSync()), Array.from(tf.mul(images, mask).dataSync()));
    assert(!(out instanceof tf.Tensor) && out.mask !== undefined);
    tf.dispose([p, mask, densityOf(out), out.mask as tf.Tensor]);
  }
  tf.dispose([logits, seen!]);
});

Deno.test("segmentation attention (Modolo) trains both networks; two-stage counts on the map", async () => {
  const ws = tf.variable(tf.randomNormal([1, 1, 3, 1], 0, 0.5, "float32", 5), true);
  const wd = tf.variable(tf.randomNormal([3, 3, 3, 1], 0, 0.5, "float32", 6), true);
  const seg = (x: tf.Tensor4D) => tf.conv2d(x, ws as tf.Tensor4D, 1, "same");
  const cnt: CounterForward = (x) => tf.conv2d(x, wd as tf.Tensor4D, 1, "same");
  const fwd = segmentationAttentionForward(seg, cnt);
  const before = Array.from(ws.dataSync());
  const r = await trainCounter(fwd, {
    steps: 5,
    lr: 0.01,
    variables: { ws, wd },
    batch: () => ({ images: tf.clone(images), targets: tf.clone(density) }),
    loss: "l1",
    lossTerms: segmentationAttentionLoss(1),
  });
  assertEquals(r.steps, 5);
  assert(Array.from(ws.dataSync()).some((v, i) => v !== before[i]), "f_s was not trained");
  // two-stage: f_d sees one channel
  const wd1 = tf.variable(tf.ones([1, 1, 1, 1]));
  const out = twoStageForward(seg, (x) => {
    assertEquals(x.shape, [2, 6, 6, 1]);
    return tf.conv2d(x, wd1 as tf.Tensor4D, 1, "same");
  })(images, false);
  const p = tf.sigmoid(seg(images));
  assertAlmostEquals(max(tf.sub(densityOf(out), p)), 0, 1e-6);
  tf.dispose([ws, wd, wd1, p, densityOf(out)]);
});

Deno.test("foregroundCrossEntropy is low for logits that agree with the foreground", () => {
  const fg = foregroundOf(density);
  const good = tf.mul(tf.sub(fg, 0.5), 20) as tf.Tensor4D;
  const bad = tf.neg(good) as tf.Tensor4D;
  assert(foregroundCrossEntropy(good, density).dataSync()[0] < 1e-3);
  assert(foregroundCrossEntropy(bad, density).dataSync()[0] > 5);
  tf.dispose([fg, good, bad]);
});

Deno.test("distilled targets come from the frozen auxiliary network on I ⊙ (D > 0)", async () => {
  const wa = tf.variable(tf.randomUniform([3, 3, 3, 1], 0, 0.2, "float32", 7), true);
  const aux: CounterForward = (x) =>
    tf.avgPool(tf.conv2d(x, wa as tf.Tensor4D, 1, "same"), 2, 2, "valid") as tf.Tensor4D;
  const batch = { images, targets: density };
  const t = distilledTargets(aux, batch, { outputStride: 2, densityScale: 100 });
  assertEquals(t.shape, [2, 6, 6, 1]);
  // sum-pooling by the stride gives f_a(Ĩ) / scale back exactly
  const blacked = maskImages(images, foregroundOf(density));
  const expected = tf.div(tf.relu(densityOf(aux(blacked, false))), 100);
  assertAlmostEquals(max(tf.sub(downsampleDensity(t, 2), expected)), 0, 1e-7);
  // training the student leaves the auxiliary network unchanged
  const frozen = Array.from(wa.dataSync());
  const wd = tf.variable(tf.randomNormal([3, 3, 3, 1], 0, 0.1, "float32", 8), true);
  await trainCounter((x) => tf.conv2d(x, wd as tf.Tensor4D, 1, "same"), {
    steps: 3,
    variables: { wd },
    loss: "l1",
    batch: distilledBatch(() => ({ images: tf.clone(images), targets: tf.clone(density) }), aux, {
      outputStride: 2,
    }),
  });
  assertEquals(Array.from(wa.dataSync()), frozen);
  tf.dispose([wa, wd, t, blacked, expected]);
});

Deno.test("the cascade trains f_d on the masked input without touching f_s or leaking", async () => {
  const ws = tf.variable(tf.randomNormal([1, 1, 3, 1], 0, 0.5, "float32", 9), true);
  const wd = tf.variable(tf.randomNormal([3, 3, 3, 1], 0, 0.5, "float32", 10), true);
  const fwd = cascadeForward(
    (x) => tf.conv2d(x, ws as tf.Tensor4D, 1, "same"),
    (x) => tf.conv2d(x, wd as tf.Tensor4D, 1, "same"),
  );
  const s0 = Array.from(ws.dataSync()), d0 = Array.from(wd.dataSync());
  const before = tf.memory().numTensors;
  await trainCounter(fwd, {
    steps: 4,
    lr: 0.01,
    variables: { wd },
    loss: "l1",
    batch: () => ({ images: tf.clone(images), targets: tf.clone(density) }),
  });
  assertEquals(tf.memory().numTensors, before);
  assertEquals(Array.from(ws.dataSync()), s0);
  assert(Array.from(wd.dataSync()).some((v, i) => v !== d0[i]));
  tf.dispose([ws, wd]);
});
