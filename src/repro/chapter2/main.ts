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
import { fileURLToPath } from "node:url";
import {
  Interrupted,
  interruptSignal,
  parseReproArgs,
  type ReproArgs,
  runCli,
  usage,
  UsageError,
} from "../cli.ts";
import { CHAPTER2_GROUPS, type Chapter2Experiment, type Chapter2Group } from "./experiments.ts";
import { Chapter2Session, experimentCost } from "./session.ts";
import { summarizeChapter2 } from "./summary.ts";
import type { Chapter2Settings } from "./settings.ts";

const DATA_HELP =
  "folder of PNG/JPEG images used for every role (default: data/ images standing in for Set9/CBSD68, Classic5/LIVE1, Set5/Set14)";

const EXTRA_HELP =
  `  --jobs N                     worker processes sharing the runs (default: 2 on a
                               CPU backend with 2+ cores, 1 on WebGPU)
  --only GROUP[,GROUP...]      run some figures/tables only: ${CHAPTER2_GROUPS.join(", ")}
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
  const rest: string[] = [];
  let jobs: number | undefined;
  let only: Chapter2Group[] = [...CHAPTER2_GROUPS];
  let shard: Chapter2Args["shard"];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--(jobs|only|shard)(?:=(.*))?$/.exec(arg);
    if (!m) {
      rest.push(arg);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === "" || value.startsWith("--")) {
      throw new UsageError(`--${m[1]} needs a value`);
    }
    if (m[1] === "jobs") {
      jobs = Number(value);
      if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) {
        throw new UsageError(`--jobs must be a whole number from 1 to 64, got "${value}"`);
      }
    } else if (m[1] === "only") {
      only = value.split(",").map((g) => g.trim()) as Chapter2Group[];
      const bad = only.find((g) => !(CHAPTER2_GROUPS as readonly string[]).includes(g));
      if (bad !== undefined) {
        throw new UsageError(
          `--only: unknown group "${bad}" (one of ${CHAPTER2_GROUPS.join(", ")})`,
        );
      }
    } else {
      const s = /^(\d+)\/(\d+)$/.exec(value);
      const index = s ? Number(s[1]) : NaN, count = s ? Number(s[2]) : NaN;
      if (!(index >= 1 && index <= count)) {
        throw new UsageError(`--shard must be i/n, got "${value}"`);
      }
      shard = { index, count };
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
  const load = new Array<number>(count).fill(0);
  const owner = new Map<string, number>();
  const byCost = [...plan].sort((a, b) =>
    experimentCost(b, settings) - experimentCost(a, settings) || a.id.localeCompare(b.id)
  );
  for (const e of byCost) {
    const w = load.indexOf(Math.min(...load));
    owner.set(e.id, w);
    load[w] += experimentCost(e, settings);
  }
  return Array.from({ length: count }, (_, w) => plan.filter((e) => owner.get(e.id) === w));
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
    const cores = navigator.hardwareConcurrency ?? 1;
    const jobs = Math.min(
      args.jobs ?? (session.backend.name === "webgpu" ? 1 : Math.min(2, cores)),
      plan.length,
    );
    if (!repro.quiet) {
      console.error(
        `chapter 2, ${repro.profile} profile: ${plan.length} runs on ${session.backend.name}` +
          `${jobs > 1 ? ` in ${jobs} worker processes` : ""}; output in ${repro.out}`,
      );
    }
    if (jobs > 1) {
      await runWorkers(argv, jobs, signal);
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

/** Runs `jobs` copies of this program, each on its share of the runs. */
async function runWorkers(
  argv: readonly string[],
  jobs: number,
  signal: AbortSignal,
): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const config = fileURLToPath(new URL("../../../deno.json", import.meta.url));
  const passOn = argv.filter((a, i) =>
    !/^--jobs(=|$)/.test(a) && !/^--jobs$/.test(argv[i - 1] ?? "")
  );
  const children = Array.from({ length: jobs }, (_, w) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", config, self, ...passOn, "--shard", `${w + 1}/${jobs}`],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const last: string[] = [];
    const pump = (stream: ReadableStream<Uint8Array>, write: (s: string) => void) =>
      stream.pipeThrough(new TextDecoderStream()).pipeThrough(lines()).pipeTo(
        new WritableStream({
          write(line) {
            if (line.trim() === "") return;
            last.push(line);
            if (last.length > 5) last.shift();
            write(`[job ${w + 1}] ${line}\n`);
          },
        }),
      );
    const enc = new TextEncoder();
    const pumped = Promise.all([
      pump(child.stdout, (s) => Deno.stdout.writeSync(enc.encode(s))),
      pump(child.stderr, (s) => Deno.stderr.writeSync(enc.encode(s))),
    ]);
    return { child, last, done: child.status.then(async (st) => (await pumped, st)) };
  });
  // A kill of this process alone reaches the workers too (Ctrl-C reaches all of them at once).
  let forward: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => {
    forward = setTimeout(() => {
      for (const { child } of children) {
        try {
          child.kill("SIGTERM");
        } catch { /* already ended */ }
      }
    }, 3000);
  };
  signal.addEventListener("abort", onAbort);
  const failed: string[] = [];
  let interrupted = false;
  await Promise.all(children.map(async ({ done, last }, w) => {
    const status = await done;
    if (status.code === 0) return;
    if (status.code === 130 || status.signal) interrupted = true;
    else failed.push(`job ${w + 1} failed (exit ${status.code}): ${last.at(-1) ?? ""}`);
    // One worker failing stops the others (they keep their checkpoints).
    for (const other of children) {
      try {
        other.child.kill("SIGTERM");
      } catch { /* already ended */ }
    }
  }));
  signal.removeEventListener("abort", onAbort);
  clearTimeout(forward);
  if (failed.length) throw new Error(failed[0]);
  if (interrupted || signal.aborted) {
    throw new Interrupted(
      "the workers stopped at their checkpoints; run again with --resume to continue",
    );
  }
}

function lines(): TransformStream<string, string> {
  let buffer = "";
  return new TransformStream({
    transform(chunk, controller) {
      buffer += chunk;
      const parts = buffer.split(/\r?\n|\r/);
      buffer = parts.pop() ?? "";
      for (const p of parts) controller.enqueue(p);
    },
    flush(controller) {
      if (buffer) controller.enqueue(buffer);
    },
  });
}

if (import.meta.main) runCli(() => main(Deno.args));
