/**
 * Seeded training augmentations that move the image, its points, its ROI
 * mask and its target plane together: random crops and horizontal flips
 * (the thesis: random 128×128 crops in ch. 4; random flips and 256×256 or
 * 416×416 crops in ch. 5).
 *
 * Coordinates follow `points.ts` (pixel centres, 0-based): a crop at
 * `(top, left)` maps `x → x − left`, `y → y − top` and keeps the points
 * inside the crop (`-0.5 ≤ x < width − 0.5`); a horizontal flip of an image
 * of width W maps `x → W − 1 − x` and boxes `[x0, y0, x1, y1]` (end-exclusive)
 * to `[W − x1, y0, W − x0, y1]`. Boxes move with their points but are not
 * clipped to the crop, and sizes are kept: an object cut by the crop keeps
 * its true size. The target plane is cropped, not recomputed, so its sum
 * over a crop can differ from the crop's point count by the kernel mass
 * that crosses the crop's border (recompute it from the moved points for a
 * count-exact target: `targetOn: "crop"` in `CountingDataset.batches`).
 *
 * @module
 */
import type { Rng } from "../core/rng.ts";
import { assertNumber } from "../core/checks.ts";
import { type Points, pointsInside } from "./points.ts";
import type { CountingSample } from "./sample.ts";

/** A crop rectangle in pixels; it may extend past the image (the outside is zero-padded). */
export interface CropBox {
  /** First row. */
  top: number;
  /** First column. */
  left: number;
  /** Rows. */
  height: number;
  /** Columns. */
  width: number;
}

/**
 * Crops a sample (image, points, ROI, target). Parts of the box outside the
 * image are zeros in the image and target, and outside the ROI.
 *
 * @param sample The sample (not changed).
 * @param box The crop rectangle (integers).
 * @returns A new sample.
 */
export function cropSample(sample: CountingSample, box: CropBox): CountingSample {
  const { top, left, height, width } = box;
  for (const [k, v] of Object.entries(box)) assertNumber(v, `box.${k}`, { integer: true });
  assertNumber(height, "box.height", { min: 1 });
  assertNumber(width, "box.width", { min: 1 });
  const [h, w, c] = sample.shape;
  const image = new Float32Array(height * width * c);
  const roi = sample.roi ? new Uint8Array(height * width) : undefined;
  const target = sample.target ? new Float32Array(height * width) : undefined;
  const r0 = Math.max(0, top), r1 = Math.min(h, top + height);
  const c0 = Math.max(0, left), c1 = Math.min(w, left + width);
  for (let r = r0; r < r1; r++) {
    const src = (r * w + c0) * c, dst = ((r - top) * width + (c0 - left)) * c;
    image.set(sample.image.subarray(src, src + (c1 - c0) * c), dst);
    if (roi) {
      roi.set(sample.roi!.subarray(r * w + c0, r * w + c1), (r - top) * width + (c0 - left));
    }
    if (target) {
      target.set(sample.target!.subarray(r * w + c0, r * w + c1), (r - top) * width + (c0 - left));
    }
  }
  const moved = movePoints(sample.points, (x) => x - left, (y) => y - top, (b) => [
    b[0] - left,
    b[1] - top,
    b[2] - left,
    b[3] - top,
  ]);
  const out: CountingSample = {
    name: sample.name,
    image,
    shape: [height, width, c],
    points: pointsInside(moved, [height, width]),
  };
  if (roi) out.roi = roi;
  if (target) out.target = target;
  return out;
}

/**
 * Mirrors a sample left to right (image, points, boxes, ROI, target).
 *
 * @param sample The sample (not changed).
 * @returns A new sample.
 */
export function flipSample(sample: CountingSample): CountingSample {
  const [h, w, c] = sample.shape;
  const image = new Float32Array(sample.image.length);
  for (let r = 0; r < h; r++) {
    for (let col = 0; col < w; col++) {
      const src = (r * w + col) * c, dst = (r * w + (w - 1 - col)) * c;
      for (let k = 0; k < c; k++) image[dst + k] = sample.image[src + k];
    }
  }
  const flipPlane = <T extends Float32Array | Uint8Array>(plane: T, make: (n: number) => T): T => {
    const out = make(plane.length);
    for (let r = 0; r < h; r++) {
      for (let col = 0; col < w; col++) out[r * w + (w - 1 - col)] = plane[r * w + col];
    }
    return out;
  };
  const out: CountingSample = {
    name: sample.name,
    image,
    shape: [h, w, c],
    // x ↦ w − 1 − x maps [−0.5, w − 0.5) onto (−0.5, w − 0.5]: a point on the left edge (where
    // clamping puts points) would land just outside; keep it inside, as the clamp does.
    points: movePoints(sample.points, (x) => Math.min(w - 1 - x, w - 0.51), (y) => y, (b) => [
      w - b[2],
      b[1],
      w - b[0],
      b[3],
    ]),
  };
  if (sample.roi) out.roi = flipPlane(sample.roi, (n) => new Uint8Array(n));
  if (sample.target) out.target = flipPlane(sample.target, (n) => new Float32Array(n));
  return out;
}

/**
 * A random crop position: `top` uniform in `[0, h − height]`, `left` in
 * `[0, w − width]` (two draws of `rng`, top first). Where the image is
 * smaller than the crop, the crop starts at 0 and the rest is padding.
 *
 * @param shape The image's `[height, width]`.
 * @param size The crop's `[height, width]`.
 * @param rng The generator (advanced by two draws).
 * @returns The crop rectangle.
 */
export function randomCropBox(
  shape: readonly [number, number],
  size: readonly [number, number],
  rng: Rng,
): CropBox {
  const [h, w] = shape;
  const [ch, cw] = size;
  assertNumber(ch, "crop[0]", { min: 1, integer: true });
  assertNumber(cw, "crop[1]", { min: 1, integer: true });
  const top = rng.int(Math.max(0, h - ch) + 1);
  const left = rng.int(Math.max(0, w - cw) + 1);
  return { top, left, height: ch, width: cw };
}

/** Options of {@linkcode augmentSample}. */
export interface AugmentOptions {
  /** Random crop size `[height, width]` (default: no crop). */
  crop?: readonly [number, number];
  /** Flip left to right with probability 1/2 (default false). */
  flip?: boolean;
}

/**
 * A random crop, then a random horizontal flip, of a sample. The draws, in
 * order: crop top, crop left (when cropping), flip (when flipping: one
 * `rng.next() < 0.5`), so equal seeds give equal augmentations.
 *
 * @param sample The sample (not changed).
 * @param options Crop size and flip.
 * @param rng The generator.
 * @returns A new sample (or the same one when nothing is asked).
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { augmentSample } from "./augment.ts";
 * const sample = {
 *   name: "s",
 *   image: new Float32Array(4 * 6),
 *   shape: [4, 6, 1] as [number, number, number],
 *   points: { x: new Float32Array([0, 5]), y: new Float32Array([0, 3]) },
 * };
 * const out = augmentSample(sample, { crop: [2, 3], flip: true }, new Rng(1));
 * console.log(out.shape); // [2, 3, 1]
 * ```
 */
export function augmentSample(
  sample: CountingSample,
  options: AugmentOptions,
  rng: Rng,
): CountingSample {
  let out = sample;
  if (options.crop) {
    out = cropSample(out, randomCropBox([sample.shape[0], sample.shape[1]], options.crop, rng));
  }
  if (options.flip && rng.next() < 0.5) out = flipSample(out);
  return out;
}

function movePoints(
  p: Points,
  fx: (x: number) => number,
  fy: (y: number) => number,
  fb: (b: Float32Array) => number[],
): Points {
  const n = p.x.length;
  const out: Points = { x: new Float32Array(n), y: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    out.x[i] = fx(p.x[i]);
    out.y[i] = fy(p.y[i]);
  }
  if (p.sizes) out.sizes = p.sizes.slice();
  if (p.boxes) {
    out.boxes = new Float32Array(4 * n);
    for (let i = 0; i < n; i++) out.boxes.set(fb(p.boxes.subarray(4 * i, 4 * i + 4)), 4 * i);
  }
  return out;
}
