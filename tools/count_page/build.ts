/**
 * The counting page: ONE self-contained HTML file that counts the objects of
 * an image dropped onto it with a trained counter, in the browser, offline.
 * TensorFlow.js is inlined from the npm package's `dist/tf.min.js` (Deno's
 * npm cache, through the import map), the counter's `model.json` as JSON
 * and its weights as base64 (a `file://` page cannot fetch files beside
 * it), and optionally a demo image that `?demo=1` counts on load. The
 * page's script is `count_page.js`, its layout `count_page.html`, both
 * beside this file. `deno task count page` writes it.
 *
 * @module
 */
import { basename } from "node:path";
import { readModelJson } from "../../src/counting/networks/model_io.ts";
import { base64 } from "../../src/plot/png.ts";
import { escapeHtml, jsonForScript } from "../../src/plot/html.ts";

/** Options of {@linkcode countPageHtml}. */
export interface CountPageOptions {
  /** An image to inline as the example (`?demo=1` counts it on load). */
  demo?: string;
  /** The page's title (default `Count objects`). */
  title?: string;
}

let tfjsCache: Promise<string> | undefined;

/**
 * The text of TensorFlow.js's browser bundle (`@tensorflow/tfjs/dist/tf.min.js`
 * of the pinned version), read once from Deno's npm cache.
 *
 * @returns The minified source.
 */
export function tfjsSource(): Promise<string> {
  tfjsCache ??= import("@tensorflow/tfjs/dist/tf.min.js", { with: { type: "text" } })
    .then((m) => m.default as string);
  return tfjsCache;
}

/**
 * A `<script>` element holding code, so that `</script` inside it cannot end it.
 *
 * @param code JavaScript.
 * @returns The element.
 */
function scriptTag(code: string): string {
  return `<script>\n${code.replace(/<\/(script)/gi, "<\\/$1")}\n</script>`;
}

/**
 * Builds the page for a counter.
 *
 * @param modelPath The counter's folder or `model.json` (written by `count train` / `saveCounter`).
 * @param options Demo image and title.
 * @returns The HTML text.
 * @throws {Error} When the model is not a counter, or the demo image is not a PNG or JPEG.
 * @example
 * ```ts ignore
 * import { countPageHtml } from "./build.ts";
 * await Deno.writeTextFile("count.html", await countPageHtml("models/vgg-cells"));
 * ```
 */
export async function countPageHtml(
  modelPath: string,
  options: CountPageOptions = {},
): Promise<string> {
  const jsonPath = modelPath.endsWith(".json")
    ? modelPath
    : `${modelPath.replace(/\/+$/, "")}/model.json`;
  const { json, specs, data } = await readModelJson(jsonPath);
  const meta = (json as { userDefinedMetadata?: { pixelbias?: Record<string, unknown> } })
    .userDefinedMetadata?.pixelbias;
  const counter = meta?.counter as { densityScale?: number; trainedOn?: string } | undefined;
  if (!meta || typeof counter?.densityScale !== "number") {
    throw new Error(
      `${modelPath} is a tfjs model but not a counter (no pixelbias counter metadata)`,
    );
  }
  const model = {
    modelTopology: json.modelTopology,
    weightsManifest: [{ paths: ["weights.bin"], weights: specs }],
    userDefinedMetadata: json.userDefinedMetadata,
  };
  let demo: { name: string; type: string; base64: string } | null = null;
  if (options.demo) {
    const bytes = await Deno.readFile(options.demo);
    const type = bytes[0] === 0x89 && bytes[1] === 0x50
      ? "image/png"
      : bytes[0] === 0xff && bytes[1] === 0xd8
      ? "image/jpeg"
      : null;
    if (!type) throw new Error(`--demo ${options.demo}: not a PNG or JPEG file`);
    demo = { name: basename(options.demo), type, base64: base64(bytes) };
  }
  const here = new URL(".", import.meta.url);
  const [template, app, tfjs] = await Promise.all([
    Deno.readTextFile(new URL("count_page.html", here)),
    Deno.readTextFile(new URL("count_page.js", here)),
    tfjsSource(),
  ]);
  const title = options.title ?? "Count objects";
  const about = `Counts with a density-map counter${
    counter.trainedOn ? ` trained on ${counter.trainedOn}` : ""
  } (${meta.network}). A counter counts what it was trained on.`;
  const config = {
    model,
    weights: base64(new Uint8Array(data)),
    demo,
  };
  const fill: Record<string, string> = {
    TITLE: escapeHtml(title),
    ABOUT: escapeHtml(about),
    FOOTER: escapeHtml(
      `Made by pixelbias (deno task count page) with TensorFlow.js, inlined; works offline.`,
    ),
    TFJS: scriptTag(tfjs),
    CONFIG: `<script id="counter-config" type="application/json">${jsonForScript(config)}</script>`,
    APP: scriptTag(app),
  };
  // One pass, so that nothing inserted (tf.min.js) is searched for placeholders; `{{ NAME }}`
  // and `<!-- NAME -->`, with or without the spaces a formatter adds.
  return template.replace(
    /\{\{\s*([A-Z]+)\s*\}\}|<!--\s*([A-Z]+)\s*-->/g,
    (all, a, b) => fill[a ?? b] ?? all,
  );
}
