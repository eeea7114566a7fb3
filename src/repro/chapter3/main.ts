/**
 * `deno task repro:chapter3`: runs the experiments of thesis chapter 3
 * (Table 6 with the classical filters, the learned filters of Tables 7 and
 * 8), checks its claims and writes `report.html`, `results.json` and
 * `tables.md`.
 *
 * ```sh
 * deno task repro:chapter3                      # quick profile, data/ images
 * deno task repro:chapter3 --profile smoke      # seconds (CI)
 * deno task repro:chapter3 --resume             # after Ctrl-C: continue
 * ```
 *
 * @module
 */
import { interruptSignal, parseReproArgs, runCli, usage } from "../cli.ts";
import { Chapter3Session } from "./session.ts";

const DATA_HELP =
  "folder with PNG/JPEG images for denoising (standing in for BSDS500) and the Aloe pair aloe_left.jpg, aloe_disparity.png (standing in for NYU Depth V2); default data/";

/**
 * The reproduction.
 *
 * @param argv The command line.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const args = parseReproArgs(argv, 3);
  if (args.help) {
    console.log(usage(3, DATA_HELP));
    return;
  }
  const { signal, dispose } = interruptSignal();
  const session = await Chapter3Session.open({
    profile: args.profile,
    dataDir: args.dataDir,
    out: args.out,
    resume: args.resume,
    backend: args.backend,
    signal,
    quiet: args.quiet,
  });
  try {
    if (!args.quiet) {
      console.error(
        `chapter 3, ${args.profile} profile on ${session.backend.name}; output in ${args.out}`,
      );
    }
    // One group for all: experiments are numbered 1..N across Table 6 and the learned filters.
    await session.run.group({ total: session.experimentCount }, async () => {
      await session.table6();
      await session.trainLearned();
    });
    await session.summarize();
    await session.run.finish();
  } finally {
    session.dispose();
    dispose();
  }
}

if (import.meta.main) runCli(() => main(Deno.args));
