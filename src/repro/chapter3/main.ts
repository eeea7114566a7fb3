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
 * deno task repro:chapter3 --jobs 1             # one process (default: 2 workers on a CPU)
 * ```
 *
 * With `--jobs N` (default 2 on a CPU backend with 2+ cores, 1 on WebGPU
 * and for the smoke profile, whose worker start-up would cost more than it
 * saves), N worker processes share the independent experiments (Table 6 as
 * one, each learned filter as one) by their expected cost, each with its
 * share of the cores (`src/repro/jobs.ts`); this process then takes in
 * their stored results and writes the report.
 *
 * @module
 */
import type { GuidedTask } from "../../guided/tasks.ts";
import { interruptSignal, parseReproArgs, runCli, usage } from "../cli.ts";
import { defaultJobs, JOBS_HELP, parseJobArgs, runWorkers, shareByCost } from "../jobs.ts";
import { Chapter3Session } from "./session.ts";
import { type Chapter3Settings, LEARNED_METHODS, type LearnedMethod, taskKey } from "./settings.ts";

const DATA_HELP =
  "folder with PNG/JPEG images for denoising (standing in for BSDS500) and the Aloe pair aloe_left.jpg, aloe_disparity.png (standing in for NYU Depth V2); default data/";

/**
 * The reproduction.
 *
 * @param argv The command line.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const { rest, jobs: requested, shard } = parseJobArgs(argv);
  const args = parseReproArgs(rest, 3);
  if (args.help) {
    console.log(usage(3, DATA_HELP) + JOBS_HELP);
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
    const plan = planOf(session.settings);
    const share = (count: number) =>
      shareByCost(plan, count, (u) => costOf(u, session.settings), (u) => u.id);
    if (shard) {
      const mine = share(shard.count)[shard.index - 1];
      const total = mine.reduce((n, u) => n + (u.kind === "table6" ? 2 : 1), 0);
      await session.run.group({ total }, async () => {
        for (const u of mine) {
          if (u.kind === "table6") await session.table6();
          else await session.trainLearned([u.method], [u.task]);
        }
      });
      return;
    }
    const jobs = defaultJobs(
      session.backend.name,
      plan.length,
      requested ?? (args.profile === "smoke" ? 1 : undefined),
    );
    if (!args.quiet) {
      console.error(
        `chapter 3, ${args.profile} profile on ${session.backend.name}` +
          `${jobs > 1 ? ` in ${jobs} worker processes` : ""}; output in ${args.out}`,
      );
    }
    if (jobs > 1) {
      await runWorkers({ script: import.meta.url, argv, jobs, signal });
      // the workers' stored results, under the ids the session gives them
      session.denoise = await session.run.load("table6-denoise");
      session.upsample = await session.run.load("table6-upsample");
      for (const u of plan) {
        if (u.kind === "learned") session.learned[u.id] = await session.run.load(u.id);
      }
    } else {
      // One group for all: experiments are numbered 1..N across Table 6 and the learned filters.
      await session.run.group({ total: session.experimentCount }, async () => {
        await session.table6();
        await session.trainLearned();
      });
    }
    await session.summarize();
    await session.run.finish();
  } finally {
    session.dispose();
    dispose();
  }
}

/** A unit of work for a worker: Table 6 (both experiments), or one learned filter. */
type Unit =
  | { kind: "table6"; id: string }
  | { kind: "learned"; id: string; method: LearnedMethod; task: GuidedTask };

function planOf(settings: Chapter3Settings): Unit[] {
  const units: Unit[] = [{ kind: "table6", id: "table6" }];
  for (const task of settings.learnedTasks) {
    for (const method of LEARNED_METHODS) {
      units.push({ kind: "learned", id: `learned-${taskKey(task)}-${method}`, method, task });
    }
  }
  return units;
}

/**
 * Expected cost in seconds on one core, for sharing: the settings' measured
 * ms per training step (quick profile, 64×64 patches: ours / DJF / SVLRM /
 * DGF ≈ 57 / 15 / 9 / 20) and about a minute for Table 6.
 */
function costOf(u: Unit, settings: Chapter3Settings): number {
  if (u.kind === "table6") return 60;
  const msPerStep = { ours: 57, djf: 15, svlrm: 9, dgf: 20 }[u.method];
  return (settings.steps * msPerStep) / 1000;
}

if (import.meta.main) runCli(() => main(Deno.args));
