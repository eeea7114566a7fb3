/**
 * Tables 15–22 and Fig. 39 of the thesis beside the measured numbers.
 * Measured cells are the mean ± standard deviation over the seeds (the mean
 * alone for one seed); the thesis's numbers are those of its chapter 4
 * (ShanghaiTech Part A and WIDER FACE for the ablations; Table 20 on five
 * datasets), printed beside whatever this run's datasets stand in for them.
 *
 * @module
 */
import type { Table } from "../table.ts";
import { formatMeanStd, type MeanStd, type SettingQuery, settingStat } from "./aggregate.ts";
import type { Chapter4Results } from "./claims.ts";
import {
  BASE_NETWORKS,
  type Chapter4Settings,
  datasetOf,
  describeChapter4Scaling,
  EDD_VARIANTS,
  HEAD_SPECS,
  type HeadVariant,
  kernelKey,
  kernelLabel,
  kernelOptions,
  NETWORK_NAMES,
} from "./settings.ts";

/** Thesis Tables 15–17: MAE on ShanghaiTech Part A and WIDER FACE (overall and thirds). */
export const THESIS_ABLATION: Record<
  HeadVariant,
  {
    partA: number;
    wider: number;
    small?: number;
    medium?: number;
    large?: number;
    sparse?: number;
    mediumCrowd?: number;
    dense?: number;
  }
> = {
  base: {
    partA: 74.8,
    wider: 4.7,
    small: 9.2,
    medium: 2.7,
    large: 2.2,
    sparse: 2.1,
    mediumCrowd: 2.5,
    dense: 9.5,
  },
  "spatial-attention": { partA: 84.5, wider: 4.8, small: 8.7, medium: 2.6, large: 3.1 },
  "segmentation-focus": { partA: 72.3, wider: 4.3, small: 8.6, medium: 2.3, large: 2.0 },
  "channel-attention": { partA: 73.4, wider: 3.9, sparse: 1.6, mediumCrowd: 2.3, dense: 7.8 },
  "global-density-focus": { partA: 71.7, wider: 3.5, sparse: 0.9, mediumCrowd: 1.6, dense: 8.0 },
  "combined-attention": {
    partA: 71.6,
    wider: 4.2,
    small: 8.3,
    medium: 2.0,
    large: 2.3,
    sparse: 1.8,
    mediumCrowd: 2.6,
    dense: 8.2,
  },
  "combined-focus": {
    partA: 67.9,
    wider: 3.2,
    small: 7.7,
    medium: 1.3,
    large: 0.6,
    sparse: 0.9,
    mediumCrowd: 1.4,
    dense: 7.3,
  },
};

/** Thesis Table 18: MAE of each base network without / with combined focus. */
export const THESIS_TABLE18: Record<
  string,
  { source: string; partA: [number, number]; wider: [number, number] }
> = {
  mcnn: { source: "Zhang et al. (MCNN)", partA: [114.5, 110.1], wider: [7.1, 6.1] },
  fcrn: { source: "Cao et al. (SANet; here FCRN-A)", partA: [75.2, 72.7], wider: [8.5, 8.2] },
  csrnet: { source: "Li et al. (CSRNet)", partA: [74.0, 72.4], wider: [4.3, 3.9] },
  edd: { source: "Ours (encoder-distiller-decoder)", partA: [74.8, 67.9], wider: [4.7, 3.2] },
};

/** Thesis Table 19: Part A MAE(n); WIDER FACE MAE(n) and MAE(σ) per kernel (`null`: n.a.). */
export const THESIS_TABLE19: Record<
  "adaptive" | "nonuniform" | "boxes",
  { partA: number | null; wider: number; sigma: number | null }
> = {
  adaptive: { partA: 67.9, wider: 4.2, sigma: 2.6 },
  nonuniform: { partA: 65.2, wider: 3.6, sigma: 2.2 },
  boxes: { partA: null, wider: 3.2, sigma: null },
};

/** Thesis Table 21: MAE and RMSE on Part A of the encoder-distiller-decoder's variants. */
export const THESIS_TABLE21: Record<string, [number, number]> = {
  encoder: [114.8, 178.2],
  "encoder-distiller": [82.5, 140.6],
  "encoder-decoder": [78.8, 137.4],
  edd: [74.8, 131.0],
};

/** Thesis Table 22: Part A MAE / RMSE with GAK and with the non-uniform kernel. */
export const THESIS_TABLE22: { network: string; gak: [number, number]; ours: [number, number] }[] =
  [
    { network: "Zhang et al. (MCNN)", gak: [110.2, 173.2], ours: [107.0, 156.5] },
    { network: "Shi et al. (D-ConvNet)", gak: [73.5, 112.3], ours: [71.7, 109.5] },
    { network: "Ours", gak: [67.9, 115.6], ours: [65.2, 109.4] },
  ];

/** Thesis Table 20's columns (dataset, metric). */
export const THESIS_TABLE20_COLUMNS: { dataset: string; metric: string }[] = [
  { dataset: "part_a", metric: "MAE" },
  { dataset: "part_a", metric: "RMSE" },
  { dataset: "part_a", metric: "PSNR" },
  { dataset: "part_a", metric: "SSIM" },
  { dataset: "part_b", metric: "MAE" },
  { dataset: "part_b", metric: "RMSE" },
  { dataset: "trancos", metric: "MAE" },
  { dataset: "dcc", metric: "MAE" },
  { dataset: "wider_face", metric: "MAE" },
  { dataset: "wider_face", metric: "NMAE" },
];

/** Thesis Table 20 (state of the art), in its column order (`null`: not reported). */
export const THESIS_TABLE20: { method: string; values: (number | null)[] }[] = [
  { method: "Zhang et al.", values: [110.2, 173.2, 21.4, 0.52, 26.4, 41.3, 9.7, null, 7.1, 1.10] },
  {
    method: "Marsden et al.",
    values: [85.7, 131.1, null, null, 17.7, 28.6, null, 8.4, null, null],
  },
  { method: "Shen et al.", values: [75.7, 102.7, null, null, 17.2, 27.4, null, null, null, null] },
  {
    method: "Sindagi & Patel",
    values: [73.6, 106.4, 21.7, 0.72, 20.1, 30.1, null, null, null, null],
  },
  {
    method: "Ranjan et al.",
    values: [68.5, 116.2, null, null, 10.7, 16.0, null, null, null, null],
  },
  { method: "Issam et al.", values: [null, null, null, null, 13.1, null, 3.6, null, null, null] },
  { method: "Li et al.", values: [68.2, 115.0, 23.8, 0.76, 10.6, 16.0, 3.6, null, 4.3, 0.53] },
  { method: "Cao et al.", values: [67.0, 104.5, null, null, 8.4, 13.6, null, null, 8.5, 1.10] },
  { method: "Ours (thesis)", values: [65.2, 109.4, 25.4, 0.78, 7.2, 12.2, 2.0, 3.2, 3.2, 0.40] },
];

/** Published results on the cell sets of `data/` (test MAE), for Table 20's measured part. */
export const PUBLISHED_CELLS: Record<string, string> = {
  vgg_cells:
    "N = 32: 3.5 (Lempitsky & Zisserman 2010), 2.9 (FCRN-A, Xie et al. 2016), 2.3 (Count-ception, Cohen et al. 2017)",
};

const THIRDS = {
  scale: ["small", "medium", "large"],
  crowding: ["sparse", "medium", "dense"],
} as const;

type Cell = string | number | null;

/** Measured statistic of a setting as a cell. */
function cell(s: MeanStd | null): Cell {
  return formatMeanStd(s);
}

/** The thirds' name sets of a dataset. */
function thirdSets(results: Chapter4Results, d: string, kind: "scale" | "crowding") {
  const t = results.objects.find((o) => o.dataset === d)?.thirds;
  return t ? t[kind].map((names) => new Set(names)) : null;
}

/** Tables 15–17: head variants on the encoder-distiller-decoder. */
function ablationTable(
  results: Chapter4Results,
  s: Chapter4Settings,
  title: string,
  variants: HeadVariant[],
  kinds: ("scale" | "crowding")[],
): Table | null {
  const columns = ["method"];
  const perDataset = s.ablation.map((d) => {
    const name = datasetOf(s, d).name;
    const q = { dataset: d, network: s.ablationNetwork, kernel: kernelKey(datasetOf(s, d).kernel) };
    const sets = kinds.map((k) => ({ k, sets: thirdSets(results, d, k) }));
    columns.push(`${name} overall`);
    for (const { k, sets: ss } of sets) {
      if (ss) { for (const t of THIRDS[k]) columns.push(`${name} ${t}`); }
    }
    return { q, sets };
  });
  columns.push("thesis Part A", "thesis WIDER FACE overall");
  for (const k of kinds) for (const t of THIRDS[k]) columns.push(`thesis WIDER ${t}`);
  let any = false;
  const rows = variants.map((h) => {
    const row: Cell[] = [HEAD_SPECS[h].label];
    for (const { q, sets } of perDataset) {
      const q2: SettingQuery = { ...q, heads: h };
      const overall = settingStat(results.records, q2);
      if (overall) any = true;
      row.push(cell(overall));
      for (const { sets: ss } of sets) {
        if (ss) {
          for (const set of ss) row.push(cell(settingStat(results.records, q2, "mae", set)));
        }
      }
    }
    const t = THESIS_ABLATION[h];
    row.push(t.partA, t.wider);
    for (const k of kinds) {
      const v = k === "scale" ? [t.small, t.medium, t.large] : [t.sparse, t.mediumCrowd, t.dense];
      row.push(...v.map((x) => x ?? null));
    }
    return row;
  });
  if (!any) return null;
  return { title, columns, rows, notes: [] };
}

/**
 * The chapter's tables from what was measured.
 *
 * @param results What was measured.
 * @param s The settings (datasets, roles, notes on scaling).
 * @returns Tables 15–22 and Fig. 39 (those with data).
 */
export function chapter4Tables(results: Chapter4Results, s: Chapter4Settings): Table[] {
  const tables: Table[] = [];
  const profile = `Profile ${s.profile}; ${s.seeds.length} seed(s) per setting (mean ± std).`;
  const ablationNote = s.ablation.map((d) => {
    const x = datasetOf(s, d);
    return `Measured with ${NETWORK_NAMES[s.ablationNetwork]} ×${
      s.widths[s.ablationNetwork]
    } as the base network (thesis: the encoder-distiller-decoder) on ${x.name} (stands for ${x.standsFor}), ${
      kernelLabel(x.kernel)
    }; thesis: ShanghaiTech Part A and WIDER FACE.`;
  });
  const thirdsNote =
    "Thirds: test images sorted by scale = F_s / F_n (mean object area from the object sizes) or crowding = (F_s / I_s)(F_n / I_s), cut into three equal parts (thesis Sec. 4.4.2–4.4.3).";
  const push = (t: Table | null, notes: string[]) => {
    if (t) tables.push({ ...t, notes: [...notes, profile] });
  };
  push(
    ablationTable(
      results,
      s,
      "Table 15: focus from segmentation, MAE ↓",
      ["base", "spatial-attention", "segmentation-focus"],
      ["scale"],
    ),
    [...ablationNote, thirdsNote],
  );
  push(
    ablationTable(
      results,
      s,
      "Table 16: focus from global density, MAE ↓",
      ["base", "channel-attention", "global-density-focus"],
      ["crowding"],
    ),
    [...ablationNote, thirdsNote],
  );
  push(
    ablationTable(
      results,
      s,
      "Table 17: combined focus, MAE ↓",
      ["base", "combined-attention", "combined-focus"],
      ["scale", "crowding"],
    ),
    [...ablationNote, thirdsNote],
  );

  // Table 18: base networks.
  {
    const columns = ["network"];
    for (const d of s.ablation) {
      const n = datasetOf(s, d).name;
      columns.push(`${n} base`, `${n} w/ our focus`);
    }
    columns.push(
      "thesis Part A base",
      "thesis Part A w/ focus",
      "thesis WIDER base",
      "thesis WIDER w/ focus",
    );
    let any = false;
    const rows = s.baseNetworks.map((n) => {
      const t = THESIS_TABLE18[n];
      const row: Cell[] = [t?.source ?? n];
      for (const d of s.ablation) {
        const q = { dataset: d, network: n, kernel: kernelKey(datasetOf(s, d).kernel) };
        const b = settingStat(results.records, { ...q, heads: "base" });
        const f = settingStat(results.records, { ...q, heads: "combined-focus" });
        if (b || f) any = true;
        row.push(cell(b), cell(f));
      }
      row.push(...(t ? [...t.partA, ...t.wider] : [null, null, null, null]));
      return row;
    });
    if (any) {
      tables.push({
        title: "Table 18: focus for free across base networks, MAE ↓",
        columns,
        rows,
        notes: [
          ...ablationNote,
          `Widths: ${
            BASE_NETWORKS.map((n) => `${n} ×${s.widths[n]}`).join(", ")
          }; FCRN-A (an encoder-decoder) stands in for Cao et al.'s SANet; CSRNet is trained from scratch with batch norm.`,
          profile,
        ],
      });
    }
  }

  // Table 19: kernels on the encoder-distiller-decoder with combined focus; MAE(σ).
  for (const d of s.kernels) {
    const x = datasetOf(s, d);
    const sig = results.objects.find((o) => o.dataset === d)?.sigma ?? null;
    const edd = s.kernelRuns.find((r) => r.network === s.ablationNetwork) ?? s.kernelRuns.at(-1);
    if (!edd) continue;
    let any = sig !== null;
    const rows = (["adaptive", "nonuniform", "boxes"] as const).map((k) => {
      const kernel = k === "boxes" ? x.kernel : kernelOptions(s, k);
      const isBoxes = k === "boxes";
      const available = !isBoxes || kernelKey(x.kernel) === "boxes";
      const st = available
        ? settingStat(results.records, {
          dataset: d,
          network: edd.network,
          heads: edd.heads,
          kernel: kernelKey(kernel),
        })
        : null;
      if (st) any = true;
      const t = THESIS_TABLE19[k];
      return [
        k === "adaptive"
          ? "GAK"
          : k === "nonuniform"
          ? "Ours (non-uniform)"
          : "Ground-truth (object sizes)",
        cell(st),
        sig && !isBoxes ? sig.kernels[k].mae : null,
        t.partA,
        t.wider,
        t.sigma,
      ];
    });
    if (!any) continue;
    tables.push({
      title: `Table 19: the non-uniform kernel (${x.name})`,
      columns: [
        "kernel",
        "MAE (n)",
        "MAE (σ) px",
        "thesis Part A MAE (n)",
        "thesis WIDER MAE (n)",
        "thesis WIDER MAE (σ)",
      ],
      rows,
      notes: [
        `MAE (n): ${NETWORK_NAMES[edd.network]}${
          edd.heads === "base"
            ? ""
            : ` with ${HEAD_SPECS[edd.heads].label.replace("w/ Our ", "").replace("w/ ", "")}`
        } trained with each kernel on ${x.name}. MAE (σ): each kernel's σ per object against σ_true = size × ${s.sizeToSigma} (the size is the object's diameter, 2√(area/π) from its mask; the core's "boxes" rule: radius ≈ 2σ), over ${
          sig ? `${sig.points} objects in ${sig.images} images` : "no objects"
        }, in pixels of the original images${
          sig
            ? `; mean σ_true ${sig.meanTrue.toFixed(2)} px, mean σ GAK ${
              sig.kernels.adaptive.mean.toFixed(2)
            }, non-uniform ${sig.kernels.nonuniform.mean.toFixed(2)}`
            : ""
        }.`,
        `Kernels: ${kernelLabel(s.adaptiveKernel)}; ${
          kernelLabel(s.nonuniformKernel)
        }, the point's own zero distance among the k (the author's MATLAB), region 1/8 of the image.`,
        profile,
      ],
    });
  }

  // Table 22: kernels across networks.
  for (const d of s.kernels) {
    const x = datasetOf(s, d);
    const columns = [
      "network",
      "GAK MAE",
      "GAK RMSE",
      "non-uniform MAE",
      "non-uniform RMSE",
      "thesis GAK MAE / RMSE",
      "thesis non-uniform MAE / RMSE",
    ];
    let any = false;
    const rows: Cell[][] = [];
    for (const t of THESIS_TABLE22) {
      const run = t.network.startsWith("Zhang")
        ? s.kernelRuns.find((r) => r.network === "mcnn")
        : t.network === "Ours"
        ? s.kernelRuns.find((r) => r.network === s.ablationNetwork)
        : undefined;
      const st = (k: "adaptive" | "nonuniform", m: "mae" | "rmse") =>
        run
          ? settingStat(results.records, {
            dataset: d,
            network: run.network,
            heads: run.heads,
            kernel: kernelKey(kernelOptions(s, k)),
          }, m)
          : null;
      const cells = [
        st("adaptive", "mae"),
        st("adaptive", "rmse"),
        st("nonuniform", "mae"),
        st("nonuniform", "rmse"),
      ];
      if (cells.some((c) => c)) any = true;
      rows.push([
        run
          ? t.network === "Ours"
            ? `${NETWORK_NAMES[run.network]} + combined focus (thesis: ours)`
            : `${t.network}${run.heads === "base" ? "" : " + combined focus"}`
          : `${t.network} (not reimplemented)`,
        ...cells.map(cell),
        `${t.gak[0]} / ${t.gak[1]}`,
        `${t.ours[0]} / ${t.ours[1]}`,
      ]);
    }
    if (any) {
      tables.push({
        title: `Table 22: the non-uniform kernel across networks (${x.name})`,
        columns,
        rows,
        notes: [`Measured on ${x.name}; thesis: ShanghaiTech Part A.`, profile],
      });
    }
  }

  // Table 21: the encoder-distiller-decoder's variants.
  for (const d of s.eddAblation) {
    const x = datasetOf(s, d);
    const label: Record<string, string> = {
      encoder: "Encoder",
      "encoder-distiller": "Encoder + distiller",
      "encoder-decoder": "Encoder + decoder",
      edd: "Encoder + distiller + decoder",
    };
    let any = false;
    const rows = EDD_VARIANTS.map((n) => {
      const q = {
        dataset: d,
        network: n,
        heads: "base" as HeadVariant,
        kernel: kernelKey(x.kernel),
      };
      const mae = settingStat(results.records, q, "mae"),
        rmse = settingStat(results.records, q, "rmse");
      if (mae) any = true;
      return [label[n], cell(mae), cell(rmse), ...THESIS_TABLE21[n]];
    });
    if (any) {
      tables.push({
        title: `Table 21: encoder-distiller-decoder ablation (${x.name})`,
        columns: ["network", "MAE", "RMSE", "thesis MAE", "thesis RMSE"],
        rows,
        notes: [
          `Base heads (no focus). Without the decoder the output is at 1/8 resolution and the target is sum-pooled to it (the thesis upsamples the prediction bilinearly instead); the count is the same. Measured on ${x.name}; thesis: ShanghaiTech Part A.`,
          profile,
        ],
      });
    }
  }

  // Table 20: the state of the art.
  {
    const measured: Cell[] = THESIS_TABLE20_COLUMNS.map(({ dataset, metric }) => {
      if (!s.sota.includes(dataset)) return null;
      const x = datasetOf(s, dataset);
      const m = metric.toLowerCase() as "mae" | "rmse" | "psnr" | "ssim" | "nmae";
      return cell(settingStat(results.records, {
        dataset,
        network: s.ablationNetwork,
        heads: "combined-focus",
        kernel: kernelKey(x.kernel),
      }, m));
    });
    const names: Record<string, string> = {
      part_a: "Part A",
      part_b: "Part B",
      trancos: "TRANCOS",
      dcc: "DCC",
      wider_face: "WIDER FACE",
    };
    tables.push({
      title: "Table 20: comparison to the state of the art (thesis datasets)",
      columns: ["method", ...THESIS_TABLE20_COLUMNS.map((c) => `${names[c.dataset]} ${c.metric}`)],
      rows: [
        ...THESIS_TABLE20.map((r) => [r.method, ...r.values]),
        ["Ours, measured in this run", ...measured],
      ],
      notes: [
        "Thesis numbers as printed (WIDER FACE from the thesis's reimplementations). The measured row is filled where this run had the dataset (`--profile paper --data-dir`); the cell sets of the other profiles are in the next table.",
      ],
    });
    const rows: Cell[][] = [];
    for (const d of s.sota) {
      const x = datasetOf(s, d);
      const q = {
        dataset: d,
        network: s.ablationNetwork,
        heads: "combined-focus" as HeadVariant,
        kernel: kernelKey(x.kernel),
      };
      const st = (m: Parameters<typeof settingStat>[2]) => cell(settingStat(results.records, q, m));
      if (!settingStat(results.records, q)) continue;
      rows.push([
        x.name,
        st("mae"),
        st("rmse"),
        st("nmae"),
        st("psnr"),
        formatMeanStd(settingStat(results.records, q, "ssim"), 3),
        PUBLISHED_CELLS[d] ?? null,
      ]);
    }
    if (rows.length) {
      tables.push({
        title: "Table 20 (measured): combined focus on this run's datasets",
        columns: [
          "dataset",
          "MAE",
          "RMSE",
          "NMAE",
          "density PSNR dB",
          "density SSIM",
          "published MAE",
        ],
        rows,
        notes: [
          `${NETWORK_NAMES[s.ablationNetwork]} ×${
            s.widths[s.ablationNetwork]
          } with combined focus (thesis: the encoder-distiller-decoder). Density PSNR/SSIM: the predicted map against the truth map at the output's resolution, data range the truth map's maximum, averaged over test images.`,
          ...s.sota.filter((d) => rows.some((r) => r[0] === datasetOf(s, d).name)).map((d) => {
            const x = datasetOf(s, d);
            return `${x.name}: ${kernelLabel(x.kernel)}; stands for ${x.standsFor}.`;
          }),
          profile,
        ],
      });
    }
  }

  // Fig. 39: GAME(0–3).
  {
    const rows: Cell[][] = [];
    const add = (d: string, heads: HeadVariant) => {
      const x = datasetOf(s, d);
      const q = { dataset: d, network: s.ablationNetwork, heads, kernel: kernelKey(x.kernel) };
      if (!settingStat(results.records, q)) return;
      rows.push([
        `${x.name}, ${HEAD_SPECS[heads].label.replace("w/ ", "")}`,
        ...[0, 1, 2, 3].map((l) =>
          cell(settingStat(results.records, q, `game${l as 0 | 1 | 2 | 3}`))
        ),
        d === "trancos" && heads === "combined-focus" ? 2.0 : null,
      ]);
    };
    for (const d of s.ablation) {
      for (const h of ["base", "combined-attention", "combined-focus"] as const) {
        add(d, h);
      }
    }
    for (const d of s.sota) if (!s.ablation.includes(d)) add(d, "combined-focus");
    if (rows.length) {
      tables.push({
        title: "Fig. 39: local count error GAME(L) ↓",
        columns: ["network", "GAME(0)", "GAME(1)", "GAME(2)", "GAME(3)", "thesis TRANCOS GAME(0)"],
        rows,
        notes: [
          "GAME(L): the absolute count error summed over 4^L cells (split at floor(h/2), floor(w/2) recursively), averaged over test images, against the truth density at the output's resolution. The thesis's Fig. 39 plots GAME(0–3) on TRANCOS; its text gives only GAME(0) = MAE = 2.0 (Table 20), so the other levels are not quoted.",
          profile,
        ],
      });
    }
  }
  const scaled = describeChapter4Scaling(s);
  if (scaled.length && tables.length) tables.at(-1)!.notes!.push(...scaled);
  return tables;
}
