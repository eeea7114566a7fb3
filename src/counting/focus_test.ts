import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { Rng } from "../core/rng.ts";
import { bilinearPool } from "./bilinear_pool.ts";
import { globalDensityFocalLoss, segmentationFocalLoss } from "./focal_loss.ts";
import { createFocusHeads, focusDensityLoss, focusLossTerms } from "./focus.ts";
import { type CounterBatch, trainCounter } from "./train.ts";

await useBackend("cpu");

// Values from tools/fixtures/counting_focus_fixtures.py (numpy, float64, from the equations).
const ref = JSON.parse(
  await Deno.readTextFile(
    new URL("../../testdata/counting_focus/focus_reference.json", import.meta.url),
  ),
);

const close = (a: number, b: number, rel = 1e-5) =>
  assertAlmostEquals(a, b, rel * Math.max(1, Math.abs(b)));

Deno.test("segmentationFocalLoss matches numpy in both forms (eq. 4.3)", () => {
  const p = tf.tensor4d(ref.segmentation.probabilities);
  const s = tf.tensor4d(ref.segmentation.segmentation);
  for (const form of ["thesis", "author"] as const) {
    const l = segmentationFocalLoss(p, s, { form });
    close(l.dataSync()[0], ref.segmentation.loss[form]);
    l.dispose();
  }
  assertThrows(() => segmentationFocalLoss(s, s), RangeError, "2 channels");
  tf.dispose([p, s]);
});

Deno.test("globalDensityFocalLoss matches numpy in both forms (eq. 4.6)", () => {
  const p = tf.tensor2d(ref.global_density.probabilities);
  const levels = tf.tensor1d(ref.global_density.levels, "int32");
  for (const form of ["thesis", "author"] as const) {
    const l = globalDensityFocalLoss(p, levels, { form });
    close(l.dataSync()[0], ref.global_density.loss[form]);
    l.dispose();
  }
  const bad = tf.tensor1d([0, 1]);
  assertThrows(() => globalDensityFocalLoss(p, bad), RangeError, "levels must have shape [3]");
  tf.dispose([p, levels, bad]);
});

Deno.test("focusDensityLoss matches numpy in both forms (eq. 4.8)", () => {
  const p = tf.tensor4d(ref.density.predicted);
  const t = tf.tensor4d(ref.density.target);
  for (const form of ["thesis", "author"] as const) {
    close(focusDensityLoss(p, t, form).dataSync()[0], ref.density.loss[form]);
  }
  tf.dispose([p, t]);
});

Deno.test("bilinearPool matches numpy in both orders", () => {
  const v = tf.tensor4d(ref.bilinear.features);
  for (const order of ["author", "thesis"] as const) {
    const got = bilinearPool(v, { order }).arraySync();
    got.forEach((row, i) =>
      row.forEach((x, j) => close(x, ref.bilinear.pooled[order][i][j], 1e-4))
    );
  }
  v.dispose();
});

Deno.test("focus heads: shapes per branch kind, stable variable names, no leaks", () => {
  const v = tf.randomUniform([2, 5, 6, 4], 0, 1, "float32", 1) as tf.Tensor4D;
  for (const spatial of ["focus", "attention", "none"] as const) {
    for (const channel of ["focus", "attention", "none"] as const) {
      const heads = createFocusHeads({ channels: 4, levels: 3, spatial, channel });
      const before = tf.memory().numTensors;
      const out = tf.tidy(() => {
        const o = heads.apply(v);
        return { density: o.density.shape, seg: o.segmentation?.shape, lv: o.levels?.shape };
      });
      assertEquals(tf.memory().numTensors, before);
      assertEquals(out.density, [2, 5, 6, 1]);
      assertEquals(out.seg, spatial === "focus" ? [2, 5, 6, 2] : undefined);
      assertEquals(out.lv, channel === "focus" ? [2, 3] : undefined);
      assert(Object.keys(heads.variables).every((k) => k.startsWith("focus/")));
      heads.dispose();
    }
  }
  assertThrows(
    () => createFocusHeads({ channels: 3 }).apply(v),
    RangeError,
    "features must be [B, H, W, 3]",
  );
  v.dispose();
});

Deno.test("focus heads: one seed, one network; the attention maps average to 1", () => {
  const v = tf.randomUniform([1, 4, 4, 3], 0, 1, "float32", 2) as tf.Tensor4D;
  const a = createFocusHeads({ channels: 3, seed: 5 });
  const b = createFocusHeads({ channels: 3, seed: 5 });
  assertEquals(
    Array.from(a.apply(v).density.dataSync()),
    Array.from(b.apply(v).density.dataSync()),
  );
  const att = createFocusHeads({ channels: 3, spatial: "attention", channel: "attention" });
  const o = att.apply(v);
  close(tf.mean(o.spatialMap!).dataSync()[0], 1);
  close(tf.mean(o.channelWeights!).dataSync()[0], 1);
  tf.dispose([v]);
  [a, b, att].forEach((h) => h.dispose());
});

Deno.test("the segmentation probability reaches the density without gradient (stopGradient)", () => {
  const v = tf.randomUniform([1, 3, 3, 2], 0, 1, "float32", 3) as tf.Tensor4D;
  for (const stopGradient of [true, false]) {
    const heads = createFocusHeads({ channels: 2, channel: "none", stopGradient });
    const segW = heads.variables["focus/segmentation/kernel"];
    const g = tf.variableGrads(() => tf.sum(heads.apply(v).density) as tf.Scalar, [segW]);
    const norm = tf.norm(g.grads[segW.name]).dataSync()[0];
    if (stopGradient) assertEquals(norm, 0);
    else assert(norm > 0);
    tf.dispose(Object.values(g.grads));
    g.value.dispose();
    heads.dispose();
  }
  v.dispose();
});

Deno.test("a base network with focus heads overfits a tiny set (loss falls 5x), gradients finite", async () => {
  // base: one 3x3 conv to 4 channels + ReLU; heads on top; blobs of 2-5 objects
  const rng = new Rng(3);
  const size = 12;
  const make = (): CounterBatch => {
    const img = new Float32Array(2 * size * size), den = new Float32Array(2 * size * size);
    const seg = new Float32Array(2 * size * size);
    const levels: number[] = [];
    for (let b = 0; b < 2; b++) {
      const n = 2 + 3 * b;
      levels.push(b);
      for (let k = 0; k < n; k++) {
        const cx = 2 + rng.next() * (size - 4), cy = 2 + rng.next() * (size - 4);
        let mass = 0;
        const g = new Float32Array(size * size);
        for (let i = 0; i < size * size; i++) {
          const x = i % size, y = Math.floor(i / size);
          g[i] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 2);
          mass += g[i];
        }
        for (let i = 0; i < size * size; i++) {
          img[b * size * size + i] += g[i];
          den[b * size * size + i] += g[i] / mass;
          if (g[i] > Math.exp(-0.5)) seg[b * size * size + i] = 1;
        }
      }
    }
    return {
      images: tf.tensor4d(img, [2, size, size, 1]),
      targets: tf.tensor4d(den, [2, size, size, 1]),
      segmentation: tf.tensor4d(seg, [2, size, size, 1]),
      levels: tf.tensor1d(levels, "int32"),
    };
  };
  const fixed = make();
  const w = tf.variable(tf.randomNormal([3, 3, 1, 4], 0, 0.5, "float32", 1), true);
  const heads = createFocusHeads({ channels: 4, levels: 2, seed: 1 });
  const before = tf.memory().numTensors;
  const r = await trainCounter(
    (x) => heads.apply(tf.relu(tf.conv2d(x, w as tf.Tensor4D, 1, "same")) as tf.Tensor4D),
    {
      steps: 150,
      lr: 0.02,
      variables: { "base/w": w, ...heads.variables },
      batch: () => ({
        images: tf.clone(fixed.images),
        targets: tf.clone(fixed.targets),
        segmentation: tf.clone(fixed.segmentation!),
        levels: tf.clone(fixed.levels!),
      }),
      loss: (p, t) => focusDensityLoss(p, t, "author"),
      lossTerms: focusLossTerms(),
    },
  );
  assertEquals(tf.memory().numTensors, before);
  const loss = r.history.series("loss").y;
  assert(loss.every(Number.isFinite));
  assert(loss.at(-1)! < loss[0] / 5, `loss ${loss[0]} -> ${loss.at(-1)}`);
  heads.dispose();
  tf.dispose([w, fixed.images, fixed.targets, fixed.segmentation!, fixed.levels!]);
});
