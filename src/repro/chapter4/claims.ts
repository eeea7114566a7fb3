/**
 * The claims of thesis chapter 4, checked on what a reproduction measured.
 * Each function is pure (records in, verdict out) so that tests can feed it
 * numbers that must fail. Trained settings are compared by their mean test
 * MAE over the seeds; the detail gives mean ± standard deviation and says
 * when the difference is within the seed noise (|difference| ≤ the larger
 * standard deviation), so that a pass or a fail within the noise reads as
 * what it is. Nothing is tuned after seeing a verdict.
 *
 * @module
 */
import { type Claim, claim } from "../claims.ts";
import { compareMeans, formatMeanStd, type MeanStd, settingStat } from "./aggregate.ts";
import type { Chapter4Record, SigmaRecord } from "./experiments.ts";
import {
  type Chapter4Settings,
  datasetOf,
  HEAD_SPECS,
  HEAD_VARIANTS,
  type HeadVariant,
  kernelKey,
  kernelOptions,
  type NetworkKind,
} from "./settings.ts";

/** Object statistics of a dataset's test images: σ error and the thirds. */
export interface ObjectsRecord {
  /** Dataset key. */
  dataset: string;
  /** The kernels' σ against the object sizes (`null`: no sizes). */
  sigma: SigmaRecord | null;
  /** Test-image names of the scale and crowding thirds (`null`: no sizes). */
  thirds: { scale: string[][]; crowding: string[][] } | null;
}

/** What the claims and tables are computed from. */
export interface Chapter4Results {
  /** The trained runs' records. */
  records: Chapter4Record[];
  /** Per-dataset object statistics. */
  objects: ObjectsRecord[];
}

/** The settings the claims read. */
export type ClaimSettings = Pick<
  Chapter4Settings,
  | "datasets"
  | "ablation"
  | "ablationNetwork"
  | "baseNetworks"
  | "kernels"
  | "kernelRuns"
  | "eddAblation"
  | "adaptiveKernel"
  | "nonuniformKernel"
  | "sizeToSigma"
>;

const NAMES: Record<HeadVariant, string> = {
  base: "base",
  "spatial-attention": "spatial attention",
  "segmentation-focus": "segmentation focus",
  "channel-attention": "channel attention",
  "global-density-focus": "global-density focus",
  "combined-attention": "combined attention",
  "combined-focus": "combined focus",
};

/** `a vs b (n seeds)`, with the noise note. */
function versus(a: MeanStd, b: MeanStd): string {
  const c = compareMeans(a, b);
  const seeds = a.n === b.n ? `${a.n} seed${a.n > 1 ? "s" : ""}` : `${a.n}/${b.n} seeds`;
  const noise = c.withinNoise
    ? `; within seed noise (|Δ| ${Math.abs(c.gain).toFixed(2)} ≤ std ${c.noise.toFixed(2)})`
    : "";
  return `${formatMeanStd(a)} vs ${formatMeanStd(b)} (${seeds}${noise})${c.lower ? "" : " ✗"}`;
}

/** The main kernel key of a dataset. */
const mainKernel = (s: ClaimSettings, d: string) => kernelKey(datasetOf(s, d).kernel);

/** Pools the comparisons of several (dataset, setting) pairs into one claim. */
function pooled(
  id: string,
  statement: string,
  pairs: { what: string; a: MeanStd | null; b: MeanStd | null }[],
): Claim {
  const parts: string[] = [];
  let ok = true, any = false;
  for (const { what, a, b } of pairs) {
    if (!a || !b) continue;
    any = true;
    ok &&= a.mean < b.mean;
    parts.push(`${what}: ${versus(a, b)}`);
  }
  return claim(id, statement, any ? ok : null, any ? `MAE ${parts.join("; ")}` : "not run");
}

/**
 * A focus lowers the MAE of the base network (encoder-distiller-decoder) on
 * every ablation dataset (Table 15: segmentation focus; Table 16:
 * global-density focus).
 *
 * @param results What was measured.
 * @param s The settings.
 * @param variant `"segmentation-focus"` or `"global-density-focus"`.
 * @returns The claim (`passed: null` without both settings).
 * @example
 * ```ts
 * import { checkFocusLowersMae } from "./claims.ts";
 * import { chapter4Settings } from "./settings.ts";
 * const rec = (heads: string, seed: number, mae: number) => ({ dataset: "bbbc039", network: "fcrn", heads, kernel: "boxes", seed, metrics: { mae } });
 * const records = [rec("base", 0, 5), rec("base", 1, 6), rec("segmentation-focus", 0, 6), rec("segmentation-focus", 1, 6)];
 * // deno-lint-ignore no-explicit-any
 * console.log(checkFocusLowersMae({ records: records as any, objects: [] }, chapter4Settings("quick"), "segmentation-focus").passed); // false
 * ```
 */
export function checkFocusLowersMae(
  results: Chapter4Results,
  s: ClaimSettings,
  variant: "segmentation-focus" | "global-density-focus",
): Claim {
  const table = variant === "segmentation-focus" ? 15 : 16;
  return pooled(
    variant,
    `${
      HEAD_SPECS[variant].label.replace("w/ ", "")
    } lowers the MAE of the base network (Table ${table})`,
    s.ablation.map((d) => {
      const q = { dataset: d, network: s.ablationNetwork, kernel: mainKernel(s, d) };
      return {
        what: `${datasetOf(s, d).name} ${NAMES[variant]} vs base`,
        a: settingStat(results.records, { ...q, heads: variant }),
        b: settingStat(results.records, { ...q, heads: "base" }),
      };
    }),
  );
}

/**
 * The combined focus has the lowest MAE of all head variants (base,
 * attentions, single focuses) and so beats the combined attention (Table 17),
 * on every ablation dataset.
 *
 * @param results What was measured.
 * @param s The settings.
 * @returns The claim.
 */
export function checkCombinedFocus(results: Chapter4Results, s: ClaimSettings): Claim {
  const statement =
    "Combined focus has the lowest MAE of all head variants and beats combined attention (Tables 15–17)";
  const parts: string[] = [];
  let ok = true, any = false;
  for (const d of s.ablation) {
    const q = { dataset: d, network: s.ablationNetwork, kernel: mainKernel(s, d) };
    const focus = settingStat(results.records, { ...q, heads: "combined-focus" });
    const attention = settingStat(results.records, { ...q, heads: "combined-attention" });
    if (!focus || !attention) continue;
    any = true;
    const others: { h: HeadVariant; st: MeanStd }[] = [];
    for (const h of HEAD_VARIANTS) {
      const st = h === "combined-focus" ? null : settingStat(results.records, { ...q, heads: h });
      if (st) others.push({ h, st });
    }
    others.sort((a, b) => a.st.mean - b.st.mean);
    const best = others[0];
    const lowest = focus.mean < best.st.mean;
    ok &&= lowest && focus.mean < attention.mean;
    parts.push(
      `${datasetOf(s, d).name}: combined focus vs combined attention ${
        versus(focus, attention)
      }; ` +
        `best other: ${NAMES[best.h]} ${formatMeanStd(best.st)}${lowest ? "" : " ✗ (lower)"}`,
    );
  }
  return claim(
    "combined-focus",
    statement,
    any ? ok : null,
    any ? `MAE ${parts.join("; ")}` : "not run",
  );
}

/**
 * Combined focus lowers the MAE of every base network tried (Table 18).
 *
 * @param results What was measured.
 * @param s The settings.
 * @returns The claim.
 */
export function checkFocusEveryNetwork(results: Chapter4Results, s: ClaimSettings): Claim {
  const pairs = s.ablation.flatMap((d) =>
    s.baseNetworks.map((n) => {
      const q = { dataset: d, network: n, kernel: mainKernel(s, d) };
      return {
        what: `${datasetOf(s, d).name} ${n} focus vs base`,
        a: settingStat(results.records, { ...q, heads: "combined-focus" }),
        b: settingStat(results.records, { ...q, heads: "base" }),
      };
    })
  );
  return pooled(
    "focus-every-network",
    "Focus for free lowers the MAE of every base network tried (Table 18)",
    pairs,
  );
}

/**
 * The non-uniform kernel's σ is closer to the real object sizes than the
 * geometry-adaptive kernel's (Table 19, MAE(σ) against σ_true = size / 4).
 *
 * @param results What was measured (the σ records).
 * @param s The settings.
 * @returns The claim (`passed: null` when no dataset has object sizes).
 * @example
 * ```ts
 * import { checkNonuniformSigma } from "./claims.ts";
 * import { chapter4Settings } from "./settings.ts";
 * const e = (mae: number) => ({ mae, bias: 0, mean: 0 });
 * const sigma = { dataset: "bbbc039", images: 1, points: 9, sizeToSigma: 0.25, meanTrue: 3, kernels: { adaptive: e(1), nonuniform: e(1.2), boxes: e(0) } };
 * console.log(checkNonuniformSigma({ records: [], objects: [{ dataset: "bbbc039", sigma, thirds: null }] }, chapter4Settings("quick")).passed); // false
 * ```
 */
export function checkNonuniformSigma(results: Chapter4Results, s: ClaimSettings): Claim {
  const statement =
    "The non-uniform kernel's σ is closer to the object sizes than GAK's (Table 19, MAE(σ))";
  const parts: string[] = [];
  let ok = true, any = false;
  for (const d of s.kernels) {
    const sig = results.objects.find((o) => o.dataset === d)?.sigma;
    if (!sig) continue;
    any = true;
    const nu = sig.kernels.nonuniform.mae, gak = sig.kernels.adaptive.mae;
    ok &&= nu < gak;
    parts.push(
      `${datasetOf(s, d).name}: ${nu.toFixed(2)} vs ${
        gak.toFixed(2)
      } px over ${sig.points} objects ` +
        `(σ_true = size × ${sig.sizeToSigma}, mean ${sig.meanTrue.toFixed(2)} px)${
          nu < gak ? "" : " ✗"
        }`,
    );
  }
  return claim(
    "nonuniform-sigma",
    statement,
    any ? ok : null,
    any ? `MAE(σ) ${parts.join("; ")}` : "no dataset with object sizes",
  );
}

/**
 * Counting with the non-uniform kernel has an MAE no higher than with GAK
 * (Tables 19 and 22), for every network trained with both.
 *
 * @param results What was measured.
 * @param s The settings.
 * @returns The claim.
 */
export function checkNonuniformCount(results: Chapter4Results, s: ClaimSettings): Claim {
  const statement =
    "Counting with the non-uniform kernel has an MAE no higher than with GAK (Tables 19, 22)";
  const parts: string[] = [];
  let ok = true, any = false;
  for (const d of s.kernels) {
    for (const r of s.kernelRuns) {
      const q = { dataset: d, network: r.network, heads: r.heads };
      const nu = settingStat(results.records, {
        ...q,
        kernel: kernelKey(kernelOptions(s, "nonuniform")),
      });
      const gak = settingStat(results.records, {
        ...q,
        kernel: kernelKey(kernelOptions(s, "adaptive")),
      });
      if (!nu || !gak) continue;
      any = true;
      const pass = nu.mean <= gak.mean;
      ok &&= pass;
      const text = versus(nu, gak).replace(/ ✗$/, "");
      parts.push(
        `${datasetOf(s, d).name} ${r.network} ${NAMES[r.heads]}: ${text}${pass ? "" : " ✗"}`,
      );
    }
  }
  return claim(
    "nonuniform-count",
    statement,
    any ? ok : null,
    any ? `MAE non-uniform vs GAK ${parts.join("; ")}` : "not run",
  );
}

/**
 * The distiller lowers the MAE of the encoder-only network and of the
 * encoder-decoder network (Table 21).
 *
 * @param results What was measured.
 * @param s The settings.
 * @returns The claim.
 */
export function checkDistiller(results: Chapter4Results, s: ClaimSettings): Claim {
  const pairs = s.eddAblation.flatMap((d) => {
    const q = { dataset: d, heads: "base" as HeadVariant, kernel: mainKernel(s, d) };
    const st = (network: NetworkKind) => settingStat(results.records, { ...q, network });
    const name = datasetOf(s, d).name;
    return [
      {
        what: `${name} encoder+distiller vs encoder`,
        a: st("encoder-distiller"),
        b: st("encoder"),
      },
      {
        what: `${name} encoder+distiller+decoder vs encoder+decoder`,
        a: st("edd"),
        b: st("encoder-decoder"),
      },
    ];
  });
  return pooled(
    "distiller",
    "The distiller improves the encoder-only and the encoder-decoder networks (Table 21)",
    pairs,
  );
}

/**
 * Every claim of the chapter.
 *
 * @param results What was measured.
 * @param s The settings.
 * @returns The claims, in report order.
 */
export function chapter4Claims(results: Chapter4Results, s: ClaimSettings): Claim[] {
  return [
    checkFocusLowersMae(results, s, "segmentation-focus"),
    checkFocusLowersMae(results, s, "global-density-focus"),
    checkCombinedFocus(results, s),
    checkFocusEveryNetwork(results, s),
    checkNonuniformSigma(results, s),
    checkNonuniformCount(results, s),
    checkDistiller(results, s),
  ];
}
