import { assertEquals, assertStringIncludes } from "@std/assert";
import type { Chapter5Record, CountRecord } from "./experiments.ts";
import { chapter5Settings, type Method } from "./settings.ts";
import { chapter5Tables, THESIS_TABLE23, THESIS_TABLE29 } from "./tables.ts";

const rec = (method: Method, err: number, seed = 0, dataset = "bbbc039"): CountRecord => ({
  kind: "count",
  id: `${dataset}-${method}-${seed}`,
  dataset,
  backbone: "csrnet",
  method,
  seed,
  steps: 1,
  seconds: 1,
  best: null,
  names: ["a", "b"],
  predicted: [100 + err, 100 - err],
  truth: [100, 100],
  mae: err,
  rmse: err,
  split: { background: [1, 1], foreground: [err - 1, err - 1] },
  levels: [1.1, 1.2],
});

Deno.test("chapter5Tables puts each measured number beside the thesis's", () => {
  const s = chapter5Settings("quick");
  const records: Chapter5Record[] = [
    rec("base", 10),
    rec("base", 12, 1),
    rec("oracle", 4),
    rec("cascade", 8),
    rec("distilled", 9),
    rec("all", 7),
    rec("base", 20, 0, "vgg"),
  ];
  const tables = chapter5Tables(records, s);
  assertEquals(tables.map((t) => t.title.split(":")[0]), [
    "Table 23",
    "Tables 24 and 29",
    "Tables 25 and 30",
    "Tables 26 and 31",
    "Table 27",
    "Table 28",
  ]);
  // Table 23: CSRNet standard 11.00 ± 1.41 (two seeds) beside the thesis's 61.9, 12.3, 93.6, 72.4.
  assertEquals(tables[0].rows[0], ["CSRNet", "standard", "11.00 ± 1.41", 61.9, 12.3, 93.6, 72.4]);
  assertEquals(tables[0].rows[1][3], THESIS_TABLE23.partA.csrnet.oracle);
  // Table 29: the cascade's BG, FG, overall, then the thesis's Part A 3.0, 55.3, 56.1 and UCF 3.4, 83.6, 84.4.
  const cascade = tables[1].rows.find((r) => String(r[1]).includes("background reduction"))!;
  assertEquals(cascade.slice(2), [
    "1.00",
    "7.00",
    "8.00",
    ...THESIS_TABLE29.csrnet.partA.cascade,
    3.4,
    83.6,
    84.4,
  ]);
  // Table 25: the median split puts one VGG image in each set.
  assertStringIncludes(
    tables[2].notes!.join(" "),
    "1 low, 1 high; 0 images reach the thesis's 1.5",
  );
  // Table 27's last row: the three combined, thesis 52.7 (Part A), 80.1 (UCF-QNRF).
  assertEquals(tables[4].rows.at(-1), ["CSRNet", "✓", "✓", "✓", "7.00", 52.7, 80.1]);
  // Table 28: no thesis data set in quick, so the measured rows are empty.
  assertEquals(tables[5].rows.at(-1)?.[0], "HRNet + three solutions (thesis)");
});
