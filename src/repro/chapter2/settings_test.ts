import { assertEquals, assertGreater, assertThrows } from "@std/assert";
import { PROFILES } from "../profile.ts";
import { imagesNamed } from "./claims.ts";
import { CHAPTER2_GROUPS, chapter2Plan, groupExperiments } from "./experiments.ts";
import {
  CHAPTER2_SETTINGS,
  chapter2Settings,
  describeScaling,
  validateChapter2Settings,
} from "./settings.ts";
import { pilotTable } from "./pilot.ts";
import {
  chapter2Tables,
  comparisonTable,
  formatStats,
  measuredCell,
  measuredStats,
  THESIS_TABLE1,
} from "./tables.ts";
import { markdownTable } from "../table.ts";
import type { FitRecord } from "./record.ts";
import { subsample } from "./record.ts";

Deno.test("every profile's settings are consistent", () => {
  for (const p of PROFILES) {
    const s = chapter2Settings(p);
    assertEquals(s.profile, p);
    assertEquals(s.bands, 5);
    assertEquals(s.steps % s.every, 0);
  }
});

Deno.test("paper holds the thesis's settings; quick and smoke say what they scale", () => {
  const paper = CHAPTER2_SETTINGS.paper;
  assertEquals(
    [paper.crop, paper.channels, paper.depth, paper.lr, paper.steps],
    [null, 128, 5, 0.001, 10_000],
  );
  assertEquals(paper.superresSteps, { x4: 2_000, x8: 4_000 });
  assertEquals(paper.enhanceSteps, 5_000);
  assertEquals(paper.autoStop, { window: 100, epsilon: 0.01 });
  assertEquals(describeScaling(chapter2Settings("paper")), []);
  const quick = describeScaling(chapter2Settings("quick"));
  assertEquals(quick[0], "image size: centred 64×64 crops (thesis whole images)");
  assertEquals(quick.some((l) => l.startsWith("network input z: fourier (thesis uniform)")), true);
  assertEquals(quick.some((l) => l.startsWith("left out:")), false);
  assertGreater(quick.length, 4);
});

Deno.test("a profile's omitted experiments leave the plan and need a reason", async () => {
  const { Chapter2Session } = await import("./session.ts");
  const settings = chapter2Settings("smoke");
  settings.omit = { methods: ["bdip"], groups: ["fig19"], why: "test" };
  const session = await Chapter2Session.open({
    settings,
    backend: "cpu",
    quiet: true,
    out: await Deno.makeTempDir(),
  });
  const plan = session.plan();
  assertEquals(plan.some((e) => e.method === "bdip"), false);
  assertEquals(plan.some((e) => e.id.startsWith("ours-denoise100-")), false);
  assertEquals(plan.some((e) => e.method === "dip"), true);
  assertThrows(
    () => validateChapter2Settings({ ...settings, omit: { ...settings.omit, why: "" } }),
    RangeError,
    "omit.why",
  );
});

Deno.test("validateChapter2Settings names the inconsistent field", () => {
  const s = chapter2Settings("quick");
  assertThrows(
    () => validateChapter2Settings({ ...s, crop: 40 }),
    RangeError,
    "crop must be a multiple of 16",
  );
  assertThrows(
    () => validateChapter2Settings({ ...s, fbcEvery: 15 }),
    RangeError,
    "fbcEvery must be a multiple of every",
  );
  assertThrows(
    () => validateChapter2Settings({ ...s, autoStop: { window: s.steps / 2, epsilon: 0.01 } }),
    RangeError,
    "autoStop.window",
  );
  assertThrows(() => validateChapter2Settings({ ...s, lr: 0 }), RangeError, "lr");
});

Deno.test("the plan runs each shared run once and covers every group", () => {
  const images = imagesNamed("a", "b");
  const plan = chapter2Plan(images);
  const ids = plan.map((e) => e.id);
  assertEquals(new Set(ids).size, ids.length);
  // The controlled decoder on σ = 25 serves Figs. 8, 9, 10, 19 and Table 1: one run per image.
  assertEquals(ids.filter((id) => id.startsWith("ours-denoise25-")).length, 2);
  for (const g of CHAPTER2_GROUPS) {
    for (const e of groupExperiments(g, images)) assertEquals(ids.includes(e.id), true);
  }
  // Fig. 19 uses the first figure image only.
  assertEquals(groupExperiments("fig19", images).map((e) => e.id), [
    "ours-denoise25-a",
    "ours-denoise50-a",
    "ours-denoise100-a",
  ]);
  // One image for every role: 65 distinct runs (Figs. 5/9 and Table 2 then share their JPEG runs).
  assertEquals(chapter2Plan(imagesNamed("a")).length, 65);
});

Deno.test("tables put the mean ± std of the measured PSNR beside the thesis's number", () => {
  const images = imagesNamed("a", "b");
  const rec = (psnr: number) =>
    ({ reported: { kind: "stop", psnr }, inputPsnr: 20 }) as unknown as FitRecord;
  const records = {
    "ours-denoise25-a": rec(27),
    "ours-denoise25-b": rec(28),
  };
  assertEquals(measuredCell(records, "ours", "denoise25", ["a", "b"]), 27.5);
  assertEquals(measuredCell(records, "ours", "denoise15", ["a", "b"]), null);
  assertEquals(measuredCell(records, "bicubic", "denoise25", ["a"]), 20);
  const md = markdownTable(
    comparisonTable(THESIS_TABLE1, records, images, chapter2Settings("quick")),
  );
  // Ours, σ = 25: measured 27.50 ± 0.71 (27 and 28) beside the thesis's 28.15; σ = 15 was not run.
  assertEquals(
    md.split("\n").find((l) => l.startsWith("| Ours |")),
    "| Ours | – | 30.80 | 27.50 ± 0.71 | 28.15 | – | 24.83 |",
  );
  assertEquals(measuredStats(records, "ours", "denoise25", ["a", "b"])?.std, Math.SQRT1_2);
  // One image: a plain number.
  assertEquals(formatStats(measuredStats(records, "ours", "denoise25", ["a"])), 27);
});

Deno.test("subsample keeps the last point and at most n points", () => {
  const x = Array.from({ length: 1001 }, (_, i) => i);
  const s = subsample({ x, y: x }, 300);
  assertEquals(s.x.length <= 300, true);
  assertEquals(s.x.at(-1), 1000);
  assertEquals(s.x[0], 0);
});

Deno.test("quick's tables carry the pilot that set its scale; smoke's do not", () => {
  const images = imagesNamed("a");
  const titles = (p: "quick" | "smoke") =>
    chapter2Tables({}, images, chapter2Settings(p)).map((t) => t.title);
  assertEquals(titles("quick").some((t) => t.startsWith("Scaling notes: the pilot")), true);
  assertEquals(titles("smoke").some((t) => t.startsWith("Scaling notes")), false);
  // The pilot's row behind the chosen scale: the original DIP at 64×64 peaks, then loses > 1 dB by 1,000 steps.
  const row = pilotTable().rows.find((r) =>
    r[0] === "original DIP" && r[1] === "uniform" && r[3] === "64" && r[4] === "1000"
  )!;
  assertGreater(row[8] as number, 1);
});
