// Expected values come from scipy.io.loadmat/whosmat (scipy 1.17) of files written by
// scipy.io.savemat (tools/fixtures/counting_formats_fixtures.py → testdata/counting_formats.json).
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { MatReadError, type MatValue, readMat } from "./mat.ts";

const ROOT = new URL("../../", import.meta.url);
const fixture = JSON.parse(
  await Deno.readTextFile(new URL("testdata/counting_formats.json", ROOT)),
);
const CLASS: Record<string, string> = {
  float64: "double",
  float32: "single",
  complex128: "double",
};

// deno-lint-ignore no-explicit-any
function compare(got: MatValue, want: any, where: string) {
  assertEquals(got.kind, want.kind, `${where}: kind`);
  if (got.kind === "unsupported") return;
  assertEquals(got.shape, want.shape, `${where}: shape`);
  if (got.kind === "numeric") {
    const cls = want.matlabClass ?? CLASS[want.class] ?? want.class;
    assertEquals(got.class, cls, `${where}: class`);
    assertEquals(Array.from(got.data), want.data, `${where}: data`);
    if (want.imag) assertEquals(Array.from(got.imag ?? []), want.imag, `${where}: imag`);
  } else if (got.kind === "char") {
    assertEquals(got.text, want.text, `${where}: text`);
  } else if (got.kind === "cell") {
    got.items.forEach((item, i) => compare(item, want.items[i], `${where}{${i + 1}}`));
  } else {
    assertEquals(got.fields, want.fields, `${where}: fields`);
    got.items.forEach((record, i) => {
      for (const f of got.fields) compare(record[f], want.items[i][f], `${where}(${i + 1}).${f}`);
    });
  }
}

for (const file of ["types.mat", "types_compressed.mat"]) {
  Deno.test(`readMat reads every value of ${file} as scipy.io.loadmat does`, async () => {
    const vars = readMat(
      await Deno.readFile(new URL(`testdata/counting_formats/mat/${file}`, ROOT)),
      file,
    );
    assertEquals(Object.keys(vars).sort(), Object.keys(fixture.mat).sort());
    for (const [name, want] of Object.entries(fixture.mat)) compare(vars[name], want, name);
  });
}

Deno.test("readMat keeps the shapes of 0, 1 and 2 point arrays", async () => {
  const dir = new URL("testdata/counting_formats/", ROOT);
  const one = readMat(await Deno.readFile(new URL("ucf_qnrf/Train/img_0002_ann.mat", dir)));
  assert(one.annPoints.kind === "numeric");
  assertEquals(one.annPoints.shape, [1, 2]);
  const none = readMat(await Deno.readFile(new URL("ucf_qnrf/Test/img_0001_ann.mat", dir)));
  assert(none.annPoints.kind === "numeric");
  assertEquals(none.annPoints.shape, [0, 2]);
});

Deno.test("readMat names the file and the problem for bad files", async () => {
  const good = await Deno.readFile(
    new URL("testdata/counting_formats/mat/types_compressed.mat", ROOT),
  );
  const plain = await Deno.readFile(new URL("testdata/counting_formats/mat/types.mat", ROOT));
  const v73 = new Uint8Array(1024);
  v73.set(new TextEncoder().encode("MATLAB 7.3 MAT-file, Platform: GLNXA64"));
  v73.set([0x89, 0x48, 0x44, 0x46], 512);
  const corrupt = good.slice();
  corrupt[140] ^= 0xff; // inside the first zlib stream
  const cases: [string, Uint8Array, string][] = [
    ["empty.mat", new Uint8Array(0), "the file is empty"],
    ["v4.mat", new Uint8Array(200), 'not a MATLAB Level 5 MAT-file (no "MATLAB" header'],
    ["v73.mat", v73, "MATLAB v7.3 files are HDF5"],
    ["header.mat", good.subarray(0, 100), "shorter than the 128-byte header"],
    ["half.mat", good.subarray(0, good.length >> 1), "truncated"],
    ["half-plain.mat", plain.subarray(0, 300), "truncated"],
    ["zlib.mat", corrupt, "corrupt compressed variable at byte 128"],
  ];
  for (const [name, bytes, reason] of cases) {
    const error = assertThrows(() => readMat(bytes, name), MatReadError);
    assertStringIncludes(error.message, `cannot read MAT-file ${name}: `);
    assertStringIncludes(error.message, reason);
  }
});
