/**
 * Claims of a chapter, checked on what a reproduction ran, and reported as
 * pass or fail with the numbers behind them. A claim that fails is reported
 * as failing: never hidden, never re-tuned.
 *
 * @module
 */

/** One checked claim. */
export interface Claim {
  /** Short stable identifier, e.g. `"dip-decays"`. */
  id: string;
  /** The claim as the thesis makes it. */
  statement: string;
  /** Whether the run supports it; `null` when the run had no data for it. */
  passed: boolean | null;
  /** The numbers behind the verdict. */
  detail: string;
}

/**
 * Makes a claim record.
 *
 * @param id Identifier.
 * @param statement The claim.
 * @param passed The verdict (`null`: not measured in this run).
 * @param detail The numbers.
 * @returns The claim.
 * @example
 * ```ts
 * import { claim, formatClaim } from "./claims.ts";
 * console.log(formatClaim(claim("x", "A beats B", 27.1 > 26.4, "27.10 vs 26.40 dB")));
 * // PASS  A beats B — 27.10 vs 26.40 dB
 * ```
 */
export function claim(
  id: string,
  statement: string,
  passed: boolean | null,
  detail: string,
): Claim {
  return { id, statement, passed, detail };
}

/**
 * One line for a terminal or a log.
 *
 * @param c The claim.
 * @returns `PASS  statement — detail` (or `FAIL`, `SKIP`).
 */
export function formatClaim(c: Claim): string {
  const tag = c.passed === null ? "SKIP" : c.passed ? "PASS" : "FAIL";
  return `${tag}  ${c.statement} — ${c.detail}`;
}
