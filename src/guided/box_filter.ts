/**
 * The box (mean) filter in O(1) per pixel, the building block of every
 * guided filter in this folder.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, formatShape } from "../core/checks.ts";

/**
 * Mean over the `(2r+1) × (2r+1)` window around each pixel, computed with
 * cumulative sums along H and then W, so that the cost does not depend on
 * `radius`. At the borders the window is cut to the image and the sum is
 * divided by the number of pixels actually inside it, as in He et al.'s
 * reference code (`boxfilter(I, r) ./ boxfilter(ones, r)`).
 *
 * Float32 cumulative sums lose precision on large images, so each channel is
 * first centred on its mean (the filter commutes with adding a constant):
 * the running sums then stay near zero instead of growing with the image
 * size. The function is differentiable (cumsum, slice, concat and pad only).
 *
 * @param image An HWC image `[H, W, C]` or an NHWC batch `[N, H, W, C]`, any C.
 * @param radius Window radius r ≥ 0 (integer); 0 returns a copy.
 * @returns The filtered tensor, same shape as `image`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { boxFilter } from "./box_filter.ts";
 * await tf.setBackend("cpu");
 * const x = tf.tensor3d([0, 0, 3, 3], [1, 4, 1]);
 * const y = boxFilter(x, 1); // windows [0,0], [0,0,3], [0,3,3], [3,3]
 * assertEquals(Array.from(y.dataSync()).map(Math.round), [0, 1, 2, 3]);
 * ```
 */
export function boxFilter<T extends tf.Tensor3D | tf.Tensor4D>(image: T, radius: number): T {
  if (!(image instanceof tf.Tensor) || (image.rank !== 3 && image.rank !== 4)) {
    throw new RangeError(
      `image must be an HWC [H, W, C] or NHWC [N, H, W, C] tensor, got ${
        image instanceof tf.Tensor ? `shape ${formatShape(image.shape)}` : typeof image
      }`,
    );
  }
  assertNumber(radius, "radius", { min: 0, integer: true });
  return tf.tidy(() => {
    const x4 = (image.rank === 3 ? image.expandDims(0) : image) as tf.Tensor4D;
    const x = x4.dtype === "float32" ? x4 : x4.toFloat();
    const mean = x.mean([1, 2], true);
    // Running sums along the last axis only: tfjs's cumsum gradient is wrong
    // for other axes. [N, H, W, C] -> [N, C, W, H] -> [N, C, H, W] -> back.
    const alongH = windowMean(tf.sub(x, mean).transpose([0, 3, 2, 1]), radius);
    const both = windowMean(alongH.transpose([0, 1, 3, 2]), radius);
    const out = tf.add(both.transpose([0, 2, 3, 1]), mean);
    return (image.rank === 3 ? out.squeeze([0]) : out) as T;
  });
}

/**
 * Window mean along the last axis of a rank-4 tensor.
 *
 * With the inclusive cumulative sum c, the sum over [i−r, i+r] ∩ [0, n) is
 * c[min(i+r, n−1)] − c[i−r−1] (the second term 0 when i−r−1 < 0).
 */
function windowMean(x: tf.Tensor, r: number): tf.Tensor4D {
  const shape = x.shape as [number, number, number, number];
  const n = shape[3];
  if (r === 0) return x.clone() as tf.Tensor4D;
  const c = tf.cumsum(x, 3);
  const last = tf.slice(c, [0, 0, 0, n - 1], [-1, -1, -1, 1]);
  // hi[i] = c[min(i + r, n − 1)]
  const hi = r >= n - 1 ? tf.broadcastTo(last, shape) : tf.concat([
    tf.slice(c, [0, 0, 0, r], [-1, -1, -1, n - r]),
    tf.broadcastTo(last, [shape[0], shape[1], shape[2], r]),
  ], 3);
  // lo[i] = c[i − r − 1] for i ≥ r + 1, else 0
  const sum = r + 1 >= n ? hi : tf.sub(
    hi,
    tf.pad(tf.slice(c, [0, 0, 0, 0], [-1, -1, -1, n - r - 1]), [[0, 0], [0, 0], [0, 0], [
      r + 1,
      0,
    ]]),
  );
  const inverseCounts = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    inverseCounts[i] = 1 / (Math.min(i + r, n - 1) - Math.max(i - r, 0) + 1);
  }
  return tf.mul(sum, tf.tensor1d(inverseCounts)) as tf.Tensor4D;
}
