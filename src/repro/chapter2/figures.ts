/**
 * The figures of chapter 2 built from run records: frequency-band
 * correspondence with PSNR (Figs. 5, 6), PSNR curves of several runs
 * (Figs. 7, 8, 10–12), the automatic stop (Fig. 9), the anatomy of the FBC
 * metric (Fig. 3), and image grids. Shared by the report and the notebooks.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Series } from "../../core/history.ts";
import { frequencyBandCorrespondence, magnitudeSpectrum, ringBands } from "../../fbc/mod.ts";
import { readImage } from "../../io/mod.ts";
import type { Figure } from "../../plot/figure.ts";
import { heatmapFigure } from "../../plot/heatmap.ts";
import { imageGridFigure } from "../../plot/image_grid.ts";
import { lineFigure, type LineMarker, type LineSeries } from "../../plot/line.ts";
import { METHODS, TASKS } from "./experiments.ts";
import type { FitRecord } from "./record.ts";

/** Band colours, lowest frequency first (blue to red), as the thesis's plots. */
export const BAND_COLORS: readonly string[] = [
  "#1f77b4",
  "#2ca02c",
  "#bcbd22",
  "#ff7f0e",
  "#d62728",
];
const BAND_NAMES = ["lowest", "low", "medium", "high", "highest"];

function bandName(n: number, count: number): string {
  return count === 5 ? `${BAND_NAMES[n]} band` : `band ${n + 1}`;
}

const GREEN = "#2a9d3f";

/**
 * Fig. 5/6 style: the N band correspondences over steps (left axis) and the
 * PSNR (right axis, dashed), with the peak PSNR marked (the thesis's green
 * line) and the automatic stop if the run has one.
 *
 * @param record The run.
 * @param title Figure title (default: method, task and image).
 * @returns The figure.
 */
export function bandsFigure(record: FitRecord, title?: string): Figure {
  const n = record.bands.y.length;
  const series: LineSeries[] = record.bands.y.map((y, b) => ({
    name: bandName(b, n),
    x: record.bands.x,
    y,
    color: BAND_COLORS[b % BAND_COLORS.length],
  }));
  series.push({
    name: "PSNR",
    x: record.psnr.x,
    y: record.psnr.y,
    dash: "dash",
    color: "#333",
    rightAxis: true,
  });
  const markers: LineMarker[] = [{
    x: record.best.step,
    label: `peak ${record.best.psnr.toFixed(2)} dB`,
    color: GREEN,
  }];
  if (record.stop) markers.push({ x: record.stop.step, label: "auto stop", color: "#8a2be2" });
  return lineFigure({
    title: title ??
      `${METHODS[record.method].label}: ${TASKS[record.task].label} (${record.image})`,
    xTitle: "step",
    yTitle: "frequency-band correspondence",
    yRange: [0, 1.02],
    y2Title: "PSNR (dB)",
    series,
    markers,
  });
}

/** One curve of {@linkcode psnrFigure}. */
export interface PsnrCurve {
  /** Legend name. */
  name: string;
  /** The run. */
  record: FitRecord;
  /** Which curve (default `"psnr"`, the raw output; `"psnrPosterior"`, `"psnrSmoothed"`). */
  key?: "psnr" | "psnrPosterior" | "psnrSmoothed";
  /** Mark the run's automatic stop (default `true` when it has one). */
  markStop?: boolean;
}

/**
 * PSNR over steps of several runs on one task (Figs. 7, 8, 10–12).
 *
 * @param curves The runs.
 * @param title Figure title.
 * @returns The figure.
 */
export function psnrFigure(curves: readonly PsnrCurve[], title: string): Figure {
  const series: LineSeries[] = [];
  const markers: LineMarker[] = [];
  for (const c of curves) {
    const s: Series = c.key ? (c.record[c.key] ?? c.record.psnr) : c.record.psnr;
    series.push({ name: c.name, x: s.x, y: s.y });
    if (c.record.stop && c.markStop !== false) {
      markers.push({ x: c.record.stop.step, label: `${c.name}: stop`, color: GREEN });
    }
  }
  return lineFigure({ title, xTitle: "step", yTitle: "PSNR (dB)", series, markers });
}

/**
 * The correspondence of one band over steps for several runs (e.g. the
 * highest band for λ = 1, 2, 3: how much high-frequency content each lets in).
 *
 * @param curves Legend names and runs.
 * @param band The band (default the highest).
 * @param title Figure title.
 * @returns The figure.
 */
export function bandCompareFigure(
  curves: readonly { name: string; record: FitRecord }[],
  band: number | "highest",
  title: string,
): Figure {
  return lineFigure({
    title,
    xTitle: "step",
    yTitle: "correspondence",
    yRange: [0, 1.02],
    series: curves.map((c) => {
      const b = band === "highest" ? c.record.bands.y.length - 1 : band;
      return { name: c.name, x: c.record.bands.x, y: c.record.bands.y[b] };
    }),
  });
}

/**
 * Fig. 9 style: PSNR (left) and the blur/sharpness ratio r (right) over steps
 * with the automatic stop marked.
 *
 * @param record A run with a ratio curve.
 * @param title Figure title.
 * @returns The figure.
 */
export function autoStopFigure(record: FitRecord, title?: string): Figure {
  const series: LineSeries[] = [{ name: "PSNR", x: record.psnr.x, y: record.psnr.y }];
  if (record.ratio) {
    series.push({
      name: "blur/sharpness r",
      x: record.ratio.x,
      y: record.ratio.y,
      dash: "dot",
      rightAxis: true,
    });
  }
  const markers: LineMarker[] = record.stop
    ? [{ x: record.stop.step, label: `stop, ${record.stop.psnr.toFixed(2)} dB`, color: GREEN }]
    : [];
  return lineFigure({
    title: title ??
      `${TASKS[record.task].label} (${record.image})${
        record.stop ? "" : ": no stop within the budget"
      }`,
    xTitle: "step",
    yTitle: "PSNR (dB)",
    y2Title: "r",
    series,
    markers,
  });
}

/**
 * The anatomy of the FBC metric (Fig. 3): the log-magnitude spectra of the
 * target and an output, the N rings, and the correspondence map H.
 *
 * @param output A network output, HWC in [0, 1] (not disposed).
 * @param target The image it fits (not disposed).
 * @param bands Number of rings (default 5).
 * @returns Four heatmaps and the band means.
 */
export async function fbcAnatomyFigures(
  output: tf.Tensor3D,
  target: tf.Tensor3D,
  bands = 5,
): Promise<{ figures: Figure[]; bands: number[] }> {
  const logSpectrum = async (image: tf.Tensor3D) => {
    const mag = await magnitudeSpectrum(image);
    const log = tf.tidy(() => tf.log1p(mag)) as tf.Tensor2D;
    mag.dispose();
    const rows = (await log.array()) as number[][];
    log.dispose();
    return rows;
  };
  const [h, w] = target.shape;
  const rings = ringBands(h, w, bands);
  const ringRows: number[][] = [];
  for (let i = 0; i < h; i++) {
    ringRows.push(
      Array.from(rings.label.subarray(i * w, (i + 1) * w), (v) => (v < 0 ? NaN : v + 1)),
    );
  }
  const fbc = await frequencyBandCorrespondence(output, target, { bands });
  const mapRows = (await fbc.map.array()) as number[][];
  fbc.map.dispose();
  const opts = { origin: "top" as const };
  return {
    bands: fbc.bands,
    figures: [
      heatmapFigure(await logSpectrum(target), { ...opts, title: "log |F(y0)|: target spectrum" }),
      heatmapFigure(await logSpectrum(output), {
        ...opts,
        title: "log |F(f(θ))|: output spectrum",
      }),
      heatmapFigure(ringRows, {
        ...opts,
        title: `the ${bands} frequency bands`,
        colorscale: "Jet",
      }),
      heatmapFigure(mapRows, {
        ...opts,
        title: "correspondence H = |F(f(θ))| / |F(y0)|, clipped to 1",
        zmin: 0,
        zmax: 1,
      }),
    ],
  };
}

/**
 * An image grid of saved run images (PNG files under the output folder).
 *
 * @param out The output folder.
 * @param cells Paths (relative to `out`) and captions; missing paths are skipped.
 * @param options Title and columns.
 * @returns The figure, or `null` when no image exists.
 */
export async function savedImagesFigure(
  out: string,
  cells: readonly { path?: string; title: string }[],
  options: { title?: string; columns?: number } = {},
): Promise<Figure | null> {
  const images: { image: tf.Tensor3D; title: string }[] = [];
  try {
    for (const c of cells) {
      if (!c.path) continue;
      images.push({ image: await readImage(`${out}/${c.path}`), title: c.title });
    }
    if (images.length === 0) return null;
    return imageGridFigure(images, {
      title: options.title,
      columns: options.columns ?? Math.min(images.length, 4),
      cellWidth: 200,
    });
  } finally {
    tf.dispose(images.map((i) => i.image));
  }
}
