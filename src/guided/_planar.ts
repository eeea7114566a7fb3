/**
 * Channel-first ("planar") layout used inside the filters: a tensor
 * `[K, N, H, W]` holds K planes of an NHWC batch. On the wasm backend,
 * slicing or concatenating channels of an NHWC tensor copies one element at
 * a time (measured: 35 channel slices of a 1-megapixel stack took 10 s),
 * while planes are contiguous and copy in one piece. Internal: not exported
 * from `mod.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { hostBox, hostKernelsActive } from "./_host.ts";

/** `[K, N, H, W]`. */
export type Planes = tf.Tensor4D;

/**
 * NHWC to planes.
 *
 * @param x `[N, H, W, C]`.
 * @returns `[C, N, H, W]`.
 */
export function toPlanes(x: tf.Tensor4D): Planes {
  return x.transpose([3, 0, 1, 2]);
}

/**
 * Planes to NHWC.
 *
 * @param x `[C, N, H, W]`.
 * @returns `[N, H, W, C]`.
 */
export function fromPlanes(x: tf.Tensor): tf.Tensor4D {
  return (x as Planes).transpose([1, 2, 3, 0]);
}

/**
 * Planes `start … start + count − 1` (a contiguous copy).
 *
 * @param x Planes.
 * @param start First plane.
 * @param count Number of planes.
 * @returns `[count, N, H, W]`.
 */
export function planes(x: tf.Tensor, start: number, count = 1): Planes {
  return tf.slice(x as Planes, [start, 0, 0, 0], [count, -1, -1, -1]);
}

/**
 * Box mean of every plane over the (2r+1)² window cut to the image, in O(1)
 * per pixel (see {@linkcode boxFilter} for the method). On wasm and cpu,
 * outside a gradient tape, float64 running sums over the planes' memory
 * (`_host.ts`); otherwise tfjs ops, each plane centred on its mean first so
 * that the float32 running sums stay small.
 *
 * @param x Planes `[K, N, H, W]`.
 * @param r Radius ≥ 0.
 * @returns Planes, same shape. Call inside `tf.tidy`.
 */
export function boxPlanes(x: tf.Tensor, r: number): Planes {
  if (r === 0) return x.clone() as Planes;
  const [k, n, h, w] = x.shape as [number, number, number, number];
  // on wasm and cpu: float64 running sums over the planes' memory, in place
  if (hostKernelsActive()) {
    const host = tf.tidy(() => hostBox(x.reshape([k * n, h, w, 1]), r)?.reshape([k, n, h, w]));
    if (host !== undefined) return host as Planes;
  }
  // Own scope: frees the running sums at once (a tidy keeps every
  // intermediate until it ends, which overflows wasm memory at 1 Mpx).
  return tf.tidy(() => {
    const mean = x.mean([2, 3], true);
    // Running sums along the last axis only (tfjs's cumsum gradient is wrong
    // for other axes): W, then swap the spatial axes for H, then swap back.
    const alongW = windowSum(tf.sub(x, mean), r).transpose([0, 1, 3, 2]);
    const both = windowSum(alongW, r).transpose([0, 1, 3, 2]);
    return tf.add(tf.mul(both, inverseCounts(h, w, r)), mean) as Planes;
  });
}

/**
 * Window sums along the last axis: with x padded by r + 1 zeros in front and
 * r behind and c its running sum, the sum over [i − r, i + r] ∩ [0, n) is
 * c[i + 2r + 1] − c[i].
 */
function windowSum(x: tf.Tensor, r: number): tf.Tensor4D {
  const n = x.shape[3]!;
  const c = tf.cumsum(tf.pad(x as tf.Tensor4D, [[0, 0], [0, 0], [0, 0], [r + 1, r]]), 3);
  return tf.sub(
    tf.slice(c, [0, 0, 0, 2 * r + 1], [-1, -1, -1, n]),
    tf.slice(c, [0, 0, 0, 0], [-1, -1, -1, n]),
  );
}

/** 1 / (number of pixels in each cut window), `[1, 1, H, W]`. */
function inverseCounts(h: number, w: number, r: number): tf.Tensor4D {
  const count = (i: number, n: number) => Math.min(i + r, n - 1) - Math.max(i - r, 0) + 1;
  const out = new Float32Array(h * w);
  for (let i = 0; i < h; i++) {
    const ci = count(i, h);
    for (let j = 0; j < w; j++) out[i * w + j] = 1 / (ci * count(j, w));
  }
  return tf.tensor4d(out, [1, 1, h, w]);
}

/**
 * Gaussian filter of every plane, zero padding normalised by the filtered
 * ones (the weights of the pixels inside the image). Separable `conv2d`s on
 * single-channel images, so the gradient needs only the input gradient.
 *
 * @param x Planes `[K, N, H, W]`.
 * @param sigma Standard deviation in pixels.
 * @param truncate Half-width in standard deviations.
 * @returns Planes, same shape. Call inside `tf.tidy`.
 */
export function gaussianPlanes(x: Planes, sigma: number, truncate: number): Planes {
  return tf.tidy(() => gaussian(x, sigma, truncate));
}

function gaussian(x: Planes, sigma: number, truncate: number): Planes {
  const [k, n, h, w] = x.shape;
  const radius = Math.max(1, Math.floor(truncate * sigma + 0.5));
  const taps = new Float32Array(2 * radius + 1);
  for (let i = -radius; i <= radius; i++) {
    taps[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  }
  const kh = tf.tensor4d(taps, [taps.length, 1, 1, 1]);
  const kw = tf.tensor4d(taps, [1, taps.length, 1, 1]);
  const blur = (t: tf.Tensor4D) => tf.conv2d(tf.conv2d(t, kh, 1, "same"), kw, 1, "same");
  const num = blur(x.reshape([k * n, h, w, 1]));
  const den = blur(tf.ones([1, h, w, 1]));
  return tf.div(num, den).reshape([k, n, h, w]);
}
