/**
 * The pilot that picks chapter 2's `quick` scale from the phenomenon, before
 * any claim is looked at: the original deep image prior (its skip network
 * with the DIP code's fitting: lr 0.01, input noise 1/30, averaging,
 * backtracking) must visibly peak and then decay on denoising at σ = 25, and
 * the thesis's controlled decoder (λ = 2, Gaussian σ = 0.5) should rise and
 * stay; whether it gets there within the budget at the thesis's lr 0.001 (or
 * needs 0.01) is measured too.
 *
 * For each method × input z (`uniform` as the thesis's text, `fourier` as the
 * author's code) × crop (× learning rate for the decoder), one fit of `--steps` steps at the `quick` width and
 * depth, PSNR every 10 steps; from that one curve, for every step budget B
 * of `--budgets`, the peak over the first B steps, the step of the peak and
 * the drop from the peak to the end (the mean PSNR over the last 10% of the
 * B steps, as chapter 2's claims read "the end"). Also the CPU time per
 * step, from which the `quick` budget is sized.
 *
 * ```sh
 * deno run -A tools/pilot_chapter2.ts                 # the committed pilot (≈ 10 min on 2 busy cores)
 * deno run -A tools/pilot_chapter2.ts --crops 64 --steps 600 --methods dip
 * ```
 *
 * Options: `--crops 48,64,96,128`, `--steps N` (longest budget, or per crop:
 * default `48:1000,64:1500,96:1500,128:1000`), `--budgets 500,1000`, `--methods dip,ours`,
 * `--inputs uniform,fourier`, `--lrs 0.001,0.01` (the decoder's), `--image data/astronaut.png`, `--jobs 2`
 * (worker processes), `--json FILE` (all curves and numbers).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { useBackend } from "../src/core/backend.ts";
import { fitDip } from "../src/dip/fit.ts";
import type { DipInputKind } from "../src/dip/network.ts";
import { prepareTask } from "../src/dip/tasks/task.ts";
import { METHODS } from "../src/repro/chapter2/experiments.ts";
import { readChapter2Image } from "../src/repro/chapter2/images.ts";
import { chapter2Settings } from "../src/repro/chapter2/settings.ts";

/** One pilot fit. */
interface PilotConfig {
  method: "dip" | "ours";
  input: DipInputKind;
  /** Adam's learning rate (the DIP: always its 0.01). */
  lr: number;
  crop: number;
  steps: number;
}

/** What one pilot fit gives. */
interface PilotResult extends PilotConfig {
  /** PSNR every 10 steps. */
  psnr: { x: number[]; y: number[] };
  /** CPU milliseconds per step (user + system, all threads of the process). */
  cpuMsPerStep: number;
  /** Wall milliseconds per step. */
  wallMsPerStep: number;
  /** Steps where backtracking fired. */
  backtracks: number;
}

/** Peak, step of the peak and drop by the end within the first `budget` steps. */
export function atBudget(
  psnr: { x: number[]; y: number[] },
  budget: number,
): { peak: number; peakStep: number; end: number; drop: number } {
  let peak = -Infinity, peakStep = 0;
  const tail: number[] = [];
  psnr.x.forEach((x, i) => {
    if (x > budget) return;
    if (psnr.y[i] > peak) {
      peak = psnr.y[i];
      peakStep = x;
    }
    if (x > 0.9 * budget) tail.push(psnr.y[i]);
  });
  const end = tail.reduce((a, b) => a + b, 0) / tail.length;
  return { peak, peakStep, end, drop: peak - end };
}

function parseList(v: string | undefined, fallback: string): string[] {
  return (v ?? fallback).split(",").map((s) => s.trim()).filter((s) => s);
}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    out[m[1]] = m[2] ?? argv[++i];
  }
  return out;
}

async function runOne(c: PilotConfig, imagePath: string): Promise<PilotResult> {
  const settings = { ...chapter2Settings("quick"), crop: c.crop, lr: c.lr, dipInput: c.input };
  const method = METHODS[c.method];
  const image = await readChapter2Image(
    { name: "pilot", path: imagePath },
    3,
    settings,
  );
  const task = await prepareTask(image, { kind: "denoise", sigma: 25, steps: c.steps }, {
    seed: settings.seed,
  }).finally(() => image.dispose());
  const net = method.build(settings, 3);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    const r = await fitDip({
      net,
      target: task.target,
      clean: task.clean,
      steps: c.steps,
      seed: settings.seed,
      lr: settings.lr,
      dipInput: c.input,
      ...method.fit,
      score: (o) => task.score(o).psnr,
      every: 10,
    });
    const cpu = process.cpuUsage(cpu0);
    tf.dispose([r.last, r.best?.image, r.smoothed, r.posteriorMean]);
    const psnr = r.history.series("psnr");
    return {
      ...c,
      psnr: { x: psnr.x, y: psnr.y.map((v) => Math.round(v * 1000) / 1000) },
      cpuMsPerStep: (cpu.user + cpu.system) / 1000 / c.steps,
      wallMsPerStep: (performance.now() - t0) / c.steps,
      backtracks: r.history.keys().includes("backtrack")
        ? r.history.series("backtrack").x.length
        : 0,
    };
  } finally {
    net.dispose();
    task.dispose();
  }
}

async function main(): Promise<void> {
  const a = parseArgs(Deno.args);
  const crops = parseList(a.crops, "48,64,96,128").map(Number);
  const stepsFor = new Map<number, number>();
  const stepSpec = parseList(a.steps, "48:1000,64:1500,96:1500,128:1000");
  for (const crop of crops) {
    const own = stepSpec.find((s) => s.startsWith(`${crop}:`));
    const plain = stepSpec.find((s) => !s.includes(":"));
    stepsFor.set(crop, Number((own ?? `x:${plain ?? 1000}`).split(":")[1]));
  }
  const methods = parseList(a.methods, "dip,ours") as PilotConfig["method"][];
  const inputs = parseList(a.inputs, "uniform,fourier") as DipInputKind[];
  const lrs = parseList(a.lrs, "0.001,0.01").map(Number);
  const image = a.image ?? fileURLToPath(new URL("../data/astronaut.png", import.meta.url));
  const configs: PilotConfig[] = [];
  for (const crop of crops) {
    for (const method of methods) {
      for (const input of inputs) {
        const steps = stepsFor.get(crop)!;
        // The DIP runs with its own rate (METHODS.dip.fit.lr); the decoder with each of --lrs.
        if (method === "dip") configs.push({ method, input, lr: METHODS.dip.fit.lr!, crop, steps });
        else for (const lr of lrs) configs.push({ method, input, lr, crop, steps });
      }
    }
  }
  if (a.shard) {
    const [i, n] = a.shard.split("/").map(Number);
    await useBackend("auto");
    for (const [k, c] of configs.entries()) {
      if (k % n !== i - 1) continue;
      console.log(JSON.stringify(await runOne(c, image)));
    }
    return;
  }
  const jobs = Math.max(1, Math.min(Number(a.jobs ?? 2), configs.length));
  const t0 = performance.now();
  const passOn = Deno.args.filter((x, i) =>
    !/^--jobs/.test(x) && !/^--jobs$/.test(Deno.args[i - 1] ?? "")
  );
  const config = fileURLToPath(new URL("../deno.json", import.meta.url));
  const self = fileURLToPath(import.meta.url);
  const outputs = await Promise.all(Array.from({ length: jobs }, async (_, w) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", config, self, ...passOn, "--shard", `${w + 1}/${jobs}`],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`pilot worker ${w + 1} failed`);
    return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.startsWith("{"));
  }));
  const results: PilotResult[] = outputs.flat().map((l) => JSON.parse(l));
  const order = (r: PilotConfig) =>
    configs.findIndex((c) => c.method === r.method && c.input === r.input && c.crop === r.crop);
  results.sort((x, y) => order(x) - order(y));
  const wall = (performance.now() - t0) / 1000;
  const budgets = parseList(a.budgets, "500,1000").map(Number);
  const lines = [
    `pilot: denoising σ = 25 on ${
      image.replace(/^.*\//, "")
    }, quick width/depth, ${jobs} workers, ` +
    `${(wall / 60).toFixed(1)} min wall, load ${Deno.loadavg().map((v) => v.toFixed(1)).join(" ")}`,
    "",
    "| method | z | lr | crop | budget | peak dB | peak step | end dB | drop dB | cpu ms/step | backtracks |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    for (const b of [...budgets.filter((b) => b < r.steps), r.steps]) {
      const s = atBudget(r.psnr, b);
      lines.push(
        `| ${r.method} | ${r.input} | ${r.lr} | ${r.crop} | ${b} | ${
          s.peak.toFixed(2)
        } | ${s.peakStep} | ${s.end.toFixed(2)} | ${s.drop.toFixed(2)} | ${
          r.cpuMsPerStep.toFixed(1)
        } | ${r.backtracks} |`,
      );
    }
  }
  console.log(lines.join("\n"));
  if (a.json) {
    await Deno.writeTextFile(a.json, JSON.stringify({ wall, results }, null, 1));
  }
}

if (import.meta.main) await main();
