import { assert, assertEquals, assertThrows } from "@std/assert";
import { PROFILES } from "../profile.ts";
import { planChapter5 } from "./experiments.ts";
import {
  chapter5Settings,
  describeChapter5Scaling,
  TABLE_RUNS,
  validateChapter5Settings,
} from "./settings.ts";

Deno.test("every profile's settings are valid; paper holds the thesis's values", () => {
  for (const p of PROFILES) assertEquals(chapter5Settings(p).profile, p);
  const paper = chapter5Settings("paper");
  // Thesis Sec. 5.2: Adam 1e-4, batches of 10, 256² crops (416² for UCF-QNRF), HRNetV2-W48.
  assertEquals([paper.lr, paper.batch], [1e-4, 10]);
  assertEquals(paper.datasets.sha.crop, 256);
  assertEquals(paper.datasets.ucf.crop, 416);
  assertEquals(paper.networks.hrnet.channels, 48);
  assertEquals(paper.networks.csrnet.width, 1);
  // Sec. 5.4: β = 0.3, low/high occlusion at M̄ = 1.5.
  assertEquals([paper.beta, paper.occlusionSplit], [0.3, 1.5]);
  assertEquals(paper.oracle.datasets, ["sha", "shb", "ucf", "jhu"]);
  assertEquals(paper.sota.datasets, ["sha", "shb", "ucf", "jhu", "trancos"]);
  assertEquals(describeChapter5Scaling(paper), []);
});

Deno.test("quick runs on the cell sets, scaled down, and says how; smoke is smaller still", () => {
  const quick = chapter5Settings("quick"), smoke = chapter5Settings("smoke");
  assertEquals(Object.keys(quick.datasets).sort(), ["bbbc039", "vgg"]);
  assertEquals(quick.oracle.backbones, ["csrnet", "hrnet"]); // Table 23: both backbones
  assertEquals(quick.occlusion.datasets, ["vgg"]);
  assertEquals(quick.datasets.bbbc039.normalize, { bits: 12 }); // 12-bit data in 16-bit PNG
  assert(quick.seeds.length >= 2, "several seeds for the small effects");
  const lines = describeChapter5Scaling(quick);
  assert(lines.some((l) => l.startsWith("learning rate: 0.001 (thesis 0.0001")), lines.join("\n"));
  assert(lines.some((l) => l.startsWith("low/high occlusion split: median")), lines.join("\n"));
  assert(smoke.steps < quick.steps && smoke.datasets.bbbc039.scale < quick.datasets.bbbc039.scale);
  for (const t of TABLE_RUNS) assertEquals(smoke[t], quick[t]); // smoke runs every path quick runs
});

Deno.test("the plan lists each network once, its dependencies first", () => {
  const plan = planChapter5(chapter5Settings("quick"));
  const ids = plan.map((e) => e.id);
  assertEquals(new Set(ids).size, ids.length);
  const at = new Map(ids.map((id, i) => [id, i]));
  for (const e of plan) {
    for (const d of e.after) assert(at.get(d)! < at.get(e.id)!, `${d} before ${e.id}`);
  }
  assert(ids.includes("bbbc039-segmenter") && ids.includes("bbbc039-csrnet-oracle"));
  // Table 23 runs one seed; the comparisons run every seed.
  assert(ids.includes("bbbc039-hrnet-base-s0") && !ids.includes("bbbc039-hrnet-base-s1"));
  assert(ids.includes("vgg-csrnet-cutmix-s1") && ids.includes("bbbc039-csrnet-all-s1"));
  assertEquals(plan.find((e) => e.id === "bbbc039-csrnet-all-s0")!.after, [
    "bbbc039-segmenter",
    "bbbc039-csrnet-oracle",
  ]);
  assertEquals(ids.length, 28);
});

Deno.test("validateChapter5Settings names the bad field", () => {
  const s = chapter5Settings("smoke");
  assertThrows(() => validateChapter5Settings({ ...s, steps: 0 }), RangeError, "steps");
  assertThrows(() => validateChapter5Settings({ ...s, seeds: [] }), RangeError, "seeds");
  assertThrows(
    () =>
      validateChapter5Settings({
        ...s,
        datasets: { ...s.datasets, vgg: { ...s.datasets.vgg, crop: 40 } },
      }),
    RangeError,
    "multiple of 32",
  );
  assertThrows(
    () =>
      validateChapter5Settings({ ...s, occlusion: { datasets: ["sha"], backbones: ["csrnet"] } }),
    RangeError,
    'names "sha"',
  );
  assertThrows(
    () => validateChapter5Settings({ ...s, beta: 2 }),
    RangeError,
    "beta",
  );
});
