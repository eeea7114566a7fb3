import { assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { CountInputError } from "./errors.ts";
import { annotationNames, listImageFiles, pairAnnotations } from "./images.ts";

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(join(dir, name, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, name), text);
  }
  return dir;
}

Deno.test("images are listed in natural order, links followed, other files ignored", async () => {
  const dir = await folder({ "img10.png": "", "img2.jpg": "", "notes.txt": "", ".hidden.png": "" });
  await Deno.symlink(join(dir, "img2.jpg"), join(dir, "img3.jpeg"));
  const list = await listImageFiles(dir);
  assertEquals(list.map((i) => i.stem), ["img2", "img3", "img10"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("empty folders, TIFF-only folders and duplicate names are refused, named", async () => {
  const empty = await folder({});
  await assertRejects(() => listImageFiles(empty), CountInputError, "holds no PNG or JPEG images");
  const tiff = await folder({ "a.tif": "" });
  await assertRejects(() => listImageFiles(tiff), CountInputError, "TIFF is not read");
  const twice = await folder({ "a.png": "", "a.jpg": "" });
  await assertRejects(() => listImageFiles(twice), CountInputError, "have the same name");
  await assertRejects(
    () => listImageFiles(join(empty, "nope")),
    CountInputError,
    "no such file or folder",
  );
  for (const d of [empty, tiff, twice]) await Deno.remove(d, { recursive: true });
});

Deno.test("annotations pair by name per format; an image without one and an orphan are named", async () => {
  assertEquals(annotationNames("IMG_1", "shanghaitech"), ["GT_IMG_1.mat"]);
  assertEquals(annotationNames("001cell", "dots").includes("001dots.png"), true);
  const dir = await folder({
    "images/a.png": "",
    "images/b.png": "",
    "points/a.json": "",
    "points/b.json": "",
    "points/c.json": "",
  });
  const images = await listImageFiles(join(dir, "images"));
  await assertRejects(
    () => pairAnnotations(images, join(dir, "points"), "json"),
    CountInputError,
    "annotation c.json",
  );
  await Deno.remove(join(dir, "points/c.json"));
  await Deno.remove(join(dir, "points/b.json"));
  await assertRejects(
    () => pairAnnotations(images, join(dir, "points"), "json"),
    CountInputError,
    "image b.png has no points: expected b.json",
  );
  // VGG cells: dot images beside the images, in one folder
  const vgg = await folder({ "001cell.png": "", "001dots.png": "" });
  const cells = await listImageFiles(vgg, "--images", (n) => /dots\.png$/.test(n));
  const items = await pairAnnotations(cells, vgg, "dots");
  assertEquals(items.map((i) => i.annotation), [join(vgg, "001dots.png")]);
  for (const d of [dir, vgg]) await Deno.remove(d, { recursive: true });
});
