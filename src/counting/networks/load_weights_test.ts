import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { useBackend } from "../../core/backend.ts";
import { csrnet } from "./csrnet.ts";
import { loadWeights, readWeightsFile } from "./load_weights.ts";
import { saveModel } from "./model_io.ts";
import { sameWeights } from "./_test_utils.ts";

await useBackend("cpu");

const here = new URL("../../../testdata/counting_networks/", import.meta.url).pathname;
// the values make_weights_fixtures.py writes (numpy float32 arithmetic)
const kernel = Array.from({ length: 18 }, (_, i) => Math.fround(Math.fround(i / 10) - 0.85));

function tinyModel(): tf.LayersModel {
  const input = tf.input({ shape: [null, null, 1] as unknown as number[], name: "tiny/input" });
  const conv = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: "same", name: "tiny/conv" });
  return tf.model({ inputs: input, outputs: conv.apply(input) as tf.SymbolicTensor });
}

Deno.test("loadWeights: numpy .npz archives, stored and compressed (fixtures written by numpy)", async () => {
  for (const file of ["tiny.npz", "tiny_compressed.npz"]) {
    const model = tinyModel();
    const r = await loadWeights(model, here + file);
    assertEquals(r, { loaded: ["tiny/conv/kernel", "tiny/conv/bias"], missing: [], unused: [] });
    const [k, b] = model.getWeights();
    assertEquals(k.shape, [3, 3, 1, 2]);
    k.dataSync().forEach((v, i) => assertAlmostEquals(v, kernel[i], 1e-7));
    assertEquals(Array.from(b.dataSync()), [0.5, -0.25]); // float64 in the file
    model.dispose();
  }
});

Deno.test("loadWeights: PyTorch layout, prefix and rename; int64 arrays read", async () => {
  const arrays = await readWeightsFile(here + "tiny_pytorch.npz");
  assertEquals(arrays["conv/kernel"].shape, [2, 1, 3, 3]);
  assertEquals(arrays["steps"].dtype, "int32");
  assertEquals(Array.from(arrays["steps"].dataSync()), [7]);
  tf.dispose(Object.values(arrays));

  const model = tinyModel();
  await assertRejects(
    () => loadWeights(model, here + "tiny_pytorch.npz", { prefix: "tiny/", strict: false }),
    RangeError,
    'has shape [2, 1, 3, 3], the model\'s weight "tiny/conv/kernel" has [3, 3, 1, 2] (a PyTorch layout? pass layout: "pytorch")',
  );
  const r = await loadWeights(model, here + "tiny_pytorch.npz", {
    layout: "pytorch",
    rename: (n) => (n === "steps" ? null : `tiny/${n}`),
  });
  assertEquals(r.loaded.length, 2);
  model.getWeights()[0].dataSync().forEach((v, i) => assertAlmostEquals(v, kernel[i], 1e-7));
  model.dispose();
});

Deno.test("loadWeights: strict names, non-strict partial loads, nothing written on failure", async () => {
  const net = csrnet({ width: 1 / 16, seed: 1 });
  const donor = csrnet({ width: 1 / 16, seed: 2 });
  const dir = await Deno.makeTempDir();
  await saveModel(donor.model, dir);
  // a full tfjs model.json: every weight by name
  const r = await loadWeights(net.model, `${dir}/model.json`);
  assertEquals(r.loaded.length, net.model.weights.length);
  assert(sameWeights(net.model, donor.model));

  // a VGG front-end file: names without the prefix, only the first conv
  const fresh = csrnet({ width: 1 / 16, seed: 3 });
  const w = donor.model.getLayer("csrnet/conv1_1").getWeights();
  const vgg = `${dir}/vgg.json`;
  await Deno.writeTextFile(
    vgg,
    JSON.stringify({
      "conv1_1/kernel": { shape: w[0].shape, data: Array.from(w[0].dataSync()) },
      "conv1_1/bias": { shape: w[1].shape, data: Array.from(w[1].dataSync()) },
      "fc6/kernel": { shape: [1], data: [0] },
    }),
  );
  const before = fresh.model.getWeights().map((t) => Array.from(t.dataSync()));
  await assertRejects(
    () => loadWeights(fresh.model, vgg, { prefix: "csrnet/" }),
    RangeError,
    `the model's weights "csrnet/conv1_2/kernel"`,
  );
  await assertRejects(
    () => loadWeights(fresh.model, vgg, { prefix: "csrnet/" }),
    RangeError,
    `the file's arrays "fc6/kernel" match no model weight`,
  );
  // nothing was written by the failed loads
  assertEquals(fresh.model.getWeights().map((t) => Array.from(t.dataSync())), before);
  const partial = await loadWeights(fresh.model, vgg, { prefix: "csrnet/", strict: false });
  assertEquals(partial.loaded, ["csrnet/conv1_1/kernel", "csrnet/conv1_1/bias"]);
  assertEquals(partial.unused, ["fc6/kernel"]);
  assertEquals(partial.missing.length, net.model.weights.length - 2);
  assertEquals(
    Array.from(fresh.model.getLayer("csrnet/conv1_1").getWeights()[0].dataSync()),
    Array.from(w[0].dataSync()),
  );

  await assertRejects(() => loadWeights(net.model, `${dir}/nope.npz`), Error, "not found");
  await Deno.writeTextFile(`${dir}/bad.txt`, "garbage");
  await assertRejects(() => loadWeights(net.model, `${dir}/bad.txt`), Error, "neither an .npz");
  await Deno.writeTextFile(`${dir}/short.json`, JSON.stringify({ a: { shape: [2], data: [1] } }));
  await assertRejects(
    () => loadWeights(net.model, `${dir}/short.json`),
    Error,
    'entry "a" has 1 values, shape [2] needs 2',
  );
  await Deno.writeFile(`${dir}/broken.npz`, new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]));
  await assertRejects(
    () => loadWeights(net.model, `${dir}/broken.npz`),
    Error,
    "not a zip archive",
  );
  [net, donor, fresh].forEach((n) => n.dispose());
  await Deno.remove(dir, { recursive: true });
});
