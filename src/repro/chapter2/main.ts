/**
 * `deno task repro:chapter2`: runs the experiments of thesis chapter 2,
 * checks its claims and writes `report.html`, `results.json` and `tables.md`.
 *
 * ```sh
 * deno task repro:chapter2                      # quick profile, data/ images
 * deno task repro:chapter2 --profile smoke      # seconds (CI)
 * deno task repro:chapter2 --resume             # after Ctrl-C: continue
 * deno task repro:chapter2 --only fig7,fig8     # some figures only
 * ```
 *
 * @module
 */
import {
  interruptSignal,
  parseReproArgs,
  type ReproArgs,
  runCli,
  usage,
  UsageError,
} from "../cli.ts";
import { defaultJobs, JOBS_HELP, parseJobArgs, runWorkers, shareByCost } from "../jobs.ts";
import { CHAPTER2_GROUPS, type Chapter2Experiment, type Chapter2Group } from "./experiments.ts";
import { Chapter2Session, experimentCost } from "./session.ts";
import { summarizeChapter2 } from "./summary.ts";
import type { Chapter2Settings } from "./settings.ts";

const DATA_HELP =
  "folder of PNG/JPEG images used for every role (default: data/ images standing in for Set9/CBSD68, Classic5/LIVE1, Set5/Set14)";

const EXTRA_HELP = JOBS_HELP +
  `  --only GROUP[,GROUP...]      run some figures/tables only: ${CHAPTER2_GROUPS.join(", ")}
`;

/** The chapter-2 options beyond the shared ones. */
export interface Chapter2Args {
  /** The shared options. */
  repro: ReproArgs;
  /** Worker processes (`undefined`: automatic). */
  jobs?: number;
  /** Groups to run (default all). */
  only: Chapter2Group[];
  /** Internal: this process is worker `index` of `count`. */
  shard?: { index: number; count: number };
}

/**
 * Parses the command line: the shared options of `parseReproArgs` plus
 * `--jobs N`, `--only GROUPS` and the internal `--shard i/n`.
 *
 * @param argv The arguments.
 * @returns The options.
 * @throws {UsageError} For bad values.
 * @example
 * ```ts
 * import { parseChapter2Args } from "./main.ts";
 * const a = parseChapter2Args(["--profile", "smoke", "--jobs", "2", "--only=fig7"]);
 * console.log(a.repro.profile, a.jobs, a.only); // smoke 2 ["fig7"]
 * ```
 */
export function parseChapter2Args(argv: readonly string[]): Chapter2Args {
  const { rest, jobs, shard, values } = parseJobArgs(argv, { values: ["only"] });
  let only: Chapter2Group[] = [...CHAPTER2_GROUPS];
  if (values.only !== undefined) {
    only = values.only.split(",").map((g) => g.trim()) as Chapter2Group[];
    const bad = only.find((g) => !(CHAPTER2_GROUPS as readonly string[]).includes(g));
    if (bad !== undefined) {
      throw new UsageError(
        `--only: unknown group "${bad}" (one of ${CHAPTER2_GROUPS.join(", ")})`,
      );
    }
  }
  return { repro: parseReproArgs(rest, 2), jobs, only, shard };
}

/**
 * Shares runs between `count` workers so that their expected costs are
 * about equal (longest first, each to the least loaded worker).
 *
 * @param plan The runs.
 * @param count Number of workers.
 * @param settings The settings (step budgets).
 * @returns The runs of each worker, in plan order.
 */
export function shareRuns(
  plan: readonly Chapter2Experiment[],
  count: number,
  settings: Chapter2Settings,
): Chapter2Experiment[][] {
  return shareByCost(plan, count, (e) => experimentCost(e, settings), (e) => e.id);
}

/**
 * The reproduction.
 *
 * @param argv The command line.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const args = parseChapter2Args(argv);
  const { repro } = args;
  if (repro.help) {
    console.log(usage(2, DATA_HELP) + EXTRA_HELP);
    return;
  }
  const { signal, dispose } = interruptSignal();
  try {
    const session = await Chapter2Session.open({
      profile: repro.profile,
      dataDir: repro.dataDir,
      out: repro.out,
      resume: repro.resume,
      backend: repro.backend,
      signal,
      quiet: repro.quiet,
    });
    const plan = session.plan(args.only);
    if (args.shard) {
      const mine = shareRuns(plan, args.shard.count, session.settings)[args.shard.index - 1];
      await session.runExperiments(mine);
      return;
    }
    const jobs = defaultJobs(session.backend.name, plan.length, args.jobs);
    if (!repro.quiet) {
      console.error(
        `chapter 2, ${repro.profile} profile: ${plan.length} runs on ${session.backend.name}` +
          `${jobs > 1 ? ` in ${jobs} worker processes` : ""}; output in ${repro.out}`,
      );
    }
    if (jobs > 1) {
      await runWorkers({ script: import.meta.url, argv, jobs, signal });
      await session.load(plan);
    } else {
      await session.runExperiments(plan);
    }
    await summarizeChapter2(session);
    await session.run.finish();
  } finally {
    dispose();
  }
}

if (import.meta.main) runCli(() => main(Deno.args));
