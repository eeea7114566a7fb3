/**
 * What a subcommand of `deno task count` is given besides its arguments:
 * where its messages go (so that tests can read them), and the backend
 * choice shared by all subcommands.
 *
 * @module
 */
import { type BackendInfo, type BackendKind, useBackend } from "../core/backend.ts";
import type { Flags } from "./args.ts";

/** The environment of a subcommand. */
export interface CountContext {
  /**
   * Prints a result line (stdout).
   *
   * @param line The text.
   */
  out(line: string): void;
  /**
   * Prints a note or progress line (stderr).
   *
   * @param line The text.
   */
  note(line: string): void;
  /** Show training progress (false with `--quiet` and in tests). */
  progress: boolean;
}

/** The console context. */
export const CONSOLE: CountContext = {
  out: (line) => console.log(line),
  note: (line) => console.error(line),
  progress: true,
};

/** The backends `--backend` takes. */
export const BACKENDS: readonly BackendKind[] = ["auto", "wasm", "webgpu", "cpu"];

/** The help line of `--backend` and `--quiet`. */
export const COMMON_HELP =
  `  --backend B        auto (default: WebGPU on a real GPU, else wasm), wasm, webgpu or cpu
  --quiet            no progress, only results and errors
  --help             this text`;

/**
 * Starts the backend chosen by `--backend`.
 *
 * @param flags The parsed flags.
 * @returns The backend in use.
 */
export async function startBackend(flags: Flags): Promise<BackendInfo> {
  const kind = flags.choice("backend", BACKENDS, "auto");
  return await useBackend(kind);
}
