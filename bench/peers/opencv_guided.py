#!/usr/bin/env python3
"""OpenCV peer of bench/guided_bench.ts: cv2.ximgproc.guidedFilter on the same image.

The bench writes the image as raw little-endian float32, HWC, values in
[0, 1] (``--image``, ``--shape H,W,3``); both sides then filter the same
values. Cases: the colour image as the target, filtered with its gray
version (``cv2.cvtColor(..., COLOR_RGB2GRAY)``) or itself as the guide, at
each radius of ``--radii`` and ``--eps``, for each thread count of
``--threads`` (``cv2.setNumThreads``; 0 = OpenCV's default). Each case: 2
warm-up calls, then ``--repeats`` timed calls; median and minimum in ms.

With ``--reference``, also the accuracy check of the issue: a float64 numpy
implementation of He et al.'s guided filter (TPAMI 2013, eqs. 5-6 and the
colour form eqs. 14-15 by numpy.linalg.inv per pixel; windows cut to the
image and divided by the pixels inside, as the toolkit) on the top-left
``--reference-size`` square, colour guide and target, radius and eps from
``--reference``; OpenCV's error against it on the interior pixels (at least
2r from the border: OpenCV reflects at the border instead of cutting), and
the reference itself (float64, base64) for the bench to score its own
output.

Prints one JSON object on stdout. Exits with status 3 and one line on
stderr when cv2.ximgproc is not available (Debian: apt-get install
python3-opencv; pip: opencv-contrib-python).

    python3 bench/peers/opencv_guided.py --image img.f32 --shape 1000,1000,3 \\
        --radii 2,8,32 --eps 0.01 --threads 0,1 --repeats 5 --reference 2,0.001
"""

import argparse
import base64
import json
import sys
import time

try:
    import numpy as np
    import cv2

    cv2.ximgproc  # noqa: B018 -- contrib module, absent from plain opencv-python
except (ImportError, AttributeError):  # the bench skips the peer with this line
    print(
        "cv2.ximgproc is not available (apt-get install python3-opencv, "
        "or pip install opencv-contrib-python)",
        file=sys.stderr,
    )
    sys.exit(3)


def box(x, r):
    """Mean over the (2r+1)^2 window cut to the image, float64, per channel."""
    h, w = x.shape[:2]

    def along(a, axis, n):
        c = np.cumsum(a, axis=axis)
        zero = np.zeros_like(np.take(c, [0], axis=axis))
        c = np.concatenate([zero, c], axis=axis)
        hi = np.minimum(np.arange(n) + r, n - 1) + 1
        lo = np.maximum(np.arange(n) - r, 0)
        return np.take(c, hi, axis=axis) - np.take(c, lo, axis=axis)

    s = along(along(x, 0, h), 1, w)
    counts = along(along(np.ones((h, w) + x.shape[2:]), 0, h), 1, w)
    return s / counts


def reference_guided(guide, src, r, eps):
    """He et al.'s guided filter in float64 (colour guide: 3x3 inverse per pixel)."""
    g = guide.astype(np.float64)
    p = src.astype(np.float64)
    h, w, cg = g.shape
    mg = box(g, r)
    mp = box(p, r)
    if cg == 1:
        var = box(g * g, r) - mg * mg
        a = (box(g * p, r) - mg * mp) / (var + eps)
        b = mp - a * mg
        return box(a, r) * g + box(b, r)
    sigma = np.empty((h, w, 3, 3))
    for i in range(3):
        for j in range(3):
            sigma[..., i, j] = box(g[..., i] * g[..., j], r) - mg[..., i] * mg[..., j]
    inv = np.linalg.inv(sigma + eps * np.eye(3))
    out = np.empty_like(p)
    for c in range(p.shape[2]):
        cov = np.stack([box(g[..., k] * p[..., c], r) - mg[..., k] * mp[..., c] for k in range(3)], -1)
        a = np.einsum("hwij,hwj->hwi", inv, cov)
        b = mp[..., c] - np.sum(a * mg, -1)
        out[..., c] = np.sum(box(a, r) * g, -1) + box(b, r)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", required=True)
    ap.add_argument("--shape", required=True)
    ap.add_argument("--radii", default="2,8,32")
    ap.add_argument("--eps", type=float, default=0.01)
    ap.add_argument("--threads", default="0")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--reference", default="")
    ap.add_argument("--reference-size", type=int, default=256)
    args = ap.parse_args()

    shape = tuple(int(v) for v in args.shape.split(","))
    img = np.fromfile(args.image, dtype="<f4").reshape(shape)
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    default_threads = cv2.getNumThreads()
    results = {}
    for threads in (int(t) for t in args.threads.split(",")):
        cv2.setNumThreads(threads if threads > 0 else default_threads)
        for name, guide in (("gray", gray), ("colour", img)):
            for r in (int(v) for v in args.radii.split(",")):
                f = lambda: cv2.ximgproc.guidedFilter(guide, img, r, args.eps)  # noqa: E731
                for _ in range(2):
                    f()
                times = []
                for _ in range(args.repeats):
                    t0 = time.perf_counter()
                    f()
                    times.append((time.perf_counter() - t0) * 1e3)
                times.sort()
                results[f"{name}/{r}/{threads}"] = {"median": times[len(times) // 2], "min": times[0]}
    cv2.setNumThreads(default_threads)
    out = {"opencv": cv2.__version__, "defaultThreads": default_threads, "results": results}

    if args.reference:
        r, eps = args.reference.split(",")
        r, eps = int(r), float(eps)
        n = args.reference_size
        crop = np.ascontiguousarray(img[:n, :n])
        ref = reference_guided(crop, crop, r, eps)
        theirs = cv2.ximgproc.guidedFilter(crop, crop, r, eps).astype(np.float64)
        m = 2 * r
        diff = np.abs(theirs - ref)[m:-m, m:-m].max(axis=-1)
        out["reference"] = {
            "size": n,
            "radius": r,
            "eps": eps,
            "interiorMargin": m,
            "opencvMaxError": float(diff.max()),
            "opencvPixelsOver1e-3": int((diff > 1e-3).sum()),
            "interiorPixels": int(diff.size),
            "b64": base64.b64encode(ref.astype("<f8").tobytes()).decode("ascii"),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
