import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { writeImage } from "../../io/mod.ts";
import { UsageError } from "../cli.ts";
import { mainCommand } from "../_run_main.ts";
import { imagesNamed } from "./claims.ts";
import { chapter2Plan } from "./experiments.ts";
import { parseChapter2Args, shareRuns } from "./main.ts";
import { chapter2Settings } from "./settings.ts";
import { experimentCost } from "./session.ts";

const MAIN = new URL("./main.ts", import.meta.url);
const command = (args: string[]) => mainCommand(MAIN, args);

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await command(args).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The error lines of a run's stderr (the XDG warning of a headless machine left out). */
function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.trim() !== "" && !l.includes("XDG_RUNTIME_DIR"));
}

Deno.test("parseChapter2Args reads --jobs and --only and rejects bad values", () => {
  const a = parseChapter2Args(["--jobs=3", "--only", "fig7,fig9", "--profile", "smoke"]);
  assertEquals([a.jobs, a.only, a.repro.profile], [3, ["fig7", "fig9"], "smoke"]);
  assertThrows(() => parseChapter2Args(["--jobs", "0"]), UsageError, "--jobs must be");
  assertThrows(() => parseChapter2Args(["--only", "fig99"]), UsageError, `unknown group "fig99"`);
  assertThrows(() => parseChapter2Args(["--only"]), UsageError, "--only needs a value");
});

Deno.test("shareRuns balances the expected cost and keeps every run once", () => {
  const s = chapter2Settings("quick");
  const plan = chapter2Plan(imagesNamed("a"));
  const shares = shareRuns(plan, 2, s);
  assertEquals(shares.flat().length, plan.length);
  assertEquals(new Set(shares.flat().map((e) => e.id)).size, plan.length);
  const [c0, c1] = shares.map((list) => list.reduce((t, e) => t + experimentCost(e, s), 0));
  assert(Math.abs(c0 - c1) / (c0 + c1) < 0.05, `unbalanced: ${c0} vs ${c1}`);
});

Deno.test("bad input gives one clear line and a non-zero exit", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await t.step("a folder without images", async () => {
      const r = await run(["--profile", "smoke", "--data-dir", dir, "--out", `${dir}/o`]);
      assertEquals(r.code, 2);
      const lines = errorLines(r.stderr);
      assertEquals(lines.length, 1, r.stderr);
      assertStringIncludes(lines[0], `error: --data-dir "${dir}" holds no PNG or JPEG image`);
    });
    await t.step("an unreadable image", async () => {
      await Deno.writeTextFile(`${dir}/broken.png`, "not a png");
      const r = await run(["--profile", "smoke", "--data-dir", dir, "--out", `${dir}/o`]);
      assertEquals(r.code, 2);
      const lines = errorLines(r.stderr);
      assertEquals(lines.length, 1, r.stderr);
      assertStringIncludes(
        lines[0],
        `error: cannot read image "${dir}/broken.png": not a PNG or JPEG`,
      );
    });
    await t.step("an image smaller than the profile's crop", async () => {
      await Deno.remove(`${dir}/broken.png`);
      await tf.setBackend("cpu");
      const tiny = tf.zeros([16, 16, 3]) as tf.Tensor3D;
      await writeImage(`${dir}/tiny.png`, tiny);
      tiny.dispose();
      const r = await run(["--profile", "smoke", "--data-dir", dir, "--out", `${dir}/o`]);
      assertEquals(r.code, 2);
      assertEquals(errorLines(r.stderr), [
        `error: image ${dir}/tiny.png is 16×16, smaller than the 32×32 the smoke profile needs`,
      ]);
    });
    await t.step("an unknown profile", async () => {
      const r = await run(["--profile", "fast"]);
      assertEquals(r.code, 2);
      assertEquals(errorLines(r.stderr), [
        `error: --profile must be one of "smoke", "quick", "paper", got string "fast"`,
      ]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** results.json without what legitimately differs between runs (times, paths of the output folder). */
async function numbers(out: string): Promise<unknown> {
  const r = JSON.parse(await Deno.readTextFile(`${out}/results.json`));
  for (const e of Object.values(r.experiments) as { seconds?: number }[]) delete e.seconds;
  return { experiments: r.experiments, claims: r.claims, tables: r.tables };
}

Deno.test({
  name: "smoke run end to end: killed and resumed, or split over 2 workers, gives the same numbers",
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const common = ["--profile", "smoke", "--only", "fig7,fig9"];
    try {
      // 1. Uninterrupted, one process.
      const a = await run([...common, "--jobs", "1", "--out", `${dir}/a`]);
      assertEquals(a.code, 0, a.stderr);
      assertStringIncludes(a.stdout, "Claims of chapter 2 (smoke profile):");
      assertStringIncludes(a.stderr, "experiment 9/9:");
      for (const f of ["report.html", "results.json", "tables.md"]) {
        assert((await Deno.stat(`${dir}/a/${f}`)).size > 0, f);
      }

      // 2. Killed (SIGTERM) while the third run fits, then resumed.
      const child = command([...common, "--jobs", "1", "--out", `${dir}/b`]).spawn();
      let seen = "";
      const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
      while (!/experiment 3\/9: .*\n(.*\n)*.* [1-9]\d*\/24 /.test(seen)) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += value;
      }
      child.kill("SIGTERM");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += value;
      }
      await child.stdout.cancel();
      const status = await child.status;
      assertEquals(status.code, 130, seen);
      assertStringIncludes(seen, "run again with --resume");
      const resumed = await run([...common, "--jobs", "1", "--out", `${dir}/b`, "--resume"]);
      assertEquals(resumed.code, 0, resumed.stderr);
      assertStringIncludes(resumed.stderr, "reused from");
      assertEquals(await numbers(`${dir}/b`), await numbers(`${dir}/a`));

      // 3. Two worker processes.
      const c = await run([...common, "--jobs", "2", "--out", `${dir}/c`]);
      assertEquals(c.code, 0, c.stderr);
      assertStringIncludes(c.stderr, "[job 2] ");
      assertEquals(await numbers(`${dir}/c`), await numbers(`${dir}/a`));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
