/**
 * Weight initialisation from the seeded {@linkcode Rng}, so that a network
 * built twice with the same seed has the same weights on every backend.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import type { Rng } from "../core/rng.ts";

/** How a layer's weights are drawn. */
export type InitMode = "he" | "pytorch";

/**
 * The fan-in of a weight: all axes but the last (HWIO convolution kernels,
 * `[in, out]` dense matrices).
 *
 * @param shape The weight's shape.
 * @returns The product of all but the last axis.
 */
export function fanIn(shape: readonly number[]): number {
  if (shape.length < 2) {
    throw new RangeError(`a weight needs at least 2 axes, got shape [${shape.join(", ")}]`);
  }
  return shape.slice(0, -1).reduce((a, b) => a * b, 1);
}

/**
 * He (Kaiming) normal initialisation (He et al. 2015): zero-mean normal
 * numbers with standard deviation `sqrt(2 / fanIn)`, the thesis's choice for
 * its networks (Section 2.5).
 *
 * @param rng The seeded generator.
 * @param shape The weight's shape (HWIO for convolutions); the fan-in is the
 * product of all axes but the last.
 * @returns A new tensor the caller owns.
 * @example
 * ```ts
 * import { Rng } from "../core/rng.ts";
 * import { heNormal } from "./init.ts";
 * const w = heNormal(new Rng(0), [3, 3, 32, 128]); // std sqrt(2 / 288)
 * w.dispose();
 * ```
 */
export function heNormal(rng: Rng, shape: number[]): tf.Tensor {
  return rng.normalTensor(shape, Math.sqrt(2 / fanIn(shape)));
}

/**
 * PyTorch's default initialisation of `nn.Conv2d` (Kaiming uniform with
 * `a = sqrt(5)`): uniform in `±1/sqrt(fanIn)` for weights and biases. The
 * baselines (original deep image prior, deep decoder) use it, as their
 * released code does.
 *
 * @param rng The seeded generator.
 * @param shape The tensor's shape.
 * @param fan The fan-in that sets the bound (for a bias: the fan-in of its weight).
 * @returns A new tensor the caller owns.
 */
export function pytorchUniform(rng: Rng, shape: number[], fan: number): tf.Tensor {
  assertNumber(fan, "fan", { min: 1, integer: true });
  const bound = 1 / Math.sqrt(fan);
  return rng.uniform(shape, -bound, bound);
}
