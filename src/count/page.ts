/**
 * `deno task count page`: writes the counting page of a counter, one
 * self-contained HTML file (see `tools/count_page/build.ts`) that counts an
 * image dropped onto it, offline, in any modern browser.
 *
 * @module
 */
import { join } from "node:path";
import { countPageHtml } from "../../tools/count_page/build.ts";
import { parseFlags, userPath } from "./args.ts";
import type { CountContext } from "./context.ts";
import { CountInputError } from "./errors.ts";
import { listImageFiles } from "./images.ts";
import { resolveModel, SHIPPED_MODEL } from "./model.ts";
import { prepareOutput, writeTextAtomic } from "./output.ts";

/** The help of `count page`. */
export const PAGE_HELP = `deno task count page --out DIR [--model M] [--demo IMAGE] [--force]

Writes DIR/count.html: one file (about 2 MB, TensorFlow.js and the counter
inside) that counts the objects of an image dropped onto it, in the browser,
offline; the image never leaves the computer. Mail it, or put it on any web
server. Opened as count.html?demo=1 it counts the example image at once.

  --model M          the counter (default: the shipped ${SHIPPED_MODEL}/)
  --out DIR          the folder for count.html (or a path ending in .html)
  --demo IMAGE       an example image to put in the page
  --title TEXT       the page's title (default "Count objects")
  --force            overwrite an earlier count.html
  --help             this text

The page decodes 16-bit PNGs itself (a browser's canvas keeps only 8 bits) and
scales images as the counter's training did; its counts match \`count predict\`.
`;

/**
 * Runs `count page`.
 *
 * @param args The arguments after `page`.
 * @param ctx Where messages go.
 * @returns Once the page is written.
 */
export async function pageCommand(args: readonly string[], ctx: CountContext): Promise<void> {
  const flags = parseFlags("page", args, {
    model: { type: "string" },
    out: { type: "string" },
    demo: { type: "string" },
    title: { type: "string" },
    force: { type: "boolean" },
  });
  if (flags.boolean("help")) return ctx.out(PAGE_HELP);
  const outArg = userPath(flags.required("out", "the folder for count.html"));
  const [dir, file] = outArg.endsWith(".html")
    ? [outArg.slice(0, outArg.lastIndexOf("/")) || "/", outArg.slice(outArg.lastIndexOf("/") + 1)]
    : [outArg, "count.html"];
  const demoArg = flags.string("demo");
  const demo = demoArg === undefined
    ? undefined
    : (await listImageFiles(userPath(demoArg), "--demo"))[0];
  if (demo && demoArg !== undefined && demo.path !== userPath(demoArg)) {
    throw new CountInputError(`--demo takes one image file, not a folder`);
  }
  const path = await resolveModel(flags.string("model"));
  await prepareOutput(dir, [file], { force: flags.boolean("force") });
  const html = await countPageHtml(path, { demo: demo?.path, title: flags.string("title") });
  await writeTextAtomic(join(dir, file), html);
  ctx.out(
    `wrote ${join(dir, file)} (${(html.length / 1e6).toFixed(1)} MB); open it in a browser` +
      (demo ? `, or as ${join(dir, file)}?demo=1 to count ${demo.stem} at once` : ""),
  );
}
