import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { chapter4Cost, chapter4Plan, sigmaErrors } from "./experiments.ts";
import { chapter4Settings, EDD_VARIANTS, kernelKey } from "./settings.ts";

Deno.test("the plan covers every table once per seed and shares runs between tables", () => {
  const s = chapter4Settings("quick");
  const plan = chapter4Plan(s);
  const ids = new Set(plan.map((e) => e.id));
  // Table 17's combined focus (on quick's FCRN-A) is also Table 18's FCRN-A row, Table 19's
  // ground-truth row and Table 20's; Table 18 adds the encoder-distiller-decoder.
  assertEquals(s.ablationNetwork, "fcrn");
  for (const seed of s.seeds) assert(ids.has(`bbbc039-fcrn-combined-focus-boxes-s${seed}`));
  for (const seed of s.seeds.slice(0, s.secondarySeeds)) {
    assert(ids.has(`bbbc039-edd-combined-focus-boxes-s${seed}`));
  }
  assert(!ids.has(`bbbc039-edd-combined-focus-boxes-s${s.seeds[s.secondarySeeds]}`));
  // Table 21's full network is Table 15's base network.
  for (const n of EDD_VARIANTS) assert(ids.has(`bbbc039-${n}-base-boxes-s0`), n);
  // Tables 19/22: GAK and the non-uniform kernel, MCNN and the focus network, secondary seeds.
  for (const k of ["adaptive", "nonuniform"]) {
    assert(ids.has(`bbbc039-mcnn-base-${k}-s1`));
    assert(ids.has(`bbbc039-fcrn-combined-focus-${k}-s1`));
    assert(!ids.has(`bbbc039-fcrn-combined-focus-${k}-s2`));
  }
  // Table 20 only: one seed.
  assertEquals(plan.filter((e) => e.dataset === "vgg_cells").map((e) => e.id), [
    `vgg_cells-fcrn-combined-focus-${kernelKey(s.datasets[1].kernel)}-s0`,
  ]);
  const cost = (id: string) => chapter4Cost(plan.find((e) => e.id === id)!, s);
  assert(cost("bbbc039-mcnn-base-boxes-s0") < cost("bbbc039-edd-base-boxes-s0"));
});

Deno.test("sigmaErrors: σ of GAK and the non-uniform kernel against size / 4", () => {
  const s = chapter4Settings("quick");
  // A row of points 10 px apart, each an object of diameter 8 (σ_true = 2).
  const n = 6;
  const points = {
    x: Float32Array.from({ length: n }, (_, i) => 10 + 10 * i),
    y: new Float32Array(n).fill(20),
    sizes: new Float32Array(n).fill(8),
  };
  const r = sigmaErrors([{ points, shape: [40, 80] }], s, "row")!;
  assertEquals([r.points, r.images, r.meanTrue], [n, 1, 2]);
  // GAK: 0.3 × the mean distance to the 3 nearest (10, 10, 20 inside; 10, 20, 30 at the ends).
  const gak = [20, 40 / 3, 40 / 3, 40 / 3, 40 / 3, 20].map((d) => 0.3 * d);
  assertAlmostEquals(r.kernels.adaptive.mean, gak.reduce((a, b) => a + b) / n, 1e-5);
  assertAlmostEquals(
    r.kernels.adaptive.mae,
    gak.reduce((a, b) => a + Math.abs(b - 2), 0) / n,
    1e-5,
  );
  assertEquals(r.kernels.boxes.mae, 0);
  assertEquals(
    sigmaErrors([{ points: { x: points.x, y: points.y }, shape: [40, 80] }], s, "x"),
    null,
  );
});
