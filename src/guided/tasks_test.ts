import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertEquals,
  assertGreater,
  assertLess,
  assertNotEquals,
  assertThrows,
} from "@std/assert";
import { Rng } from "../core/rng.ts";
import { renderRgbdScene } from "./synthetic_rgbd.ts";
import { downUp, type GuidedTask, makeSample, taskChannels, trainingBatch } from "./tasks.ts";
import { maxAbsDiff } from "./_testing.ts";

await tf.setBackend("cpu");

Deno.test("renderRgbdScene: deterministic, valid ranges, depth edges and colour edges", () => {
  const a = renderRgbdScene([40, 56], new Rng(5)), b = renderRgbdScene([40, 56], new Rng(5));
  assertEquals(maxAbsDiff(a.rgb, b.rgb), 0);
  assertEquals(maxAbsDiff(a.depth, b.depth), 0);
  const c = renderRgbdScene([40, 56], new Rng(6));
  assertGreater(maxAbsDiff(a.depth, c.depth), 0.01);
  const [dmin, dmax] = [a.depth.min().dataSync()[0], a.depth.max().dataSync()[0]];
  assert(dmin > 0 && dmax <= 1, `depth in (0, 1]: ${dmin}..${dmax}`);
  const [cmin, cmax] = [a.rgb.min().dataSync()[0], a.rgb.max().dataSync()[0]];
  assert(cmin >= 0 && cmax <= 1);
  // Objects in front of the wall: the depth spans a real range.
  assertGreater(dmax - dmin, 0.1);
  tf.dispose([a.rgb, a.depth, b.rgb, b.depth, c.rgb, c.depth]);
});

Deno.test("makeSample: each task's guide, target and truth", () => {
  const { rgb, depth } = renderRgbdScene([32, 32], new Rng(1));
  const tasks: [GuidedTask, number[]][] = [
    [{ kind: "depth-upsampling", scale: 4 }, [1, 1]],
    [{ kind: "depth-denoising", sigma: 25 }, [1, 1]],
    [{ kind: "image-denoising", sigma: 50 }, [3, 3]],
    [{ kind: "joint-upsampling", scale: 4 }, [1, 3]],
  ];
  for (const [task, [cg, ct]] of tasks) {
    assertEquals(taskChannels(task), [cg, ct]);
    const s = makeSample(task, { rgb, depth }, new Rng(2));
    assertEquals(s.guide.shape, [32, 32, cg], task.kind);
    assertEquals(s.target.shape, [32, 32, ct], task.kind);
    assertEquals(s.truth.shape, [32, 32, ct], task.kind);
    assertGreater(maxAbsDiff(s.target, s.truth), 0.01, task.kind);
    tf.dispose([s.guide, s.target, s.truth]);
  }
  // Denoising: the noise level is σ/255.
  const s = makeSample({ kind: "depth-denoising", sigma: 25 }, { rgb, depth }, new Rng(3));
  const std = tf.tidy(() => tf.moments(tf.sub(s.target, s.truth)).variance.sqrt().dataSync()[0]);
  assertLess(Math.abs(std - 25 / 255), 0.01);
  tf.dispose([rgb, depth, s.guide, s.target, s.truth]);
  assertThrows(
    () => makeSample({ kind: "depth-denoising", sigma: 5 }, { rgb }, new Rng(0)),
    TypeError,
    "depth",
  );
});

Deno.test("downUp: constant images stay constant; a ×4 step is blurred but kept on average", () => {
  const c = tf.fill([16, 16, 1], 0.3) as tf.Tensor3D;
  const y = downUp(c, 4);
  assertLess(maxAbsDiff(y, c), 1e-5);
  tf.dispose([c, y]);
});

Deno.test("trainingBatch: a function of (seed, step) only", () => {
  const task: GuidedTask = { kind: "depth-upsampling", scale: 4 };
  const a = trainingBatch(task, { seed: 1, step: 3, batch: 2, patch: [16, 16] });
  const b = trainingBatch(task, { seed: 1, step: 3, batch: 2, patch: [16, 16] });
  const c = trainingBatch(task, { seed: 1, step: 4, batch: 2, patch: [16, 16] });
  assertEquals(a.guide.shape, [2, 16, 16, 1]);
  assertEquals(maxAbsDiff(a.target, b.target), 0);
  assertNotEquals(maxAbsDiff(a.truth, c.truth), 0);
  // Colour tasks crop the given images.
  const image = tf.randomUniform([30, 40, 3], 0, 1, "float32", 1) as tf.Tensor3D;
  const d = trainingBatch({ kind: "image-denoising", sigma: [0, 55] }, {
    seed: 2,
    step: 0,
    patch: [16, 16],
    images: [image],
  });
  assertEquals(d.guide.shape, [1, 16, 16, 3]);
  assertEquals(maxAbsDiff(d.guide, d.target), 0);
  tf.dispose([a, b, c, d].flatMap((x) => [x.guide, x.target, x.truth]));
  image.dispose();
  assertThrows(
    () => trainingBatch({ kind: "denoise" } as unknown as GuidedTask, { seed: 0, step: 0 }),
    RangeError,
    "task.kind",
  );
});
