// The counting page's script (runs in the browser; inlined by build.ts after
// tf.min.js and the page's configuration). It loads the counter from the
// inlined model.json and weights, and counts an image dropped on the page or
// picked with the file input: the image is scaled as the counter's training
// scaled its images, padded to the network's input multiple, predicted in
// tiles when large, and the density map (whose sum is the count) is drawn
// over it. With ?demo=1 in the address it counts the inlined demo image at
// once, and ?backend=cpu picks tfjs's backend (default: the best there is,
// WebGL on most machines). The count is written to
// <output id="count" data-count="..."> so that a headless browser's DOM dump
// shows it.
/* global tf */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("counter-config").textContent);
  const meta = config.model.userDefinedMetadata.pixelbias;
  const info = meta.counter;
  const $ = (id) => document.getElementById(id);
  const status = (text) => ($("status").textContent = text);
  let modelPromise = null;

  function base64Bytes(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function loadModel() {
    modelPromise ??= (async () => {
      const wanted = new URLSearchParams(location.search).get("backend");
      if (wanted) await tf.setBackend(wanted);
      await tf.ready();
      const manifest = config.model.weightsManifest;
      const weightSpecs = manifest.flatMap((g) => g.weights);
      const bytes = base64Bytes(config.weights);
      return await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: config.model.modelTopology,
          weightSpecs,
          weightData: bytes.buffer,
          userDefinedMetadata: config.model.userDefinedMetadata,
        }),
      );
    })();
    return modelPromise;
  }

  // numpy's percentile (linear interpolation) of sorted values
  function percentile(sorted, q) {
    const pos = (q / 100) * (sorted.length - 1);
    const lo = Math.floor(pos), hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  // Stored samples (as the file holds them: 1 or 3 channels, 8 or 16 bits) → the counter's
  // channels (luma of colour, or gray repeated), then scaled to [0, 1] as the toolkit's
  // readImageData does with the counter's normalisation.
  function samples(img) {
    const c = meta.inputChannels, n = img.width * img.height, v = img.values;
    const out = new Float32Array(n * c);
    for (let i = 0; i < n; i++) {
      if (img.channels === 1) {
        if (c === 1) out[i] = v[i];
        else out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = v[i];
      } else if (c === 3) {
        out[3 * i] = v[3 * i];
        out[3 * i + 1] = v[3 * i + 1];
        out[3 * i + 2] = v[3 * i + 2];
      } else out[i] = 0.299 * v[3 * i] + 0.587 * v[3 * i + 1] + 0.114 * v[3 * i + 2];
    }
    const norm = info.normalize ?? "depth";
    let lo = 0, hi = 2 ** img.depth - 1;
    const clip = typeof norm === "object" && "percentiles" in norm;
    if (norm === "bits") {
      let max = 0;
      for (const x of out) if (x > max) max = x;
      let bits = 1;
      while (2 ** bits - 1 < max) bits++;
      hi = 2 ** bits - 1;
    } else if (typeof norm === "object" && "bits" in norm) {
      hi = 2 ** norm.bits - 1;
    } else if (clip) {
      const sorted = Float32Array.from(out).sort();
      lo = percentile(sorted, norm.percentiles[0]);
      hi = percentile(sorted, norm.percentiles[1]);
    }
    if (!(hi > lo)) return out.fill(0);
    for (let i = 0; i < out.length; i++) {
      const x = (out[i] - lo) / (hi - lo);
      out[i] = clip ? Math.min(1, Math.max(0, x)) : x;
    }
    return out;
  }

  // 16-bit PNGs are decoded here, with all their bits: a browser's canvas keeps 8, and
  // microscopy's 12-bit data in 16-bit files would keep only 4 of them.
  async function inflate(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  function png16Header(bytes) {
    const sig = [137, 80, 78, 71, 13, 10, 26, 10];
    if (bytes.length < 33 || sig.some((b, i) => bytes[i] !== b)) return null;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const depth = bytes[24], colorType = bytes[25], interlace = bytes[28];
    if (depth !== 16 || interlace !== 0 || ![0, 2, 4, 6].includes(colorType)) return null;
    return { width: dv.getUint32(16), height: dv.getUint32(20), colorType };
  }

  async function decodePng16(bytes, head) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const parts = [];
    for (let p = 8; p + 8 <= bytes.length;) {
      const len = dv.getUint32(p);
      const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
      if (type === "IDAT") parts.push(bytes.subarray(p + 8, p + 8 + len));
      if (type === "IEND") break;
      p += 12 + len;
    }
    const raw = await inflate(new Blob(parts));
    const { width, height, colorType } = head;
    const comps = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType], bpp = 2 * comps, stride = width * bpp;
    const stored = colorType === 0 || colorType === 4 ? 1 : 3;
    const values = new Float32Array(width * height * stored);
    let prev = new Uint8Array(stride), row = new Uint8Array(stride);
    for (let y = 0; y < height; y++) {
      const at = y * (stride + 1), filter = raw[at];
      for (let i = 0; i < stride; i++) {
        const x = raw[at + 1 + i], a = i >= bpp ? row[i - bpp] : 0, b = prev[i];
        const c = i >= bpp ? prev[i - bpp] : 0;
        let v = x;
        if (filter === 1) v = x + a;
        else if (filter === 2) v = x + b;
        else if (filter === 3) v = x + ((a + b) >> 1);
        else if (filter === 4) {
          const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
        row[i] = v & 255;
      }
      for (let q = 0; q < width; q++) {
        for (let k = 0; k < stored; k++) {
          const o = q * bpp + 2 * k;
          values[(y * width + q) * stored + k] = (row[o] << 8) | row[o + 1];
        }
      }
      [prev, row] = [row, prev];
    }
    return { values, channels: stored, depth: 16, width, height };
  }

  const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b));

  // The density at the output resolution (⌈H/s⌉ × ⌈W/s⌉), in density units.
  function predict(model, data, height, width) {
    const c = meta.inputChannels, s = meta.outputStride;
    const m = (meta.inputMultiple / gcd(meta.inputMultiple, s)) * s;
    const ph = Math.ceil(height / m) * m, pw = Math.ceil(width / m) * m;
    const padded = new Float32Array(ph * pw * c);
    for (let y = 0; y < height; y++) {
      padded.set(data.subarray(y * width * c, (y + 1) * width * c), y * pw * c);
    }
    const oh = Math.ceil(height / s), ow = Math.ceil(width / s);
    const map = new Float32Array(oh * ow);
    const side = Math.max(m, Math.floor(512 / m) * m);
    const margin = Math.max(m, Math.round(32 / m) * m);
    for (let y0 = 0; y0 < ph; y0 += side) {
      for (let x0 = 0; x0 < pw; x0 += side) {
        const y1 = Math.min(ph, y0 + side), x1 = Math.min(pw, x0 + side);
        const ty0 = Math.max(0, y0 - margin), tx0 = Math.max(0, x0 - margin);
        const ty1 = Math.min(ph, y1 + margin), tx1 = Math.min(pw, x1 + margin);
        const th = ty1 - ty0, tw = tx1 - tx0;
        const tile = new Float32Array(th * tw * c);
        for (let y = 0; y < th; y++) {
          const from = ((ty0 + y) * pw + tx0) * c;
          tile.set(padded.subarray(from, from + tw * c), y * tw * c);
        }
        const out = tf.tidy(() => {
          const x = tf.tensor4d(tile, [1, th, tw, c]);
          let yv = model.predict(x);
          if (Array.isArray(yv)) yv = yv[0];
          return tf.div(yv, info.densityScale);
        });
        // dataSync, not data(): the asynchronous WebGL readback polls with timers, which a
        // headless browser's virtual time runs ahead of; one image blocks the page briefly.
        const values = out.dataSync();
        out.dispose();
        const outW = tw / s;
        for (let y = y0 / s; y < Math.min(oh, y1 / s); y++) {
          for (let x = x0 / s; x < Math.min(ow, x1 / s); x++) {
            map[y * ow + x] = values[(y - ty0 / s) * outW + (x - tx0 / s)];
          }
        }
      }
    }
    let count = 0;
    for (const v of map) count += v;
    return { map, height: oh, width: ow, count };
  }

  const STOPS = [
    [0, 0, 0, 4],
    [0.25, 87, 16, 110],
    [0.5, 188, 55, 84],
    [0.75, 249, 142, 9],
    [1, 252, 255, 164],
  ];
  function color(t) {
    const v = Math.min(1, Math.max(0, t));
    let i = 1;
    while (i < STOPS.length - 1 && STOPS[i][0] < v) i++;
    const a = STOPS[i - 1], b = STOPS[i];
    const f = b[0] > a[0] ? (v - a[0]) / (b[0] - a[0]) : 0;
    return [1, 2, 3].map((k) => Math.round(a[k] + f * (b[k] - a[k])));
  }

  // The density over the image as the counter saw it (scaled samples, shown in gray).
  function drawOverlay(data, width, height, density) {
    const c = meta.inputChannels;
    const canvas = $("overlay");
    canvas.width = width;
    canvas.height = height;
    // small images shown twice as large (pixels kept sharp by the stylesheet)
    canvas.style.width = width < 400 ? `${2 * width}px` : "";
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(width, height);
    let max = 0;
    for (const v of density.map) if (v > max) max = v;
    max ||= 1;
    const sy = density.height / height, sx = density.width / width;
    for (let y = 0; y < height; y++) {
      const my = Math.min(density.height - 1, Math.floor(y * sy));
      for (let x = 0; x < width; x++) {
        const mx = Math.min(density.width - 1, Math.floor(x * sx));
        const p = 4 * (y * width + x);
        const i = y * width + x;
        const gray = 255 *
          Math.min(
            1,
            Math.max(
              0,
              c === 1
                ? data[i]
                : 0.299 * data[3 * i] + 0.587 * data[3 * i + 1] + 0.114 * data[3 * i + 2],
            ),
          );
        const t = Math.min(1, Math.max(0, density.map[my * density.width + mx] / max));
        const alpha = 0.85 * Math.sqrt(t);
        const [r, g, b] = color(t);
        const base = 0.75 * gray;
        img.data[p] = (1 - alpha) * base + alpha * r;
        img.data[p + 1] = (1 - alpha) * base + alpha * g;
        img.data[p + 2] = (1 - alpha) * base + alpha * b;
        img.data[p + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
  }

  async function decode(blob) {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const head = png16Header(bytes);
    if (head) return await decodePng16(bytes, head);
    const url = URL.createObjectURL(blob);
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const n = canvas.width * canvas.height, values = new Float32Array(3 * n);
      for (let i = 0; i < n; i++) {
        values[3 * i] = data[4 * i];
        values[3 * i + 1] = data[4 * i + 1];
        values[3 * i + 2] = data[4 * i + 2];
      }
      return { values, channels: 3, depth: 8, width: canvas.width, height: canvas.height };
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  async function countBlob(blob, name) {
    try {
      status(`counting ${name} ...`);
      $("count").textContent = "…";
      const t0 = performance.now();
      const model = await loadModel();
      const img = await decode(blob);
      const { width, height } = img;
      const data = samples(img);
      const density = predict(model, data, height, width);
      drawOverlay(data, width, height, density);
      const out = $("count");
      out.dataset.count = String(density.count);
      out.textContent = density.count < 100
        ? density.count.toFixed(1)
        : String(Math.round(density.count));
      $("name").textContent = name;
      status(
        `${name}: ${width}×${height} pixels, ${img.depth}-bit, counted in ${
          Math.round(performance.now() - t0)
        } ms (tfjs backend ${tf.getBackend()})`,
      );
      document.body.dataset.state = "counted";
    } catch (e) {
      status(`cannot count ${name}: ${e && e.message ? e.message : e}`);
      document.body.dataset.state = "error";
    }
  }

  $("file").addEventListener("change", (e) => {
    const f = e.target.files && e.target.files[0];
    if (f) countBlob(f, f.name);
  });
  const zone = $("drop");
  document.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  document.addEventListener("dragleave", () => zone.classList.remove("over"));
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    const f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (f) countBlob(f, f.name);
  });
  const demoBlob = () => new Blob([base64Bytes(config.demo.base64)], { type: config.demo.type });
  if (config.demo) {
    $("demo").hidden = false;
    $("demo").addEventListener("click", () => countBlob(demoBlob(), config.demo.name));
  }
  if (new URLSearchParams(location.search).get("demo") === "1") {
    if (config.demo) countBlob(demoBlob(), config.demo.name);
    else status("this page has no demo image (build it with --demo IMAGE)");
  }
})();
