"""For the scripts' Python here (run with PYTHONPATH=docs/results): load(path) reads a safetensors file's F32 tensors
as flat numpy arrays, by name."""
import json
import struct

import numpy as np


def load(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    return {k: np.frombuffer(b[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]], np.float32)
            for k, v in header.items() if k != "__metadata__" and v["dtype"] == "F32"}
