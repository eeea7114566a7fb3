/**
 * Executes the notebooks headless, as CI does: `deno task notebooks [name...]`.
 *
 * Each `notebooks/*.ipynb` (or those named: `00`, `00-tour`, `00-tour.ipynb`)
 * runs top to bottom in Deno's Jupyter kernel through `jupyter nbconvert`
 * with the preprocessor of `tools/jupyter/deno_execute.py` (nbconvert's
 * `--execute`, plus the outputs Deno's kernel publishes just after a cell's
 * "idle" status, which plain nbconvert drops); the executed copies land in
 * `out/notebooks/`. The notebooks run
 * with `PIXELBIAS_PROFILE=smoke` (small sizes, few steps; a person running
 * them gets the `quick` default) and `NO_COLOR=1`. Any cell error fails the
 * run (exit code 1) and its message is printed.
 *
 * Options:
 *   --timeout=SECONDS  limit per cell (default 1800)
 *   --profile=NAME     PIXELBIAS_PROFILE for the notebooks (default smoke)
 *   --html             also export each executed notebook to HTML
 *
 * Needs `jupyter nbconvert` (pip install nbconvert nbclient ipykernel) and
 * the Deno kernelspec (`deno jupyter --install`); `.ci/run` installs both.
 *
 * @module
 */
import { basename, join, relative } from "node:path";

const root = join(import.meta.dirname!, "..");
const notebookDir = join(root, "notebooks");
const outDir = join(root, "out", "notebooks");

interface Args {
  names: string[];
  timeout: number;
  profile: string;
  html: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { names: [], timeout: 1800, profile: "smoke", html: false };
  for (const a of argv) {
    if (a.startsWith("--timeout=")) {
      args.timeout = Number(a.slice("--timeout=".length));
      if (!Number.isInteger(args.timeout) || args.timeout <= 0) {
        fail(`--timeout must be a positive number of seconds, got ${a.slice(10)}`);
      }
    } else if (a.startsWith("--profile=")) args.profile = a.slice("--profile=".length);
    else if (a === "--html") args.html = true;
    else if (a === "--help" || a === "-h") {
      console.log(
        "usage: deno task notebooks [--timeout=SECONDS] [--profile=NAME] [--html] [name...]",
      );
      Deno.exit(0);
    } else if (a.startsWith("--")) fail(`unknown option ${a} (see --help)`);
    else args.names.push(a);
  }
  return args;
}

function fail(message: string): never {
  console.error(`run_notebooks: ${message}`);
  Deno.exit(1);
}

/** Runs a command, returning its exit code and output; `undefined` if it cannot start. */
async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string } | undefined> {
  try {
    const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" })
      .output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/**
 * Why notebooks cannot run here, or `undefined` when `jupyter nbconvert` and
 * the Deno kernelspec are both installed.
 *
 * @returns The reason, with how to install what is missing.
 */
export async function missingNotebookTools(): Promise<string | undefined> {
  const nb = await run("jupyter", ["nbconvert", "--version"]);
  if (!nb || nb.code !== 0) {
    return "`jupyter nbconvert` is not available. Install it with\n" +
      "  pip install nbclient nbconvert ipykernel jupyter_client\n" +
      "(.ci/run does this on a clean machine).";
  }
  const specs = await run("jupyter", ["kernelspec", "list", "--json"]);
  const names = specs && specs.code === 0
    ? Object.keys(JSON.parse(specs.stdout).kernelspecs ?? {})
    : [];
  if (!names.includes("deno")) {
    return "the Deno Jupyter kernel is not installed. Install it with\n  deno jupyter --install";
  }
  return undefined;
}

async function checkTools(): Promise<void> {
  const missing = await missingNotebookTools();
  if (missing) fail(missing);
}

/** Options of {@linkcode executeNotebook}. */
export interface ExecuteNotebookOptions {
  /** Folder for the executed copy (and the HTML). */
  outDir: string;
  /** Limit per cell in seconds (default 1800). */
  timeout?: number;
  /** `PIXELBIAS_PROFILE` for the notebook (default `smoke`). */
  profile?: string;
  /** Also export the executed notebook to HTML (default `false`). */
  html?: boolean;
}

/** What {@linkcode executeNotebook} did. */
export interface ExecutedNotebook {
  /** Whether every cell ran (and the HTML export, if asked, worked). */
  ok: boolean;
  /** Path of the executed copy. */
  executed: string;
  /** What went wrong, when not ok: the cell error or the export's message. */
  error?: string;
  /** The most output blocks of one code cell, and which cell (0-based, all cells counted). */
  busiestCell?: { index: number; outputs: number };
  /** Number of stderr blocks in all (warnings and errors only, in a tidy notebook). */
  stderrBlocks?: number;
}

/**
 * Counts the output blocks of an executed notebook.
 *
 * @param notebook The notebook's JSON text.
 * @returns The busiest code cell and the number of stderr blocks.
 */
export function countOutputs(
  notebook: string,
): { busiestCell: { index: number; outputs: number }; stderrBlocks: number } {
  const cells: { cell_type: string; outputs?: { output_type: string; name?: string }[] }[] =
    JSON.parse(notebook).cells ?? [];
  let busiestCell = { index: -1, outputs: 0 };
  let stderrBlocks = 0;
  cells.forEach((cell, index) => {
    const outputs = cell.cell_type === "code" ? cell.outputs ?? [] : [];
    if (outputs.length > busiestCell.outputs) busiestCell = { index, outputs: outputs.length };
    stderrBlocks += outputs.filter((o) => o.output_type === "stream" && o.name === "stderr").length;
  });
  return { busiestCell, stderrBlocks };
}

/**
 * Executes one notebook headless in Deno's kernel, as CI does: nbconvert's
 * `--execute` through the preprocessor of `tools/jupyter/deno_execute.py`,
 * with `NO_COLOR=1`. A display updated in place (by display id) keeps its
 * last state in the executed copy.
 *
 * @param path The notebook.
 * @param options Output folder, timeout, profile, HTML.
 * @returns Whether it ran, and where the executed copy is.
 */
export async function executeNotebook(
  path: string,
  options: ExecuteNotebookOptions,
): Promise<ExecutedNotebook> {
  const { outDir } = options;
  const pythonPath = [join(root, "tools", "jupyter"), Deno.env.get("PYTHONPATH")].filter(Boolean);
  const env = {
    PIXELBIAS_PROFILE: options.profile ?? "smoke",
    NO_COLOR: "1",
    PYTHONPATH: pythonPath.join(":"),
  };
  const res = await run("jupyter", [
    "nbconvert",
    "--to",
    "notebook",
    // nbconvert's --execute, plus outputs that Deno's kernel sends just after "idle".
    `--NotebookExporter.preprocessors=["deno_execute.DenoExecutePreprocessor"]`,
    "--ExecutePreprocessor.kernel_name=deno",
    `--ExecutePreprocessor.timeout=${options.timeout ?? 1800}`,
    "--output-dir",
    outDir,
    path,
  ], env);
  const executed = join(outDir, basename(path));
  if (!res) return { ok: false, executed, error: "    jupyter could not be started" };
  if (res.code !== 0) return { ok: false, executed, error: errorSummary(res.stderr) };
  const counts = countOutputs(await Deno.readTextFile(executed));
  if (options.html) {
    const html = await run("jupyter", [
      "nbconvert",
      "--to",
      "html",
      "--output-dir",
      outDir,
      executed,
    ]);
    if (html?.code !== 0) {
      return {
        ok: false,
        executed,
        error: `  HTML export failed:\n${html?.stderr.trim()}`,
        ...counts,
      };
    }
  }
  return { ok: true, executed, ...counts };
}

function selectNotebooks(all: string[], names: string[]): string[] {
  if (names.length === 0) return all;
  return names.map((name) => {
    const stem = basename(name).replace(/\.ipynb$/, "");
    const exact = all.find((f) => basename(f, ".ipynb") === stem);
    const matches = exact ? [exact] : all.filter((f) => basename(f).startsWith(stem));
    if (matches.length !== 1) {
      fail(
        `"${name}" matches ${
          matches.length === 0 ? "no notebook" : matches.map((m) => basename(m)).join(", ")
        }; ` +
          `notebooks: ${all.map((f) => basename(f)).join(", ")}`,
      );
    }
    return matches[0];
  });
}

/** The last traceback lines of a failed nbconvert run: the cell error itself. */
function errorSummary(stderr: string): string {
  // deno-lint-ignore no-control-regex -- strips ANSI colour codes
  const lines = stderr.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  const start = lines.findIndex((l) => l.includes("An error occurred while executing"));
  const tail = (start >= 0 ? lines.slice(start) : lines.slice(-40)).filter((l) => l.trim() !== "");
  return tail.slice(0, 60).map((l) => `    ${l}`).join("\n");
}

function formatSeconds(s: number): string {
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

async function main() {
  const args = parseArgs(Deno.args);
  const all: string[] = [];
  for await (const entry of Deno.readDir(notebookDir)) {
    if (entry.isFile && entry.name.endsWith(".ipynb")) all.push(join(notebookDir, entry.name));
  }
  all.sort();
  if (all.length === 0) fail(`no notebooks in ${relative(Deno.cwd(), notebookDir) || "."}`);
  const selected = selectNotebooks(all, args.names);
  await checkTools();
  await Deno.mkdir(outDir, { recursive: true });

  console.log(
    `Executing ${selected.length} notebook(s) with PIXELBIAS_PROFILE=${args.profile}, ` +
      `cell timeout ${args.timeout} s, into ${relative(Deno.cwd(), outDir)}/`,
  );
  const results: { name: string; ok: boolean; seconds: number }[] = [];
  for (const path of selected) {
    const name = basename(path);
    const t0 = performance.now();
    const res = await executeNotebook(path, {
      outDir,
      timeout: args.timeout,
      profile: args.profile,
      html: args.html,
    });
    const seconds = (performance.now() - t0) / 1000;
    results.push({ name, ok: res.ok, seconds });
    const counts = res.busiestCell
      ? `; at most ${res.busiestCell.outputs} outputs in a cell (cell ${res.busiestCell.index}), ` +
        `${res.stderrBlocks} on stderr`
      : "";
    console.log(`${res.ok ? "ok    " : "FAILED"} ${name}  (${formatSeconds(seconds)}${counts})`);
    if (!res.ok && res.error) console.log(res.error);
  }

  const failed = results.filter((r) => !r.ok);
  const total = results.reduce((s, r) => s + r.seconds, 0);
  // Worded so that CI's test-count parser does not take it for the test summary.
  console.log(
    failed.length === 0
      ? `notebooks: all ${results.length} ran without errors (${formatSeconds(total)})`
      : `notebooks: ${failed.length} of ${results.length} FAILED (${formatSeconds(total)})`,
  );
  if (failed.length > 0) Deno.exit(1);
}

if (import.meta.main) await main();
