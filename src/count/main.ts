/**
 * `deno task count`: count objects in your own images, and train a counter
 * on a few annotated ones. Subcommands: `predict`, `train`, `eval`, `page`
 * (see {@linkcode COUNT_HELP}). {@linkcode countMain} runs one and returns
 * its exit code (tests call it in-process); run as a script, this module
 * exits with it.
 *
 * @module
 */
import { CONSOLE, type CountContext } from "./context.ts";
import { CountInputError, describeFailure, EXIT } from "./errors.ts";
import { evalCommand } from "./eval.ts";
import { pageCommand } from "./page.ts";
import { predictCommand } from "./predict.ts";
import { trainCommand } from "./train.ts";

/** The top-level help. */
export const COUNT_HELP = `deno task count <command> [options]

Counts objects (cells, nuclei, people, ...) in images with a network that
predicts a density map: a picture whose sum over any region is the number of
objects in it.

  predict   count every image of a folder: counts.csv, density maps, overlays, report.html
            deno task count predict --images my_images/ [--model my_counter/]
  train     train a counter on images with one point marked per object
            deno task count train --images imgs/ --points points/ --out my_counter/
  eval      score a counter on annotated images: MAE, RMSE, NMAE, GAME, per image
            deno task count eval --model my_counter/ --images imgs/ --points points/
  page      write one HTML file that counts an image dropped onto it, offline
            deno task count page --model my_counter/ --out site/

deno task count <command> --help tells more. Exit codes: 0 done, 2 a problem with
what was given (one line says which), 130 interrupted (train: --resume continues),
1 an internal error.
`;

const COMMANDS: Record<string, (args: readonly string[], ctx: CountContext) => Promise<void>> = {
  predict: predictCommand,
  train: trainCommand,
  eval: evalCommand,
  page: pageCommand,
};

/**
 * Runs `deno task count` with `args` and returns the exit code; errors are
 * printed as one line through `ctx.note`.
 *
 * @param args The command line after `count`.
 * @param ctx Where messages go (default the console).
 * @returns The exit code.
 * @example
 * ```ts
 * import { countMain } from "./main.ts";
 * const lines: string[] = [];
 * const ctx = { out: (l: string) => lines.push(l), note: (l: string) => lines.push(l), progress: false };
 * console.log(await countMain(["frobnicate"], ctx), lines[0]);
 * // 2 "error: unknown command "frobnicate": choose predict, train, eval or page (deno task count --help)"
 * ```
 */
export async function countMain(
  args: readonly string[],
  ctx: CountContext = CONSOLE,
): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === undefined || command === "help" || command === "--help" || command === "-h") {
      ctx.out(COUNT_HELP);
      return command === undefined ? EXIT.input : EXIT.ok;
    }
    const run = COMMANDS[command];
    if (!run) {
      throw new CountInputError(
        `unknown command "${command}": choose ${
          Object.keys(COMMANDS).join(", ").replace(/, (\w+)$/, " or $1")
        } (deno task count --help)`,
      );
    }
    const quiet = rest.includes("--quiet");
    await run(rest, quiet ? { ...ctx, progress: false } : ctx);
    return EXIT.ok;
  } catch (e) {
    const { line, code } = describeFailure(e);
    ctx.note(line);
    if (code === EXIT.internal && debugging()) ctx.note(String((e as Error)?.stack ?? e));
    return code;
  }
}

function debugging(): boolean {
  try {
    return Boolean(Deno.env.get("PIXELBIAS_DEBUG"));
  } catch {
    return false;
  }
}

if (import.meta.main) {
  const code = await countMain(Deno.args);
  // Let stdout drain, then exit with the code (tfjs keeps no handles open, but be explicit).
  Deno.exit(code);
}
