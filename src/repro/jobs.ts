/**
 * Worker processes for the reproductions: `--jobs N` runs N copies of a
 * chapter's entry point, each with `--shard i/N` on its share of the
 * experiments, and the parent then takes in their stored results
 * (`ReproRun.load`) and writes the report. Shared by the chapters that
 * train many independent networks (2, 4, 5).
 *
 * - {@linkcode parseJobArgs} takes `--jobs`, `--shard` (and any further
 *   value options a chapter names) out of the command line;
 * - {@linkcode shareByCost} splits the experiments so that the workers'
 *   expected costs are about equal (longest first, each to the least loaded);
 * - {@linkcode defaultJobs} picks the number of workers when none is given;
 * - {@linkcode runWorkers} starts the workers, prefixes their output with
 *   `[job i]`, forwards an interrupt, and turns a failed worker into one
 *   error (the others are stopped, keeping their checkpoints).
 *
 * The workers' thread count: `src/core/kernels/onednn/threads.ts` reads
 * `--shard i/N` from the arguments and gives each worker its share of the
 * cores.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { Interrupted, UsageError } from "./cli.ts";

/** What {@linkcode parseJobArgs} takes out of a command line. */
export interface JobArgs {
  /** The remaining arguments, in order (for `parseReproArgs`). */
  rest: string[];
  /** `--jobs N` (`undefined`: automatic). */
  jobs?: number;
  /** Internal: this process is worker `index` (1-based) of `count`. */
  shard?: { index: number; count: number };
  /** Values of the further options asked for (`--only fig7` → `{only: "fig7"}`). */
  values: Record<string, string>;
}

/** Options of {@linkcode parseJobArgs}. */
export interface ParseJobArgsOptions {
  /** Further options that take a value, taken out too (e.g. `["only"]`). */
  values?: readonly string[];
  /** Largest `--jobs` (default 64). */
  maxJobs?: number;
}

/**
 * Takes `--jobs N`, `--shard i/n` (and the options in `options.values`) out
 * of a command line, in `--key value` or `--key=value` form.
 *
 * @param argv The arguments.
 * @param options Further value options.
 * @returns The worker options and the remaining arguments.
 * @throws {UsageError} For a missing or bad value.
 * @example
 * ```ts
 * import { parseJobArgs } from "./jobs.ts";
 * const a = parseJobArgs(["--profile", "smoke", "--jobs=2"]);
 * console.log(a.jobs, a.rest); // 2 ["--profile", "smoke"]
 * ```
 */
export function parseJobArgs(
  argv: readonly string[],
  options: ParseJobArgsOptions = {},
): JobArgs {
  const extra = options.values ?? [];
  const maxJobs = options.maxJobs ?? 64;
  const rest: string[] = [];
  const values: Record<string, string> = {};
  let jobs: number | undefined;
  let shard: JobArgs["shard"];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !(m[1] === "jobs" || m[1] === "shard" || extra.includes(m[1]))) {
      rest.push(arg);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === "" || value.startsWith("--")) {
      throw new UsageError(`--${m[1]} needs a value`);
    }
    if (m[1] === "jobs") {
      jobs = Number(value);
      if (!Number.isInteger(jobs) || jobs < 1 || jobs > maxJobs) {
        throw new UsageError(`--jobs must be a whole number from 1 to ${maxJobs}, got "${value}"`);
      }
    } else if (m[1] === "shard") {
      const s = /^(\d+)\/(\d+)$/.exec(value);
      const index = s ? Number(s[1]) : NaN, count = s ? Number(s[2]) : NaN;
      if (!(index >= 1 && index <= count)) {
        throw new UsageError(`--shard must be i/n, got "${value}"`);
      }
      shard = { index, count };
    } else {
      values[m[1]] = value;
    }
  }
  return { rest, jobs, shard, values };
}

/** The help lines of `--jobs`. */
export const JOBS_HELP =
  `  --jobs N                     worker processes sharing the runs (default: 2 on a
                               CPU backend with 2+ cores, 1 on WebGPU)
`;

/**
 * Shares items between `count` workers so that their summed costs are about
 * equal: the costliest first, each to the least loaded worker (ties by key,
 * so every process computes the same shares).
 *
 * @param items The experiments.
 * @param count Number of workers (≥ 1).
 * @param cost Expected cost of an item (any unit).
 * @param key A unique key of an item (its id).
 * @returns The items of each worker, each list in the items' order.
 * @example
 * ```ts
 * import { shareByCost } from "./jobs.ts";
 * const shares = shareByCost([5, 3, 2, 2], 2, (x) => x, (x) => String(x));
 * console.log(shares.map((s) => s.reduce((a, b) => a + b, 0))); // [7, 5]
 * ```
 */
export function shareByCost<T>(
  items: readonly T[],
  count: number,
  cost: (item: T) => number,
  key: (item: T) => string,
): T[][] {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`count must be a whole number ≥ 1, got ${count}`);
  }
  const load = new Array<number>(count).fill(0);
  const owner = new Array<number>(items.length);
  const byCost = [...items.keys()].sort((a, b) =>
    cost(items[b]) - cost(items[a]) || key(items[a]).localeCompare(key(items[b]))
  );
  for (const i of byCost) {
    const w = load.indexOf(Math.min(...load));
    owner[i] = w;
    load[w] += cost(items[i]);
  }
  return Array.from({ length: count }, (_, w) => items.filter((_, i) => owner[i] === w));
}

/**
 * The number of workers: `requested` if given, else 1 on WebGPU (one GPU)
 * and up to 2 on a CPU backend; never more than the items.
 *
 * @param backend The backend's name.
 * @param items Number of experiments to share.
 * @param requested `--jobs`.
 * @returns The count (≥ 1).
 */
export function defaultJobs(backend: string, items: number, requested?: number): number {
  const cores = navigator.hardwareConcurrency ?? 1;
  const auto = backend === "webgpu" ? 1 : Math.min(2, cores);
  return Math.max(1, Math.min(requested ?? auto, items));
}

/** Options of {@linkcode runWorkers}. */
export interface RunWorkersOptions {
  /** The entry point to run (a path or a `file:` URL), e.g. the chapter's `main.ts`. */
  script: string | URL;
  /** The parent's command line; `--jobs` is removed and `--shard i/N` added. */
  argv: readonly string[];
  /** Number of workers. */
  jobs: number;
  /** The parent's interrupt signal: forwarded to the workers. */
  signal: AbortSignal;
  /** The Deno configuration file (default the repository's `deno.json`). */
  config?: string;
}

/**
 * Runs `jobs` copies of `script`, worker `i` with `--shard i/jobs`, and
 * waits for all of them. Their output lines are passed on prefixed with
 * `[job i]`. A worker that fails stops the others (they keep their
 * checkpoints) and becomes one error naming its last line; an interrupt
 * (Ctrl-C reaches all of them; a kill of the parent alone is forwarded after
 * 3 s) becomes {@linkcode Interrupted}.
 *
 * @param options Script, arguments, count, signal.
 * @throws {Error} When a worker failed.
 * @throws {Interrupted} When the workers were stopped.
 */
export async function runWorkers(options: RunWorkersOptions): Promise<void> {
  const { argv, jobs, signal } = options;
  const self = options.script instanceof URL || options.script.startsWith("file:")
    ? fileURLToPath(options.script)
    : options.script;
  const config = options.config ?? fileURLToPath(new URL("../../deno.json", import.meta.url));
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

/** Splits a text stream into lines (`\n`, `\r\n` or a lone `\r`, as a progress bar redraws). */
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
