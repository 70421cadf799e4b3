#!/usr/bin/env python3
"""An independent reader for Shiwake's TFRecord exports: Google's protobuf runtime (from
protoc-compiled example.proto/feature.proto), the crc32c module, and Pillow, all from Debian.

usage: tfrecord_check.py <export-dir> <expected.json>
expected.json: {"labels": [...], "splits": {"train": {"<label text>": n}, "validation": {...}}}
Prints a JSON summary; exits 1 with the first problem found.
"""
import glob, io, json, os, struct, subprocess, sys, tempfile

import crc32c
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {
    "image/height": "int64_list", "image/width": "int64_list", "image/colorspace": "bytes_list",
    "image/channels": "int64_list", "image/class/label": "int64_list", "image/class/text": "bytes_list",
    "image/format": "bytes_list", "image/filename": "bytes_list", "image/encoded": "bytes_list",
}


def fail(msg):
    print(json.dumps({"ok": False, "error": msg}))
    sys.exit(1)


def masked(data):
    crc = crc32c.crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def compile_protos():
    out = tempfile.mkdtemp()
    proto_dir = os.path.join(HERE, "proto")
    subprocess.run(["protoc", f"--proto_path={proto_dir}", f"--python_out={out}", "feature.proto", "example.proto"], check=True)
    sys.path.insert(0, out)
    import example_pb2  # noqa: E402
    return example_pb2


def records(path):
    with open(path, "rb") as f:
        buf = f.read()
    off, i = 0, 0
    while off < len(buf):
        if off + 12 > len(buf):
            fail(f"{path}: truncated record {i}")
        (length,) = struct.unpack_from("<Q", buf, off)
        (len_crc,) = struct.unpack_from("<I", buf, off + 8)
        if len_crc != masked(buf[off:off + 8]):
            fail(f"{path}: corrupted record {i} (length CRC)")
        data = buf[off + 12: off + 12 + length]
        if len(data) != length or off + 16 + length > len(buf):
            fail(f"{path}: truncated record {i}")
        (data_crc,) = struct.unpack_from("<I", buf, off + 12 + length)
        if data_crc != masked(data):
            fail(f"{path}: corrupted record {i} (data CRC)")
        yield data
        off += 16 + length
        i += 1


def main():
    export_dir, expected_file = sys.argv[1], sys.argv[2]
    expected = json.load(open(expected_file))
    example_pb2 = compile_protos()
    labels = open(os.path.join(export_dir, "labels.txt"), encoding="utf-8").read().splitlines()
    if labels != expected["labels"]:
        fail(f"labels.txt {labels} != expected {expected['labels']}")
    summary = {"ok": True, "records": 0, "shards": 0, "splits": {}}
    for split in ("train", "validation"):
        counts = {}
        shards = sorted(glob.glob(os.path.join(export_dir, f"{split}-*")))
        for shard in shards:
            name = os.path.basename(shard)
            parts = name.split("-")
            if len(parts) != 4 or parts[2] != "of" or len(parts[1]) != 5 or int(parts[3]) != len(shards):
                fail(f"bad shard name {name} ({len(shards)} shards)")
            summary["shards"] += 1
            for data in records(shard):
                ex = example_pb2.Example()
                ex.ParseFromString(data)
                feats = ex.features.feature
                if set(feats.keys()) != set(KEYS):
                    fail(f"{name}: keys {sorted(feats.keys())}")
                for key, kind in KEYS.items():
                    if feats[key].WhichOneof("kind") != kind:
                        fail(f"{name}: {key} is {feats[key].WhichOneof('kind')}, not {kind}")
                label = feats["image/class/label"].int64_list.value[0]
                text = feats["image/class/text"].bytes_list.value[0].decode("utf-8")
                if not (1 <= label <= len(labels)) or labels[label - 1] != text:
                    fail(f"{name}: label {label} with text {text!r} disagrees with labels.txt")
                if feats["image/colorspace"].bytes_list.value[0] != b"RGB" or feats["image/format"].bytes_list.value[0] != b"JPEG":
                    fail(f"{name}: colorspace/format are not RGB/JPEG")
                if feats["image/channels"].int64_list.value[0] != 3:
                    fail(f"{name}: channels != 3")
                jpeg = feats["image/encoded"].bytes_list.value[0]
                img = Image.open(io.BytesIO(jpeg))
                if img.format != "JPEG" or img.mode != "RGB":
                    fail(f"{name}: image is {img.format} {img.mode}, not an RGB JPEG")
                img.load()
                h, w = feats["image/height"].int64_list.value[0], feats["image/width"].int64_list.value[0]
                if (img.width, img.height) != (w, h):
                    fail(f"{name}: decoded {img.width}x{img.height}, record says {w}x{h}")
                if not feats["image/filename"].bytes_list.value[0]:
                    fail(f"{name}: empty filename")
                counts[text] = counts.get(text, 0) + 1
                summary["records"] += 1
        if counts != expected["splits"][split]:
            fail(f"{split}: counts {counts} != expected {expected['splits'][split]}")
        summary["splits"][split] = counts
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
