/**
 * Command-line parsing shared by the `deno task count` subcommands: flags in
 * `--key value` or `--key=value` form (node's `util.parseArgs`, strict),
 * every mistake turned into one {@linkcode CountInputError} line that names
 * the flag; numbers and choices checked with the value, the expectation and
 * what was given; paths resolved against the folder the user ran the task
 * from (`deno task` itself runs in the project's folder and keeps the
 * user's in `INIT_CWD`).
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import { parseArgs } from "node:util";
import { CountInputError } from "./errors.ts";

/** One flag of a subcommand. */
export interface FlagSpec {
  /** `"string"` takes a value; `"boolean"` is a switch. */
  type: "string" | "boolean";
  /** A one-letter alias (e.g. `"h"` for `--help`). */
  short?: string;
}

/** The parsed flags of a subcommand, with checked getters. */
export interface Flags {
  /** The subcommand, for messages (`"train"`). */
  readonly command: string;
  /**
   * Whether the flag was given.
   *
   * @param name The flag without dashes.
   * @returns True when present on the command line.
   */
  has(name: string): boolean;
  /**
   * A string flag's value.
   *
   * @param name The flag.
   * @returns The value, or `undefined` when not given.
   */
  string(name: string): string | undefined;
  /**
   * A string flag that must be given.
   *
   * @param name The flag.
   * @param what What it names, for the message (`"the folder of images"`).
   * @returns The value.
   */
  required(name: string, what: string): string;
  /**
   * A switch.
   *
   * @param name The flag.
   * @returns True when given.
   */
  boolean(name: string): boolean;
  /**
   * A number flag, checked.
   *
   * @param name The flag.
   * @param fallback Its value when not given.
   * @param bounds Inclusive bounds and whether it must be an integer.
   * @returns The number.
   */
  number(name: string, fallback: number, bounds?: NumberRule): number;
  /**
   * A flag whose value is one of `choices`.
   *
   * @param name The flag.
   * @param choices The allowed values.
   * @param fallback Its value when not given.
   * @returns The value.
   */
  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T;
}

/** Bounds of a number flag. */
export interface NumberRule {
  /** Smallest allowed value. */
  min?: number;
  /** Largest allowed value. */
  max?: number;
  /** Whether `min` itself is excluded. */
  minExclusive?: boolean;
  /** Whole numbers only. */
  integer?: boolean;
}

/** Flags every subcommand takes. */
export const COMMON_FLAGS: Record<string, FlagSpec> = {
  help: { type: "boolean", short: "h" },
  backend: { type: "string" },
  quiet: { type: "boolean" },
};

/**
 * Parses a subcommand's arguments.
 *
 * @param command The subcommand's name (for messages).
 * @param args Its arguments (after the subcommand).
 * @param spec Its flags (the {@linkcode COMMON_FLAGS} are added).
 * @returns The flags.
 * @throws {CountInputError} For an unknown flag, a missing value or a stray argument.
 * @example
 * ```ts
 * import { parseFlags } from "./args.ts";
 * const f = parseFlags("train", ["--steps=20", "--out", "o"], {
 *   steps: { type: "string" },
 *   out: { type: "string" },
 * });
 * console.log(f.number("steps", 1000, { min: 1, integer: true }), f.string("out")); // 20 "o"
 * ```
 */
export function parseFlags(
  command: string,
  args: readonly string[],
  spec: Record<string, FlagSpec>,
): Flags {
  const options = { ...COMMON_FLAGS, ...spec };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new CountInputError(parseArgsMessage(command, (e as Error).message, options));
  }
  const flags: Flags = {
    command,
    has: (name) => values[name] !== undefined,
    string(name) {
      const v = values[name];
      if (v === undefined) return undefined;
      if (typeof v !== "string" || v === "") {
        throw new CountInputError(`--${name} needs a value`);
      }
      return v;
    },
    required(name, what) {
      const v = flags.string(name);
      if (v === undefined) {
        throw new CountInputError(
          `count ${command} needs --${name} (${what}); see deno task count ${command} --help`,
        );
      }
      return v;
    },
    boolean: (name) => values[name] === true,
    number(name, fallback, rule = {}) {
      const text = flags.string(name);
      if (text === undefined) return fallback;
      return parseNumber(text, `--${name}`, rule);
    },
    choice(name, choices, fallback) {
      const v = flags.string(name);
      if (v === undefined) return fallback;
      if (!(choices as readonly string[]).includes(v)) {
        throw new CountInputError(
          `--${name} must be one of ${choices.join(", ")}; got "${v}"`,
        );
      }
      return v as (typeof choices)[number];
    },
  };
  return flags;
}

/**
 * Parses a number given on the command line, checked against `rule`.
 *
 * @param text The text.
 * @param name The flag, for the message.
 * @param rule Bounds.
 * @returns The number.
 * @throws {CountInputError} Naming the flag, the expected range and the text.
 */
export function parseNumber(text: string, name: string, rule: NumberRule = {}): number {
  const v = text.trim() === "" ? NaN : Number(text);
  const expected = [
    rule.integer ? "a whole number" : "a number",
    rule.min !== undefined ? `${rule.minExclusive ? ">" : ">="} ${rule.min}` : "",
    rule.max !== undefined ? `<= ${rule.max}` : "",
  ].filter(Boolean).join(" ");
  const bad = !Number.isFinite(v) || (rule.integer && !Number.isInteger(v)) ||
    (rule.min !== undefined && (rule.minExclusive ? v <= rule.min : v < rule.min)) ||
    (rule.max !== undefined && v > rule.max);
  if (bad) throw new CountInputError(`${name} must be ${expected}; got "${text}"`);
  return v;
}

/**
 * Resolves a path the user typed: absolute paths stay; relative ones are
 * taken from the folder the task was started in (`INIT_CWD`, which `deno
 * task` sets), else the current folder.
 *
 * @param path The path as typed.
 * @returns An absolute path.
 */
export function userPath(path: string): string {
  if (isAbsolute(path)) return path;
  let base: string | undefined;
  try {
    base = Deno.env.get("INIT_CWD");
  } catch {
    base = undefined;
  }
  return join(base || Deno.cwd(), path);
}

/** Rewrites node's parseArgs messages as one short line naming the flag. */
function parseArgsMessage(
  command: string,
  message: string,
  options: Record<string, FlagSpec>,
): string {
  const flag = /'(-{1,2}[^' =]+)/.exec(message)?.[1];
  const help = `see deno task count ${command} --help`;
  if (/Unknown option/i.test(message) && flag) {
    const name = flag.replace(/^-+/, "");
    const close = Object.keys(options).find((k) => k.startsWith(name) || name.startsWith(k));
    return `unknown option ${flag} for count ${command}${
      close ? ` (did you mean --${close}?)` : ""
    }; ${help}`;
  }
  if (/argument missing|ambiguous/i.test(message) && flag) {
    return `${flag.startsWith("--") ? flag : `-${flag.replace(/^-+/, "")}`} needs a value; ${help}`;
  }
  if (/does not take an argument/i.test(message) && flag) {
    return `${flag} takes no value; ${help}`;
  }
  if (/positional/i.test(message)) {
    const arg = /'([^']+)'/.exec(message)?.[1];
    return `unexpected argument${arg ? ` "${arg}"` : ""} (flags start with --); ${help}`;
  }
  return `${message.split("\n")[0]}; ${help}`;
}
