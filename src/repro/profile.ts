/**
 * Reproduction profiles: how big a chapter's experiments run.
 *
 * - `smoke`: seconds; exercises every code path (CI, notebooks in CI).
 * - `quick`: the same experiments scaled down (crops, width, steps) so that
 *   a chapter finishes in minutes on two CPU cores; the default.
 * - `paper`: the thesis's settings; meant for a GPU.
 *
 * @module
 */
import { assertOneOf } from "../core/checks.ts";

/** The profile names. */
export const PROFILES = ["smoke", "quick", "paper"] as const;

/** A profile name. */
export type ProfileName = typeof PROFILES[number];

/**
 * Checks a profile name.
 *
 * @param name The name given by a user.
 * @returns The name, typed.
 * @example
 * ```ts
 * import { parseProfile } from "./profile.ts";
 * parseProfile("quick"); // "quick"
 * ```
 */
export function parseProfile(name: unknown): ProfileName {
  return assertOneOf(name, PROFILES, "profile");
}

/**
 * The profile a notebook runs in: the `PIXELBIAS_PROFILE` environment
 * variable (CI sets `smoke`), else `quick`.
 *
 * @returns The profile name.
 */
export function notebookProfile(): ProfileName {
  let value: string | undefined;
  try {
    value = Deno.env.get("PIXELBIAS_PROFILE");
  } catch {
    value = undefined; // no env permission: a person's default
  }
  return value ? parseProfile(value) : "quick";
}
