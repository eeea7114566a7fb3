/**
 * Argument checks shared by every module: each throws a `TypeError` or
 * `RangeError` whose message names the offending value, expected and actual,
 * so that bad input never surfaces as a crash deep inside tfjs.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Formats a shape for error messages, e.g. `[64, 64, 3]`.
 *
 * @param shape The shape to print.
 * @returns The shape as text.
 */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? "*" : String(d))).join(", ")}]`;
}

/**
 * Checks that `t` is a tensor of the given rank and, where `expected` gives a
 * number (not `null`), of that size on each axis.
 *
 * @param t The tensor to check.
 * @param expected Expected shape; `null` matches any size.
 * @param name The argument's name, used in the error message.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertShape } from "./checks.ts";
 * assertShape(tf.zeros([4, 4, 3]), [null, null, 3], "image");
 * ```
 */
export function assertShape(
  t: unknown,
  expected: readonly (number | null)[],
  name: string,
): asserts t is tf.Tensor {
  if (!(t instanceof tf.Tensor)) {
    throw new TypeError(`${name} must be a tf.Tensor, got ${describe(t)}`);
  }
  const ok = t.rank === expected.length &&
    expected.every((d, i) => d === null || d === t.shape[i]);
  if (!ok) {
    throw new RangeError(
      `${name} must have shape ${formatShape(expected)}, got ${formatShape(t.shape)}`,
    );
  }
}

/**
 * Checks that `image` is an HWC image tensor (rank 3) with 1 or 3 channels,
 * unless `channels` says which.
 *
 * @param image The tensor to check.
 * @param name The argument's name, used in the error message.
 * @param channels Allowed channel counts (default 1 or 3).
 */
export function assertImage(
  image: unknown,
  name: string,
  channels: readonly number[] = [1, 3],
): asserts image is tf.Tensor3D {
  if (!(image instanceof tf.Tensor)) {
    throw new TypeError(`${name} must be an HWC image tensor, got ${describe(image)}`);
  }
  if (image.rank !== 3 || !channels.includes(image.shape[2]!)) {
    throw new RangeError(
      `${name} must be an HWC image with ${channels.join(" or ")} channels ` +
        `(shape [H, W, C]), got shape ${formatShape(image.shape)}`,
    );
  }
  if (image.shape[0] === 0 || image.shape[1] === 0) {
    throw new RangeError(`${name} must not be empty, got shape ${formatShape(image.shape)}`);
  }
}

/**
 * Checks that two tensors have the same shape.
 *
 * @param a First tensor.
 * @param b Second tensor.
 * @param names Names of the two arguments for the message.
 */
export function assertSameShape(
  a: tf.Tensor,
  b: tf.Tensor,
  names: readonly [string, string] = ["a", "b"],
): void {
  if (!tf.util.arraysEqual(a.shape, b.shape)) {
    throw new RangeError(
      `${names[1]} must have the shape of ${names[0]}: expected ${formatShape(a.shape)}, got ${
        formatShape(b.shape)
      }`,
    );
  }
}

/** Bounds for {@linkcode assertNumber}. */
export interface NumberBounds {
  /** Smallest allowed value (inclusive unless `minExclusive`). */
  min?: number;
  /** Largest allowed value (inclusive unless `maxExclusive`). */
  max?: number;
  /** Exclude `min` itself. */
  minExclusive?: boolean;
  /** Exclude `max` itself. */
  maxExclusive?: boolean;
  /** Require an integer. */
  integer?: boolean;
}

/**
 * Checks that `value` is a finite number inside the bounds.
 *
 * @param value The value to check.
 * @param name The parameter's name, used in the error message.
 * @param bounds Allowed range.
 * @returns The value, typed as a number.
 * @example
 * ```ts
 * import { assertNumber } from "./checks.ts";
 * const radius = assertNumber(8, "radius", { min: 1, integer: true });
 * ```
 */
export function assertNumber(value: unknown, name: string, bounds: NumberBounds = {}): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`${name} must be a number, got ${describe(value)}`);
  }
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be finite, got ${value}`);
  if (bounds.integer && !Number.isInteger(value)) {
    throw new RangeError(`${name} must be an integer, got ${value}`);
  }
  const { min, max } = bounds;
  if (min !== undefined && (bounds.minExclusive ? value <= min : value < min)) {
    throw new RangeError(
      `${name} must be ${bounds.minExclusive ? ">" : ">="} ${min}, got ${value}`,
    );
  }
  if (max !== undefined && (bounds.maxExclusive ? value >= max : value > max)) {
    throw new RangeError(
      `${name} must be ${bounds.maxExclusive ? "<" : "<="} ${max}, got ${value}`,
    );
  }
  return value;
}

/**
 * Checks that `value` is one of `allowed` (a literal union at run time).
 *
 * @param value The value to check.
 * @param allowed The allowed values.
 * @param name The parameter's name, used in the error message.
 * @returns The value, typed as the union.
 */
export function assertOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  name: string,
): T {
  if (!allowed.includes(value as T)) {
    throw new RangeError(
      `${name} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${describe(value)}`,
    );
  }
  return value as T;
}

/**
 * Checks that a tensor holds no NaN or infinity (reads it back: use on
 * inputs, not inside hot loops).
 *
 * @param t The tensor to check.
 * @param name The argument's name, used in the error message.
 */
export function assertFinite(t: tf.Tensor, name: string): void {
  const bad = tf.tidy(() => tf.logicalNot(tf.isFinite(t)).any().dataSync()[0]);
  if (bad) throw new RangeError(`${name} contains NaN or infinite values`);
}

/**
 * Describes a value for an error message.
 *
 * @param value Any value.
 * @returns A short description such as `string "abc"` or `undefined`.
 */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (value instanceof tf.Tensor) return `tensor of shape ${formatShape(value.shape)}`;
  if (typeof value === "string") return `string "${value}"`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${value}`;
  if (Array.isArray(value)) return `array of length ${value.length}`;
  return (value as object).constructor?.name ?? typeof value;
}
