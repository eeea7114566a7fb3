/**
 * Line charts with several series: training curves, metric-against-level
 * curves, with optional vertical markers (such as the iteration where an
 * automatic stopping rule fired).
 *
 * @module
 */
import { assertNumber } from "../core/checks.ts";
import type { Figure, PlotAxis, PlotTrace } from "./figure.ts";

/** One curve of a {@linkcode lineFigure}. */
export interface LineSeries {
  /** Legend name. */
  name: string;
  /** Abscissae, one per point. */
  x: readonly number[];
  /** Ordinates, one per point; `NaN` leaves a gap. */
  y: readonly number[];
  /** Draw lines, markers or both (default `"lines"`). */
  mode?: "lines" | "markers" | "lines+markers";
  /** Line style (default `"solid"`). */
  dash?: "solid" | "dash" | "dot" | "dashdot";
  /** CSS colour; absent takes plotly's next colour. */
  color?: string;
  /** Plot against the right-hand y axis (default `false`), for a second unit. */
  rightAxis?: boolean;
}

/** A vertical line across the plot with a label. */
export interface LineMarker {
  /** Where on the x axis. */
  x: number;
  /** Label written beside the line. */
  label: string;
  /** CSS colour (default a dark grey). */
  color?: string;
}

/** Options of {@linkcode lineFigure}. */
export interface LineFigureOptions {
  /** The curves. */
  series: readonly LineSeries[];
  /** Figure title. */
  title?: string;
  /** x-axis title. */
  xTitle?: string;
  /** y-axis title. */
  yTitle?: string;
  /** Logarithmic y axis (default `false`); every finite y must be positive. */
  logY?: boolean;
  /** Logarithmic x axis (default `false`). */
  logX?: boolean;
  /** Vertical lines with labels. */
  markers?: readonly LineMarker[];
  /** Visible y range `[low, high]` in data units (also for a log axis). */
  yRange?: readonly [number, number];
  /** Title of the right-hand y axis (used by series with `rightAxis`). */
  y2Title?: string;
  /** Visible range of the right-hand y axis. */
  y2Range?: readonly [number, number];
}

/**
 * Builds a line chart of one or more series.
 *
 * @param options Series, titles, axes and markers.
 * @returns The plotly figure.
 * @example
 * ```ts
 * import { lineFigure } from "./line.ts";
 * const fig = lineFigure({
 *   series: [{ name: "PSNR", x: [0, 100, 200], y: [12, 25, 27] }],
 *   xTitle: "iteration",
 *   yTitle: "dB",
 *   markers: [{ x: 150, label: "stop" }],
 * });
 * if (fig.data.length !== 1 || fig.layout.shapes?.length !== 1) throw new Error("bad figure");
 * ```
 */
export function lineFigure(options: LineFigureOptions): Figure {
  const { series, markers = [], logY = false, logX = false } = options;
  if (!isArray(series)) {
    throw new TypeError(`series must be an array of {name, x, y}, got ${typeof series}`);
  }
  const data: PlotTrace[] = series.map((s, i) => {
    if (!isArray(s.x) || !isArray(s.y)) {
      throw new TypeError(`series[${i}] ("${s.name}") needs arrays x and y`);
    }
    if (s.x.length !== s.y.length) {
      throw new RangeError(
        `series[${i}] ("${s.name}") must have as many y as x values: expected ${s.x.length}, got ${s.y.length}`,
      );
    }
    if (logY && s.y.some((v) => Number.isFinite(v) && v <= 0)) {
      throw new RangeError(`series[${i}] ("${s.name}") has y <= 0, which a log y axis cannot show`);
    }
    const line: Record<string, unknown> = { dash: s.dash ?? "solid" };
    if (s.color) line.color = s.color;
    return {
      type: "scatter",
      name: s.name,
      mode: s.mode ?? "lines",
      x: [...s.x],
      // JSON has no NaN: null is plotly's gap.
      y: s.y.map((v) => (Number.isFinite(v) ? v : null)),
      line,
      ...(s.color ? { marker: { color: s.color } } : {}),
      ...(s.rightAxis ? { yaxis: "y2" } : {}),
    };
  });

  const xaxis: PlotAxis = { type: logX ? "log" : "linear" };
  if (options.xTitle) xaxis.title = { text: options.xTitle };
  const yaxis: PlotAxis = { type: logY ? "log" : "linear" };
  if (options.yTitle) yaxis.title = { text: options.yTitle };
  if (options.yRange) {
    const [lo, hi] = options.yRange;
    assertNumber(lo, "yRange[0]");
    assertNumber(hi, "yRange[1]", { min: lo, minExclusive: true });
    if (logY) assertNumber(lo, "yRange[0]", { min: 0, minExclusive: true });
    yaxis.range = logY ? [Math.log10(lo), Math.log10(hi)] : [lo, hi];
  }

  const right = series.some((s) => s.rightAxis);
  const yaxis2: PlotAxis = { overlaying: "y", side: "right", showgrid: false };
  if (options.y2Title) yaxis2.title = { text: options.y2Title };
  if (options.y2Range) {
    const [lo, hi] = options.y2Range;
    assertNumber(lo, "y2Range[0]");
    assertNumber(hi, "y2Range[1]", { min: lo, minExclusive: true });
    yaxis2.range = [lo, hi];
  }

  const shapes = markers.map((m, i) => {
    assertNumber(m.x, `markers[${i}].x`);
    return {
      type: "line",
      xref: "x",
      yref: "paper",
      x0: m.x,
      x1: m.x,
      y0: 0,
      y1: 1,
      line: { color: m.color ?? "#444", width: 1.5, dash: "dot" },
    };
  });
  const annotations = markers.map((m) => ({
    x: m.x,
    xref: "x",
    y: 1,
    yref: "paper",
    text: m.label,
    showarrow: false,
    xanchor: "left",
    yanchor: "top",
    xshift: 3,
    font: { color: m.color ?? "#444", size: 11 },
  }));

  return {
    data,
    layout: {
      ...(options.title ? { title: { text: options.title } } : {}),
      xaxis,
      yaxis,
      ...(right ? { yaxis2 } : {}),
      shapes,
      annotations,
      ...(right ? { legend: { x: 1.08, xanchor: "left" } } : {}),
      margin: { t: options.title ? 50 : 20, r: right ? 60 : 20, b: 50, l: 60 },
    },
  };
}

/** `Array.isArray` without narrowing readonly arrays to `any[]`. */
function isArray(value: unknown): boolean {
  return Array.isArray(value);
}
