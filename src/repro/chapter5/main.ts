/**
 * `deno task repro:chapter5`: runs the experiments of thesis chapter 5
 * (Tables 23-31: the oracle background, the cascade and its baselines,
 * occlusion creation against Cutout and CutMix, distilled density maps, the
 * three combined, and the state-of-the-art comparison where the thesis's
 * data sets are given), checks its claims and writes `report.html`,
 * `results.json` and `tables.md`.
 *
 * ```sh
 * deno task repro:chapter5                      # quick profile, the cell sets of data/counting
 * deno task repro:chapter5 --profile smoke      # seconds (CI)
 * deno task repro:chapter5 --resume             # after Ctrl-C: continue
 * deno task repro:chapter5 --jobs 1             # one process (default: 2 workers on a CPU)
 * deno task repro:chapter5 --profile paper --data-dir /data   # ShanghaiTech, UCF-QNRF, ... (GPU)
 * ```
 *
 * With `--jobs N` (`src/repro/jobs.ts`) the experiments run in N worker
 * processes, in two rounds: first the networks others load (the segmenters
 * f_s and the oracle networks, which are also the auxiliary f_a), then the
 * rest; each round is shared between the workers by expected cost. The
 * parent then takes in the stored results and writes the report.
 *
 * @module
 */
import { defaultJobs, JOBS_HELP, parseJobArgs, runWorkers, shareByCost } from "../jobs.ts";
import { interruptSignal, parseReproArgs, runCli, usage, UsageError } from "../cli.ts";
import { chapter5Cost, type Chapter5Experiment } from "./experiments.ts";
import { Chapter5Session } from "./session.ts";

const DATA_HELP =
  "folder holding counting/bbbc039 and counting/vgg_cells (quick, smoke; default data/), or, for --profile paper, ShanghaiTech/part_A, ShanghaiTech/part_B, UCF-QNRF, jhu_crowd_v2.0, TRANCOS_v3 in their own layouts";

/**
 * The two rounds of a plan: the experiments others depend on, then the rest.
 *
 * @param plan The plan.
 * @returns `[dependencies, rest]`, each in plan order.
 */
export function planRounds(plan: readonly Chapter5Experiment[]): Chapter5Experiment[][] {
  const needed = new Set(plan.flatMap((e) => e.after));
  return [plan.filter((e) => needed.has(e.id)), plan.filter((e) => !needed.has(e.id))];
}

/**
 * The reproduction.
 *
 * @param argv The command line.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const job = parseJobArgs(argv, { values: ["round"] });
  const args = parseReproArgs(job.rest, 5);
  if (args.help) {
    console.log(usage(5, DATA_HELP) + JOBS_HELP);
    return;
  }
  const round = job.values.round === undefined ? undefined : Number(job.values.round);
  if (round !== undefined && round !== 0 && round !== 1) {
    throw new UsageError(`--round must be 0 or 1, got "${job.values.round}"`);
  }
  const { signal, dispose } = interruptSignal();
  try {
    const session = await Chapter5Session.open({
      profile: args.profile,
      dataDir: args.dataDir,
      out: args.out,
      resume: args.resume,
      backend: args.backend,
      signal,
      quiet: args.quiet,
      progress: !args.quiet,
    });
    const plan = session.plan();
    const rounds = planRounds(plan);
    const cost = (e: Chapter5Experiment) => chapter5Cost(e, session.settings);
    if (job.shard) {
      // A worker: its share of one round; the networks it loads were stored by round 0.
      const list = rounds[round ?? 0];
      const mine = shareByCost(list, job.shard.count, cost, (e) => e.id)[job.shard.index - 1];
      await session.loadData(mine);
      if (round === 1) await session.load(rounds[0]);
      await session.runExperiments(mine);
      return;
    }
    await session.loadData(plan);
    const jobs = defaultJobs(session.backend.name, plan.length, job.jobs);
    if (!args.quiet) {
      console.error(
        `chapter 5, ${args.profile} profile: ${plan.length} experiments on ${session.backend.name}` +
          `${session.backend.native?.active ? " (native kernels)" : ""}` +
          `${jobs > 1 ? ` in ${jobs} worker processes` : ""}; output in ${args.out}`,
      );
    }
    if (jobs > 1) {
      for (const [k, list] of rounds.entries()) {
        if (list.length === 0) continue;
        const n = Math.min(jobs, list.length);
        await runWorkers({
          script: import.meta.url,
          argv: [...argv, `--round=${k}`],
          jobs: n,
          signal,
        });
      }
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
