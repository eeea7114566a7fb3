import { assert, assertEquals, assertThrows } from "@std/assert";
import { UsageError } from "./cli.ts";
import { defaultJobs, parseJobArgs, shareByCost } from "./jobs.ts";

Deno.test("parseJobArgs takes --jobs, --shard and the named options out, in both forms", () => {
  const a = parseJobArgs(["--profile", "smoke", "--jobs", "3", "--only=fig7", "--resume"], {
    values: ["only"],
  });
  assertEquals(a, {
    rest: ["--profile", "smoke", "--resume"],
    jobs: 3,
    shard: undefined,
    values: { only: "fig7" },
  });
  assertEquals(parseJobArgs(["--shard=2/3"]).shard, { index: 2, count: 3 });
  // Without being named, --only stays for the chapter's own parser.
  assertEquals(parseJobArgs(["--only", "x"]).rest, ["--only", "x"]);
  assertThrows(
    () => parseJobArgs(["--jobs", "0"]),
    UsageError,
    "--jobs must be a whole number from 1 to 64",
  );
  assertThrows(() => parseJobArgs(["--jobs"]), UsageError, "--jobs needs a value");
  assertThrows(() => parseJobArgs(["--jobs", "--resume"]), UsageError, "--jobs needs a value");
  assertThrows(() => parseJobArgs(["--shard", "3/2"]), UsageError, "--shard must be i/n");
});

Deno.test("shareByCost balances the costs, keeps every item once and in order", () => {
  const items = Array.from({ length: 23 }, (_, i) => ({ id: `e${i}`, cost: 1 + ((i * 7) % 5) }));
  for (const count of [1, 2, 3]) {
    const shares = shareByCost(items, count, (e) => e.cost, (e) => e.id);
    assertEquals(shares.length, count);
    assertEquals(shares.flat().map((e) => e.id).sort(), items.map((e) => e.id).sort());
    for (const s of shares) {
      assertEquals(s, [...s].sort((a, b) => items.indexOf(a) - items.indexOf(b)));
    }
    const loads = shares.map((s) => s.reduce((t, e) => t + e.cost, 0));
    assert(Math.max(...loads) - Math.min(...loads) <= 5, `unbalanced: ${loads}`);
  }
  // Equal items are shared, not collapsed.
  assertEquals(shareByCost([2, 2], 2, (x) => x, () => "same"), [[2], [2]]);
  assertThrows(() => shareByCost([1], 0, (x) => x, String), RangeError, "count");
});

Deno.test("defaultJobs: one worker on WebGPU, up to 2 on a CPU, never more than the items", () => {
  assertEquals(defaultJobs("webgpu", 10), 1);
  assertEquals(defaultJobs("wasm", 1), 1);
  assertEquals(defaultJobs("wasm", 10, 4), 4);
  assertEquals(defaultJobs("wasm", 3, 8), 3);
  assert(defaultJobs("wasm", 10) <= 2);
});
