#!/usr/bin/env python3
"""The PyTorch reference for the classify benchmark: the same architectures as Shiwake's small
CNN and MobileNetV2 (from torch_train.py), random weights, CPU only, the same preprocessing as
Shiwake's predictor (decode with PIL as RGB, central 87.5% crop, stretch to size x size,
x / 127.5 - 1), then softmax and the top 5. Decoding is timed with the model.
usage: torch_infer.py folder  <small-cnn|mobilenet-v2> <size> <threads> <batch> <file-list> <runs>
       torch_infer.py latency <small-cnn|mobilenet-v2> <size> <threads> <calls> <file-list>
prints one JSON line: folder -> {"images_per_sec", "cpu_ms_per_image", "peak_mib"};
latency -> {"p50_ms", "p95_ms", "decode_p50_ms", "cpu_ms_per_call"} (CPU time: user + system, all threads)"""
import json, math, resource, sys, time

import torch
from PIL import Image

sys.path.insert(0, __import__("os").path.dirname(__file__))
from torch_train import mobilenet_v2, small_cnn  # noqa: E402

CROP = 0.875


def load(file, size):
    with Image.open(file) as img:
        img = img.convert("RGB")
        w, h = img.size
        left, top = min(w - 1, math.floor((1 - CROP) / 2 * w)), min(h - 1, math.floor((1 - CROP) / 2 * h))
        cw, ch = max(1, min(w - left, round(CROP * w))), max(1, min(h - top, round(CROP * h)))
        img = img.crop((left, top, left + cw, top + ch)).resize((size, size), Image.BILINEAR)
        x = torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8).view(size, size, 3)
    return x.permute(2, 0, 1).float() / 127.5 - 1


def classify(model, files, size):
    with torch.inference_mode():
        x = torch.stack([load(f, size) for f in files])
        probs = torch.softmax(model(x), dim=1)
        return torch.topk(probs, min(5, probs.shape[1]), dim=1)


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))]


def main():
    mode, name, size, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = (small_cnn(10, size) if name == "small-cnn" else mobilenet_v2(10)).eval()
    if mode == "folder":
        batch, files, runs = int(sys.argv[5]), open(sys.argv[6]).read().split("\n"), int(sys.argv[7])
        files = [f for f in files if f]
        classify(model, files[:batch], size)  # warm-up
        times = []
        cpu = cpu_seconds()
        for _ in range(runs):
            t = time.perf_counter()
            for i in range(0, len(files), batch):
                classify(model, files[i:i + batch], size)
            times.append(time.perf_counter() - t)
        cpu_ms = (cpu_seconds() - cpu) * 1000 / (runs * len(files))
        seconds = sorted(times)[len(times) // 2]
        print(json.dumps({"images_per_sec": len(files) / seconds, "cpu_ms_per_image": cpu_ms, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    else:
        calls, files = int(sys.argv[5]), [f for f in open(sys.argv[6]).read().split("\n") if f]
        for f in files[:5]:
            classify(model, [f], size)
        times = []
        cpu = cpu_seconds()
        for i in range(calls):
            t = time.perf_counter()
            classify(model, [files[i % len(files)]], size)
            times.append((time.perf_counter() - t) * 1000)
        cpu_ms = (cpu_seconds() - cpu) * 1000 / calls
        decode = []
        for i in range(calls):
            t = time.perf_counter()
            load(files[i % len(files)], size)
            decode.append((time.perf_counter() - t) * 1000)
        print(json.dumps({"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "decode_p50_ms": percentile(decode, 50), "cpu_ms_per_call": cpu_ms}))


if __name__ == "__main__":
    main()
