/**
 * A chapter 2 session: settings, images, backend and the
 * {@linkcode ReproRun} that stores results, shared by `deno task
 * repro:chapter2` and the chapter 2 notebooks so that both run the same
 * experiments the same way.
 *
 * @module
 */
import { type BackendInfo, useBackend } from "../../core/backend.ts";
import type { ReproRun } from "../run.ts";
import { openSessionRun, type SessionRunOptions } from "../session_run.ts";
import {
  CHAPTER2_GROUPS,
  type Chapter2Experiment,
  type Chapter2Group,
  chapter2Plan,
  experimentId,
  type MethodName,
  type TaskKey,
} from "./experiments.ts";
import { type Chapter2Images, findChapter2Images } from "./images.ts";
import type { FitRecord } from "./record.ts";
import { runChapter2Experiment } from "./runner.ts";
import { type Chapter2Settings, chapter2Settings, describeScaling } from "./settings.ts";

/** Options of {@linkcode Chapter2Session.open}. */
export interface Chapter2SessionOptions extends SessionRunOptions {
  /** Folder of images replacing `data/`. */
  dataDir?: string;
  /** Replaces the profile's settings (tests, experiments of your own). */
  settings?: Chapter2Settings;
}

/** Options of {@linkcode Chapter2Session.runExperiments}. */
export interface Chapter2RunOptions {
  /** Name of the group in the progress display (default none). */
  label?: string;
}

/** Settings, images, backend and stored results of a chapter 2 reproduction. */
export class Chapter2Session {
  /** Results of the runs so far, by id. */
  readonly records: Record<string, FitRecord> = {};

  private constructor(
    /** The settings in force. */
    readonly settings: Chapter2Settings,
    /** The images of each role. */
    readonly images: Chapter2Images,
    /** The backend in use. */
    readonly backend: BackendInfo,
    /** The run storing results, claims, tables and report sections. */
    readonly run: ReproRun,
  ) {}

  /**
   * Picks the backend, finds and checks the images, and opens the output folder.
   *
   * @param options Profile, data, output, resume, backend, signal.
   * @returns The session.
   * @throws {UsageError} For missing or unreadable images.
   */
  static async open(options: Chapter2SessionOptions = {}): Promise<Chapter2Session> {
    const profile = options.profile ?? "quick";
    const settings = options.settings ?? chapter2Settings(profile);
    const backend = await useBackend(options.backend ?? "auto");
    const images = await findChapter2Images(settings, options.dataDir);
    const run = openSessionRun(
      {
        chapter: 2,
        title: "Chapter 2: spectral bias of the deep image prior",
        settings,
        scaled: describeScaling(settings),
        backend,
      },
      options,
    );
    return new Chapter2Session(settings, images, backend, run);
  }

  /**
   * The runs of some groups, each once, less what the profile omits
   * (`settings.omit`).
   *
   * @param groups Figures and tables (default all).
   * @returns The runs.
   */
  plan(groups: readonly Chapter2Group[] = CHAPTER2_GROUPS): Chapter2Experiment[] {
    const omit = this.settings.omit;
    return chapter2Plan(this.images, groups.filter((g) => !omit.groups.includes(g)))
      .filter((e) => !omit.methods.includes(e.method));
  }

  /**
   * Runs (or reuses) the runs of some groups as one progress group (see
   * {@linkcode Chapter2Session.runExperiments}).
   *
   * @param groups Figures and tables (default all).
   * @returns The records of those runs, by id.
   */
  runGroups(
    groups: readonly Chapter2Group[] = CHAPTER2_GROUPS,
  ): Promise<Record<string, FitRecord>> {
    const label = groups === CHAPTER2_GROUPS ? "all of chapter 2" : groups.join(", ");
    return this.runExperiments(this.plan(groups), { label });
  }

  /**
   * Runs (or reuses) some runs as one progress group ({@linkcode ReproRun.group}):
   * `experiment i/N` lines and the time left in a terminal, one display
   * updating in place in a notebook, with a progress bar per fit. Runs
   * already in {@linkcode records} are not run again.
   *
   * @param experiments The runs.
   * @param options The group's label.
   * @returns Their records, by id.
   */
  async runExperiments(
    experiments: readonly Chapter2Experiment[],
    options: Chapter2RunOptions = {},
  ): Promise<Record<string, FitRecord>> {
    const todo = experiments.filter((e) => !(e.id in this.records));
    if (todo.length > 0) {
      const cost = todo.reduce((a, e) => a + experimentCost(e, this.settings), 0);
      await this.run.group({ total: todo.length, cost, label: options.label }, async () => {
        for (const e of todo) {
          this.records[e.id] = await this.run.experiment(
            e.id,
            e.label,
            (ctx) => runChapter2Experiment(ctx, e, this.settings),
            { cost: experimentCost(e, this.settings) },
          );
        }
      });
    }
    return Object.fromEntries(experiments.map((e) => [e.id, this.records[e.id]]));
  }

  /**
   * Takes in the stored records of runs finished by worker processes.
   *
   * @param experiments The runs.
   */
  async load(experiments: readonly Chapter2Experiment[]): Promise<void> {
    for (const e of experiments) {
      if (!(e.id in this.records)) this.records[e.id] = await this.run.load<FitRecord>(e.id);
    }
  }

  /**
   * The record of a run, if it ran.
   *
   * @param method The method.
   * @param task The task.
   * @param image The image's name.
   * @returns The record or `undefined`.
   */
  record(method: MethodName, task: TaskKey, image: string): FitRecord | undefined {
    return this.records[experimentId(method, task, image)];
  }
}

/**
 * Cost of one step of each method relative to the controlled decoder,
 * measured on wasm with the native kernels at the quick scale (64×64, 32
 * channels, depth 4; CPU ms per step including the measurements: decoder
 * 13, original DIP 54, Bayesian DIP 64, deep decoder 15, Encoder-Decoder 20).
 */
const STEP_COST: Readonly<Record<MethodName, number>> = {
  encdec: 1.5,
  decoder: 0.75,
  convnet: 1.15,
  lambda1: 0.9,
  lambda2: 0.9,
  lambda3: 0.9,
  sigma0: 1,
  sigma1: 1.1,
  ours: 1,
  "ours-lambda1": 1,
  "ours-lambda3": 1,
  dip: 4.2,
  dd: 1.15,
  bdip: 4.9,
};

/**
 * A run's expected cost in decoder-step units (its step budget times the
 * relative cost of its method's steps), for time estimates and for sharing
 * runs between worker processes.
 *
 * @param e The run.
 * @param s The settings.
 * @returns The cost.
 */
export function experimentCost(e: Chapter2Experiment, s: Chapter2Settings): number {
  const steps = e.task === "sr4"
    ? s.superresSteps.x4
    : e.task === "sr8"
    ? s.superresSteps.x8
    : e.task === "enhance"
    ? s.enhanceSteps
    : s.steps;
  return steps * STEP_COST[e.method];
}
