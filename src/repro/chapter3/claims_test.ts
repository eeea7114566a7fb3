import { assertEquals, assertStringIncludes } from "@std/assert";
import { chapter3Claims, checkAblation, checkLearnedBeats, checkTable6 } from "./claims.ts";
import type { ClassicalMethod, LearnedRecord, Table6Entry } from "./experiments.ts";
import type { LearnedMethod } from "./settings.ts";

const TOL = { psnr: 0.05, rmse: 0.05 };

function entry(
  kind: "sigma" | "scale",
  values: Record<ClassicalMethod, number>,
): Table6Entry {
  const best = Object.fromEntries(
    Object.entries(values).map(([m, v]) => [m, { value: v, radius: 4, eps: 0.01 }]),
  ) as Table6Entry["best"];
  return { kind, level: kind === "sigma" ? 25 : 8, input: 0, best };
}

function record(method: LearnedMethod, rmse: number[], scale = 8) {
  return {
    method,
    task: { kind: "depth-upsampling" as const, scale },
    scores: rmse.map((r) => ({ rmse: r, psnr: 0, ssim: 0 })),
  };
}

Deno.test("checkTable6: PSNR higher-is-better, RMSE lower-is-better, with the tolerance", () => {
  const good = entry("sigma", { gf: 26, "ours+gf": 25.96, wgf: 27, "ours+wgf": 27.1 });
  assertEquals(checkTable6([good], "gf", TOL).passed, true); // 0.04 dB below: within tolerance
  const bad = entry("sigma", { gf: 26, "ours+gf": 25.9, wgf: 27, "ours+wgf": 27 });
  const c = checkTable6([good, bad], "gf", TOL);
  assertEquals(c.passed, false);
  assertStringIncludes(c.detail, "25.90 vs 26.00 dB ✗");
  const depth = entry("scale", { gf: 7.25, "ours+gf": 7.18, wgf: 7.17, "ours+wgf": 7.3 });
  assertEquals(checkTable6([depth], "gf", TOL).passed, true);
  assertEquals(checkTable6([depth], "wgf", TOL).passed, false);
  assertEquals(checkTable6([], "gf", TOL).passed, null);
});

Deno.test("checkLearnedBeats compares the last output per task and fails on a tie", () => {
  assertEquals(checkLearnedBeats([record("ours", [9, 6]), record("djf", [7])], "djf").passed, true);
  assertEquals(
    checkLearnedBeats([record("ours", [9, 7]), record("djf", [7])], "djf").passed,
    false,
  );
  // A baseline trained for another task is not compared.
  assertEquals(checkLearnedBeats([record("ours", [5]), record("dgf", [7], 4)], "dgf").passed, null);
});

Deno.test("checkAblation: RMSE must not rise from one output to the next", () => {
  assertEquals(checkAblation([record("ours", [8, 7, 6.5, 6.52])], TOL).passed, true);
  const c = checkAblation([record("ours", [8, 7, 7.2])], TOL);
  assertEquals(c.passed, false);
  assertStringIncludes(c.detail, "8.00 → 7.00 → 7.20 ✗");
  assertEquals(checkAblation([record("ours", [8])], TOL).passed, null);
});

Deno.test("chapter3Claims lists every claim in order; a run without data skips them", () => {
  const claims = chapter3Claims({ learned: [] }, { tolerance: TOL });
  assertEquals(claims.map((c) => c.id), [
    "table6-ours-gf",
    "table6-ours-wgf",
    "learned-beats-djf",
    "learned-beats-svlrm",
    "learned-beats-dgf",
    "ablation-monotone",
  ]);
  assertEquals(claims.map((c) => c.passed), [null, null, null, null, null, null]);
  const learned = [record("ours", [3, 2]), record("svlrm", [1])] as unknown as LearnedRecord[];
  const some = chapter3Claims({ learned }, { tolerance: TOL });
  assertEquals(some.map((c) => c.passed), [null, null, null, false, null, true]);
});
