// End-to-end tests of `deno task count` on tiny crops of the real counting
// sets (VGG cells RGB PNG, BBBC039 16-bit gray PNG) copied into a temporary
// folder: train → predict → eval in-process through `countMain`, `--resume`
// after a hard kill of a training subprocess against an uninterrupted run,
// and every bad input (one line on stderr, exit code 2, nothing written).
import { assert, assertAlmostEquals, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { countMain } from "./main.ts";
import { shippedModelPath } from "./model.ts";
import { TRAIN_OUTPUTS } from "./train.ts";
import { writeTinySet } from "./_tiny_data.ts";
import { fcrn } from "../counting/networks/fcrn.ts";
import { saveModel } from "../counting/networks/model_io.ts";
import { useBackend } from "../core/backend.ts";

await useBackend("wasm");

const root = await Deno.makeTempDir({ prefix: "count_test_" });
const cells = join(root, "cells");
const nuclei = join(root, "nuclei");
const tiny = await writeTinySet(cells, { count: 6, side: 64 });
await writeTinySet(nuclei, { set: "bbbc039", count: 2, side: 64 });

/** A context that records what a command prints. */
function capture() {
  const out: string[] = [], err: string[] = [];
  return {
    ctx: { out: (l: string) => out.push(l), note: (l: string) => err.push(l), progress: false },
    out,
    err,
  };
}

/** Runs `count ARGS` in-process. */
async function count(...args: string[]) {
  const c = capture();
  const code = await countMain([...args, "--backend", "wasm"], c.ctx);
  return { code, out: c.out, err: c.err };
}

/** Train flags of a run that takes about a second. */
const TRAIN = [
  "train",
  "--images",
  join(cells, "images"),
  "--points",
  join(cells, "points"),
  "--width",
  "0.125",
  "--crop",
  "32",
  "--batch",
  "2",
];

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function readCsv(path: string): Promise<string[][]> {
  return (await Deno.readTextFile(path)).trim().split("\n").map((l) => l.split(","));
}

const model = join(root, "model");

Deno.test("train writes a counter, curves, the validation table and the report", async () => {
  const r = await count(...TRAIN, "--steps", "8", "--out", model);
  assertEquals(r.code, 0, r.err.join("\n"));
  for (const f of TRAIN_OUTPUTS) assert(await exists(join(model, f)), `missing ${f}`);
  assert(!(await exists(join(model, "checkpoint"))), "checkpoint left behind");
  assertStringIncludes(r.out[0], "held-back validation MAE");
  const history = await readCsv(join(model, "history.csv"));
  assertEquals(history[0], ["step", "loss", "val_mae", "val_rmse"]);
  assertEquals(history.length, 1 + 8);
  assert(history.slice(1).some((row) => row[2] !== ""), "no validation MAE in the history");
  const val = await readCsv(join(model, "validation.csv"));
  assertEquals(val.length, 2); // 6 images, --val 0.2 → 1 held back
  const settings = JSON.parse(await Deno.readTextFile(join(model, "settings.json")));
  assertEquals(settings.density.kernel, "fixed");
  assert(settings.density.sigma >= 1 && settings.density.sigma <= 8, `${settings.density.sigma}`);
  const json = JSON.parse(await Deno.readTextFile(join(model, "model.json")));
  assertEquals(json.userDefinedMetadata.pixelbias.counter.densityScale, 100);
  const html = await Deno.readTextFile(join(model, "report.html"));
  for (const s of ["MAE", "RMSE", "Predicted against true counts", "Training curves"]) {
    assertStringIncludes(html, s);
  }
});

Deno.test("predict counts a folder (16-bit gray into an RGB counter), tiles, and refuses to overwrite", async () => {
  const images = join(nuclei, "images");
  const out = join(root, "pred");
  const r = await count("predict", "--model", model, "--images", images, "--out", out);
  assertEquals(r.code, 0, r.err.join("\n"));
  const rows = await readCsv(join(out, "counts.csv"));
  assertEquals(rows[0], ["image", "count"]);
  assertEquals(rows.length, 3);
  for (const [name] of rows.slice(1)) {
    const stem = name.replace(/\.png$/, "");
    for (const f of [`density/${stem}.png`, `density/${stem}.npy`, `overlay/${stem}.png`]) {
      assert(await exists(join(out, f)), `missing ${f}`);
    }
  }
  // the .npy holds the map whose sum is the count
  const stem = rows[1][0].replace(/\.png$/, "");
  const npy = await Deno.readFile(join(out, "density", `${stem}.npy`));
  const headerLength = new DataView(npy.buffer).getUint16(8, true);
  assertStringIncludes(new TextDecoder().decode(npy.subarray(10, 10 + headerLength)), "(64, 64)");
  const values = new Float32Array(npy.slice(10 + headerLength).buffer);
  assertAlmostEquals(values.reduce((a, b) => a + b, 0), Number(rows[1][1]), 1e-3);
  const html = await Deno.readTextFile(join(out, "report.html"));
  assertStringIncludes(html, "Objects per image");
  assertStringIncludes(html, '<img src="data:image/png;base64,');

  // again: refused, one line, exit 2, nothing changed
  const before = await Deno.readTextFile(join(out, "counts.csv"));
  const again = await count("predict", "--model", model, "--images", images, "--out", out);
  assertEquals(again.code, 2);
  assertEquals(again.err.length, 1);
  assertStringIncludes(again.err[0], "--force");
  assertEquals(await Deno.readTextFile(join(out, "counts.csv")), before);

  // tiles of 32 x 32 (overlap 8) also count, close to whole-image counts: an almost untrained
  // network's border effects differ between tiles and the whole (and --force overwrites)
  const tiled = await count(
    "predict",
    "--model",
    model,
    "--images",
    images,
    "--out",
    out,
    "--tile",
    "32",
    "--force",
  );
  assertEquals(tiled.code, 0, tiled.err.join("\n"));
  const rowsTiled = await readCsv(join(out, "counts.csv"));
  assertEquals(rowsTiled.length, rows.length);
  rows.slice(1).forEach((row, i) =>
    assertAlmostEquals(Number(rowsTiled[i + 1][1]), Number(row[1]), 1)
  );
});

Deno.test({
  name: "predict without --model uses the shipped VGG-cells counter",
  ignore: !(await exists(join(shippedModelPath(), "model.json"))),
  async fn() {
    const out = join(root, "shipped");
    const r = await count("predict", "--images", join(cells, "images"), "--out", out);
    assertEquals(r.code, 0, r.err.join("\n"));
    assertEquals((await readCsv(join(out, "counts.csv"))).length, 1 + tiny.counts.length);
    assertStringIncludes(await Deno.readTextFile(join(out, "report.html")), "models/vgg-cells");
  },
});

Deno.test("eval writes MAE, RMSE, NMAE, GAME(0-3) and the per-image table", async () => {
  const out = join(root, "eval");
  const r = await count(
    "eval",
    "--model",
    model,
    "--images",
    join(cells, "images"),
    "--points",
    join(cells, "points"),
    "--out",
    out,
  );
  assertEquals(r.code, 0, r.err.join("\n"));
  const metrics = Object.fromEntries((await readCsv(join(out, "metrics.csv"))).slice(1));
  for (const k of ["MAE", "RMSE", "NMAE", "GAME(0)", "GAME(1)", "GAME(2)", "GAME(3)"]) {
    assert(Number.isFinite(Number(metrics[k])), `${k} = ${metrics[k]}`);
  }
  assertAlmostEquals(Number(metrics["GAME(0)"]), Number(metrics.MAE), 1e-3);
  assert(Number(metrics["GAME(3)"]) >= Number(metrics["GAME(0)"]) - 1e-3);
  const rows = await readCsv(join(out, "eval.csv"));
  assertEquals(rows[0], [
    "image",
    "true",
    "predicted",
    "error",
    "game0",
    "game1",
    "game2",
    "game3",
  ]);
  assertEquals(rows.slice(1).map((r) => Number(r[1])), tiny.counts);
  const mae = rows.slice(1).reduce((a, r) => a + Math.abs(Number(r[3])), 0) / tiny.counts.length;
  assertAlmostEquals(mae, Number(metrics.MAE), 1e-3);
  assertStringIncludes(await Deno.readTextFile(join(out, "report.html")), "GAME(3)");
});

Deno.test("--from fine-tunes a counter; --dataset reads a folder in its own layout", async () => {
  const tuned = join(root, "tuned");
  const r = await count(
    "train",
    "--dataset",
    cells,
    "--format",
    "json",
    "--from",
    model,
    "--steps",
    "3",
    "--crop",
    "32",
    "--batch",
    "2",
    "--out",
    tuned,
  );
  assertEquals(r.code, 0, r.err.join("\n"));
  const settings = JSON.parse(await Deno.readTextFile(join(tuned, "settings.json")));
  assertEquals([settings.network, settings.width, settings.from], ["fcrn", null, model]);
  const json = JSON.parse(await Deno.readTextFile(join(tuned, "model.json")));
  assertEquals(json.userDefinedMetadata.pixelbias.options.width, 0.125);
  // --network with --from is refused: the network is the counter's
  const both = await count(
    ...TRAIN.slice(0, 5),
    "--from",
    model,
    "--network",
    "mcnn",
    "--out",
    tuned,
  );
  assertEquals(both.code, 2);
  assertStringIncludes(both.err[0], "--from takes the network");
  const e = await count("eval", "--model", tuned, "--dataset", cells, "--out", join(root, "eval2"));
  assertEquals(e.code, 0, e.err.join("\n"));
});

Deno.test("--resume after a hard kill ends where an uninterrupted run ends", async () => {
  const args = [...TRAIN, "--steps", "40", "--checkpoint-every", "2", "--validate-every", "5"];
  const straight = join(root, "straight"), killed = join(root, "killed");
  const main = new URL("./main.ts", import.meta.url).pathname;
  // The three trainings run as processes of their own with one oneDNN thread each: a test
  // worker's thread count differs from a plain process's, and sums over other thread counts
  // differ in the last bits.
  const env = { PIXELBIAS_THREADS: "1", NO_COLOR: "1" };
  const train = (out: string, ...extra: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", main, ...args, "--out", out, "--backend", "wasm", "--quiet", ...extra],
      env,
      stdout: "null",
      stderr: "piped",
    });
  const plain = await train(straight).output();
  assertEquals(plain.code, 0, new TextDecoder().decode(plain.stderr));

  const child = train(killed).spawn();
  const state = join(killed, "checkpoint", "state.json");
  const deadline = Date.now() + 30_000;
  while (!(await exists(state)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill("SIGKILL");
  const status = await child.status;
  await child.stderr.cancel();
  assert(!status.success, "the run finished before it was killed: make it longer");
  const step = JSON.parse(await Deno.readTextFile(state)).json.step;
  assert(step >= 2 && step < 40, `checkpoint at step ${step}`);
  assert(!(await exists(join(killed, "model.json"))));

  // without --resume the unfinished run is not overwritten
  const fresh = await count(...args, "--out", killed);
  assertEquals(fresh.code, 2);
  assertStringIncludes(fresh.err[0], "--resume");

  const resumed = await train(killed, "--resume").output();
  assertEquals(resumed.code, 0, new TextDecoder().decode(resumed.stderr));
  assertEquals(
    await Deno.readFile(join(killed, "weights.bin")),
    await Deno.readFile(join(straight, "weights.bin")),
  );
  assertEquals(
    await Deno.readTextFile(join(killed, "validation.csv")),
    await Deno.readTextFile(join(straight, "validation.csv")),
  );
  assertEquals(
    await Deno.readTextFile(join(killed, "history.csv")),
    await Deno.readTextFile(join(straight, "history.csv")),
  );

  // Ctrl-C / SIGTERM: a checkpoint, one line saying how to continue, exit code 130
  const stopped = join(root, "stopped");
  const term = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, ...args, "--out", stopped, "--backend", "wasm", "--quiet"],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stoppedState = join(stopped, "checkpoint", "state.json");
  while (!(await exists(stoppedState)) && Date.now() < deadline + 30_000) {
    await new Promise((r) => setTimeout(r, 5));
  }
  term.kill("SIGTERM");
  const termOut = await term.output();
  const lines = new TextDecoder().decode(termOut.stderr).trim().split("\n");
  assertEquals(termOut.code, 130, lines.join("\n"));
  assertStringIncludes(lines.at(-1)!, "interrupted: stopped at step");
  assertStringIncludes(lines.at(-1)!, "--resume");
  assert(!(await exists(join(stopped, "model.json"))));

  // --resume with other settings is refused
  const other = await count(...args, "--out", killed, "--resume", "--force", "--lr", "0.01");
  assertEquals(other.code, 2);
  assertStringIncludes(other.err[0], "lr");
});

Deno.test("every bad input is one line on stderr and exit code 2, with nothing written", async () => {
  const bad = join(root, "bad");
  const empty = join(bad, "empty");
  await Deno.mkdir(empty, { recursive: true });
  // an image without points
  const noPoints = join(bad, "nopoints");
  await Deno.mkdir(join(noPoints, "points"), { recursive: true });
  await Deno.mkdir(join(noPoints, "images"), { recursive: true });
  await Deno.copyFile(
    join(cells, "images", "001cell.png"),
    join(noPoints, "images", "001cell.png"),
  );
  await Deno.copyFile(
    join(cells, "images", "002cell.png"),
    join(noPoints, "images", "002cell.png"),
  );
  await Deno.copyFile(
    join(cells, "points", "001cell.json"),
    join(noPoints, "points", "001cell.json"),
  );
  // an unreadable image (truncated PNG) and a corrupt annotation
  const broken = join(bad, "broken");
  await Deno.mkdir(join(broken, "images"), { recursive: true });
  await Deno.mkdir(join(broken, "points"), { recursive: true });
  const png = await Deno.readFile(join(cells, "images", "001cell.png"));
  await Deno.writeFile(join(broken, "images", "001cell.png"), png.subarray(0, 200));
  await Deno.copyFile(
    join(cells, "points", "001cell.json"),
    join(broken, "points", "001cell.json"),
  );
  const corrupt = join(bad, "corrupt");
  await Deno.mkdir(join(corrupt, "images"), { recursive: true });
  await Deno.mkdir(join(corrupt, "points"), { recursive: true });
  await Deno.copyFile(join(cells, "images", "001cell.png"), join(corrupt, "images", "001cell.png"));
  await Deno.writeTextFile(join(corrupt, "points", "001cell.json"), '{"points": [[1, 2], ');
  // a tfjs model that is not a counter
  const plain = join(bad, "plain");
  const net = fcrn({ width: 0.125 });
  await saveModel(net.model, plain);
  net.dispose();
  const tiff = join(bad, "tiff");
  await Deno.mkdir(tiff);
  await Deno.writeFile(join(tiff, "a.tif"), new Uint8Array(8));
  const out = join(bad, "out");

  const cases: [string, string[], string][] = [
    [
      "empty folder",
      ["predict", "--model", model, "--images", empty, "--out", out],
      "no PNG or JPEG",
    ],
    ["only TIFF", ["predict", "--model", model, "--images", tiff, "--out", out], "convert"],
    [
      "missing folder",
      ["predict", "--model", model, "--images", join(bad, "nope"), "--out", out],
      "no such",
    ],
    ["unreadable image", [
      "predict",
      "--model",
      model,
      "--images",
      join(broken, "images"),
      "--out",
      out,
    ], "001cell.png"],
    ["not a counter", [
      "predict",
      "--model",
      plain,
      "--images",
      join(cells, "images"),
      "--out",
      out,
    ], "not a counter"],
    ["no model", [
      "predict",
      "--model",
      join(bad, "nomodel"),
      "--images",
      join(cells, "images"),
      "--out",
      out,
    ], "no model.json"],
    ["image without points", [
      "train",
      "--images",
      join(noPoints, "images"),
      "--points",
      join(noPoints, "points"),
      "--out",
      out,
    ], "002cell.png has no points"],
    ["corrupt annotation", [
      "train",
      "--images",
      join(corrupt, "images"),
      "--points",
      join(corrupt, "points"),
      "--out",
      out,
    ], "001cell.json"],
    ["unreadable training image", [
      "train",
      "--images",
      join(broken, "images"),
      "--points",
      join(broken, "points"),
      "--out",
      out,
    ], "001cell.png"],
    [
      "unknown network",
      [...TRAIN, "--network", "resnet", "--out", out],
      "--network must be one of",
    ],
    [
      "not a counter to start from",
      [...TRAIN.slice(0, 5), "--from", plain, "--out", out],
      "not a counter",
    ],
    ["bad number", [...TRAIN, "--steps", "0", "--out", out], "--steps must be a whole number >= 1"],
    ["unknown flag", [...TRAIN, "--epochs", "3", "--out", out], "unknown option --epochs"],
    ["missing --out", TRAIN, "needs --out"],
    ["eval without points", [
      "eval",
      "--model",
      model,
      "--images",
      join(noPoints, "images"),
      "--points",
      join(noPoints, "points"),
      "--out",
      out,
    ], "has no points"],
    ["unknown command", ["count"], "unknown command"],
  ];
  if (!(await exists(join(shippedModelPath(), "model.json")))) {
    cases.push(["shipped model missing", [
      "predict",
      "--images",
      join(cells, "images"),
      "--out",
      out,
    ], "not there yet"]);
  }
  for (const [what, args, expected] of cases) {
    const r = await count(...args);
    assertEquals(r.code, 2, `${what}: exit ${r.code}, ${r.err.join(" | ")}`);
    assertEquals(r.err.length, 1, `${what}: ${r.err.join(" | ")}`);
    assertStringIncludes(r.err[0], expected, what);
    assert(r.err[0].startsWith("error: ") && !/\n\s+at /.test(r.err[0]), `${what}: ${r.err[0]}`);
  }
  assert(!(await exists(out)), "a failed command wrote its output folder");

  // the script itself: exit code 2 and one line on stderr, no stack trace
  const main = new URL("./main.ts", import.meta.url).pathname;
  const p = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      main,
      "predict",
      "--model",
      plain,
      "--images",
      join(cells, "images"),
      "--out",
      out,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(p.stderr).trim().split("\n");
  assertEquals(p.code, 2);
  assertEquals(stderr.length, 1, stderr.join("\n"));
  assertStringIncludes(stderr[0], "not a counter");
});

Deno.test("--help of each command explains the defaults", async () => {
  for (
    const [command, words] of [
      ["train", [
        "--kernel",
        "fixed",
        "adaptive",
        "--sigma",
        "auto",
        "--network",
        "fcrn",
        "--resume",
      ]],
      ["predict", ["counts.csv", "density/NAME.npy", "--tile"]],
      ["eval", ["GAME(L)", "NMAE"]],
      ["page", ["?demo=1"]],
    ] as const
  ) {
    const c = capture();
    assertEquals(await countMain([command, "--help"], c.ctx), 0);
    for (const w of words) assertStringIncludes(c.out.join("\n"), w, `${command}: ${w}`);
  }
});

Deno.test({
  name: "(cleanup)",
  fn: async () => {
    await Deno.remove(root, { recursive: true });
  },
  sanitizeResources: false,
});
