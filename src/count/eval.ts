/**
 * `deno task count eval`: scores a counter on annotated images with the
 * counting core's evaluation (whole images, tiled when large): MAE, RMSE,
 * NMAE and GAME(0–3) over the images, and per image the true and predicted
 * count and its GAME, as `eval.csv`, `metrics.csv` and in `report.html`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { basename, join } from "node:path";
import { createProgress } from "../core/progress.ts";
import { evaluateCounter } from "../counting/evaluate.ts";
import { countingMetrics } from "../counting/metrics.ts";
import { parseFlags, userPath } from "./args.ts";
import { COMMON_HELP, type CountContext, startBackend } from "./context.ts";
import {
  DATA_FLAGS,
  DATA_HELP,
  describeNormalize,
  findAnnotated,
  openAnnotated,
  parseNormalize,
} from "./data.ts";
import { describeKernel } from "./kernel.ts";
import { openCounter, resolveModel, SHIPPED_MODEL } from "./model.ts";
import { csvLine, prepareOutput, writeTextAtomic } from "./output.ts";
import { agreementFigure, countStats, fmt, writeReportWithImages } from "./report_parts.ts";

/** The GAME levels reported. */
const LEVELS = [0, 1, 2, 3] as const;

/** The help of `count eval`. */
export const EVAL_HELP =
  `deno task count eval --images DIR --points DIR [--model M] [--out DIR] [--force]

Scores a counter on images whose objects are marked (as for count train) and
writes to the output folder:
  metrics.csv   MAE, RMSE, NMAE, GAME(0)-GAME(3) over all images
  eval.csv      per image: true count, predicted count, error, GAME(0)-GAME(3)
  report.html   the same, with predicted against true counts

  MAE    mean absolute count error (objects per image)
  RMSE   root mean squared count error (large errors weigh more)
  NMAE   MAE relative to each image's true count (images with 0 objects left out)
  GAME(L) the image cut into 4^L cells, absolute count errors of the cells summed:
         GAME(0) = MAE; higher levels also punish objects counted in the wrong place

${DATA_HELP}
  --model M          the counter (default: the shipped ${SHIPPED_MODEL}/)
  --out DIR          where to write (default: DIR-eval beside the images)
  --force            overwrite the outputs of an earlier run in --out
  --tile N           predict large images in tiles of at most N x N pixels (default 512)
  --normalize N      brightness scale of the images (default: the counter's own)
${COMMON_HELP}
`;

/**
 * Runs `count eval`.
 *
 * @param args The arguments after `eval`.
 * @param ctx Where messages go.
 * @returns Once everything is written.
 */
export async function evalCommand(args: readonly string[], ctx: CountContext): Promise<void> {
  const flags = parseFlags("eval", args, {
    ...DATA_FLAGS,
    model: { type: "string" },
    out: { type: "string" },
    force: { type: "boolean" },
    tile: { type: "string" },
    normalize: { type: "string" },
  });
  if (flags.boolean("help")) return ctx.out(EVAL_HELP);
  const tile = flags.number("tile", 512, { min: 16, integer: true });
  const found = await findAnnotated(flags);
  const base = flags.string("dataset") ?? flags.required("images", "the folder of images");
  const out = userPath(flags.string("out") ?? `${userPath(base).replace(/\/+$/, "")}-eval`);
  const modelPath = await resolveModel(flags.string("model"));
  await startBackend(flags);
  const counter = await openCounter(modelPath, flags.string("model"));
  try {
    const normalize = flags.has("normalize")
      ? parseNormalize(flags.string("normalize"), found.headers)
      : counter.info.normalize ?? "depth";
    const channels = counter.network.inputChannels as 1 | 3;
    const { dataset, source } = await openAnnotated(found, { channels, normalize });
    await prepareOutput(out, ["eval.csv", "metrics.csv", "report.html"], {
      force: flags.boolean("force"),
    });
    const forward = (x: tf.Tensor4D) => {
      const y = counter.model.predict(x);
      return (Array.isArray(y) ? y[0] : y) as tf.Tensor4D;
    };
    const options = {
      outputStride: counter.network.outputStride,
      inputMultiple: counter.network.inputMultiple,
      densityScale: counter.info.densityScale,
      maxPixels: tile * tile,
      gameLevels: [...LEVELS],
      density: counter.info.density,
    };
    const names: string[] = [], truth: number[] = [], predicted: number[] = [];
    const games: number[][] = [];
    const progress = ctx.progress && dataset.length > 1
      ? createProgress({ total: dataset.length, label: "eval" })
      : null;
    const started = performance.now();
    for (const [i, name] of dataset.names.entries()) {
      const sample = await dataset.sample(name);
      const r = await evaluateCounter(forward, [sample], options);
      names.push(name);
      truth.push(r.truth[0]);
      predicted.push(r.predicted[0]);
      games.push(LEVELS.map((l) => r.game[l]));
      progress?.update(i + 1);
    }
    progress?.done();
    const seconds = (performance.now() - started) / 1000;
    const m = countingMetrics(predicted, truth);
    const game = LEVELS.map((_, j) => games.reduce((a, g) => a + g[j], 0) / games.length);
    const metricRows: [string, number][] = [
      ["images", m.images],
      ["MAE", m.mae],
      ["RMSE", m.rmse],
      ["NMAE", m.nmae],
      ...LEVELS.map((l, j) => [`GAME(${l})`, game[j]] as [string, number]),
    ];
    await writeTextAtomic(
      join(out, "metrics.csv"),
      [csvLine(["metric", "value"]), ...metricRows.map(([k, v]) => csvLine([k, round(v)]))].join(
        "\n",
      ) +
        "\n",
    );
    const header = ["image", "true", "predicted", "error", ...LEVELS.map((l) => `game${l}`)];
    const rows = names.map((name, i) => [
      name,
      truth[i],
      round(predicted[i]),
      round(predicted[i] - truth[i]),
      ...games[i].map(round),
    ]);
    await writeTextAtomic(
      join(out, "eval.csv"),
      [csvLine(header), ...rows.map((r) => csvLine(r))].join("\n") + "\n",
    );
    const t = countStats(truth);
    await writeReportWithImages(join(out, "report.html"), {
      title: `Evaluation of ${basename(modelPath)} on ${m.images} image(s)`,
      intro: `The counter \`${modelPath}\`` +
        (counter.info.trainedOn ? ` (trained on ${counter.info.trainedOn})` : "") +
        ` on ${m.images} annotated image(s) of ${source} (mean ${
          fmt(t.mean)
        } objects per image): ` +
        `**MAE ${m.mae.toFixed(2)}**, RMSE ${m.rmse.toFixed(2)}, NMAE ${
          Number.isFinite(m.nmae) ? `${(100 * m.nmae).toFixed(1)} %` : "n/a (no objects)"
        }.`,
      sections: [
        {
          heading: "Metrics",
          text: `GAME(L) cuts each image into 4^L cells and sums the absolute count errors of ` +
            `the cells (ground truth: ${
              describeKernel(counter.info.density)
            }); GAME(0) is the MAE.` +
            (m.zeroCountImages
              ? ` NMAE leaves out the ${m.zeroCountImages} image(s) with no objects.`
              : ""),
          tables: [{ columns: ["metric", "value"], rows: metricRows, digits: 3 }],
        },
        {
          heading: "Predicted against true counts",
          figures: [agreementFigure(truth, predicted, "")],
        },
        {
          heading: "Per image",
          tables: [{ columns: header, rows, digits: 2 }],
        },
        {
          heading: "How these were made",
          text: [
            `- counter: \`${modelPath}\`, network ${counter.network.network}, ${
              channels === 1 ? "gray" : "RGB"
            } input, image scale ${describeNormalize(normalize)}`,
            `- tiles of at most ${tile} × ${tile} pixels; ${m.images} image(s) in ${
              seconds.toFixed(1)
            } s`,
          ].join("\n"),
        },
      ],
    });
    ctx.out(
      `MAE ${m.mae.toFixed(2)}, RMSE ${m.rmse.toFixed(2)}, NMAE ${
        Number.isFinite(m.nmae) ? m.nmae.toFixed(3) : "n/a"
      }, GAME(0-3) ${game.map((g) => g.toFixed(2)).join(" / ")} on ${m.images} image(s)`,
    );
    ctx.out(
      `wrote ${join(out, "eval.csv")}, ${join(out, "metrics.csv")} and ${join(out, "report.html")}`,
    );
  } finally {
    counter.dispose();
  }
}

function round(v: number): number {
  return Number.isFinite(v) ? Number(v.toFixed(4)) : NaN;
}
