import { assertAlmostEquals, assertEquals } from "@std/assert";
import type { LearnedRecord, Table6Entry } from "./experiments.ts";
import { chapter3Settings } from "./settings.ts";
import { chapter3Tables, THESIS_TABLE6, trainingTable } from "./tables.ts";

Deno.test("chapter3Tables puts each measured number beside the thesis's", () => {
  const best = (v: number) => ({ value: v, radius: 8, eps: 0.01 });
  const denoise: Table6Entry[] = [{
    kind: "sigma",
    level: 25,
    input: 20.1,
    best: { gf: best(26.1), "ours+gf": best(26.2), wgf: best(26.3), "ours+wgf": best(26.4) },
  }];
  const s = (rmse: number) => ({ rmse, psnr: 30, ssim: 0.9 });
  const learned = [{
    method: "ours",
    task: { kind: "depth-upsampling", scale: 16 },
    scores: [s(8), s(7), s(6.5), s(6)],
    ms: [1, 2, 3, 4],
    params: [1000, 2000, 3000, 4000],
  }] as unknown as LearnedRecord[];
  const tables = chapter3Tables({ denoise, learned }, chapter3Settings("quick"));
  assertEquals(tables.map((t) => t.title.split(":")[0]), ["Table 6a", "Table 7", "Table 8"]);
  // Thesis Table 6, σ = 25: GF 26.47 (He et al. on BSDS500).
  assertEquals(tables[0].rows[1], ["GF", 26.1, THESIS_TABLE6.sigma.gf[1], "8, 0.1²"]);
  // Thesis Table 7, column L = 4: 8.09, 6.77, 6.28, 6.07.
  assertEquals(tables[1].rows.map((r) => r[3]), [8.09, 6.77, 6.28, 6.07]);
  // Thesis Table 8: Ours(Î(1)) 31 ms, 17 k parameters, RMSE 8.09.
  assertEquals(tables[2].rows[0], ["Ours(Î(1))", 1, 31, 1, 17, 8, 8.09]);
});

Deno.test("trainingTable: held-out L1 at each quarter and the drop over the last quarter", () => {
  const settings = chapter3Settings("quick");
  const task = settings.learnedTasks[0];
  const curve = (f: (x: number) => number) => {
    const x = [1000, 2000, 3000, 4000, 5000];
    return { x, y: x.map(f) };
  };
  const learned = [
    // Still improving: 0.04 at 75% (step 3,000) → 0.028 at the end (−30%).
    {
      method: "ours",
      task,
      steps: 5000,
      loss: curve(() => 0.2),
      validation: curve((x) => 0.01 + 90 / x),
    },
    // Flat.
    { method: "djf", task, steps: 5000, loss: curve(() => 0.1), validation: curve(() => 0.05) },
  ] as unknown as LearnedRecord[];
  const t = trainingTable(learned, settings);
  assertEquals(t.rows.length, 2);
  assertEquals(t.rows[0].slice(1, 3), ["Ours", "5000"]);
  // 25% of 5,000 is step 1,250: the last measurement at or before it is step 1,000.
  assertAlmostEquals(t.rows[0][3] as number, 100);
  assertAlmostEquals(t.rows[0][7] as number, 30); // (0.04 − 0.028) / 0.04
  assertEquals(t.rows[1][7], 0);
});
