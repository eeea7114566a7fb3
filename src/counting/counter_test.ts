import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { loadCounter, saveCounter } from "./counter.ts";
import { readCountingDataset } from "./dataset.ts";
import { predictDensity } from "./evaluate.ts";
import { fitCounter } from "./fit_counter.ts";
import { fcrn } from "./networks/fcrn.ts";
import { mcnn } from "./networks/mcnn.ts";
import { saveModel } from "./networks/model_io.ts";
import type { CountingSample } from "./sample.ts";

await useBackend("wasm");

const vgg = await readCountingDataset(
  new URL("../../data/counting/vgg_cells", import.meta.url).pathname,
);
const load = async (names: string[]) => {
  const out: CountingSample[] = [];
  for (const n of names) out.push(await vgg.sample(n));
  return out;
};

Deno.test("a saved counter loads back, predicts as the network did and keeps its metadata", async () => {
  const dir = await Deno.makeTempDir();
  const net = fcrn({ width: 0.125, seed: 3 });
  const [sample] = await load([vgg.names[0]]);
  const image = { data: sample.image, shape: sample.shape };
  const before = await predictDensity((x) => net.forward(x, false), image, {
    outputStride: 1,
    inputMultiple: net.inputMultiple,
  });
  await saveCounter(net, dir, { densityScale: 100, channels: 3, trainedOn: "test" });
  const counter = await loadCounter(dir);
  assertEquals(counter.info.trainedOn, "test");
  assertEquals(counter.network.network, "fcrn");
  const after = await counter.predict(image);
  assertAlmostEquals(after.count, before.count, 1e-3 * Math.max(1, Math.abs(before.count)));
  counter.dispose();
  net.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadCounter refuses a model that is not a counter, naming it", async () => {
  const dir = await Deno.makeTempDir();
  const net = mcnn({ width: 0.25 });
  await saveModel(net.model, dir);
  await assertRejects(() => loadCounter(dir), Error, "not a counter");
  await assertRejects(() => loadCounter(`${dir}/missing`), Error, "not found");
  net.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("fitCounter trains a narrow FCRN on real VGG cells: validation MAE falls, no leak", async () => {
  const train = await load(vgg.names.slice(0, 4));
  const val = await load(vgg.names.slice(4, 6));
  const net = fcrn({ width: 0.125, batchNorm: true, seed: 1 });
  const before = tf.memory().numTensors;
  const r = await fitCounter(net, train, {
    steps: 60,
    lr: 3e-3,
    crop: [64, 64],
    density: { kernel: "fixed", sigma: 2 },
    validation: val,
    validateEvery: 20,
    progress: false,
  });
  assertEquals(tf.memory().numTensors, before);
  const mae = r.history.series("val_mae").y;
  assertEquals(mae.length, 3);
  assert(r.best!.mae < mae[0] || mae[0] < 30, `validation MAE ${mae}`);
  assert(r.best!.mae < 0.8 * (val[0].points.x.length + val[1].points.x.length) / 2, `${mae}`);
  net.dispose();
});
