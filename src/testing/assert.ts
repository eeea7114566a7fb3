/**
 * A small assertion module with the names of `@std/assert`, built on
 * `node:assert/strict`. `deno.json` maps `@std/assert` here, so that switching
 * to `jsr:@std/assert` later is a one-line change of the import map.
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Error thrown by every assertion of this module. */
export const AssertionError = nodeAssert.AssertionError;

/**
 * Asserts that `expr` is truthy.
 *
 * @param expr The value to test.
 * @param msg Message for the error.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * assert(1 + 1 === 2);
 * ```
 */
export function assert(expr: unknown, msg = "Expected a truthy value"): asserts expr {
  nodeAssert.ok(expr, msg);
}

/**
 * Asserts deep equality of `actual` and `expected`.
 *
 * @param actual The value produced.
 * @param expected The value wanted.
 * @param msg Message for the error.
 */
export function assertEquals<T>(actual: unknown, expected: T, msg?: string): asserts actual is T {
  nodeAssert.deepStrictEqual(actual, expected, msg);
}

/**
 * Asserts that `actual` and `expected` are not deeply equal.
 *
 * @param actual The value produced.
 * @param expected The value it must differ from.
 * @param msg Message for the error.
 */
export function assertNotEquals(actual: unknown, expected: unknown, msg?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, msg);
}

/**
 * Asserts strict (`Object.is`) equality.
 *
 * @param actual The value produced.
 * @param expected The value wanted.
 * @param msg Message for the error.
 */
export function assertStrictEquals<T>(
  actual: unknown,
  expected: T,
  msg?: string,
): asserts actual is T {
  nodeAssert.strictEqual(actual, expected, msg);
}

/**
 * Asserts that `actual` is within `tolerance` of `expected`. The default
 * tolerance is relative: `1e-7 * |expected|`.
 *
 * @param actual The number produced.
 * @param expected The number wanted.
 * @param tolerance Largest allowed absolute difference.
 * @param msg Message for the error.
 * @example
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * assertAlmostEquals(0.1 + 0.2, 0.3, 1e-12);
 * ```
 */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance?: number,
  msg?: string,
): void {
  if (Object.is(actual, expected)) return;
  const tol = tolerance ?? Math.abs(expected) * 1e-7;
  const delta = Math.abs(expected - actual);
  if (!(delta <= tol)) {
    throw new AssertionError({
      message: msg ??
        `Expected actual: "${actual}" to be close to "${expected}": delta "${delta}" is greater than "${tol}"`,
      actual,
      expected,
    });
  }
}

/**
 * Asserts `actual > expected`.
 *
 * @param actual The number produced.
 * @param expected The bound.
 * @param msg Message for the error.
 */
export function assertGreater(actual: number, expected: number, msg?: string): void {
  assert(actual > expected, msg ?? `Expected ${actual} > ${expected}`);
}

/**
 * Asserts `actual >= expected`.
 *
 * @param actual The number produced.
 * @param expected The bound.
 * @param msg Message for the error.
 */
export function assertGreaterOrEqual(actual: number, expected: number, msg?: string): void {
  assert(actual >= expected, msg ?? `Expected ${actual} >= ${expected}`);
}

/**
 * Asserts `actual < expected`.
 *
 * @param actual The number produced.
 * @param expected The bound.
 * @param msg Message for the error.
 */
export function assertLess(actual: number, expected: number, msg?: string): void {
  assert(actual < expected, msg ?? `Expected ${actual} < ${expected}`);
}

/**
 * Asserts `actual <= expected`.
 *
 * @param actual The number produced.
 * @param expected The bound.
 * @param msg Message for the error.
 */
export function assertLessOrEqual(actual: number, expected: number, msg?: string): void {
  assert(actual <= expected, msg ?? `Expected ${actual} <= ${expected}`);
}

/**
 * Asserts that `actual` includes `expected` as a substring.
 *
 * @param actual The string produced.
 * @param expected The substring wanted.
 * @param msg Message for the error.
 */
export function assertStringIncludes(actual: string, expected: string, msg?: string): void {
  assert(actual.includes(expected), msg ?? `Expected "${actual}" to include "${expected}"`);
}

/**
 * Asserts that `actual` matches `expected`.
 *
 * @param actual The string produced.
 * @param expected The pattern.
 * @param msg Message for the error.
 */
export function assertMatch(actual: string, expected: RegExp, msg?: string): void {
  nodeAssert.match(actual, expected, msg);
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

function checkError<E extends Error>(
  err: unknown,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
): E {
  if (ErrorClass && !(err instanceof ErrorClass)) {
    throw new AssertionError({
      message: `Expected error to be instance of "${ErrorClass.name}", but was "${
        (err as Error)?.constructor?.name
      }": ${(err as Error)?.message}`,
    });
  }
  if (msgIncludes !== undefined && !String((err as Error)?.message).includes(msgIncludes)) {
    throw new AssertionError({
      message: `Expected error message to include "${msgIncludes}", but got "${
        (err as Error)?.message
      }"`,
    });
  }
  return err as E;
}

/**
 * Asserts that `fn` throws; optionally of class `ErrorClass` with a message
 * including `msgIncludes`. Returns the error.
 *
 * @param fn The function expected to throw.
 * @param ErrorClass The class the error must be an instance of.
 * @param msgIncludes A substring the message must contain.
 * @returns The error thrown.
 */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
): E {
  try {
    fn();
  } catch (err) {
    return checkError(err, ErrorClass, msgIncludes);
  }
  throw new AssertionError({ message: "Expected function to throw." });
}

/**
 * Asserts that the promise returned by `fn` rejects; optionally of class
 * `ErrorClass` with a message including `msgIncludes`. Returns the error.
 *
 * @param fn The async function expected to reject.
 * @param ErrorClass The class the error must be an instance of.
 * @param msgIncludes A substring the message must contain.
 * @returns The rejection reason.
 */
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (err) {
    return checkError(err, ErrorClass, msgIncludes);
  }
  throw new AssertionError({ message: "Expected function to reject." });
}
