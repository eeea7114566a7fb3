/**
 * A chapter 5 session: settings, data sets (loaded once, when an experiment
 * first needs them), backend and the {@linkcode ReproRun} storing results,
 * shared by `deno task repro:chapter5` and the chapter 5 notebooks so that
 * both run the same experiments the same way.
 *
 * The experiments form a plan ({@linkcode Chapter5Session.plan}) in which
 * some load the networks of others (the segmenter f_s, the auxiliary f_a);
 * {@linkcode Chapter5Session.runExperiments} runs any part of it, its
 * dependencies first, and {@linkcode Chapter5Session.load} takes in results
 * another process stored: the shape a worker runner needs.
 *
 * @module
 */
import { type BackendInfo, useBackend } from "../../core/backend.ts";
import type { Claim } from "../claims.ts";
import { defaultDataDir } from "../data.ts";
import type { ReproRun } from "../run.ts";
import { openSessionRun, type SessionRunOptions } from "../session_run.ts";
import type { Table } from "../table.ts";
import type { Figure } from "../../plot/mod.ts";
import { chapter5Claims } from "./claims.ts";
import { type Chapter5Data, loadChapter5Data } from "./data.ts";
import {
  chapter5Cost,
  type Chapter5Experiment,
  type Chapter5Record,
  planChapter5,
  runChapter5Experiment,
  TABLE_METHODS,
} from "./experiments.ts";
import { chapter5Figures, occlusionExample } from "./figures.ts";
import {
  type Chapter5Settings,
  chapter5Settings,
  describeChapter5Scaling,
  validateChapter5Settings,
} from "./settings.ts";
import { chapter5Tables } from "./tables.ts";

/** Options of {@linkcode Chapter5Session.open}. */
export interface Chapter5SessionOptions extends SessionRunOptions {
  /** Folder holding `counting/...` (quick, smoke) or the thesis's data sets (paper); default `data/`. */
  dataDir?: string;
  /** Replaces the profile's settings (tests, notebooks). */
  settings?: Chapter5Settings;
  /** Progress bars while training (default `true`). */
  progress?: boolean;
}

/** Settings, data, backend and results of a chapter 5 reproduction. */
export class Chapter5Session {
  /** Stored records by experiment id. */
  readonly records: Record<string, Chapter5Record> = {};
  readonly #data = new Map<string, Promise<Chapter5Data>>();

  private constructor(
    /** The settings in force. */
    readonly settings: Chapter5Settings,
    /** The data folder. */
    readonly dataDir: string,
    /** The backend in use. */
    readonly backend: BackendInfo,
    /** The run storing results, claims, tables and report sections. */
    readonly run: ReproRun,
    readonly progress: boolean,
  ) {}

  /**
   * Picks the backend and opens the output folder (data sets are read when
   * first needed).
   *
   * @param options Profile, data, output, resume, backend, signal.
   * @returns The session.
   */
  static async open(options: Chapter5SessionOptions = {}): Promise<Chapter5Session> {
    const settings = validateChapter5Settings(
      options.settings ?? chapter5Settings(options.profile ?? "quick"),
    );
    const backend = await useBackend(options.backend ?? "auto");
    const run = openSessionRun(
      {
        chapter: 5,
        title: "Chapter 5: three things for improving density-based counting",
        settings,
        scaled: describeChapter5Scaling(settings),
        backend,
      },
      options,
    );
    return new Chapter5Session(
      settings,
      options.dataDir ?? defaultDataDir(),
      backend,
      run,
      options.progress ?? true,
    );
  }

  /**
   * A data set, read on first use.
   *
   * @param key The data set's key.
   * @returns Its training, validation and test images.
   */
  data(key: string): Promise<Chapter5Data> {
    let p = this.#data.get(key);
    if (!p) {
      const d = this.settings.datasets[key];
      if (!d) throw new RangeError(`no data set "${key}" in the settings`);
      p = loadChapter5Data(this.dataDir, d, this.settings.singleSeed);
      p.catch(() => this.#data.delete(key));
      this.#data.set(key, p);
    }
    return p;
  }

  /**
   * Reads every data set the plan uses (so that a missing one fails before
   * any training).
   *
   * @param experiments The plan (default the whole plan).
   * @returns Once all are loaded.
   * @throws {UsageError} Naming the first data set that cannot be read.
   */
  async loadData(experiments: readonly Chapter5Experiment[] = this.plan()): Promise<void> {
    for (const key of new Set(experiments.map((e) => e.dataset))) await this.data(key);
  }

  /**
   * The experiments of the whole reproduction, or of some tables.
   *
   * @param tables Tables (default all), by their settings' names.
   * @returns The plan, dependencies first.
   */
  plan(tables?: readonly (keyof typeof TABLE_METHODS)[]): Chapter5Experiment[] {
    const all = planChapter5(this.settings);
    if (!tables) return all;
    const keep = { ...this.settings };
    for (const t of Object.keys(TABLE_METHODS) as (keyof typeof TABLE_METHODS)[]) {
      if (!tables.includes(t)) keep[t] = { datasets: [], backbones: [] };
    }
    return planChapter5(keep);
  }

  /** The folder of an experiment's stored network. */
  modelDir(id: string): string {
    return `${this.run.out}/runs/${id}/model`;
  }

  /**
   * Runs (or reuses) experiments, and first the experiments they depend on.
   *
   * @param experiments The experiments (default the whole plan).
   * @param options A label for the progress group.
   * @returns Their records, in order.
   */
  async runExperiments(
    experiments: readonly Chapter5Experiment[] = this.plan(),
    options: { label?: string } = {},
  ): Promise<Chapter5Record[]> {
    const all = new Map(planChapter5(this.settings).map((e) => [e.id, e]));
    for (const e of experiments) all.set(e.id, e);
    const order: Chapter5Experiment[] = [];
    const seen = new Set<string>();
    const visit = (e: Chapter5Experiment) => {
      if (seen.has(e.id)) return;
      seen.add(e.id);
      for (const id of e.after) {
        const dep = all.get(id);
        if (dep && !(id in this.records)) visit(dep);
      }
      if (!(e.id in this.records) || experiments.includes(e)) order.push(e);
    };
    experiments.forEach(visit);
    const todo = order.filter((e) => !(e.id in this.records));
    const cost = todo.reduce((a, e) => a + chapter5Cost(e, this.settings), 0);
    await this.run.group({ total: todo.length, cost, label: options.label }, async () => {
      for (const e of todo) {
        const data = await this.data(e.dataset);
        this.records[e.id] = await this.run.experiment(
          e.id,
          e.label,
          (ctx) =>
            runChapter5Experiment(ctx, e, {
              settings: this.settings,
              data,
              modelDir: (id) => this.modelDir(id),
              progress: this.progress,
            }),
          { cost: chapter5Cost(e, this.settings) },
        );
      }
    });
    return experiments.map((e) => this.records[e.id]);
  }

  /**
   * Runs (or reuses) the experiments of some tables.
   *
   * @param tables The tables, by their settings' names (e.g. `"oracle"`).
   * @returns Their records.
   */
  runTables(...tables: (keyof typeof TABLE_METHODS)[]): Promise<Chapter5Record[]> {
    return this.runExperiments(this.plan(tables), { label: tables.join(", ") });
  }

  /**
   * Takes in results stored by other processes (workers).
   *
   * @param experiments The experiments.
   */
  async load(experiments: readonly Chapter5Experiment[]): Promise<void> {
    for (const e of experiments) {
      if (!(e.id in this.records)) this.records[e.id] = await this.run.load<Chapter5Record>(e.id);
    }
  }

  /** What was measured so far. */
  get results(): Chapter5Record[] {
    return Object.values(this.records);
  }

  /** The claims on what was measured so far. */
  claims(): Claim[] {
    return chapter5Claims(this.results, this.settings);
  }

  /** Tables 23-31 on what was measured so far. */
  tables(): Table[] {
    return chapter5Tables(this.results, this.settings);
  }

  /**
   * The figures: Figs. 44-46 analogues and the Tables 24-25 bar charts.
   *
   * @returns Figures (from the stored records and images).
   */
  async figures(): Promise<Figure[]> {
    const key = this.settings.occlusion.datasets[0] ?? this.settings.combined.datasets[0];
    const ex = key
      ? occlusionExample((await this.data(key)).train[0], {
        density: this.settings.datasets[key].density,
        beta: this.settings.beta,
      }, this.settings.singleSeed)
      : undefined;
    return chapter5Figures(this.results, this.settings, this.run.out, ex);
  }

  /**
   * Adds the claims, tables and figures to the run (before `run.finish()`).
   *
   * @returns The claims.
   */
  async summarize(): Promise<Claim[]> {
    const claims = this.claims();
    claims.forEach((c) => this.run.addClaim(c));
    this.tables().forEach((t) => this.run.addTable(t));
    this.run.addFigures(
      "Figures",
      "Analogues of Figs. 44-46 on the real cell images, and the error splits of Tables 24 and 25.",
      await this.figures(),
    );
    return claims;
  }
}
