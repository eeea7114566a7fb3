import { assert, assertEquals, assertThrows } from "@std/assert";
import { PROFILES } from "../profile.ts";
import { chapter4Plan, chapter4Steps } from "./experiments.ts";
import {
  chapter4Settings,
  datasetOf,
  describeChapter4Scaling,
  HEAD_VARIANTS,
  kernelKey,
  validateChapter4Settings,
} from "./settings.ts";

Deno.test("every profile's settings are valid; paper holds the thesis's values", () => {
  for (const p of PROFILES) assertEquals(chapter4Settings(p).profile, p);
  const paper = chapter4Settings("paper");
  // Thesis Sec. 4.4.1: 128 × 128 crops, batch 16, Adam 1e-4, up to 1000 epochs.
  assertEquals([paper.crop, paper.batchSize, paper.lr, paper.epochs], [128, 16, 1e-4, 1000]);
  // Eq. 4.9: (λ_r, λ_s, λ_c) = (1, 10, 1); eq. 4.7 with β = 0.3, k = 5.
  assertEquals(paper.lambdas, { segmentation: 10, globalDensity: 1 });
  assertEquals([paper.nonuniformKernel.beta, paper.nonuniformKernel.k], [0.3, 5]);
  // M = 8 density levels for Part A, 4 for the others; σ = 5 (Part B), 10 (DCC); boxes for WIDER FACE.
  assertEquals(paper.datasets.map((d) => [d.key, d.levels]), [
    ["part_a", 8],
    ["part_b", 4],
    ["trancos", 4],
    ["dcc", 4],
    ["wider_face", 4],
  ]);
  assertEquals(kernelKey(datasetOf(paper, "part_b").kernel), "fixed5");
  assertEquals(kernelKey(datasetOf(paper, "dcc").kernel), "fixed10");
  assertEquals(kernelKey(datasetOf(paper, "wider_face").kernel), "boxes");
  assertEquals(kernelKey(datasetOf(paper, "part_a").kernel), "nonuniform");
  assertEquals(describeChapter4Scaling(paper), []);
  // 1000 epochs of Part A's 300 training images (minus 30 held out) in batches of 16.
  assertEquals(chapter4Steps(paper, 270), 16875);
});

Deno.test("quick is scaled down and says how; smoke is smaller still", () => {
  const quick = chapter4Settings("quick"), smoke = chapter4Settings("smoke");
  const lines = describeChapter4Scaling(quick);
  for (
    const start of [
      "datasets: BBBC039 nuclei reduced ×2",
      "training: 500 Adam steps",
      "seeds per setting: 3",
    ]
  ) {
    assert(lines.some((l) => l.startsWith(start)), `${start}\n${lines.join("\n")}`);
  }
  assert(smoke.steps < quick.steps && smoke.crop < quick.crop);
  assert(quick.seeds.length >= 3, "several seeds where effects are within seed noise");
  const plans = [smoke, quick].map((s) => chapter4Plan(s));
  assert(plans[0].length < plans[1].length);
  for (const plan of plans) assertEquals(new Set(plan.map((e) => e.id)).size, plan.length);
  // Every head variant of Tables 15–17 runs for every seed.
  for (const h of HEAD_VARIANTS) {
    assertEquals(
      plans[1].filter((e) =>
        e.network === quick.ablationNetwork && e.heads === h && e.kernel.kernel === "boxes"
      )
        .length,
      quick.seeds.length,
      h,
    );
  }
});

Deno.test("validateChapter4Settings names the bad field", () => {
  const s = chapter4Settings("smoke");
  assertThrows(() => validateChapter4Settings({ ...s, steps: 0 }), RangeError, "steps");
  assertThrows(() => validateChapter4Settings({ ...s, crop: 36 }), RangeError, "crop");
  assertThrows(() => validateChapter4Settings({ ...s, seeds: [] }), RangeError, "seeds");
  assertThrows(
    () => validateChapter4Settings({ ...s, ablation: ["nope"] }),
    RangeError,
    "ablation[0]",
  );
  assertThrows(
    () => validateChapter4Settings({ ...s, datasets: [{ ...s.datasets[0], reduce: 0 }] }),
    RangeError,
    "datasets[0].reduce",
  );
  assertThrows(() => datasetOf(s, "nope"), RangeError, `no dataset "nope"`);
});
