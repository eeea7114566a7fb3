import { assert, assertEquals, assertThrows } from "@std/assert";
import { PROFILES } from "../profile.ts";
import {
  chapter3Settings,
  describeChapter3Scaling,
  taskKey,
  taskLabel,
  validateChapter3Settings,
} from "./settings.ts";

Deno.test("every profile's settings are valid; paper holds the thesis's values", () => {
  for (const p of PROFILES) assertEquals(chapter3Settings(p).profile, p);
  const paper = chapter3Settings("paper");
  // Thesis Sec. 3.5: Adam 1e-4, batch 1, 256² crops, L = 4 blocks of 24 channels, F_L box r = 8.
  assertEquals([paper.lr, paper.batch, paper.patch], [1e-4, 1, 256]);
  assertEquals([paper.blocks, paper.width, paper.lowPassRadius], [4, 24, 8]);
  assertEquals(paper.sigmas, [15, 25, 50]);
  assertEquals(paper.scales, [4, 8, 16]);
  assertEquals(describeChapter3Scaling(paper), []);
});

Deno.test("quick is scaled down and says how; smoke is smaller still", () => {
  const quick = chapter3Settings("quick"), smoke = chapter3Settings("smoke");
  const lines = describeChapter3Scaling(quick);
  assert(
    lines.some((l) => l.startsWith("learning rate: 0.001 (thesis 0.0001; larger here")),
    lines.join("\n"),
  );
  assert(lines.some((l) => l.startsWith("steps per network: 20,000")), lines.join("\n"));
  assert(smoke.steps < quick.steps && quick.steps <= 50_000);
  // The held-out curve is measured at the training patch size, at least 20 times.
  assertEquals(quick.validation.patch, quick.patch);
  assert(quick.steps / quick.validation.every >= 20);
  assert(smoke.aloeReduce > quick.aloeReduce);
});

Deno.test("validateChapter3Settings names the bad field", () => {
  const s = chapter3Settings("smoke");
  assertThrows(() => validateChapter3Settings({ ...s, steps: 0 }), RangeError, "steps");
  assertThrows(() => validateChapter3Settings({ ...s, lr: -1 }), RangeError, "lr");
  assertThrows(
    () => validateChapter3Settings({ ...s, grid: { radii: [], eps: [0.01] } }),
    RangeError,
    "grid",
  );
  assertThrows(
    () =>
      validateChapter3Settings({
        ...s,
        learnedTasks: [{ kind: "image-denoising", sigma: 25 }],
      }),
    RangeError,
    "depth task",
  );
  assertThrows(
    () =>
      validateChapter3Settings({
        ...s,
        patch: 16,
        learnedTasks: [{ kind: "depth-upsampling", scale: 16 }],
      }),
    RangeError,
    "too small",
  );
});

Deno.test("task keys and labels", () => {
  assertEquals(taskKey({ kind: "depth-upsampling", scale: 16 }), "up16");
  assertEquals(taskKey({ kind: "depth-denoising", sigma: 50 }), "dn50");
  assertEquals(taskLabel({ kind: "depth-denoising", sigma: 50 }), "depth denoising σ = 50");
});
