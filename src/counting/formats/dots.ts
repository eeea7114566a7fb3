/**
 * Points from dot-annotation images: black images with one coloured dot per
 * object (VGG cells' and TRANCOS' red pixels, MBM, ADI's JPEG red dots).
 *
 * A pixel is a dot pixel when its value in `channel` is above `threshold`
 * and, with `othersBelow`, every other channel is below that. Two rules turn
 * dot pixels into points:
 *
 * - `"pixels"` (default): every dot pixel is one point at its centre. The
 *   rule of the reference loaders of VGG cells (`label[..., 0] > 0`), where
 *   touching dots are separate cells; points come in row-major order.
 * - `"components"`: every 8-connected (or 4-connected) group of dot pixels
 *   is one point at its centroid (the mean of its pixels' coordinates, as
 *   `scipy.ndimage.center_of_mass` of the binary mask); points come in the
 *   row-major order of each group's first pixel, as `scipy.ndimage.label`
 *   numbers them. Use it for JPEG-compressed dots, where compression may
 *   spread one dot over neighbouring pixels; note that it merges dots that
 *   touch (in ADI, 14 of 200 images have touching dot pixels: 31,001 groups
 *   for 31,017 dot pixels, whose per-pixel count is what `counts.csv` holds).
 *
 * Values are those of `readImageData`, in [0, 1]: ADI's rule "R > 128,
 * G < 100, B < 100" is `{threshold: 128 / 255, othersBelow: 100 / 255}`.
 *
 * @module
 */
import type { FloatImage } from "../../io/png16.ts";
import type { Points } from "../points.ts";

/** How dot pixels are found and turned into points. */
export interface DotsOptions {
  /** Channel holding the dots (default 0, red). */
  channel?: number;
  /** A dot pixel's value in `channel` is above this (default 0). */
  threshold?: number;
  /** When given, every other channel of a dot pixel must be below this (default: no condition). */
  othersBelow?: number;
  /** `"pixels"` (one point per dot pixel, default) or `"components"` (one per connected group). */
  rule?: "pixels" | "components";
  /** Connectivity of `"components"`: 8 (default) or 4. */
  connectivity?: 4 | 8;
}

/**
 * Finds the dot pixels of an image (see the module doc for the rule).
 *
 * @param image The dot image, float HWC in [0, 1].
 * @param options Channel and thresholds.
 * @returns A `height × width` mask, 1 at dot pixels.
 */
export function dotMask(image: FloatImage, options: DotsOptions = {}): Uint8Array {
  const [h, w, c] = image.shape;
  const channel = options.channel ?? 0;
  const threshold = options.threshold ?? 0;
  const others = options.othersBelow;
  if (!Number.isInteger(channel) || channel < 0 || channel >= c) {
    throw new RangeError(
      `channel must be an integer in [0, ${c - 1}] for a ${c}-channel image, got ${channel}`,
    );
  }
  if (!Number.isFinite(threshold)) {
    throw new RangeError(`threshold must be finite, got ${threshold}`);
  }
  if (others !== undefined && !Number.isFinite(others)) {
    throw new RangeError(`othersBelow must be finite, got ${others}`);
  }
  const mask = new Uint8Array(h * w);
  const data = image.data;
  for (let i = 0; i < h * w; i++) {
    if (data[i * c + channel] <= threshold) continue;
    let ok = true;
    if (others !== undefined) {
      for (let k = 0; k < c; k++) {
        if (k !== channel && data[i * c + k] >= others) ok = false;
      }
    }
    if (ok) mask[i] = 1;
  }
  return mask;
}

/**
 * Points from a dot image (see the module doc for the rules).
 *
 * @param image The dot image, float HWC in [0, 1] (from `readImageData`).
 * @param options Channel, thresholds and rule.
 * @returns The points (0-based pixel centres; centroids for `"components"`).
 * @example
 * ```ts
 * import { pointsFromDots } from "./dots.ts";
 * // a 2x3 red-dot image with two touching dots
 * const data = new Float32Array(2 * 3 * 3);
 * data[0] = 1; // (row 0, col 0)
 * data[3 * 4] = 1; // (row 1, col 1)
 * const image = { data, shape: [2, 3, 3] as [number, number, number] };
 * console.log(pointsFromDots(image).x.length); // 2
 * console.log(pointsFromDots(image, { rule: "components" }).x); // Float32Array [0.5]
 * ```
 */
export function pointsFromDots(image: FloatImage, options: DotsOptions = {}): Points {
  const rule = options.rule ?? "pixels";
  if (rule !== "pixels" && rule !== "components") {
    throw new RangeError(`rule must be "pixels" or "components", got ${JSON.stringify(rule)}`);
  }
  const connectivity = options.connectivity ?? 8;
  if (connectivity !== 4 && connectivity !== 8) {
    throw new RangeError(`connectivity must be 4 or 8, got ${connectivity}`);
  }
  const [h, w] = image.shape;
  const mask = dotMask(image, options);
  if (rule === "pixels") {
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < h * w; i++) {
      if (mask[i]) {
        xs.push(i % w);
        ys.push(Math.floor(i / w));
      }
    }
    return { x: Float32Array.from(xs), y: Float32Array.from(ys) };
  }
  return componentCentroids(mask, [h, w], connectivity);
}

/**
 * Centroids of the connected components of a binary mask, in the row-major
 * order of each component's first pixel (as `scipy.ndimage.label`).
 *
 * @param mask `height × width`, non-zero = foreground.
 * @param shape `[height, width]`.
 * @param connectivity 8 (default) or 4.
 * @returns One point per component.
 */
export function componentCentroids(
  mask: Uint8Array,
  shape: readonly [number, number],
  connectivity: 4 | 8 = 8,
): Points {
  const [h, w] = shape;
  const seen = new Uint8Array(h * w);
  const stack: number[] = [];
  const xs: number[] = [], ys: number[] = [];
  const offsets = connectivity === 8
    ? [[-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1]]
    : [[-1, 0], [0, -1], [0, 1], [1, 0]];
  for (let start = 0; start < h * w; start++) {
    if (!mask[start] || seen[start]) continue;
    seen[start] = 1;
    stack.push(start);
    let sx = 0, sy = 0, count = 0;
    while (stack.length > 0) {
      const p = stack.pop()!;
      const r = Math.floor(p / w), c = p % w;
      sx += c;
      sy += r;
      count++;
      for (const [dr, dc] of offsets) {
        const rr = r + dr, cc = c + dc;
        if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue;
        const q = rr * w + cc;
        if (mask[q] && !seen[q]) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    xs.push(sx / count);
    ys.push(sy / count);
  }
  return { x: Float32Array.from(xs), y: Float32Array.from(ys) };
}
