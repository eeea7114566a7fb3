/**
 * PNG export of plotly figures through headless Chromium: the figure is
 * drawn by plotly.js in a temporary offline HTML page, and Chromium's
 * `--screenshot` writes the pixels. Needs a Chromium (or Chrome) binary; the
 * error says how to get one when there is none.
 *
 * @module
 */
import { join } from "node:path";
import { assertNumber } from "../core/checks.ts";
import { assertFigure, type Figure } from "./figure.ts";
import { figureDiv, plotlyScriptTag, plotlySource } from "./html.ts";

/** Options of {@linkcode toPng}. */
export interface ToPngOptions {
  /** Width in CSS pixels (default: the layout's width, else 800). */
  width?: number;
  /** Height in CSS pixels (default: the layout's height, else 500). */
  height?: number;
  /** Device pixels per CSS pixel (default 1; 2 gives a sharper, larger PNG). */
  scale?: number;
  /** Also write the PNG to this path. */
  path?: string;
  /**
   * The Chromium binary. Default: `$PIXELBIAS_CHROMIUM`, else the first of
   * `chromium`, `chromium-browser`, `google-chrome`, `google-chrome-stable`,
   * `chrome` found on `PATH`.
   */
  chromium?: string;
  /** Give up after this many milliseconds (default 60000). */
  timeoutMs?: number;
}

const CANDIDATES = [
  "chromium",
  "chromium-browser",
  "google-chrome",
  "google-chrome-stable",
  "chrome",
];

/**
 * Finds a Chromium binary: `explicit` if given (it must exist), else
 * `$PIXELBIAS_CHROMIUM`, else the first candidate name on `PATH`.
 *
 * @param explicit A path chosen by the caller.
 * @returns The binary's path, or `undefined` when none is found.
 * @throws {Error} When `explicit` or `$PIXELBIAS_CHROMIUM` names a file that does not exist.
 */
export function findChromium(explicit?: string): string | undefined {
  const fromEnv = readEnv("PIXELBIAS_CHROMIUM");
  const chosen = explicit ?? fromEnv;
  if (chosen) {
    if (!isFile(chosen)) {
      const source = explicit ? "the chromium option" : "$PIXELBIAS_CHROMIUM";
      throw new Error(`Chromium binary "${chosen}" (from ${source}) does not exist`);
    }
    return chosen;
  }
  const dirs = (readEnv("PATH") ?? "").split(":").filter(Boolean);
  for (const name of CANDIDATES) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Renders a figure to PNG with headless Chromium.
 *
 * @param figure The plotly figure.
 * @param options Size, scale, output path and Chromium binary.
 * @returns The PNG bytes.
 * @throws {Error} When no Chromium is installed (naming what was searched and
 *   how to install one), or when Chromium fails or times out.
 * @example
 * ```ts ignore
 * import { lineFigure, toPng } from "./mod.ts";
 * const fig = lineFigure({ series: [{ name: "y", x: [0, 1, 2], y: [1, 4, 9] }] });
 * await toPng(fig, { width: 640, height: 400, path: "out/curve.png" });
 * ```
 */
export async function toPng(figure: Figure, options: ToPngOptions = {}): Promise<Uint8Array> {
  assertFigure(figure, "figure");
  const width = assertNumber(options.width ?? figure.layout.width ?? 800, "width", {
    min: 16,
    integer: true,
  });
  const height = assertNumber(options.height ?? figure.layout.height ?? 500, "height", {
    min: 16,
    integer: true,
  });
  const scale = assertNumber(options.scale ?? 1, "scale", { min: 0.25, max: 8 });
  const timeoutMs = assertNumber(options.timeoutMs ?? 60_000, "timeoutMs", { min: 1 });
  const binary = findChromium(options.chromium);
  if (!binary) {
    throw new Error(
      `toPng needs headless Chromium, and none was found (looked for $PIXELBIAS_CHROMIUM, then ${
        CANDIDATES.join(", ")
      } on PATH). Install it (Debian/Ubuntu: apt-get install chromium) or pass {chromium: "/path/to/chrome"}.`,
    );
  }

  const sized: Figure = { data: figure.data, layout: { ...figure.layout, width, height } };
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<style>html, body { margin: 0; padding: 0; overflow: hidden; background: white; }</style>
${plotlyScriptTag(await plotlySource())}</head><body>
${figureDiv(sized, { id: "figure", responsive: false, staticPlot: true })}
</body></html>`;
  const dir = await Deno.makeTempDir({ prefix: "pixelbias-png-" });
  try {
    const page = join(dir, "figure.html");
    const shot = join(dir, "figure.png");
    await Deno.writeTextFile(page, html);
    const command = new Deno.Command(binary, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-extensions",
        `--user-data-dir=${join(dir, "profile")}`,
        `--force-device-scale-factor=${scale}`,
        `--window-size=${width},${height}`,
        // Lets plotly finish drawing (images in figures load asynchronously).
        "--virtual-time-budget=5000",
        `--screenshot=${shot}`,
        `file://${page}`,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    });
    let result: Deno.CommandOutput;
    try {
      result = await command.output();
    } catch (error) {
      if (error instanceof DOMException && error.name === "TimeoutError") {
        throw new Error(`toPng: Chromium (${binary}) did not finish within ${timeoutMs} ms`);
      }
      throw new Error(`toPng: could not run Chromium (${binary}): ${(error as Error).message}`);
    }
    let png: Uint8Array;
    try {
      png = await Deno.readFile(shot);
    } catch {
      const stderr = new TextDecoder().decode(result.stderr).trim().split("\n").slice(-5).join(
        "\n",
      );
      throw new Error(
        `toPng: Chromium (${binary}) exited with code ${result.code} and wrote no screenshot:\n${stderr}`,
      );
    }
    if (options.path) await Deno.writeFile(options.path, png);
    return png;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env
  }
}
