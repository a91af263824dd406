#!/usr/bin/env python3
"""PyTorch's side of docs/benchmarks.md's side-by-side runs: the shapes fedcxr's `bench` suites time, in PyTorch.

Not part of fedcxr (nothing imports it; CI does not run it). It needs a CPU build of PyTorch (no torchvision):
    python3 -m venv --system-site-packages /work/torchenv
    /work/torchenv/bin/pip install --no-index --no-deps \
        /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl

Usage: pytorch-reference.py train|pretrain [--threads 2] [--batch 32] [--steps N] [--seed 42] [--only CASE]
Prints `pytorch <suite>: <key> <value>` with the keys fedcxr's bench prints for the same case (img_per_s only):
  train:    matmul_2048_gflop_per_s, train_128px_img_per_s, train_224px_img_per_s (default 20 steps)
  pretrain: matmul_2048_gflop_per_s, supervised_{64,128}px_img_per_s, byol_{64,128}px_img_per_s,
            byol_joint_views_{64,128}px_img_per_s, simsiam_{64,128}px_img_per_s (default 6 steps)
Each case trains two epochs of N steps on fixed random images and times the second, as fedcxr's bench does.
The models are fedcxr's: torchvision's ResNet-18 with a 1-channel 7x7 stem and 14 outputs (11,177,422 parameters,
checked below); for self-supervised training the encoder's feature map, the SR-layer (spectral-residual saliency,
F * (1 + alpha * S), S without gradient), global pooling, projector and predictor
Linear(1024)-BatchNorm-ReLU-Linear(128).
Supervised: Adam 1e-3 with L2 weight decay 1e-4, BCE with logits, gradient norm clipped at 5. BYOL: two views through
the online branch (one pass each, or one pass of 2B with joint views) and the target branch in training mode without
gradient, loss (2 - 2cos(p1, t2)) + (2 - 2cos(p2, t1)), Adam 1e-3 with weight decay 1e-6, then the target's EMA over
parameters and buffers (tau 0.99) in one fused call. SimSiam: one shared network, targets are its projections with
gradients stopped. What differs from fedcxr's timed steps: images are ready-made tensors here (fedcxr reads its spooled
shard and augments each image in Java inside the timed epoch; its bench prints that share of its time).
"""
import argparse
import copy
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Basic(nn.Module):
    def __init__(self, cin, width, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.downsample = None
        if stride != 1 or cin != width:
            self.downsample = nn.Sequential(nn.Conv2d(cin, width, 1, stride, bias=False), nn.BatchNorm2d(width))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class Encoder(nn.Module):
    """ResNet-18 up to its last feature map (fedcxr's Architecture.RESNET18 before the pooling)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        stages, cin = [], 64
        for s in range(4):
            width = 64 << s
            stages.append(nn.Sequential(Basic(cin, width, 1 if s == 0 else 2), Basic(width, width, 1)))
            cin = width
        self.layers = nn.Sequential(*stages)

    def forward(self, x):
        return self.layers(F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1))


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.fc = nn.Linear(512, 14)

    def forward(self, x):
        return self.fc(self.encoder(x).mean((2, 3)))


def local_mean(x):
    return F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)


class SpectralResidual(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.alpha = nn.Parameter(torch.zeros(1, channels, 1, 1))

    def forward(self, f):
        with torch.no_grad():
            spectrum = torch.fft.fft2(f)
            amp = spectrum.abs() + 1e-6
            residual = amp.log() - local_mean(amp.log())
            back = torch.fft.ifft2(spectrum * (residual.exp() / amp))
            sal = local_mean(back.abs().square())
            lo = sal.amin((2, 3), keepdim=True)
            hi = sal.amax((2, 3), keepdim=True)
            s = (sal - lo) / (hi - lo + 1e-6)
        return f * (1 + self.alpha * s)


def head(cin):
    return nn.Sequential(nn.Linear(cin, 1024), nn.BatchNorm1d(1024), nn.ReLU(), nn.Linear(1024, 128))


class Branch(nn.Module):
    def __init__(self, predictor):
        super().__init__()
        self.encoder = Encoder()
        self.sr = SpectralResidual(512)
        self.projector = head(512)
        self.predictor = head(128) if predictor else None

    def forward(self, x):
        z = self.projector(self.sr(self.encoder(x)).mean((2, 3)))
        return (self.predictor(z) if self.predictor is not None else z), z


def negative_cosine(p, z):
    return (2 - 2 * (F.normalize(p, dim=1, eps=1e-6) * F.normalize(z, dim=1, eps=1e-6)).sum(1)).mean()


def matmul_gflops():
    n = 2048
    a, b = torch.rand(n, n) * 2 - 1, torch.rand(n, n) * 2 - 1
    best = float("inf")
    for i in range(13):
        t = time.perf_counter()
        torch.mm(a, b)
        if i >= 3:
            best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9


def timed(step, batches, steps):
    """Two epochs of `steps` steps; the images per second of the second."""
    for i in range(steps):
        step(*batches[i])
    t = time.perf_counter()
    for i in range(steps):
        step(*batches[i])
    return steps * batches[0][0].shape[0] / (time.perf_counter() - t)


def images(n, size, gen):
    return (torch.randint(0, 256, (n, 1, size, size), generator=gen).float() / 255 - 0.5) / 0.25


def supervised(size, batch, steps, gen):
    model = Classifier().train()
    assert sum(p.numel() for p in model.parameters()) == 11_177_422, "not fedcxr's ResNet-18"
    adam = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    data = [(images(batch, size, gen), F.one_hot(torch.randint(0, 14, (batch,), generator=gen), 14).float())
            for _ in range(steps)]

    def step(x, y):
        adam.zero_grad(set_to_none=True)
        F.binary_cross_entropy_with_logits(model(x), y).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        adam.step()

    return timed(step, data, steps)


def self_supervised(method, joint, size, batch, steps, gen):
    online = Branch(predictor=True).train()
    target = copy.deepcopy(online).train() if method == "byol" else None
    if target is not None:
        target.predictor = None
        target.requires_grad_(False)
        pairs = [(t, o) for t, o in zip(list(target.parameters()) + list(target.buffers()),
                                        [p for n, p in online.named_parameters() if not n.startswith("predictor")]
                                        + [b for n, b in online.named_buffers() if not n.startswith("predictor")])
                 if t.is_floating_point()]
        tgt, src = [t for t, _ in pairs], [o for _, o in pairs]
    adam = torch.optim.Adam(online.parameters(), lr=1e-3, weight_decay=1e-6)
    data = [(images(batch, size, gen), images(batch, size, gen)) for _ in range(steps)]

    def both(branch, x1, x2):
        if not joint:
            return branch(x1), branch(x2)
        p, z = branch(torch.cat((x1, x2)))
        return (p[:batch], z[:batch]), (p[batch:], z[batch:])

    def step(x1, x2):
        adam.zero_grad(set_to_none=True)
        (p1, z1), (p2, z2) = both(online, x1, x2)
        if target is None:
            t1, t2 = z1.detach(), z2.detach()
        else:
            with torch.no_grad():
                (_, t1), (_, t2) = both(target, x1, x2)
        (negative_cosine(p1, t2) + negative_cosine(p2, t1)).backward()
        adam.step()
        if target is not None:
            with torch.no_grad():
                torch._foreach_lerp_(tgt, src, 1 - 0.99)

    return timed(step, data, steps)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("suite", choices=["train", "pretrain"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--only", help="run only the case of this key (e.g. supervised_64px), for a profile")
    a = parser.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    steps = a.steps or (20 if a.suite == "train" else 6)
    cases = {}
    if a.suite == "train":
        for size in (128, 224):
            cases[f"train_{size}px"] = lambda size=size: supervised(size, a.batch, steps, gen)
    else:
        for size in (64, 128):
            cases[f"supervised_{size}px"] = lambda size=size: supervised(size, a.batch, steps, gen)
        for method, joint in (("byol", False), ("byol", True), ("simsiam", False)):
            for size in (64, 128):
                key = method + ("_joint_views_" if joint else "_") + f"{size}px"
                cases[key] = lambda m=method, j=joint, size=size: self_supervised(m, j, size, a.batch, steps, gen)
    if a.only and a.only not in cases:
        parser.error(f"--only: no case {a.only} in the {a.suite} suite: {', '.join(cases)}")
    out = {} if a.only else {"matmul_2048_gflop_per_s": matmul_gflops()}
    for key, run in cases.items():
        if not a.only or key == a.only:
            out[key + "_img_per_s"] = run()
    print(f"pytorch {a.suite}: torch {torch.__version__} threads {torch.get_num_threads()} "
          f"cpu_capability {torch.backends.cpu.get_cpu_capability()}")
    for k, v in out.items():
        print(f"pytorch {a.suite}: {k:<58} {v:.3f}")


if __name__ == "__main__":
    main()
