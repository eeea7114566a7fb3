import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { createProgress } from "../core/progress.ts";
import type { ProgressGroupOptions } from "../core/progress_group.ts";
import type { ReproArgs } from "./cli.ts";
import { ReproRun } from "./run.ts";

function args(out: string, extra: Partial<ReproArgs> = {}): ReproArgs {
  return {
    profile: "smoke",
    out,
    resume: true,
    backend: "cpu",
    quiet: false,
    help: false,
    ...extra,
  };
}

function newRun(
  out: string,
  progress: ProgressGroupOptions,
  extra: Partial<ReproArgs> = {},
): ReproRun {
  return new ReproRun({
    chapter: 9,
    title: "test",
    args: args(out, extra),
    settings: {},
    backend: "cpu",
    signal: new AbortController().signal,
    progress,
  });
}

/** A few tiny experiments, each with a progress bar as fitDip would make. */
async function runSome(run: ReproRun, ids: string[]): Promise<void> {
  await run.group({ total: ids.length, label: "tiny" }, async () => {
    for (const id of ids) {
      await run.experiment(id, `experiment ${id}`, () => {
        const bar = createProgress({ total: 3, label: id });
        for (let i = 1; i <= 3; i++) bar.update(i, { loss: 1 / i });
        bar.done();
        return Promise.resolve({ id });
      });
    }
  });
}

Deno.test("ReproRun in a notebook: one display per group, whatever the number of experiments", async () => {
  const out = await Deno.makeTempDir({ prefix: "run-test-" });
  try {
    for (const n of [2, 6]) {
      const displays: boolean[] = [];
      const written: string[] = [];
      let last: Record<string, string> = {};
      const run = newRun(`${out}/${n}`, {
        mode: "notebook",
        display: (bundle, update) => {
          displays.push(update);
          last = bundle;
        },
        write: (t) => written.push(t),
      });
      await runSome(run, Array.from({ length: n }, (_, i) => `e${i}`));
      assertEquals(displays.filter((u) => !u).length, 1, "one display made");
      assertEquals(written, [], "nothing written to stderr");
      assertStringIncludes(last["text/plain"], `tiny: ${n} experiments — ${n} run — wall time`);
    }
    // A second run of the same folder reuses them all.
    let last: Record<string, string> = {};
    const again = newRun(`${out}/6`, { mode: "notebook", display: (b) => void (last = b) });
    await runSome(again, ["e0", "e1", "e2", "e3", "e4", "e5", "e6"]);
    assertStringIncludes(last["text/plain"], "7 experiments — 1 run, 6 reused from a previous run");
    assertEquals(Object.keys(again.results).length, 7);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("ReproRun in a log: the experiment lines of before; quiet prints nothing", async () => {
  const out = await Deno.makeTempDir({ prefix: "run-test-" });
  try {
    const lines: string[] = [];
    await runSome(newRun(out, { mode: "log", write: (t) => lines.push(t) }), ["a", "b"]);
    const own = lines.filter((l) => l.startsWith("experiment "));
    assertEquals(own[0], "experiment 1/2: experiment a\n");
    assert(/^experiment 1\/2: experiment a: done in \d+\.\d s\n$/.test(own[1]), own[1]);
    assert(lines.some((l) => l.startsWith("a 100% 3/3")), "the bar's own lines");
    lines.length = 0;
    await runSome(newRun(out, { mode: "log", write: (t) => lines.push(t) }), ["a"]);
    assertEquals(lines, [`experiment 1/1: experiment a: reused from ${out}/runs/a/result.json\n`]);

    // --quiet: silent, but a broken stored result is still a warning.
    await Deno.writeTextFile(`${out}/runs/b/result.json`, "{broken");
    lines.length = 0;
    const quiet = newRun(out, { write: (t) => lines.push(t) }, { quiet: true });
    await runSome(quiet, ["a", "b", "c"]);
    assertEquals(lines.length, 1, lines.join(""));
    assertStringIncludes(
      lines[0],
      "warning: experiment 2/3: experiment b: stored result unreadable",
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("ReproRun: an experiment outside a group gets its own; a failure ends the group", async () => {
  const out = await Deno.makeTempDir({ prefix: "run-test-" });
  try {
    const lines: string[] = [];
    const run = newRun(out, { mode: "log", write: (t) => lines.push(t) });
    assertEquals(await run.experiment("x", "alone", () => Promise.resolve(1)), 1);
    assertEquals(lines[0], "experiment 1/1: alone\n");
    let last: Record<string, string> = {};
    const failing = newRun(out, { mode: "notebook", display: (b) => void (last = b) });
    await assertRejects(
      () =>
        failing.group({ total: 3, label: "g" }, async () => {
          await failing.experiment("y", "fine", () => Promise.resolve(2));
          await failing.experiment("z", "broken", () => Promise.reject(new Error("boom")));
        }),
      Error,
      "boom",
    );
    assertStringIncludes(last["text/plain"], "g: stopped at experiment 2/3 (broken) — 1 run");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
