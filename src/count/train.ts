/**
 * `deno task count train`: trains a counter on annotated images with the
 * counting core's `fitCounter` (the toolkit's one optimisation loop):
 * seeded random crops and flips, a held-back validation split that picks
 * the best weights by its MAE, checkpoints every few steps and `--resume`
 * (a resumed run ends exactly where an uninterrupted one ends), progress
 * with the running validation MAE. Writes the counter (`model.json` +
 * `weights.bin`, a standard tfjs model with the metadata `predict` needs),
 * `history.csv` (the training curves), `validation.csv` (true and predicted
 * count per held-back image), `settings.json` and `report.html`.
 *
 * @module
 */
import { join } from "node:path";
import { Rng } from "../core/rng.ts";
import { saveCounter } from "../counting/counter.ts";
import { evaluateCounter } from "../counting/evaluate.ts";
import { fitCounter } from "../counting/fit_counter.ts";
import { describeNetwork, type NetworkMetadata } from "../counting/networks/network.ts";
import { shuffled } from "../counting/splits.ts";
import type { CountingSample } from "../counting/sample.ts";
import type { PngNormalization } from "../io/png16.ts";
import { lineFigure } from "../plot/line.ts";
import { interruptSignal } from "../repro/cli.ts";
import { parseFlags, userPath } from "./args.ts";
import { COMMON_HELP, type CountContext, startBackend } from "./context.ts";
import {
  DATA_FLAGS,
  DATA_HELP,
  describeNormalize,
  findAnnotated,
  loadSamples,
  openAnnotated,
  parseNormalize,
} from "./data.ts";
import { CountInputError, CountInterrupted } from "./errors.ts";
import { autoSigma, densityOptions, describeKernel, TRAIN_KERNELS } from "./kernel.ts";
import { openCounter, resolveModel } from "./model.ts";
import { buildCountNetwork, DEFAULT_WIDTH, NETWORK_CHOICES, rebuildNetwork } from "./networks.ts";
import { assertFree, csvLine, existing, prepareOutput, writeTextAtomic } from "./output.ts";
import { agreementFigure, countStats, fmt, writeReportWithImages } from "./report_parts.ts";

/** The help of `count train`. */
export const TRAIN_HELP = `deno task count train --images DIR --points DIR --out DIR [options]

Trains a counter on images whose objects you have marked with one point each
(e.g. with Fiji's multi-point tool, exported as JSON or as a dot image). A part
of the images (--val) is held back: the counter is scored on them during
training, the best-scoring weights are kept, and the report shows how well it
counts images it has not seen. Then count new images with
  deno task count predict --model OUT --images NEW_IMAGES

Writes to --out: model.json + weights.bin (the counter), report.html (validation
MAE, RMSE, predicted against true counts, training curves), history.csv,
validation.csv, settings.json, and checkpoint/ while it runs.

Data
${DATA_HELP}
  --val F            fraction of the images held back for validation (default 0.2,
                     at least one image; 0: none, and the report scores the training images)
  --channels C       auto (default: 1 if every image is gray, else 3), 1 or 3
${`  --normalize N      brightness scale (kept in the counter; predict uses the same):
                       auto (default) depth for 8-bit images, percentiles 1,99.8 of each
                       image when some image has 16 bits; or depth (value / 65535),
                       bits (12-bit data / 4095), 12bit, or two percentiles such as 1,99.8.
                       Percentiles follow each image's brightness, but a few saturated
                       spots dim the rest of their image: then prefer a fixed scale (12bit)`}

Network
  --network N        fcrn (default) FCRN-A, the classic cell counter (Xie et al. 2016):
                       full-resolution maps, trains on a laptop CPU. Start here.
                     mcnn  three columns of small/medium/large filters (Zhang et al. 2016):
                       the smallest and fastest; maps at 1/4 resolution
                     edd   the thesis's encoder-distiller-decoder: more capacity for
                       crowded or varied images, about 1.3x slower than fcrn
                     hrnet parallel high- and low-resolution branches: for objects of very
                       different sizes in one image; image sides padded to multiples of 32
                     csrnet VGG-16 with dilated convolutions, the crowd-counting standard:
                       large; impractically slow without a GPU
  --width W          channel multiplier: larger learns more and trains slower (default
                     ${NETWORK_CHOICES.map((n) => `${n} ${DEFAULT_WIDTH[n]}`).join(", ")};
                     hrnet has 32 x W channels)
  --from M           fine-tune a counter written by count train (its network, width,
                     channels and scale are kept; --network/--width are not allowed)

What the network learns (the kernel)
  The counter learns a density map: every marked object becomes a small blob that
  sums to 1, so the sum of the map is the count. The kernel decides how wide each
  blob is (its sigma). Counts are exact with every kernel; the kernel only changes
  how easy the targets are to learn. Keep the default unless validation MAE is poor.
  --kernel K         fixed (default) one sigma for every object: right when objects
                       are about the same size, as in most cell images
                     adaptive sigma = 0.3 x mean distance to the 3 nearest objects, per
                       object: when apparent size shrinks where objects crowd (people
                       in perspective); blobs get wide where objects are sparse
                     nonuniform the thesis's smoothed adaptive kernel (eq. 4.7): as
                       adaptive, with sigma averaged over a neighbourhood
  --sigma S          with fixed: auto (default: the median sigma of the adaptive rule on
                       your images, kept within 1-8 px, about a quarter of a cell's
                       diameter when cells touch) or pixels. Raise it for large objects
                       far apart, lower it for small ones.

Training
  --steps N          optimiser steps (default 1000; about 5-10 min for fcrn on 2 CPU cores);
                     more for more images or a wider network
  --crop N           random N x N crops per step (default 128, smaller images: their size)
  --batch N          crops per step (default 4)
  --lr X             learning rate of Adam (default 1e-3)
  --seed N           seed of the split, the initial weights and the crops (default 0)
  --validate-every N score the held-back images every N steps (default steps/10)
  --checkpoint-every N  write a checkpoint every N steps (default steps/10, at most 100)
  --resume           continue an interrupted run in --out from its checkpoint
                     (same command otherwise; Ctrl-C writes a checkpoint and stops)
  --out DIR          where to write (required)
  --force            overwrite the outputs of an earlier run in --out
${COMMON_HELP}
`;

const OUTPUTS = [
  "model.json",
  "weights.bin",
  "history.csv",
  "validation.csv",
  "report.html",
];
const SETTINGS = "settings.json";
const CHECKPOINT = "checkpoint";

/** What a training run is, for `settings.json` and the `--resume` check. */
interface Settings {
  images: string[];
  source: string;
  val: number;
  validation: string[];
  network: string;
  width: number | null;
  from: string | null;
  channels: number;
  normalize: PngNormalization;
  density: ReturnType<typeof densityOptions>;
  steps: number;
  crop: number;
  batch: number;
  lr: number;
  seed: number;
  validateEvery: number;
}

/**
 * Runs `count train`.
 *
 * @param args The arguments after `train`.
 * @param ctx Where messages go.
 * @returns Once the counter and the report are written.
 */
export async function trainCommand(args: readonly string[], ctx: CountContext): Promise<void> {
  const flags = parseFlags("train", args, {
    ...DATA_FLAGS,
    val: { type: "string" },
    channels: { type: "string" },
    normalize: { type: "string" },
    network: { type: "string" },
    width: { type: "string" },
    from: { type: "string" },
    kernel: { type: "string" },
    sigma: { type: "string" },
    steps: { type: "string" },
    crop: { type: "string" },
    batch: { type: "string" },
    lr: { type: "string" },
    seed: { type: "string" },
    "validate-every": { type: "string" },
    "checkpoint-every": { type: "string" },
    out: { type: "string" },
    resume: { type: "boolean" },
    force: { type: "boolean" },
  });
  if (flags.boolean("help")) return ctx.out(TRAIN_HELP);

  // 1. Everything the flags say, checked before any file is read.
  const out = userPath(flags.required("out", "the folder to write the counter to"));
  const valFraction = flags.number("val", 0.2, { min: 0, max: 0.9 });
  const steps = flags.number("steps", 1000, { min: 1, integer: true });
  const batchSize = flags.number("batch", 4, { min: 1, integer: true });
  const lr = flags.number("lr", 1e-3, { min: 0, minExclusive: true });
  const seed = flags.number("seed", 0, { integer: true });
  const kernel = flags.choice("kernel", TRAIN_KERNELS, "fixed");
  const sigmaText = flags.string("sigma");
  if (sigmaText !== undefined && kernel !== "fixed") {
    throw new CountInputError(
      `--sigma goes with --kernel fixed (the ${kernel} kernel sets sigma per object)`,
    );
  }
  const sigmaGiven = sigmaText === undefined || sigmaText === "auto"
    ? undefined
    : flags.number("sigma", 4, { min: 0.1, max: 100 });
  const fromArg = flags.string("from");
  if (fromArg !== undefined && (flags.has("network") || flags.has("width"))) {
    throw new CountInputError(
      `--from takes the network and width of the counter it starts from; drop --network/--width`,
    );
  }
  const network = flags.choice("network", NETWORK_CHOICES, "fcrn");
  const width = flags.number("width", DEFAULT_WIDTH[network], { min: 0.01, max: 4 });
  const channelsText = flags.choice("channels", ["auto", "1", "3"] as const, "auto");
  const resume = flags.boolean("resume");
  const force = flags.boolean("force");
  const validateEveryGiven = flags.has("validate-every")
    ? flags.number("validate-every", 1, { min: 1, integer: true })
    : undefined;
  const checkpointEvery = flags.number(
    "checkpoint-every",
    Math.max(1, Math.min(100, Math.round(steps / 10))),
    { min: 1, integer: true },
  );

  // 2. The output folder: nothing of an earlier run is lost without --force.
  if (resume) {
    const done = await existing(out, OUTPUTS);
    if (done.length && !force) {
      throw new CountInputError(
        `--out ${out} already holds ${done[0]} of a finished run: nothing to resume ` +
          `(pass --force to overwrite it, or choose another --out)`,
      );
    }
  } else {
    const earlier = await existing(out, [CHECKPOINT]);
    if (earlier.length && !force) {
      throw new CountInputError(
        `--out ${out} holds the checkpoint of an unfinished run: pass --resume to continue it, ` +
          `--force to start over, or choose another --out`,
      );
    }
    await assertFree(out, [...OUTPUTS, SETTINGS], { force });
  }

  // 3. The data: annotations read, images decoded (every bad file fails here, named).
  const found = await findAnnotated(flags);
  if (found.items.length === 0) throw new CountInputError(`no annotated images found`);
  const fromPath = fromArg === undefined ? undefined : await resolveModel(fromArg, "--from");
  await startBackend(flags);
  let fromMeta: { meta: NetworkMetadata; path: string; normalize?: PngNormalization } | undefined;
  if (fromPath !== undefined) {
    const c = await openCounter(fromPath, fromArg, "--from");
    fromMeta = { meta: c.network, path: fromPath, normalize: c.info.normalize };
    c.dispose();
  }
  const channels: 1 | 3 = fromMeta
    ? fromMeta.meta.inputChannels as 1 | 3
    : channelsText === "auto"
    ? (found.headers.every((h) => h.channels === 1) ? 1 : 3)
    : (Number(channelsText) as 1 | 3);
  if (fromMeta && channelsText !== "auto" && Number(channelsText) !== channels) {
    throw new CountInputError(
      `--channels ${channelsText}: the counter of --from takes ${channels}`,
    );
  }
  const normalize = flags.has("normalize")
    ? parseNormalize(flags.string("normalize"), found.headers)
    : fromMeta?.normalize ?? parseNormalize(undefined, found.headers);
  const { dataset, source } = await openAnnotated(found, { channels, normalize });
  const samples = await loadSamples(dataset);

  // 4. Split, crop and kernel.
  const n = samples.length;
  let nVal = valFraction > 0 ? Math.max(1, Math.round(valFraction * n)) : 0;
  if (n - nVal < 1) nVal = n - 1;
  const order = shuffled(samples.map((s) => s.name), new Rng(seed));
  const valNames = new Set(order.slice(0, nVal));
  const train = samples.filter((s) => !valNames.has(s.name));
  const validation = samples.filter((s) => valNames.has(s.name));
  if (valFraction > 0 && nVal === 0) {
    ctx.note(`note: one image only: no validation; the report scores the training image`);
  }
  const net = fromMeta
    ? await rebuildNetwork(fromMeta.meta, fromMeta.path)
    : buildCountNetwork(network, { width, channels, seed });
  try {
    const multiple = lcm(net.inputMultiple, net.outputStride);
    const minSide = Math.min(...train.map((s) => Math.min(s.shape[0], s.shape[1])));
    const small = train.find((s) => Math.min(s.shape[0], s.shape[1]) === minSide)!;
    if (minSide < multiple) {
      throw new CountInputError(
        `image ${small.name} is ${small.shape[1]}x${small.shape[0]} pixels: ${net.name} needs ` +
          `training images of at least ${multiple}x${multiple}`,
      );
    }
    const crop = flags.has("crop")
      ? flags.number("crop", 128, { min: multiple, integer: true })
      : Math.min(128, Math.floor(minSide / multiple) * multiple);
    if (crop % multiple !== 0) {
      throw new CountInputError(
        `--crop must be a multiple of ${multiple} for ${net.name}; got ${crop} ` +
          `(try ${Math.max(multiple, Math.floor(crop / multiple) * multiple)})`,
      );
    }
    if (crop > minSide) {
      throw new CountInputError(
        `--crop ${crop} is larger than image ${small.name} (${small.shape[1]}x${
          small.shape[0]
        }); ` +
          `use --crop ${Math.floor(minSide / multiple) * multiple} or less`,
      );
    }
    const sigma = sigmaGiven ?? autoSigma(train.map((s) => ({
      points: s.points,
      shape: [s.shape[0], s.shape[1]] as const,
    }))).sigma;
    const density = densityOptions(kernel, sigma);
    const validateEvery = validateEveryGiven ?? Math.max(1, Math.round(steps / 10));
    const settings: Settings = {
      images: samples.map((s) => s.name),
      source,
      val: valFraction,
      validation: validation.map((s) => s.name),
      network: fromMeta ? fromMeta.meta.network : network,
      width: fromMeta ? null : width,
      from: fromMeta ? fromMeta.path : null,
      channels,
      normalize,
      density,
      steps,
      crop,
      batch: batchSize,
      lr,
      seed,
      validateEvery,
    };
    if (resume) await checkSameRun(out, settings);
    // Only now, with every input checked, is anything removed (--force) or written.
    await prepareOutput(out, resume ? OUTPUTS : [...OUTPUTS, SETTINGS, CHECKPOINT], { force });
    await writeTextAtomic(join(out, SETTINGS), JSON.stringify(settings, null, 2) + "\n");

    ctx.note(
      `training ${
        describeNetwork(net)
      } on ${train.length} image(s), validating on ${validation.length}; ` +
        `${describeKernel(density)}; ${steps} steps of ${batchSize} crops ${crop}x${crop}`,
    );
    // 5. Train.
    const interrupt = interruptSignal();
    const started = performance.now();
    let fit;
    try {
      fit = await fitCounter(net, train, {
        steps,
        batchSize,
        crop: [crop, crop],
        density,
        lr,
        seed,
        validation,
        validateEvery,
        checkpoint: { dir: join(out, CHECKPOINT), every: checkpointEvery },
        resume,
        progress: ctx.progress ? "train" : false,
        signal: interrupt.signal,
      });
    } finally {
      interrupt.dispose();
    }
    if (fit.stopped === "signal") {
      throw new CountInterrupted(
        `stopped at step ${fit.steps} of ${steps}; the checkpoint is in ${
          join(out, CHECKPOINT)
        }: ` +
          `run the same command with --resume to continue`,
      );
    }
    const wall = (performance.now() - started) / 1000;

    // 6. Score the kept weights on the held-back images (or the training ones without any).
    const scored: CountingSample[] = validation.length ? validation : train;
    const evaluation = await evaluateCounter((x) => net.forward(x, false), scored, {
      outputStride: net.outputStride,
      inputMultiple: net.inputMultiple,
      densityScale: 100,
      gameLevels: [],
    });
    const m = evaluation.metrics;
    const trainedOn = `${train.length} image(s) of ${found.label}`;
    await saveCounter(net, out, {
      densityScale: 100,
      channels,
      normalize,
      density,
      trainedOn,
      steps,
      validationMae: validation.length ? m.mae : undefined,
      command: `deno task count train ${args.join(" ")}`,
    });
    await writeTextAtomic(join(out, "history.csv"), historyCsv(fit.history));
    const valLines = [csvLine(["image", "true", "predicted", "error"])];
    evaluation.names.forEach((name, i) =>
      valLines.push(csvLine([
        name,
        evaluation.truth[i],
        Number(evaluation.predicted[i].toFixed(3)),
        Number((evaluation.predicted[i] - evaluation.truth[i]).toFixed(3)),
      ]))
    );
    await writeTextAtomic(join(out, "validation.csv"), valLines.join("\n") + "\n");
    const what = validation.length ? "held-back validation" : "training";
    const truthStats = countStats([...evaluation.truth]);
    await writeReportWithImages(join(out, "report.html"), {
      title: `Counter trained on ${train.length} image(s)`,
      intro:
        `\`${describeNetwork(net)}\`, trained for ${fit.steps} steps in ${
          (fit.seconds / 60).toFixed(1)
        } min on ${trainedOn}. On the ${evaluation.names.length} ${what} image(s) ` +
        `(mean ${fmt(truthStats.mean)} objects) it counts with **MAE ${m.mae.toFixed(2)}**, ` +
        `RMSE ${m.rmse.toFixed(2)}${
          Number.isFinite(m.nmae) ? `, relative error ${(100 * m.nmae).toFixed(1)} %` : ""
        }.` +
        (validation.length ? "" : " With no held-back images this says little about new images."),
      sections: [
        {
          heading: `Predicted against true counts (${what} images)`,
          figures: [agreementFigure([...evaluation.truth], [...evaluation.predicted], "")],
          tables: [{
            columns: ["image", "true", "predicted", "error"],
            rows: evaluation.names.map((name, i) => [
              name,
              evaluation.truth[i],
              evaluation.predicted[i],
              evaluation.predicted[i] - evaluation.truth[i],
            ]),
            digits: 2,
          }],
        },
        {
          heading: "Training curves",
          text:
            `The loss of each step (left) and the validation MAE every ${validateEvery} steps ` +
            `(right); the weights kept are those of the best validation MAE` +
            (fit.best ? ` (${fit.best.mae.toFixed(2)} at step ${fit.best.step})` : "") + ".",
          figures: curveFigures(fit.history),
        },
        {
          heading: "Settings",
          tables: [{
            columns: ["setting", "value"],
            rows: [
              ["data", source],
              ["training images", train.length],
              ["validation images", validation.length],
              ["network", describeNetwork(net)],
              ["from", fromMeta ? fromMeta.path : "random initialisation"],
              ["input", `${channels === 1 ? "gray" : "RGB"}, ${describeNormalize(normalize)}`],
              ["kernel", describeKernel(density)],
              ["steps", steps],
              ["crops", `${batchSize} of ${crop}x${crop} per step, random flips`],
              ["learning rate", lr],
              ["seed", seed],
              ["training time", `${(fit.seconds / 60).toFixed(1)} min`],
              ["command", `deno task count train ${args.join(" ")}`],
            ],
          }],
        },
      ],
    });
    await Deno.remove(join(out, CHECKPOINT), { recursive: true }).catch(() => {});
    ctx.out(
      `${what} MAE ${m.mae.toFixed(2)}, RMSE ${m.rmse.toFixed(2)} on ${evaluation.names.length} ` +
        `image(s) (mean ${fmt(truthStats.mean)} objects); trained in ${wall.toFixed(0)} s`,
    );
    ctx.out(
      `wrote the counter to ${out} (model.json, weights.bin) and ${join(out, "report.html")}`,
    );
  } finally {
    net.dispose();
  }
}

/** With `--resume`: the run in `out` must have the same settings. */
async function checkSameRun(out: string, settings: Settings): Promise<void> {
  let before: Settings;
  try {
    before = JSON.parse(await Deno.readTextFile(join(out, SETTINGS)));
  } catch {
    return; // no earlier run here: --resume starts from scratch
  }
  const differ = (Object.keys(settings) as (keyof Settings)[]).filter((k) =>
    JSON.stringify(before[k]) !== JSON.stringify(settings[k])
  );
  if (differ.length) {
    throw new CountInputError(
      `--resume: the run in ${out} had other settings (${
        differ.map((k) =>
          `${k}: ${JSON.stringify(before[k])} then, ${JSON.stringify(settings[k])} now`
        )
          .join("; ")
      }); use the same flags, or --force to start over`,
    );
  }
}

function historyCsv(history: { series(key: string): { x: number[]; y: number[] } }): string {
  const loss = history.series("loss");
  const mae = history.series("val_mae");
  const rmse = history.series("val_rmse");
  const byStep = new Map<number, number>();
  mae.x.forEach((s, i) => byStep.set(s, i));
  const lines = [csvLine(["step", "loss", "val_mae", "val_rmse"])];
  loss.x.forEach((s, i) => {
    const j = byStep.get(s);
    lines.push(csvLine([
      s,
      loss.y[i],
      j === undefined ? "" : mae.y[j],
      j === undefined ? "" : rmse.y[j] ?? "",
    ]));
  });
  return lines.join("\n") + "\n";
}

function curveFigures(history: { series(key: string): { x: number[]; y: number[] } }) {
  const loss = history.series("loss");
  const mae = history.series("val_mae");
  return [
    lineFigure({
      series: [
        { name: "loss", x: loss.x, y: loss.y },
        ...(mae.x.length
          ? [{
            name: "validation MAE",
            x: mae.x,
            y: mae.y,
            mode: "lines+markers" as const,
            rightAxis: true,
          }]
          : []),
      ],
      xTitle: "step",
      yTitle: "loss (100 × density, squared error)",
      y2Title: "validation MAE (objects)",
      logY: loss.y.every((v) => v > 0),
    }),
  ];
}

function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a / gcd(a, b)) * b;
}

/** For tests: the output files of a finished run. */
export const TRAIN_OUTPUTS: readonly string[] = [...OUTPUTS, SETTINGS];
