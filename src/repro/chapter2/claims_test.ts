import { assertEquals, assertStringIncludes } from "@std/assert";
import {
  checkAutoStop,
  checkBandOrder,
  checkChapter2Claims,
  checkDipDecays,
  checkGaussianSigma,
  checkLambda2Flat,
  checkLambdaExtremes,
  endPsnr,
  imagesNamed,
  type RecordsById,
} from "./claims.ts";
import { experimentId, type MethodName, type TaskKey } from "./experiments.ts";
import type { FitRecord } from "./record.ts";

const STEPS = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);

/** A synthetic run whose PSNR follows `curve(step)` and whose bands follow `bands[n](step)`. */
function fake(
  method: MethodName,
  task: TaskKey,
  image: string,
  curve: (t: number) => number,
  options: {
    bands?: ((t: number) => number)[];
    stop?: number | null;
  } = {},
): [string, FitRecord] {
  const y = STEPS.map(curve);
  let bi = 0;
  y.forEach((v, i) => (v > y[bi] ? (bi = i) : 0));
  const stopStep = options.stop ?? null;
  const r: FitRecord = {
    id: experimentId(method, task, image),
    method,
    task,
    image,
    shape: [8, 8, 3],
    budget: 1000,
    steps: 1000,
    psnr: { x: STEPS, y },
    bands: {
      x: STEPS,
      y: (options.bands ?? [() => 1, () => 0.5]).map((b) => STEPS.map(b)),
    },
    best: { step: STEPS[bi], psnr: y[bi] },
    last: y.at(-1)!,
    stop: stopStep === null ? null : { step: stopStep, psnr: curve(stopStep) },
    reported: { kind: "last", psnr: y.at(-1)! },
    inputPsnr: 20,
    images: {},
    seconds: 1,
  };
  return [r.id, r];
}

const rise = (top: number, tau: number) => (t: number) => top - 5 * Math.exp(-t / tau);
const peakThenDrop = (top: number, drop: number) => (t: number) =>
  t <= 300 ? top - 5 * (1 - t / 300) ** 2 : top - (drop * (t - 300)) / 700;

Deno.test("checkDipDecays passes a 2 dB decay and fails a 0.5 dB one", () => {
  const images = imagesNamed("a", "b");
  const records: RecordsById = Object.fromEntries([
    fake("dip", "denoise25", "a", peakThenDrop(28, 2)),
    fake("dip", "denoise25", "b", peakThenDrop(28, 2.5)),
  ]);
  const c = checkDipDecays(records, images);
  assertEquals(c.passed, true);
  assertStringIncludes(c.detail, "a: peak 28.00 dB at step 300, end 26.13 dB (−1.87 dB)");
  // One image with only a small decay fails the claim: every image must show it.
  const mixed = {
    ...records,
    ...Object.fromEntries([fake("dip", "denoise25", "b", peakThenDrop(28, 0.5))]),
  };
  assertEquals(checkDipDecays(mixed, images).passed, false);
  assertEquals(checkDipDecays({}, images).passed, null);
});

Deno.test("endPsnr averages the last 10% of the steps", () => {
  const [, r] = fake("dip", "denoise25", "a", (t) => (t > 900 ? 20 + (t === 1000 ? 10 : 0) : 30));
  // Steps 910..1000: nine at 20 dB and one at 30 dB.
  assertEquals(endPsnr(r), 21);
});

Deno.test("checkLambda2Flat and checkLambdaExtremes read peaks and decays", () => {
  const images = imagesNamed("a");
  const good: RecordsById = Object.fromEntries([
    fake("lambda1", "denoise25", "a", rise(24, 100)),
    fake("lambda2", "denoise25", "a", rise(28, 100)),
    fake("lambda3", "denoise25", "a", peakThenDrop(28.5, 1)),
  ]);
  assertEquals(checkLambda2Flat(good, images).passed, true);
  assertEquals(checkLambdaExtremes(good, images).passed, true);
  const bad: RecordsById = {
    ...good,
    ...Object.fromEntries([
      fake("lambda2", "denoise25", "a", peakThenDrop(28, 0.6)),
      fake("lambda3", "denoise25", "a", rise(29, 100)),
    ]),
  };
  assertEquals(checkLambda2Flat(bad, images).passed, false);
  const ext = checkLambdaExtremes(bad, images);
  assertEquals(ext.passed, false);
  assertStringIncludes(ext.detail, "needs > 0.3");
});

Deno.test("checkGaussianSigma compares convergence steps and final PSNR", () => {
  const images = imagesNamed("a");
  const records: RecordsById = Object.fromEntries([
    fake("sigma0", "denoise25", "a", rise(25, 50)),
    fake("ours", "denoise25", "a", rise(28, 80)),
    fake("sigma1", "denoise25", "a", rise(28, 300)),
  ]);
  const c = checkGaussianSigma(records, images);
  assertEquals(c.passed, true);
  // Swapping the speeds of σ = 0.5 and σ = 1 makes the claim fail.
  const slow = {
    ...records,
    ...Object.fromEntries([
      fake("ours", "denoise25", "a", rise(28, 300)),
      fake("sigma1", "denoise25", "a", rise(28, 80)),
    ]),
  };
  assertEquals(checkGaussianSigma(slow, images).passed, false);
});

Deno.test("checkAutoStop needs a stop before the budget within 0.2 dB of the end", () => {
  const images = imagesNamed("a");
  const curve = rise(28, 150);
  const tasks = ["denoise15", "denoise25", "jpeg10", "jpeg20", "region0.1", "region0.25"] as const;
  const early = Object.fromEntries(tasks.map((t) => fake("ours", t, "a", curve, { stop: 700 })));
  assertEquals(checkAutoStop(early, images).passed, true);
  // Stopping at step 200 loses ~1.3 dB against the full budget.
  const tooEarly = {
    ...early,
    ...Object.fromEntries([fake("ours", "jpeg10", "a", curve, { stop: 200 })]),
  };
  const c = checkAutoStop(tooEarly, images);
  assertEquals(c.passed, false);
  assertStringIncludes(c.detail, "jpeg10/a: step 200/1000");
  const never = {
    ...early,
    ...Object.fromEntries([fake("ours", "denoise25", "a", curve, { stop: null })]),
  };
  assertStringIncludes(checkAutoStop(never, images).detail, "no stop within 1000 steps ✗");
  assertEquals(checkAutoStop(never, images).passed, false);
});

Deno.test("checkBandOrder wants lower bands to reach 0.9 no later than higher ones", () => {
  const images = imagesNamed("a");
  const tasks = ["denoise15", "denoise25", "jpeg10", "jpeg20", "region0.1", "region0.25"] as const;
  const ordered = [0.02, 0.01, 0.005, 0.002, 0.0005].map((k) => (t: number) =>
    1 - Math.exp(-k * t)
  );
  const records = Object.fromEntries(
    tasks.map((t) => fake("encdec", t, "a", rise(28, 100), { bands: ordered })),
  );
  const c = checkBandOrder(records, images);
  assertEquals(c.passed, true);
  assertStringIncludes(c.detail, "denoise15/a: 120 ≤ 240 ≤ 470 ≤ never ≤ never");
  const swapped = [ordered[1], ordered[0], ...ordered.slice(2)];
  const bad = {
    ...records,
    ...Object.fromEntries([fake("encdec", "jpeg20", "a", rise(28, 100), { bands: swapped })]),
  };
  assertEquals(checkBandOrder(bad, images).passed, false);
  // A run whose lowest band never gets there fails too.
  const flat = Object.fromEntries(
    tasks.map((t) =>
      fake("encdec", t, "a", rise(28, 100), { bands: ordered.map(() => () => 0.5) })
    ),
  );
  assertEquals(checkBandOrder(flat, images).passed, false);
});

Deno.test("checkChapter2Claims lists the six claims of issue 4, skipped without runs", () => {
  const claims = checkChapter2Claims({}, imagesNamed("a"));
  assertEquals(claims.map((c) => c.id), [
    "fbc-order",
    "dip-decays",
    "lambda2-flat",
    "lambda-extremes",
    "gaussian-sigma",
    "auto-stop",
  ]);
  assertEquals(claims.every((c) => c.passed === null), true);
});
