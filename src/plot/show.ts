/**
 * Display of figures and images in Jupyter notebooks run by Deno's kernel.
 *
 * `show(figure)` returns an object that the kernel displays (it implements
 * `Symbol.for("Jupyter.display")`) with two representations: the plotly mime
 * type, which JupyterLab and VS Code draw interactively, and a `text/html`
 * fallback, which nbconvert's HTML export uses. The first fallback of a kernel
 * session inlines plotly.js (about 4.5 MB) so that the exported HTML works
 * offline; later ones reuse it.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import { assertFigure, type Figure, figureTitle } from "./figure.ts";
import { escapeHtml, figureDiv, plotlyScriptTag, plotlySource } from "./html.ts";
import type { TitledImage } from "./image_grid.ts";
import { encodePngPixels } from "../io/png.ts";
import { pngDataUri, toPixels8 } from "./png.ts";

/** The key Deno's Jupyter kernel looks up to display an object. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display");

/** A Jupyter mime bundle: mime type → content. */
export type MimeBundle = Record<string, unknown>;

/** An object that Deno's Jupyter kernel knows how to display. */
export interface Displayable {
  /** Returns the mime bundle to display. */
  [JUPYTER_DISPLAY](): Promise<MimeBundle>;
}

/** Options of {@linkcode show}. */
export interface ShowOptions {
  /**
   * Inline plotly.js into the `text/html` fallback. Default: only for the
   * first figure shown in this kernel session. Pass `true` after clearing
   * the notebook's outputs.
   */
  inlinePlotly?: boolean;
}

let plotlyInlined = false;

/**
 * Makes a figure displayable in a notebook: end a cell with `show(fig)`, or
 * call `await Deno.jupyter.display(show(fig))`.
 *
 * @param figure The plotly figure.
 * @param options Whether to inline plotly.js.
 * @returns A displayable object.
 * @example
 * ```ts
 * import { lineFigure } from "./line.ts";
 * import { JUPYTER_DISPLAY, show } from "./show.ts";
 * const fig = lineFigure({ series: [{ name: "a", x: [0, 1], y: [1, 2] }] });
 * const bundle = await show(fig, { inlinePlotly: false })[JUPYTER_DISPLAY]();
 * if (!("application/vnd.plotly.v1+json" in bundle)) throw new Error("no plotly mime");
 * ```
 */
export function show(figure: Figure, options: ShowOptions = {}): Displayable {
  assertFigure(figure, "figure");
  // Snapshot now: the caller may change the figure object afterwards.
  const spec = JSON.parse(JSON.stringify(figure)) as Figure;
  return {
    async [JUPYTER_DISPLAY]() {
      const inline = options.inlinePlotly ?? !plotlyInlined;
      let html = figureDiv(spec);
      if (inline) {
        html = plotlyScriptTag(await plotlySource()) + "\n" + html;
        plotlyInlined = true;
      }
      return {
        "application/vnd.plotly.v1+json": spec,
        "text/html": html,
        "text/plain": `<plotly figure: ${figureTitle(spec)}>`,
      };
    },
  };
}

/** Options of {@linkcode showImages}. */
export interface ShowImagesOptions {
  /** Captions, one per image, for images given as bare tensors. */
  titles?: readonly string[];
  /** Displayed width of each image in CSS pixels (default: natural size, at least 160). */
  width?: number;
  /** A heading above the images. */
  title?: string;
}

/**
 * Shows images side by side with captions, as plain `<img>` tags with PNG
 * data URIs (the most portable notebook output). Pixels are read when this
 * is called, so the tensors may be disposed right after.
 *
 * @param images Tensors (with `options.titles`) or `{image, title}` pairs.
 * @param options Captions, display width and heading.
 * @returns A displayable object.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { JUPYTER_DISPLAY, showImages } from "./show.ts";
 * await tf.setBackend("cpu");
 * const img = tf.ones([4, 4, 3]) as tf.Tensor3D;
 * const shown = showImages([img], { titles: ["white"] });
 * img.dispose();
 * const bundle = await shown[JUPYTER_DISPLAY]();
 * if (!String(bundle["text/html"]).includes("<img")) throw new Error("no image");
 * ```
 */
export function showImages(
  images: readonly (tf.Tensor3D | TitledImage)[],
  options: ShowImagesOptions = {},
): Displayable {
  const html = imagesHtml(images, options);
  const count = images.length;
  return {
    [JUPYTER_DISPLAY]() {
      return Promise.resolve({ "text/html": html, "text/plain": `<${count} image(s)>` });
    },
  };
}

/**
 * The HTML of {@linkcode showImages}: a wrapping row of captioned images.
 *
 * @param images Tensors (with `options.titles`) or `{image, title}` pairs.
 * @param options Captions, display width and heading.
 * @returns HTML text.
 */
export function imagesHtml(
  images: readonly (tf.Tensor3D | TitledImage)[],
  options: ShowImagesOptions = {},
): string {
  if (!Array.isArray(images) || images.length === 0) {
    throw new RangeError("images must be a non-empty array");
  }
  const { titles } = options;
  if (titles !== undefined && titles.length !== images.length) {
    throw new RangeError(
      `titles must have one entry per image: expected ${images.length}, got ${titles.length}`,
    );
  }
  if (options.width !== undefined) assertNumber(options.width, "width", { min: 1 });
  const items = images.map((item, i) => {
    const titled = "image" in item && "title" in item;
    const image = titled ? (item as TitledImage).image : item as tf.Tensor3D;
    const caption = titled ? (item as TitledImage).title : titles?.[i] ?? "";
    const pixels = toPixels8(image, `images[${i}]`);
    const width = options.width ?? Math.max(160, pixels.width);
    const uri = pngDataUri(encodePngPixels(pixels));
    const label = `${pixels.height}×${pixels.width}${pixels.channels === 1 ? " gray" : ""}`;
    return `<figure style="margin:0 12px 12px 0;text-align:center">` +
      `<img src="${uri}" width="${Math.round(width)}" alt="${
        escapeHtml(caption || label)
      }" title="${label}" ` +
      `style="image-rendering:${width > 2 * pixels.width ? "pixelated" : "auto"};display:block">` +
      `<figcaption style="font:13px sans-serif;margin-top:4px">${
        escapeHtml(caption)
      }</figcaption></figure>`;
  });
  const heading = options.title
    ? `<div style="font:bold 14px sans-serif;margin-bottom:6px">${escapeHtml(options.title)}</div>`
    : "";
  return `<div class="pixelbias-images">${heading}<div style="display:flex;flex-wrap:wrap;align-items:flex-start">${
    items.join("")
  }</div></div>`;
}
