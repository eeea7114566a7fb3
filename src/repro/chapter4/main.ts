/**
 * `deno task repro:chapter4`: runs the experiments of thesis chapter 4
 * (focus for free: Tables 15–22 and Fig. 39), checks its claims and writes
 * `report.html`, `results.json` and `tables.md`.
 *
 * ```sh
 * deno task repro:chapter4                      # quick profile, the cell sets of data/counting
 * deno task repro:chapter4 --profile smoke      # seconds (CI)
 * deno task repro:chapter4 --resume             # after Ctrl-C: continue
 * deno task repro:chapter4 --jobs 1             # one process (default: 2 workers on a CPU)
 * deno task repro:chapter4 --profile paper --data-dir /data/counting   # the thesis's datasets
 * ```
 *
 * @module
 */
import { interruptSignal, parseReproArgs, runCli, usage } from "../cli.ts";
import { defaultJobs, JOBS_HELP, parseJobArgs, runWorkers, shareByCost } from "../jobs.ts";
import { Chapter4Session } from "./session.ts";

const DATA_HELP =
  "folder holding the datasets' folders (default data/counting: bbbc039/, vgg_cells/, adipocyte/ in the project's JSON layout); for --profile paper: shanghaitech/part_A, shanghaitech/part_B (ShanghaiTech layout), trancos/ (TRANCOS layout), dcc/ (dot images), wider_face/ (JSON layout with boxes, split.json with train and val)";

/**
 * The reproduction.
 *
 * @param argv The command line.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const { rest, jobs: requested, shard } = parseJobArgs(argv);
  const args = parseReproArgs(rest, 4);
  if (args.help) {
    console.log(usage(4, DATA_HELP) + JOBS_HELP);
    return;
  }
  const { signal, dispose } = interruptSignal();
  try {
    const session = await Chapter4Session.open({
      profile: args.profile,
      dataDir: args.dataDir,
      out: args.out,
      resume: args.resume,
      backend: args.backend,
      signal,
      quiet: args.quiet,
    });
    const plan = session.plan();
    const share = (count: number) => shareByCost(plan, count, (e) => session.cost(e), (e) => e.id);
    if (shard) {
      await session.runExperiments(share(shard.count)[shard.index - 1]);
      return;
    }
    const jobs = defaultJobs(session.backend.name, plan.length, requested);
    if (!args.quiet) {
      console.error(
        `chapter 4, ${args.profile} profile: ${plan.length} training runs on ${session.backend.name}` +
          `${jobs > 1 ? ` in ${jobs} worker processes` : ""}; output in ${args.out}`,
      );
    }
    await session.analyseObjects();
    if (jobs > 1) {
      await runWorkers({ script: import.meta.url, argv, jobs, signal });
      await session.load(plan);
    } else {
      await session.runExperiments(plan);
    }
    await session.summarize();
    await session.run.finish();
  } finally {
    dispose();
  }
}

if (import.meta.main) runCli(() => main(Deno.args));
