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

async function checkTools(): Promise<void> {
  const nb = await run("jupyter", ["nbconvert", "--version"]);
  if (!nb || nb.code !== 0) {
    fail(
      "`jupyter nbconvert` is not available. Install it with\n" +
        "  pip install nbclient nbconvert ipykernel jupyter_client\n" +
        "(.ci/run does this on a clean machine).",
    );
  }
  const specs = await run("jupyter", ["kernelspec", "list", "--json"]);
  const names = specs && specs.code === 0
    ? Object.keys(JSON.parse(specs.stdout).kernelspecs ?? {})
    : [];
  if (!names.includes("deno")) {
    fail("the Deno Jupyter kernel is not installed. Install it with\n  deno jupyter --install");
  }
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

  const pythonPath = [join(root, "tools", "jupyter"), Deno.env.get("PYTHONPATH")].filter(Boolean);
  const env = { PIXELBIAS_PROFILE: args.profile, NO_COLOR: "1", PYTHONPATH: pythonPath.join(":") };
  console.log(
    `Executing ${selected.length} notebook(s) with PIXELBIAS_PROFILE=${args.profile}, ` +
      `cell timeout ${args.timeout} s, into ${relative(Deno.cwd(), outDir)}/`,
  );
  const results: { name: string; ok: boolean; seconds: number }[] = [];
  for (const path of selected) {
    const name = basename(path);
    const t0 = performance.now();
    const res = await run("jupyter", [
      "nbconvert",
      "--to",
      "notebook",
      // nbconvert's --execute, plus outputs that Deno's kernel sends just after "idle".
      `--NotebookExporter.preprocessors=["deno_execute.DenoExecutePreprocessor"]`,
      "--ExecutePreprocessor.kernel_name=deno",
      `--ExecutePreprocessor.timeout=${args.timeout}`,
      "--output-dir",
      outDir,
      path,
    ], env);
    let ok = res?.code === 0;
    if (ok && args.html) {
      const html = await run("jupyter", [
        "nbconvert",
        "--to",
        "html",
        "--output-dir",
        outDir,
        join(outDir, name),
      ]);
      if (html?.code !== 0) {
        console.error(`  ${name}: HTML export failed:\n${html?.stderr.trim()}`);
        ok = false;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    results.push({ name, ok, seconds });
    console.log(`${ok ? "ok    " : "FAILED"} ${name}  (${formatSeconds(seconds)})`);
    if (!ok && res) console.log(errorSummary(res.stderr));
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
