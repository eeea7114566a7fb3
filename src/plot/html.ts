/**
 * HTML pieces shared by notebook display, reports and PNG export: plotly.js
 * inlined as a script (no network, no RequireJS), one figure as a `<div>` with
 * the script that draws it, and escaping.
 *
 * @module
 */
import type { Figure } from "./figure.ts";

let plotlyCache: Promise<string> | undefined;

/**
 * The text of plotly.js (the `plotly.js-dist-min` package of the import map),
 * loaded once and cached. Works without a `node_modules` folder: Deno
 * resolves the package from its npm cache.
 *
 * @returns The minified plotly.js source.
 */
export function plotlySource(): Promise<string> {
  plotlyCache ??= import("plotly.js-dist-min", { with: { type: "text" } })
    .then((m) => m.default as string);
  return plotlyCache;
}

/**
 * A `<script>` element that defines `window.Plotly` from inlined source.
 * The source is wrapped so that a page with RequireJS (Jupyter's HTML
 * templates) does not capture plotly as an AMD module, and `</script` inside
 * it cannot end the element early.
 *
 * @param source The plotly.js text from {@linkcode plotlySource}.
 * @returns The script element.
 */
export function plotlyScriptTag(source: string): string {
  const safe = source.replace(/<\/(script)/gi, "<\\/$1");
  return `<script type="text/javascript">if (!window.Plotly) {(function (define, module, exports) {\n${safe}\n}).call(self);}</script>`;
}

let divCounter = 0;

/** Options of {@linkcode figureDiv}. */
export interface FigureDivOptions {
  /** Element id (default a fresh unique one). */
  id?: string;
  /** Let the plot follow its container's width (default `true` unless the layout fixes a width). */
  responsive?: boolean;
  /** Draw without the mode bar and interaction, as for a picture (default `false`). */
  staticPlot?: boolean;
}

/**
 * A `<div>` and the script that draws `figure` into it with `window.Plotly`.
 * When plotly.js is not on the page, the div says so instead of staying
 * blank.
 *
 * @param figure The figure.
 * @param options Element id and sizing.
 * @returns HTML text.
 */
export function figureDiv(figure: Figure, options: FigureDivOptions = {}): string {
  const id = options.id ??
    `pixelbias-plot-${Date.now().toString(36)}-${(divCounter++).toString(36)}`;
  const responsive = options.responsive ?? figure.layout.width === undefined;
  const height = figure.layout.height ?? 450;
  const config = { responsive, displaylogo: false, staticPlot: options.staticPlot ?? false };
  const missing = escapeHtml(
    "plotly.js is not loaded on this page; show the figure again with show(figure, {inlinePlotly: true})",
  );
  return `<div id="${
    escapeHtml(id)
  }" class="pixelbias-plot" style="min-height:${height}px"></div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `  var el = document.getElementById(${jsonForScript(id)});\n` +
    `  if (!window.Plotly) { el.textContent = ${jsonForScript(missing)}; return; }\n` +
    `  window.Plotly.newPlot(el, ${jsonForScript(figure.data)}, ${jsonForScript(figure.layout)}, ${
      jsonForScript(config)
    });\n` +
    `})();</script>`;
}

/**
 * JSON for embedding inside a `<script>` element: `<`, `>` and `&` are
 * escaped so that no string in the data can close the element.
 *
 * @param value Any JSON-serialisable value.
 * @returns JavaScript expression text.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @param text Any text.
 * @returns The escaped text.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
