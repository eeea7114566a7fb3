/**
 * The claims of thesis chapter 3, checked on what a reproduction measured.
 * Each function is pure (numbers in, verdict out) so that tests can feed it
 * numbers that must fail.
 *
 * @module
 */
import { type Claim, claim } from "../claims.ts";
import type { LearnedRecord, Table6Entry } from "./experiments.ts";
import { type Chapter3Settings, type LearnedMethod, taskKey, taskLabel } from "./settings.ts";

/** What the claims are checked on. */
export interface Chapter3Results {
  /** Table 6, denoising entries (PSNR). */
  denoise?: Table6Entry[];
  /** Table 6, depth upsampling entries on the Aloe pair (RMSE). */
  upsample?: Table6Entry[];
  /** The learned filters' records. */
  learned: LearnedRecord[];
}

const f2 = (v: number) => v.toFixed(2);

/**
 * Table 6: the unsharp-mask formulation with a classical filter's amount is
 * at least as good as that filter (each at its best (r, ε) of the same
 * grid), in every column, within the tolerance.
 *
 * @param entries Table 6 entries (denoising and/or upsampling).
 * @param baseline `"gf"` or `"wgf"`.
 * @param tolerance PSNR (dB) and RMSE slack.
 * @returns The claim (`passed: null` without entries).
 * @example
 * ```ts
 * import { checkTable6 } from "./claims.ts";
 * const best = (v: number) => ({ value: v, radius: 4, eps: 0.01 });
 * const e = { kind: "sigma" as const, level: 25, input: 20, best: { gf: best(26), "ours+gf": best(25), wgf: best(26), "ours+wgf": best(26) } };
 * console.log(checkTable6([e], "gf", { psnr: 0.05, rmse: 0.05 }).passed); // false
 * ```
 */
export function checkTable6(
  entries: readonly Table6Entry[],
  baseline: "gf" | "wgf",
  tolerance: Chapter3Settings["tolerance"],
): Claim {
  const ours = baseline === "gf" ? "ours+gf" : "ours+wgf";
  const name = baseline.toUpperCase();
  const statement =
    `Ours+${name} is at least as good as ${name} (Table 6, best (r, ε) of one grid)`;
  if (entries.length === 0) return claim(`table6-ours-${baseline}`, statement, null, "not run");
  const parts: string[] = [];
  let ok = true;
  for (const e of entries) {
    const a = e.best[ours].value, b = e.best[baseline].value;
    const pass = e.kind === "sigma" ? a >= b - tolerance.psnr : a <= b + tolerance.rmse;
    ok &&= pass;
    parts.push(
      e.kind === "sigma"
        ? `σ=${e.level}: ${f2(a)} vs ${f2(b)} dB${pass ? "" : " ✗"}`
        : `×${e.level}: RMSE ${f2(a)} vs ${f2(b)}${pass ? "" : " ✗"}`,
    );
  }
  return claim(
    `table6-ours-${baseline}`,
    statement,
    ok,
    `${parts.join("; ")} (tolerance ${tolerance.psnr} dB / ${tolerance.rmse} RMSE)`,
  );
}

/**
 * The learned successive network (its last output) has a lower RMSE on the
 * real depth pair than a learned baseline, for every task both ran.
 *
 * @param records The learned records.
 * @param baseline The baseline.
 * @returns The claim (`passed: null` when no task has both).
 * @example
 * ```ts
 * import { checkLearnedBeats } from "./claims.ts";
 * const rec = (method: "ours" | "djf", rmse: number) => ({ method, task: { kind: "depth-upsampling" as const, scale: 8 }, scores: [{ rmse, psnr: 0, ssim: 0 }] });
 * console.log(checkLearnedBeats([rec("ours", 5), rec("djf", 4)], "djf").passed); // false
 * ```
 */
export function checkLearnedBeats(
  records: readonly Pick<LearnedRecord, "method" | "task" | "scores">[],
  baseline: Exclude<LearnedMethod, "ours">,
): Claim {
  const statement = `Learned ours beats ${baseline.toUpperCase()} on the real depth pair (RMSE)`;
  const parts: string[] = [];
  let ok = true, any = false;
  for (const o of records.filter((r) => r.method === "ours")) {
    const b = records.find((r) => r.method === baseline && taskKey(r.task) === taskKey(o.task));
    if (!b) continue;
    any = true;
    const a = o.scores.at(-1)!.rmse, c = b.scores.at(-1)!.rmse;
    ok &&= a < c;
    parts.push(`${taskLabel(o.task)}: ${f2(a)} vs ${f2(c)}${a < c ? "" : " ✗"}`);
  }
  return claim(
    `learned-beats-${baseline}`,
    statement,
    any ? ok : null,
    any ? parts.join("; ") : "not run",
  );
}

/**
 * Table 7: the outputs Î⁽¹⁾…Î⁽ᴸ⁾ of one trained successive network have
 * RMSE non-increasing in l (within the tolerance), for every task.
 *
 * @param records The learned records (the `ours` ones are used).
 * @param tolerance RMSE slack.
 * @returns The claim (`passed: null` without a network of L ≥ 2).
 * @example
 * ```ts
 * import { checkAblation } from "./claims.ts";
 * const s = (rmse: number) => ({ rmse, psnr: 0, ssim: 0 });
 * const r = { method: "ours" as const, task: { kind: "depth-denoising" as const, sigma: 50 }, scores: [s(5), s(4), s(4.5)] };
 * console.log(checkAblation([r], { rmse: 0.05 }).passed); // false
 * ```
 */
export function checkAblation(
  records: readonly Pick<LearnedRecord, "method" | "task" | "scores">[],
  tolerance: Pick<Chapter3Settings["tolerance"], "rmse">,
): Claim {
  const statement =
    "Accuracy does not decrease with L (outputs 1…L of one trained network, Table 7)";
  const parts: string[] = [];
  let ok = true, any = false;
  for (const o of records.filter((r) => r.method === "ours" && r.scores.length >= 2)) {
    any = true;
    const v = o.scores.map((s) => s.rmse);
    const pass = v.every((x, i) => i === 0 || x <= v[i - 1] + tolerance.rmse);
    ok &&= pass;
    parts.push(`${taskLabel(o.task)}: RMSE ${v.map(f2).join(" → ")}${pass ? "" : " ✗"}`);
  }
  return claim(
    "ablation-monotone",
    statement,
    any ? ok : null,
    any ? `${parts.join("; ")} (tolerance ${tolerance.rmse})` : "not run",
  );
}

/**
 * Every claim of the chapter.
 *
 * @param results What was measured.
 * @param settings The tolerance.
 * @returns The claims, in report order.
 */
export function chapter3Claims(
  results: Chapter3Results,
  settings: Pick<Chapter3Settings, "tolerance">,
): Claim[] {
  const entries = [...(results.denoise ?? []), ...(results.upsample ?? [])];
  return [
    checkTable6(entries, "gf", settings.tolerance),
    checkTable6(entries, "wgf", settings.tolerance),
    checkLearnedBeats(results.learned, "djf"),
    checkLearnedBeats(results.learned, "svlrm"),
    checkLearnedBeats(results.learned, "dgf"),
    checkAblation(results.learned, settings.tolerance),
  ];
}
