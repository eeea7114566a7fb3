/**
 * The figures of the chapter 5 reproduction: analogues of Fig. 44 (an input
 * image, its cascaded image I ⊙ Ŝ, the predicted and the true density),
 * Fig. 45 (an image and its density before and after occlusion creation),
 * Fig. 46 (a training image, its Gaussian and distilled maps and their
 * difference), and bar charts of Tables 24 and 25 (BG/FG errors, low/high
 * occlusion errors per method).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { readImage } from "../../io/read.ts";
import { barFigure, type Figure, imageGridFigure } from "../../plot/mod.ts";
import { densityMapData } from "../../counting/density.ts";
import { createOcclusion, occlusionMap, type OcclusionResult } from "../../counting/occlusion.ts";
import type { CountingSample } from "../../counting/sample.ts";
import { kernelSigmas } from "../../counting/sigma.ts";
import type { Chapter5Record, CountRecord, MapFigure } from "./experiments.ts";
import { methodError } from "./measures.ts";
import type { Backbone, Chapter5Settings, Method } from "./settings.ts";

/** An occlusion-creation example on one image (Fig. 45). */
export interface OcclusionExample {
  /** The image before. */
  sample: CountingSample;
  /** Its density `[H × W]` before. */
  density: Float32Array;
  /** σ of each point. */
  sigmas: Float32Array;
  /** What occlusion creation returned. */
  result: OcclusionResult;
  /** The occlusion map M of eq. 5.3 before, and its level M̄. */
  map: Float32Array;
}

/**
 * Occlusion creation on one image with the data set's kernel (Fig. 45).
 *
 * @param sample The image.
 * @param settings The kernel's options and β.
 * @param seed Seed.
 * @returns The example.
 */
export function occlusionExample(
  sample: CountingSample,
  settings: { density: Parameters<typeof densityMapData>[2]; beta: number },
  seed = 0,
): OcclusionExample {
  const shape: [number, number] = [sample.shape[0], sample.shape[1]];
  const sigmas = kernelSigmas(sample.points, shape, settings.density);
  const density = densityMapData(sample.points, shape, { ...settings.density, sigmas }).data;
  const result = createOcclusion({ data: sample.image, shape: sample.shape }, sample.points, {
    sigmas,
    density,
    beta: settings.beta,
    seed,
  });
  return { sample, density, sigmas, result, map: occlusionMap(sample.points, sigmas, shape) };
}

/**
 * A map (rows of values) as a gray image scaled by `max`, for image grids.
 *
 * @param rows The map.
 * @param max The value drawn white (default the map's maximum).
 * @returns `[h, w, 1]` in [0, 1].
 */
export function mapImage(rows: readonly (readonly number[])[], max?: number): tf.Tensor3D {
  const flat = rows.flat();
  const top = max ?? flat.reduce((a, v) => Math.max(a, Math.abs(v)), 1e-12);
  return tf.tidy(() =>
    tf.clipByValue(
      tf.div(tf.tensor3d(flat, [rows.length, rows[0].length, 1]), top),
      0,
      1,
    ) as tf.Tensor3D
  );
}

/** Rows of a flat plane. */
export function planeRows(data: ArrayLike<number>, h: number, w: number): number[][] {
  return Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => data[y * w + x]));
}

/**
 * Fig. 45 as an image grid: original and occluded image, density before and after.
 *
 * @param ex The example.
 * @returns The figure.
 */
export function occlusionFigure(ex: OcclusionExample): Figure {
  const [h, w] = ex.sample.shape;
  const before = planeRows(ex.density, h, w), after = planeRows(ex.result.density, h, w);
  const top = ex.result.density.reduce((a, v) => Math.max(a, v), 1e-12);
  const tiles = [
    { image: tf.tensor3d(ex.sample.image, ex.sample.shape), title: "original image" },
    { image: tf.tensor3d(ex.result.image.data, ex.result.image.shape), title: "occluded image" },
    { image: mapImage(before, top), title: `density (${ex.sample.points.x.length})` },
    {
      image: mapImage(after, top),
      title: `after (${(ex.sample.points.x.length + ex.result.pasted.length)})`,
    },
  ];
  try {
    return imageGridFigure(
      tiles.map((t) => ({ ...t, image: tf.clipByValue(t.image, 0, 1) as tf.Tensor3D })),
      {
        columns: 4,
        title: `Fig. 45 analogue: occlusion creation (${ex.result.pasted.length} objects pasted)`,
        cellWidth: 220,
      },
    );
  } finally {
    tf.dispose(tiles.map((t) => t.image));
  }
}

async function mapFigure(
  out: string,
  f: MapFigure,
  titles: {
    image: string;
    second?: [string, string];
    predicted: string;
    truth: string;
    difference?: string;
    truthFirst?: boolean;
  },
  title: string,
): Promise<Figure> {
  const tiles: { image: tf.Tensor3D; title: string }[] = [];
  try {
    // shown on the input's scale, stretched to its maximum (BBBC039's nuclei are dim)
    const input = await readImage(`${out}/${f.images.input}`);
    const peak = tf.tidy(() => tf.max(input).dataSync()[0]) || 1;
    const stretch = (x: tf.Tensor3D) =>
      tf.tidy(() => tf.clipByValue(tf.div(x, peak), 0, 1) as tf.Tensor3D);
    tiles.push({ image: stretch(input), title: titles.image });
    input.dispose();
    if (titles.second) {
      const second = await readImage(`${out}/${f.images[titles.second[0]]}`);
      tiles.push({ image: stretch(second), title: titles.second[1] });
      second.dispose();
    }
    const top = [...f.truth.flat(), ...f.predicted.flat()].reduce((a, v) => Math.max(a, v), 1e-12);
    const maps = [
      { image: mapImage(f.predicted, top), title: titles.predicted },
      { image: mapImage(f.truth, top), title: titles.truth },
    ];
    tiles.push(...(titles.truthFirst ? maps.reverse() : maps));
    if (titles.difference) {
      const diff = f.predicted.map((r, y) => r.map((v, x) => Math.abs(v - f.truth[y][x])));
      tiles.push({ image: mapImage(diff), title: titles.difference });
    }
    return imageGridFigure(tiles, { columns: 4, title, cellWidth: 220 });
  } finally {
    tf.dispose(tiles.map((t) => t.image));
  }
}

const NAMES: Record<Backbone, string> = { csrnet: "CSRNet", hrnet: "HRNet" };
const SHORT: Partial<Record<Method, string>> = {
  base: "base",
  attention: "seg. attention",
  twostage: "two-stage",
  cascade: "cascade (ours)",
  cutout: "Cutout",
  cutmix: "CutMix",
  occlusion: "occlusion (ours)",
};

/**
 * The figures of a run.
 *
 * @param records The stored records.
 * @param s The settings.
 * @param out The output folder (saved images are relative to it).
 * @param occlusion An occlusion example (Fig. 45), when the occlusion data set is loaded.
 * @returns The figures with data.
 */
export async function chapter5Figures(
  records: readonly Chapter5Record[],
  s: Chapter5Settings,
  out: string,
  occlusion?: OcclusionExample,
): Promise<Figure[]> {
  const figs: Figure[] = [];
  const first = (m: Method) =>
    records.find((r): r is CountRecord =>
      r.kind === "count" && r.method === m && r.figure !== undefined
    );
  const cascade = first("cascade");
  if (cascade?.figure) {
    const f = cascade.figure;
    figs.push(
      await mapFigure(
        out,
        f,
        {
          image: "input image",
          second: ["cascaded", "cascaded image I ⊙ Ŝ"],
          predicted: `predicted density (${f.count.predicted.toFixed(1)})`,
          truth: `ground truth (${f.count.truth})`,
        },
        `Fig. 44 analogue: learning to reduce the background (${
          s.datasets[cascade.dataset]?.label
        })`,
      ),
    );
  }
  const bars = (
    runs: Chapter5Settings["background"],
    methods: readonly Method[],
    parts: readonly ["background" | "foreground" | "low" | "high" | "overall", string][],
    title: string,
  ) => {
    const categories: string[] = [];
    const series = parts.map(([, name]) => ({
      name,
      values: [] as number[],
      errors: [] as number[],
    }));
    for (const k of runs.datasets) {
      for (const b of runs.backbones) {
        for (const m of methods) {
          const stats = parts.map(([p]) => methodError(records, k, b, m, p, s.occlusionSplit));
          if (stats[0].n === 0) continue;
          const many = runs.backbones.length > 1 || runs.datasets.length > 1;
          const where = many ? `${s.datasets[k]?.label ?? k} ${NAMES[b]} ` : "";
          categories.push(`${where}${SHORT[m] ?? m}`);
          stats.forEach((st, i) => {
            series[i].values.push(st.mean);
            series[i].errors.push(st.sd);
          });
        }
      }
    }
    if (categories.length) {
      figs.push(barFigure({ categories, series, title, yTitle: "MAE", labelDigits: 2 }));
    }
  };
  bars(
    s.background,
    ["base", "attention", "twostage", "cascade"],
    [["background", "BG error"], ["foreground", "FG error"], ["overall", "overall MAE"]],
    "Table 24: background and foreground errors (mean over seeds, bars: sd)",
  );
  if (occlusion) figs.push(occlusionFigure(occlusion));
  bars(
    s.occlusion,
    ["base", "cutout", "cutmix", "occlusion"],
    [["low", "low occlusion"], ["high", "high occlusion"], ["overall", "overall"]],
    "Table 25: MAE on the low and high occlusion test images",
  );
  const distilled = first("distilled");
  if (distilled?.figure) {
    const f = distilled.figure;
    figs.push(
      await mapFigure(
        out,
        f,
        {
          image: "training image",
          predicted: `distilled density (${f.count.predicted.toFixed(1)})`,
          truth: `Gaussian density (${f.count.truth})`,
          difference: "|distilled − Gaussian|",
          truthFirst: true,
        },
        `Fig. 46 analogue: density maps from distillation (${
          s.datasets[distilled.dataset]?.label
        })`,
      ),
    );
  }
  return figs;
}
