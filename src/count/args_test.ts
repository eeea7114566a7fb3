import { assertEquals, assertThrows } from "@std/assert";
import { parseFlags, parseNumber, userPath } from "./args.ts";
import { CountInputError } from "./errors.ts";

const SPEC = { steps: { type: "string" as const }, force: { type: "boolean" as const } };

Deno.test("flags in both forms, numbers and choices checked with value, expectation and input", () => {
  const f = parseFlags("train", ["--steps=20", "--force", "--backend", "wasm"], SPEC);
  assertEquals(f.number("steps", 1, { min: 1, integer: true }), 20);
  assertEquals(f.boolean("force"), true);
  assertEquals(f.choice("backend", ["auto", "wasm"], "auto"), "wasm");
  assertEquals(parseFlags("train", [], SPEC).number("steps", 7), 7);
  assertThrows(
    () =>
      parseFlags("train", ["--steps", "2.5"], SPEC).number("steps", 1, { min: 1, integer: true }),
    CountInputError,
    '--steps must be a whole number >= 1; got "2.5"',
  );
  assertThrows(
    () => parseFlags("t", ["--backend", "gpu"], SPEC).choice("backend", ["auto", "wasm"], "auto"),
    CountInputError,
    '--backend must be one of auto, wasm; got "gpu"',
  );
  assertThrows(
    () => parseNumber("x", "--lr", { min: 0, minExclusive: true }),
    CountInputError,
    "> 0",
  );
});

Deno.test("parse mistakes are one line naming the flag", () => {
  assertThrows(
    () => parseFlags("train", ["--step", "3"], SPEC),
    CountInputError,
    "unknown option --step for count train (did you mean --steps?)",
  );
  assertThrows(
    () => parseFlags("train", ["--steps"], SPEC),
    CountInputError,
    "--steps needs a value",
  );
  assertThrows(
    () => parseFlags("train", ["extra"], SPEC),
    CountInputError,
    'unexpected argument "extra"',
  );
  assertThrows(
    () => parseFlags("train", ["--force=yes"], SPEC),
    CountInputError,
    "--force takes no value",
  );
  assertThrows(
    () => parseFlags("train", [], SPEC).required("steps", "how long"),
    CountInputError,
    "needs --steps (how long)",
  );
});

Deno.test("relative paths are the user's, from INIT_CWD (set by deno task)", () => {
  const before = Deno.env.get("INIT_CWD");
  try {
    Deno.env.set("INIT_CWD", "/home/someone/lab");
    assertEquals(userPath("images"), "/home/someone/lab/images");
    assertEquals(userPath("/abs/x"), "/abs/x");
    Deno.env.delete("INIT_CWD");
    assertEquals(userPath("a"), `${Deno.cwd()}/a`);
  } finally {
    if (before === undefined) Deno.env.delete("INIT_CWD");
    else Deno.env.set("INIT_CWD", before);
  }
});
