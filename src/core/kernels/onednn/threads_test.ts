import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { chooseThreads, processThreadContext, threadControl } from "./threads.ts";

Deno.test("chooseThreads: option, then PIXELBIAS_THREADS, then the cores shared by the jobs", () => {
  assertEquals(chooseThreads({ cores: 8 }), { threads: 8, source: "all 8 cores" });
  assertEquals(chooseThreads({ cores: 8, requested: 3, env: "5" }).threads, 3);
  assertEquals(chooseThreads({ cores: 8, env: "5", jobsEnv: "4" }).threads, 5);
  assertEquals(chooseThreads({ cores: 8, env: "x", jobsEnv: "3" }).threads, 2);
  assertEquals(chooseThreads({ cores: 2, jobsEnv: "4" }).threads, 1);
  // the chapter runners' worker processes: --shard i/N
  assertEquals(chooseThreads({ cores: 8, args: ["--profile=quick", "--shard", "2/4"] }).threads, 2);
  assertEquals(chooseThreads({ cores: 8, args: ["--shard=1/2"] }).threads, 4);
  // deno test --parallel: one worker per core unless DENO_JOBS says otherwise
  const parallel = ["deno", "test", "-A", "--doc", "--parallel", ""];
  const tests = chooseThreads({ cores: 2, cmdline: parallel });
  assertEquals(tests.threads, 1);
  assertStringIncludes(tests.source, "deno test --parallel");
  assertEquals(chooseThreads({ cores: 8, cmdline: parallel, denoJobs: "2" }).threads, 4);
  assertEquals(
    chooseThreads({ cores: 8, cmdline: ["deno", "test", "-A", "x_test.ts"] }).threads,
    8,
  );
  assertEquals(chooseThreads({ cores: 8, cmdline: ["deno", "run", "--parallel"] }).threads, 8);
  assertThrows(() => chooseThreads({ cores: 8, requested: 0 }), RangeError, "threads must be");
});

Deno.test("processThreadContext reads the cores and this process's arguments", () => {
  const c = processThreadContext();
  assertEquals(c.cores, navigator.hardwareConcurrency);
  assertEquals(c.args, Deno.args);
  if (Deno.build.os === "linux") assertEquals(c.cmdline?.[1], "test");
});

Deno.test("threadControl of a runtime without a settable count says so", () => {
  const tbb = threadControl("tbb");
  assertEquals(tbb.get(), undefined);
  assertStringIncludes(tbb.note!, "tbb runtime");
  assertEquals(threadControl("seq").get(), 1);
});
