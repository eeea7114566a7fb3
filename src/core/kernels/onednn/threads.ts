/**
 * How many threads oneDNN may use, and setting it.
 *
 * oneDNN's OpenMP workers spin while they wait for work; when threads ×
 * processes exceed the cores (two `--jobs` workers, `deno test --parallel`,
 * a busy machine) they preempt each other and a 2-thread convolution takes
 * twice as long as a 1-thread one. So the count is chosen per process:
 *
 * 1. the `threads` option, if given;
 * 2. `PIXELBIAS_THREADS=N`;
 * 3. the cores divided by the processes sharing them: `PIXELBIAS_JOBS=N`,
 *    or `--shard i/N` in the program's arguments (the chapter runners'
 *    worker processes), or the workers of `deno test --parallel` (Linux:
 *    read from `/proc/self/cmdline`; `DENO_JOBS` or one per core);
 * 4. otherwise every core (`navigator.hardwareConcurrency`).
 *
 * Debian's `libdnnl2` uses GNU OpenMP (`libgomp`): the count is set with
 * `omp_set_num_threads` from the OpenMP library oneDNN loaded, and
 * `OMP_WAIT_POLICY` defaults to `PASSIVE` (set before oneDNN loads, unless
 * the environment sets it) so that idle workers sleep instead of spinning.
 * A TBB or sequential build keeps its own threading, reported as such.
 *
 * @module
 */
import { granted, type OneDnnVersion, readEnv } from "./library.ts";

/** Environment variable with the thread count. */
export const THREADS_ENV = "PIXELBIAS_THREADS";
/** Environment variable with the number of processes sharing the cores. */
export const JOBS_ENV = "PIXELBIAS_JOBS";

/** What decides the thread count (see the module doc). */
export interface ThreadContext {
  /** The `threads` option. */
  requested?: number;
  /** `PIXELBIAS_THREADS`. */
  env?: string;
  /** `PIXELBIAS_JOBS`. */
  jobsEnv?: string;
  /** The program's arguments (`--shard i/N`). */
  args?: readonly string[];
  /** The process's command line (`deno test --parallel`). */
  cmdline?: readonly string[];
  /** `DENO_JOBS`. */
  denoJobs?: string;
  /** Cores available to this process. */
  cores: number;
}

/** A chosen thread count and why. */
export interface ThreadChoice {
  /** Threads for oneDNN. */
  threads: number;
  /** Why, in a few words. */
  source: string;
}

function positiveInt(s: string | undefined): number | undefined {
  if (s === undefined || !/^\s*\d+\s*$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 ? n : undefined;
}

/**
 * Processes sharing the cores with this one, from the context.
 *
 * @param c The context.
 * @returns The count and where it came from, or `undefined` for one process.
 */
function sharers(c: ThreadContext): { jobs: number; source: string } | undefined {
  const jobs = positiveInt(c.jobsEnv);
  if (jobs !== undefined) return { jobs, source: `${JOBS_ENV}=${jobs}` };
  const args = c.args ?? [];
  for (let i = 0; i < args.length; i++) {
    const m = /^--shard(?:=(.*))?$/.exec(args[i]!);
    if (!m) continue;
    const n = /^\d+\/(\d+)$/.exec(m[1] ?? args[i + 1] ?? "");
    if (n) return { jobs: Number(n[1]), source: `--shard of ${n[1]}` };
  }
  const cmd = c.cmdline ?? [];
  const sub = cmd.findIndex((a) => a === "test");
  if (sub >= 0 && cmd.slice(sub + 1).includes("--parallel")) {
    const n = positiveInt(c.denoJobs) ?? c.cores;
    return { jobs: n, source: `deno test --parallel with ${n} workers` };
  }
  return undefined;
}

/**
 * Chooses oneDNN's thread count (see the module doc for the order).
 *
 * @param c What is known about the process.
 * @returns The count (at least 1, at most the cores unless requested) and why.
 * @example
 * ```ts
 * import { chooseThreads } from "./threads.ts";
 * const alone = chooseThreads({ cores: 8 });
 * const shared = chooseThreads({ cores: 8, jobsEnv: "3" });
 * if (alone.threads !== 8 || shared.threads !== 2) throw new Error();
 * ```
 */
export function chooseThreads(c: ThreadContext): ThreadChoice {
  const cores = Math.max(1, Math.floor(c.cores));
  if (c.requested !== undefined) {
    if (!Number.isInteger(c.requested) || c.requested < 1) {
      throw new RangeError(
        `threads must be a positive integer, got ${typeof c.requested} ${c.requested}`,
      );
    }
    return { threads: c.requested, source: "threads option" };
  }
  const env = positiveInt(c.env);
  if (env !== undefined) return { threads: env, source: `${THREADS_ENV}=${env}` };
  const shared = sharers(c);
  if (shared !== undefined) {
    return {
      threads: Math.max(1, Math.floor(cores / shared.jobs)),
      source: `${cores} cores shared by ${shared.source}`,
    };
  }
  return { threads: cores, source: `all ${cores} cores` };
}

/**
 * The context of this process: option, environment, arguments and (Linux)
 * command line, each read only if permitted.
 *
 * @param requested The `threads` option.
 * @returns The context for {@linkcode chooseThreads}.
 */
export function processThreadContext(requested?: number): ThreadContext {
  let cmdline: string[] | undefined;
  const path = "/proc/self/cmdline";
  if (Deno.build.os === "linux" && granted({ name: "read", path })) {
    try {
      cmdline = Deno.readTextFileSync(path).split("\0");
    } catch { /* not there */ }
  }
  return {
    requested,
    env: readEnv(THREADS_ENV),
    jobsEnv: readEnv(JOBS_ENV),
    args: Deno.args,
    cmdline,
    denoJobs: readEnv("DENO_JOBS"),
    cores: navigator.hardwareConcurrency ?? 1,
  };
}

/** Sets and reads the thread count of oneDNN's threading runtime. */
export interface ThreadControl {
  /** `"omp"` when the count can be set, else the runtime's name. */
  runtime: OneDnnVersion["cpuRuntime"];
  /** The OpenMP library, when found. */
  library?: string;
  /** Sets the count (no-op when it cannot be set). */
  set(threads: number): void;
  /** The count oneDNN will use, or `undefined` when unknown. */
  get(): number | undefined;
  /** Why the count cannot be set, if it cannot. */
  note?: string;
}

const OMP_NAMES: Readonly<Record<string, readonly string[]>> = {
  linux: ["libgomp.so.1", "libomp.so.5", "libomp.so", "libiomp5.so"],
  darwin: ["libomp.dylib", "libiomp5.dylib"],
  windows: ["vcomp140.dll", "libiomp5md.dll", "libomp140.x86_64.dll"],
};

/**
 * The OpenMP libraries loaded in this process (Linux: `/proc/self/maps`), so
 * that the one oneDNN links to is the one controlled.
 *
 * @returns Paths of loaded OpenMP runtimes.
 */
function loadedOpenMp(): string[] {
  const path = "/proc/self/maps";
  if (Deno.build.os !== "linux" || !granted({ name: "read", path })) return [];
  try {
    const found = new Set<string>();
    for (const line of Deno.readTextFileSync(path).split("\n")) {
      const m = /\s(\/\S*\/lib(?:gomp|omp|iomp5)\.so[.\d]*)$/.exec(line);
      if (m) found.add(m[1]!);
    }
    return [...found];
  } catch {
    return [];
  }
}

const OMP_SYMBOLS = {
  omp_set_num_threads: { parameters: ["i32"], result: "void" },
  omp_get_max_threads: { parameters: [], result: "i32" },
} as const;

/**
 * Sets `OMP_WAIT_POLICY=PASSIVE` unless the environment chose a policy; call
 * before oneDNN (and its OpenMP runtime) loads, as OpenMP reads it then.
 *
 * @returns The policy in effect.
 */
export function preferPassiveWaiting(): string {
  const name = "OMP_WAIT_POLICY";
  if (!granted({ name: "env", variable: name })) return "unknown (no --allow-env)";
  const current = Deno.env.get(name);
  if (current !== undefined && current !== "") return current;
  Deno.env.set(name, "PASSIVE");
  return "PASSIVE";
}

/**
 * Binds the thread control of oneDNN's runtime (after oneDNN is loaded).
 *
 * @param runtime oneDNN's CPU runtime.
 * @returns The control.
 */
export function threadControl(runtime: OneDnnVersion["cpuRuntime"]): ThreadControl {
  if (runtime !== "omp") {
    return {
      runtime,
      set() {},
      get: () => (runtime === "seq" ? 1 : undefined),
      note: `oneDNN's ${runtime} runtime keeps its own thread count`,
    };
  }
  for (const path of [...loadedOpenMp(), ...(OMP_NAMES[Deno.build.os] ?? [])]) {
    try {
      const lib = Deno.dlopen(path, OMP_SYMBOLS);
      return {
        runtime,
        library: path,
        set: (n) => lib.symbols.omp_set_num_threads(n),
        get: () => lib.symbols.omp_get_max_threads(),
      };
    } catch { /* next */ }
  }
  return {
    runtime,
    set() {},
    get: () => undefined,
    note: "OpenMP runtime not found: set OMP_NUM_THREADS before starting",
  };
}
