/**
 * The errors of `deno task count` and how they end the program: a bad input
 * (a flag, a folder, a file, a model) is one line on stderr and exit code
 * 2; an interrupted training run says how to resume and exits 130; anything
 * else is an internal error, one line and exit code 1 (the stack only with
 * `PIXELBIAS_DEBUG=1`). Never a stack trace for something the user gave.
 *
 * @module
 */
import { AnnotationError } from "../counting/annotation_error.ts";
import { DatasetLayoutError } from "../counting/layouts.ts";
import { ImageReadError } from "../io/format.ts";

/** Something wrong with what the user gave: printed as one line, exit code 2. */
export class CountInputError extends Error {
  /**
   * Makes the error.
   *
   * @param message What is wrong and, where it helps, what to do instead.
   */
  constructor(message: string) {
    super(message);
    this.name = "CountInputError";
  }
}

/** A training run stopped by Ctrl-C or SIGTERM after writing its checkpoint: exit code 130. */
export class CountInterrupted extends Error {
  /**
   * Makes the error.
   *
   * @param message Where it stopped and how to continue.
   */
  constructor(message: string) {
    super(message);
    this.name = "CountInterrupted";
  }
}

/** Exit codes of `deno task count`. */
export const EXIT = { ok: 0, internal: 1, input: 2, interrupted: 130 } as const;

/**
 * Whether an error is about the user's input: our own input errors, and the
 * readers' errors that name a file (images, annotations, dataset folders).
 *
 * @param error Anything thrown.
 * @returns True for input errors.
 */
export function isInputError(error: unknown): boolean {
  return error instanceof CountInputError || error instanceof ImageReadError ||
    error instanceof AnnotationError || error instanceof DatasetLayoutError;
}

/**
 * Runs `work` and turns any error it throws into a {@linkcode CountInputError}
 * with `context` in front: for steps that only read what the user gave
 * (opening a model, reading annotations), where every failure is the input's.
 *
 * @param context E.g. `--model out/m`.
 * @param work The step.
 * @returns What `work` returns.
 */
export async function asInput<T>(context: string, work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof CountInputError) throw e;
    const message = (e as Error)?.message ?? String(e);
    throw new CountInputError(context ? `${context}: ${message}` : message);
  }
}

/**
 * The one line and the exit code for an error.
 *
 * @param error Anything thrown.
 * @returns The line (without a trailing newline) and the code.
 */
export function describeFailure(error: unknown): { line: string; code: number } {
  const message = oneLine((error as Error)?.message ?? String(error));
  if (error instanceof CountInterrupted) {
    return { line: `interrupted: ${message}`, code: EXIT.interrupted };
  }
  if (isInputError(error)) return { line: `error: ${message}`, code: EXIT.input };
  return { line: `internal error: ${message}`, code: EXIT.internal };
}

/** Collapses whitespace and newlines so that a message stays one line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
