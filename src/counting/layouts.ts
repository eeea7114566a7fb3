/**
 * Where each counting dataset keeps its images, annotations, masks and
 * split lists: `findDatasetFiles(dir, format)` pairs every image with its
 * annotation in the dataset's own folder layout.
 *
 * | format | layout (under `dir`) | sample names | splits |
 * | --- | --- | --- | --- |
 * | `"json"` | `images/<stem>.{png,jpg,jpeg}` + `points/<stem>.json` (+ `split.json`) | `<stem>` | every array of names in `split.json` (e.g. `all`; `train`, `val`, `test`) |
 * | `"dots"` | `images/<stem>.*` + `annotations/` or `dots/<stem>.*` (ADI as distributed with Count-ception), or one folder of `<p>cell.png` + `<p>dots.png` (VGG cells) / `<p>.png` + `<p>dots.png` / `<p>_dots.png` | the image's stem | none |
 * | `"shanghaitech"` | a part (`part_A` or `part_B`): `{train,test}_data/images/IMG_N.jpg` + `{train,test}_data/ground-truth/GT_IMG_N.mat` (or `ground_truth`) | `train/IMG_N`, `test/IMG_N` | `train`, `test` |
 * | `"ucf-qnrf"` | `{Train,Test}/img_NNNN.jpg` + `img_NNNN_ann.mat` beside it | `train/img_NNNN`, `test/...` | `train`, `test` |
 * | `"jhu"` | `{train,val,test}/images/NNNN.jpg` + `{train,val,test}/gt/NNNN.txt` | `train/NNNN`, ... | `train`, `val`, `test` |
 * | `"nwpu"` | `images/NNNN.jpg` + `jsons/NNNN.json` (+ `train.txt`, `val.txt`, `test.txt`) | `NNNN` | `train`, `val`, `test` |
 * | `"trancos"` | `images/image-X-XXXXXX.jpg` + `...dots.png` (or `....txt`) + `...mask.mat` (or `mask.png`), `image_sets/{training,validation,trainval,test}.txt` | `image-X-XXXXXX` | `train`, `val`, `trainval`, `test` |
 *
 * An image without its annotation, or an annotation without its image, is
 * an {@linkcode AnnotationError} naming the file, or, with
 * `missing: "skip"`, left out and listed in `skipped`. NWPU-Crowd's test
 * images, whose annotations are withheld, are left out (and listed) without
 * error, and so are the names of its test split. Names of a split list that
 * are not in the dataset are errors (with `"skip"`: left out of the split).
 *
 * @module
 */
import { AnnotationError, fileName } from "./annotation_error.ts";
import type { AnnotationFormat } from "./read_points.ts";

/** One image of a dataset and the files that annotate it. */
export interface DatasetEntry {
  /** Unique name in the dataset (see the module doc). */
  name: string;
  /** The image file. */
  image: string;
  /** The annotation file. */
  annotation: string;
  /** How to read `annotation`. */
  format: AnnotationFormat;
  /** The region-of-interest mask, where the dataset has one (TRANCOS). */
  roi?: string;
}

/** What {@linkcode findDatasetFiles} finds. */
export interface DatasetFiles {
  /** The image/annotation pairs, in natural order of their names. */
  entries: DatasetEntry[];
  /** Named splits: lists of entry names. */
  splits: Record<string, string[]>;
  /** Files left out, each with the reason. */
  skipped: string[];
}

/** Options of {@linkcode findDatasetFiles}. */
export interface FindDatasetOptions {
  /** An image without annotation or an annotation without image: `"error"` (default) or `"skip"`. */
  missing?: "error" | "skip";
}

/** Error for a dataset folder that does not have the expected layout. */
export class DatasetLayoutError extends Error {
  /**
   * Creates the error; the message reads `cannot read dataset <dir>: <reason>`.
   *
   * @param dir The dataset folder.
   * @param reason What is wrong.
   */
  constructor(dir: string, reason: string) {
    super(`cannot read dataset ${JSON.stringify(dir)}: ${reason}`);
    this.name = "DatasetLayoutError";
  }
}

const IMAGE = /\.(png|jpe?g)$/i;

/**
 * Finds the images, annotations, masks and splits of a dataset folder.
 *
 * @param dir The dataset folder (see the module doc for each layout).
 * @param format The layout.
 * @param options What to do with unpaired files.
 * @returns The entries, the named splits and what was skipped.
 * @throws {DatasetLayoutError} When a folder of the layout is missing.
 * @throws {AnnotationError} For an unpaired image or annotation (unless skipped).
 */
export async function findDatasetFiles(
  dir: string | URL,
  format: AnnotationFormat,
  options: FindDatasetOptions = {},
): Promise<DatasetFiles> {
  const root = toPath(dir);
  const ctx = new Finder(root, options.missing ?? "error");
  switch (format) {
    case "json":
      await ctx.paired("", "images", IMAGE, "points", /\.json$/i, (s) => s, format);
      await ctx.splitJson();
      break;
    case "dots":
      await ctx.dots();
      break;
    case "shanghaitech":
      await ctx.shanghaiTech();
      break;
    case "ucf-qnrf":
      for (const [folder, split] of [["Train", "train"], ["Test", "test"]]) {
        if ((await ctx.optionalDir(folder, ["Train", "Test"])) === null) continue;
        await ctx.pairedIn(
          `${split}/`,
          folder,
          folder,
          (stem) => {
            const m = /^(.*)_ann$/.exec(stem);
            return m ? m[1] : null;
          },
          /\.mat$/i,
          format,
          split,
        );
      }
      break;
    case "jhu":
      for (const split of ["train", "val", "test"]) {
        if ((await ctx.optionalDir(split, ["train", "val", "test"])) === null) continue;
        await ctx.paired(
          `${split}/`,
          `${split}/images`,
          IMAGE,
          `${split}/gt`,
          /\.txt$/i,
          (s) => s,
          format,
          split,
        );
      }
      break;
    case "nwpu":
      await ctx.nwpu();
      break;
    case "trancos":
      await ctx.trancos();
      break;
    default:
      throw new RangeError(`unknown dataset format ${JSON.stringify(format)}`);
  }
  return ctx.result();
}

/** Natural order: digit runs compare as numbers (`IMG_2` before `IMG_10`). */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [], pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i], y = pb[i];
    const nx = /^\d/.test(x), ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      if (x.length !== y.length) return x.length - y.length;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

function toPath(dir: string | URL): string {
  const path = dir instanceof URL ? decodeURIComponent(dir.pathname) : dir;
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

function stemOf(file: string): string {
  const dot = file.lastIndexOf(".");
  return dot <= 0 ? file : file.slice(0, dot);
}

class Finder {
  entries: DatasetEntry[] = [];
  splits: Record<string, string[]> = {};
  skipped: string[] = [];
  constructor(readonly root: string, readonly missing: "error" | "skip") {}

  path(rel: string): string {
    return rel === "" ? this.root : `${this.root}/${rel}`;
  }

  join(dir: string, file: string): string {
    return this.path(dir === "" ? file : `${dir}/${file}`);
  }

  async list(rel: string, expected: string): Promise<string[]> {
    const path = this.path(rel);
    try {
      const names: string[] = [];
      for await (const e of Deno.readDir(path)) if (e.isFile) names.push(e.name);
      return names.sort(naturalCompare);
    } catch (cause) {
      const why = cause instanceof Deno.errors.NotFound ? "no such folder" : String(cause);
      throw new DatasetLayoutError(
        this.root,
        `${JSON.stringify(path)}: ${why} (expected ${expected})`,
      );
    }
  }

  async exists(rel: string): Promise<boolean> {
    try {
      await Deno.stat(this.path(rel));
      return true;
    } catch {
      return false;
    }
  }

  async optionalDir(rel: string, all: string[]): Promise<string | null> {
    if (await this.exists(rel)) return rel;
    const any = await Promise.all(all.map((a) => this.exists(a)));
    if (!any.some(Boolean)) {
      throw new DatasetLayoutError(
        this.root,
        `none of the folders ${all.map((a) => `"${a}"`).join(", ")} exists`,
      );
    }
    return null;
  }

  unpaired(file: string, reason: string) {
    if (this.missing === "skip") this.skipped.push(`${file}: ${reason}`);
    else throw new AnnotationError(fileName(file), reason);
  }

  /** Pairs images of one folder with annotations of another by a key. */
  async paired(
    prefix: string,
    imageDir: string,
    imagePattern: RegExp,
    annDir: string,
    annPattern: RegExp,
    annKey: (stem: string) => string | null,
    format: AnnotationFormat,
    split?: string,
  ) {
    const images = (await this.list(imageDir, "the images")).filter((f) => imagePattern.test(f));
    const anns = (await this.list(annDir, "the annotations")).filter((f) => annPattern.test(f));
    this.pair(prefix, imageDir, images, annDir, anns, annKey, format, split);
  }

  async pairedIn(
    prefix: string,
    imageDir: string,
    annDir: string,
    annKey: (stem: string) => string | null,
    annPattern: RegExp,
    format: AnnotationFormat,
    split: string,
  ) {
    const files = await this.list(imageDir, "the images and annotations");
    const images = files.filter((f) => IMAGE.test(f));
    const anns = files.filter((f) => annPattern.test(f));
    this.pair(prefix, imageDir, images, annDir, anns, annKey, format, split);
  }

  pair(
    prefix: string,
    imageDir: string,
    images: string[],
    annDir: string,
    anns: string[],
    annKey: (stem: string) => string | null,
    format: AnnotationFormat,
    split?: string,
    withheld: Set<string> = new Set(),
  ) {
    const byKey = new Map<string, string>();
    for (const a of anns) {
      const key = annKey(stemOf(a));
      if (key !== null) byKey.set(key, a);
    }
    const seen = new Set<string>();
    const names: string[] = [];
    for (const image of images) {
      const key = stemOf(image);
      if (seen.has(key)) {
        throw new DatasetLayoutError(this.root, `two images named "${key}" in ${imageDir}`);
      }
      seen.add(key);
      const ann = byKey.get(key);
      const imagePath = this.join(imageDir, image);
      if (ann === undefined) {
        if (withheld.has(key)) {
          this.skipped.push(`${imagePath}: annotation withheld by the dataset (test split)`);
          continue;
        }
        this.unpaired(
          imagePath,
          `the image has no annotation (expected one in ${JSON.stringify(this.path(annDir))})`,
        );
        continue;
      }
      byKey.delete(key);
      const name = prefix + key;
      names.push(name);
      this.entries.push({ name, image: imagePath, annotation: this.join(annDir, ann), format });
    }
    for (const ann of byKey.values()) {
      this.unpaired(
        this.join(annDir, ann),
        `no image for this annotation (expected one in ${JSON.stringify(this.path(imageDir))})`,
      );
    }
    if (split) (this.splits[split] ??= []).push(...names);
  }

  async splitJson() {
    let text: string;
    try {
      text = await Deno.readTextFile(this.path("split.json"));
    } catch {
      return; // no split file
    }
    const file = this.path("split.json");
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (cause) {
      throw new AnnotationError(fileName(file), `not valid JSON (${(cause as Error).message})`);
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
      throw new AnnotationError(fileName(file), "expected an object of named lists");
    }
    for (const [key, value] of Object.entries(doc)) {
      if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
        this.listSplit(key, value, file);
      }
    }
  }

  listSplit(split: string, names: string[], file: string) {
    const known = new Set(this.entries.map((e) => e.name));
    const kept: string[] = [];
    for (const name of names) {
      if (known.has(name)) kept.push(name);
      else if (this.missing === "skip") {
        this.skipped.push(`${file}: "${name}" of split "${split}" is not in the dataset`);
      } else {
        throw new AnnotationError(
          fileName(file),
          `split "${split}" names "${name}", which is not an annotated image of the dataset`,
        );
      }
    }
    this.splits[split] = kept;
  }

  async dots() {
    for (const annDir of ["annotations", "dots"]) {
      if ((await this.exists("images")) && (await this.exists(annDir))) {
        await this.paired("", "images", IMAGE, annDir, IMAGE, (s) => s, "dots");
        return;
      }
    }
    // One folder: <p>dots.png beside <p>cell.png, <p>.png or <p>_dots / <p>-dots.
    const files = (await this.list("", "dot images (<name>dots.png) beside the images")).filter((
      f,
    ) => IMAGE.test(f));
    const isDots = (f: string) => /dots$/i.test(stemOf(f));
    const dotFiles = files.filter(isDots);
    if (dotFiles.length === 0) {
      throw new DatasetLayoutError(
        this.root,
        `no dot images: expected images/ + annotations/ (or dots/), or files named <name>dots.png`,
      );
    }
    const images = files.filter((f) => !isDots(f));
    const imageStems = new Set(images.map(stemOf));
    const keyOf = (dotStem: string): string | null => {
      const p = dotStem.replace(/dots$/i, "");
      for (const candidate of [`${p}cell`, p, p.replace(/[_\-. ]+$/, "")]) {
        if (imageStems.has(candidate)) return candidate;
      }
      return p.replace(/[_\-. ]+$/, "") || p; // unmatched: reported by pair()
    };
    this.pair("", "", images, "", dotFiles, keyOf, "dots");
  }

  async shanghaiTech() {
    if ((await this.exists("part_A")) || (await this.exists("part_B"))) {
      throw new DatasetLayoutError(
        this.root,
        `this folder holds ShanghaiTech's parts; pass ${JSON.stringify(this.path("part_A"))} or ` +
          `${JSON.stringify(this.path("part_B"))}`,
      );
    }
    for (const split of ["train", "test"]) {
      const base = `${split}_data`;
      if ((await this.optionalDir(base, ["train_data", "test_data"])) === null) continue;
      const gt = (await this.exists(`${base}/ground-truth`))
        ? `${base}/ground-truth`
        : `${base}/ground_truth`;
      await this.paired(
        `${split}/`,
        `${base}/images`,
        IMAGE,
        gt,
        /\.mat$/i,
        (stem) => {
          const m = /^GT_(.*)$/.exec(stem);
          return m ? m[1] : null;
        },
        "shanghaitech",
        split,
      );
    }
  }

  async nwpu() {
    const lists: Record<string, string[]> = {};
    for (const split of ["train", "val", "test"]) {
      try {
        const text = await Deno.readTextFile(this.path(`${split}.txt`));
        lists[split] = text.split(/\r?\n/).map((l) => l.trim().split(/\s+/)[0]).filter(Boolean)
          .map((id) => stemOf(id));
      } catch {
        // split lists are optional
      }
    }
    const images = (await this.list("images", "the images (images/NNNN.jpg)")).filter((f) =>
      IMAGE.test(f)
    );
    const anns = (await this.list("jsons", "the annotations (jsons/NNNN.json)")).filter((f) =>
      /\.json$/i.test(f)
    );
    this.pair(
      "",
      "images",
      images,
      "jsons",
      anns,
      (s) => s,
      "nwpu",
      undefined,
      new Set(lists.test ?? []),
    );
    const known = new Set(this.entries.map((e) => e.name));
    for (const [split, names] of Object.entries(lists)) {
      if (split === "test" && !names.some((n) => known.has(n))) {
        this.splits.test = [];
        continue;
      }
      this.listSplit(split, names, this.path(`${split}.txt`));
    }
  }

  async trancos() {
    const files = await this.list(
      "images",
      "images/image-X-XXXXXX.jpg with ...dots.png and ...mask.mat",
    );
    const set = new Set(files);
    const images = files.filter((f) => IMAGE.test(f) && !/(dots|mask)\.[a-z]+$/i.test(f));
    for (const image of images) {
      const stem = stemOf(image);
      const dots = `${stem}dots.png`, txt = `${stem}.txt`;
      const ann = set.has(dots) ? dots : set.has(txt) ? txt : undefined;
      const imagePath = this.path(`images/${image}`);
      if (ann === undefined) {
        this.unpaired(
          imagePath,
          `the image has no annotation (expected ${dots} or ${txt} beside it)`,
        );
        continue;
      }
      const entry: DatasetEntry = {
        name: stem,
        image: imagePath,
        annotation: this.path(`images/${ann}`),
        format: "trancos",
      };
      for (const mask of [`${stem}mask.mat`, `${stem}mask.png`]) {
        if (set.has(mask)) {
          entry.roi = this.path(`images/${mask}`);
          break;
        }
      }
      this.entries.push(entry);
    }
    const imageStems = new Set(images.map(stemOf));
    for (const f of files) {
      const m = /^(.*)dots\.png$/i.exec(f);
      if (m && !imageStems.has(m[1])) {
        this.unpaired(
          this.path(`images/${f}`),
          `no image for this annotation (expected ${m[1]}.jpg)`,
        );
      }
    }
    const names: Record<string, string> = {
      training: "train",
      validation: "val",
      trainval: "trainval",
      test: "test",
    };
    for (const [file, split] of Object.entries(names)) {
      const path = this.path(`image_sets/${file}.txt`);
      let text: string;
      try {
        text = await Deno.readTextFile(path);
      } catch {
        continue;
      }
      const list = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).map(stemOf);
      this.listSplit(split, list, path);
    }
  }

  result(): DatasetFiles {
    this.entries.sort((a, b) => naturalCompare(a.name, b.name));
    for (const list of Object.values(this.splits)) list.sort(naturalCompare);
    return { entries: this.entries, splits: this.splits, skipped: this.skipped };
  }
}
