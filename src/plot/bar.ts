/**
 * Grouped bar charts for tables of methods (PSNR of each method on each
 * image, timings per backend).
 *
 * @module
 */
import { assertNumber } from "../core/checks.ts";
import type { Figure, PlotAxis } from "./figure.ts";

/** One group member of a {@linkcode barFigure}: a value per category. */
export interface BarSeries {
  /** Legend name (e.g. the method). */
  name: string;
  /** One value per category; `NaN` leaves the bar out. */
  values: readonly number[];
  /** Error bar half-lengths, one per category. */
  errors?: readonly number[];
  /** CSS colour; absent takes plotly's next colour. */
  color?: string;
}

/** Options of {@linkcode barFigure}. */
export interface BarFigureOptions {
  /** Category labels along the axis (e.g. the images). */
  categories: readonly string[];
  /** The series; each draws one bar per category. */
  series: readonly BarSeries[];
  /** Figure title. */
  title?: string;
  /** Title of the category axis. */
  xTitle?: string;
  /** Title of the value axis. */
  yTitle?: string;
  /** Horizontal bars (default `false`). */
  horizontal?: boolean;
  /** Write each value on its bar with this many decimals (default: no text). */
  labelDigits?: number;
  /** Visible value range `[low, high]`. */
  valueRange?: readonly [number, number];
}

/**
 * Builds a grouped bar chart: for each category, one bar per series.
 *
 * @param options Categories, series and titles.
 * @returns The plotly figure.
 * @example
 * ```ts
 * import { barFigure } from "./bar.ts";
 * const fig = barFigure({
 *   categories: ["camera", "coins"],
 *   series: [{ name: "DIP", values: [28.1, 30.2] }, { name: "BM3D", values: [29.0, 31.4] }],
 *   yTitle: "PSNR (dB)",
 * });
 * if (fig.data.length !== 2 || fig.layout.barmode !== "group") throw new Error("bad figure");
 * ```
 */
export function barFigure(options: BarFigureOptions): Figure {
  const { categories, series, horizontal = false } = options;
  if (!Array.isArray(categories) || categories.length === 0) {
    throw new RangeError("categories must be a non-empty array of labels");
  }
  if (options.labelDigits !== undefined) {
    assertNumber(options.labelDigits, "labelDigits", { min: 0, max: 20, integer: true });
  }
  const data = series.map((s, i) => {
    if (s.values.length !== categories.length) {
      throw new RangeError(
        `series[${i}] ("${s.name}") must have one value per category: expected ${categories.length}, got ${s.values.length}`,
      );
    }
    if (s.errors && s.errors.length !== categories.length) {
      throw new RangeError(
        `series[${i}] ("${s.name}") errors must have one value per category: expected ${categories.length}, got ${s.errors.length}`,
      );
    }
    const values = s.values.map((v) => (Number.isFinite(v) ? v : null));
    const error = s.errors ? { type: "data", array: [...s.errors], visible: true } : undefined;
    return {
      type: "bar",
      name: s.name,
      orientation: horizontal ? "h" : "v",
      [horizontal ? "y" : "x"]: [...categories],
      [horizontal ? "x" : "y"]: values,
      ...(error ? { [horizontal ? "error_x" : "error_y"]: error } : {}),
      ...(s.color ? { marker: { color: s.color } } : {}),
      ...(options.labelDigits !== undefined
        ? {
          text: s.values.map((v) => (Number.isFinite(v) ? v.toFixed(options.labelDigits) : "")),
          textposition: "auto",
        }
        : {}),
    };
  });
  const categoryAxis: PlotAxis = { type: "category" };
  if (options.xTitle) categoryAxis.title = { text: options.xTitle };
  const valueAxis: PlotAxis = {};
  if (options.yTitle) valueAxis.title = { text: options.yTitle };
  if (options.valueRange) {
    const [lo, hi] = options.valueRange;
    assertNumber(lo, "valueRange[0]");
    assertNumber(hi, "valueRange[1]", { min: lo, minExclusive: true });
    valueAxis.range = [lo, hi];
  }
  return {
    data,
    layout: {
      ...(options.title ? { title: { text: options.title } } : {}),
      barmode: "group",
      xaxis: horizontal ? valueAxis : categoryAxis,
      yaxis: horizontal ? categoryAxis : valueAxis,
      margin: { t: options.title ? 50 : 20, r: 20, b: 50, l: horizontal ? 100 : 60 },
    },
  };
}
