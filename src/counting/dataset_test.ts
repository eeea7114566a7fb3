// Layouts: the small dataset trees of testdata/counting_formats/ written by
// tools/fixtures/counting_formats_fixtures.py (expected points from scipy.io.loadmat / numpy
// in testdata/counting_formats.json), and the real sets of data/counting/ (counts from their
// counts.csv, split sizes from their split.json and READMEs).
import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import { useBackend } from "../core/backend.ts";
import { AnnotationError } from "./annotation_error.ts";
import { readCountingDataset } from "./dataset.ts";
import { DatasetLayoutError } from "./layouts.ts";
import type { Points } from "./points.ts";
import { vggSplits } from "./splits.ts";

await useBackend("cpu");

const ROOT = new URL("../../", import.meta.url);
const FORMATS = new URL("testdata/counting_formats/", ROOT);
const fixture = JSON.parse(
  await Deno.readTextFile(new URL("testdata/counting_formats.json", ROOT)),
);
const expected = (rel: string): [number, number][] =>
  fixture.annotations[`testdata/counting_formats/${rel}`].points;

async function assertSamplePoints(
  ds: Awaited<ReturnType<typeof readCountingDataset>>,
  name: string,
  want: [number, number][],
) {
  const s = await ds.sample(name);
  assertEquals(s.points.x.length, want.length, name);
  want.forEach(([x, y], i) => {
    assertAlmostEquals(s.points.x[i], x, 1e-3, `${name} x[${i}]`);
    assertAlmostEquals(s.points.y[i], y, 1e-3, `${name} y[${i}]`);
  });
}

Deno.test("readCountingDataset: our layout (VGG cells): names, counts, the VGG protocol", async () => {
  const cells = await readCountingDataset(new URL("data/counting/vgg_cells", ROOT));
  assertEquals(cells.length, 200);
  assertEquals(cells.names[0], "001cell");
  assertEquals(cells.splits.all.length, 200);
  const csv = (await Deno.readTextFile(new URL("data/counting/vgg_cells/counts.csv", ROOT)))
    .trim().split("\n").slice(1).map((r) => Number(r.split(",")[2]));
  assertEquals(Array.from(cells.counts()), csv);
  const [draw] = vggSplits(cells.names, { train: 32, seeds: [0] });
  const test = cells.subset(draw.test);
  assertEquals(test.names[0], "101cell");
  const s = await test.sample(0);
  assertEquals(s.shape, [256, 256, 3]);
  assert(s.image.every((v) => v >= 0 && v <= 1));
});

Deno.test("readCountingDataset: BBBC039 16-bit images, named splits, the empty-mask rule", async () => {
  const dir = new URL("data/counting/bbbc039", ROOT);
  const all = await readCountingDataset(dir, { normalize: "bits", cacheSize: 2 });
  assertEquals(all.length, 200);
  assertEquals(
    [all.splits.train.length, all.splits.val.length, all.splits.test.length],
    [100, 50, 48],
  );
  const empty = all.names.filter((_, i) => all.counts()[i] === 0);
  assertEquals(empty.map((n) => n.slice(0, 14)), [
    "IXMtest_F13_s7",
    "IXMtest_L01_s2",
    "IXMtest_L10_s6",
  ]);
  const annotated = await readCountingDataset(dir, { skipEmpty: true, normalize: "bits" });
  assertEquals(annotated.length, 197);
  assertEquals(annotated.splits.train.length, 99, "L10_s6 leaves the train list");
  assertEquals(annotated.skipped.length, 3);
  const s = await annotated.sample(0);
  assertEquals(s.shape, [520, 696, 1]);
  let max = 0;
  for (const v of s.image) max = Math.max(max, v);
  assertEquals(max, 1, "12-bit data scaled by 4095");
  assert(s.points.sizes && s.points.boxes, "sizes and boxes from the JSON's areas and boxes");
});

Deno.test("readCountingDataset: ShanghaiTech part layout, 0 to 40 points, 1-based → 0-based", async () => {
  const part = new URL("shanghaitech/part_A", FORMATS);
  const ds = await readCountingDataset(part, { format: "shanghaitech" });
  assertEquals(ds.names, ["test/IMG_1", "test/IMG_2", "train/IMG_1", "train/IMG_2", "train/IMG_3"]);
  assertEquals(ds.splits, {
    train: ["train/IMG_1", "train/IMG_2", "train/IMG_3"],
    test: ["test/IMG_1", "test/IMG_2"],
  });
  assertEquals(Array.from(ds.counts()), [1, 2, 3, 0, 40]);
  for (const [split, folder] of [["train", "train_data"], ["test", "test_data"]]) {
    for (const name of (ds.splits as Record<string, readonly string[]>)[split]) {
      const n = name.split("/")[1];
      await assertSamplePoints(
        ds,
        name,
        expected(`shanghaitech/part_A/${folder}/ground-truth/GT_${n}.mat`),
      );
    }
  }
  await assertRejects(
    () => readCountingDataset(new URL("shanghaitech", FORMATS), { format: "shanghaitech" }),
    DatasetLayoutError,
    "pass",
  );
});

Deno.test("readCountingDataset: UCF-QNRF, JHU-Crowd++, NWPU-Crowd and TRANCOS layouts", async () => {
  const ucf = await readCountingDataset(new URL("ucf_qnrf", FORMATS), { format: "ucf-qnrf" });
  assertEquals(ucf.splits.train, ["train/img_0001", "train/img_0002"]);
  await assertSamplePoints(ucf, "test/img_0002", expected("ucf_qnrf/Test/img_0002_ann.mat"));
  await assertSamplePoints(ucf, "test/img_0001", []);

  const jhu = await readCountingDataset(new URL("jhu", FORMATS), { format: "jhu" });
  assertEquals(Object.keys(jhu.splits).sort(), ["test", "train", "val"]);
  await assertSamplePoints(jhu, "train/0001", expected("jhu/train/gt/0001.txt"));
  assertEquals(jhu.points("train/0001").boxes!.length, 16);

  const nwpu = await readCountingDataset(new URL("nwpu", FORMATS), { format: "nwpu" });
  assertEquals(nwpu.names, ["0001", "0002", "0003"]);
  assertEquals(nwpu.splits, { train: ["0001", "0002"], val: ["0003"], test: [] });
  assertStringIncludes(nwpu.skipped[0], "0004.jpg: annotation withheld");
  await assertSamplePoints(nwpu, "0003", expected("nwpu/jsons/0003.json"));

  const trancos = await readCountingDataset(new URL("trancos", FORMATS), { format: "trancos" });
  assertEquals(trancos.splits.train, ["image-1-000001", "image-1-000002"]);
  assertEquals(trancos.splits.test, ["image-1-000004"]);
  const s = await trancos.sample("image-1-000001");
  await assertSamplePoints(
    trancos,
    "image-1-000001",
    expected("trancos/images/image-1-000001dots.png"),
  );
  const mask =
    fixture.annotations["testdata/counting_formats/trancos/images/image-1-000001mask.mat"];
  assertEquals(Array.from(s.roi!), mask.mask);
});

Deno.test("readCountingDataset: dot layouts (VGG flat folder, ADI images/ + annotations/)", async () => {
  const vgg = await readCountingDataset(new URL("dots/vgg", FORMATS), { format: "dots" });
  assertEquals(vgg.names, ["001cell", "002cell", "003cell"]);
  assertEquals(Array.from(vgg.counts()), [135, 233, 82]);
  const adi = await readCountingDataset(new URL("dots/adi", FORMATS), {
    format: "dots",
    threshold: 128 / 255,
    othersBelow: 100 / 255,
    rule: "components",
  });
  for (const name of adi.names) {
    const want = fixture.annotations[`testdata/counting_formats/dots/adi/annotations/${name}.jpeg`];
    assertEquals(adi.points(name).x.length, want.components.length);
  }
});

Deno.test("readCountingDataset: unpaired files are errors naming them, or skipped", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/images`);
  await Deno.mkdir(`${dir}/points`);
  const cells = new URL("data/counting/vgg_cells/", ROOT);
  for (const n of ["001cell", "002cell"]) {
    await Deno.copyFile(new URL(`images/${n}.png`, cells), `${dir}/images/${n}.png`);
    await Deno.copyFile(new URL(`points/${n}.json`, cells), `${dir}/points/${n}.json`);
  }
  await Deno.copyFile(new URL("images/003cell.png", cells), `${dir}/images/003cell.png`);
  let e = await assertRejects(() => readCountingDataset(dir), AnnotationError);
  assertStringIncludes(e.message, `${dir}/images/003cell.png`);
  assertStringIncludes(e.message, "the image has no annotation");
  const skipped = await readCountingDataset(dir, { missing: "skip" });
  assertEquals(skipped.names, ["001cell", "002cell"]);
  assertEquals(skipped.skipped.length, 1);

  await Deno.remove(`${dir}/images/003cell.png`);
  await Deno.writeTextFile(`${dir}/points/004cell.json`, '{"points": []}');
  e = await assertRejects(() => readCountingDataset(dir), AnnotationError);
  assertStringIncludes(e.message, `${dir}/points/004cell.json`);
  assertStringIncludes(e.message, "no image for this annotation");

  await Deno.writeTextFile(`${dir}/points/004cell.json`, '{"points": [[1, 2], [3]]}');
  await Deno.copyFile(new URL("images/003cell.png", cells), `${dir}/images/004cell.png`);
  e = await assertRejects(
    () => readCountingDataset(dir),
    AnnotationError,
    "points[1] must be [x, y]",
  );
  assertStringIncludes(e.message, "004cell.json");

  await Deno.writeTextFile(`${dir}/points/004cell.json`, '{"points": []}');
  await Deno.writeTextFile(`${dir}/split.json`, '{"train": ["001cell", "999cell"]}');
  e = await assertRejects(() => readCountingDataset(dir), AnnotationError, '"999cell"');
  assertStringIncludes(e.message, "split.json");
  await assertRejects(
    () => readCountingDataset(`${dir}/nope`),
    DatasetLayoutError,
    "no such folder",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readCountingDataset: points outside the image are clamped, dropped or refused", async () => {
  const image = new URL("data/counting/vgg_cells/images/001cell.png", ROOT).pathname;
  const points: [number, number][] = [[10, 10], [256.2, 3], [-1, 255]];
  const make = (outside: "clamp" | "drop" | "error") =>
    readCountingDataset([{ image, points, name: "a" }, { image, points: [], name: "empty" }], {
      outside,
    });
  const clamped = await (await make("clamp")).sample("a");
  assertEquals(clamped.points.x.length, 3);
  assert(clamped.points.x[1] < 255.5 && clamped.points.x[2] === -0.5);
  const dropped = await (await make("drop")).sample("a");
  assertEquals(Array.from(dropped.points.x), [10]);
  await assertRejects(
    async () => (await make("error")).sample("a"),
    AnnotationError,
    "2 point(s) outside",
  );
  assertEquals((await (await make("clamp")).sample("empty")).points.x.length, 0);
});

Deno.test("CountingDataset.batches: NHWC tensors, targets moved with the points, seeded", async () => {
  const cells = await readCountingDataset(new URL("data/counting/vgg_cells", ROOT), {
    cacheSize: 4,
  });
  const few = cells.subset(cells.names.slice(0, 5));
  // An impulse per point: a crop or flip of it must still sum to the crop's count.
  const impulses = (p: Points, [h, w]: [number, number]) => {
    const t = new Float32Array(h * w);
    for (let i = 0; i < p.x.length; i++) t[Math.round(p.y[i]) * w + Math.round(p.x[i])] += 1;
    return t;
  };
  const before = tf.memory().numTensors;
  const run = async (seed: number, targetOn: "image" | "crop") => {
    const out: { names: string[]; counts: number[]; sums: number[]; first: number }[] = [];
    for await (
      const b of few.batches({
        batchSize: 2,
        crop: [96, 80],
        flip: true,
        seed,
        target: impulses,
        targetOn,
      })
    ) {
      assertEquals(b.images.shape.slice(1), [96, 80, 3]);
      assertEquals(b.targets!.shape.slice(1), [96, 80, 1]);
      const sums = Array.from(tf.tidy(() => b.targets!.sum([1, 2, 3]).dataSync()));
      out.push({
        names: b.names,
        counts: Array.from(b.counts),
        sums,
        first: b.images.dataSync()[0],
      });
      tf.dispose([b.images, b.targets!]);
    }
    return out;
  };
  const a = await run(3, "image");
  assertEquals(a.map((b) => b.names.length), [2, 2, 1]);
  for (const b of a) assertEquals(b.sums, b.counts);
  assertEquals(await run(3, "image"), a, "same seed, same batches");
  assertNotEquals((await run(4, "image")).map((b) => b.names), a.map((b) => b.names));
  for (const b of await run(3, "crop")) assertEquals(b.sums, b.counts);
  assertEquals(tf.memory().numTensors, before);

  // Whole images of one size batch without a crop; mixed sizes need one.
  for await (const b of few.batches({ batchSize: 5, shuffle: false })) {
    assertEquals(b.images.shape, [5, 256, 256, 3]);
    assertEquals(Array.from(b.counts), Array.from(cells.counts().slice(0, 5)));
    b.images.dispose();
  }
  const sh = await readCountingDataset(new URL("shanghaitech/part_A", FORMATS), {
    format: "shanghaitech",
  });
  await assertRejects(
    async () => {
      for await (const b of sh.batches({ batchSize: 5 })) b.images.dispose();
    },
    RangeError,
    "pass crop: [height, width]",
  );
  for await (const b of sh.batches({ batchSize: 5, crop: [20, 20] })) {
    assertEquals(b.images.shape, [5, 20, 20, 3]);
    b.images.dispose();
  }
});

Deno.test("CountingDataset caches a few decoded images and evicts the oldest", async () => {
  const cells = await readCountingDataset(new URL("data/counting/vgg_cells", ROOT), {
    cacheSize: 2,
  });
  const first = await cells.sample(0);
  assert((await cells.sample("001cell")) === first, "cache hit");
  await cells.sample(1);
  await cells.sample(2);
  assert((await cells.sample(0)) !== first, "evicted after two others");
  await assertRejects(
    () => Promise.resolve().then(() => cells.sample("nope")),
    RangeError,
    "not a name",
  );
  await assertRejects(
    () => Promise.resolve().then(() => cells.split("train")),
    RangeError,
    '"all"',
  );
});
