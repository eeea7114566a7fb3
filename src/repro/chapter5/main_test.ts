import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { runMain } from "../_run_main.ts";

const MAIN = new URL("./main.ts", import.meta.url);
const run = (args: string[]) => runMain(MAIN, args);

Deno.test({
  name: "repro:chapter5 --profile smoke writes the report, tables and claims; --resume reuses",
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "ch5-smoke-" });
    try {
      const first = await run([
        "--profile",
        "smoke",
        "--out",
        out,
        "--backend",
        "wasm",
        "--jobs",
        "1",
      ]);
      assertEquals(first.code, 0, first.stderr);
      for (const f of ["report.html", "results.json", "tables.md"]) {
        assert((await Deno.stat(`${out}/${f}`)).size > 0, f);
      }
      const results = JSON.parse(await Deno.readTextFile(`${out}/results.json`));
      assertEquals(results.profile, "smoke");
      assertEquals(results.claims.length, 8);
      // Every claim has a verdict and numbers in a smoke run (nothing skipped).
      for (const c of results.claims) assert(c.passed !== null && c.detail !== "", c.id);
      const ids = Object.keys(results.experiments);
      assertEquals(ids.length, 28);
      // per-image counts of every density network
      const base = results.experiments["bbbc039-csrnet-base-s0"];
      assertEquals(base.names.length, 3);
      assertEquals(base.predicted.length, 3);
      assertEquals(base.truth.length, 3);
      assert(results.experiments["bbbc039-csrnet-cascade-s0"].figure.images.cascaded);
      assert(results.experiments["bbbc039-segmenter"].iouMask !== null); // BBBC039's real masks
      const md = await Deno.readTextFile(`${out}/tables.md`);
      for (
        const t of [
          "Table 23",
          "Tables 24 and 29",
          "Tables 25 and 30",
          "Tables 26 and 31",
          "Table 27",
          "Table 28",
        ]
      ) {
        assertStringIncludes(md, t);
      }
      const html = await Deno.readTextFile(`${out}/report.html`);
      for (const f of ["Fig. 44 analogue", "Fig. 45 analogue", "Fig. 46 analogue"]) {
        assertStringIncludes(html, f);
      }
      assertStringIncludes(first.stdout, "Claims of chapter 5 (smoke profile):");
      assertStringIncludes(first.stderr, "experiment 1/28: f_s (HRNet) on BBBC039");
      assert(/^(PASS|FAIL) {2}The oracle background/m.test(first.stdout), first.stdout);

      const again = await run(["--profile", "smoke", "--out", out, "--resume", "--jobs", "1"]);
      assertEquals(again.code, 0, again.stderr);
      assertEquals((again.stderr.match(/reused from/g) ?? []).length, 28, again.stderr);
      const resumed = JSON.parse(await Deno.readTextFile(`${out}/results.json`));
      assertEquals(resumed.claims, results.claims);

      // --quiet: only the claims and the paths written (stdout), nothing on stderr.
      const quiet = await run([
        "--profile",
        "smoke",
        "--out",
        out,
        "--resume",
        "--quiet",
        "--jobs",
        "1",
      ]);
      assertEquals(quiet.code, 0, quiet.stderr);
      const stderr = quiet.stderr.split("\n").filter((l) => l.trim() && !/XDG_RUNTIME_DIR/.test(l));
      assertEquals(stderr, []);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "repro:chapter5 --jobs 2: two rounds of workers (the stored f_s and f_a first), one report",
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "ch5-jobs-" });
    try {
      const r = await run(["--profile", "smoke", "--out", out, "--jobs", "2"]);
      assertEquals(r.code, 0, r.stderr);
      assertStringIncludes(r.stderr, "in 2 worker processes");
      assertStringIncludes(r.stderr, "[job 2] ");
      const results = JSON.parse(await Deno.readTextFile(`${out}/results.json`));
      assertEquals(Object.keys(results.experiments).length, 28);
      for (const c of results.claims) assert(c.passed !== null, c.id);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test("repro:chapter5 reports a bad option or data folder in one line", async () => {
  const bad = await run(["--profile", "huge"]);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, "error: --profile");
  const unknown = await run(["--jobz", "2"]);
  assertEquals(unknown.code, 2);
  assertStringIncludes(unknown.stderr, 'unknown option "--jobz"');
  const empty = await Deno.makeTempDir({ prefix: "ch5-empty-" });
  try {
    const r = await run(["--profile", "smoke", "--data-dir", empty, "--out", `${empty}/out`]);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, `error: --data-dir "${empty}": cannot read BBBC039`);
    assertEquals(r.stderr.trim().split("\n").filter((l) => !/XDG_RUNTIME_DIR/.test(l)).length, 1);
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});
