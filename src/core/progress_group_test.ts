import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import { assertThrows } from "@std/assert";
import { activeProgressHost, createProgress } from "./progress.ts";
import {
  activeProgressGroup,
  formatGroupSummary,
  type ProgressGroupOptions,
  startProgressGroup,
  withProgressGroup,
} from "./progress_group.ts";

/** A clock the test moves by hand. */
function fakeClock(startMs = 1000) {
  let t = startMs;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** A notebook group whose display calls are recorded. */
function notebookGroup(options: ProgressGroupOptions = {}) {
  const clock = fakeClock();
  const calls: { bundle: Record<string, string>; update: boolean }[] = [];
  const written: string[] = [];
  const group = startProgressGroup({
    mode: "notebook",
    now: clock.now,
    display: (bundle, update) => {
      calls.push({ bundle, update });
    },
    write: (t) => written.push(t),
    ...options,
  });
  return { group, clock, calls, written };
}

Deno.test("log mode: the experiment i/N lines of a terminal, ETA, nested bars in the same output", async () => {
  const clock = fakeClock();
  const out: string[] = [];
  const group = startProgressGroup({
    total: 3,
    noun: "experiment",
    mode: "log",
    now: clock.now,
    write: (t) => out.push(t),
  });
  const a = group.task("first").start();
  const bar = createProgress({ total: 10, label: "fit-a" }); // attaches: same mode, same output
  assertEquals(bar.mode, "log");
  for (let i = 1; i <= 10; i++) {
    clock.advance(1000);
    bar.update(i, { loss: 1 / i });
  }
  bar.done();
  a.done();
  group.task("second").reuse("reused from out/runs/b/result.json");
  const c = group.task("third");
  c.warn("stored result unreadable; running again");
  c.start();
  clock.advance(5000);
  c.done();
  const summary = await group.end();

  const lines = out.join("").split("\n").filter((l) => l !== "");
  assertEquals(lines[0], "experiment 1/3: first");
  assertMatch(lines[1], /^fit-a {2}10% {2}1\/10 /); // the bar's own log lines
  assert(lines.some((l) => l.startsWith("fit-a 100% 10/10")));
  const rest = lines.filter((l) => !l.startsWith("fit-a"));
  assertEquals(rest, [
    "experiment 1/3: first",
    "experiment 1/3: first: done in 10.0 s",
    "  about 00:20 left for the remaining experiments", // two tasks of cost 1 left, 10 s each
    "experiment 2/3: second: reused from out/runs/b/result.json",
    "warning: experiment 3/3: third: stored result unreadable; running again",
    "experiment 3/3: third",
    "experiment 3/3: third: done in 5.0 s",
  ]);
  assertEquals(summary, {
    label: undefined,
    noun: "experiment",
    total: 3,
    ran: 2,
    reused: 1,
    seconds: 15,
  });
  assertEquals(activeProgressGroup(), undefined);
  assertEquals(activeProgressHost(), undefined);
});

Deno.test("notebook mode: one display for the whole group, updated in place, ending as a summary", async () => {
  const { group, clock, calls, written } = notebookGroup({
    total: 4,
    label: "fig10 <a>",
    noun: "experiment",
  });
  for (const name of ["a", "b", "c", "d"]) {
    const task = group.task(`run ${name}`);
    if (name === "b") {
      task.reuse();
      continue;
    }
    task.start();
    // What fitDip / optimize do inside: a progress bar of their own making.
    const bar = createProgress({ total: 20, label: `fit-${name}` });
    assertEquals(bar.mode, "notebook");
    for (let i = 1; i <= 20; i++) {
      clock.advance(100);
      bar.update(i, { loss: 1 / i });
    }
    bar.done();
    task.done();
  }
  const summary = await group.end();
  assertEquals(written, [], "nothing on stderr in a notebook");
  assert(calls.length > 1);
  assertEquals(calls[0].update, false, "one display is made");
  assert(calls.slice(1).every((c) => c.update), "every later call updates it");
  // 3 × 2 s of fitting, redrawn at most every 250 ms.
  assert(calls.length <= 6000 / 250 + 8, `${calls.length} display calls`);
  const last = calls.at(-1)!.bundle;
  assertEquals(
    last["text/plain"],
    "fig10 <a>: 4 experiments — 3 run, 1 reused from a previous run — wall time 6.0 s",
  );
  assertStringIncludes(last["text/html"], "✓ fig10 &lt;a&gt;: 4 experiments");
  assert(!last["text/html"].includes("<progress"), "the summary has no bar");
  assertEquals(summary.ran, 3);
  // While running, the display showed the task, its bar and numbers.
  const running = calls.find((c) => c.bundle["text/plain"].includes("experiment 3/4"))!.bundle;
  assertStringIncludes(running["text/plain"], "fig10 <a> — experiment 3/4");
  assertStringIncludes(running["text/plain"], "\n  run c\n  fit-c ");
  assertStringIncludes(running["text/html"], `max="20"`);
  assertStringIncludes(running["text/html"], "fit-c");
  assertStringIncludes(running["text/plain"], "1 reused");
});

Deno.test("notebook mode: ETA of the group from the current bar, then from finished tasks", async () => {
  const { group, clock, calls } = notebookGroup({ total: 4 });
  const a = group.task("a").start();
  const bar = createProgress({ total: 10 });
  clock.advance(5000);
  bar.update(5); // half of task a in 5 s: 10 s per task, 3.5 tasks left
  assertStringIncludes(calls.at(-1)!.bundle["text/plain"], "task 1/4 · about 00:35 left\n  a\n");
  assertStringIncludes(calls.at(-1)!.bundle["text/plain"], "50%  5/10 [00:05<00:05");
  clock.advance(15000);
  bar.done();
  a.done(); // task a took 20 s: 3 tasks left
  clock.advance(1000);
  group.task("b").start();
  assertStringIncludes(calls.at(-1)!.bundle["text/plain"], "task 2/4 · about 01:00 left\n  b");
  await group.end();
});

Deno.test("task info is merged and shown beside the task; costs weight the ETA", async () => {
  const { group, clock, calls } = notebookGroup({ total: 3, cost: 6, noun: "fold" });
  const a = group.task("fold a", { cost: 1 }).start();
  a.info({ loss: 0.5 });
  clock.advance(300);
  a.info({ valMAE: 3.25 });
  clock.advance(300);
  a.info({ loss: 0.25 });
  assertStringIncludes(calls.at(-1)!.bundle["text/plain"], "fold a  loss=0.25 valMAE=3.25");
  clock.advance(9400);
  a.done(); // 10 s for cost 1; 5 units left
  clock.advance(300);
  group.task("fold b", { cost: 2 }).start();
  assertStringIncludes(calls.at(-1)!.bundle["text/plain"], "fold 2/3 · about 00:50 left");
  await group.end();
  assertEquals(
    calls.at(-1)!.bundle["text/plain"],
    "stopped at fold 2/3 (fold b) — 1 run — wall time 10.3 s",
  );
});

Deno.test("a group inside a group joins it; a declared total is kept", async () => {
  const out: string[] = [];
  await withProgressGroup(
    { mode: "log", write: (t) => out.push(t), noun: "experiment" },
    async (outer) => {
      await withProgressGroup({ total: 2 }, async (inner) => {
        await Promise.resolve();
        assert(inner.joined);
        assertEquals(inner.total, 2);
        inner.task("a").done();
        inner.task("b").done();
      });
      assertEquals(activeProgressGroup(), outer, "the inner end leaves the outer running");
      await withProgressGroup({ total: 1 }, (inner) => Promise.resolve(inner.task("c").done()));
      assertEquals(outer.total, 3);
    },
  );
  const starts = out.filter((l) => /^experiment \d+\/\d+: \w+\n$/.test(l));
  assertEquals(starts, ["experiment 1/2: a\n", "experiment 2/2: b\n", "experiment 3/3: c\n"]);

  out.length = 0;
  await withProgressGroup({ total: 3, mode: "log", write: (t) => out.push(t) }, async () => {
    await withProgressGroup({ total: 1 }, (g) => Promise.resolve(g.task("a").start()));
    assertEquals(activeProgressGroup()!.total, 3);
  });
  assertEquals(out[0], "task 1/3: a\n");
});

Deno.test("withProgressGroup ends the group on an error and says where it stopped", async () => {
  const calls: Record<string, string>[] = [];
  await assertRejects(
    () =>
      withProgressGroup({
        total: 3,
        label: "g",
        noun: "experiment",
        mode: "notebook",
        display: (b) => {
          calls.push(b);
        },
      }, async (group) => {
        group.task("a").done();
        group.task("b").start();
        await Promise.resolve();
        throw new Error("boom");
      }),
    Error,
    "boom",
  );
  assertStringIncludes(calls.at(-1)!["text/plain"], "g: stopped at experiment 2/3 (b) — 1 run");
  assertStringIncludes(calls.at(-1)!["text/html"], "✗");
  assertEquals(activeProgressGroup(), undefined);
  // After the group, createProgress makes its own report again.
  const own: string[] = [];
  const p = createProgress({ total: 1, mode: "log", write: (t) => own.push(t) });
  p.done();
  assertEquals(own.length, 1);
});

Deno.test("silent mode: bars inside are silent, warnings still print", async () => {
  const out: string[] = [];
  const group = startProgressGroup({ total: 1, mode: "silent", write: (t) => out.push(t) });
  const task = group.task("a").start();
  const bar = createProgress({ total: 3 });
  assertEquals(bar.mode, "silent");
  bar.update(1);
  bar.done();
  task.warn("odd");
  task.done();
  await group.end();
  assertEquals(out, ["warning: task 1/1: a: odd\n"]);
});

Deno.test("terminal mode: bars redraw in place between the task lines", async () => {
  const out: string[] = [];
  const clock = fakeClock();
  const group = startProgressGroup({
    total: 1,
    mode: "terminal",
    write: (t) => out.push(t),
    now: clock.now,
    color: false,
  });
  const task = group.task("a").start();
  const bar = createProgress({ total: 2, label: "fit" });
  assertEquals(bar.mode, "terminal");
  clock.advance(200);
  bar.update(1);
  bar.done();
  task.done();
  await group.end();
  assertEquals(out[0], "task 1/1: a\n");
  assert(out[1].startsWith("\rfit  50% |"));
  assert(out[2].endsWith("\n"));
  assertEquals(out[3], "task 1/1: a: done in 0.2 s\n");
  assertEquals(out.length, 4, "no ETA line after the last task, no summary in a terminal");
});

Deno.test("createProgress with an explicit mode does not attach; an empty group shows nothing", async () => {
  const { group, calls } = notebookGroup();
  const own: string[] = [];
  const p = createProgress({ total: 2, mode: "log", write: (t) => own.push(t) });
  p.update(1);
  p.done();
  assertEquals(own.length, 2);
  const summary = await group.end();
  assertEquals(calls, []);
  assertEquals(summary.ran, 0);
  assertEquals(await group.end(), summary, "a second end returns the same summary");
  assertThrows(() => group.task("late"), Error, "has ended");
});

Deno.test("formatGroupSummary and bad options", () => {
  assertEquals(
    formatGroupSummary({ noun: "experiment", total: 1, ran: 1, reused: 0, seconds: 75 }),
    "1 experiment — 1 run — wall time 01:15",
  );
  assertEquals(
    formatGroupSummary({ label: "x", noun: "fold", total: 5, ran: 0, reused: 5, seconds: 0.04 }),
    "x: 5 folds — 0 run, 5 reused from a previous run — wall time 0.0 s",
  );
  assertThrows(() => startProgressGroup({ total: -1, mode: "silent" }), RangeError, "total");
  assertThrows(
    () => startProgressGroup({ mode: "fancy" as "log" }),
    RangeError,
    `mode must be one of "auto"`,
  );
  assertEquals(activeProgressGroup(), undefined);
});

Deno.test("notebook: a group left behind by an interrupted cell is let go after a minute idle", async () => {
  const { group, clock, calls } = notebookGroup({ total: 3, label: "old", noun: "experiment" });
  group.task("a").start();
  createProgress({ total: 10 }).update(3);
  clock.advance(30_000);
  assertEquals(activeProgressGroup(), group, "half a minute idle: still running");
  clock.advance(31_000); // the cell was interrupted: nothing will end the group
  const own: Record<string, string>[] = [];
  const next = startProgressGroup({ total: 1, display: (b) => void own.push(b), mode: "auto" });
  assert(!next.joined, "a new group does not join the stale one");
  assertStringIncludes(calls.at(-1)!.bundle["text/plain"], "old: stopped at experiment 1/3 (a)");
  await next.end();
  assertEquals(activeProgressGroup(), undefined);

  // A stale group also stops taking bars.
  const again = notebookGroup({ total: 1 });
  again.clock.advance(61_000);
  const bar = createProgress({ total: 2, mode: "auto", write: () => {}, display: () => {} });
  assert(bar.mode !== "notebook" || activeProgressGroup() === undefined);
  assertEquals(activeProgressGroup(), undefined);
});
