/**
 * Inpainting masks of chapter 2: a seeded Bernoulli mask that drops a
 * fraction of the pixels (50% in the thesis, after the DIP) and a central
 * region mask with a given hole-to-image area ratio (0.1, 0.25, 0.5). Masks
 * are float32 HWC tensors holding 1 where a pixel is known and 0 where it is
 * missing, so that the inpainting operator is `x ⊙ m`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf } from "../../core/checks.ts";
import { Rng } from "../../core/rng.ts";

/** Options of {@linkcode bernoulliMask}. */
export interface BernoulliMaskOptions {
  /** Seed of the draw (required: masks must be reproducible). */
  seed: number;
  /** Probability that a pixel is dropped, in (0, 1). Default 0.5. */
  dropRate?: number;
  /**
   * Draw each channel independently (what DIP's `get_bernoulli_mask` does on
   * a C×H×W array) instead of dropping whole pixels in all channels (default
   * `false`: a pixel is either known or missing, as the thesis describes).
   */
  perChannel?: boolean;
}

/** Checks an `[H, W, C]` mask shape. */
function checkShape(shape: readonly number[]): [number, number, number] {
  if (!Array.isArray(shape) || shape.length !== 3) {
    throw new RangeError(`shape must be [height, width, channels], got ${JSON.stringify(shape)}`);
  }
  shape.forEach((d, i) => assertNumber(d, `shape[${i}]`, { min: 1, integer: true }));
  return [shape[0], shape[1], shape[2]];
}

/**
 * A seeded Bernoulli mask: each pixel (or each pixel and channel, with
 * `perChannel`) is missing (0) with probability `dropRate`.
 *
 * @param shape `[H, W, C]` of the image the mask is for.
 * @param options Seed, drop rate (default 0.5), per-channel draw.
 * @returns A float32 `[H, W, C]` tensor of 0s and 1s.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { bernoulliMask } from "./masks.ts";
 * await tf.setBackend("cpu");
 * const m = bernoulliMask([32, 32, 3], { seed: 1 });
 * const kept = m.mean().dataSync()[0]; // about 0.5
 * if (kept < 0.4 || kept > 0.6) throw new Error("unexpected fraction");
 * m.dispose();
 * ```
 */
export function bernoulliMask(
  shape: readonly number[],
  options: BernoulliMaskOptions,
): tf.Tensor3D {
  const [h, w, c] = checkShape(shape);
  assertNumber(options?.seed, "seed", { integer: true });
  const drop = assertNumber(options.dropRate ?? 0.5, "dropRate", {
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
  });
  const rng = new Rng(options.seed);
  const out = new Float32Array(h * w * c);
  if (options.perChannel) {
    for (let i = 0; i < out.length; i++) out[i] = rng.next() < drop ? 0 : 1;
  } else {
    for (let p = 0; p < h * w; p++) {
      const v = rng.next() < drop ? 0 : 1;
      for (let k = 0; k < c; k++) out[p * c + k] = v;
    }
  }
  return tf.tensor3d(out, [h, w, c], "float32");
}

/** Shape of the hole of {@linkcode regionMask}. */
export type RegionShape = "square" | "rect";

/** Options of {@linkcode regionMask}. */
export interface RegionMaskOptions {
  /** Hole-to-image area ratio, in (0, 1); the thesis uses 0.1, 0.25 and 0.5. */
  ratio: number;
  /**
   * `"square"` (default): a centred square of side `round(√(ratio·H·W))`, the
   * central hole of Pathak et al.'s context encoders (64×64 in 128×128 is
   * ratio 0.25); `"rect"`: a centred rectangle with the image's aspect ratio,
   * sides `round(H·√ratio)` × `round(W·√ratio)`.
   */
  shape?: RegionShape;
}

/** The hole of a region mask, in pixels. */
export interface RegionBox {
  /** First missing row. */
  top: number;
  /** First missing column. */
  left: number;
  /** Number of missing rows. */
  height: number;
  /** Number of missing columns. */
  width: number;
}

/**
 * The hole that {@linkcode regionMask} cuts: centred (offset rounded down when
 * the margin is odd), sides rounded to the nearest pixel.
 *
 * @param height Image height.
 * @param width Image width.
 * @param options Ratio and hole shape.
 * @returns The box of missing pixels.
 */
export function regionBox(height: number, width: number, options: RegionMaskOptions): RegionBox {
  assertNumber(height, "height", { min: 1, integer: true });
  assertNumber(width, "width", { min: 1, integer: true });
  const ratio = assertNumber(options?.ratio, "ratio", {
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
  });
  const shape = assertOneOf(options.shape ?? "square", ["square", "rect"], "shape");
  let bh: number, bw: number;
  if (shape === "square") {
    bh = bw = Math.round(Math.sqrt(ratio * height * width));
    if (bh > Math.min(height, width)) {
      throw new RangeError(
        `ratio ${ratio} needs a ${bh}×${bh} square hole, larger than the ${height}×${width} image; ` +
          `use shape "rect"`,
      );
    }
  } else {
    bh = Math.round(height * Math.sqrt(ratio));
    bw = Math.round(width * Math.sqrt(ratio));
  }
  if (bh < 1 || bw < 1) {
    throw new RangeError(`ratio ${ratio} leaves no hole in a ${height}×${width} image`);
  }
  return {
    top: Math.floor((height - bh) / 2),
    left: Math.floor((width - bw) / 2),
    height: bh,
    width: bw,
  };
}

/**
 * A central region mask: 0 inside a centred hole of the given area ratio,
 * 1 elsewhere, the same in every channel.
 *
 * @param shape `[H, W, C]` of the image the mask is for.
 * @param options Ratio and hole shape (default `"square"`).
 * @returns A float32 `[H, W, C]` tensor of 0s and 1s.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { regionMask } from "./masks.ts";
 * await tf.setBackend("cpu");
 * const m = regionMask([128, 128, 1], { ratio: 0.25 }); // a 64×64 central hole
 * if (m.sum().dataSync()[0] !== 128 * 128 - 64 * 64) throw new Error("unexpected hole");
 * m.dispose();
 * ```
 */
export function regionMask(shape: readonly number[], options: RegionMaskOptions): tf.Tensor3D {
  const [h, w, c] = checkShape(shape);
  const box = regionBox(h, w, options);
  const out = new Float32Array(h * w * c).fill(1);
  for (let y = box.top; y < box.top + box.height; y++) {
    out.fill(0, (y * w + box.left) * c, (y * w + box.left + box.width) * c);
  }
  return tf.tensor3d(out, [h, w, c], "float32");
}
