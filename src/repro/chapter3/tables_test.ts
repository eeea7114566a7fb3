import { assertEquals } from "@std/assert";
import type { LearnedRecord, Table6Entry } from "./experiments.ts";
import { chapter3Settings } from "./settings.ts";
import { chapter3Tables, THESIS_TABLE6 } from "./tables.ts";

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
