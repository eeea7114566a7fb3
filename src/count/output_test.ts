import { assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { CountInputError } from "./errors.ts";
import { assertFree, csvLine, prepareOutput } from "./output.ts";

Deno.test("outputs of an earlier run are kept without --force, and only they are removed with it", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "counts.csv"), "old");
  await Deno.writeTextFile(join(dir, "mine.txt"), "the user's");
  await Deno.mkdir(join(dir, "density"));
  await assertRejects(
    () => prepareOutput(dir, ["counts.csv", "density", "report.html"]),
    CountInputError,
    "already holds counts.csv (and 1 more) from an earlier run: pass --force",
  );
  assertEquals(await Deno.readTextFile(join(dir, "counts.csv")), "old");
  await prepareOutput(dir, ["counts.csv", "density", "report.html"], { force: true });
  assertEquals(await assertFree(dir, ["counts.csv", "density"]), []);
  assertEquals(await Deno.readTextFile(join(dir, "mine.txt")), "the user's");
  await assertRejects(() => assertFree(join(dir, "mine.txt"), []), CountInputError, "is a file");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("CSV fields are quoted only when needed", () => {
  assertEquals(csvLine(["a,b", 'say "hi"', 1.5, NaN]), '"a,b","say ""hi""",1.5,');
});
