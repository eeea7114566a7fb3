import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertThrows,
} from "@std/assert";
import { Rng } from "../core/rng.ts";
import {
  createOcclusion,
  cutmix,
  cutout,
  type ImageArray,
  occlusionLevel,
  occlusionMap,
} from "./occlusion.ts";
import { toPoints } from "./points.ts";

// Values from tools/fixtures/counting_occlusion_fixtures.py (numpy) on real point sets.
const dir = new URL("../../testdata/counting_ch5/", import.meta.url);
const ref = JSON.parse(await Deno.readTextFile(new URL("occlusion_reference.json", dir)));
const readSet = async (name: string) => {
  const r = ref[name];
  const json = JSON.parse(await Deno.readTextFile(new URL(r.file, dir)));
  return { ...r, points: toPoints(json.points) };
};

const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);

Deno.test("occlusionMap and occlusionLevel match numpy on real points (eq. 5.3)", async () => {
  for (const name of ["vgg_001cell", "bbbc039_A02_s1"]) {
    const set = await readSet(name);
    const map = occlusionMap(set.points, set.sigmas, set.shape);
    assertEquals(sum(map), set.sum, name);
    assertEquals(map.filter((v) => v > 0).length, set.nonzero, name);
    const w = set.shape[1];
    assertEquals(Array.from(map.subarray(set.row * w, (set.row + 1) * w)), set.row_values);
    assertAlmostEquals(occlusionLevel(set.points, set.sigmas, set.shape), set.level, 1e-9);
  }
  assertEquals(occlusionLevel([], [], [10, 10]), 0);
  assertThrows(() => occlusionLevel([[1, 1]], [0], [4, 4]), RangeError, "sigmas[0]");
  assertThrows(() => occlusionLevel([[1, 1]], [1, 2], [4, 4]), RangeError, "one value per point");
});

function gaussianDensity(points: ReturnType<typeof toPoints>, sigma: number, h: number, w: number) {
  const d = new Float32Array(h * w);
  for (let i = 0; i < points.x.length; i++) {
    let mass = 0;
    const g = new Float64Array(h * w);
    for (let k = 0; k < h * w; k++) {
      g[k] = Math.exp(
        -((k % w - points.x[i]) ** 2 + (Math.floor(k / w) - points.y[i]) ** 2) / (2 * sigma ** 2),
      );
      mass += g[k];
    }
    for (let k = 0; k < h * w; k++) d[k] += g[k] / mass;
  }
  return d;
}

Deno.test("createOcclusion keeps the count law on a real image's points, and is seeded", async () => {
  const set = await readSet("vgg_001cell");
  const [h, w] = set.shape as [number, number];
  const rng = new Rng(1);
  const image: ImageArray = {
    data: new Float32Array(h * w * 3).map(() => rng.next()),
    shape: [h, w, 3],
  };
  const sigmas = new Float32Array(set.points.x.length).fill(4);
  const density = gaussianDensity(set.points, 4, h, w);
  const before = sum(density);
  const a = createOcclusion(image, set.points, { sigmas, density, seed: 3 });
  // β / M̄ of 176 objects at M̄ = 1.x: tens of occlusions
  const expected = Math.round(
    Math.min(1, 0.3 / occlusionLevel(set.points, sigmas, [h, w])) * set.points.x.length,
  );
  assert(a.pasted.length > 0 && a.pasted.length <= expected, `${a.pasted.length} of ${expected}`);
  assertAlmostEquals(sum(a.density), before + a.pasted.length, 1e-3);
  assertEquals(a.points.x.length, set.points.x.length + a.pasted.length);
  assertEquals(a.sigmas.length, a.points.x.length);
  // the input is unchanged, the output differs only near pasted objects
  assertEquals(sum(density), before);
  assertNotEquals(Array.from(a.image.data), Array.from(image.data));
  for (const p of a.pasted) {
    const occ = p.occluded;
    const r = Math.hypot(p.x - set.points.x[occ], p.y - set.points.y[occ]);
    assert(r <= 2 * 4 + 2 * 4 + 1.5, `paste at distance ${r}`); // eq. 5.1: r ≤ 2σ_copy + 2σ_occ
  }
  const b = createOcclusion(image, set.points, { sigmas, density, seed: 3 });
  assertEquals(b.pasted, a.pasted);
  assertEquals(Array.from(b.image.data), Array.from(a.image.data));
  const c = createOcclusion(image, set.points, { sigmas, density, seed: 4 });
  assertNotEquals(c.pasted, a.pasted);
});

Deno.test("createOcclusion: the pasted disc carries the copied object's pixels", () => {
  // one bright object at (10, 10), a dark one at (30, 10); paste copies of the bright onto the dark
  const h = 24, w = 44;
  const data = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) if ((x - 10) ** 2 + (y - 10) ** 2 <= 9) data[y * w + x] = 1;
  }
  const r = createOcclusion({ data, shape: [h, w, 1] }, [[10, 10], [30, 10]], {
    sigmas: [1.5, 1.5],
    fraction: 1,
    seed: 0,
  });
  assertEquals(r.pasted.length, 2);
  for (const p of r.pasted) {
    if (p.copied !== 0) continue;
    const v = r.image.data[Math.round(p.y) * w + Math.round(p.x)];
    assert(v > 0.5, `centre of the pasted bright object is ${v}`);
  }
});

Deno.test("createOcclusion edge cases: 0 and 1 objects, bad input named", () => {
  const image: ImageArray = { data: new Float32Array(16), shape: [4, 4, 1] };
  assertEquals(createOcclusion(image, [], { sigmas: [] }).pasted.length, 0);
  assertEquals(createOcclusion(image, [[1, 1]], { sigmas: [1] }).pasted.length, 0);
  assertThrows(() => createOcclusion(image, [[9, 1]], { sigmas: [1] }), RangeError, "outside");
  assertThrows(
    () => createOcclusion({ data: new Float32Array(3), shape: [4, 4, 1] }, [], { sigmas: [] }),
    RangeError,
    "needs 16",
  );
  assertThrows(() => createOcclusion(image, [], { sigmas: [], beta: 2 }), RangeError, "beta");
  assertThrows(
    () => createOcclusion(image, [], { sigmas: [], density: new Float32Array(3) }),
    RangeError,
    "density",
  );
});

Deno.test("cutout and cutmix: the count is the density left, inputs unchanged", () => {
  const h = 16, w = 20;
  const rng = new Rng(2);
  const mk = (): { image: ImageArray; density: Float32Array } => ({
    image: { data: new Float32Array(h * w * 3).map(() => rng.next()), shape: [h, w, 3] },
    density: new Float32Array(h * w).map(() => rng.next() / 100),
  });
  const a = mk(), b = mk();
  const cut = cutout(a.image, a.density, { size: 6, seed: 1 });
  const [x0, y0, x1, y1] = cut.box;
  let inside = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) inside += a.density[y * w + x];
  assertAlmostEquals(sum(cut.density), sum(a.density) - inside, 1e-5);
  assertEquals(cut.image.data[(y0 * w + x0) * 3], 0);
  const mix = cutmix(a, b, { seed: 1 });
  let fromB = 0, fromA = 0;
  const [mx0, my0, mx1, my1] = mix.box;
  for (let y = my0; y < my1; y++) {
    for (let x = mx0; x < mx1; x++) {
      fromB += b.density[y * w + x];
      fromA += a.density[y * w + x];
    }
  }
  assertAlmostEquals(sum(mix.density), sum(a.density) - fromA + fromB, 1e-5);
  assertThrows(
    () =>
      cutmix(a, {
        image: { data: new Float32Array(3), shape: [1, 1, 3] },
        density: new Float32Array(1),
      }),
    RangeError,
    "b.image must have shape",
  );
});
