import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertRejects } from "@std/assert";
import { useBackend } from "../../core/backend.ts";
import { fcrn } from "./fcrn.ts";
import { fileHandler, loadModel, MODEL_FILES, saveModel } from "./model_io.ts";
import { networkMetadata } from "./network.ts";
import { batch } from "./_test_utils.ts";

await useBackend("cpu");

Deno.test("fileHandler: writes the standard model.json + weights.bin that tf.loadLayersModel reads", async () => {
  const net = fcrn({ width: 0.125, batchNorm: true });
  const dir = await Deno.makeTempDir();
  await saveModel(net.model, `${dir}/nested/counter`);
  const files = [...Deno.readDirSync(`${dir}/nested/counter`)].map((e) => e.name).sort();
  assertEquals(files, [MODEL_FILES.model, MODEL_FILES.weights]);
  const json = JSON.parse(await Deno.readTextFile(`${dir}/nested/counter/model.json`));
  assertEquals(json.format, "layers-model");
  assertEquals(json.weightsManifest[0].paths, ["weights.bin"]);
  const bytes = (await Deno.stat(`${dir}/nested/counter/weights.bin`)).size;
  assertEquals(bytes, 4 * net.model.countParams());
  // the plain tfjs loader (through the handler) and a model.json path both work
  const a = await tf.loadLayersModel(fileHandler(`${dir}/nested/counter`));
  const b = await loadModel(`${dir}/nested/counter/model.json`);
  assertEquals(networkMetadata(b)?.network, "fcrn");
  const x = batch(1, 8, 8, 3);
  const [ya, yb, y] = [a, b, net.model].map((m) => m.predict(x) as tf.Tensor);
  assertEquals(Array.from(ya.dataSync()), Array.from(y.dataSync()));
  assertEquals(Array.from(yb.dataSync()), Array.from(y.dataSync()));
  tf.dispose([x, ya, yb, y]);
  a.dispose();
  b.dispose();
  net.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("fileHandler: reads a manifest with several shards", async () => {
  const input = tf.input({ shape: [3] });
  const dense = tf.layers.dense({ units: 2, name: "io/dense" });
  const model = tf.model({ inputs: input, outputs: dense.apply(input) as tf.SymbolicTensor });
  const dir = await Deno.makeTempDir();
  await saveModel(model, dir);
  // split weights.bin into two shards
  const bin = await Deno.readFile(`${dir}/weights.bin`);
  await Deno.writeFile(`${dir}/shard1`, bin.subarray(0, 10));
  await Deno.writeFile(`${dir}/shard2`, bin.subarray(10));
  const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  json.weightsManifest[0].paths = ["shard1", "shard2"];
  await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(json));
  const back = await loadModel(dir);
  assertEquals(
    Array.from(back.getWeights()[0].dataSync()),
    Array.from(model.getWeights()[0].dataSync()),
  );
  back.dispose();
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadModel: clear errors for a missing, corrupt or truncated model", async () => {
  const dir = await Deno.makeTempDir();
  await assertRejects(() => loadModel(dir), Error, `model file ${dir}/model.json not found`);
  await Deno.writeTextFile(`${dir}/model.json`, "{ not json");
  await assertRejects(() => loadModel(dir), Error, "model.json is not valid JSON");
  await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify({ modelTopology: {} }));
  await assertRejects(() => loadModel(dir), Error, "has no weightsManifest");
  const input = tf.input({ shape: [3] });
  const model = tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: 2, name: "io2/dense" }).apply(input) as tf.SymbolicTensor,
  });
  await saveModel(model, dir);
  await Deno.writeFile(`${dir}/weights.bin`, new Uint8Array(8));
  await assertRejects(
    () => loadModel(dir),
    Error,
    "the weight files hold 8 bytes, the manifest describes 32",
  );
  await Deno.remove(`${dir}/weights.bin`);
  await assertRejects(() => loadModel(dir), Error, `weight file ${dir}/weights.bin`);
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});
