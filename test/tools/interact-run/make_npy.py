#!/usr/bin/env python3
"""Writes good and deliberately broken .npy files into DIR for errors.test."""

import os
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
path = lambda name: os.path.join(out, name)

np.save(path("x.npy"), np.zeros((1, 3, 2, 4), np.float32))
np.save(path("a.npy"), np.zeros((1, 3, 2), np.float32))
np.save(path("b.npy"), np.zeros((1, 3, 1, 8), np.float32))
np.save(path("a_t5.npy"), np.zeros((1, 5, 2), np.float32))
np.save(path("x_f64.npy"), np.zeros((1, 3, 2, 4), np.float64))
np.save(path("x_rank3.npy"), np.zeros((3, 2, 4), np.float32))
np.save(path("x_int8.npy"), np.zeros((1, 3, 2, 4), np.int8))
np.save(path("x_fortran.npy"), np.asfortranarray(np.zeros((1, 3, 2, 4), np.float32)))
np.save(path("x_bigendian.npy"), np.zeros((1, 3, 2, 4), ">f4"))
good = open(path("x.npy"), "rb").read()
open(path("x_truncated.npy"), "wb").write(good[:-5])
open(path("x_trailing.npy"), "wb").write(good + b"\0\0\0\0")
open(path("x_header_cut.npy"), "wb").write(good[:40])
open(path("not_npy.npy"), "wb").write(b"this is not a numpy file at all")
open(path("empty.npy"), "wb").write(b"")


def with_header(name, dict_text, payload=b""):
    """Writes a version 1.0 file with a hand-written header dict."""
    header = dict_text.encode() + b"\n"
    open(path(name), "wb").write(b"\x93NUMPY\x01\x00" +
                                 len(header).to_bytes(2, "little") + header +
                                 payload)


# Shapes whose byte count wraps past 2^64 to a small number (0 here): they
# were accepted with no data and crashed the kernel.
with_header("x_wraps.npy",
            "{'descr': '<f4', 'fortran_order': False, "
            "'shape': (576460752303423488, 1, 2, 4), }")
with_header("x_wraps_square.npy",
            "{'descr': '<f4', 'fortran_order': False, "
            "'shape': (4294967296, 4294967296, 2, 4), }")
with_header("x_wraps_1d.npy",
            "{'descr': '<f4', 'fortran_order': False, "
            "'shape': (4611686018427387904,), }")
# Not a tuple: was read as (32,).
with_header("x_shape_int.npy",
            "{'descr': '<f4', 'fortran_order': False, 'shape': 1324, }",
            b"\0" * 128)

# An f16 scan whose inputs overflow f16 and hold a NaN (check.test).
x16 = np.array([[[[3000, -3000]], [[0, 0]], [[1, np.nan]]]], np.float16)
np.save(path("x_f16_nan.npy"), x16)
np.save(path("a_f16.npy"), np.zeros((1, 3, 1), np.float32))
np.save(path("b_f16.npy"), np.full((1, 3, 1, 4), 3, np.float16))
