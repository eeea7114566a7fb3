// The counting page in headless Chromium: a page built for a counter, with a
// demo image inlined, opened as count.html?demo=1, must show in its DOM the
// count that the toolkit computes in Deno for the same image (an 8-bit RGB
// PNG with tfjs's default backend and with the cpu backend; a 16-bit gray PNG
// scaled by percentiles). Skipped, with a message, where no Chromium is installed.
import { assert, assertAlmostEquals, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { useBackend } from "../../src/core/backend.ts";
import { loadCounter, saveCounter } from "../../src/counting/counter.ts";
import { fcrn } from "../../src/counting/networks/fcrn.ts";
import { saveModel } from "../../src/counting/networks/model_io.ts";
import { decode, encode } from "fast-png";
import { readImageData } from "../../src/io/read.ts";
import { findChromium } from "../../src/plot/to_png.ts";
import type { PngNormalization } from "../../src/io/png16.ts";
import { countPageHtml } from "./build.ts";

const chromium = findChromium();
if (!chromium) console.warn("count page test skipped: no Chromium (apt-get install chromium)");

const VGG = new URL("../../data/counting/vgg_cells/images/001cell.png", import.meta.url).pathname;
const NUCLEI = new URL(
  "../../data/counting/bbbc039/images/IXMtest_A02_s1_w1051DAA7C-7042-435F-99F0-1E847D9B42CB.png",
  import.meta.url,
).pathname;

/**
 * Opens `page?query` in headless Chromium and returns the DOM once the page
 * has counted; a second try when the first dump shows no count (a headless
 * browser on a loaded machine now and then ends its virtual time early).
 */
async function dumpDom(page: string, query: string): Promise<string> {
  let dom = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    dom = await dumpOnce(page, query);
    if (dom.includes('data-state="counted"')) break;
  }
  return dom;
}

async function dumpOnce(page: string, query: string): Promise<string> {
  const out = await new Deno.Command(chromium!, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu-sandbox",
      "--virtual-time-budget=20000",
      "--dump-dom",
      `file://${page}?${query}`,
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

function statusOf(dom: string): string {
  return /<p id="status">([^<]*)/.exec(dom)?.[1] ?? `no page (${dom.length} bytes of DOM)`;
}

function domCount(dom: string): number {
  const m = /<output id="count" data-count="([^"]*)"/.exec(dom);
  assert(m && m[1] !== "", `no count in the page: ${statusOf(dom)}`);
  return Number(m![1]);
}

/** Saves an (untrained, seeded) counter and builds its page with `demo`. */
async function pageFor(
  dir: string,
  channels: 1 | 3,
  normalize: PngNormalization,
  demo: string,
): Promise<{ page: string; expected: number }> {
  const net = fcrn({ width: 0.125, batchNorm: true, inputChannels: channels, seed: 5 });
  const model = join(dir, `model${channels}`);
  await saveCounter(net, model, { densityScale: 100, channels, normalize, trainedOn: "a test" });
  net.dispose();
  const counter = await loadCounter(model);
  const image = await readImageData(demo, { channels, normalize });
  const expected = (await counter.predict(image)).count;
  counter.dispose();
  const page = join(dir, `count${channels}.html`);
  await Deno.writeTextFile(page, await countPageHtml(model, { demo }));
  return { page, expected };
}

Deno.test({
  name: "the page counts its demo image in headless Chromium as the toolkit does",
  ignore: !chromium,
  async fn() {
    await useBackend("wasm");
    const dir = await Deno.makeTempDir({ prefix: "count_page_" });
    try {
      // RGB counter, 8-bit RGB PNG
      const rgb = await pageFor(dir, 3, "depth", VGG);
      const html = await Deno.readTextFile(rgb.page);
      assert(html.length > 1e6 && html.length < 4e6, `page of ${html.length} bytes`);
      assert(!/<script[^>]+src=/.test(html), "the page loads a script from outside");
      assert(!/\{\{|<!--\s*[A-Z]+\s*-->/.test(html), "a placeholder is left in the page");
      assertStringIncludes(html, "<title>Count objects</title>");
      for (const query of ["demo=1", "demo=1&backend=cpu"]) {
        const dom = await dumpDom(rgb.page, query);
        assert(dom.includes('data-state="counted"'), `${query}: ${statusOf(dom)}`);
        assertAlmostEquals(domCount(dom), rgb.expected, 1e-3 * Math.max(1, rgb.expected), query);
      }
      // gray counter scaled by percentiles, on a 16-bit crop of a BBBC039 image (12-bit data):
      // the page decodes 16-bit PNGs itself, with all their bits
      const png = decode(await Deno.readFile(NUCLEI));
      const side = 128, data = new Uint16Array(side * side);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) data[y * side + x] = png.data[y * png.width + x] as number;
      }
      const crop = join(dir, "nuclei16.png");
      await Deno.writeFile(
        crop,
        encode({ width: side, height: side, data, depth: 16, channels: 1 }),
      );
      const gray = await pageFor(dir, 1, { percentiles: [1, 99.8] }, crop);
      const dom = await dumpDom(gray.page, "demo=1");
      assert(statusOf(dom).includes("16-bit"), statusOf(dom));
      assertAlmostEquals(domCount(dom), gray.expected, 1e-3 * Math.max(1, gray.expected));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("the page builder refuses a model that is not a counter", async () => {
  await useBackend("wasm");
  const dir = await Deno.makeTempDir({ prefix: "count_page_" });
  try {
    const net = fcrn({ width: 0.125 });
    await saveModel(net.model, dir);
    net.dispose();
    let message = "";
    await countPageHtml(dir).catch((e) => (message = (e as Error).message));
    assertStringIncludes(message, "not a counter");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
