/**
 * Additive white Gaussian noise, the degradation of the denoising task.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber, assertShape } from "../core/checks.ts";
import { Rng } from "../core/rng.ts";

/** Options of {@linkcode addGaussianNoise}: give `seed` or `rng`. */
export interface GaussianNoiseOptions {
  /** Seed of a fresh {@linkcode Rng}; equal seeds give equal noise. */
  seed?: number;
  /** A generator to draw from (its state advances), instead of `seed`. */
  rng?: Rng;
  /** Clip the result to [0, 1] (default `true`, as the deep image prior does). */
  clip?: boolean;
}

/**
 * Adds zero-mean Gaussian noise of standard deviation `sigma255 / 255`, as
 * the deep image prior's `get_noisy_image` does
 * (`clip(x + N(0, sigma / 255), 0, 1)`); the result is not quantised to 8 bits
 * (the DIP networks also fit the unquantised noisy image). The noise is drawn
 * in JavaScript by the seeded {@linkcode Rng}, so it is the same on every
 * backend.
 *
 * @param image HWC image in [0, 1], any number of channels (not disposed).
 * @param sigma255 Noise standard deviation on the 0–255 scale (the thesis uses 15, 25, 50).
 * @param options `seed` or `rng`, and `clip`.
 * @returns The noisy image, owned by the caller.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { addGaussianNoise } from "./noise.ts";
 * await tf.setBackend("cpu");
 * const clean = tf.fill([8, 8, 1], 0.5) as tf.Tensor3D;
 * const noisy = addGaussianNoise(clean, 25, { seed: 1 });
 * tf.dispose([clean, noisy]);
 * ```
 */
export function addGaussianNoise(
  image: tf.Tensor3D,
  sigma255: number,
  options: GaussianNoiseOptions,
): tf.Tensor3D {
  assertShape(image, [null, null, null], "image");
  assertNumber(sigma255, "sigma255", { min: 0 });
  const { seed, rng, clip = true } = options ?? {};
  if ((seed === undefined) === (rng === undefined)) {
    throw new TypeError("addGaussianNoise needs exactly one of options.seed and options.rng");
  }
  if (rng !== undefined && !(rng instanceof Rng)) {
    throw new TypeError("options.rng must be an Rng");
  }
  const gen = rng ?? new Rng(assertNumber(seed, "seed", { integer: true }));
  return tf.tidy(() => {
    const noisy = tf.add(image, gen.normalTensor([...image.shape], sigma255 / 255));
    return (clip ? tf.clipByValue(noisy, 0, 1) : noisy) as tf.Tensor3D;
  });
}
