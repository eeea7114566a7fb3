import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess, assertRejects } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { createSuccessiveNetwork } from "./successive_network.ts";
import { createSvlrm } from "./baselines.ts";
import { guidedLoss, trainGuidedNetwork, type TrainGuidedOptions } from "./train.ts";
import { trainingBatch } from "./tasks.ts";
import { maxAbsDiff } from "./_testing.ts";

await useBackend("cpu");

const tiny = () =>
  createSuccessiveNetwork({
    blocks: 2,
    width: 3,
    dilations: [1, 2],
    lowPass: { kind: "box", radius: 2, times: 1 },
    seed: 1,
  });
const options: TrainGuidedOptions = {
  task: { kind: "depth-denoising", sigma: 25 },
  steps: 4,
  patch: [16, 16],
  seed: 3,
  lr: 1e-2,
};

Deno.test("guidedLoss: the L1 losses of all outputs, summed (eq. 3.18)", () => {
  const net = tiny();
  const batch = trainingBatch(options.task, { seed: 0, step: 0, patch: [16, 16] });
  const loss = guidedLoss(net, batch).dataSync()[0];
  const outs = net.forward(batch.guide, batch.target);
  const want = outs.reduce(
    (s, o) => s + tf.tidy(() => tf.abs(o.sub(batch.truth)).mean().dataSync()[0]),
    0,
  );
  assertLess(Math.abs(loss - want), 1e-6);
  tf.dispose([...outs, batch.guide, batch.target, batch.truth]);
  net.dispose();
});

Deno.test("trainGuidedNetwork: a run stopped and resumed equals an uninterrupted one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const straight = tiny();
    await trainGuidedNetwork(straight, options);
    const first = tiny();
    await trainGuidedNetwork(first, { ...options, steps: 2, checkpoint: { dir, every: 1 } });
    first.dispose();
    const resumed = tiny();
    const r = await trainGuidedNetwork(resumed, {
      ...options,
      checkpoint: { dir, every: 1 },
      resume: true,
    });
    assertEquals(r.steps, 4);
    for (const k of Object.keys(straight.variables)) {
      assertEquals(maxAbsDiff(straight.variables[k], resumed.variables[k]), 0, k);
    }
    straight.dispose();
    resumed.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trainGuidedNetwork: lowers the loss; refuses a network of the wrong channels", async () => {
  const net = createSvlrm({ depth: 1, width: 4, seed: 2 });
  const r = await trainGuidedNetwork(net, { ...options, steps: 30, lr: 3e-3 });
  const loss = r.history.series("loss").y;
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  assertLess(mean(loss.slice(-10)), mean(loss.slice(0, 10)));
  net.dispose();
  const colour = createSvlrm({ depth: 1, width: 2, guideChannels: 3, targetChannels: 3 });
  await assertRejects(() => trainGuidedNetwork(colour, options), RangeError, "channels");
  colour.dispose();
});
