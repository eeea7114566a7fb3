/**
 * Grids of images with titles as one plotly figure: each image is a plotly
 * `image` trace whose `source` is a PNG data URI, on its own pair of hidden
 * axes locked to square pixels. This renders the same in JupyterLab's plotly
 * renderer, VS Code, the HTML report and `toPng`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import type { Figure, PlotLayout, PlotTrace } from "./figure.ts";
import { encodePngPixels } from "../io/png.ts";
import { pngDataUri, toPixels8 } from "./png.ts";

/** One titled image of a grid. */
export interface TitledImage {
  /** HWC image in [0, 1] with 1 or 3 channels. */
  image: tf.Tensor3D;
  /** Caption drawn above the image. */
  title: string;
}

/** Options of {@linkcode imageGridFigure}. */
export interface ImageGridOptions {
  /** Images per row (default: all in one row, at most 4). */
  columns?: number;
  /** Figure title. */
  title?: string;
  /** Displayed width of one cell in CSS pixels (default 240). */
  cellWidth?: number;
}

/**
 * Builds a figure that shows images side by side with a title above each.
 *
 * @param images The images and their titles.
 * @param options Columns, title and cell size.
 * @returns The plotly figure (images embedded as PNG data URIs).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { imageGridFigure } from "./image_grid.ts";
 * await tf.setBackend("cpu");
 * const a = tf.zeros([8, 8, 3]) as tf.Tensor3D, b = tf.ones([8, 8, 1]) as tf.Tensor3D;
 * const fig = imageGridFigure([{ image: a, title: "black" }, { image: b, title: "white" }]);
 * if (fig.data.length !== 2 || fig.data[1].type !== "image") throw new Error("bad grid");
 * tf.dispose([a, b]);
 * ```
 */
export function imageGridFigure(
  images: readonly TitledImage[],
  options: ImageGridOptions = {},
): Figure {
  if (!Array.isArray(images) || images.length === 0) {
    throw new RangeError("images must be a non-empty array of {image, title}");
  }
  const columns = assertNumber(options.columns ?? Math.min(images.length, 4), "columns", {
    min: 1,
    integer: true,
  });
  const cellWidth = assertNumber(options.cellWidth ?? 240, "cellWidth", { min: 16 });
  const rows = Math.ceil(images.length / columns);
  const pixels = images.map((item, i) => toPixels8(item.image, `images[${i}].image`));
  // Cell height follows the tallest aspect ratio so that no image is squeezed.
  const aspect = Math.max(...pixels.map((p) => p.height / p.width));
  const titleSpace = 24;
  const cellHeight = cellWidth * aspect + titleSpace;
  const top = options.title ? 50 : 10;
  const margin = { l: 10, r: 10, t: top, b: 10 };
  const plotWidth = columns * cellWidth;
  const plotHeight = rows * cellHeight;
  const gapX = 6 / plotWidth;

  const data: PlotTrace[] = [];
  const layout: PlotLayout = {
    ...(options.title ? { title: { text: options.title } } : {}),
    width: plotWidth + margin.l + margin.r,
    height: Math.round(plotHeight + margin.t + margin.b),
    margin,
    showlegend: false,
    annotations: [],
  };
  pixels.forEach((p, i) => {
    const row = Math.floor(i / columns), col = i % columns;
    const suffix = i === 0 ? "" : String(i + 1);
    const x0 = col / columns + gapX, x1 = (col + 1) / columns - gapX;
    const yTop = 1 - (row * cellHeight + titleSpace) / plotHeight;
    const y0 = 1 - (row + 1) * cellHeight / plotHeight;
    data.push({
      type: "image",
      name: images[i].title,
      source: pngDataUri(encodePngPixels(p)),
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
      hoverinfo: "x+y",
    });
    layout[`xaxis${suffix}`] = {
      domain: [x0, x1],
      range: [-0.5, p.width - 0.5],
      visible: false,
      constrain: "domain",
    };
    layout[`yaxis${suffix}`] = {
      domain: [Math.max(0, y0), Math.min(1, yTop)],
      range: [p.height - 0.5, -0.5],
      visible: false,
      scaleanchor: `x${suffix}`,
      constrain: "domain",
    };
    layout.annotations!.push({
      text: images[i].title,
      xref: "paper",
      yref: "paper",
      x: (x0 + x1) / 2,
      y: yTop,
      xanchor: "center",
      yanchor: "bottom",
      showarrow: false,
      font: { size: 13 },
    });
  });
  return { data, layout };
}
