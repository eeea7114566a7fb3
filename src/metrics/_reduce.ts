/**
 * Reading reductions back as float64 numbers. Sums are split: the backend
 * sums each row (float32, at most one image row at a time), JavaScript adds
 * the row sums in double precision, so large images lose no accuracy.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertSameShape, describe, formatShape } from "../core/checks.ts";

/**
 * Row sums of `x` viewed as `[shape[0], rest]`.
 *
 * @param x Any tensor of rank ≥ 1.
 * @returns A 1-D tensor of partial sums.
 */
export function rowSums(x: tf.Tensor): tf.Tensor1D {
  const rows = x.rank > 1 ? x.shape[0] : 1;
  return tf.sum(tf.reshape(x, [rows, -1]), 1);
}

/**
 * Adds numbers in double precision.
 *
 * @param values The numbers.
 * @param from First index (default 0).
 * @param to End index, exclusive (default the length).
 * @returns Their sum.
 */
export function sum64(values: ArrayLike<number>, from = 0, to = values.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += values[i];
  return s;
}

/**
 * Reads a tensor synchronously and disposes it; explains the failure on a
 * backend that cannot read synchronously (WebGPU in Deno).
 *
 * @param t The tensor (disposed).
 * @param fn The metric's name, for the error message.
 * @returns The values.
 */
export function readSync(t: tf.Tensor, fn: string): Float32Array {
  try {
    return t.dataSync() as Float32Array;
  } catch (cause) {
    throw new Error(
      `${fn} cannot read its result synchronously on the "${tf.getBackend()}" backend; ` +
        `use ${fn}Async`,
      { cause },
    );
  } finally {
    t.dispose();
  }
}

/**
 * Reads a tensor asynchronously and disposes it.
 *
 * @param t The tensor (disposed).
 * @returns The values.
 */
export async function readAsync(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/**
 * Checks the two images of a metric: tensors of equal shape.
 *
 * @param a The reference.
 * @param b The compared image.
 */
export function assertPair(a: unknown, b: unknown): asserts a is tf.Tensor {
  if (!(a instanceof tf.Tensor)) throw new TypeError(`a must be a tf.Tensor, got ${describe(a)}`);
  if (!(b instanceof tf.Tensor)) throw new TypeError(`b must be a tf.Tensor, got ${describe(b)}`);
  assertSameShape(a, b, ["a", "b"]);
  if (a.size === 0) throw new RangeError(`a must not be empty, got shape ${formatShape(a.shape)}`);
}

/**
 * Counts the NaN and infinite values of each tensor (0 for integer ones).
 *
 * @param tensors The tensors.
 * @returns A `[n]` tensor of counts.
 */
function nonFiniteCounts(tensors: tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() =>
    tf.stack(
      tensors.map((t) =>
        t.dtype === "float32" ? tf.logicalNot(tf.isFinite(t)).sum().toFloat() : tf.scalar(0)
      ),
    ) as tf.Tensor1D
  );
}

function throwNonFinite(
  given: [string, tf.Tensor][],
  counts: ArrayLike<number>,
): void {
  given.forEach(([name, t], i) => {
    if (counts[i] > 0) {
      throw new RangeError(
        `${name} must hold finite values, got ${counts[i]} NaN or infinite of ${t.size} ` +
          `(shape ${formatShape(t.shape)})`,
      );
    }
  });
}

const present = (tensors: Record<string, tf.Tensor | undefined>) =>
  Object.entries(tensors).filter((e): e is [string, tf.Tensor] => e[1] !== undefined);

/**
 * Called when a metric came out NaN or infinite: throws a RangeError naming
 * the first input that holds NaN or infinite values, and returns when none
 * does (a genuinely infinite result, e.g. an overflow). Reads synchronously.
 *
 * @param tensors The metric's inputs by argument name (undefined ones are skipped).
 * @param fn The metric's name, for the message on backends that cannot read synchronously.
 * @throws {RangeError} Naming the input, how many of its values are not finite, and its shape.
 */
export function explainNonFinite(tensors: Record<string, tf.Tensor | undefined>, fn: string): void {
  const given = present(tensors);
  throwNonFinite(given, readSync(nonFiniteCounts(given.map(([, t]) => t)), fn));
}

/**
 * {@linkcode explainNonFinite} reading asynchronously.
 *
 * @param tensors The metric's inputs by argument name.
 * @throws {RangeError} Naming the input that is not finite.
 */
export async function explainNonFiniteAsync(
  tensors: Record<string, tf.Tensor | undefined>,
): Promise<void> {
  const given = present(tensors);
  throwNonFinite(given, await readAsync(nonFiniteCounts(given.map(([, t]) => t))));
}
