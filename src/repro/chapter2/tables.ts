/**
 * The thesis's numbers for chapter 2 (Tables 1–3, the averages of Table 5,
 * and the automatic-stop example of Section 2.4.4) and the tables that put
 * the measured numbers beside them.
 *
 * @module
 */
import type { Table } from "../table.ts";
import type { Chapter2Images, ImageRole } from "./images.ts";
import { experimentId, type MethodName, METHODS, type TaskKey } from "./experiments.ts";
import type { FitRecord } from "./record.ts";
import type { RecordsById } from "./claims.ts";
import { CHAPTER2_SETTINGS, type Chapter2Settings } from "./settings.ts";
import { pilotTable } from "./pilot.ts";

/** A thesis table: PSNR (dB) per row (method) and column (degradation level). */
export interface ThesisTable {
  /** Caption. */
  title: string;
  /** The data set the thesis used. */
  dataset: string;
  /** Column headings (levels) and the task each stands for. */
  columns: readonly { heading: string; task: TaskKey }[];
  /** Rows: a method we run (`method`) or a reference we do not (`method: null`). */
  rows: readonly {
    label: string;
    method: MethodName | "bicubic" | null;
    psnr: readonly number[];
  }[];
  /** The role whose images stand in for the data set. */
  role: ImageRole;
}

const UNSUPERVISED = {
  dip: "Ulyanov et al. [187] (oracle)",
  dd: "Heckel and Hand [63]",
  bdip: "Cheng et al. [30]",
  ours: "Ours",
} as const;

/** Table 1 of the thesis: denoising on CBSD68 (thesis text, Section 2.5.1). */
export const THESIS_TABLE1: ThesisTable = {
  title: "Table 1: image denoising, PSNR (dB)",
  dataset: "CBSD68 (68 RGB images)",
  role: "denoise",
  columns: [
    { heading: "σ = 15", task: "denoise15" },
    { heading: "σ = 25", task: "denoise25" },
    { heading: "σ = 50", task: "denoise50" },
  ],
  rows: [
    { label: UNSUPERVISED.dip, method: "dip", psnr: [30.58, 27.84, 24.59] },
    { label: UNSUPERVISED.dd, method: "dd", psnr: [28.66, 26.60, 24.06] },
    { label: UNSUPERVISED.bdip, method: "bdip", psnr: [30.77, 28.08, 24.71] },
    { label: UNSUPERVISED.ours, method: "ours", psnr: [30.80, 28.15, 24.83] },
    { label: "CBM3D [32]", method: null, psnr: [33.52, 30.71, 27.38] },
    { label: "CDnCNN [223] (supervised)", method: null, psnr: [33.89, 31.23, 27.92] },
    { label: "FFDNet [224] (supervised)", method: null, psnr: [33.87, 31.21, 27.96] },
  ],
};

/** Table 2 of the thesis: JPEG deblocking on LIVE1 (Y channel). */
export const THESIS_TABLE2: ThesisTable = {
  title: "Table 2: JPEG deblocking, PSNR (dB) on Y",
  dataset: "LIVE1 (29 images, Y channel)",
  role: "jpeg",
  columns: [
    { heading: "q = 10", task: "jpeg10" },
    { heading: "q = 20", task: "jpeg20" },
    { heading: "q = 30", task: "jpeg30" },
  ],
  rows: [
    { label: UNSUPERVISED.dip, method: "dip", psnr: [27.52, 29.75, 31.08] },
    { label: UNSUPERVISED.dd, method: "dd", psnr: [26.63, 27.65, 28.99] },
    { label: UNSUPERVISED.bdip, method: "bdip", psnr: [27.59, 29.81, 31.12] },
    { label: UNSUPERVISED.ours, method: "ours", psnr: [27.70, 29.86, 31.14] },
    { label: "AR-CNN [39] (supervised)", method: null, psnr: [28.96, 31.29, 32.67] },
    { label: "TNRD [27] (supervised)", method: null, psnr: [29.15, 31.46, 32.84] },
    { label: "DnCNN [223] (supervised)", method: null, psnr: [29.19, 31.59, 32.98] },
  ],
};

/** Table 3 of the thesis: region inpainting on CBSD68. */
export const THESIS_TABLE3: ThesisTable = {
  title: "Table 3: region inpainting, PSNR (dB)",
  dataset: "CBSD68 (68 RGB images, central square hole)",
  role: "denoise",
  columns: [
    { heading: "ratio 0.1", task: "region0.1" },
    { heading: "ratio 0.25", task: "region0.25" },
    { heading: "ratio 0.5", task: "region0.5" },
  ],
  rows: [
    { label: UNSUPERVISED.dip, method: "dip", psnr: [22.78, 19.42, 17.26] },
    { label: UNSUPERVISED.dd, method: "dd", psnr: [21.52, 18.67, 16.81] },
    { label: UNSUPERVISED.bdip, method: "bdip", psnr: [22.83, 19.49, 17.28] },
    { label: UNSUPERVISED.ours, method: "ours", psnr: [22.87, 19.58, 17.36] },
  ],
};

/** Table 5 of the thesis, averages over Set5 (Y channel, fixed 2,000 / 4,000 steps). */
export const THESIS_TABLE5: ThesisTable = {
  title: "Table 5: super-resolution, Set5 average PSNR (dB) on Y",
  dataset: "Set5 (5 RGB images)",
  role: "superres",
  columns: [
    { heading: "×4", task: "sr4" },
    { heading: "×8", task: "sr8" },
  ],
  rows: [
    { label: UNSUPERVISED.dip, method: "dip", psnr: [29.89, 25.88] },
    { label: UNSUPERVISED.dd, method: "dd", psnr: [23.55, 21.62] },
    { label: UNSUPERVISED.bdip, method: "bdip", psnr: [26.57, 24.41] },
    { label: UNSUPERVISED.ours, method: "ours", psnr: [30.45, 26.08] },
    { label: "Bicubic", method: "bicubic", psnr: [28.44, 24.37] },
    { label: "TV prior", method: null, psnr: [28.85, 24.87] },
    { label: "LapSRN [184] (supervised)", method: null, psnr: [31.58, 26.10] },
  ],
};

/** The automatic-stop example of Section 2.4.4 ('F16', denoising σ = 25). */
export const THESIS_AUTOSTOP_EXAMPLE: Readonly<{
  image: string;
  task: TaskKey;
  budget: number;
  fullPsnr: number;
  stopStep: number;
  stopPsnr: number;
}> = Object.freeze({
  image: "F16",
  task: "denoise25" as TaskKey,
  budget: 10_000,
  fullPsnr: 31.04,
  stopStep: 3_896,
  stopPsnr: 30.98,
});

/** Every thesis table the reproduction fills. */
export const THESIS_TABLES: readonly ThesisTable[] = [
  THESIS_TABLE1,
  THESIS_TABLE2,
  THESIS_TABLE3,
  THESIS_TABLE5,
];

/** Mean, sample standard deviation and count of a cell's per-image values. */
export interface CellStats {
  /** Mean over the images. */
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 for one image. */
  std: number;
  /** Number of images. */
  n: number;
}

/**
 * The per-image values of a table cell, summarised: the reported PSNR of
 * each image's run (for `bicubic`: the baseline's PSNR), or `null` when a
 * run is missing.
 *
 * @param records The runs.
 * @param method The method (or `bicubic`).
 * @param task The task.
 * @param images The image names.
 * @returns Mean, standard deviation and count.
 */
export function measuredStats(
  records: RecordsById,
  method: MethodName | "bicubic",
  task: TaskKey,
  images: readonly string[],
): CellStats | null {
  const values: number[] = [];
  for (const image of images) {
    const r: FitRecord | undefined =
      records[experimentId(method === "bicubic" ? "ours" : method, task, image)];
    if (!r) return null;
    const v = method === "bicubic" ? r.inputPsnr : r.reported.psnr;
    if (v === null) return null;
    values.push(v);
  }
  if (values.length === 0) return null;
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/**
 * The measured cell of a table: the mean over the role's images of the
 * reported PSNR (for `bicubic`: the baseline's PSNR), or `null` when a run is
 * missing.
 *
 * @param records The runs.
 * @param method The method (or `bicubic`).
 * @param task The task.
 * @param images The image names.
 * @returns The mean PSNR.
 */
export function measuredCell(
  records: RecordsById,
  method: MethodName | "bicubic",
  task: TaskKey,
  images: readonly string[],
): number | null {
  return measuredStats(records, method, task, images)?.mean ?? null;
}

/**
 * A cell as the tables print it: `27.50` for one image, `27.50 ± 0.71`
 * (mean ± sample standard deviation over the images) for more.
 *
 * @param stats The cell's statistics.
 * @returns The text, or `null` for a missing cell.
 */
export function formatStats(stats: CellStats | null): string | number | null {
  if (stats === null) return null;
  return stats.n > 1 ? `${stats.mean.toFixed(2)} ± ${stats.std.toFixed(2)}` : stats.mean;
}

/**
 * A thesis table with the measured numbers beside the thesis's.
 *
 * @param thesis The thesis table.
 * @param records The runs.
 * @param images The images of the reproduction.
 * @param settings The settings in force (stated under the table).
 * @returns The table.
 */
export function comparisonTable(
  thesis: ThesisTable,
  records: RecordsById,
  images: Chapter2Images,
  settings: Chapter2Settings,
): Table {
  const names = images[thesis.role].map((i) => i.name);
  const columns = ["method"];
  for (const c of thesis.columns) columns.push(`${c.heading} measured`, `${c.heading} thesis`);
  const rows = thesis.rows.map((row) => {
    const cells: (string | number | null)[] = [row.label];
    thesis.columns.forEach((c, i) => {
      cells.push(
        row.method === null ? null : formatStats(measuredStats(records, row.method, c.task, names)),
        row.psnr[i],
      );
    });
    return cells;
  });
  const size = settings.crop === null
    ? "whole images"
    : `centred ${settings.crop}×${settings.crop} crops`;
  return {
    title: thesis.title,
    columns,
    rows,
    notes: [
      `Thesis: ${thesis.dataset}. Measured: ${
        names.join(", ")
      } (${size}), profile ${settings.profile}; ${
        names.length > 1
          ? `mean ± sample standard deviation over the ${names.length} images`
          : "one image"
      }.`,
      ...(settings.omit.methods.length
        ? [
          `Not run in profile ${settings.profile} ('–'): ${
            settings.omit.methods.map((m) => METHODS[m].label).join(", ")
          } (see the settings table).`,
        ]
        : []),
      `Reported numbers: ${
        (["dip", "dd", "bdip", "ours"] as const).map((m) =>
          `${METHODS[m].label} — ${REPORTED_TEXT[METHODS[m].reported]}`
        )
          .join("; ")
      }.`,
    ],
  };
}

const REPORTED_TEXT = {
  stop: "PSNR at the automatic stop (at the budget if it did not fire)",
  best: "best PSNR over the run (oracle stopping)",
  last: "PSNR at the last step",
  posterior: "PSNR of the posterior mean at the last step",
} as const;

/**
 * The automatic-stop example of the thesis's text beside the measured stop
 * of the first figure image on the same task.
 *
 * @param records The runs.
 * @param images The images of the reproduction.
 * @param settings The settings in force.
 * @returns The table.
 */
export function autoStopTable(
  records: RecordsById,
  images: Chapter2Images,
  settings: Chapter2Settings,
): Table {
  const t = THESIS_AUTOSTOP_EXAMPLE;
  const image = images.figure[0]?.name;
  const r = image ? records[experimentId("ours", t.task, image)] : undefined;
  return {
    title: "Section 2.4.4: automatic stop on denoising σ = 25 (thesis: the worst image, 'F16')",
    columns: ["", "measured", "thesis"],
    rows: [
      ["image", image ?? null, t.image],
      ["step budget", r ? String(r.budget) : null, String(t.budget)],
      ["PSNR at the budget (dB)", r?.last ?? null, t.fullPsnr],
      ["stop step", r?.stop ? String(r.stop.step) : null, String(t.stopStep)],
      ["PSNR at the stop (dB)", r?.stop?.psnr ?? null, t.stopPsnr],
    ],
    notes: [`Profile ${settings.profile}; '–' means the criterion did not fire within the budget.`],
  };
}

/**
 * The settings of this run beside the thesis's.
 *
 * @param settings The settings in force.
 * @returns The table.
 */
export function settingsTable(settings: Chapter2Settings): Table {
  const p = CHAPTER2_SETTINGS.paper;
  const n = (v: number) => v.toLocaleString("en-US");
  const size = (c: number | null) => (c === null ? "whole images" : `${c}×${c} centre crops`);
  const counts = (s: Chapter2Settings) =>
    Object.entries(s.images).map(([k, v]) => `${k} ${v ?? "all"}`).join(", ");
  const rows: [string, string, string][] = [
    ["image size", size(settings.crop), size(p.crop)],
    ["network width (channels)", n(settings.channels), n(p.channels)],
    ["network depth (blocks / scales)", n(settings.depth), n(p.depth)],
    ["Adam learning rate of the thesis's networks", `${settings.lr}`, `${p.lr}`],
    [
      "input z of the thesis's networks",
      settings.dipInput === "fourier"
        ? "fourier: [sin 2πu, cos 2πu], u ~ U(0, 1) (the author's code)"
        : "uniform noise in [0, 0.1)",
      "uniform noise in [0, 0.1) (text); fourier in the author's code",
    ],
    ["step budget (denoising, deblocking, inpainting)", n(settings.steps), n(p.steps)],
    [
      "super-resolution steps (×4, ×8)",
      `${n(settings.superresSteps.x4)}, ${n(settings.superresSteps.x8)}`,
      `${n(p.superresSteps.x4)}, ${n(p.superresSteps.x8)}`,
    ],
    ["enhancement steps", n(settings.enhanceSteps), n(p.enhanceSteps)],
    [
      "automatic stop (n, ε)",
      `${settings.autoStop.window}, ${settings.autoStop.epsilon}`,
      `${p.autoStop.window}, ${p.autoStop.epsilon}`,
    ],
    ["PSNR and r measured every (steps)", n(settings.every), "1"],
    ["FBC bands", n(settings.bands), n(p.bands)],
    ["images per role", counts(settings), "the full data sets"],
    [
      "left out",
      [...settings.omit.methods, ...settings.omit.groups].join(", ") || "nothing",
      "nothing",
    ],
  ];
  return {
    title: `Settings of this run (profile ${settings.profile}) and the thesis's`,
    columns: ["setting", "this run", "thesis"],
    rows,
    notes: [
      "The baselines keep their published settings: learning rate 0.01 for the original and Bayesian DIP and the deep decoder, their codes' input (uniform noise in [0, 0.1)), and for the original DIP its code's backtracking (restore the parameters when the PSNR to the degraded image falls by more than 5 dB in one step).",
      ...(settings.omit.why ? [`Left out of this profile: ${settings.omit.why}.`] : []),
    ],
  };
}

/**
 * Every comparison table of the chapter.
 *
 * @param records The runs.
 * @param images The images of the reproduction.
 * @param settings The settings in force.
 * @returns The settings, (quick) the pilot that set its scale, Tables 1, 2,
 *   3, 5 and the automatic-stop example.
 */
export function chapter2Tables(
  records: RecordsById,
  images: Chapter2Images,
  settings: Chapter2Settings,
): Table[] {
  return [
    settingsTable(settings),
    ...(settings.profile === "quick" ? [pilotTable()] : []),
    ...THESIS_TABLES.map((t) => comparisonTable(t, records, images, settings)),
    autoStopTable(records, images, settings),
  ];
}
