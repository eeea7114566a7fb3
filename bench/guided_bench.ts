/**
 * The guided filter beside OpenCV's, in one run: `deno bench -A
 * bench/guided_bench.ts` (part of `deno task bench`).
 *
 * The image is a 1000 × 1000 crop of data/aloe_left.jpg (1 megapixel,
 * colour), the target; the guide is its gray version (`toGray`) or itself;
 * ε = 0.01, r = 2, 8 and 32. Before the benches, `bench/peers/opencv_guided.py`
 * times `cv2.ximgproc.guidedFilter` on the same values (written to a
 * temporary file), with OpenCV's default threads (the cores) and with one,
 * and computes a float64 reference of He et al.'s filter (colour guide, r =
 * 2, ε = 1e-3, a 256 × 256 crop) for the accuracy check. When the benches
 * end, a table gives the medians and the ratios ours / OpenCV, and the
 * accuracy lines give the largest error against the reference: ours on each
 * backend, ours through tfjs ops (what WebGPU and gradients use), and
 * OpenCV's (interior pixels only: it reflects at the border).
 *
 * The peer runs with `PIXELBIAS_PYTHON`, else `python3`, else
 * `/usr/bin/python3` (Debian's, where `apt-get install python3-opencv` puts
 * cv2); without cv2.ximgproc it is skipped with a message and the table has
 * our times alone. GUIDED_BENCH_BACKENDS (default `wasm`) chooses the
 * backends, e.g. `wasm,cpu,webgpu`. On wasm and cpu the filter is plain
 * loops over the tensors' memory, single-threaded (`src/guided/_kernels.ts`),
 * so the two backends time alike; on WebGPU it is tfjs ops and the output is
 * read back to time the GPU.
 *
 * Five runs on the 2 shared cores (OpenCV 4.6, its default 2 threads; wasm;
 * load averages 8–12 in the first three, 5–6 in the last two): ratio ours /
 * OpenCV per run and the median; ms of the last run (load 5.0).
 *
 * | guide  | r  | ours / OpenCV, 5 runs         | median | last run: ours / OpenCV ms |
 * | ------ | -- | ----------------------------- | ------ | -------------------------- |
 * | gray   | 2  | 0.32 0.51 0.51 0.41 0.40      | 0.41×  | 23 / 58                    |
 * | gray   | 8  | 0.48 0.48 0.30 0.50 0.47      | 0.48×  | 24 / 51                    |
 * | gray   | 32 | 0.55 0.53 0.38 0.50 0.46      | 0.50×  | 24 / 52                    |
 * | colour | 2  | 0.53 0.51 0.32 0.41 0.40      | 0.41×  | 64 / 161                   |
 * | colour | 8  | 0.45 0.56 0.32 0.41 0.41      | 0.41×  | 61 / 148                   |
 * | colour | 32 | 0.36 0.62 0.42 0.31 0.42      | 0.42×  | 64 / 152                   |
 *
 * Against OpenCV on one thread the ratios were alike (0.31–0.73×): on a busy
 * machine its second thread bought little. The tfjs ops that ran on wasm
 * before (WebGPU's and the gradients' path now) took 356 ms (gray guide) and
 * 931 ms (colour) at r = 8 in one run at load 5, against 43 and 136 ms for
 * the loops in that run.
 * Accuracy in every run: ours 5.1e-8, ours through tfjs ops 1.9e-6,
 * OpenCV 2.4e-1 (61,378 of 61,504 interior pixels over 1e-3; at ε = 0.01
 * instead of 1e-3 OpenCV agrees to 2.5e-7).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, useBackend } from "../src/core/backend.ts";
import { readImage, toGray } from "../src/io/mod.ts";
import { guidedFilter } from "../src/guided/mod.ts";
import { setHostKernels } from "../src/guided/_host.ts";

const backends = (Deno.env.get("GUIDED_BENCH_BACKENDS") ?? "wasm").split(",") as BackendName[];
const RADII = [2, 8, 32] as const;
const GUIDES = ["gray", "colour"] as const;
const EPS = 0.01;
const REPEATS = 7;
const SIZE = 1000;
/** The accuracy check: colour guide and target, r = 2, ε = 1e-3, top-left square. */
const CHECK = { radius: 2, eps: 1e-3, size: 256 };

interface PeerTimes {
  opencv: string;
  defaultThreads: number;
  results: Record<string, { median: number; min: number }>;
  reference?: {
    size: number;
    radius: number;
    eps: number;
    interiorMargin: number;
    opencvMaxError: number;
    "opencvPixelsOver1e-3": number;
    interiorPixels: number;
    b64: string;
  };
}

const rgbFull = await readImage(new URL("../data/aloe_left.jpg", import.meta.url));
const rgbData = await tf.tidy(() => rgbFull.slice([0, 0, 0], [SIZE, SIZE, 3]))
  .data() as Float32Array;
rgbFull.dispose();

/** Runs the OpenCV peer; `null` (after saying why) when it cannot run. */
async function runPeer(): Promise<PeerTimes | null> {
  const override = Deno.env.get("PIXELBIAS_PYTHON");
  const pythons = override ? [override] : ["python3", "/usr/bin/python3"];
  const script = new URL("./peers/opencv_guided.py", import.meta.url).pathname;
  const image = await Deno.makeTempFile({ suffix: ".f32" });
  let why = "";
  try {
    await Deno.writeFile(
      image,
      new Uint8Array(rgbData.buffer, rgbData.byteOffset, rgbData.byteLength),
    );
    for (const python of pythons) {
      let out: Deno.CommandOutput;
      try {
        out = await new Deno.Command(python, {
          args: [
            script,
            ...["--image", image, "--shape", `${SIZE},${SIZE},3`, "--radii", RADII.join(",")],
            ...["--eps", String(EPS), "--threads", "0,1", "--repeats", String(REPEATS)],
            ...["--reference", `${CHECK.radius},${CHECK.eps}`],
            ...["--reference-size", String(CHECK.size)],
          ],
          stdout: "piped",
          stderr: "piped",
        }).output();
      } catch (e) {
        why = `${python} not found (${(e as Error).message})`;
        continue;
      }
      if (out.success) return JSON.parse(new TextDecoder().decode(out.stdout)) as PeerTimes;
      const err = new TextDecoder().decode(out.stderr).trim();
      why = `${python}: ${err.split("\n").at(-1) || `exit ${out.code}`}`;
    }
  } finally {
    await Deno.remove(image).catch(() => {});
  }
  console.log(`OpenCV peer skipped: ${why}`);
  return null;
}

const peer = await runPeer();
const loadAtStart = loadAverage();

// Backends are started here, once: inputs live on the backend they were made on,
// and each benchmark only switches to its backend.
const inputs = new Map<BackendName, { colour: tf.Tensor3D; gray: tf.Tensor3D }>();
const accuracy: string[] = [];
const reference = peer?.reference
  ? new Float64Array(Uint8Array.from(atob(peer.reference.b64), (c) => c.charCodeAt(0)).buffer)
  : null;
for (const backend of backends) {
  const info = await useBackend(backend);
  const colour = tf.tensor3d(rgbData, [SIZE, SIZE, 3]);
  inputs.set(backend, { colour, gray: toGray(colour) });
  if (reference !== null) {
    const crop = tf.tidy(() => colour.slice([0, 0, 0], [CHECK.size, CHECK.size, 3]));
    const error = (host: boolean) => {
      const was = setHostKernels(host);
      const q = guidedFilter(crop, crop, { radius: CHECK.radius, eps: CHECK.eps });
      setHostKernels(was);
      const v = q.dataSync();
      q.dispose();
      let worst = 0;
      for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(v[i]! - reference[i]!));
      return worst;
    };
    const engine = info.name === "wasm" && info.native.active ? "wasm + oneDNN" : info.name;
    accuracy.push(
      `ours [${engine}]: ${error(true).toExponential(1)}; ` +
        `ours through tfjs ops (WebGPU, gradients): ${error(false).toExponential(1)}`,
    );
    crop.dispose();
  }
}

const ours = new Map<string, number[]>();
for (const backend of backends) {
  for (const guide of GUIDES) {
    for (const radius of RADII) {
      const key = `${backend}/${guide}/${radius}`;
      Deno.bench({
        name: `guidedFilter ${guide} guide, r=${radius}, 1 Mpx colour target [${backend}]`,
        group: `${guide}-${backend}`,
        baseline: radius === 2,
        n: REPEATS,
        warmup: 2,
        async fn() {
          if (tf.getBackend() !== backend) await tf.setBackend(backend);
          const x = inputs.get(backend)!;
          const t0 = performance.now();
          const q = guidedFilter(x[guide], x.colour, { radius, eps: EPS });
          // wasm and cpu compute synchronously; WebGPU is timed up to the read-back
          if (backend === "webgpu") await q.data();
          const times = ours.get(key) ?? [];
          times.push(performance.now() - t0);
          ours.set(key, times);
          q.dispose();
        },
      });
    }
  }
}

function median(times: number[]): number {
  const s = [...times].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

globalThis.addEventListener("unload", () => {
  const threads = peer?.defaultThreads ?? "?";
  const fmt = (v?: number) => (v === undefined ? "–" : v.toFixed(1));
  const ratio = (a?: number, b?: number) =>
    a !== undefined && b !== undefined ? `${(a / b).toFixed(2)}×` : "–";
  const lines = [
    "",
    `guidedFilter vs OpenCV ${peer?.opencv ?? "(skipped)"} cv2.ximgproc.guidedFilter, ` +
    `1 Mpx colour target, eps ${EPS}: median ms, ratio ours/OpenCV ` +
    `(load average ${loadAtStart} at start, ${loadAverage()} at end)`,
    `| backend | guide | r | ours | OpenCV (${threads} threads) | ours / OpenCV | ` +
    `OpenCV (1 thread) | ours / OpenCV 1 thread |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- |`,
  ];
  for (const backend of backends) {
    for (const guide of GUIDES) {
      for (const radius of RADII) {
        const times = ours.get(`${backend}/${guide}/${radius}`);
        // the first two calls of each case are Deno's warm-up
        const mine = times && times.length > 2 ? median(times.slice(2)) : undefined;
        const all = peer?.results[`${guide}/${radius}/0`]?.median;
        const one = peer?.results[`${guide}/${radius}/1`]?.median;
        lines.push(
          `| ${backend} | ${guide} | ${radius} | ${fmt(mine)} | ${fmt(all)} | ${
            ratio(mine, all)
          } | ` +
            `${fmt(one)} | ${ratio(mine, one)} |`,
        );
      }
    }
  }
  const ref = peer?.reference;
  if (ref) {
    lines.push(
      `accuracy against a float64 reference of He et al. (colour guide and target, ` +
        `r = ${ref.radius}, eps = ${ref.eps}, ${ref.size}×${ref.size} crop), max abs error:`,
      ...accuracy.map((a) => `  ${a}`),
      `  OpenCV: ${ref.opencvMaxError.toExponential(1)} (${
        ref["opencvPixelsOver1e-3"]
      } of ${ref.interiorPixels} interior pixels over 1e-3)`,
    );
  }
  console.log(lines.join("\n"));
});
