#!/usr/bin/env python3
"""PyTorch peer of bench/peer_bench.ts: the same work, timed the same way.

Cases (float32, CPU, NHWC = channels_last, batch 1):

- ``conv``: a 3x3 convolution 128 -> 128 channels on 128x128, zero padding 1,
  no bias: forward, then backward for a fixed output gradient (input and
  filter gradients).
- ``fcrn``: one training step of a counting network, FCRN-A with batch norm
  at a quarter width (src/counting ``fcrn({width: 0.25, batchNorm: true})``:
  3x3 conv-BN-ReLU 8, 16, 32 channels each followed by 2x2 max pooling, 128,
  then three [nearest x2 upsampling, 3x3 conv-BN-ReLU] with 32, 16, 8
  channels, a 1x1 head with bias), batch 4 of 128x128 RGB, MSE against a
  fixed density, Adam (lr 1e-4), loss read back.
- ``decoder64`` / ``decoder128``: one training step of the thesis decoder
  (src/dip, ``decoder({...CONTROLLED, channels})``): input 4x4x32, five blocks
  [Gaussian upsampling x2 (bed of nails, 5x5 depthwise Gaussian, sigma 0.5)
  -> reflection pad 1 -> 3x3 convolution whose weight is divided by
  max(1, sigma_max / 2) (one power iteration, no gradient through the factor)
  -> mean-only batch norm with bias -> LeakyReLU 0.2], then a 1x1
  convolution with bias to 3 channels and a sigmoid; 128x128 output, MSE
  against a fixed target, Adam (lr 1e-3), loss read back.

Each case runs for every thread count asked (``torch.set_num_threads``):
2 warm-up runs, then ``--repeats`` timed runs; the median and minimum (ms)
are printed as one JSON object on stdout. Exits with status 3 and one line
on stderr when torch is not installed.

    python3 bench/peers/torch_peer.py --threads 1,2 --repeats 5
"""

import argparse
import json
import math
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # the bench skips the peer with this line
    print("PyTorch is not installed (python3 -m pip install torch)", file=sys.stderr)
    sys.exit(3)

CL = torch.channels_last


def gaussian_kernel(sigma=0.5, scale=2, size=5):
    """Unit-sum 1-D taps of the upsampling filter, as an outer-product 5x5 kernel."""
    r = (size - 1) // 2
    taps = [math.exp(-((d / scale) ** 2) / (2 * sigma * sigma)) for d in range(-r, r + 1)]
    total = sum(taps)
    taps = torch.tensor([t / total * scale for t in taps])  # a constant input stays about constant
    return torch.outer(taps, taps)


class Decoder(torch.nn.Module):
    def __init__(self, channels, depth=5, input_depth=32, lam=2.0):
        super().__init__()
        self.lam = lam
        cins = [input_depth] + [channels] * (depth - 1)
        self.weights = torch.nn.ParameterList(
            torch.nn.Parameter(torch.randn(channels, c, 3, 3) * math.sqrt(2 / (9 * c))) for c in cins
        )
        self.biases = torch.nn.ParameterList(
            torch.nn.Parameter(torch.zeros(channels)) for _ in cins
        )
        self.us = [F.normalize(torch.randn(channels), dim=0) for _ in cins]
        self.head = torch.nn.Conv2d(channels, 3, 1)
        self.register_buffer("blur", gaussian_kernel())

    def upsample(self, x):
        n, c, h, w = x.shape
        y = torch.zeros(n, c, 2 * h, 2 * w).to(memory_format=CL)
        y[:, :, ::2, ::2] = x
        k = self.blur.expand(c, 1, 5, 5)
        return F.conv2d(y, k, padding=2, groups=c)

    def lipschitz(self, i):
        w = self.weights[i]
        with torch.no_grad():
            m = w.reshape(w.shape[0], -1)
            v = F.normalize(m.t() @ self.us[i], dim=0)
            mv = m @ v
            self.us[i] = F.normalize(mv, dim=0)
            factor = min(1.0, self.lam / (mv.norm().item() + 1e-12))
        return w * factor

    def forward(self, z):
        x = z
        for i in range(len(self.weights)):
            x = self.upsample(x)
            x = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="reflect"), self.lipschitz(i))
            x = x - x.mean(dim=(0, 2, 3), keepdim=True) + self.biases[i].view(1, -1, 1, 1)
            x = F.leaky_relu(x, 0.2)
        return torch.sigmoid(self.head(x))


class Fcrn(torch.nn.Module):
    def __init__(self, width=0.25, cin=3):
        super().__init__()
        c = [max(1, round(k * width)) for k in (32, 64, 128, 512, 128, 64, 32)]
        ins = [cin] + c[:-1]
        self.convs = torch.nn.ModuleList(
            torch.nn.Conv2d(i, o, 3, padding=1, bias=False) for i, o in zip(ins, c)
        )
        self.bns = torch.nn.ModuleList(torch.nn.BatchNorm2d(o) for o in c)
        self.head = torch.nn.Conv2d(c[-1], 1, 1)

    def forward(self, x):
        for i, (conv, bn) in enumerate(zip(self.convs, self.bns)):
            if i >= 4:
                x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = F.relu(bn(conv(x)))
            if i < 3:
                x = F.max_pool2d(x, 2)
        return self.head(x)


def fcrn_case():
    torch.manual_seed(1)
    net = Fcrn().to(memory_format=CL)
    x = torch.rand(4, 3, 128, 128).to(memory_format=CL)
    target = (torch.rand(4, 1, 128, 128) * 0.01).to(memory_format=CL)
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)

    def run():
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(net(x), target)
        loss.backward()
        opt.step()
        return loss.item()

    return run


def conv_case():
    x = torch.rand(1, 128, 128, 128).to(memory_format=CL).requires_grad_()
    w = (torch.rand(128, 128, 3, 3) * 0.2 - 0.1).to(memory_format=CL).requires_grad_()
    dy = torch.rand(1, 128, 128, 128).to(memory_format=CL)

    def run():
        x.grad = None
        w.grad = None
        F.conv2d(x, w, padding=1).backward(dy)

    return run


def decoder_case(channels):
    torch.manual_seed(1)
    net = Decoder(channels).to(memory_format=CL)
    z = (torch.rand(1, 32, 4, 4) * 0.1).to(memory_format=CL)
    target = torch.rand(1, 3, 128, 128).to(memory_format=CL)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def run():
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(net(z), target)
        loss.backward()
        opt.step()
        return loss.item()

    return run


CASES = {
    "conv": conv_case,
    "decoder64": lambda: decoder_case(64),
    "decoder128": lambda: decoder_case(128),
    "fcrn": fcrn_case,
}


def time_case(make, repeats):
    run = make()
    for _ in range(2):
        run()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"median": times[len(times) // 2], "min": times[0]}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--cases", default=",".join(CASES))
    a = p.parse_args()
    out = {"torch": torch.__version__, "mkldnn": torch.backends.mkldnn.is_available(), "results": {}}
    for name in a.cases.split(","):
        for t in [int(s) for s in a.threads.split(",")]:
            torch.set_num_threads(t)
            out["results"][f"{name}/{t}"] = time_case(CASES[name], a.repeats)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
