/**
 * The box (mean) filter in O(1) per pixel, the building block of every
 * guided filter in this folder.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, formatShape } from "../core/checks.ts";
import { hostBox } from "./_host.ts";
import { boxPlanes, fromPlanes, toPlanes } from "./_planar.ts";

/**
 * Mean over the `(2r+1) × (2r+1)` window around each pixel, computed with
 * cumulative sums along W and then H, so that the cost does not depend on
 * `radius`. At the borders the window is cut to the image and the sum is
 * divided by the number of pixels actually inside it, as in He et al.'s
 * reference code (`boxfilter(I, r) ./ boxfilter(ones, r)`).
 *
 * On the wasm and cpu backends (outside a gradient tape) the running sums
 * are float64 loops over the tensors' memory, in place (`_kernels.ts`):
 * exact to the float32 rounding of the output, about 2–3 ms per megapixel and
 * channel. Elsewhere (WebGPU, or while a gradient is recorded) tfjs ops do
 * it: float32 cumulative sums lose precision on large images, so each
 * channel is first centred on its mean (the filter commutes with adding a
 * constant) and the running sums stay near zero. Differentiable either way
 * (the tfjs ops: cumsum, slice, pad and transpose only).
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
    const x4 = (image.rank === 3 ? image.expandDims(0) : image).toFloat() as tf.Tensor4D;
    const out = (radius > 0 ? hostBox(x4, radius) : null) ??
      fromPlanes(boxPlanes(toPlanes(x4), radius));
    return (image.rank === 3 ? out.squeeze([0]) : out) as T;
  });
}
