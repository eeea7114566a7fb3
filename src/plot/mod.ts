/**
 * Plots for notebooks and reports: plotly figure builders (lines, heatmaps,
 * image grids, grouped bars), notebook display, self-contained HTML reports
 * and PNG export through headless Chromium.
 *
 * @module
 */
export * from "./figure.ts";
export * from "./line.ts";
export * from "./heatmap.ts";
export * from "./image_grid.ts";
export * from "./bar.ts";
export { imageDataUri, imagePng } from "./png.ts";
export { JUPYTER_DISPLAY, show, showImages } from "./show.ts";
export type { Displayable, MimeBundle, ShowImagesOptions, ShowOptions } from "./show.ts";
export { reportHtml, writeReport } from "./report.ts";
export type { Report, ReportSection, ReportTable } from "./report.ts";
export { findChromium, toPng } from "./to_png.ts";
export type { ToPngOptions } from "./to_png.ts";
