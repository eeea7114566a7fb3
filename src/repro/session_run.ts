/**
 * What every chapter's session shares: the options that mirror the command
 * line ({@linkcode SessionRunOptions}) and opening its {@linkcode ReproRun}
 * from them ({@linkcode openSessionRun}).
 *
 * @module
 */
import type { BackendInfo } from "../core/backend.ts";
import type { BackendChoice } from "./cli.ts";
import type { ProfileName } from "./profile.ts";
import { ReproRun } from "./run.ts";

/** The options every chapter's session takes: the command line's, and a stop signal. */
export interface SessionRunOptions {
  /** Profile (default `quick`). */
  profile?: ProfileName;
  /** Folder of the chapter's data (default: its folder under `data/`). */
  dataDir?: string;
  /** Output folder (default `out/chapterN-PROFILE`). */
  out?: string;
  /** Reuse finished experiments and continue unfinished ones from their checkpoints (default `false`). */
  resume?: boolean;
  /** Compute backend (default `auto`). */
  backend?: BackendChoice;
  /** Stops the current fit or training after a checkpoint (default: never). */
  signal?: AbortSignal;
  /** No progress output, only warnings (default `false`; the CLI's `--quiet`). */
  quiet?: boolean;
}

/** What {@linkcode openSessionRun} needs of the chapter. */
export interface SessionRunSpec {
  /** Chapter number. */
  chapter: number;
  /** Report title. */
  title: string;
  /** The settings in force (stored in results.json), with their profile and checkpoint period. */
  settings: { profile: ProfileName; checkpointEvery?: number };
  /** How the profile scales the thesis's settings, one line each (stored beside the settings). */
  scaled: readonly string[];
  /** The backend in use. */
  backend: BackendInfo;
}

/**
 * The backend as one line for the report: its name, why it was chosen, and
 * the native kernels when they run.
 *
 * @param info What `useBackend` returned.
 * @returns E.g. `"wasm (wasm backend requested; native kernels: oneDNN 2.6.3 …)"`.
 * @example
 * ```ts
 * import { describeBackend } from "./session_run.ts";
 * const line = describeBackend({
 *   name: "cpu",
 *   reason: "cpu backend requested",
 *   native: { active: false, reason: "native kernels are for wasm, not cpu", kernels: [] },
 * });
 * if (line !== "cpu (cpu backend requested)") throw new Error(line);
 * ```
 */
export function describeBackend(info: Pick<BackendInfo, "name" | "reason" | "native">): string {
  const native = info.native?.active ? `; native kernels: ${info.native.reason}` : "";
  return `${info.name} (${info.reason}${native})`;
}

/**
 * Opens the run of a chapter's session: the command-line arguments from the
 * session's options (output `out/chapterN-PROFILE` unless given), the
 * settings with their scaling notes, the backend's line, the stop signal and
 * the settings' checkpoint period.
 *
 * @param spec The chapter, its title, settings, scaling notes and backend.
 * @param options The session's options.
 * @returns The run.
 */
export function openSessionRun(spec: SessionRunSpec, options: SessionRunOptions): ReproRun {
  const profile = spec.settings.profile;
  return new ReproRun({
    chapter: spec.chapter,
    title: spec.title,
    args: {
      profile,
      dataDir: options.dataDir,
      out: options.out ?? `out/chapter${spec.chapter}-${profile}`,
      resume: options.resume ?? false,
      backend: options.backend ?? "auto",
      quiet: options.quiet ?? false,
      help: false,
    },
    settings: { ...spec.settings, scaled: spec.scaled },
    backend: describeBackend(spec.backend),
    signal: options.signal ?? new AbortController().signal,
    checkpointEvery: spec.settings.checkpointEvery,
  });
}
