/**
 * A chapter 3 session: settings, data (denoising images and the Aloe pair),
 * backend and the {@linkcode ReproRun} storing results, shared by `deno task
 * repro:chapter3` and the chapter 3 notebooks so that both run the same
 * experiments the same way.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendInfo, useBackend } from "../../core/backend.ts";
import { readImage } from "../../io/read.ts";
import { type AloePair, loadAloe } from "../../guided/aloe.ts";
import type { GuidedTask } from "../../guided/tasks.ts";
import { type Figure, imageGridFigure, lineFigure } from "../../plot/mod.ts";
import { type Claim, formatClaim } from "../claims.ts";
import { UsageError } from "../cli.ts";
import { defaultDataDir, listImages } from "../data.ts";
import type { ReproRun } from "../run.ts";
import { openSessionRun, type SessionRunOptions } from "../session_run.ts";
import type { Table } from "../table.ts";
import { chapter3Claims, type Chapter3Results } from "./claims.ts";
import {
  type LearnedRecord,
  runLearned,
  table6Denoising,
  type Table6Entry,
  table6Upsampling,
} from "./experiments.ts";
import {
  type Chapter3Settings,
  chapter3Settings,
  describeChapter3Scaling,
  LEARNED_METHODS,
  type LearnedMethod,
  taskKey,
  taskLabel,
} from "./settings.ts";
import { chapter3Tables } from "./tables.ts";

/** Options of {@linkcode Chapter3Session.open}. */
export interface Chapter3SessionOptions extends SessionRunOptions {
  /** Folder with the denoising images and `aloe_left.jpg`, `aloe_disparity.png` (default `data/`). */
  dataDir?: string;
  /** Replaces the profile's settings (tests). */
  settings?: Chapter3Settings;
  /** Progress bars while training (default `true`). */
  progress?: boolean;
}

/** Settings, data, backend and results of a chapter 3 reproduction. */
export class Chapter3Session {
  /** Table 6 denoising entries, once run. */
  denoise?: Table6Entry[];
  /** Table 6 upsampling entries, once run. */
  upsample?: Table6Entry[];
  /** Learned records by experiment id. */
  readonly learned: Record<string, LearnedRecord> = {};

  private constructor(
    /** The settings in force. */
    readonly settings: Chapter3Settings,
    /** Clean colour denoising images, centred crops. */
    readonly images: { name: string; image: tf.Tensor3D }[],
    /** The Aloe pair (reduced as the settings say). */
    readonly aloe: AloePair,
    /** The backend in use. */
    readonly backend: BackendInfo,
    /** The run storing results, claims, tables and report sections. */
    readonly run: ReproRun,
    readonly progress: boolean,
  ) {}

  /**
   * Picks the backend, reads the images and the Aloe pair, and opens the output folder.
   *
   * @param options Profile, data, output, resume, backend, signal.
   * @returns The session; {@linkcode Chapter3Session.dispose} frees its tensors.
   * @throws {UsageError} For missing images.
   */
  static async open(options: Chapter3SessionOptions = {}): Promise<Chapter3Session> {
    const settings = options.settings ?? chapter3Settings(options.profile ?? "quick");
    const backend = await useBackend(options.backend ?? "auto");
    const dir = options.dataDir ?? defaultDataDir();
    const paths = (await listImages(dir, "natural images and the Aloe pair"))
      .filter((p) => !/\/aloe_[^/]*$/.test(p))
      .slice(0, settings.images ?? undefined);
    if (paths.length === 0) throw new UsageError(`--data-dir "${dir}" holds no denoising image`);
    const images: { name: string; image: tf.Tensor3D }[] = [];
    for (const p of paths) {
      const full = await readImage(p, { channels: 3 });
      const [h, w] = full.shape;
      const c = settings.crop;
      const image = c === null || (h < c && w < c) ? full : tf.tidy(() => {
        const ch = Math.min(c, h), cw = Math.min(c, w);
        return tf.slice(full, [(h - ch) >> 1, (w - cw) >> 1, 0], [ch, cw, 3]);
      });
      if (image !== full) full.dispose();
      images.push({ name: p.replace(/^.*\//, "").replace(/\.\w+$/, ""), image });
    }
    let aloe: AloePair;
    try {
      aloe = await loadAloe({ reduce: settings.aloeReduce, dataDir: dir });
    } catch (e) {
      tf.dispose(images.map((i) => i.image));
      if (e instanceof Deno.errors.NotFound) {
        throw new UsageError(`--data-dir "${dir}" lacks aloe_left.jpg / aloe_disparity.png`);
      }
      throw e;
    }
    const run = openSessionRun(
      {
        chapter: 3,
        title: "Chapter 3: unsharp-mask guided filtering",
        settings,
        scaled: describeChapter3Scaling(settings),
        backend,
      },
      options,
    );
    return new Chapter3Session(settings, images, aloe, backend, run, options.progress ?? true);
  }

  /**
   * Table 6: the classical filters and the unsharp-mask formulation with
   * their amounts, each at its best (r, ε), on the denoising images and the
   * Aloe pair (run or reused).
   *
   * @returns The denoising and upsampling entries.
   */
  async table6(): Promise<{ denoise: Table6Entry[]; upsample: Table6Entry[] }> {
    const s = this.settings;
    await this.run.group({ total: 2, label: "Table 6" }, async () => {
      this.denoise = await this.run.experiment(
        "table6-denoise",
        `Table 6, denoising σ = ${s.sigmas.join(", ")} on ${this.images.length} image(s)`,
        () => Promise.resolve(table6Denoising(this.images.map((i) => i.image), s)),
      );
      this.upsample = await this.run.experiment(
        "table6-upsample",
        `Table 6, Aloe depth upsampling ×${s.scales.join(", ×")}`,
        () => Promise.resolve(table6Upsampling(this.aloe, s)),
      );
    });
    return { denoise: this.denoise!, upsample: this.upsample! };
  }

  /** Number of experiments of a whole reproduction: Table 6 and every learned filter. */
  get experimentCount(): number {
    return 2 + this.settings.learnedTasks.length * LEARNED_METHODS.length;
  }

  /**
   * Trains (or reuses) learned filters and tests them on the Aloe pair.
   *
   * @param methods Networks (default all four).
   * @param tasks Tasks (default the settings').
   * @returns The records, in order.
   */
  async trainLearned(
    methods: readonly LearnedMethod[] = LEARNED_METHODS,
    tasks: readonly GuidedTask[] = this.settings.learnedTasks,
  ): Promise<LearnedRecord[]> {
    const out: LearnedRecord[] = [];
    const total = tasks.length * methods.length;
    await this.run.group({ total, label: "learned filters" }, async () => {
      for (const task of tasks) {
        for (const method of methods) {
          const id = `learned-${taskKey(task)}-${method}`;
          const record = await this.run.experiment(
            id,
            `${method} trained for ${taskLabel(task)} (${this.settings.steps} steps)`,
            (ctx) =>
              runLearned(ctx, method, task, this.settings, this.aloe, { progress: this.progress }),
          );
          this.learned[id] = record;
          out.push(record);
        }
      }
    });
    return out;
  }

  /** What was measured so far. */
  get results(): Chapter3Results {
    return { denoise: this.denoise, upsample: this.upsample, learned: Object.values(this.learned) };
  }

  /** The claims on what was measured so far. */
  claims(): Claim[] {
    return chapter3Claims(this.results, this.settings);
  }

  /** Tables 6–8 on what was measured so far. */
  tables(): Table[] {
    return chapter3Tables(this.results, this.settings);
  }

  /**
   * The figures: the learned outputs on the Aloe pair per task, and RMSE
   * against the output index l.
   *
   * @returns Figures (read from the saved images).
   */
  async figures(): Promise<Figure[]> {
    const figs: Figure[] = [];
    const ours = Object.values(this.learned).filter((r) => r.method === "ours");
    if (ours.length) {
      figs.push(lineFigure({
        title: "Table 7: RMSE of Î(l) on the Aloe pair",
        xTitle: "output l",
        yTitle: "RMSE (0–255 disparity)",
        series: ours.map((r) => ({
          name: taskLabel(r.task),
          x: r.scores.map((_, i) => i + 1),
          y: r.scores.map((s) => s.rmse),
        })),
      }));
    }
    const label = (m: LearnedMethod) => (m === "ours" ? "Ours" : m.toUpperCase());
    for (const task of this.settings.learnedTasks) {
      const recs = LEARNED_METHODS.map((m) => this.learned[`learned-${taskKey(task)}-${m}`])
        .filter((r) => r !== undefined);
      if (!recs.length) continue;
      figs.push(lineFigure({
        title: `L1 training curves, ${
          taskLabel(task)
        } (window means; Ours: sum over its L outputs)`,
        xTitle: "step",
        yTitle: "training L1 (eq. 3.18)",
        logY: true,
        series: recs.map((r) => ({ name: label(r.method), x: r.loss.x, y: r.loss.y })),
      }));
      if (recs.some((r) => r.validation?.x.length)) {
        figs.push(lineFigure({
          title: `Held-out L1 of the final output, ${taskLabel(task)}`,
          xTitle: "step",
          yTitle: "L1 on held-out synthetic patches",
          logY: true,
          series: recs.filter((r) => r.validation?.x.length).map((r) => ({
            name: label(r.method),
            x: r.validation!.x,
            y: r.validation!.y,
            mode: "lines+markers" as const,
          })),
        }));
      }
      const tiles: { image: tf.Tensor3D; title: string }[] = [];
      const read = (p: string) => readImage(`${this.run.out}/${p}`, { channels: 1 });
      try {
        tiles.push({ image: await read(recs[0].images.input), title: "input" });
        tiles.push({ image: await read(recs[0].images.truth), title: "ground truth" });
        for (const r of recs) {
          tiles.push({
            image: await read(r.images.output),
            title: `${r.method} (RMSE ${r.scores.at(-1)!.rmse.toFixed(2)})`,
          });
        }
        figs.push(imageGridFigure(tiles, { columns: 3, title: `Aloe, ${taskLabel(task)}` }));
      } finally {
        tf.dispose(tiles.map((t) => t.image));
      }
    }
    return figs;
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
      "Accuracy of the successive network's outputs; for each task, every learned filter's L1 training curve and its held-out L1 (the same steps and batches for all, so a curve still falling at the end means that method is still improving), and the outputs on the real depth pair.",
      await this.figures(),
    );
    return claims;
  }

  /** Frees the images and the Aloe pair. */
  dispose(): void {
    tf.dispose([...this.images.map((i) => i.image), ...Object.values(this.aloe)]);
  }
}

/**
 * Prints claims, one line each.
 *
 * @param claims The claims.
 */
export function printClaims(claims: readonly Claim[]): void {
  for (const c of claims) console.log(formatClaim(c));
}
