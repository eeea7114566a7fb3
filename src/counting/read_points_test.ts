// Expected points come from tools/fixtures/counting_formats_fixtures.py: scipy.io.loadmat of
// the ShanghaiTech/UCF-QNRF files (less 1), numpy for the JHU/NWPU/TRANCOS files, and
// scipy.ndimage (label, center_of_mass) on Pillow's decoding of the dot images. Real counts
// come from the shared datasets' counts.csv (data/counting/*/counts.csv).
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { AnnotationError } from "./annotation_error.ts";
import { type AnnotationFormat, readPoints, readRoi } from "./read_points.ts";
import type { Points } from "./points.ts";

const ROOT = new URL("../../", import.meta.url);
const fixture = JSON.parse(
  await Deno.readTextFile(new URL("testdata/counting_formats.json", ROOT)),
);
interface Case {
  format: AnnotationFormat | "roi" | "dots";
  shape: [number, number];
  points?: [number, number][];
  boxes?: number[][];
  sizes?: number[];
  countsCsv?: number;
  pixels?: number;
  components?: [number, number][];
  mask?: number[];
  inside?: number;
}
const cases = Object.entries(fixture.annotations as Record<string, Case>);
const ADI = { threshold: 128 / 255, othersBelow: 100 / 255 };

function assertPoints(got: Points, want: [number, number][], tol: number, msg: string) {
  assertEquals(got.x.length, want.length, `${msg}: count`);
  want.forEach(([x, y], i) => {
    assertAlmostEquals(got.x[i], x, tol, `${msg}: x[${i}]`);
    assertAlmostEquals(got.y[i], y, tol, `${msg}: y[${i}]`);
  });
}

for (const [path, want] of cases) {
  if (want.format === "roi" || path.includes("/dots/")) continue;
  Deno.test(`readPoints reads ${path.replace("testdata/counting_formats/", "")}`, async () => {
    const got = await readPoints(new URL(path, ROOT), {
      format: want.format as AnnotationFormat,
      inside: want.shape,
    });
    assertPoints(got, want.points!, 1e-3, path);
    if (want.boxes) assertEquals(Array.from(got.boxes!), want.boxes.flat().map(Math.fround));
    if (want.sizes) {
      want.sizes.forEach((s, i) => assertAlmostEquals(got.sizes![i], s, 1e-5));
    }
  });
}

Deno.test("readPoints on VGG dot images gives one point per red pixel, as counts.csv", async () => {
  for (const [path, want] of cases.filter(([p]) => p.includes("/dots/vgg/"))) {
    const got = await readPoints(new URL(path, ROOT)); // "dots" from the extension
    assertEquals(got.x.length, want.countsCsv, path);
    assertPoints(got, want.points!, 0, path);
  }
});

Deno.test("readPoints on JPEG red dots (ADI): pixels match counts.csv, components scipy", async () => {
  for (const [path, want] of cases.filter(([p]) => p.includes("/dots/adi/"))) {
    const pixels = await readPoints(new URL(path, ROOT), { format: "dots", ...ADI });
    // imagescript's and libjpeg's IDCT differ by a few levels; no dot pixel is near 128.
    assertEquals(pixels.x.length, want.pixels, `${path}: dot pixels`);
    assertEquals(pixels.x.length, want.countsCsv, `${path}: counts.csv`);
    const groups = await readPoints(new URL(path, ROOT), { ...ADI, rule: "components" });
    assertPoints(groups, want.components!, 1e-4, `${path}: components`);
  }
});

Deno.test("readPoints: the ADI fixtures include touching dots, merged by components", () => {
  const merged = cases.filter(([p, c]) =>
    p.includes("/dots/adi/") && c.components!.length < c.pixels!
  );
  assert(merged.length >= 1, "at least one ADI fixture with touching dots");
});

Deno.test("readRoi reads TRANCOS' BW masks (row-major, 1 inside)", async () => {
  for (const [path, want] of cases.filter(([, c]) => c.format === "roi")) {
    const roi = await readRoi(new URL(path, ROOT));
    assertEquals(roi.shape, want.shape);
    assertEquals(Array.from(roi.data), want.mask);
  }
});

Deno.test("readPoints reads the real JSON sets: counts as counts.csv, sizes from areas", async () => {
  for (const set of ["vgg_cells", "adipocyte", "bbbc039"]) {
    const dir = new URL(`data/counting/${set}/`, ROOT);
    const rows = (await Deno.readTextFile(new URL("counts.csv", dir))).trim().split("\n").slice(1);
    let total = 0;
    for (const row of rows) {
      const [, file, count] = row.split(",");
      const points = await readPoints(new URL(`points/${file}`, dir));
      assertEquals(points.x.length, Number(count), `${set}/${file}`);
      total += points.x.length;
      if (set === "bbbc039") {
        const doc = JSON.parse(await Deno.readTextFile(new URL(`points/${file}`, dir)));
        assertEquals(points.boxes!.length, 4 * points.x.length);
        doc.areas.forEach((a: number, i: number) =>
          assertAlmostEquals(points.sizes![i], 2 * Math.sqrt(a / Math.PI), 1e-4)
        );
      }
    }
    // Totals stated in the datasets' READMEs.
    assertEquals(total, { vgg_cells: 35192, adipocyte: 31017, bbbc039: 23615 }[set]);
  }
});

Deno.test("readPoints names the file and the problem", async (t) => {
  const dir = await Deno.makeTempDir();
  const bad = new URL("testdata/counting_formats/bad/", ROOT);
  const write = async (name: string, text: string) => {
    await Deno.writeTextFile(`${dir}/${name}`, text);
    return `${dir}/${name}`;
  };
  const cases: [string, () => Promise<unknown>, string][] = [
    ["missing", () => readPoints(`${dir}/nope.json`), "file not found"],
    ["empty JSON", async () => readPoints(await write("e.json", "")), "the file is empty"],
    [
      "corrupt JSON",
      async () => readPoints(await write("c.json", '{"points": [[1, 2]')),
      "not valid JSON",
    ],
    [
      "no points",
      async () => readPoints(await write("n.json", '{"pts": []}')),
      '"points" must be an array',
    ],
    [
      "bad point",
      async () => readPoints(await write("b.json", '{"points": [[1, 2], [3]]}')),
      "points[1] must be [x, y]",
    ],
    [
      "areas mismatch",
      async () => readPoints(await write("a.json", '{"points": [[1, 2]], "areas": [3, 4]}')),
      '"areas" has 2 entries but there are 1 points',
    ],
    [
      "NWPU human_num",
      async () =>
        readPoints(await write("w.json", '{"human_num": 3, "points": [[1, 2]]}'), {
          format: "nwpu",
        }),
      '"human_num" is 3 but there are 1 points',
    ],
    [
      "JHU short line",
      async () => readPoints(await write("j.txt", "1 2 3 4 1 0\n5 6\n"), { format: "jhu" }),
      "line 2 must hold 4 numbers",
    ],
    [
      "ShanghaiTech number",
      () => readPoints(new URL("GT_number_mismatch.mat", bad), { format: "shanghaitech" }),
      "image_info{1}.number is 5 but location holds 3 points",
    ],
    [
      "ShanghaiTech on a UCF file",
      () => readPoints(new URL("wrong_variable_ann.mat", bad), { format: "shanghaitech" }),
      'no variable "image_info"',
    ],
    [
      "UCF wrong variable",
      () => readPoints(new URL("wrong_variable_ann.mat", bad), { format: "ucf-qnrf" }),
      'no variable "annPoints" (has "points")',
    ],
    [
      "UCF one column",
      () => readPoints(new URL("three_columns_ann.mat", bad), { format: "ucf-qnrf" }),
      "annPoints must be an N x 2 array",
    ],
    [
      "truncated .mat",
      async () => {
        const bytes = await Deno.readFile(new URL("GT_number_mismatch.mat", bad));
        await Deno.writeFile(`${dir}/t.mat`, bytes.subarray(0, 200));
        return readPoints(`${dir}/t.mat`, { format: "shanghaitech" });
      },
      "truncated",
    ],
    [
      "dots image that is not an image",
      async () => readPoints(await write("d.png", "text"), { format: "dots" }),
      "not a PNG or JPEG file",
    ],
    [
      "point outside the image",
      async () =>
        readPoints(await write("o.json", '{"points": [[1, 2], [40, 3]]}'), { inside: [10, 20] }),
      "points[1] = (x=40, y=3) lies outside the 10x20 image",
    ],
    ["unknown extension", async () => readPoints(await write("u.csv", "")), "pass { format:"],
  ];
  for (const [name, run, reason] of cases) {
    await t.step(name, async () => {
      const error = await assertRejects(run, AnnotationError);
      assert(error.message.startsWith("cannot read annotation "), error.message);
      assert(error.message.includes(reason), `${error.message} should say: ${reason}`);
    });
  }
  await t.step("an unknown format is a RangeError", async () => {
    await assertRejects(
      () => readPoints(`${dir}/x.json`, { format: "csv" as AnnotationFormat }),
      RangeError,
      'format must be one of "json"',
    );
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readPoints: origin overrides the format's default", async () => {
  const path = new URL(
    cases.find(([, c]) => c.format === "ucf-qnrf" && c.points!.length)![0],
    ROOT,
  );
  const zero = await readPoints(path, { format: "ucf-qnrf", origin: 0 });
  const one = await readPoints(path, { format: "ucf-qnrf" });
  for (let i = 0; i < zero.x.length; i++) assertAlmostEquals(zero.x[i] - one.x[i], 1, 1e-4);
});
