/**
 * Running one chapter 2 experiment: read and crop the image, prepare the
 * task, build the method's network, fit it with `fitDip` (checkpointed,
 * interruptible, with progress), save the images and return the
 * {@linkcode FitRecord}.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fitDip } from "../../dip/fit.ts";
import { prepareTask } from "../../dip/tasks/task.ts";
import type { ExperimentContext } from "../run.ts";
import { type Chapter2Experiment, METHODS, TASKS } from "./experiments.ts";
import { readChapter2Image } from "./images.ts";
import { subsample, valueAt } from "./record.ts";
import type { FitRecord } from "./record.ts";
import type { Chapter2Settings } from "./settings.ts";

/** Options of {@linkcode runChapter2Experiment}. */
export interface RunExperimentOptions {
  /** Show a progress bar (default `true`). */
  progress?: boolean;
}

/**
 * Fits one experiment and returns what `result.json` stores.
 *
 * @param ctx The experiment context of a {@linkcode ReproRun} (checkpoint, resume, signal, images).
 * @param exp The run.
 * @param settings The profile's settings.
 * @param options Progress.
 * @returns The record.
 * @throws {Interrupted} When Ctrl-C stopped the fit (a checkpoint is on disk).
 */
export async function runChapter2Experiment(
  ctx: ExperimentContext,
  exp: Chapter2Experiment,
  settings: Chapter2Settings,
  options: RunExperimentOptions = {},
): Promise<FitRecord> {
  const method = METHODS[exp.method];
  const taskDef = TASKS[exp.task];
  const clean = await readChapter2Image(
    { name: exp.image, path: exp.path },
    taskDef.channels,
    settings,
  );
  const prepared = await prepareTask(clean, taskDef.task(settings, exp.method), {
    seed: settings.seed,
  }).finally(() => clean.dispose());
  const net = method.build(settings, prepared.outputShape[2]);
  const outputs: tf.Tensor3D[] = [];
  try {
    const [outH, outW] = prepared.outputShape;
    const result = await fitDip({
      net,
      target: prepared.target,
      clean: prepared.clean,
      outputSize: [outH, outW],
      degrade: prepared.degrade,
      mask: prepared.mask,
      steps: prepared.steps,
      seed: settings.seed,
      lr: settings.lr,
      dipInput: method.input === "settings" ? settings.dipInput : method.input,
      ...method.fit,
      score: async (out) => (await prepared.scoreAsync(out)).psnr,
      every: settings.every,
      // Super-resolution targets are small (LR) and no figure shows their bands.
      fbc: prepared.degrade && exp.task.startsWith("sr")
        ? undefined
        : { bands: settings.bands, every: settings.fbcEvery },
      autoStop: method.autoStop
        ? { ...settings.autoStop, every: settings.every, stop: false }
        : undefined,
      checkpoint: ctx.checkpoint,
      resume: ctx.resume,
      signal: ctx.signal,
      progress: options.progress === false ? false : { label: exp.id },
    });
    outputs.push(result.last);
    if (result.best) outputs.push(result.best.image);
    if (result.smoothed) outputs.push(result.smoothed);
    if (result.posteriorMean) outputs.push(result.posteriorMean);
    ctx.ensureFinished(result);

    const h = result.history;
    const psnr = h.series("psnr");
    const last = psnr.y.at(-1) ?? NaN;
    const stopStep = result.stoppedAt;
    const stop = stopStep === undefined ? null : { step: stopStep, psnr: valueAt(psnr, stopStep) };
    const posterior = h.series("psnrPosterior").y.at(-1);
    const reportedValue = method.reported === "best"
      ? result.best!.psnr
      : method.reported === "stop"
      ? (stop?.psnr ?? last)
      : method.reported === "posterior"
      ? (posterior ?? last)
      : last;
    // The degraded input scored against the ground truth (SR: the bicubic baseline).
    const inputPsnr = exp.task === "enhance"
      ? null
      : (await prepared.scoreAsync(prepared.baseline ?? prepared.target)).psnr;

    const images: Record<string, string> = {};
    const rel = (p: string) => p.replace(/^.*\/runs\//, "runs/");
    const save = async (name: string, image: tf.Tensor3D) => {
      images[name] = rel(await ctx.saveImage(name, image));
    };
    await save("input", prepared.target);
    await save("clean", prepared.clean);
    if (prepared.baseline) await save("bicubic", prepared.baseline);
    const finished = prepared.finish(result.last);
    outputs.push(finished);
    await save("output", finished);
    if (exp.task === "enhance") {
      const smooth = tf.clipByValue(result.last, 0, 1) as tf.Tensor3D;
      outputs.push(smooth);
      await save("smoothed", smooth);
    }
    if (result.best) {
      const best = prepared.finish(result.best.image);
      outputs.push(best);
      await save("best", best);
    }
    if (result.posteriorMean) {
      const mean = prepared.finish(result.posteriorMean);
      outputs.push(mean);
      await save("posterior", mean);
    }

    const n = settings.historyPoints;
    const bandX = h.series("band0").x;
    const keep = subsample({ x: bandX, y: bandX.map((_, i) => i) }, n);
    const record: FitRecord = {
      id: exp.id,
      method: exp.method,
      task: exp.task,
      image: exp.image,
      shape: prepared.outputShape,
      budget: prepared.steps,
      steps: result.steps,
      psnr: subsample(psnr, n),
      bands: {
        x: keep.x,
        y: Array.from(
          { length: settings.bands },
          (_, b) => keep.y.map((i) => h.series(`band${b}`).y[i]),
        ),
      },
      best: { step: result.best!.step, psnr: result.best!.psnr },
      last,
      stop,
      reported: { kind: method.reported, psnr: reportedValue },
      inputPsnr,
      images,
      seconds: result.seconds,
    };
    if (method.autoStop) record.ratio = subsample(h.series("ratio"), n);
    if (h.keys().includes("psnrSmoothed")) {
      record.psnrSmoothed = subsample(h.series("psnrSmoothed"), n);
    }
    if (h.keys().includes("psnrPosterior")) {
      record.psnrPosterior = subsample(h.series("psnrPosterior"), n);
    }
    return record;
  } finally {
    tf.dispose(outputs);
    net.dispose();
    prepared.dispose();
  }
}
