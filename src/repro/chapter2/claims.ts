/**
 * The claims of thesis chapter 2, checked on the runs a reproduction made.
 * Each check is a pure function of run records, so it can be tested on
 * synthetic curves; each returns a {@linkcode Claim} whose detail gives the
 * numbers for every image. A claim holds only if it holds on every image it
 * was measured on; nothing is tuned per image.
 *
 * @module
 */
import { type Claim, claim } from "../claims.ts";
import { type Chapter2Images, imageName } from "./images.ts";
import { experimentId, GROUP_DEFS, type MethodName, type TaskKey } from "./experiments.ts";
import { bandSeries, firstReach, type FitRecord } from "./record.ts";

/** Thresholds of the claim checks. */
export interface ClaimThresholds {
  /** Correspondence a band must reach to count as "learned" (FBC ordering). */
  bandLevel: number;
  /** Least drop (dB) from the peak to the end for the original DIP. */
  dipDrop: number;
  /** Largest drop (dB) from its peak for the controlled decoder (λ = 2). */
  flatDrop: number;
  /** Below its common level by this much (dB) counts as "converged" (Gaussian σ). */
  convergeMargin: number;
  /** Largest loss (dB) of the automatic stop against the full budget. */
  autoStopLoss: number;
  /** "The end" of a run: the mean PSNR over this last fraction of its steps. */
  endFraction: number;
}

/** Thresholds of the checks, as issue 4 states them. */
export const CLAIM_THRESHOLDS: Readonly<ClaimThresholds> = Object.freeze({
  /** Correspondence a band must reach to count as "learned" (FBC ordering). */
  bandLevel: 0.9,
  /** Least drop (dB) from the peak to the end for the original DIP. */
  dipDrop: 1,
  /** Largest drop (dB) from its peak for the controlled decoder (λ = 2). */
  flatDrop: 0.3,
  /** Below its common level by this much (dB) counts as "converged" (Gaussian σ). */
  convergeMargin: 0.5,
  /** Largest loss (dB) of the automatic stop against the full budget. */
  autoStopLoss: 0.2,
  /** "The end" of a run: the mean PSNR over this last fraction of its steps (one step is noise). */
  endFraction: 0.1,
});

/**
 * The PSNR at the end of a run: the mean of the measurements in the last 10%
 * of its steps, so that one noisy measurement neither makes nor hides a decay.
 *
 * @param r The run.
 * @returns The mean PSNR (dB).
 */
export function endPsnr(r: FitRecord): number {
  const from = r.steps * (1 - CLAIM_THRESHOLDS.endFraction);
  const tail = r.psnr.y.filter((_, i) => r.psnr.x[i] > from);
  return tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : r.last;
}

/** Records by id (what `results.json` holds under `experiments`). */
export type RecordsById = Readonly<Record<string, FitRecord | undefined>>;

const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : String(v));
const stepText = (v: number) => (Number.isFinite(v) ? String(v) : "never");

function get(
  records: RecordsById,
  method: MethodName,
  task: TaskKey,
  image: string,
): FitRecord | undefined {
  return records[experimentId(method, task, image)];
}

/** Verdict over per-image checks: `null` without data, else all must pass. */
function verdict(results: boolean[]): boolean | null {
  return results.length === 0 ? null : results.every((r) => r);
}

/**
 * "Low bands reach high correspondence before high bands" (Fig. 5): in every
 * Fig. 5 run, the first step at which band n reaches correspondence 0.9 does
 * not decrease with n, and the lowest band gets there strictly before the
 * highest (a band that never gets there counts as after the budget).
 *
 * @param records The runs.
 * @param images The images of the reproduction.
 * @returns The claim.
 */
export function checkBandOrder(records: RecordsById, images: Chapter2Images): Claim {
  const level = CLAIM_THRESHOLDS.bandLevel;
  const ok: boolean[] = [];
  const details: string[] = [];
  for (const task of GROUP_DEFS.fig5.tasks) {
    for (const { name } of images.figure) {
      const r = get(records, "encdec", task, name);
      if (!r) continue;
      const reach = r.bands.y.map((_, n) => firstReach(bandSeries(r.bands, n), level));
      const monotone = reach.every((t, n) => n === 0 || t >= reach[n - 1]);
      const pass = monotone && reach[0] < reach[reach.length - 1];
      ok.push(pass);
      details.push(`${task}/${name}: ${reach.map(stepText).join(" ≤ ")}${pass ? "" : " ✗"}`);
    }
  }
  return claim(
    "fbc-order",
    `Low frequency bands reach correspondence ${level} before high bands (Fig. 5, Encoder-Decoder)`,
    verdict(ok),
    `first step at ${level}, lowest band → highest: ${details.join("; ") || "no runs"}`,
  );
}

/**
 * "The original DIP peaks and then loses ≥ 1 dB by the end of its budget
 * (denoising σ = 25)", on the Fig. 10 runs; "the end" is {@linkcode endPsnr}
 * (the mean over the last 10% of the steps), here and in the other claims on
 * decays.
 *
 * @param records The runs.
 * @param images The images of the reproduction.
 * @returns The claim.
 */
export function checkDipDecays(records: RecordsById, images: Chapter2Images): Claim {
  const drop = CLAIM_THRESHOLDS.dipDrop;
  const ok: boolean[] = [];
  const details: string[] = [];
  for (const { name } of images.denoise) {
    const r = get(records, "dip", "denoise25", name);
    if (!r) continue;
    const end = endPsnr(r);
    const lost = r.best.psnr - end;
    ok.push(lost >= drop);
    details.push(
      `${name}: peak ${f2(r.best.psnr)} dB at step ${r.best.step}, end ${f2(end)} dB (−${
        f2(lost)
      } dB)`,
    );
  }
  return claim(
    "dip-decays",
    `The original DIP peaks, then loses ≥ ${drop} dB by the end of its budget (denoising σ = 25)`,
    verdict(ok),
    details.join("; ") || "no runs",
  );
}

/**
 * "The controlled decoder (λ = 2) ends within 0.3 dB of its own peak", on
 * the Fig. 7 λ = 2 runs.
 *
 * @param records The runs.
 * @param images The images of the reproduction.
 * @returns The claim.
 */
export function checkLambda2Flat(records: RecordsById, images: Chapter2Images): Claim {
  const tol = CLAIM_THRESHOLDS.flatDrop;
  const ok: boolean[] = [];
  const details: string[] = [];
  for (const { name } of images.figure) {
    const r = get(records, "lambda2", "denoise25", name);
    if (!r) continue;
    const end = endPsnr(r);
    const lost = r.best.psnr - end;
    ok.push(lost <= tol);
    details.push(
      `${name}: peak ${f2(r.best.psnr)} dB at step ${r.best.step}, end ${f2(end)} dB (−${
        f2(lost)
      } dB)`,
    );
  }
  return claim(
    "lambda2-flat",
    `The Lipschitz-controlled decoder (λ = 2) ends within ${tol} dB of its own peak (Fig. 7)`,
    verdict(ok),
    details.join("; ") || "no runs",
  );
}

/**
 * "λ = 1 peaks lower than λ = 2, and λ = 3 decays" (Fig. 7): the peak of
 * λ = 1 is below that of λ = 2, and λ = 3 loses more than 0.3 dB from its
 * peak by the end.
 *
 * @param records The runs.
 * @param images The images of the reproduction.
 * @returns The claim.
 */
export function checkLambdaExtremes(records: RecordsById, images: Chapter2Images): Claim {
  const tol = CLAIM_THRESHOLDS.flatDrop;
  const ok: boolean[] = [];
  const details: string[] = [];
  for (const { name } of images.figure) {
    const l1 = get(records, "lambda1", "denoise25", name);
    const l2 = get(records, "lambda2", "denoise25", name);
    const l3 = get(records, "lambda3", "denoise25", name);
    if (!l1 || !l2 || !l3) continue;
    const lower = l1.best.psnr < l2.best.psnr;
    const end3 = endPsnr(l3);
    const decay = l3.best.psnr - end3;
    ok.push(lower && decay > tol);
    details.push(
      `${name}: peaks λ=1 ${f2(l1.best.psnr)} vs λ=2 ${f2(l2.best.psnr)} dB${
        lower ? "" : " ✗"
      }; λ=3 peak ${f2(l3.best.psnr)} → end ${f2(end3)} dB (−${f2(decay)} dB${
        decay > tol ? "" : ` ✗, needs > ${tol}`
      })`,
    );
  }
  return claim(
    "lambda-extremes",
    `λ = 1 peaks lower than λ = 2, and λ = 3 decays by more than ${tol} dB (Fig. 7)`,
    verdict(ok),
    details.join("; ") || "no runs",
  );
}

/**
 * "Gaussian σ = 0.5 converges faster than σ = 1 and ends higher than σ = 0"
 * (Fig. 8). Convergence: the first step at which a run reaches the common
 * level min(peak σ=0.5, peak σ=1) − 0.5 dB.
 *
 * @param records The runs.
 * @param images The images of the reproduction.
 * @returns The claim.
 */
export function checkGaussianSigma(records: RecordsById, images: Chapter2Images): Claim {
  const margin = CLAIM_THRESHOLDS.convergeMargin;
  const ok: boolean[] = [];
  const details: string[] = [];
  for (const { name } of images.figure) {
    const s0 = get(records, "sigma0", "denoise25", name);
    const s05 = get(records, "ours", "denoise25", name);
    const s1 = get(records, "sigma1", "denoise25", name);
    if (!s0 || !s05 || !s1) continue;
    const level = Math.min(s05.best.psnr, s1.best.psnr) - margin;
    const t05 = firstReach(s05.psnr, level);
    const t1 = firstReach(s1.psnr, level);
    const faster = t05 < t1;
    const end05 = endPsnr(s05), end0 = endPsnr(s0);
    const higher = end05 > end0;
    ok.push(faster && higher);
    details.push(
      `${name}: ${f2(level)} dB reached at step ${stepText(t05)} (σ=0.5) vs ${stepText(t1)} (σ=1)${
        faster ? "" : " ✗"
      }; end ${f2(end05)} (σ=0.5) vs ${f2(end0)} dB (σ=0)${higher ? "" : " ✗"}`,
    );
  }
  return claim(
    "gaussian-sigma",
    "Gaussian upsampling σ = 0.5 converges faster than σ = 1 and ends higher than σ = 0 (Fig. 8)",
    verdict(ok),
    details.join("; ") || "no runs",
  );
}

/**
 * "The automatic stop ends before the budget and within 0.2 dB of the
 * full-budget PSNR" (Fig. 9), on every Fig. 9 run.
 *
 * @param records The runs.
 * @param images The images of the reproduction.
 * @returns The claim.
 */
export function checkAutoStop(records: RecordsById, images: Chapter2Images): Claim {
  const tol = CLAIM_THRESHOLDS.autoStopLoss;
  const ok: boolean[] = [];
  const details: string[] = [];
  for (const task of GROUP_DEFS.fig9.tasks) {
    for (const { name } of images.figure) {
      const r = get(records, "ours", task, name);
      if (!r) continue;
      if (r.stop === null) {
        ok.push(false);
        details.push(`${task}/${name}: no stop within ${r.budget} steps ✗`);
        continue;
      }
      const loss = r.last - r.stop.psnr;
      const pass = r.stop.step < r.budget && loss <= tol;
      ok.push(pass);
      details.push(
        `${task}/${name}: step ${r.stop.step}/${r.budget}, ${f2(r.stop.psnr)} vs ${
          f2(r.last)
        } dB (${loss >= 0 ? "−" : "+"}${f2(Math.abs(loss))})${pass ? "" : " ✗"}`,
      );
    }
  }
  return claim(
    "auto-stop",
    `The automatic stop ends before the budget and within ${tol} dB of the full-budget PSNR (Fig. 9)`,
    verdict(ok),
    details.join("; ") || "no runs",
  );
}

/**
 * Every claim of issue 4, in order.
 *
 * @param records The runs.
 * @param images The images of the reproduction.
 * @returns The claims.
 */
export function checkChapter2Claims(records: RecordsById, images: Chapter2Images): Claim[] {
  return [
    checkBandOrder(records, images),
    checkDipDecays(records, images),
    checkLambda2Flat(records, images),
    checkLambdaExtremes(records, images),
    checkGaussianSigma(records, images),
    checkAutoStop(records, images),
  ];
}

/** Images given by name only (tests): every role gets the same list. */
export function imagesNamed(...names: string[]): Chapter2Images {
  const list = names.map((n) => ({ name: imageName(n), path: `${n}.png` }));
  return {
    figure: list,
    denoise: list,
    jpeg: list,
    inpaint: list,
    superres: list,
    enhance: list,
  };
}
