/**
 * For the chapters' `main_test.ts`: runs a chapter's `main.ts` as
 * `deno task repro:chapterN` would, in a process of its own.
 *
 * Internal: not exported from `mod.ts`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** What a run printed and how it ended. */
export interface MainRun {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * The command that runs `main` with `args` (`NO_COLOR=1`, output piped).
 *
 * @param main URL of the chapter's `main.ts`.
 * @param args Its command line.
 * @returns The command, not started.
 */
export function mainCommand(main: URL, args: readonly string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, fileURLToPath(main), ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
}

/**
 * Runs `main` with `args` to the end.
 *
 * @param main URL of the chapter's `main.ts`.
 * @param args Its command line.
 * @returns Exit code and output.
 */
export async function runMain(main: URL, args: readonly string[]): Promise<MainRun> {
  const out = await mainCommand(main, args).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
