import { assertEquals, assertStringIncludes } from "@std/assert";
import {
  chapter4Claims,
  type Chapter4Results,
  checkCombinedFocus,
  checkDistiller,
  checkFocusEveryNetwork,
  checkFocusLowersMae,
  checkNonuniformCount,
  checkNonuniformSigma,
} from "./claims.ts";
import type { Chapter4Record } from "./experiments.ts";
import { chapter4Settings, type HeadVariant, type NetworkKind } from "./settings.ts";

const S = chapter4Settings("quick");
const A = S.ablationNetwork; // the base network of Tables 15–17

/** A record with only what the claims read. */
function rec(
  network: NetworkKind,
  heads: HeadVariant,
  seed: number,
  mae: number,
  kernel = "boxes",
): Chapter4Record {
  return {
    dataset: "bbbc039",
    network,
    heads,
    kernel,
    seed,
    metrics: { mae, rmse: mae * 1.2, nmae: mae / 100 },
    perImage: { names: ["a"], predicted: [100 + mae], truth: [100] },
  } as unknown as Chapter4Record;
}

/** Records of one setting over three seeds with the given MAEs. */
const seeds = (network: NetworkKind, heads: HeadVariant, maes: number[], kernel?: string) =>
  maes.map((m, i) => rec(network, heads, i, m, kernel));

const results = (records: Chapter4Record[]): Chapter4Results => ({ records, objects: [] });

Deno.test("a focus that lowers the mean MAE passes; one that raises it fails", () => {
  const base = seeds(A, "base", [10, 11, 12]);
  const better = checkFocusLowersMae(
    results([...base, ...seeds(A, "segmentation-focus", [8, 8.5, 9])]),
    S,
    "segmentation-focus",
  );
  assertEquals(better.passed, true);
  assertStringIncludes(better.detail, "8.50 ± 0.50 vs 11.00 ± 1.00 (3 seeds)");
  const worse = checkFocusLowersMae(
    results([...base, ...seeds(A, "global-density-focus", [12, 13, 14])]),
    S,
    "global-density-focus",
  );
  assertEquals(worse.passed, false);
  assertStringIncludes(worse.detail, "✗");
  // Not run: no verdict.
  assertEquals(checkFocusLowersMae(results(base), S, "segmentation-focus").passed, null);
});

Deno.test("a difference smaller than the seed spread is called within seed noise", () => {
  const c = checkFocusLowersMae(
    results([
      ...seeds(A, "base", [10, 12, 14]),
      ...seeds(A, "segmentation-focus", [9.5, 11.5, 13.5]),
    ]),
    S,
    "segmentation-focus",
  );
  assertEquals(c.passed, true);
  assertStringIncludes(c.detail, "within seed noise (|Δ| 0.50 ≤ std 2.00)");
});

Deno.test("combined focus must be the lowest of all seven variants", () => {
  const maes: Record<HeadVariant, number> = {
    base: 10,
    "spatial-attention": 9,
    "segmentation-focus": 8,
    "channel-attention": 9.5,
    "global-density-focus": 8.5,
    "combined-attention": 8.8,
    "combined-focus": 7,
  };
  const all = Object.entries(maes).flatMap(([h, m]) => seeds(A, h as HeadVariant, [m, m + 1]));
  assertEquals(checkCombinedFocus(results(all), S).passed, true);
  // Segmentation focus alone beats it: the claim fails although combined attention is beaten.
  const seg = all.filter((r) => r.heads !== "segmentation-focus");
  seg.push(...seeds(A, "segmentation-focus", [6, 7]));
  const c = checkCombinedFocus(results(seg), S);
  assertEquals(c.passed, false);
  assertStringIncludes(c.detail, "best other: segmentation focus 6.50 ± 0.71 ✗ (lower)");
});

Deno.test("focus must help every base network; the kernel and distiller claims", () => {
  const nets = ["mcnn", "fcrn", "csrnet", "edd"] as const;
  const good = nets.flatMap((
    n,
  ) => [...seeds(n, "base", [10, 10]), ...seeds(n, "combined-focus", [9, 9])]);
  assertEquals(checkFocusEveryNetwork(results(good), S).passed, true);
  const bad = good.map((r) =>
    r.network === "csrnet" && r.heads === "combined-focus" ? rec("csrnet", r.heads, r.seed, 11) : r
  );
  const c = checkFocusEveryNetwork(results(bad), S);
  assertEquals(c.passed, false);
  assertStringIncludes(c.detail, "csrnet focus vs base: 11.00 ± 0.00 vs 10.00 ± 0.00 (2 seeds) ✗");

  // The non-uniform kernel: an equal MAE is "no higher" (passes), a higher one fails.
  const k = (net: NetworkKind, heads: HeadVariant, nu: number, gak: number) => [
    ...seeds(net, heads, [nu], "nonuniform"),
    ...seeds(net, heads, [gak], "adaptive"),
  ];
  assertEquals(
    checkNonuniformCount(
      results([...k("mcnn", "base", 5, 5), ...k(A, "combined-focus", 4, 4.5)]),
      S,
    ).passed,
    true,
  );
  assertEquals(
    checkNonuniformCount(
      results([...k("mcnn", "base", 5.1, 5), ...k(A, "combined-focus", 4, 4.5)]),
      S,
    ).passed,
    false,
  );

  const e = (mae: number) => ({ mae, bias: 0, mean: 0 });
  const sigma = (nu: number, gak: number) => ({
    records: [],
    objects: [{
      dataset: "bbbc039",
      thirds: null,
      sigma: {
        dataset: "bbbc039",
        images: 1,
        points: 3,
        sizeToSigma: 0.25,
        meanTrue: 3,
        kernels: { adaptive: e(gak), nonuniform: e(nu), boxes: e(0) },
      },
    }],
  });
  assertEquals(checkNonuniformSigma(sigma(2.2, 2.6), S).passed, true);
  assertEquals(checkNonuniformSigma(sigma(2.6, 2.6), S).passed, false);

  const d = (enc: number, encDist: number, encDec: number, edd: number) =>
    results([
      ...seeds("encoder", "base", [enc]),
      ...seeds("encoder-distiller", "base", [encDist]),
      ...seeds("encoder-decoder", "base", [encDec]),
      ...seeds("edd", "base", [edd]),
    ]);
  // Thesis Table 21: 114.8, 82.5, 78.8, 74.8.
  assertEquals(checkDistiller(d(114.8, 82.5, 78.8, 74.8), S).passed, true);
  assertEquals(checkDistiller(d(114.8, 82.5, 74, 74.8), S).passed, false);
});

Deno.test("chapter4Claims lists every claim in order; a run without data skips them", () => {
  const claims = chapter4Claims(results([]), S);
  assertEquals(claims.map((c) => c.id), [
    "segmentation-focus",
    "global-density-focus",
    "combined-focus",
    "focus-every-network",
    "nonuniform-sigma",
    "nonuniform-count",
    "distiller",
  ]);
  assertEquals(claims.map((c) => c.passed), [null, null, null, null, null, null, null]);
});
