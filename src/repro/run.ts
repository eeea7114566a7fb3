/**
 * A reproduction run: named experiments whose results are stored on disk (so
 * `--resume` reuses finished ones and continues unfinished ones from their
 * checkpoints), claims, tables, and the report files written at the end.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
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
  /** Number of experiments expected; log lines then read `experiment i/N: label`. */
  total?: number;
}

/**
 * The state of one reproduction.
 *
 * @example
 * ```ts ignore
 * const run = new ReproRun({ chapter: 2, title: "Chapter 2", args, settings, backend, signal });
 * const r = await run.experiment("denoise-25", "denoising σ=25", async (ctx) => ({ psnr: 28.1 }));
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
  #count = 0;
  /** Number of experiments expected (for `experiment i/N` log lines); may be set later. */
  total?: number;

  /**
   * Starts a run.
   *
   * @param options See {@linkcode ReproRunOptions}.
   */
  constructor(options: ReproRunOptions) {
    this.#options = options;
    this.total = options.total;
  }

  /** The output folder. */
  get out(): string {
    return this.#options.args.out;
  }

  /**
   * Runs (or, with `--resume`, reuses) one experiment. Its result must be
   * JSON-serialisable; it is stored in `runs/<id>/result.json`.
   *
   * @param id Identifier (letters, digits, `-`, `_`, `.`).
   * @param label What it is, for the log.
   * @param fn The experiment.
   * @returns The result.
   */
  async experiment<T>(
    id: string,
    label: string,
    fn: (ctx: ExperimentContext) => Promise<T>,
  ): Promise<T> {
    if (!/^[\w.-]+$/.test(id)) throw new RangeError(`experiment id "${id}" has odd characters`);
    if (id in this.results) throw new RangeError(`experiment id "${id}" is used twice`);
    const { args, signal } = this.#options;
    const dir = `${args.out}/runs/${id}`;
    const resultFile = `${dir}/result.json`;
    this.#count++;
    const tag = this.total ? `experiment ${this.#count}/${this.total}:` : `[${this.#count}]`;
    if (args.resume) {
      try {
        const stored = JSON.parse(await Deno.readTextFile(resultFile)) as T;
        console.error(`${tag} ${label}: reused from ${resultFile}`);
        this.results[id] = stored;
        return stored;
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) {
          console.error(
            `${tag} ${label}: stored result unreadable (${(e as Error).message}); running again`,
          );
        }
      }
    }
    if (signal.aborted) throw new Interrupted(`before ${label}; run again with --resume`);
    await Deno.mkdir(dir, { recursive: true });
    console.error(`${tag} ${label}`);
    const t0 = performance.now();
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
    const result = await fn(ctx);
    const seconds = (performance.now() - t0) / 1000;
    await Deno.writeTextFile(resultFile, JSON.stringify(result));
    // The result is stored: the checkpoint (weights, optimiser slots) is no longer needed.
    await Deno.remove(ctx.checkpoint.dir, { recursive: true }).catch(() => {});
    console.error(`${tag} ${label}: done in ${seconds.toFixed(1)} s`);
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
