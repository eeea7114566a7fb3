/**
 * The figures of each chapter 2 group from its runs, and the summary of a
 * whole reproduction: report sections, comparison tables and checked claims.
 * The notebooks call {@linkcode groupFigures} on the same runs.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Claim } from "../claims.ts";
import { readImage } from "../../io/mod.ts";
import type { Figure } from "../../plot/figure.ts";
import { checkChapter2Claims } from "./claims.ts";
import {
  CHAPTER2_GROUPS,
  type Chapter2Group,
  GROUP_DEFS,
  type MethodName,
  METHODS,
  TASKS,
} from "./experiments.ts";
import {
  autoStopFigure,
  bandCompareFigure,
  bandsFigure,
  fbcAnatomyFigures,
  psnrFigure,
  savedImagesFigure,
} from "./figures.ts";
import type { FitRecord } from "./record.ts";
import type { Chapter2Session } from "./session.ts";
import { chapter2Tables } from "./tables.ts";
import { describeScaling } from "./settings.ts";

/** What each group shows, for the report. */
export const GROUP_TEXT: Readonly<Record<Chapter2Group, string>> = Object.freeze({
  fig5:
    "The Encoder-Decoder of the deep image prior fitted to degraded images. Each band's correspondence to the target rises over steps; the lowest band first, the highest last. PSNR (dashed, right axis) peaks while the high bands are still low (green line) and falls once they catch up with the noise or artefacts.",
  fig6:
    "The spectral bias is not specific to the Encoder-Decoder: the Decoder (upsampling, no encoder) and the ConvNet (no upsampling) show it too; the ConvNet takes in high frequencies sooner and peaks lower.",
  fig7:
    "Lipschitz normalisation bounds each convolution by λ. λ = 1 suppresses even low frequencies (low PSNR); λ = 3 lets noise in (peak, then decay); λ = 2 keeps the low frequencies and holds the high ones back (no decay). The second plot shows the highest band's correspondence.",
  fig8:
    "Gaussian upsampling with λ = 2: σ = 0 is the bed-of-nails expansion (worse), σ = 1 smooths too much (slower), σ = 0.5 balances both; bilinear upsampling (λ = 2) for reference.",
  fig9:
    "The blur/sharpness ratio r of the output (eq. 2.8) and the step where its window means differ by less than ε: the automatic stop (green line).",
  fig10:
    "Denoising σ = 25: the original DIP peaks and decays; the deep decoder converges fast but lower; the Bayesian DIP (raw output shown) rises slowly; ours rises and stays, with its automatic stop marked.",
  fig11: "JPEG deblocking at quality 10, the same four methods.",
  fig12: "Pixel inpainting with 50% of the pixels dropped, the same four methods.",
  table1: "Denoising at three noise levels; outputs at σ = 25 below.",
  table2: "JPEG deblocking at three qualities (Y channel); outputs at quality 10 below.",
  table3: "Region inpainting at three hole sizes; outputs at ratio 0.25 below.",
  superres:
    "Super-resolution ×4 and ×8 at a fixed number of steps; PSNR on Y with a border of `factor` pixels shaved.",
  enhance:
    "Detail enhancement: the controlled DIP's smooth fit x_s at λ = 1, 2, 3 and the enhanced x_e = x0 + (x0 − x_s). Smaller λ, smoother x_s, stronger enhancement.",
  fig19:
    "A success and a failure: at σ = 25 noise sits above the image's spectrum at high frequencies and is left out; at σ = 100 it dominates low frequencies too, and spectral bias cannot separate it.",
});

type Records = Readonly<Record<string, FitRecord | undefined>>;

function rec(records: Records, method: MethodName, task: string, image: string) {
  return records[`${method}-${task}-${image}`];
}

/**
 * The figures of one group from the session's runs (runs that did not happen
 * are left out).
 *
 * @param session The session (its records, images, output folder).
 * @param group The figure or table.
 * @returns The figures.
 */
export async function groupFigures(
  session: Chapter2Session,
  group: Chapter2Group,
): Promise<Figure[]> {
  const records: Records = session.records;
  const def = GROUP_DEFS[group];
  const images = group === "fig19"
    ? session.images[def.role].slice(0, 1)
    : session.images[def.role];
  const out = session.run.out;
  const figs: Figure[] = [];
  const push = (f: Figure | null) => f && figs.push(f);
  const curves = (methods: readonly MethodName[], task: string, image: string) =>
    methods.flatMap((m) => {
      const r = rec(records, m, task, image);
      return r ? [{ name: METHODS[m].label, record: r }] : [];
    });
  for (const { name } of images) {
    switch (group) {
      case "fig5":
        for (const task of def.tasks) {
          const r = rec(records, "encdec", task, name);
          if (r) figs.push(bandsFigure(r));
        }
        break;
      case "fig6":
        for (const m of ["decoder", "convnet"] as const) {
          const r = rec(records, m, "denoise25", name);
          if (r) figs.push(bandsFigure(r));
        }
        figs.push(
          psnrFigure(curves(def.methods, "denoise25", name), `PSNR by architecture (${name})`),
        );
        break;
      case "fig7":
      case "fig8": {
        const c = curves(def.methods, "denoise25", name);
        figs.push(psnrFigure(c.map((x) => ({ ...x, markStop: false })), `${def.title} — ${name}`));
        figs.push(bandCompareFigure(c, "highest", `highest band's correspondence (${name})`));
        break;
      }
      case "fig9":
        for (const task of def.tasks) {
          const r = rec(records, "ours", task, name);
          if (r) figs.push(autoStopFigure(r));
        }
        break;
      case "fig10":
      case "fig11":
      case "fig12": {
        const task = def.tasks[0];
        figs.push(psnrFigure(curves(def.methods, task, name), `${TASKS[task].label} (${name})`));
        break;
      }
      case "table1":
      case "table2":
      case "table3": {
        const task = def.tasks[group === "table2" ? 0 : 1];
        const cells = [
          { path: rec(records, "ours", task, name)?.images.clean, title: "ground truth" },
          { path: rec(records, "ours", task, name)?.images.input, title: "degraded" },
          ...(["dip", "dd", "bdip", "ours"] as const).map((m) => {
            const r = rec(records, m, task, name);
            const key = m === "dip" ? "best" : m === "bdip" ? "posterior" : "output";
            return {
              path: r?.images[key] ?? r?.images.output,
              title: r
                ? `${METHODS[m].label.split(" (")[0]}: ${r.reported.psnr.toFixed(2)} dB`
                : "",
            };
          }),
        ];
        push(
          await savedImagesFigure(out, cells, {
            title: `${TASKS[task].label} (${name})`,
            columns: 3,
          }),
        );
        break;
      }
      case "superres":
        for (const task of def.tasks) {
          const ours = rec(records, "ours", task, name);
          const cells = [
            { path: ours?.images.clean, title: "ground truth" },
            {
              path: ours?.images.bicubic,
              title: `bicubic: ${ours?.inputPsnr?.toFixed(2) ?? "–"} dB`,
            },
            ...(["dip", "dd", "bdip", "ours"] as const).map((m) => {
              const r = rec(records, m, task, name);
              return {
                path: r?.images[m === "dip" ? "best" : m === "bdip" ? "posterior" : "output"] ??
                  r?.images.output,
                title: r
                  ? `${METHODS[m].label.split(" (")[0]}: ${r.reported.psnr.toFixed(2)} dB`
                  : "",
              };
            }),
          ];
          push(
            await savedImagesFigure(out, cells, {
              title: `${TASKS[task].label} (${name})`,
              columns: 3,
            }),
          );
        }
        break;
      case "enhance": {
        const runs = def.methods.map((m) => ({ m, r: rec(records, m, "enhance", name) }));
        const cells = [
          { path: runs[0].r?.images.clean, title: "original x0" },
          ...runs.map(({ m, r }) => ({ path: r?.images.smoothed, title: `x_s, ${lambdaOf(m)}` })),
          { path: runs[0].r?.images.clean, title: "original x0" },
          ...runs.map(({ m, r }) => ({ path: r?.images.output, title: `x_e, ${lambdaOf(m)}` })),
        ];
        push(
          await savedImagesFigure(out, cells, {
            title: `detail enhancement (${name})`,
            columns: 4,
          }),
        );
        break;
      }
      case "fig19": {
        const cells: { path?: string; title: string }[] = [
          { path: rec(records, "ours", "denoise25", name)?.images.clean, title: "clean" },
        ];
        for (const task of def.tasks) {
          const r = rec(records, "ours", task, name);
          cells.push({
            path: r?.images.input,
            title: TASKS[task].label.replace("denoising ", "noisy "),
          });
        }
        cells.push({ path: undefined, title: "" });
        for (const task of def.tasks) {
          const r = rec(records, "ours", task, name);
          cells.push({
            path: r?.images.output,
            title: r ? `ours: ${r.reported.psnr.toFixed(2)} dB` : "",
          });
        }
        push(
          await savedImagesFigure(out, cells, {
            title: `success and failure (${name})`,
            columns: 4,
          }),
        );
        break;
      }
    }
  }
  return figs;
}

function lambdaOf(m: MethodName): string {
  return m === "ours-lambda1" ? "λ = 1" : m === "ours-lambda3" ? "λ = 3" : "λ = 2";
}

/**
 * Fig. 3's anatomy of the metric on a real run: the spectra of the target and
 * of the best output of the first Fig. 5 denoising run (σ = 25), the rings and
 * the correspondence map.
 *
 * @param session The session.
 * @returns The figures (none if that run did not happen).
 */
export async function fbcAnatomyFromRuns(session: Chapter2Session): Promise<Figure[]> {
  const image = session.images.figure[0]?.name;
  const r = image ? session.records[`encdec-denoise25-${image}`] : undefined;
  if (!r?.images.best) return [];
  const out = session.run.out;
  const target = await readImage(`${out}/${r.images.input}`);
  const best = await readImage(`${out}/${r.images.best}`);
  try {
    return (await fbcAnatomyFigures(best, target, session.settings.bands)).figures;
  } finally {
    tf.dispose([target, best]);
  }
}

/**
 * Adds the chapter's report sections, tables and claims to the session's run
 * (call `session.run.finish()` afterwards to write the files).
 *
 * @param session The session, after its runs.
 * @returns The claims.
 */
export async function summarizeChapter2(session: Chapter2Session): Promise<Claim[]> {
  const { run, settings, images } = session;
  const scaled = describeScaling(settings);
  const roles = Object.entries(images).map(([role, list]) =>
    `- ${role}: ${list.map((i) => i.name).join(", ")}`
  ).join("\n");
  run.addSection({
    heading: "Settings",
    text: [
      `Profile **${settings.profile}**. ${
        scaled.length ? "Scaled from the thesis:" : "The thesis's settings."
      }`,
      scaled.map((l) => `- ${l}`).join("\n"),
      `PSNR and the blur/sharpness ratio are measured every ${settings.every} steps (the thesis computes r every step; the windows of eq. 2.8 are counted in steps either way), the frequency-band correspondence every ${settings.fbcEvery} steps with N = ${settings.bands} bands.`,
      "Images per role (standing in for the thesis's sets):",
      roles,
    ].filter((t) => t).join("\n\n"),
  });
  const anatomy = await fbcAnatomyFromRuns(session);
  if (anatomy.length) {
    run.addFigures(
      "Fig. 3: the frequency-band correspondence metric",
      "The spectrum of the target y0 and of an output f(θ), the rings that group frequencies into bands, and the element-wise correspondence H (eq. 2.1) whose ring means are the FBC bands.",
      anatomy,
    );
  }
  for (const group of CHAPTER2_GROUPS) {
    const figs = await groupFigures(session, group);
    if (figs.length) run.addFigures(GROUP_DEFS[group].title, GROUP_TEXT[group], figs);
  }
  for (const t of chapter2Tables(session.records, images, settings)) run.addTable(t);
  const claims = checkChapter2Claims(session.records, images);
  for (const c of claims) run.addClaim(c);
  return claims;
}
