/**
 * The density kernel of `count train`, chosen for someone who does not want
 * to know about kernels: by default one fixed σ for every object, equal to
 * the median σ the geometry-adaptive rule would give on the training images
 * (0.3 × the mean distance to the 3 nearest other objects), kept between 1
 * and 8 pixels. For cells of similar size that touch or nearly touch, this
 * is about a quarter of a cell's diameter, the width at which a blob of
 * radius 2σ covers the cell; the clamp keeps sparse images (few objects far
 * apart) from getting blobs much wider than any cell.
 *
 * @module
 */
import type { DensityOptions } from "../counting/density.ts";
import type { Points } from "../counting/points.ts";
import { kernelSigmas } from "../counting/sigma.ts";

/** The kernels `count train` offers (the core's `"boxes"` needs object sizes, which points lack). */
export type TrainKernel = "fixed" | "adaptive" | "nonuniform";

/** Every {@linkcode TrainKernel}. */
export const TRAIN_KERNELS: readonly TrainKernel[] = ["fixed", "adaptive", "nonuniform"];

/** Bounds of the automatic σ, in pixels. */
export const AUTO_SIGMA_RANGE = [1, 8] as const;

/**
 * The automatic fixed σ of a set of annotated images (see the module doc).
 *
 * @param images Points and `[height, width]` of each training image.
 * @returns σ in pixels, and how many objects it was measured on (0: no image
 *   had two objects, and σ is the core's default 4).
 * @example
 * ```ts
 * import { autoSigma } from "./kernel.ts";
 * // a grid of objects 10 px apart: 3 nearest at 10, 10, 10 → σ = 3
 * const pts: [number, number][] = [];
 * for (let y = 5; y < 100; y += 10) for (let x = 5; x < 100; x += 10) pts.push([x, y]);
 * const x = Float32Array.from(pts, (p) => p[0]), y = Float32Array.from(pts, (p) => p[1]);
 * console.log(autoSigma([{ points: { x, y }, shape: [100, 100] }]).sigma.toFixed(1)); // "3.0"
 * ```
 */
export function autoSigma(
  images: readonly { points: Points; shape: readonly [number, number] }[],
): { sigma: number; objects: number } {
  const all: number[] = [];
  for (const { points, shape } of images) {
    if (points.x.length < 2) continue; // a lone object's σ says nothing about size
    const s = kernelSigmas(points, [shape[0], shape[1]], { kernel: "adaptive" });
    for (const v of s) all.push(v);
  }
  if (all.length === 0) return { sigma: 4, objects: 0 };
  all.sort((a, b) => a - b);
  const mid = all.length >> 1;
  const median = all.length % 2 ? all[mid] : (all[mid - 1] + all[mid]) / 2;
  const [lo, hi] = AUTO_SIGMA_RANGE;
  return { sigma: Math.min(hi, Math.max(lo, median)), objects: all.length };
}

/**
 * The density options for a kernel choice.
 *
 * @param kernel The kernel.
 * @param sigma σ for `"fixed"`, in pixels.
 * @returns Options for `densityMapData` / `fitCounter`.
 */
export function densityOptions(kernel: TrainKernel, sigma: number): DensityOptions {
  if (kernel === "fixed") return { kernel, sigma: Math.round(sigma * 100) / 100 };
  return { kernel };
}

/**
 * A kernel in words, for reports and logs.
 *
 * @param density The options.
 * @returns E.g. `fixed Gaussian, σ = 3.2 px`.
 */
export function describeKernel(density: DensityOptions | undefined): string {
  const k = density?.kernel ?? "adaptive";
  if (k === "fixed") return `fixed Gaussian, σ = ${density?.sigma ?? 4} px`;
  if (k === "adaptive") return "geometry-adaptive (σ = 0.3 × mean distance to 3 nearest)";
  if (k === "nonuniform") return "non-uniform (thesis eq. 4.7, k = 5, β = 0.3)";
  return k;
}
