/**
 * Running a learned guided filter on whole images (tiled, so that large
 * images fit in memory) and scoring outputs with masked RMSE, PSNR and SSIM.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertSameShape } from "../core/checks.ts";
import { psnr, rmse, ssimMap } from "../metrics/mod.ts";
import type { GuidedNetwork } from "./guided_network.ts";
import type { GuidedSample } from "./tasks.ts";

/** Options of {@linkcode filterImage}. */
export interface FilterImageOptions {
  /** Which output (1-based; default the last). */
  output?: number;
  /** Tile side in pixels (default 256). */
  tile?: number;
  /**
   * Context added around each tile, at least the network's receptive radius
   * (default 80: the successive network with L = 4 sees 4·15 + 8 pixels), so
   * that the tiled result equals the whole-image one.
   */
  margin?: number;
}

/**
 * Runs a network on one image, tile by tile. A guide or target with fewer
 * channels than the network's target (a 1-channel network on a colour
 * target) is filtered channel by channel, as the thesis does for
 * cross-modality filtering.
 *
 * @param net The network.
 * @param guide `[H, W, Cg]`.
 * @param target `[H, W, Ct]` (Ct a multiple of the network's).
 * @param options Output index, tile size and margin.
 * @returns The filtered image `[H, W, Ct]`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { createSuccessiveNetwork } from "./successive_network.ts";
 * import { filterImage } from "./evaluate.ts";
 * await tf.setBackend("cpu");
 * const net = createSuccessiveNetwork({ blocks: 1, width: 4 });
 * const g = tf.randomUniform([20, 30, 1]) as tf.Tensor3D;
 * assertEquals(filterImage(net, g, g, { tile: 16, margin: 8 }).shape, [20, 30, 1]);
 * net.dispose();
 * ```
 */
export function filterImage(
  net: GuidedNetwork,
  guide: tf.Tensor3D,
  target: tf.Tensor3D,
  options: FilterImageOptions = {},
): tf.Tensor3D {
  const output = assertNumber(options.output ?? net.outputs, "output", {
    min: 1,
    max: net.outputs,
    integer: true,
  });
  const tile = assertNumber(options.tile ?? 256, "tile", { min: 8, integer: true });
  const margin = assertNumber(options.margin ?? 80, "margin", { min: 0, integer: true });
  const ct = target.shape[2];
  if (ct !== net.targetChannels) {
    if (ct % net.targetChannels !== 0) {
      throw new RangeError(
        `target has ${ct} channels; ${net.name} filters ${net.targetChannels} at a time`,
      );
    }
    return tf.tidy(() => {
      const parts = tf.split(target, ct / net.targetChannels, 2) as tf.Tensor3D[];
      return tf.concat(parts.map((p) => filterImage(net, guide, p, options)), 2) as tf.Tensor3D;
    });
  }
  const [h, w] = target.shape;
  return tf.tidy(() => {
    const rows: tf.Tensor3D[] = [];
    for (let y = 0; y < h; y += tile) {
      const cols: tf.Tensor3D[] = [];
      for (let x = 0; x < w; x += tile) {
        const th = Math.min(tile, h - y), tw = Math.min(tile, w - x);
        const y0 = Math.max(0, y - margin), x0 = Math.max(0, x - margin);
        const y1 = Math.min(h, y + th + margin), x1 = Math.min(w, x + tw + margin);
        const crop = (t: tf.Tensor3D) =>
          tf.slice(t, [y0, x0, 0], [y1 - y0, x1 - x0, -1]).expandDims(0) as tf.Tensor4D;
        const outs = net.forward(crop(guide), crop(target), output);
        const out = outs[output - 1];
        cols.push(tf.slice(out, [0, y - y0, x - x0, 0], [1, th, tw, -1]).squeeze([0]));
        tf.dispose(outs);
      }
      rows.push(tf.concat(cols, 1));
    }
    return tf.concat(rows, 0) as tf.Tensor3D;
  });
}

/** Scores of one output against the truth. */
export interface FilterScores {
  /** Root mean squared error on the scale `valueScale` (e.g. 255 for disparity, 1000 for cm). */
  rmse: number;
  /** PSNR in dB for values in [0, 1]. */
  psnr: number;
  /** Mean SSIM (Gaussian window σ 1.5, population covariances as Wang et al.). */
  ssim: number;
}

/**
 * Scores an output against a sample's truth, counting only the pixels of
 * the sample's mask (invalid depth is excluded from every metric).
 *
 * @param output `[H, W, Ct]`.
 * @param sample The sample (its `truth` and `mask`).
 * @param options `valueScale`: RMSE is multiplied by it (default 1).
 * @returns RMSE, PSNR and SSIM.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertAlmostEquals } from "@std/assert";
 * import { scoreOutput } from "./evaluate.ts";
 * await tf.setBackend("cpu");
 * const truth = tf.fill([16, 16, 1], 0.5) as tf.Tensor3D;
 * const out = tf.fill([16, 16, 1], 0.6) as tf.Tensor3D;
 * const s = scoreOutput(out, { guide: truth, target: truth, truth }, { valueScale: 255 });
 * assertAlmostEquals(s.rmse, 25.5, 1e-3);
 * ```
 */
export function scoreOutput(
  output: tf.Tensor3D,
  sample: GuidedSample,
  options: { valueScale?: number } = {},
): FilterScores {
  const scale = assertNumber(options.valueScale ?? 1, "valueScale", { min: 0, minExclusive: true });
  assertSameShape(sample.truth, output, ["truth", "output"]);
  const mask = sample.mask;
  const map = ssimMap(sample.truth, output, { useSampleCovariance: false });
  const ssimValue = tf.tidy(() => {
    if (mask === undefined) return map.mean().dataSync()[0];
    const [mh, mw] = map.shape;
    const oy = (output.shape[0] - mh) / 2, ox = (output.shape[1] - mw) / 2;
    const m = tf.slice(mask, [oy, ox, 0], [mh, mw, 1]);
    return tf.sum(tf.mul(map, m)).dataSync()[0] / (tf.sum(m).dataSync()[0] * map.shape[2]);
  });
  map.dispose();
  return {
    rmse: rmse(sample.truth, output, { mask }) * scale,
    psnr: psnr(sample.truth, output, { mask }),
    ssim: ssimValue,
  };
}
