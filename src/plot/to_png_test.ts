import * as tf from "@tensorflow/tfjs";
import { Image } from "imagescript";
import { assert, assertEquals, assertGreater, assertRejects, assertThrows } from "@std/assert";
import { imageGridFigure } from "./image_grid.ts";
import { lineFigure } from "./line.ts";
import { findChromium, toPng } from "./to_png.ts";

await tf.setBackend("cpu");

const figure = lineFigure({
  series: [{ name: "red", x: [0, 1, 2], y: [0, 2, 1], color: "rgb(255,0,0)" }],
  title: "render test",
});

/** Runs `fn` with environment variables set (undefined: removed), then restores them. */
async function withEnv(vars: Record<string, string | undefined>, fn: () => Promise<void> | void) {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, Deno.env.get(k)]));
  const apply = (v: Record<string, string | undefined>) =>
    Object.entries(v).forEach((
      [k, x],
    ) => (x === undefined ? Deno.env.delete(k) : Deno.env.set(k, x)));
  apply(vars);
  try {
    await fn();
  } finally {
    apply(saved);
  }
}

Deno.test("toPng: a chromium path that does not exist is named", async () => {
  await assertRejects(
    () => toPng(figure, { chromium: "/nonexistent/chromium" }),
    Error,
    `Chromium binary "/nonexistent/chromium" (from the chromium option) does not exist`,
  );
  await withEnv({ PIXELBIAS_CHROMIUM: "/nonexistent/chrome" }, () => {
    assertThrows(() => findChromium(), Error, "(from $PIXELBIAS_CHROMIUM) does not exist");
  });
});

Deno.test("toPng: without any Chromium the error says how to install one", async () => {
  const emptyDir = await Deno.makeTempDir();
  await withEnv({ PATH: emptyDir, PIXELBIAS_CHROMIUM: undefined }, async () => {
    assertEquals(findChromium(), undefined);
    await assertRejects(() => toPng(figure), Error, "apt-get install chromium");
  });
  await Deno.remove(emptyDir);
});

Deno.test("toPng: bad sizes are named before Chromium starts", async () => {
  await assertRejects(
    () => toPng(figure, { width: 3, chromium: "/x" }),
    RangeError,
    "width must be >= 16",
  );
  await assertRejects(
    () => toPng({ data: [] } as never),
    TypeError,
    "figure must be a plotly figure",
  );
});

const chromium = findChromium();
if (!chromium) {
  console.log(
    "toPng render tests skipped: no Chromium on PATH (apt-get install chromium to run them)",
  );
}

Deno.test({
  name: "toPng: renders a line figure offline at the requested size and scale",
  ignore: !chromium,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const png = await toPng(figure, { width: 320, height: 200, scale: 2, path: `${dir}/line.png` });
    assertEquals(await Deno.readFile(`${dir}/line.png`), png);
    const image = await Image.decode(png);
    assertEquals([image.width, image.height], [640, 400]);
    // The series is drawn in pure red by plotly.js: count reddish pixels.
    let red = 0;
    for (let i = 0; i < image.bitmap.length; i += 4) {
      const [r, g, b] = [image.bitmap[i], image.bitmap[i + 1], image.bitmap[i + 2]];
      if (r > 200 && g < 80 && b < 80) red++;
    }
    assertGreater(red, 500, "the red line was drawn");
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "toPng: image grids show their pixels",
  ignore: !chromium,
  fn: async () => {
    const gray = tf.fill([32, 32, 3], 0.5) as tf.Tensor3D;
    const blue = tf.tensor3d([0, 0, 1], [1, 1, 3]).tile([32, 32, 1]) as tf.Tensor3D;
    const grid = imageGridFigure([{ image: gray, title: "gray" }, { image: blue, title: "blue" }], {
      cellWidth: 120,
    });
    tf.dispose([gray, blue]);
    const image = await Image.decode(await toPng(grid));
    let grayCount = 0, blueCount = 0;
    for (let i = 0; i < image.bitmap.length; i += 4) {
      const [r, g, b] = [image.bitmap[i], image.bitmap[i + 1], image.bitmap[i + 2]];
      if (Math.abs(r - 128) <= 2 && Math.abs(g - 128) <= 2 && Math.abs(b - 128) <= 2) grayCount++;
      if (r < 5 && g < 5 && b > 250) blueCount++;
    }
    // Each image fills about 110 x 110 CSS pixels.
    assert(grayCount > 8000 && blueCount > 8000, `gray ${grayCount}, blue ${blueCount}`);
  },
});
