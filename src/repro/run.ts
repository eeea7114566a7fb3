/**
 * A reproduction run: named experiments whose results are stored on disk (so
 * `--resume` reuses finished ones and continues unfinished ones from their
 * checkpoints), claims, tables, and the report files written at the end.
 *
 * Experiments run in groups ({@linkcode ReproRun.group}), each a progress
 * group (`src/core/progress_group.ts`): one display that updates in place in
 * a notebook, `experiment i/N` lines in a terminal, nothing with `--quiet`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import {
  activeProgressGroup,
  type ProgressGroupOptions,
  withProgressGroup,
} from "../core/progress_group.ts";
import { writeImage } from "../io/mod.ts";
import type { Figure } from "../plot/mod.ts";
import { type ReportSection, writeReport } from "../plot/mod.ts";
import { type Claim, formatClaim } from "./claims.ts";
import { Interrupted, type ReproArgs } from "./cli.ts";
import { formatCell, markdownTable, type Table } from "./table.ts";

/** What an experiment gets from the run. */
export interface ExperimentContext {
  /** The experiment's identifier. */
  id: string;
  /** Its folder (images, checkpoint). */
  dir: string;
  /** Checkpoint options for `optimize`/`fitDip`: pass `checkpoint`, `resume` and `signal` on. */
  checkpoint: { dir: string; every: number };
  /** Whether to resume from the checkpoint. */
  resume: boolean;
  /** Raised by Ctrl-C or SIGTERM. */
  signal: AbortSignal;
  /**
   * Throws {@linkcode Interrupted} when a loop ended on the signal, so that an
   * unfinished experiment is not stored as finished.
   */
  ensureFinished(result: { stopped: string; steps?: number }): void;
  /** Writes `image` as `<dir>/<name>.png` and returns the path. */
  saveImage(name: string, image: tf.Tensor3D): Promise<string>;
}

/** Options of {@linkcode ReproRun}. */
export interface ReproRunOptions {
  /** Chapter number. */
  chapter: number;
  /** Report title. */
  title: string;
  /** Parsed command line. */
  args: ReproArgs;
  /** The settings in force (what the profile scaled), stored in results.json. */
  settings: unknown;
  /** Backend description, stored in the report. */
  backend: string;
  /** Interrupt signal (from `interruptSignal()`). */
  signal: AbortSignal;
  /** Checkpoint period in steps for experiments (default 250). */
  checkpointEvery?: number;
  /**
   * How groups of experiments show progress: mode (default `"silent"` with
   * `args.quiet`, else `"auto"`) and, for tests, the clock and outputs.
   */
  progress?: Pick<ProgressGroupOptions, "mode" | "now" | "write" | "display">;
}

/** Options of {@linkcode ReproRun.group}. */
export interface RunGroupOptions {
  /** Number of experiments in the group (default: counted as they come). */
  total?: number;
  /** Their expected cost in the units of each experiment's `cost`, for the ETA (default `total`). */
  cost?: number;
  /** Name shown in the notebook display and its summary (default none). */
  label?: string;
}

/** Options of {@linkcode ReproRun.experiment}. */
export interface ExperimentOptions {
  /** Expected cost relative to the group's other experiments, for the ETA (default 1). */
  cost?: number;
}

/**
 * The state of one reproduction.
 *
 * @example
 * ```ts ignore
 * const run = new ReproRun({ chapter: 2, title: "Chapter 2", args, settings, backend, signal });
 * const r = await run.group({ total: 1, label: "denoising" }, () =>
 *   run.experiment("denoise-25", "denoising σ=25", async (ctx) => ({ psnr: 28.1 })));
 * run.addClaim(claim("x", "...", r.psnr > 27, `${r.psnr}`));
 * await run.finish();
 * ```
 */
export class ReproRun {
  /** Results by experiment id, in the order they ran. */
  readonly results: Record<string, unknown> = {};
  /** Claims checked so far. */
  readonly claims: Claim[] = [];
  /** Tables so far. */
  readonly tables: Table[] = [];
  /** Report sections so far. */
  readonly sections: ReportSection[] = [];
  readonly #options: ReproRunOptions;
  readonly #started = performance.now();

  /**
   * Starts a run.
   *
   * @param options See {@linkcode ReproRunOptions}.
   */
  constructor(options: ReproRunOptions) {
    this.#options = options;
  }

  /** The output folder. */
  get out(): string {
    return this.#options.args.out;
  }

  /**
   * Runs `fn`, which runs experiments, as one progress group: in a notebook
   * one display showing the current experiment, its bar and the ETA, ending
   * as a one-line summary (run, reused, wall time); in a terminal the
   * `experiment i/N: label` lines; nothing with `--quiet`. A group inside
   * another joins it (its experiments count in the enclosing group).
   *
   * @param options Number of experiments, cost, label.
   * @param fn Runs the experiments.
   * @returns What `fn` returns.
   */
  group<T>(options: RunGroupOptions, fn: () => Promise<T>): Promise<T> {
    const { args, progress } = this.#options;
    return withProgressGroup({
      ...options,
      noun: "experiment",
      mode: progress?.mode ?? (args.quiet ? "silent" : "auto"),
      now: progress?.now,
      write: progress?.write,
      display: progress?.display,
    }, fn);
  }

  /**
   * Runs (or, with `--resume`, reuses) one experiment. Its result must be
   * JSON-serialisable; it is stored in `runs/<id>/result.json`. It counts in
   * the active group ({@linkcode ReproRun.group}), or in a group of its own.
   *
   * @param id Identifier (letters, digits, `-`, `_`, `.`).
   * @param label What it is, for the log.
   * @param fn The experiment.
   * @param options Its cost, for the ETA.
   * @returns The result.
   */
  async experiment<T>(
    id: string,
    label: string,
    fn: (ctx: ExperimentContext) => Promise<T>,
    options: ExperimentOptions = {},
  ): Promise<T> {
    if (!/^[\w.-]+$/.test(id)) throw new RangeError(`experiment id "${id}" has odd characters`);
    if (id in this.results) throw new RangeError(`experiment id "${id}" is used twice`);
    const group = activeProgressGroup();
    if (!group) return this.group({ total: 1 }, () => this.experiment(id, label, fn, options));
    const { args, signal } = this.#options;
    const dir = `${args.out}/runs/${id}`;
    const resultFile = `${dir}/result.json`;
    const task = group.task(label, { cost: options.cost });
    if (args.resume) {
      try {
        const stored = JSON.parse(await Deno.readTextFile(resultFile)) as T;
        task.reuse(`reused from ${resultFile}`);
        this.results[id] = stored;
        return stored;
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) {
          task.warn(`stored result unreadable (${(e as Error).message}); running again`);
        }
      }
    }
    if (signal.aborted) {
      task.fail();
      throw new Interrupted(`before ${label}; run again with --resume`);
    }
    await Deno.mkdir(dir, { recursive: true });
    task.start();
    const ctx: ExperimentContext = {
      id,
      dir,
      checkpoint: { dir: `${dir}/checkpoint`, every: this.#options.checkpointEvery ?? 250 },
      resume: args.resume,
      signal,
      ensureFinished(result) {
        if (result.stopped === "signal") {
          throw new Interrupted(
            `${label} stopped at step ${
              result.steps ?? "?"
            } with a checkpoint in ${dir}/checkpoint; ` +
              `run again with --resume to continue`,
          );
        }
      },
      async saveImage(name, image) {
        const path = `${dir}/${name}.png`;
        await writeImage(path, image);
        return path;
      },
    };
    let result: T;
    try {
      result = await fn(ctx);
      await Deno.writeTextFile(resultFile, JSON.stringify(result));
    } catch (e) {
      task.fail();
      throw e;
    }
    // The result is stored: the checkpoint (weights, optimiser slots) is no longer needed.
    await Deno.remove(ctx.checkpoint.dir, { recursive: true }).catch(() => {});
    task.done();
    this.results[id] = result;
    return result;
  }

  /**
   * Takes in the stored result of an experiment that another process (a
   * worker running part of the same reproduction) finished, as if
   * {@linkcode ReproRun.experiment} had run it here.
   *
   * @param id The experiment's identifier.
   * @returns The stored result.
   * @throws {Error} When `runs/<id>/result.json` is missing or unreadable.
   */
  async load<T>(id: string): Promise<T> {
    const file = `${this.#options.args.out}/runs/${id}/result.json`;
    let stored: T;
    try {
      stored = JSON.parse(await Deno.readTextFile(file)) as T;
    } catch (e) {
      throw new Error(`no stored result for experiment "${id}" (${file}): ${(e as Error).message}`);
    }
    this.results[id] = stored;
    return stored;
  }

  /**
   * Records a checked claim and prints it.
   *
   * @param c The claim.
   */
  addClaim(c: Claim): void {
    this.claims.push(c);
  }

  /**
   * Records a table (for tables.md and the report).
   *
   * @param t The table.
   */
  addTable(t: Table): void {
    this.tables.push(t);
  }

  /**
   * Adds a report section.
   *
   * @param s The section.
   */
  addSection(s: ReportSection): void {
    this.sections.push(s);
  }

  /**
   * Adds a section holding figures.
   *
   * @param heading The heading.
   * @param text Prose.
   * @param figures The figures.
   */
  addFigures(heading: string, text: string, figures: Figure[]): void {
    this.sections.push({ heading, text, figures });
  }

  /**
   * Writes `results.json`, `tables.md` and `report.html`, prints the claims,
   * and returns them.
   *
   * @returns The claims.
   */
  async finish(): Promise<Claim[]> {
    const { args, chapter, title, settings, backend } = this.#options;
    const seconds = (performance.now() - this.#started) / 1000;
    await Deno.mkdir(args.out, { recursive: true });
    const header = [
      `Profile: ${args.profile}. Backend: ${backend}. Data: ${
        args.dataDir ?? "data/ (the repository's images)"
      }.`,
      `Wall time of this invocation: ${seconds.toFixed(0)} s${
        args.resume ? " (resumed; reused experiments not counted)" : ""
      }.`,
    ];
    await Deno.writeTextFile(
      `${args.out}/results.json`,
      JSON.stringify(
        {
          chapter,
          title,
          profile: args.profile,
          backend,
          dataDir: args.dataDir ?? null,
          settings,
          wallSeconds: seconds,
          claims: this.claims,
          tables: this.tables,
          experiments: this.results,
        },
        null,
        1,
      ),
    );
    const md = [
      `# ${title}: measured vs thesis`,
      "",
      ...header,
      "",
      ...this.tables.map((t) => markdownTable(t)),
      "## Claims",
      "",
      ...this.claims.map((c) => `- ${formatClaim(c)}`),
      "",
    ].join("\n");
    await Deno.writeTextFile(`${args.out}/tables.md`, md);
    await writeReport(`${args.out}/report.html`, {
      title,
      sections: [
        { heading: "Run", text: header.join("\n\n") },
        {
          heading: "Claims",
          tables: [{
            columns: ["verdict", "claim", "numbers"],
            rows: this.claims.map((c) => [
              c.passed === null ? "SKIP" : c.passed ? "PASS" : "FAIL",
              c.statement,
              c.detail,
            ]),
          }],
        },
        ...this.sections,
        ...this.tables.map((t) => ({
          heading: t.title,
          text: (t.notes ?? []).join("\n\n"),
          tables: [{ columns: t.columns, rows: t.rows.map((r) => r.map((c) => formatCell(c))) }],
        })),
      ],
    });
    console.log(`\nClaims of chapter ${chapter} (${args.profile} profile):`);
    for (const c of this.claims) console.log(formatClaim(c));
    console.log(
      `\nWrote ${args.out}/report.html, results.json, tables.md (${seconds.toFixed(0)} s)`,
    );
    return this.claims;
  }
}
