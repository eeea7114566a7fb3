import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { runMain } from "../_run_main.ts";

const MAIN = new URL("./main.ts", import.meta.url);
const run = (args: string[]) => runMain(MAIN, args);

Deno.test({
  name: "repro:chapter3 --profile smoke writes the report, tables and claims; --resume reuses",
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "ch3-smoke-" });
    try {
      const first = await run(["--profile", "smoke", "--out", out, "--backend", "wasm"]);
      assertEquals(first.code, 0, first.stderr);
      for (const f of ["report.html", "results.json", "tables.md"]) {
        assert((await Deno.stat(`${out}/${f}`)).size > 0, f);
      }
      const results = JSON.parse(await Deno.readTextFile(`${out}/results.json`));
      assertEquals(results.profile, "smoke");
      assertEquals(results.claims.length, 6);
      // Every claim has a verdict and numbers in a smoke run (nothing skipped).
      for (const c of results.claims) assert(c.passed !== null && c.detail !== "", c.id);
      assertEquals(Object.keys(results.experiments).sort(), [
        "learned-up4-dgf",
        "learned-up4-djf",
        "learned-up4-ours",
        "learned-up4-svlrm",
        "table6-denoise",
        "table6-upsample",
      ]);
      const md = await Deno.readTextFile(`${out}/tables.md`);
      for (const t of ["Table 6a", "Table 6b", "Table 7", "Table 8"]) assertStringIncludes(md, t);
      assertStringIncludes(md, "| GF | ");
      assertStringIncludes(first.stdout, "Claims of chapter 3 (smoke profile):");
      // One numbering across Table 6 and the learned filters, as before progress groups.
      assertStringIncludes(first.stderr, "experiment 1/6: Table 6, denoising");
      assertStringIncludes(first.stderr, "experiment 3/6: ours trained for");
      assert(/^(PASS|FAIL) {2}Ours\+GF/m.test(first.stdout), first.stdout);

      const again = await run(["--profile", "smoke", "--out", out, "--resume"]);
      assertEquals(again.code, 0, again.stderr);
      assertEquals((again.stderr.match(/reused from/g) ?? []).length, 6, again.stderr);
      const resumed = JSON.parse(await Deno.readTextFile(`${out}/results.json`));
      assertEquals(resumed.claims, results.claims);

      // --quiet: only the claims and the paths written (stdout), nothing on stderr.
      const quiet = await run(["--profile", "smoke", "--out", out, "--resume", "--quiet"]);
      assertEquals(quiet.code, 0, quiet.stderr);
      const stderr = quiet.stderr.split("\n").filter((l) => l.trim() && !/XDG_RUNTIME_DIR/.test(l));
      assertEquals(stderr, []);
      assertEquals(
        quiet.stdout,
        again.stdout.replace(/\(\d+ s\)/, quiet.stdout.match(/\(\d+ s\)/)![0]),
      );
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test("repro:chapter3 reports a bad option or data folder in one line", async () => {
  const bad = await run(["--profile", "huge"]);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, "error: --profile");
  const empty = await Deno.makeTempDir({ prefix: "ch3-empty-" });
  try {
    const r = await run(["--profile", "smoke", "--data-dir", empty, "--out", `${empty}/out`]);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, "holds no PNG or JPEG image");
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});
