import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { UsageError } from "../cli.ts";
import { defaultDataDir } from "../data.ts";
import { Chapter4Data, objectStats, objectThirds, reduceChapter4Sample } from "./data.ts";
import { chapter4Settings, datasetOf } from "./settings.ts";

Deno.test("reduceChapter4Sample box-averages the image and keeps the count and centres", () => {
  const image = Float32Array.from({ length: 6 * 5 }, (_, i) => i);
  const s = {
    name: "t",
    image,
    shape: [6, 5, 1] as [number, number, number],
    // (0, 0) is the centre of pixel 0; (4.4, 5.4) is in the last column, cut off by the reduction.
    points: {
      x: Float32Array.of(0, 1.5, 4.4),
      y: Float32Array.of(0, 1.5, 5.4),
      sizes: Float32Array.of(4, 6, 8),
    },
  };
  const r = reduceChapter4Sample(s, 2);
  assertEquals(r.shape, [3, 2, 1]);
  // Block (0, 0): pixels 0, 1, 5, 6.
  assertEquals(r.image[0], (0 + 1 + 5 + 6) / 4);
  assertEquals(r.points.x.length, 3);
  assertAlmostEquals(r.points.x[0], -0.25, 1e-6);
  assertAlmostEquals(r.points.x[1], 0.5, 1e-6); // the border of blocks 0 and 1 stays their border
  assertAlmostEquals(r.points.x[2], 2 - 0.51, 1e-6); // clamped into the 2 columns
  assertEquals([...r.points.sizes!], [2, 3, 4]);
  assertEquals(reduceChapter4Sample(s, 1), s);
});

Deno.test("objectStats and objectThirds: scale = mean area, crowding = coverage × density", () => {
  const p = { x: Float32Array.of(1, 2), y: Float32Array.of(1, 2), sizes: Float32Array.of(2, 4) };
  const st = objectStats(p, [10, 10]);
  const total = Math.PI * (1 + 4);
  assertAlmostEquals(st.scale, total / 2, 1e-9);
  assertAlmostEquals(st.crowding, (total / 100) * (2 / 100), 1e-12);
  assert(Number.isNaN(objectStats({ x: p.x, y: p.y }, [10, 10]).scale));
  assertEquals(objectThirds([3, 1, 2]), [[1], [2], [0]]);
  assertEquals(objectThirds([4, 0, 3, 1, 2]), [[1, 3], [4, 2], [0]]);
});

Deno.test("Chapter4Data: a missing folder is one UsageError; BBBC039's split and sizes", async () => {
  const s = chapter4Settings("quick");
  const spec = datasetOf(s, "bbbc039");
  const empty = await Deno.makeTempDir({ prefix: "ch4-data-" });
  try {
    await assertRejects(() => Chapter4Data.open(spec, empty), UsageError, `lacks bbbc039/`);
    await Deno.mkdir(`${empty}/bbbc039`);
    await Deno.writeTextFile(`${empty}/bbbc039/notes.txt`, "not a dataset");
    const e = await assertRejects(() => Chapter4Data.open(spec, empty), UsageError);
    assert(e.message.startsWith("BBBC039 nuclei: ") && !e.message.includes("\n"), e.message);
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
  const data = await Chapter4Data.open(spec, `${defaultDataDir()}/counting`);
  const split = data.split(0);
  // The third-party split of split.json, less the unannotated images (skipEmpty).
  assertEquals([split.train.length > 90, split.val.length, split.test.length > 40], [
    true,
    10,
    true,
  ]);
  assertEquals(split.test.filter((n) => split.train.includes(n) || split.val.includes(n)), []);
  assert(data.hasSizes);
  const [a] = await data.annotations(split.test.slice(0, 1));
  assertEquals(a.shape, [520, 696]);
});
