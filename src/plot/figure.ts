/**
 * The plain data types of a plotly figure, as the builders of this folder
 * return them: JSON-ready objects that any plotly.js renderer draws
 * (JupyterLab's plotly mime renderer, VS Code, a browser, the HTML report).
 *
 * Only the fields this toolkit sets are named; every object also takes any
 * other plotly attribute, so a caller can adjust a figure before showing it.
 *
 * @module
 */

/** One plotly axis (`layout.xaxis`, `layout.yaxis2`, ...). */
export interface PlotAxis {
  /** Axis title. */
  title?: { text: string };
  /** `"linear"` (plotly's default for numbers), `"log"` or `"category"`. */
  type?: "linear" | "log" | "category";
  /** Visible range; for a log axis in log10 units, as plotly wants it. */
  range?: [number, number];
  /** `"reversed"` draws the axis top to bottom. */
  autorange?: boolean | "reversed";
  /** Part of the plot area the axis spans, in [0, 1]. */
  domain?: [number, number];
  /** Whether the axis line, ticks and labels are drawn. */
  visible?: boolean;
  /** Locks this axis's scale to another one (`"x2"`), for square pixels. */
  scaleanchor?: string;
  /** Any other plotly axis attribute. */
  [attribute: string]: unknown;
}

/** One plotly trace (`scatter`, `heatmap`, `image`, `bar`, ...). */
export interface PlotTrace {
  /** Trace type; plotly's default is `"scatter"`. */
  type: string;
  /** Legend name. */
  name?: string;
  /** Any other plotly trace attribute (`x`, `y`, `z`, `mode`, `line`, `source`, ...). */
  [attribute: string]: unknown;
}

/** A plotly layout. */
export interface PlotLayout {
  /** Figure title. */
  title?: { text: string };
  /** Width in CSS pixels; absent lets the page decide. */
  width?: number;
  /** Height in CSS pixels. */
  height?: number;
  /** Main x axis. */
  xaxis?: PlotAxis;
  /** Main y axis. */
  yaxis?: PlotAxis;
  /** Lines and rectangles drawn over the plot. */
  shapes?: Record<string, unknown>[];
  /** Text placed on the plot. */
  annotations?: Record<string, unknown>[];
  /** Any other plotly layout attribute (`xaxis2`, `margin`, `legend`, ...). */
  [attribute: string]: unknown;
}

/** A plotly figure: what `Plotly.newPlot(div, data, layout)` takes. */
export interface Figure {
  /** The traces, drawn in order. */
  data: PlotTrace[];
  /** The layout. */
  layout: PlotLayout;
}

/**
 * Checks that `figure` looks like a plotly figure (an object with a `data`
 * array and a `layout` object).
 *
 * @param figure The value to check.
 * @param name The parameter's name, used in the error message.
 */
export function assertFigure(figure: unknown, name: string): asserts figure is Figure {
  const f = figure as Partial<Figure> | null;
  if (
    typeof f !== "object" || f === null || !Array.isArray(f.data) ||
    typeof f.layout !== "object" || f.layout === null
  ) {
    throw new TypeError(`${name} must be a plotly figure {data: [...], layout: {...}}`);
  }
}

/**
 * The figure's title text, or `fallback` when it has none.
 *
 * @param figure The figure.
 * @param fallback Text returned for an untitled figure.
 * @returns The title.
 */
export function figureTitle(figure: Figure, fallback = "figure"): string {
  return figure.layout.title?.text ?? fallback;
}
