import { assertEquals } from "@std/assert";
import type { Chapter4Results } from "./claims.ts";
import type { Chapter4Record } from "./experiments.ts";
import { chapter4Settings, type HeadVariant, type NetworkKind } from "./settings.ts";
import { chapter4Tables, THESIS_ABLATION, THESIS_TABLE21 } from "./tables.ts";

/** A record whose per-image errors are `errors` on images a, b, c. */
function rec(network: NetworkKind, heads: HeadVariant, seed: number, errors: number[]) {
  const mae = errors.reduce((x, y) => x + Math.abs(y), 0) / errors.length;
  return {
    dataset: "bbbc039",
    network,
    heads,
    kernel: "boxes",
    seed,
    metrics: { mae, rmse: mae, nmae: mae / 100 },
    game: { 0: mae, 1: mae + 1, 2: mae + 2, 3: mae + 3 },
    density: { psnr: 30, ssim: 0.9 },
    perImage: {
      names: ["a", "b", "c"],
      predicted: errors.map((e) => 100 + e),
      truth: [100, 100, 100],
    },
  } as unknown as Chapter4Record;
}

Deno.test("chapter4Tables puts each measured number beside the thesis's", () => {
  const s = chapter4Settings("quick");
  const results: Chapter4Results = {
    records: [
      rec(s.ablationNetwork, "base", 0, [1, 2, 3]),
      rec(s.ablationNetwork, "base", 1, [3, 4, 5]),
      rec(s.ablationNetwork, "segmentation-focus", 0, [1, 1, 1]),
      rec("encoder", "base", 0, [9, 9, 9]),
    ],
    // Scale thirds: a small, b medium, c large.
    objects: [{
      dataset: "bbbc039",
      sigma: null,
      thirds: { scale: [["a"], ["b"], ["c"]], crowding: [["c"], ["b"], ["a"]] },
    }],
  };
  const tables = chapter4Tables(results, s);
  const t15 = tables.find((t) => t.title.startsWith("Table 15"))!;
  assertEquals(t15.columns.slice(0, 5), [
    "method",
    "BBBC039 nuclei overall",
    "BBBC039 nuclei small",
    "BBBC039 nuclei medium",
    "BBBC039 nuclei large",
  ]);
  // Two seeds: mean ± std; the thirds are the MAE on their images; thesis Table 15 beside.
  const base = t15.rows[0];
  assertEquals(base.slice(0, 5), [
    "Base network",
    "3.00 ± 1.41",
    "2.00 ± 1.41",
    "3.00 ± 1.41",
    "4.00 ± 1.41",
  ]);
  assertEquals(base.slice(5), [74.8, 4.7, 9.2, 2.7, 2.2]);
  assertEquals(t15.rows[2].slice(0, 2), ["w/ Segmentation focus", "1.00"]);
  assertEquals(t15.rows[2][5], THESIS_ABLATION["segmentation-focus"].partA);
  // Table 16 uses the crowding thirds: sparse = c.
  const t16 = tables.find((t) => t.title.startsWith("Table 16"))!;
  assertEquals(t16.rows[0][2], "4.00 ± 1.41");
  // Table 21: the encoder alone, thesis 114.8 / 178.2 beside.
  const t21 = tables.find((t) => t.title.startsWith("Table 21"))!;
  assertEquals(t21.rows[0], ["Encoder", "9.00", "9.00", ...THESIS_TABLE21.encoder]);
  // Table 20 is always there with the thesis's rows; its measured row is empty without thesis data.
  const t20 = tables.find((t) => t.title.startsWith("Table 20:"))!;
  assertEquals(t20.rows.at(-2)!.slice(0, 3), ["Ours (thesis)", 65.2, 109.4]);
  assertEquals(t20.rows.at(-1)!.slice(1).every((c) => c === null), true);
});
