/**
 * Heatmaps of 2-D arrays: frequency-band correspondence maps, error maps,
 * kernels.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, assertShape, describe } from "../core/checks.ts";
import type { Figure, PlotAxis } from "./figure.ts";

/** Options of {@linkcode heatmapFigure}. */
export interface HeatmapFigureOptions {
  /** Figure title. */
  title?: string;
  /** A plotly colour scale name (default `"Viridis"`). */
  colorscale?: string;
  /** Value drawn with the lowest colour (default the data minimum). */
  zmin?: number;
  /** Value drawn with the highest colour (default the data maximum). */
  zmax?: number;
  /** Column coordinates (default 0, 1, ...). */
  x?: readonly (number | string)[];
  /** Row coordinates (default 0, 1, ...). */
  y?: readonly (number | string)[];
  /** x-axis title. */
  xTitle?: string;
  /** y-axis title. */
  yTitle?: string;
  /** Title of the colour bar. */
  zTitle?: string;
  /** Where row 0 is drawn: `"bottom"` (default, as a plot) or `"top"` (as an image). */
  origin?: "bottom" | "top";
}

/**
 * Builds a heatmap of a matrix; `z[i][j]` is row `i`, column `j`.
 *
 * @param z The matrix, as nested arrays or a 2-D tensor (read back synchronously).
 * @param options Titles, colour scale and value range.
 * @returns The plotly figure.
 * @example
 * ```ts
 * import { heatmapFigure } from "./heatmap.ts";
 * const fig = heatmapFigure([[0, 1], [2, 3]], { title: "demo", zmin: 0, zmax: 3 });
 * if (fig.data[0].type !== "heatmap") throw new Error("bad figure");
 * ```
 */
export function heatmapFigure(
  z: readonly (readonly number[])[] | tf.Tensor2D,
  options: HeatmapFigureOptions = {},
): Figure {
  let rows: number[][];
  if (z instanceof tf.Tensor) {
    assertShape(z, [null, null], "z");
    rows = z.arraySync() as number[][];
  } else {
    if (!Array.isArray(z) || z.length === 0 || !z.every((r) => Array.isArray(r))) {
      throw new TypeError(
        `z must be a non-empty array of rows or a 2-D tensor, got ${describe(z)}`,
      );
    }
    const width = z[0].length;
    z.forEach((r, i) => {
      if (r.length !== width) {
        throw new RangeError(
          `z must be rectangular: row 0 has ${width} values, row ${i} has ${r.length}`,
        );
      }
    });
    rows = z.map((r) => r.map((v) => (Number.isFinite(v) ? v : null)) as number[]);
  }
  const { zmin, zmax } = options;
  if (zmin !== undefined) assertNumber(zmin, "zmin");
  if (zmax !== undefined) {
    assertNumber(zmax, "zmax", zmin === undefined ? {} : { min: zmin, minExclusive: true });
  }
  const xaxis: PlotAxis = {};
  if (options.xTitle) xaxis.title = { text: options.xTitle };
  const yaxis: PlotAxis = {};
  if (options.yTitle) yaxis.title = { text: options.yTitle };
  const origin = assertOneOf(options.origin ?? "bottom", ["bottom", "top"], "origin");
  if (origin === "top") yaxis.autorange = "reversed";
  return {
    data: [{
      type: "heatmap",
      z: rows,
      ...(options.x ? { x: [...options.x] } : {}),
      ...(options.y ? { y: [...options.y] } : {}),
      colorscale: options.colorscale ?? "Viridis",
      ...(zmin !== undefined ? { zmin } : {}),
      ...(zmax !== undefined ? { zmax } : {}),
      ...(options.zTitle ? { colorbar: { title: { text: options.zTitle } } } : {}),
    }],
    layout: {
      ...(options.title ? { title: { text: options.title } } : {}),
      xaxis,
      yaxis,
      margin: { t: options.title ? 50 : 20, r: 20, b: 50, l: 60 },
    },
  };
}
