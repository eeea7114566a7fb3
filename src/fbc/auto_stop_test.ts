import * as tf from "@tensorflow/tfjs";
import {
  assertAlmostEquals,
  assertEquals,
  assertGreater,
  assertLess,
  assertThrows,
} from "@std/assert";
import { type Callback, optimize, type OptimizeOptions } from "../core/optimize.ts";
import {
  AutoStop,
  type AutoStopCallback,
  autoStopCallback,
  type AutoStopState,
  blurSharpnessRatio,
} from "./auto_stop.ts";
import { blurMetric } from "./blur.ts";
import { mlvSharpness } from "./mlv.ts";
import { image, noLeak } from "./_testing.ts";

await tf.setBackend("cpu");

/** Eq. 2.8 written out directly over a ratio recorded at every step 1..T. */
function firstStopByDefinition(r: (t: number) => number, n: number, eps: number, steps: number) {
  for (let t = 2 * n; t <= steps; t++) {
    let recent = 0, older = 0;
    for (let i = 0; i < n; i++) {
      recent += r(t - i);
      older += r(t - n - i);
    }
    if (Math.abs(recent / n - older / n) < eps) return t;
  }
  return null;
}

function run(stop: AutoStop, r: (t: number) => number, steps: number, every = 1) {
  for (let t = every; t <= steps && !stop.shouldStop; t += every) stop.update(t, r(t));
  return stop.stopStep;
}

Deno.test("AutoStop: a constant ratio stops at the first step with two full windows (2n)", () => {
  assertEquals(run(new AutoStop({ window: 5 }), () => 0.7, 100), 10);
  assertEquals(run(new AutoStop(), () => 0.7, 1000), 200); // defaults n = 100, ε = 0.01
});

Deno.test("AutoStop stops where eq. 2.8 written out says, for converging ratios", () => {
  const cases: [(t: number) => number, number, number][] = [
    [(t) => 2 + 3 * Math.exp(-t / 150), 100, 0.01],
    [(t) => 1 / (1 + t / 50), 100, 0.01],
    [(t) => 0.5 + Math.sin(t / 7) / t, 20, 0.005],
  ];
  for (const [r, n, eps] of cases) {
    const want = firstStopByDefinition(r, n, eps, 5000);
    assertEquals(run(new AutoStop({ window: n, epsilon: eps }), r, 5000), want);
    assertGreater(want!, 2 * n);
  }
});

Deno.test("AutoStop compares the window means by absolute difference, not relative", () => {
  // Ratios around 0.001 that double between windows: relative change 100 %, absolute 1e-3 < ε.
  assertEquals(run(new AutoStop({ window: 10 }), (t) => 1e-4 * t, 100), 20);
  // Ratios around 1000 changing by 0.1 % between windows: relative 1e-3, absolute 1 > ε.
  assertEquals(run(new AutoStop({ window: 10 }), (t) => 1000 + 0.1 * t, 1000), null);
});

Deno.test("AutoStop windows are in steps: a ratio measured every k steps gives n/k values per window", () => {
  // Recorded every 10 steps from step 10: the first decision is at step 210, comparing
  // steps 120..210 with 20..110; for r = a·step the window means differ by 100·a.
  const stopAt = (a: number) => run(new AutoStop({ window: 100 }), (t) => a * t, 5000, 10);
  assertEquals(stopAt(0.99e-4), 210);
  assertEquals(stopAt(1.01e-4), null);
  const s = new AutoStop({ window: 100 });
  for (let t = 10; t <= 210; t += 10) s.update(t, 1e-3 * t);
  assertAlmostEquals(s.delta, 0.1, 1e-12);
  assertEquals(s.getState().steps.length, 20); // only the last 2n steps are kept
});

Deno.test("AutoStop never stops while a window holds a non-finite ratio", () => {
  for (const bad of [Infinity, NaN]) {
    const s = new AutoStop({ window: 10 });
    for (let t = 1; t <= 34; t++) s.update(t, t === 15 ? bad : 0.5);
    assertEquals([s.shouldStop, Number.isFinite(s.delta)], [false, false]);
    s.update(35, 0.5); // step 15 has left the older window (25, 35] ∪ (15, 25]
    assertEquals([s.stopStep, s.delta], [35, 0]);
  }
});

Deno.test("AutoStop state survives JSON: a resumed run stops where an uninterrupted one does", () => {
  const r = (t: number) => (t === 130 ? Infinity : 2 + 3 * Math.exp(-t / 150));
  const whole = new AutoStop();
  run(whole, r, 5000);
  const first = new AutoStop();
  for (let t = 1; t <= 150; t++) first.update(t, r(t));
  const saved: AutoStopState = JSON.parse(JSON.stringify(first.getState()));
  const resumed = new AutoStop();
  resumed.setState(saved);
  for (let t = 151; t <= 5000 && !resumed.shouldStop; t++) resumed.update(t, r(t));
  assertEquals(resumed.stopStep, whole.stopStep);
  assertGreater(whole.stopStep!, 230); // the infinite ratio at 130 delayed it
});

Deno.test("AutoStop validates its arguments and state", () => {
  assertThrows(() => new AutoStop({ window: 0 }), RangeError, "window must be >= 1");
  assertThrows(() => new AutoStop({ window: 2.5 }), RangeError, "window must be an integer");
  assertThrows(() => new AutoStop({ epsilon: -1 }), RangeError, "epsilon must be >= 0");
  const s = new AutoStop({ window: 3 });
  s.update(5, 1);
  assertThrows(
    () => s.update(5, 1),
    RangeError,
    "step must increase from call to call: got 5 after 5",
  );
  assertThrows(() => s.update(6, "1" as unknown as number), TypeError, "ratio must be a number");
  assertThrows(
    () => new AutoStop({ window: 4 }).setState(s.getState()),
    RangeError,
    "state was saved with window 3",
  );
  assertThrows(() => s.setState(null as unknown as AutoStopState), TypeError, "state");
});

Deno.test("blurSharpnessRatio is blurMetric / mlvSharpness, larger for a blurrier image", async () => {
  const original = image("camera64"), blurred = image("camera64_blur2");
  const r = await noLeak(() => blurSharpnessRatio(original));
  assertAlmostEquals(r, (await blurMetric(original)) / (await mlvSharpness(original)), 1e-12);
  assertGreater(await blurSharpnessRatio(blurred), r);
  const flat = tf.fill([8, 8, 1], 0.5) as tf.Tensor3D;
  assertEquals(await blurSharpnessRatio(flat), Infinity);
  tf.dispose([original, blurred, flat]);
});

/** A small fit whose output converges: x <- Adam towards a fixed 10x9 image. */
async function fit(
  makeCallbacks: (output: () => tf.Tensor3D) => Callback[],
  extra: Partial<OptimizeOptions> = {},
) {
  const target = image("camera10x9");
  const x = tf.variable(tf.fill(target.shape, 0.5), true, "x");
  try {
    return await optimize({
      steps: 2000,
      variables: { x },
      loss: () => tf.losses.meanSquaredError(target, x as tf.Tensor3D) as tf.Scalar,
      optimizer: { kind: "adam", lr: 0.01 },
      callbacks: makeCallbacks(() => x as tf.Tensor3D),
      ...extra,
    });
  } finally {
    tf.dispose([x, target]);
  }
}

Deno.test("autoStopCallback records the ratio and stops the loop at the criterion", async () => {
  let cb: AutoStopCallback | null = null;
  const result = await fit((output) => [cb = autoStopCallback({ output, window: 20, every: 2 })]);
  assertEquals(result.stopped, "callback");
  assertEquals(result.steps, cb!.autoStop.stopStep);
  assertLess(result.steps, 2000);
  const ratio = result.history.series("ratio");
  assertEquals(ratio.x.slice(0, 3), [2, 4, 6]);
  assertEquals(ratio.x.at(-1), result.steps);
});

Deno.test("autoStopCallback: a run interrupted and resumed from its checkpoint stops at the same step", async () => {
  const full = await fit((output) => [autoStopCallback({ output, window: 20, every: 2 })]);
  const dir = await Deno.makeTempDir({ prefix: "fbc_autostop_" });
  try {
    const abort = new AbortController();
    const interrupt: Callback = { onStep: (ctx) => void (ctx.step === 41 && abort.abort()) };
    const checkpoint = { dir, every: 1000 };
    const part = await fit(
      (output) => [autoStopCallback({ output, window: 20, every: 2 }), interrupt],
      { checkpoint, signal: abort.signal },
    );
    assertEquals([part.stopped, part.steps], ["signal", 41]);
    let again: AutoStopCallback | null = null;
    const resumed = await fit(
      (output) => [again = autoStopCallback({ output, window: 20, every: 2 }), {}],
      { checkpoint, resume: true },
    );
    assertEquals([resumed.stopped, resumed.steps], ["callback", full.steps]);
    assertEquals(again!.autoStop.stopStep, full.steps);
    assertEquals(resumed.history.series("ratio"), full.history.series("ratio"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
