import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  chapter5Claims,
  checkCascadeSplit,
  checkCombined,
  checkOcclusionBeats,
  checkOcclusionHigh,
  checkOracle,
} from "./claims.ts";
import type { CountRecord } from "./experiments.ts";
import { occlusionThreshold, recordError } from "./measures.ts";
import { type Backbone, chapter5Settings, type Method } from "./settings.ts";

const S = chapter5Settings("quick");

/**
 * A record with 4 test images whose absolute errors are `errors` (truth 100
 * each), background counts `bg`, occlusion levels 1.0, 1.1 (low) and 1.2,
 * 1.3 (high at the median split).
 */
function rec(
  method: Method,
  errors: number[],
  o: { dataset?: string; backbone?: Backbone; seed?: number; bg?: number } = {},
): CountRecord {
  return {
    kind: "count",
    id: `${method}-${o.seed ?? 0}`,
    dataset: o.dataset ?? "bbbc039",
    backbone: o.backbone ?? "csrnet",
    method,
    seed: o.seed ?? 0,
    steps: 1,
    seconds: 1,
    best: null,
    names: ["a", "b", "c", "d"],
    predicted: errors.map((e) => 100 + e),
    truth: [100, 100, 100, 100],
    mae: errors.reduce((a, b) => a + b, 0) / errors.length,
    rmse: 0,
    split: {
      background: errors.map(() => o.bg ?? 1),
      foreground: errors.map((e) => e - (o.bg ?? 1)),
    },
    levels: [1.0, 1.1, 1.2, 1.3],
  };
}
const vgg = (m: Method, e: number[], seed = 0) => rec(m, e, { dataset: "vgg", seed });

Deno.test("the occlusion split: the median puts half the images in each set", () => {
  assertEquals(occlusionThreshold([1.3, 1.0, 1.2, 1.1], "median"), 1.2);
  const r = rec("base", [2, 4, 10, 20]);
  assertEquals(recordError(r, "low", "median"), 3);
  assertEquals(recordError(r, "high", "median"), 15);
  assertEquals(recordError(r, "high", 1.5), NaN); // no image reaches 1.5
});

Deno.test("checkOracle passes only when the oracle removes enough of the error", () => {
  const s = { ...S, oracle: { datasets: ["bbbc039"], backbones: ["csrnet"] as Backbone[] } };
  const good = checkOracle([rec("base", [10, 10, 10, 10]), rec("oracle", [4, 4, 4, 4])], s);
  assertEquals(good.passed, true);
  assertStringIncludes(good.detail, "60 % of the error removed");
  const weak = checkOracle([rec("base", [10, 10, 10, 10]), rec("oracle", [8, 8, 8, 8])], s);
  assertEquals(weak.passed, false); // lower, but only 20 %: not "a lot"
  assertStringIncludes(weak.detail, "✗");
  assertEquals(checkOracle([rec("base", [1, 1, 1, 1])], s).passed, null); // oracle not run
});

Deno.test("checkCascadeSplit needs both the BG and the FG error lower", () => {
  const base = rec("base", [10, 10, 10, 10], { bg: 3 });
  assertEquals(checkCascadeSplit([base, rec("cascade", [8, 8, 8, 8], { bg: 2 })], S).passed, true);
  // lower overall and FG, but more counted on the background
  const c = checkCascadeSplit([base, rec("cascade", [9, 9, 9, 9], { bg: 4 })], S);
  assertEquals(c.passed, false);
  assertStringIncludes(c.detail, "BG: BBBC039 CSRNet: cascade 4.00 vs base 3.00");
});

Deno.test("means over seeds decide; the detail says when the gap is within seed noise", () => {
  const records = [
    vgg("occlusion", [5, 5, 5, 5], 0),
    vgg("occlusion", [9, 9, 9, 9], 1),
    vgg("cutout", [8, 8, 8, 8], 0),
    vgg("cutout", [8, 8, 8, 8], 1),
    vgg("cutmix", [10, 10, 10, 10], 0),
    vgg("cutmix", [10, 10, 10, 10], 1),
  ];
  const c = checkOcclusionBeats(records, S);
  assertEquals(c.passed, true); // 7 < 8 and 7 < 10
  assertStringIncludes(
    c.detail,
    "occlusion 7.00 ± 2.83 vs cutout 8.00 ± 0.00 (2 seeds, within seed noise)",
  );
  assert(!/cutmix 10.00 ± 0.00 \(2 seeds, within/.test(c.detail), c.detail);
  records[2] = vgg("cutout", [6, 6, 6, 6], 0);
  records[3] = vgg("cutout", [6, 6, 6, 6], 1);
  assertEquals(checkOcclusionBeats(records, S).passed, false); // 7 > 6: fails
});

Deno.test("checkOcclusionHigh compares relative reductions on the two sets", () => {
  const base = vgg("base", [10, 10, 20, 20]);
  // −10 % on low, −25 % on high: passes
  assertEquals(checkOcclusionHigh([base, vgg("occlusion", [9, 9, 15, 15])], S).passed, true);
  // −30 % on low, −10 % on high: the absolute gain is larger on high (2 vs 3), the relative one is not
  const c = checkOcclusionHigh([base, vgg("occlusion", [7, 7, 18, 18])], S);
  assertEquals(c.passed, false);
  assertStringIncludes(c.detail, "low 10.00 → 7.00 (−30.0 %), high 20.00 → 18.00 (−10.0 %) ✗");
  // At the thesis's 1.5 no cell image is high: no verdict.
  const at15 = checkOcclusionHigh([base, vgg("occlusion", [9, 9, 15, 15])], {
    ...S,
    occlusionSplit: 1.5,
  });
  assertEquals(at15.passed, null);
  assertStringIncludes(at15.detail, "empty");
});

Deno.test("checkCombined: the three combined must beat every other row of Table 27", () => {
  const rows = (all: number) => [
    rec("base", [10, 10, 10, 10]),
    rec("cascade", [8, 8, 8, 8]),
    rec("bg-gt", [7, 7, 7, 7]),
    rec("bg-occ", [7.5, 7.5, 7.5, 7.5]),
    rec("all", [all, all, all, all]),
  ];
  assertEquals(checkCombined(rows(6), S).passed, true);
  assertEquals(checkCombined(rows(7.2), S).passed, false); // bg-gt is lower
});

Deno.test("chapter5Claims lists every claim in order; without records all are skipped", () => {
  const claims = chapter5Claims([], S);
  assertEquals(claims.map((c) => c.id), [
    "oracle-background",
    "cascade-lowers-mae",
    "cascade-lowers-bg-fg",
    "occlusion-lowers-mae",
    "occlusion-most-on-high",
    "occlusion-beats-cutout-cutmix",
    "distilled-lowers-mae",
    "combined-lowest",
  ]);
  assertEquals(claims.map((c) => c.passed), Array(8).fill(null));
  const some = chapter5Claims(
    [rec("base", [10, 10, 10, 10]), rec("distilled", [11, 11, 11, 11])],
    S,
  );
  assertEquals(some.find((c) => c.id === "distilled-lowers-mae")!.passed, false);
});
