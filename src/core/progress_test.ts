import { assert, assertEquals, assertMatch, assertStringIncludes, assertThrows } from "@std/assert";
import {
  activeProgressHost,
  createProgress,
  enterProgressHost,
  formatBar,
  formatDuration,
  formatInfo,
  formatProgress,
  formatRate,
  progressHtml,
  type ProgressOptions,
  resolveProgressMode,
  wantsColor,
} from "./progress.ts";

/** A clock the test moves by hand. */
function fakeClock(startMs = 1000) {
  let t = startMs;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

Deno.test("formatDuration: mm:ss, h:mm:ss, unknown", () => {
  assertEquals(formatDuration(0), "00:00");
  assertEquals(formatDuration(59.4), "00:59");
  assertEquals(formatDuration(65), "01:05");
  assertEquals(formatDuration(3725), "1:02:05");
  assertEquals(formatDuration(NaN), "--:--");
  assertEquals(formatDuration(Infinity), "--:--");
});

Deno.test("formatRate: it/s, s/it for slow steps, unknown", () => {
  assertEquals(formatRate(10 / 3), "3.33 it/s");
  assertEquals(formatRate(250), "250 it/s");
  assertEquals(formatRate(0.25), "4.00 s/it");
  assertEquals(formatRate(NaN), "? it/s");
  assertEquals(formatRate(0), "? it/s");
});

Deno.test("formatInfo: four significant digits, exponent for tiny values", () => {
  assertEquals(
    formatInfo({ loss: 0.0123456, psnr: 28.41234, step: 7 }),
    "loss=0.01235 psnr=28.41 step=7",
  );
  assertEquals(formatInfo({ lr: 1e-5 }), "lr=1.000e-5");
  assertEquals(formatInfo(undefined), "");
});

Deno.test("formatBar: full cells, eighth blocks, fixed width", () => {
  assertEquals(formatBar(0, 4), "    ");
  assertEquals(formatBar(1, 4), "████");
  assertEquals(formatBar(0.5, 4), "██  ");
  assertEquals(formatBar(0.4, 24), "█████████▋" + " ".repeat(14)); // 76.8 -> 77 eighths
  for (const f of [0, 0.01, 0.33, 0.5, 0.99, 1]) assertEquals([...formatBar(f, 10)].length, 10);
});

Deno.test("formatProgress: rate and ETA from steps and elapsed time", () => {
  const line = formatProgress({
    step: 40,
    total: 100,
    elapsedS: 12,
    label: "fit",
    info: { loss: 0.0123456 },
  });
  // 40 steps in 12 s: 3.33 it/s; 60 steps left: 18 s.
  assertEquals(
    line,
    "fit  40% |█████████▋              |  40/100 [00:12<00:18, 3.33 it/s] loss=0.01235",
  );
  const done = formatProgress({ step: 100, total: 100, elapsedS: 30 }, { bar: false });
  assertEquals(done, "100% 100/100 [00:30<00:00, 3.33 it/s]");
  const start = formatProgress({ step: 0, total: 5, elapsedS: 0 }, { bar: false });
  assertEquals(start, "  0% 0/5 [00:00<--:--, ? it/s]");
});

Deno.test("terminal mode: redraws in place at most every 100 ms, newline at the end", () => {
  const clock = fakeClock();
  const out: string[] = [];
  const p = createProgress({
    total: 10,
    mode: "terminal",
    now: clock.now,
    write: (t) => out.push(t),
  });
  assertEquals(p.mode, "terminal");
  for (let i = 1; i <= 10; i++) {
    clock.advance(40); // 25 it/s: only every third update may draw
    p.update(i, { loss: 1 / i });
  }
  p.done();
  p.done(); // second call ignored
  // Draws at t=40 (first), 160, 280, 400 (throttled to >= 100 ms apart), then done.
  assertEquals(out.length, 5);
  assert(out.every((t) => t.startsWith("\r") && t.includes("\x1b[K")));
  assert(!out.slice(0, -1).some((t) => t.endsWith("\n")));
  assert(out.at(-1)!.endsWith("\n"));
  assertStringIncludes(out.at(-1)!, "10/10 [00:00<00:00, 25.00 it/s] loss=0.1");
  assert(!out.join("").includes("\x1b[32m"), "no colour unless asked");
});

Deno.test("terminal mode: colour only when asked", () => {
  const out: string[] = [];
  const p = createProgress({ total: 2, mode: "terminal", color: true, write: (t) => out.push(t) });
  p.update(1);
  p.done();
  assertStringIncludes(out[0], "\x1b[32m");
});

Deno.test("wantsColor follows NO_COLOR and needs a terminal", () => {
  assertEquals(wantsColor(true, undefined), true);
  assertEquals(wantsColor(true, ""), true);
  assertEquals(wantsColor(true, "1"), false);
  assertEquals(wantsColor(false, undefined), false);
});

Deno.test("log mode: one line per tenth plus the final line", () => {
  const clock = fakeClock();
  const out: string[] = [];
  const p = createProgress({
    total: 200,
    label: "sweep",
    mode: "log",
    now: clock.now,
    write: (t) => out.push(t),
  });
  for (let i = 1; i <= 200; i++) {
    clock.advance(5);
    p.update(i);
  }
  p.done({ psnr: 30.5 });
  assertEquals(out.length, 11);
  assert(out.every((t) => t.endsWith("\n") && !t.includes("\r") && !t.includes("\x1b")));
  assertMatch(out[0], /^sweep {3}0% {3}1\/200 /);
  assertMatch(out[5], /^sweep {2}50% 100\/200 \[00:00<00:00, 200 it\/s\]/);
  assertEquals(out[10], "sweep 100% 200/200 [00:01<00:00, 200 it/s] psnr=30.5\n");
});

Deno.test("notebook mode: one display, then updates of the same display", () => {
  const clock = fakeClock();
  const calls: { bundle: Record<string, string>; update: boolean }[] = [];
  const p = createProgress({
    total: 4,
    label: "fit <net>",
    mode: "notebook",
    now: clock.now,
    display: (bundle, update) => calls.push({ bundle, update }),
  });
  for (let i = 1; i <= 4; i++) {
    clock.advance(300);
    p.update(i);
  }
  p.done();
  assertEquals(calls.map((c) => c.update), [false, true, true, true, true]);
  const last = calls.at(-1)!.bundle;
  assertStringIncludes(last["text/html"], `<progress value="4" max="4"`);
  assertStringIncludes(last["text/html"], "fit &lt;net&gt;");
  assertStringIncludes(last["text/plain"], "4/4");
});

Deno.test("silent mode writes nothing; bad options are named", () => {
  const out: string[] = [];
  const p = createProgress({ total: 3, mode: "silent", write: (t) => out.push(t) });
  p.update(1);
  p.done();
  assertEquals(out, []);
  assertThrows(() => createProgress({ total: 0 }), RangeError, "total must be >= 1");
  assertThrows(
    () => createProgress({ total: 3, mode: "fancy" as "log" }),
    RangeError,
    `mode must be one of "auto"`,
  );
  assertThrows(
    () => createProgress({ total: 3, mode: "log", write: () => {} }).update(-1),
    RangeError,
    "step",
  );
});

Deno.test("auto mode outside a notebook picks terminal or log", () => {
  const p = createProgress({ total: 1, write: () => {} });
  assert(p.mode === "terminal" || p.mode === "log", p.mode);
  assertEquals(p.mode, Deno.stderr.isTerminal() ? "terminal" : "log");
});

Deno.test("progressHtml: a <progress> element with the text line", () => {
  const html = progressHtml({ step: 3, total: 12, elapsedS: 1.5, label: "a" });
  assertStringIncludes(html, `<progress value="3" max="12"`);
  assertStringIncludes(html, "3/12 [00:01&lt;00:04, 2.00 it/s]");
});

Deno.test("an active host receives createProgress calls in auto mode only", () => {
  const seen: ProgressOptions[] = [];
  const silent = createProgress({ total: 1, mode: "silent" });
  const leave = enterProgressHost({
    attach(options) {
      seen.push(options);
      return silent;
    },
  });
  try {
    assertEquals(createProgress({ total: 5, label: "fit" }), silent);
    assertEquals(seen.map((o) => o.label), ["fit"]);
    const own = createProgress({ total: 5, mode: "log", write: () => {} });
    assertEquals(own.mode, "log");
    assertEquals(seen.length, 1, "an explicit mode is not handed over");
  } finally {
    leave();
  }
  leave(); // a second call does nothing
  assertEquals(activeProgressHost(), undefined);
  assertEquals(resolveProgressMode("silent"), "silent");
  assertEquals(resolveProgressMode(), Deno.stderr.isTerminal() ? "terminal" : "log");
});
