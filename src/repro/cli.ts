/**
 * Command-line options shared by the `deno task repro:chapterN` entry points,
 * and the wrapper that turns any error into one clear line and a non-zero
 * exit code.
 *
 * @module
 */
import { assertOneOf } from "../core/checks.ts";
import { parseProfile, type ProfileName } from "./profile.ts";

/** Backends a user may ask for. */
export type BackendChoice = "auto" | "webgpu" | "wasm" | "cpu";

/** Parsed options of a reproduction. */
export interface ReproArgs {
  /** Profile (default `quick`). */
  profile: ProfileName;
  /** Folder of images standing in for the thesis's data sets (default: `data/`). */
  dataDir?: string;
  /** Output folder (default `out/chapterN-PROFILE`). */
  out: string;
  /** Continue from the last checkpoint and reuse finished experiments. */
  resume: boolean;
  /** Compute backend (default `auto`). */
  backend: BackendChoice;
  /** Print only the claims and the paths written, and warnings and errors (default `false`). */
  quiet: boolean;
  /** Print usage and exit. */
  help: boolean;
}

/** An error in the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  /**
   * Makes the error.
   *
   * @param message What is wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A run stopped by Ctrl-C or a kill after writing its checkpoint. */
export class Interrupted extends Error {
  /**
   * Makes the error.
   *
   * @param message Where it stopped.
   */
  constructor(message: string) {
    super(message);
    this.name = "Interrupted";
  }
}

/**
 * Parses `--profile`, `--data-dir`, `--out`, `--resume`, `--backend`,
 * `--quiet`, `--help` (also in `--key=value` form).
 *
 * @param args The arguments (`Deno.args`).
 * @param chapter The chapter number, for the default output folder.
 * @returns The options.
 * @throws {UsageError} For an unknown flag, a missing value or a bad profile.
 * @example
 * ```ts
 * import { parseReproArgs } from "./cli.ts";
 * const a = parseReproArgs(["--profile", "smoke", "--resume"], 2);
 * console.log(a.profile, a.resume, a.out); // smoke true out/chapter2-smoke
 * ```
 */
export function parseReproArgs(args: readonly string[], chapter: number): ReproArgs {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const key = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (key === "resume" || key === "quiet" || key === "help") {
      if (eq > 0) throw new UsageError(`--${key} takes no value`);
      flags.add(key);
      continue;
    }
    if (!["profile", "data-dir", "out", "backend"].includes(key)) {
      throw new UsageError(`unknown option "--${key}" (see --help)`);
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === "" || (eq < 0 && value.startsWith("--"))) {
      throw new UsageError(`--${key} needs a value`);
    }
    values[key] = value;
  }
  let profile: ProfileName;
  let backend: BackendChoice;
  try {
    profile = parseProfile(values.profile ?? "quick");
    backend = assertOneOf(values.backend ?? "auto", ["auto", "webgpu", "wasm", "cpu"], "backend");
  } catch (e) {
    throw new UsageError(`--${(e as Error).message}`);
  }
  return {
    profile,
    dataDir: values["data-dir"],
    out: values.out ?? `out/chapter${chapter}-${profile}`,
    resume: flags.has("resume"),
    backend,
    quiet: flags.has("quiet"),
    help: flags.has("help"),
  };
}

/**
 * The usage text of a chapter's reproduction.
 *
 * @param chapter The chapter number.
 * @param dataHelp What `--data-dir` stands in for.
 * @returns The text.
 */
export function usage(chapter: number, dataHelp: string): string {
  return `deno task repro:chapter${chapter} [options]

Reproduces the experiments of chapter ${chapter} and writes report.html, results.json
and tables.md to the output folder.

  --profile smoke|quick|paper  smoke: seconds (CI); quick (default): scaled down for
                               2 CPU cores; paper: the thesis's settings (GPU)
  --data-dir DIR               ${dataHelp}
  --out DIR                    output folder (default out/chapter${chapter}-PROFILE)
  --resume                     reuse finished experiments and continue from checkpoints
  --backend auto|webgpu|wasm|cpu  compute backend (default auto)
  --quiet                      print only the claims and the paths written (and
                               warnings and errors): no progress
  --help                       this text
`;
}

/**
 * Runs `main`, printing any error as one line: `UsageError` exits 2,
 * `Interrupted` exits 130 (with how to resume), others exit 1.
 *
 * @param main The program.
 * @returns Never returns normally; exits the process.
 */
export async function runCli(main: () => Promise<void>): Promise<never> {
  try {
    await main();
    Deno.exit(0);
  } catch (e) {
    const err = e as Error;
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      Deno.exit(2);
    }
    if (err instanceof Interrupted) {
      console.error(`interrupted: ${err.message}`);
      Deno.exit(130);
    }
    console.error(`error: ${err?.message ?? String(e)}`);
    if (Deno.env.get("PIXELBIAS_DEBUG")) console.error(err?.stack);
    Deno.exit(1);
  }
}

/**
 * An abort signal raised by the first Ctrl-C or SIGTERM; a second Ctrl-C
 * exits at once.
 *
 * @returns The signal and a function removing the listeners.
 */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const handler = () => {
    if (controller.signal.aborted) Deno.exit(130);
    console.error("\nstopping after this step and writing a checkpoint (Ctrl-C again to quit now)");
    controller.abort();
  };
  for (const s of signals) Deno.addSignalListener(s, handler);
  return {
    signal: controller.signal,
    dispose: () => signals.forEach((s) => Deno.removeSignalListener(s, handler)),
  };
}
