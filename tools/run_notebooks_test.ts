import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { fileURLToPath } from "node:url";
import { countOutputs, executeNotebook, missingNotebookTools } from "./run_notebooks.ts";

const NOTEBOOK = fileURLToPath(new URL("./jupyter/testdata/progress_group.ipynb", import.meta.url));

const missing = await missingNotebookTools();
if (missing) {
  console.warn(`run_notebooks_test: skipping the headless notebook test: ${missing}`);
}

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}

const text = (v: string | string[] | undefined) => Array.isArray(v) ? v.join("") : v ?? "";

Deno.test({
  name: "headless notebook: a group of experiments is one display, however many experiments",
  ignore: missing !== undefined,
  sanitizeResources: false,
  async fn() {
    const outDir = await Deno.makeTempDir({ prefix: "notebook-test-" });
    try {
      const res = await executeNotebook(NOTEBOOK, { outDir, timeout: 300 });
      assert(res.ok, res.error);
      const nb = JSON.parse(await Deno.readTextFile(res.executed));
      const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
      const outputs: Output[][] = code.map((c: { outputs: Output[] }) => c.outputs);
      const [, two, eight, again, warned] = outputs;

      // 2 and 8 experiments: the same single block, the display in its last state.
      assertEquals(two.length, 1, JSON.stringify(two));
      assertEquals(eight.length, two.length, JSON.stringify(eight));
      for (const [cell, n] of [[two, 2], [eight, 8]] as const) {
        assertEquals(cell[0].output_type, "display_data");
        const plain = text(cell[0].data?.["text/plain"]);
        assertStringIncludes(plain, `group of ${n}: ${n} experiments — ${n} run — wall time`);
        assertStringIncludes(text(cell[0].data?.["text/html"]), "✓");
      }
      assertEquals(again.length, 1, JSON.stringify(again));
      assertStringIncludes(
        text(again[0].data?.["text/plain"]),
        "9 experiments — 1 run, 8 reused from a previous run",
      );
      // Nothing on stderr but the warning.
      const stderr = outputs.flat().filter((o) =>
        o.output_type === "stream" && o.name === "stderr"
      );
      assertEquals(stderr.length, 1, JSON.stringify(stderr));
      assertStringIncludes(text(stderr[0].text), "warning: experiment 1/1: tiny experiment 1");
      assertEquals(warned.length, 2, JSON.stringify(warned));
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  },
});

Deno.test("countOutputs finds the busiest code cell and counts stderr blocks", () => {
  const stream = (name: string) => ({ output_type: "stream", name, text: "x" });
  const nb = JSON.stringify({
    cells: [
      { cell_type: "markdown", source: "" },
      { cell_type: "code", outputs: [stream("stdout")] },
      {
        cell_type: "code",
        outputs: [stream("stderr"), { output_type: "display_data" }, stream("stderr")],
      },
      { cell_type: "code", outputs: [] },
    ],
  });
  assertEquals(countOutputs(nb), { busiestCell: { index: 2, outputs: 3 }, stderrBlocks: 2 });
});
