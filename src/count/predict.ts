/**
 * `deno task count predict`: counts the objects in every image of a folder
 * with a trained counter and writes, to the output folder, `counts.csv`
 * (image, count), per image its density map (`density/<name>.png`, colour
 * scaled to its maximum, and `density/<name>.npy`, the float values whose
 * sum is the count) and an overlay of the map on the image
 * (`overlay/<name>.png`), and `report.html` (counts, a histogram, the
 * overlays as thumbnails). Large images are predicted in tiles.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { createProgress } from "../core/progress.ts";
import { readImageData } from "../io/read.ts";
import { encodePngPixels } from "../io/png.ts";
import { parseFlags, userPath } from "./args.ts";
import { COMMON_HELP, type CountContext, startBackend } from "./context.ts";
import { describeNormalize, parseNormalize } from "./data.ts";
import { inspectImages, listImageFiles } from "./images.ts";
import { describeKernel } from "./kernel.ts";
import { openCounter, resolveModel, SHIPPED_MODEL } from "./model.ts";
import { csvLine, prepareOutput, writeTextAtomic } from "./output.ts";
import { densityPixels, npyBytes, overlayPixels, thumbnail } from "./render.ts";
import {
  countStats,
  fmt,
  histogramFigure,
  titledImages,
  writeReportWithImages,
} from "./report_parts.ts";

/** The help of `count predict`. */
export const PREDICT_HELP = `deno task count predict --images DIR [--model M] [--out DIR] [--force]

Counts the objects (cells, nuclei, ...) in every PNG or JPEG image of DIR with a
trained counter, and writes to the output folder:
  counts.csv            image, count
  density/NAME.png      where the counter sees objects (bright = dense); its values sum to the count
  density/NAME.npy      the same map as float32 numbers (numpy.load), at the counter's resolution
  overlay/NAME.png      the map drawn over the image
  report.html           counts, a histogram and the overlays, in one file that opens offline

  --images DIR       a folder of images, or one image file
  --model M          the counter: a folder written by \`deno task count train\`
                     (default: the VGG-cells counter shipped in ${SHIPPED_MODEL}/)
  --out DIR          where to write (default: DIR-counts beside the images)
  --force            overwrite the outputs of an earlier run in --out
  --tile N           predict large images in tiles of at most N x N pixels (default 512);
                     lower it if memory runs out; counts hardly change (BBBC039, 520 x 696:
                     by at most 0.04 of ~100 nuclei with 256, 0.12 with 128)
${`  --normalize N      brightness scale of 16-bit images (default: the counter's own);
                     depth, bits, 12bit or two percentiles such as 1,99.8`}
${COMMON_HELP}

A counter counts what it was trained on: the shipped one knows fluorescent cells
like VGG's synthetic ones. For your own kind of images, train one on a few
annotated images with \`deno task count train\`.
`;

/**
 * Runs `count predict`.
 *
 * @param args The arguments after `predict`.
 * @param ctx Where messages go.
 * @returns Once everything is written.
 */
export async function predictCommand(args: readonly string[], ctx: CountContext): Promise<void> {
  const flags = parseFlags("predict", args, {
    model: { type: "string" },
    images: { type: "string" },
    out: { type: "string" },
    force: { type: "boolean" },
    tile: { type: "string" },
    normalize: { type: "string" },
  });
  if (flags.boolean("help")) return ctx.out(PREDICT_HELP);
  const imagesArg = userPath(flags.required("images", "the folder of images to count"));
  const tile = flags.number("tile", 512, { min: 16, integer: true });
  const images = await listImageFiles(imagesArg);
  const headers = await inspectImages(images);
  const single = images.length === 1 && images[0].path === imagesArg;
  const out = userPath(
    flags.string("out") ??
      (single
        ? join(dirname(imagesArg), `${images[0].stem}-counts`)
        : `${imagesArg.replace(/\/+$/, "")}-counts`),
  );
  const normalizeFlag = flags.string("normalize");
  const override = normalizeFlag === undefined ? undefined : parseNormalize(normalizeFlag, headers);
  const modelPath = await resolveModel(flags.string("model"));
  await startBackend(flags);
  const counter = await openCounter(modelPath, flags.string("model"));
  try {
    await prepareOutput(out, ["counts.csv", "density", "overlay", "report.html"], {
      force: flags.boolean("force"),
    });
    await Deno.mkdir(join(out, "density"));
    await Deno.mkdir(join(out, "overlay"));
    const channels = counter.network.inputChannels as 1 | 3;
    const normalize = override ?? counter.info.normalize;
    const progress = ctx.progress && images.length > 1
      ? createProgress({ total: images.length, label: "predict" })
      : null;
    const started = performance.now();
    let modelSeconds = 0;
    const counts: number[] = [];
    const thumbs: { pixels: ReturnType<typeof thumbnail>; title: string }[] = [];
    const THUMBS = 100;
    for (const [i, file] of images.entries()) {
      const image = await readImageData(file.path, {
        channels,
        normalize: normalize ?? (headers[i].bitDepth > 8 ? "depth" : undefined),
      });
      const t0 = performance.now();
      const map = await counter.predict(image, { maxPixels: tile * tile });
      modelSeconds += (performance.now() - t0) / 1000;
      counts.push(map.count);
      await Deno.writeFile(join(out, "density", `${file.stem}.npy`), npyBytes(map));
      await Deno.writeFile(
        join(out, "density", `${file.stem}.png`),
        encodePngPixels(densityPixels(map)),
      );
      const overlay = overlayPixels(image, map);
      await Deno.writeFile(join(out, "overlay", `${file.stem}.png`), encodePngPixels(overlay));
      if (thumbs.length < THUMBS) {
        thumbs.push({ pixels: thumbnail(overlay, 160), title: `${file.stem}: ${fmt(map.count)}` });
      }
      progress?.update(i + 1);
    }
    progress?.done();
    const seconds = (performance.now() - started) / 1000;
    const lines = [csvLine(["image", "count"])];
    images.forEach((f, i) => lines.push(csvLine([basename(f.path), Number(counts[i].toFixed(3))])));
    await writeTextAtomic(join(out, "counts.csv"), lines.join("\n") + "\n");
    const stats = countStats(counts);
    const info = counter.info;
    await writeReportWithImages(join(out, "report.html"), {
      title: `Counts of ${basename(imagesArg)}`,
      intro: [
        `${stats.n} image(s) from \`${imagesArg}\`, counted with the counter \`${modelPath}\`` +
        (info.trainedOn
          ? ` (trained on ${info.trainedOn}` +
            (info.validationMae !== undefined
              ? `, validation MAE ${info.validationMae.toFixed(2)})`
              : ")")
          : "") +
        ".",
        `Total **${fmt(stats.total)}** objects; per image mean ${fmt(stats.mean)}, standard ` +
        `deviation ${fmt(stats.std)}, from ${fmt(stats.min)} to ${fmt(stats.max)}.`,
      ].join("\n\n"),
      sections: [
        {
          heading: "Counts",
          figures: stats.n > 1 ? [histogramFigure(counts, "Objects per image")] : [],
          tables: [{
            columns: ["image", "count"],
            rows: images.map((f, i) => [basename(f.path), Number(counts[i].toFixed(2))]),
            digits: 2,
          }],
        },
        {
          heading: "Density over each image",
          text: `Where the counter sees objects; the brightest colour is each image's densest ` +
            `place. ${
              images.length > THUMBS
                ? `The first ${THUMBS} of ${images.length} images; all are in \`overlay/\`.`
                : ""
            }`,
          images: titledImages(thumbs),
        },
        {
          heading: "How these were made",
          text: [
            `- counter: \`${modelPath}\`, network ${counter.network.network} (output stride ` +
            `${counter.network.outputStride}), ${channels === 1 ? "gray" : "RGB"} input`,
            `- training targets: ${describeKernel(info.density)}`,
            `- image scale: ${
              describeNormalize(normalize)
            }; tiles of at most ${tile} × ${tile} pixels`,
            `- ${stats.n} image(s) in ${seconds.toFixed(1)} s (${
              (stats.n / seconds).toFixed(2)
            } images/s; the network alone ${(stats.n / modelSeconds).toFixed(2)} images/s)`,
          ].join("\n"),
        },
      ],
    });
    ctx.out(
      `counted ${stats.n} image(s): total ${fmt(stats.total)}, mean ${fmt(stats.mean)} per image ` +
        `(${seconds.toFixed(1)} s, ${(stats.n / seconds).toFixed(2)} images/s)`,
    );
    ctx.out(`wrote ${join(out, "counts.csv")} and ${join(out, "report.html")}`);
  } finally {
    counter.dispose();
  }
}
