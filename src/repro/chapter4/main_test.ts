import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { runMain } from "../_run_main.ts";

const MAIN = new URL("./main.ts", import.meta.url);
const run = (args: string[]) => runMain(MAIN, args);

/** The error lines of a run's stderr (the XDG warning of a headless machine left out). */
const errorLines = (stderr: string) =>
  stderr.split("\n").filter((l) => l.trim() !== "" && !l.includes("XDG_RUNTIME_DIR"));

Deno.test({
  name:
    "repro:chapter4 --profile smoke in 2 workers writes report, tables, claims; --resume reuses",
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "ch4-smoke-" });
    try {
      const first = await run([
        "--profile",
        "smoke",
        "--out",
        out,
        "--backend",
        "wasm",
        "--jobs",
        "2",
      ]);
      assertEquals(first.code, 0, first.stderr);
      assertStringIncludes(first.stderr, "[job 2] ");
      for (const f of ["report.html", "results.json", "tables.md"]) {
        assert((await Deno.stat(`${out}/${f}`)).size > 0, f);
      }
      const results = JSON.parse(await Deno.readTextFile(`${out}/results.json`));
      assertEquals(results.profile, "smoke");
      assertEquals(results.claims.length, 7);
      // Every claim has a verdict and numbers in a smoke run (nothing skipped).
      for (const c of results.claims) assert(c.passed !== null && c.detail !== "", c.id);
      const ids = Object.keys(results.experiments);
      assertEquals(ids.length, 22); // the object statistics and 21 training runs
      assert(
        ids.includes("objects-bbbc039") && ids.includes("bbbc039-edd-combined-focus-boxes-s0"),
      );
      // Counts per image in results.json.
      const r = results.experiments["bbbc039-edd-base-boxes-s0"];
      assertEquals(r.perImage.names.length, 3);
      assertEquals(r.perImage.truth.length, r.perImage.predicted.length);
      const md = await Deno.readTextFile(`${out}/tables.md`);
      for (
        const t of [
          "Table 15",
          "Table 16",
          "Table 17",
          "Table 18",
          "Table 19",
          "Table 20",
          "Table 21",
          "Table 22",
          "Fig. 39",
        ]
      ) {
        assertStringIncludes(md, t);
      }
      assertStringIncludes(md, "| Base network | ");
      assertStringIncludes(first.stdout, "Claims of chapter 4 (smoke profile):");
      assert(/^(PASS|FAIL) {2}Segmentation focus lowers/m.test(first.stdout), first.stdout);
      const html = await Deno.readTextFile(`${out}/report.html`);
      for (
        const f of [
          "Training loss",
          "Predicted against true counts",
          "Density maps beside the image",
          "GAME(L)",
        ]
      ) {
        assertStringIncludes(html, f);
      }

      const again = await run(["--profile", "smoke", "--out", out, "--resume", "--jobs", "1"]);
      assertEquals(again.code, 0, again.stderr);
      assertEquals((again.stderr.match(/reused from/g) ?? []).length, 22, again.stderr);
      const resumed = JSON.parse(await Deno.readTextFile(`${out}/results.json`));
      assertEquals(resumed.claims, results.claims);
      assertEquals(resumed.tables, results.tables);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test("repro:chapter4 reports a bad option, a missing or unreadable data folder in one line", async () => {
  const bad = await run(["--profile", "huge"]);
  assertEquals(bad.code, 2);
  assertEquals(errorLines(bad.stderr), [
    `error: --profile must be one of "smoke", "quick", "paper", got string "huge"`,
  ]);
  const jobs = await run(["--jobs", "zero"]);
  assertEquals(jobs.code, 2);
  assertStringIncludes(jobs.stderr, "--jobs must be a whole number");
  const dir = await Deno.makeTempDir({ prefix: "ch4-bad-" });
  try {
    const missing = await run([
      "--profile",
      "smoke",
      "--data-dir",
      `${dir}/nowhere`,
      "--out",
      `${dir}/o`,
    ]);
    assertEquals(missing.code, 2);
    assertEquals(errorLines(missing.stderr), [
      `error: --data-dir "${dir}/nowhere" lacks bbbc039/ (BBBC039 nuclei in the core's "json" layout)`,
    ]);
    await Deno.mkdir(`${dir}/bbbc039/images`, { recursive: true });
    await Deno.writeTextFile(`${dir}/bbbc039/images/a.png`, "not a png");
    const wrong = await run(["--profile", "smoke", "--data-dir", dir, "--out", `${dir}/o`]);
    assertEquals(wrong.code, 2, wrong.stderr);
    const lines = errorLines(wrong.stderr);
    assertEquals(lines.length, 1, wrong.stderr);
    assert(lines[0].startsWith("error: BBBC039 nuclei: "), lines[0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
