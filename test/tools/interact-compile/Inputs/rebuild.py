"""Loads a library, compiles it again into the same path, and calls the
loaded copy again: the files it mapped must survive (interact-compile
renames new files into place, never writes over them)."""
import subprocess
import sys

import numpy as np

import interact

compiler, source, path = sys.argv[1:]
lib = interact.load(path)
x = np.ones((1, 3, 8, 64), np.float32)
a = -np.ones((1, 3, 8), np.float32)
bc = np.ones((1, 3, 1, 64), np.float32)
before = lib.ssd_layer(x, a, bc, bc)[0]
subprocess.run([compiler, source, "--target=host", "-o", path], check=True)
after = lib.ssd_layer(x, a, bc, bc)[0]
print("same after the rebuild:", bool(np.array_equal(before, after)))
