import { assertEquals, assertThrows } from "@std/assert";
import { parseReproArgs, UsageError } from "./cli.ts";
import { listImages } from "./data.ts";
import { assertRejects } from "@std/assert";
import { markdownTable } from "./table.ts";
import { claim, formatClaim } from "./claims.ts";

Deno.test("parseReproArgs reads every option in both forms", () => {
  const a = parseReproArgs(
    ["--profile=paper", "--data-dir", "imgs", "--out", "o", "--resume", "--backend", "wasm"],
    3,
  );
  assertEquals(a, {
    profile: "paper",
    dataDir: "imgs",
    out: "o",
    resume: true,
    backend: "wasm",
    quiet: false,
    help: false,
  });
  assertEquals(parseReproArgs([], 2).out, "out/chapter2-quick");
  assertEquals(parseReproArgs(["--quiet"], 2).quiet, true);
});

Deno.test("parseReproArgs rejects bad input with one clear line", () => {
  assertThrows(
    () => parseReproArgs(["--profile", "fast"], 2),
    UsageError,
    `--profile must be one of "smoke", "quick", "paper", got string "fast"`,
  );
  assertThrows(
    () => parseReproArgs(["--frobnicate"], 2),
    UsageError,
    `unknown option "--frobnicate"`,
  );
  assertThrows(() => parseReproArgs(["--out"], 2), UsageError, "--out needs a value");
  assertThrows(() => parseReproArgs(["--out", "--resume"], 2), UsageError, "--out needs a value");
  assertThrows(() => parseReproArgs(["stray"], 2), UsageError, `unexpected argument "stray"`);
  assertThrows(() => parseReproArgs(["--quiet=yes"], 2), UsageError, "--quiet takes no value");
});

Deno.test("listImages finds images and refuses empty or missing folders", async () => {
  const dir = await Deno.makeTempDir();
  await assertRejects(() => listImages(dir), UsageError, "holds no PNG or JPEG image");
  await assertRejects(() => listImages(`${dir}/nope`), UsageError, "does not exist");
  await Deno.writeTextFile(`${dir}/b.PNG`, "");
  await Deno.writeTextFile(`${dir}/a.jpg`, "");
  await Deno.writeTextFile(`${dir}/notes.txt`, "");
  assertEquals(await listImages(dir), [`${dir}/a.jpg`, `${dir}/b.PNG`]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("markdownTable and formatClaim print numbers and verdicts", () => {
  const md = markdownTable({
    title: "T",
    columns: ["a", "b"],
    rows: [["x|y", 1.005], ["z", null]],
    notes: ["n"],
  });
  assertEquals(md, "### T\n\n| a | b |\n|---|---|\n| x\\|y | 1.00 |\n| z | – |\n\n- n\n");
  assertEquals(formatClaim(claim("c", "S", false, "d")), "FAIL  S — d");
  assertEquals(formatClaim(claim("c", "S", null, "d")), "SKIP  S — d");
});
