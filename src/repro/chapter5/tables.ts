/**
 * Tables 23-31 of thesis chapter 5 beside the measured numbers. The
 * thesis's numbers are as printed (MAE; BG = the count predicted on
 * background pixels, FG = the foreground count error); measured cells are
 * the mean over seeds, `± sd` with several seeds.
 *
 * @module
 */
import type { Table } from "../table.ts";
import type { Chapter5Record, SegmenterRecord } from "./experiments.ts";
import {
  type ErrorPart,
  formatStat,
  methodError,
  occlusionThreshold,
  recordsOf,
  seedStat,
} from "./measures.ts";
import {
  type Backbone,
  type Chapter5Settings,
  describeChapter5Scaling,
  type Method,
  methodLabel,
  type ThesisDataset,
} from "./settings.ts";

/** Thesis Table 23: MAE with and without the background (oracle), by data set and backbone. */
export const THESIS_TABLE23: Record<
  Exclude<ThesisDataset, "trancos">,
  Record<Backbone, { standard: number; oracle: number }>
> = {
  partA: { csrnet: { standard: 61.9, oracle: 29.8 }, hrnet: { standard: 59.7, oracle: 28.3 } },
  partB: { csrnet: { standard: 12.3, oracle: 3.1 }, hrnet: { standard: 10.7, oracle: 2.8 } },
  ucf: { csrnet: { standard: 93.6, oracle: 57.0 }, hrnet: { standard: 90.4, oracle: 55.4 } },
  jhu: { csrnet: { standard: 72.4, oracle: 26.7 }, hrnet: { standard: 70.9, oracle: 25.9 } },
};

/** Thesis Table 29 (Table 24 is its CSRNet part): [BG, FG, overall] MAE. */
export const THESIS_TABLE29: Record<
  Backbone,
  Record<"partA" | "ucf", Record<"base" | "attention" | "twostage" | "cascade", number[]>>
> = {
  csrnet: {
    partA: {
      base: [3.4, 61.5, 61.9],
      attention: [2.9, 58.9, 59.3],
      twostage: [3.1, 57.1, 57.5],
      cascade: [3.0, 55.3, 56.1],
    },
    ucf: {
      base: [8.7, 91.3, 93.6],
      attention: [4.5, 88.3, 89.4],
      twostage: [3.5, 84.8, 85.6],
      cascade: [3.4, 83.6, 84.4],
    },
  },
  hrnet: {
    partA: {
      base: [3.2, 59.1, 59.7],
      attention: [2.8, 57.9, 58.3],
      twostage: [2.9, 55.8, 56.7],
      cascade: [2.9, 54.2, 55.4],
    },
    ucf: {
      base: [8.2, 89.9, 90.4],
      attention: [4.3, 88.1, 88.6],
      twostage: [4.1, 83.6, 84.2],
      cascade: [4.8, 82.7, 83.6],
    },
  },
};

/** Thesis Table 30 (Table 25 is its CSRNet part, without Cutout and CutMix): [low, high, overall] MAE. */
export const THESIS_TABLE30: Record<
  Backbone,
  Record<"partA" | "ucf", Record<"base" | "cutout" | "cutmix" | "occlusion", number[]>>
> = {
  csrnet: {
    partA: {
      base: [39.2, 95.9, 61.9],
      cutout: [38.6, 95.0, 61.2],
      cutmix: [38.0, 94.3, 60.6],
      occlusion: [37.8, 91.2, 59.1],
    },
    ucf: {
      base: [18.7, 106.5, 93.6],
      cutout: [16.5, 104.7, 91.8],
      cutmix: [17.8, 103.1, 90.6],
      occlusion: [18.3, 99.3, 87.4],
    },
  },
  hrnet: {
    partA: {
      base: [36.5, 94.3, 59.7],
      cutout: [35.6, 93.5, 58.8],
      cutmix: [35.2, 92.8, 58.3],
      occlusion: [34.7, 90.5, 57.1],
    },
    ucf: {
      base: [17.2, 103.0, 90.4],
      cutout: [15.4, 101.5, 88.5],
      cutmix: [16.3, 99.8, 87.6],
      occlusion: [16.8, 98.1, 86.2],
    },
  },
};

/** Thesis Table 31 (Table 26 is its CSRNet part): MAE [Part A, UCF-QNRF]. */
export const THESIS_TABLE31: Record<
  Backbone,
  Record<"gaussian" | "multiscale" | "distilled", [number, number]>
> = {
  csrnet: { gaussian: [61.9, 93.6], multiscale: [59.6, 91.1], distilled: [56.7, 86.5] },
  hrnet: { gaussian: [59.7, 90.4], multiscale: [58.1, 88.2], distilled: [55.9, 85.6] },
};

/**
 * Thesis Table 27: MAE [Part A, UCF-QNRF] of the base network and each
 * addition. The extracted table leaves the order of its third and fourth
 * rows open; read here as background + ground-truth, then background +
 * occlusion (the order of its columns).
 */
export const THESIS_TABLE27: Record<
  Backbone,
  Record<"base" | "cascade" | "bg-gt" | "bg-occ" | "all", [number, number]>
> = {
  csrnet: {
    base: [61.9, 93.6],
    cascade: [56.1, 84.4],
    "bg-gt": [54.7, 82.2],
    "bg-occ": [54.3, 81.6],
    all: [52.7, 80.1],
  },
  hrnet: {
    base: [59.7, 90.4],
    cascade: [55.4, 83.6],
    "bg-gt": [53.4, 81.5],
    "bg-occ": [52.1, 80.7],
    all: [49.3, 78.4],
  },
};

/**
 * Thesis Table 28: [MAE, RMSE] per data set. The density-based methods with
 * Part A and UCF-QNRF (whose columns are complete in the extracted text);
 * for Part B, JHU-Crowd++ and TRANCOS the extracted columns lack rows, and
 * only the thesis's own two rows (the last two values of each column) and
 * Bai et al.'s TRANCOS numbers (named in the text) are kept.
 */
export const THESIS_TABLE28: {
  method: string;
  values: Partial<Record<ThesisDataset, [number, number]>>;
}[] = [
  { method: "Wan et al. [192]", values: { partA: [63.8, 99.2], ucf: [99.5, 173.0] } },
  { method: "Wan et al. [190]", values: { partA: [61.9, 99.6], ucf: [85.8, 150.6] } },
  { method: "Jiang et al. [81]", values: { partA: [57.8, 90.1], ucf: [91.6, 159.7] } },
  { method: "Hu et al. [70]", values: { partA: [56.7, 93.4], ucf: [101.8, 163.2] } },
  { method: "Liu et al. [109]", values: { partA: [55.9, 97.1], ucf: [88.1, 143.7] } },
  { method: "Cheng et al. [29]", values: { partA: [57.2, 93.0], ucf: [81.7, 137.9] } },
  {
    method: "Bai et al. [12]",
    values: { partA: [55.4, 97.7], ucf: [71.3, 132.5], trancos: [2.6, 3.9] },
  },
  { method: "Wang et al. [195]", values: { partA: [54.6, 91.2], ucf: [81.1, 131.7] } },
  { method: "Ma et al. [121]", values: { partA: [52.9, 87.3], ucf: [79.5, 140.7] } },
  {
    method: "CSRNet + three solutions",
    values: {
      partA: [52.7, 86.4],
      partB: [6.9, 11.5],
      ucf: [80.1, 129.6],
      jhu: [59.4, 253.7],
      trancos: [2.1, 3.4],
    },
  },
  {
    method: "HRNet + three solutions",
    values: {
      partA: [49.3, 83.7],
      partB: [6.2, 10.6],
      ucf: [78.4, 127.3],
      jhu: [57.1, 254.3],
      trancos: [1.4, 2.1],
    },
  },
];

const NAMES: Record<Backbone, string> = { csrnet: "CSRNet", hrnet: "HRNet" };
const THESIS_NAMES: Record<ThesisDataset, string> = {
  partA: "Part A",
  partB: "Part B",
  ucf: "UCF-QNRF",
  jhu: "JHU-Crowd++",
  trancos: "TRANCOS",
};

type Cell = string | number | null;

/**
 * The chapter's tables from what was measured.
 *
 * @param records The stored records.
 * @param s The settings (which runs; notes on data and scaling).
 * @returns Tables 23, 24/29, 25/30, 26/31, 27 (those with data) and 28.
 */
export function chapter5Tables(records: readonly Chapter5Record[], s: Chapter5Settings): Table[] {
  const tables: Table[] = [];
  const profile =
    `Profile ${s.profile}; measured cells: mean over seeds (± sd with several), MAE on the test images.`;
  const label = (k: string) => s.datasets[k]?.label ?? k;
  const err = (k: string, b: Backbone, m: Method, part: ErrorPart = "overall") =>
    methodError(records, k, b, m, part, s.occlusionSplit);
  const ran = (k: string, b: Backbone, m: Method) => recordsOf(records, k, b, m).length > 0;

  // Table 23
  {
    const t = s.oracle;
    const cols = ["network", "input", ...t.datasets.map((k) => `${label(k)} (measured)`)];
    const keys = ["partA", "partB", "ucf", "jhu"] as const;
    cols.push(...keys.map((k) => `thesis ${THESIS_NAMES[k]}`));
    const rows: Cell[][] = [];
    for (const b of ["csrnet", "hrnet"] as const) {
      for (const m of ["base", "oracle"] as const) {
        if (!t.backbones.includes(b) && !t.datasets.some((k) => ran(k, b, m))) continue;
        rows.push([
          NAMES[b],
          m === "base" ? "standard" : "w/o background (oracle)",
          ...t.datasets.map((k) => formatStat(err(k, b, m))),
          ...keys.map((k) => THESIS_TABLE23[k][b][m === "base" ? "standard" : "oracle"]),
        ]);
      }
    }
    if (t.datasets.some((k) => t.backbones.some((b) => ran(k, b, "base") || ran(k, b, "oracle")))) {
      tables.push({
        title: "Table 23: impact of background interference (MAE ↓)",
        columns: cols,
        rows,
        notes: [
          `Measured: ${
            t.datasets.map(label).join(", ")
          }; the oracle counter is trained and tested on I ⊙ (D > 0), the image masked by its true density's support. Thesis: ShanghaiTech A/B, UCF-QNRF, JHU-Crowd++. ${profile}`,
        ],
      });
    }
  }

  // Tables 24/29
  {
    const t = s.background;
    const methods = ["base", "attention", "twostage", "cascade"] as const;
    const cols = ["network", "method"];
    for (const k of t.datasets) {
      cols.push(`${label(k)} BG`, `${label(k)} FG`, `${label(k)} overall`);
    }
    cols.push(
      "thesis A BG",
      "thesis A FG",
      "thesis A overall",
      "thesis UCF BG",
      "thesis UCF FG",
      "thesis UCF overall",
    );
    const rows: Cell[][] = [];
    for (const b of t.backbones) {
      for (const m of methods) {
        const row: Cell[] = [NAMES[b], methodLabel(m)];
        for (const k of t.datasets) {
          row.push(
            formatStat(err(k, b, m, "background")),
            formatStat(err(k, b, m, "foreground")),
            formatStat(err(k, b, m)),
          );
        }
        row.push(...THESIS_TABLE29[b].partA[m], ...THESIS_TABLE29[b].ucf[m]);
        rows.push(row);
      }
    }
    const seg = records.filter((r): r is SegmenterRecord => r.kind === "segmenter");
    if (rows.length && t.datasets.some((k) => t.backbones.some((b) => ran(k, b, "base")))) {
      tables.push({
        title: "Tables 24 and 29: learning to reduce the background (MAE ↓; BG, FG, overall)",
        columns: cols,
        rows,
        notes: [
          `BG: the count predicted on background pixels (all error); FG: |predicted − true| count on the foreground (the true density's support at the output resolution). ${profile}`,
          ...seg.map((r) =>
            `f_s on ${
              label(r.dataset)
            } (${r.steps} steps): IoU of Ŝ > 0.5 with the oracle foreground ${
              r.iouOracle.toFixed(3)
            }${
              r.iouMask === null ? "" : `, with the real masks ${r.iouMask.toFixed(3)}`
            }; the oracle foreground covers ${
              (r.coverage.oracle * 100).toFixed(1)
            } % of the pixels, Ŝ > 0.5 ${(r.coverage.predicted * 100).toFixed(1)} %.`
          ),
          "Segmentation attention (Modolo et al.): a 1×1 head on the counter's last features, the density multiplied by its sigmoid, trained jointly (λ = 1); two-stage (Cheng et al.): the same backbone on the frozen f_s's probability map alone. Thesis † rows: the author's reimplementations.",
        ],
      });
    }
  }

  // Tables 25/30
  {
    const t = s.occlusion;
    const methods = ["base", "cutout", "cutmix", "occlusion"] as const;
    const cols = ["network", "method"];
    for (const k of t.datasets) {
      cols.push(`${label(k)} low`, `${label(k)} high`, `${label(k)} overall`);
    }
    cols.push(
      "thesis A low",
      "thesis A high",
      "thesis A overall",
      "thesis UCF low",
      "thesis UCF high",
      "thesis UCF overall",
    );
    const rows: Cell[][] = [];
    for (const b of t.backbones) {
      for (const m of methods) {
        const row: Cell[] = [NAMES[b], methodLabel(m)];
        for (const k of t.datasets) {
          row.push(
            formatStat(err(k, b, m, "low")),
            formatStat(err(k, b, m, "high")),
            formatStat(err(k, b, m)),
          );
        }
        row.push(...THESIS_TABLE30[b].partA[m], ...THESIS_TABLE30[b].ucf[m]);
        rows.push(row);
      }
    }
    const notes = t.datasets.map((k) => {
      const r = t.backbones.flatMap((b) => recordsOf(records, k, b, "base"))[0];
      if (!r) return `${label(k)}: not run.`;
      const th = occlusionThreshold(r.levels, s.occlusionSplit);
      const low = r.levels.filter((v) => v < th).length;
      const lv = seedStat(r.levels);
      return `${label(k)}: M̄ of the test images ${Math.min(...r.levels).toFixed(3)}–${
        Math.max(...r.levels).toFixed(3)
      } (mean ${lv.mean.toFixed(3)}); split at ${th.toFixed(3)}${
        s.occlusionSplit === "median" ? " (the median)" : ""
      }: ${low} low, ${r.levels.length - low} high; ${
        r.levels.filter((v) => v >= 1.5).length
      } images reach the thesis's 1.5.`;
    });
    if (t.datasets.some((k) => t.backbones.some((b) => ran(k, b, "base")))) {
      tables.push({
        title:
          "Tables 25 and 30: create occlusion to handle occlusion (MAE ↓; low, high occlusion, overall)",
        columns: cols,
        rows,
        notes: [
          ...notes,
          `Each augmentation acts on a training crop with probability ${s.augmentProbability}; occlusion creation with β = ${s.beta}. Thesis: Part A 109 low / 73 high, UCF-QNRF 49 / 285 at M̄ = 1.5. ${profile}`,
        ],
      });
    }
  }

  // Tables 26/31
  {
    const t = s.distillation;
    const cols = [
      "network",
      "targets",
      ...t.datasets.map((k) => `${label(k)} (measured)`),
      "thesis Part A",
      "thesis UCF-QNRF",
    ];
    const rows: Cell[][] = [];
    for (const b of t.backbones) {
      rows.push([
        NAMES[b],
        "Gaussian density map",
        ...t.datasets.map((k) => formatStat(err(k, b, "base"))),
        ...THESIS_TABLE31[b].gaussian,
      ]);
      rows.push([
        NAMES[b],
        "multiscale Gaussian (Wan et al.)",
        ...t.datasets.map(() => "not run"),
        ...THESIS_TABLE31[b].multiscale,
      ]);
      rows.push([
        NAMES[b],
        "distilled density map (ours)",
        ...t.datasets.map((k) => formatStat(err(k, b, "distilled"))),
        ...THESIS_TABLE31[b].distilled,
      ]);
    }
    if (t.datasets.some((k) => t.backbones.some((b) => ran(k, b, "distilled")))) {
      tables.push({
        title: "Tables 26 and 31: Gaussian vs distilled density maps (MAE ↓)",
        columns: cols,
        rows,
        notes: [
          `f_a is the oracle network of Table 23 (ℓ1 on background-blacked images against the Gaussian maps, best validation MAE), frozen; f_d is trained with ℓ1 against f_a(Ĩ) only. Wan et al.'s adaptive multiscale maps (the optional baseline) are not reimplemented. ${profile}`,
        ],
      });
    }
  }

  // Table 27
  {
    const t = s.combined;
    const combos: [Method, string, string, string][] = [
      ["base", "", "", ""],
      ["cascade", "✓", "", ""],
      ["bg-gt", "✓", "✓", ""],
      ["bg-occ", "✓", "", "✓"],
      ["all", "✓", "✓", "✓"],
    ];
    const cols = [
      "network",
      "background",
      "ground-truth",
      "occlusion",
      ...t.datasets.map((k) => `${label(k)} (measured)`),
      "thesis Part A",
      "thesis UCF-QNRF",
    ];
    const rows: Cell[][] = [];
    for (const b of t.backbones) {
      for (const [m, bg, gt, occ] of combos) {
        const thesis = THESIS_TABLE27[b][m as keyof (typeof THESIS_TABLE27)["csrnet"]];
        rows.push([
          NAMES[b],
          bg,
          gt,
          occ,
          ...t.datasets.map((k) => formatStat(err(k, b, m))),
          ...thesis,
        ]);
      }
    }
    if (t.datasets.some((k) => t.backbones.some((b) => ran(k, b, "all")))) {
      tables.push({
        title: "Table 27: combining the three solutions (MAE ↓)",
        columns: cols,
        rows,
        notes: [
          `Background: the cascade with the frozen f_s; ground-truth: distilled targets from the frozen f_a; occlusion: occlusion creation on the training crops. Thesis rows 3 and 4 as read from the extracted table (its row order is ambiguous there). ${profile}`,
        ],
      });
    }
  }

  // Table 28
  {
    const keys = ["partA", "partB", "ucf", "jhu", "trancos"] as const;
    const cols = [
      "method",
      ...keys.flatMap((k) => [`${THESIS_NAMES[k]} MAE`, `${THESIS_NAMES[k]} RMSE`]),
    ];
    const rows: Cell[][] = THESIS_TABLE28.map((r) => [
      `${r.method} (thesis)`,
      ...keys.flatMap((k) => r.values[k] ?? [null, null]),
    ]);
    const sota = s.sota;
    for (const b of sota.backbones) {
      const row: Cell[] = [`${NAMES[b]} + three solutions (measured)`];
      for (const k of keys) {
        const ds = sota.datasets.find((d) => s.datasets[d]?.thesis === k);
        const recs = ds ? recordsOf(records, ds, b, "all") : [];
        row.push(
          recs.length ? formatStat(seedStat(recs.map((r) => r.mae))) : null,
          recs.length ? formatStat(seedStat(recs.map((r) => r.rmse))) : null,
        );
      }
      rows.push(row);
    }
    tables.push({
      title: "Table 28: comparison to the state of the art (MAE ↓, RMSE ↓)",
      columns: cols,
      rows,
      notes: [
        sota.datasets.length
          ? `Measured rows: the three solutions combined on ${
            sota.datasets.map(label).join(", ")
          }. ${profile}`
          : `This profile runs on the cell sets of data/ only: the measured rows need the thesis's data sets (--profile paper --data-dir DIR with ShanghaiTech/part_A, part_B, UCF-QNRF, jhu_crowd_v2.0, TRANCOS_v3).`,
        "Thesis: the density-based part of its Table 28; Part B, JHU-Crowd++ and TRANCOS only for its own rows (and Bai et al. on TRANCOS), whose other rows the extracted text does not place.",
        ...describeChapter5Scaling(s),
      ],
    });
  }
  return tables;
}
