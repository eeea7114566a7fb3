/**
 * The low-pass filters F_L of unsharp masking (thesis eq. 3.10, 3.15): a box
 * filter cascaded n times, or a Gaussian filter.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertOneOf, describe, formatShape } from "../core/checks.ts";
import { hostBox, hostKernelsActive } from "./_host.ts";
import { boxPlanes, fromPlanes, gaussianPlanes, type Planes, toPlanes } from "./_planar.ts";

/** A box mean filter of radius r applied `times` times in a row. */
export interface BoxLowPass {
  /** Discriminant. */
  kind: "box";
  /** Radius (integer ≥ 0). Default: the guided filter's radius where there is one, else 8. */
  radius?: number;
  /** Number of cascaded box filters (integer ≥ 1). Default 2. */
  times?: number;
}

/** A Gaussian filter. */
export interface GaussianLowPass {
  /** Discriminant. */
  kind: "gaussian";
  /** Standard deviation in pixels (> 0). */
  sigma: number;
  /** Kernel half-width in standard deviations (radius ⌊truncate·σ + ½⌋, as SciPy). Default 4. */
  truncate?: number;
}

/** The low-pass filter F_L: a typed union on `kind`. */
export type LowPass = BoxLowPass | GaussianLowPass;

/**
 * Gaussian filter with zero padding, normalised by the same filter of ones,
 * so that at the borders the weights are those of the pixels inside the
 * image (the Gaussian analogue of {@linkcode boxFilter}'s border rule).
 * Separable; each channel is filtered as its own image so that the gradient
 * needs only `conv2d`'s input gradient (available on every backend).
 *
 * @param image `[H, W, C]` or `[N, H, W, C]`.
 * @param sigma Standard deviation in pixels (> 0).
 * @param options Kernel truncation.
 * @returns The filtered tensor, same shape.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertAlmostEquals } from "@std/assert";
 * import { gaussianFilter } from "./low_pass.ts";
 * await tf.setBackend("cpu");
 * const x = tf.ones([9, 9, 1]) as tf.Tensor3D;
 * const y = gaussianFilter(x, 2); // still all ones, borders included
 * assertAlmostEquals(y.min().dataSync()[0], 1, 1e-6);
 * ```
 */
export function gaussianFilter<T extends tf.Tensor3D | tf.Tensor4D>(
  image: T,
  sigma: number,
  options: { truncate?: number } = {},
): T {
  checkImage(image);
  assertNumber(sigma, "sigma", { min: 0, minExclusive: true });
  const truncate = assertNumber(options.truncate ?? 4, "truncate", { min: 0, minExclusive: true });
  return tf.tidy(() => {
    const x = (image.rank === 3 ? image.expandDims(0) : image).toFloat() as tf.Tensor4D;
    const y = fromPlanes(gaussianPlanes(toPlanes(x), sigma, truncate));
    return (image.rank === 3 ? y.squeeze([0]) : y) as T;
  });
}

/**
 * Applies a low-pass filter F_L.
 *
 * @param image `[H, W, C]` or `[N, H, W, C]`.
 * @param lowPass Which filter; a box filter's radius defaults to `defaultRadius`.
 * @param defaultRadius Radius of a box filter that gives none (default 8).
 * @returns F_L(image), same shape.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { lowPassFilter } from "./low_pass.ts";
 * await tf.setBackend("cpu");
 * const x = tf.randomUniform([16, 16, 1], 0, 1, "float32", 3) as tf.Tensor3D;
 * const smooth = lowPassFilter(x, { kind: "box", radius: 2, times: 2 });
 * assertEquals(smooth.shape, [16, 16, 1]);
 * ```
 */
export function lowPassFilter<T extends tf.Tensor3D | tf.Tensor4D>(
  image: T,
  lowPass: LowPass,
  defaultRadius = 8,
): T {
  checkImage(image);
  checkLowPass(lowPass);
  return tf.tidy(() => {
    const x = (image.rank === 3 ? image.expandDims(0) : image).toFloat() as tf.Tensor4D;
    const y = lowPassBatch(x, lowPass, defaultRadius);
    return (image.rank === 3 ? y.squeeze([0]) : y) as T;
  });
}

/**
 * {@linkcode lowPassFilter} on an NHWC batch, inside `tf.tidy`: box filters
 * run on the host where they can (`_host.ts`, no transposes), the rest on
 * planes.
 *
 * @param x `[N, H, W, C]` float32.
 * @param lowPass Which filter (checked).
 * @param defaultRadius Radius of a box filter that gives none.
 * @returns `[N, H, W, C]`.
 */
export function lowPassBatch(x: tf.Tensor4D, lowPass: LowPass, defaultRadius: number): tf.Tensor4D {
  checkLowPass(lowPass);
  if (lowPass.kind === "box" && hostKernelsActive()) {
    const { radius, times } = boxSettings(lowPass, defaultRadius);
    let y: tf.Tensor4D | null = radius === 0 ? x.clone() : x;
    for (let i = 0; i < times && y !== null && radius > 0; i++) y = hostBox(y, radius);
    if (y !== null) return y;
  }
  return fromPlanes(lowPassPlanes(toPlanes(x), lowPass, defaultRadius));
}

function boxSettings(lowPass: BoxLowPass, defaultRadius: number) {
  const radius = assertNumber(lowPass.radius ?? defaultRadius, "lowPass.radius", {
    min: 0,
    integer: true,
  });
  const times = assertNumber(lowPass.times ?? 2, "lowPass.times", { min: 1, integer: true });
  return { radius, times };
}

/**
 * {@linkcode lowPassFilter} on planes `[K, N, H, W]`, inside `tf.tidy`.
 *
 * @param x Planes.
 * @param lowPass Which filter (checked).
 * @param defaultRadius Radius of a box filter that gives none.
 * @returns Planes, same shape.
 */
export function lowPassPlanes(x: Planes, lowPass: LowPass, defaultRadius: number): Planes {
  checkLowPass(lowPass);
  if (lowPass.kind === "gaussian") {
    const truncate = assertNumber(lowPass.truncate ?? 4, "lowPass.truncate", {
      min: 0,
      minExclusive: true,
    });
    return gaussianPlanes(x, lowPass.sigma, truncate);
  }
  const { radius, times } = boxSettings(lowPass, defaultRadius);
  let y = boxPlanes(x, radius);
  for (let i = 1; i < times; i++) y = boxPlanes(y, radius);
  return y;
}

/**
 * Checks a {@linkcode LowPass} value.
 *
 * @param lowPass The value.
 */
export function checkLowPass(lowPass: unknown): asserts lowPass is LowPass {
  if (typeof lowPass !== "object" || lowPass === null) {
    throw new TypeError(`lowPass must be an object with a "kind", got ${describe(lowPass)}`);
  }
  const kind = assertOneOf((lowPass as LowPass).kind, ["box", "gaussian"], "lowPass.kind");
  if (kind === "gaussian") {
    assertNumber((lowPass as GaussianLowPass).sigma, "lowPass.sigma", {
      min: 0,
      minExclusive: true,
    });
  }
}

function checkImage(image: unknown): asserts image is tf.Tensor3D | tf.Tensor4D {
  if (!(image instanceof tf.Tensor) || (image.rank !== 3 && image.rank !== 4)) {
    throw new RangeError(
      `image must be an HWC [H, W, C] or NHWC [N, H, W, C] tensor, got ${
        image instanceof tf.Tensor ? `shape ${formatShape(image.shape)}` : describe(image)
      }`,
    );
  }
}
