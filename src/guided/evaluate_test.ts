import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertLess } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { fillInvalid, loadAloe } from "./aloe.ts";
import { filterImage, scoreOutput } from "./evaluate.ts";
import { createSuccessiveNetwork } from "./successive_network.ts";
import { maxAbsDiff } from "./_testing.ts";

await useBackend("cpu");

Deno.test("filterImage: tiles with enough margin give the whole-image result", () => {
  const net = createSuccessiveNetwork({
    blocks: 2,
    width: 3,
    dilations: [1, 2],
    lowPass: { kind: "box", radius: 3 },
  });
  const g = tf.randomUniform([37, 45, 1], 0, 1, "float32", 1) as tf.Tensor3D;
  const t = tf.randomUniform([37, 45, 1], 0, 1, "float32", 2) as tf.Tensor3D;
  const whole = tf.tidy(() =>
    net.forward(g.expandDims(0) as tf.Tensor4D, t.expandDims(0) as tf.Tensor4D)[1].squeeze([0])
  );
  // Receptive radius: 2 blocks · (1 + 2) + two box filters of radius 3 = 12.
  const tiled = filterImage(net, g, t, { tile: 16, margin: 14 });
  assertLess(maxAbsDiff(tiled, whole), 1e-5);
  // A 1-channel network filters a colour target channel by channel.
  const rgb = tf.stack([t, g, t], 2).squeeze([3]) as tf.Tensor3D;
  const perChannel = filterImage(net, g, rgb, { tile: 64 });
  assertEquals(perChannel.shape, [37, 45, 3]);
  tf.dispose([g, t, whole, tiled, rgb, perChannel]);
  net.dispose();
});

Deno.test("scoreOutput: masked pixels do not count", () => {
  const truth = tf.fill([20, 20, 1], 0.5) as tf.Tensor3D;
  // Wrong only in columns 16..19: the SSIM windows (radius 5) of the masked pixels miss them.
  const out = tf.tidy(() =>
    tf.concat([tf.fill([20, 16, 1], 0.5), tf.fill([20, 4, 1], 0.9)], 1)
  ) as tf.Tensor3D;
  const mask = tf.tidy(() =>
    tf.concat([tf.ones([20, 10, 1]), tf.zeros([20, 10, 1])], 1)
  ) as tf.Tensor3D;
  const s = scoreOutput(out, { guide: truth, target: truth, truth, mask }, { valueScale: 255 });
  assertEquals(s.rmse, 0);
  assertEquals(s.psnr, Infinity);
  assertAlmostEquals(s.ssim, 1, 1e-6);
  const all = scoreOutput(out, { guide: truth, target: truth, truth });
  assertAlmostEquals(all.rmse, Math.sqrt(0.16 / 5), 1e-5);
  assertLess(all.ssim, 0.99);
  tf.dispose([truth, out, mask]);
});

Deno.test("fillInvalid: holes take the farther (smaller) neighbouring disparity", () => {
  const filled = fillInvalid([5, 0, 0, 9, 0, 0, 7, 0], 2, 4);
  assertEquals(Array.from(filled), [5, 5, 5, 9, 7, 7, 7, 7]);
});

Deno.test("loadAloe: the real pair, reduced, with its mask of known disparities", async () => {
  const pair = await loadAloe({ reduce: 8 });
  assertEquals(pair.rgb.shape, [138, 160, 3]);
  assertEquals(pair.disparity.shape, [138, 160, 1]);
  const known = pair.mask.mean().dataSync()[0];
  assertLess(Math.abs(known - 0.965), 0.03); // 3.5% of the full-size pixels are unknown
  assertEquals(pair.filled.min().dataSync()[0] > 0, true);
  tf.dispose(Object.values(pair));
});
