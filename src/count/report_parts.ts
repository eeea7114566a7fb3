/**
 * The pieces the `count` reports share: a histogram of counts, predicted
 * against true counts, thumbnails with captions, and count statistics.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Pixels8 } from "../io/png.ts";
import { barFigure } from "../plot/bar.ts";
import type { Figure } from "../plot/figure.ts";
import type { TitledImage } from "../plot/image_grid.ts";
import { lineFigure } from "../plot/line.ts";
import { type Report, writeReport } from "../plot/report.ts";

/** Mean, standard deviation, minimum, maximum and sum of counts. */
export interface CountStats {
  /** Images. */
  n: number;
  /** Sum of the counts. */
  total: number;
  /** Mean count. */
  mean: number;
  /** Sample standard deviation (0 for one image). */
  std: number;
  /** Smallest count. */
  min: number;
  /** Largest count. */
  max: number;
}

/**
 * Statistics of counts.
 *
 * @param counts The counts (at least one).
 * @returns Their statistics.
 */
export function countStats(counts: readonly number[]): CountStats {
  const n = counts.length;
  const total = counts.reduce((a, b) => a + b, 0);
  const mean = total / n;
  const std = n > 1 ? Math.sqrt(counts.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, total, mean, std, min: Math.min(...counts), max: Math.max(...counts) };
}

/**
 * A histogram of counts as a bar chart over equal-width bins.
 *
 * @param counts The counts.
 * @param title The figure's title.
 * @returns The figure.
 */
export function histogramFigure(counts: readonly number[], title: string): Figure {
  const lo = Math.floor(Math.min(...counts)), hi = Math.ceil(Math.max(...counts));
  const bins = Math.max(1, Math.min(20, Math.ceil(Math.sqrt(counts.length))));
  const raw = Math.max(1, (hi - lo) / bins);
  const step = niceStep(raw);
  const start = Math.floor(lo / step) * step;
  const nb = Math.max(1, Math.ceil((hi - start) / step + 1e-9) || 1);
  const freq = new Array(nb).fill(0);
  for (const c of counts) freq[Math.min(nb - 1, Math.floor((c - start) / step))]++;
  const label = (i: number) => `${fmt(start + i * step)}–${fmt(start + (i + 1) * step)}`;
  return barFigure({
    categories: freq.map((_, i) => label(i)),
    series: [{ name: "images", values: freq, color: "#bc3754" }],
    title,
    xTitle: "count",
    yTitle: "images",
  });
}

/**
 * Predicted against true counts, with the line of perfect agreement.
 *
 * @param truth True counts.
 * @param predicted Predicted counts.
 * @param title The figure's title.
 * @returns The figure.
 */
export function agreementFigure(
  truth: readonly number[],
  predicted: readonly number[],
  title: string,
): Figure {
  const top = Math.max(1, ...truth, ...predicted) * 1.05;
  return lineFigure({
    series: [
      { name: "images", x: truth, y: predicted, mode: "markers", color: "#bc3754" },
      { name: "predicted = true", x: [0, top], y: [0, top], dash: "dash", color: "#888" },
    ],
    title,
    xTitle: "true count (points)",
    yTitle: "predicted count",
  });
}

/**
 * Captioned images for a report section, from 8-bit pixels (tensors made
 * here; {@linkcode writeReportWithImages} disposes them).
 *
 * @param items Pixels and captions.
 * @returns Titled images.
 */
export function titledImages(items: readonly { pixels: Pixels8; title: string }[]): TitledImage[] {
  return items.map(({ pixels, title }) => ({
    title,
    image: tf.tidy(() =>
      tf.div(
        tf.tensor3d(Float32Array.from(pixels.data), [pixels.height, pixels.width, pixels.channels]),
        255,
      )
    ) as tf.Tensor3D,
  }));
}

/**
 * Writes a report and frees the tensors of its images.
 *
 * @param path The HTML file.
 * @param report The report.
 * @returns Once written.
 */
export async function writeReportWithImages(path: string, report: Report): Promise<void> {
  try {
    await writeReport(path, report);
  } finally {
    for (const s of report.sections) for (const i of s.images ?? []) i.image.dispose();
  }
}

/**
 * A count for people: whole numbers as they are, else two decimals below
 * 100, one below 1000, none above.
 *
 * @param v The count.
 * @returns The text.
 */
export function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a < 100 ? v.toFixed(2) : a < 1000 ? v.toFixed(1) : v.toFixed(0);
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
