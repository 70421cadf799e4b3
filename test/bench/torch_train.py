#!/usr/bin/env python3
"""The PyTorch reference for the training benchmark and the device check: the same architectures
as Shiwake's small CNN and MobileNetV2 (Inception-v3 from torchvision, when it is installed),
the same batch size, synthetic images, on the CPU or a CUDA GPU.
usage: torch_train.py <small-cnn|mobilenet-v2|inception-v3> <image-size> <batch> <steps> <threads> [cpu|cuda]
prints {"images_per_sec": x, "images_per_cpu_sec": y, "threads": n, "device": d} (CPU time of all the process's threads)"""
import json, sys, time

import torch
from torch import nn


def small_cnn(classes, size):
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * (size // 4) ** 2, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, classes))


def divisible(v, d=8):
    r = max(d, int(v + d / 2) // d * d)
    return r + d if r < 0.9 * v else r


def conv_bn(i, o, k, s, groups=1, act=True):
    layers = [nn.Conv2d(i, o, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(o, eps=1e-3, momentum=0.001)]
    if act:
        layers.append(nn.ReLU6())
    return layers


class Inverted(nn.Module):
    def __init__(self, i, o, s, t):
        super().__init__()
        h = i * t
        layers = (conv_bn(i, h, 1, 1) if t != 1 else []) + conv_bn(h, h, 3, s, groups=h) + conv_bn(h, o, 1, 1, act=False)
        self.body = nn.Sequential(*layers)
        self.residual = s == 1 and i == o

    def forward(self, x):
        return x + self.body(x) if self.residual else self.body(x)


def mobilenet_v2(classes, alpha=1.0):
    c = divisible(32 * alpha)
    layers = conv_bn(3, c, 3, 2)
    for t, out, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        o = divisible(out * alpha)
        for k in range(n):
            layers.append(Inverted(c, o, s if k == 0 else 1, t))
            c = o
    layers += conv_bn(c, 1280, 1, 1) + [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(1280, classes)]
    return nn.Sequential(*layers)


def main():
    name, size, batch, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    device = sys.argv[6] if len(sys.argv) > 6 else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        sys.exit("no CUDA GPU for PyTorch here")
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if name == "inception-v3":
        from torchvision.models import inception_v3  # only this model needs torchvision
        model = inception_v3(num_classes=10, aux_logits=False, init_weights=True)
    else:
        model = small_cnn(10, size) if name == "small-cnn" else mobilenet_v2(10)
    model = model.to(device)
    x = torch.randn(batch, 3, size, size, device=device)
    y = torch.randint(0, 10, (batch,), device=device)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    for _ in range(2):
        step()
    sync()
    t = time.perf_counter()
    cpu = time.process_time()
    for _ in range(steps):
        step()
    sync()
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    print(json.dumps({"images_per_sec": batch * steps / wall, "images_per_cpu_sec": batch * steps / cpu, "threads": torch.get_num_threads(), "device": device}))


if __name__ == "__main__":
    main()
