/**
 * A chapter 4 session: settings, datasets, backend and the
 * {@linkcode ReproRun} storing results, shared by `deno task repro:chapter4`
 * (and its worker processes) and the chapter 4 notebooks, so that both run
 * the same experiments the same way and reuse each other's stored results.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendInfo, useBackend } from "../../core/backend.ts";
import { densityMapData } from "../../counting/density.ts";
import { downsampleDensityData } from "../../counting/downsample.ts";
import {
  barFigure,
  type Figure,
  imageGridFigure,
  lineFigure,
  type TitledImage,
} from "../../plot/mod.ts";
import type { Claim } from "../claims.ts";
import { defaultDataDir } from "../data.ts";
import type { ReproRun } from "../run.ts";
import { openSessionRun, type SessionRunOptions } from "../session_run.ts";
import type { Table } from "../table.ts";
import { settingRecords } from "./aggregate.ts";
import { chapter4Claims, type Chapter4Results, type ObjectsRecord } from "./claims.ts";
import { Chapter4Data, objectStats, objectThirds } from "./data.ts";
import {
  chapter4Cost,
  type Chapter4Experiment,
  chapter4Plan,
  type Chapter4Record,
  runChapter4Experiment,
  type RunData,
  sigmaErrors,
} from "./experiments.ts";
import {
  type Chapter4Settings,
  chapter4Settings,
  datasetOf,
  describeChapter4Scaling,
  HEAD_SPECS,
  HEAD_VARIANTS,
  type HeadVariant,
  kernelKey,
  NETWORK_NAMES,
} from "./settings.ts";
import { chapter4Tables } from "./tables.ts";

/** Short names of the head variants, for the captions of the map figure. */
const SHORT: Record<HeadVariant, string> = {
  base: "base",
  "spatial-attention": "spatial att.",
  "segmentation-focus": "seg. focus",
  "channel-attention": "channel att.",
  "global-density-focus": "density focus",
  "combined-attention": "both att.",
  "combined-focus": "both focus",
};

/** Options of {@linkcode Chapter4Session.open}. */
export interface Chapter4SessionOptions extends SessionRunOptions {
  /** Folder holding the datasets' folders (default `data/counting`). */
  dataDir?: string;
  /** Replaces the profile's settings (tests, experiments of your own). */
  settings?: Chapter4Settings;
  /** Progress bars while training (default `true`). */
  progress?: boolean;
}

/** Options of {@linkcode Chapter4Session.runExperiments}. */
export interface Chapter4RunOptions {
  /** Name of the group in the progress display (default none). */
  label?: string;
}

/** Settings, datasets, backend and stored results of a chapter 4 reproduction. */
export class Chapter4Session {
  /** Records of the trained runs so far, by id. */
  readonly records: Record<string, Chapter4Record> = {};
  /** Object statistics (σ error, thirds) by dataset key. */
  readonly objects: Record<string, ObjectsRecord> = {};

  private constructor(
    /** The settings in force. */
    readonly settings: Chapter4Settings,
    /** The opened datasets, by key. */
    readonly data: Record<string, Chapter4Data>,
    /** The backend in use. */
    readonly backend: BackendInfo,
    /** The run storing results, claims, tables and report sections. */
    readonly run: ReproRun,
    readonly progress: boolean,
  ) {}

  /**
   * Picks the backend, opens the datasets (annotations only; images are
   * decoded when a run needs them) and the output folder.
   *
   * @param options Profile, data, output, resume, backend, signal.
   * @returns The session.
   * @throws {UsageError} For a missing data folder or dataset, or one the core cannot read.
   */
  static async open(options: Chapter4SessionOptions = {}): Promise<Chapter4Session> {
    const settings = options.settings ?? chapter4Settings(options.profile ?? "quick");
    const root = options.dataDir ?? `${defaultDataDir()}/counting`;
    const data: Record<string, Chapter4Data> = {};
    for (const spec of settings.datasets) data[spec.key] = await Chapter4Data.open(spec, root);
    const backend = await useBackend(options.backend ?? "auto");
    const run = openSessionRun(
      {
        chapter: 4,
        title: "Chapter 4: counting with focus for free",
        settings,
        scaled: describeChapter4Scaling(settings),
        backend,
      },
      options,
    );
    return new Chapter4Session(settings, data, backend, run, options.progress ?? true);
  }

  /**
   * Every training run of the reproduction (see `chapter4Plan`).
   *
   * @returns The runs.
   */
  plan(): Chapter4Experiment[] {
    return chapter4Plan(this.settings);
  }

  /**
   * A run's expected cost (for the ETA and the workers' shares).
   *
   * @param e The run.
   * @returns The cost.
   */
  cost(e: Chapter4Experiment): number {
    return chapter4Cost(e, this.settings, this.data[e.dataset].split(e.seed).train.length);
  }

  /**
   * The images of a run: its dataset's split for its seed, decoded and reduced.
   *
   * @param e The run.
   * @returns Training, validation and test samples.
   */
  async runData(e: Pick<Chapter4Experiment, "dataset" | "seed">): Promise<RunData> {
    const data = this.data[e.dataset];
    const split = data.split(e.seed);
    return {
      data,
      train: await data.samples(split.train),
      val: await data.samples(split.val),
      test: await data.samples(split.test),
    };
  }

  /**
   * The object statistics of the datasets with object sizes (σ error of the
   * kernels, scale and crowding thirds of the test images), each stored as
   * experiment `objects-<key>` (cheap: annotations and image headers only).
   *
   * @returns The records, by dataset key.
   */
  async analyseObjects(): Promise<Record<string, ObjectsRecord>> {
    const s = this.settings;
    const keys = [...new Set([...s.ablation, ...s.kernels])];
    const todo = keys.filter((k) => !(k in this.objects));
    if (todo.length === 0) return this.objects;
    await this.run.group({ total: todo.length, label: "object sizes" }, async () => {
      for (const key of todo) {
        const data = this.data[key];
        this.objects[key] = await this.run.experiment(
          `objects-${key}`,
          `object sizes of ${data.spec.name}: σ error of the kernels, scale and crowding thirds`,
          async () => {
            if (!data.hasSizes) return { dataset: key, sigma: null, thirds: null };
            const all = await data.annotations();
            const sigma = s.kernels.includes(key) ? sigmaErrors(all, s, key) : null;
            const test = data.split(s.seeds[0]).test;
            const byName = new Map(all.map((a) => [a.name, a]));
            const stats = test.map((n) => objectStats(byName.get(n)!.points, byName.get(n)!.shape));
            const names = (idx: number[][]) => idx.map((list) => list.map((i) => test[i]));
            return {
              dataset: key,
              sigma,
              thirds: {
                scale: names(objectThirds(stats.map((x) => x.scale))),
                crowding: names(objectThirds(stats.map((x) => x.crowding))),
              },
            };
          },
        );
      }
    });
    return this.objects;
  }

  /** Number of experiments of a whole reproduction (object statistics and training runs). */
  get experimentCount(): number {
    const s = this.settings;
    return new Set([...s.ablation, ...s.kernels]).size + this.plan().length;
  }

  /**
   * Runs (or reuses) training runs as one progress group: `experiment i/N`
   * lines and the time left in a terminal, one display updating in place in
   * a notebook. Runs already in {@linkcode records} are not run again.
   *
   * @param experiments The runs (default the whole plan).
   * @param options The group's label.
   * @returns Their records, by id.
   */
  async runExperiments(
    experiments: readonly Chapter4Experiment[] = this.plan(),
    options: Chapter4RunOptions = {},
  ): Promise<Record<string, Chapter4Record>> {
    const todo = experiments.filter((e) => !(e.id in this.records));
    if (todo.length > 0) {
      const cost = todo.reduce((a, e) => a + this.cost(e), 0);
      await this.run.group({ total: todo.length, cost, label: options.label }, async () => {
        for (const e of todo) {
          this.records[e.id] = await this.run.experiment(
            e.id,
            e.label,
            async (ctx) =>
              runChapter4Experiment(ctx, e, await this.runData(e), this.settings, {
                progress: this.progress,
              }),
            { cost: this.cost(e) },
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
  async load(experiments: readonly Chapter4Experiment[]): Promise<void> {
    for (const e of experiments) {
      if (!(e.id in this.records)) this.records[e.id] = await this.run.load<Chapter4Record>(e.id);
    }
  }

  /** What was measured so far. */
  get results(): Chapter4Results {
    return { records: Object.values(this.records), objects: Object.values(this.objects) };
  }

  /** The claims on what was measured so far. */
  claims(): Claim[] {
    return chapter4Claims(this.results, this.settings);
  }

  /** Tables 15–22 and Fig. 39 on what was measured so far. */
  tables(): Table[] {
    return chapter4Tables(this.results, this.settings);
  }

  /**
   * The records of one setting over seeds (the dataset's own kernel by default).
   *
   * @param dataset Dataset key.
   * @param network Network.
   * @param heads Heads.
   * @param kernel Kernel key (default the dataset's).
   * @returns The records, by seed.
   */
  settingRecords(
    dataset: string,
    network: Chapter4Record["network"],
    heads: HeadVariant,
    kernel: string = kernelKey(datasetOf(this.settings, dataset).kernel),
  ): Chapter4Record[] {
    return settingRecords(this.results.records, { dataset, network, heads, kernel });
  }

  /**
   * The figures: training curves and validation MAE of the head variants,
   * predicted against true counts, density maps beside the image, GAME(L).
   *
   * @param dataset The dataset shown (default the first ablation dataset).
   * @returns The figures.
   */
  async figures(dataset: string = this.settings.ablation[0]): Promise<Figure[]> {
    const figs: Figure[] = [];
    const seed = this.settings.seeds[0];
    const net = this.settings.ablationNetwork;
    const first = (h: HeadVariant) =>
      this.settingRecords(dataset, net, h).find((r) => r.seed === seed);
    const runs = HEAD_VARIANTS.map((h) => ({ h, r: first(h) })).filter((x) =>
      x.r !== undefined
    ) as {
      h: HeadVariant;
      r: Chapter4Record;
    }[];
    if (runs.length === 0) return figs;
    const name = datasetOf(this.settings, dataset).name;
    const label = (h: HeadVariant) => HEAD_SPECS[h].label.replace("w/ ", "");
    figs.push(lineFigure({
      title: `Training loss (eq. 4.9) on ${name}, seed ${seed}`,
      xTitle: "step",
      yTitle: "loss",
      logY: runs.every((x) => x.r.loss.y.every((v) => v > 0)),
      series: runs.map(({ h, r }) => ({ name: label(h), x: r.loss.x, y: r.loss.y })),
    }));
    if (runs.some((x) => x.r.val.x.length > 0)) {
      figs.push(lineFigure({
        title: `Validation MAE during training on ${name} (best weights tested), seed ${seed}`,
        xTitle: "step",
        yTitle: "MAE",
        series: runs.map(({ h, r }) => ({
          name: label(h),
          x: r.val.x,
          y: r.val.y,
          mode: "lines+markers" as const,
        })),
      }));
    }
    const shown = runs.filter((x) => x.h === "base" || x.h === "combined-focus");
    const maxCount = Math.max(
      1,
      ...shown.flatMap((x) => [...x.r.perImage.truth, ...x.r.perImage.predicted]),
    );
    figs.push(lineFigure({
      title: `Predicted against true counts, ${name} test images, seed ${seed}`,
      xTitle: "true count",
      yTitle: "predicted count",
      series: [
        ...shown.map(({ h, r }) => ({
          name: `${label(h)} (MAE ${r.metrics.mae.toFixed(2)})`,
          x: r.perImage.truth,
          y: r.perImage.predicted,
          mode: "markers" as const,
        })),
        {
          name: "predicted = true",
          x: [0, maxCount],
          y: [0, maxCount],
          dash: "dash" as const,
          color: "#888",
        },
      ],
    }));
    const maps = await this.#mapsFigure(dataset, runs);
    if (maps) figs.push(maps);
    const game = runs.filter((x) => ["base", "combined-attention", "combined-focus"].includes(x.h));
    figs.push(barFigure({
      title: `GAME(L) on ${name} test images, seed ${seed}`,
      categories: ["GAME(0)", "GAME(1)", "GAME(2)", "GAME(3)"],
      series: game.map(({ h, r }) => ({
        name: label(h),
        values: [0, 1, 2, 3].map((l) => r.game[l]),
      })),
      yTitle: "count error",
      labelDigits: 1,
    }));
    return figs;
  }

  /** The test image, its truth density and the example maps of the runs. */
  async #mapsFigure(
    dataset: string,
    runs: { h: HeadVariant; r: Chapter4Record }[],
  ): Promise<Figure | null> {
    const withMaps = runs.filter((x) => x.r.example);
    if (withMaps.length === 0) return null;
    const ex0 = withMaps[0].r.example!;
    const data = this.data[dataset];
    const sample = await data.sample(ex0.name);
    const [h, w, c] = sample.shape;
    const tiles: TitledImage[] = [];
    try {
      // Contrast stretched to the 99th percentile (microscopy images are dark).
      const p99 =
        Float32Array.from(sample.image).sort()[Math.floor(0.99 * (sample.image.length - 1))];
      const image = tf.tidy(() =>
        tf.clipByValue(
          tf.div(tf.tensor3d(sample.image, [h, w, c]), Math.max(p99, 1e-6)),
          0,
          1,
        ) as tf.Tensor3D
      );
      tiles.push({ image, title: `test image (${sample.points.x.length} objects)` });
      const truth = downsampleDensityData(
        densityMapData(sample.points, [h, w], datasetOf(this.settings, dataset).kernel),
        ex0.pool,
      );
      // One gray scale for all maps: white at the truth map's 99.9th percentile (a few tiny
      // objects have very high peaks).
      const sorted = Float32Array.from(truth.data).sort();
      const peak = Math.max(1e-9, sorted[Math.floor(0.999 * (sorted.length - 1))]);
      const gray = (values: ArrayLike<number>, hh: number, ww: number, top: number) =>
        tf.tidy(() =>
          tf.clipByValue(
            tf.div(tf.tensor3d(Float32Array.from(values), [hh, ww, 1]), top),
            0,
            1,
          ) as tf.Tensor3D
        );
      tiles.push({
        image: gray(truth.data, truth.height, truth.width, peak),
        title: "truth density",
      });
      for (const { h: head, r } of withMaps) {
        const ex = r.example!;
        if (ex.height !== truth.height || ex.width !== truth.width) continue;
        const count = ex.density.reduce((a, b) => a + b, 0);
        tiles.push({
          image: gray(ex.density, ex.height, ex.width, peak),
          title: `${SHORT[head]}: ${count.toFixed(1)}`,
        });
        if (head === "combined-focus" && ex.spatial) {
          tiles.push({
            image: gray(ex.spatial, ex.height, ex.width, 1),
            title: "V_s (segmentation focus)",
          });
        }
      }
      return imageGridFigure(tiles, {
        columns: 5,
        title: `Density maps beside the image (${
          datasetOf(this.settings, dataset).name
        }, same gray scale as the truth)`,
        cellWidth: 200,
      });
    } finally {
      tf.dispose(tiles.map((t) => t.image));
    }
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
    const figs = await this.figures();
    this.run.addFigures(
      "Figures",
      `Training curves, predicted against true counts, density maps beside the image and the local count error of the head variants on ${
        NETWORK_NAMES[this.settings.ablationNetwork]
      } (first seed).`,
      figs,
    );
    const scaled = describeChapter4Scaling(this.settings);
    this.run.addSection({
      heading: "Scaling notes",
      text: [
        scaled.length ? scaled.map((l) => `- ${l}`).join("\n") : "The thesis's settings.",
        ...(this.settings.profile === "quick" ? CHAPTER4_PILOT_NOTES.map((l) => `- ${l}`) : []),
      ].join("\n"),
    });
    return claims;
  }
}

/**
 * The pilots that fixed the quick profile before any of its claims was
 * computed (wasm backend with oneDNN kernels; 2 cores shared with other
 * engineers' jobs, load average 4 to 15 while measuring).
 */
export const CHAPTER4_PILOT_NOTES: readonly string[] = [
  "Timing pilot (wasm + oneDNN, 2 shared cores): a training step of 8 crops of 64 × 64 took 0.30–0.33 s for the encoder-distiller-decoder ×0.5 at load average ≈ 4 (0.53–0.78 s at load 7–15; batch 4 costs as much as 8: steps, not pixels, set the time), 0.12 s for MCNN ×0.5 and FCRN-A ×0.25 (0.14–0.33 s loaded), 0.23 s for CSRNet ×0.25, 0.22 s (loaded) for the encoder alone; testing a half-resolution BBBC039 image (260 × 348) 0.05–0.1 s, a full one (520 × 696) 0.8 s; decoding BBBC039's 158 images 11 s (24–28 s in each of two processes). Two workers of 1 thread ran 1.9–2.1 s per step each at load 11–15, no faster than one process there.",
  "A first quick setting (the encoder-distiller-decoder as the base of Tables 15–17, 80 steps, 62 runs) was stopped after 3 runs, before any claim was computed: at 1–2.4 s per step it would have run for well over an hour, and at step 80 its training loss (1.3–2.0) was still that of an all-zero prediction (≈ 1.3): it had not begun to learn.",
  "Convergence pilot of single runs (base heads, BBBC039 halved): FCRN-A ×0.25, 300 steps, loss 6.8 → 0.6, validation MAE 61 → 12 by step 150, test MAE 17 at a mean count of 127; the encoder-distiller-decoder ×0.5, 200 steps (0.76 s/step loaded), loss 9.1 → 1.0–1.3, validation MAE 142 → 63–76, test MAE 70: 5× the cost per step and far slower to learn.",
  "Hence quick: FCRN-A ×0.25 as the base network of Tables 15–17 (and of the focus rows of Tables 19, 20, 22), 200 steps of 8 crops of 64 × 64 for every network, 3 seeds for the 7 head variants, 2 for Tables 18, 19, 21, 22, 1 for VGG cells and ADI (Table 20 only): 49 runs, estimated at about 20 minutes with 2 workers at load ≈ 4, 2–3× longer on a machine as busy as the one measured. The encoder-distiller-decoder and its variants (Tables 18, 21) are undertrained at 200 steps.",
  "Session 17, budget only: after the batch-norm, pooling, resize and Adam kernels, the 200-step quick run took 298 s on 2 quiet cores (it had taken 30 min at load ≈ 10), and its validation curves (not its claims, though those had been seen) were still falling at the last validation for CSRNet (79 → 51, 84 → 27 MAE) and erratic for FCRN-A and the encoder-distiller-decoder. Steps raised to 500 for every network (2.5×: about 12 minutes on 2 quiet cores, 25–35 at load ≈ 4); nothing else changed.",
];
