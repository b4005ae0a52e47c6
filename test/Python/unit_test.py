#!/usr/bin/env python3
"""Unit tests of python/interact's pure-Python parts, no library needed:
signature parsing and the shape rules, the mapping of return codes to
exceptions, bf16 conversion, argument conversion, and load's refusals.

usage: unit_test.py [--expect-package-under=DIR]

Imports `interact` from sys.path (PYTHONPATH=python for the source tree);
with --expect-package-under, first checks that the package imported is the
one installed under DIR.
"""

import ctypes.util
import os
import subprocess
import sys
import unittest

import numpy as np

import interact
from interact import _abi, _arrays
from interact.errors import error_for_status

SIGNATURE = """{"abi": 1, "library": "m", "target": "x86-64-v3", "functions": [
  {"name": "scan",
   "arguments": [{"name": "x", "dtype": "f32", "shape": ["b", "t", 4, 8]},
                 {"name": "a", "dtype": "f32", "shape": ["b", "t", 4]}],
   "results": [{"name": "y", "dtype": "f32", "shape": ["b", "t", 4, 8]},
               {"name": "s", "dtype": "f32", "shape": ["b", 4, 8, "z.0"]}]},
  {"name": "noop", "arguments": [], "results": []}]}"""


class SignatureTest(unittest.TestCase):
    def setUp(self):
        self.data, self.functions = interact.parse_signature(SIGNATURE)
        self.scan = self.functions["scan"]

    def test_parse(self):
        self.assertEqual(list(self.functions), ["scan", "noop"])
        self.assertEqual(self.data["target"], "x86-64-v3")
        self.assertEqual([a.name for a in self.scan.arguments], ["x", "a"])
        self.assertEqual(self.scan.arguments[0].shape, ("b", "t", 4, 8))
        self.assertEqual(str(self.scan), "scan(x: f32[b, t, 4, 8], a: f32[b, t, 4])"
                         " -> (f32[b, t, 4, 8], f32[b, 4, 8, z.0])")
        self.assertEqual(str(self.functions["noop"]), "noop() -> ()")

    def test_bind(self):
        sizes = self.scan.bind([(2, 5, 4, 8), (2, 5, 4)])
        self.assertEqual(sizes, {"b": 2, "t": 5})
        self.assertEqual(self.scan.result_shapes(sizes),
                         [(2, 5, 4, 8), (2, 4, 8, None)])

    def test_rank(self):
        with self.assertRaises(interact.RankError) as caught:
            self.scan.bind([(2, 5, 4, 8), (2, 5)])
        self.assertIn("argument 'a' has rank 2", str(caught.exception))
        self.assertIn("expected rank 3", str(caught.exception))

    def test_static_dimension(self):
        with self.assertRaises(interact.ShapeError) as caught:
            self.scan.bind([(2, 5, 3, 8), (2, 5, 4)])
        self.assertIs(type(caught.exception), interact.ShapeError)
        self.assertIn("argument 'x' has size 3 in dimension 2, expected 4",
                      str(caught.exception))

    def test_dynamic_dimensions_disagree(self):
        with self.assertRaises(interact.DimensionMismatchError) as caught:
            self.scan.bind([(2, 5, 4, 8), (2, 6, 4)])
        self.assertEqual(str(caught.exception),
                         "scan: argument 'a' has t = 6 (dimension 1), but "
                         "argument 'x' has t = 5 (dimension 1)")
        self.assertEqual(caught.exception.function, "scan")

    def test_malformed(self):
        for text in ["not json", '{"abi": 2, "functions": []}', "[]",
                     '{"abi": 1}', '{"abi": 1, "functions": [{"name": 3}]}',
                     '{"abi": 1, "functions": [{"name": "f", "arguments": '
                     '[{"name": "x", "dtype": "f8", "shape": []}]}]}',
                     '{"abi": 1, "functions": [{"name": "f", "arguments": '
                     '[{"name": "x", "dtype": "f32", "shape": [-1]}]}]}',
                     '{"abi": 1, "functions": [{"name": "f", "arguments": '
                     '[{"name": "x", "dtype": "f32", "shape": [1,1,1,1,1,1,'
                     '1,1,1]}]}]}']:
            with self.subTest(text=text):
                with self.assertRaises(interact.LoadError):
                    interact.parse_signature(text)


class ErrorTest(unittest.TestCase):
    def test_every_status(self):
        # interact_abi.h's numbering.
        expected = {1: interact.NullPointerError, 2: interact.ArgumentCountError,
                    3: interact.DTypeError, 4: interact.RankError,
                    5: interact.ShapeError, 6: interact.DimensionMismatchError,
                    7: interact.InvalidValueError, 8: interact.NoFunctionError,
                    9: interact.OutOfMemoryError,
                    10: interact.UnknownShapeError}
        for status, cls in expected.items():
            error = error_for_status(status, "message", "f")
            self.assertIs(type(error), cls)
            self.assertEqual(error.status, status)
            self.assertEqual(str(error), "message")
            self.assertEqual(error.function, "f")
            self.assertIsInstance(error, interact.Error)
        unknown = error_for_status(42, "what", "f")
        self.assertIs(type(unknown), interact.Error)
        self.assertEqual(unknown.status, 42)
        self.assertIn("42", str(unknown))

    def test_builtin_bases(self):
        self.assertTrue(issubclass(interact.DTypeError, TypeError))
        self.assertTrue(issubclass(interact.NullPointerError, TypeError))
        self.assertTrue(issubclass(interact.ShapeError, ValueError))
        self.assertTrue(issubclass(interact.RankError, interact.ShapeError))
        self.assertTrue(issubclass(interact.DimensionMismatchError,
                                   interact.ShapeError))
        self.assertTrue(issubclass(interact.LoadError, OSError))
        self.assertTrue(issubclass(interact.OutOfMemoryError, MemoryError))


class BF16Test(unittest.TestCase):
    def test_round_trip_and_rounding(self):
        values = np.array([0, 1, -2.5, 3.140625, 1e30, -np.inf, np.inf],
                          np.float32)
        bf = interact.to_bf16(values)
        self.assertEqual(bf.dtype, interact.BF16)
        got = interact.from_bf16(bf)
        self.assertTrue(np.array_equal(got[[0, 1, 2, 3, 5, 6]],
                                       values[[0, 1, 2, 3, 5, 6]]))
        # 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to even (1).
        self.assertEqual(interact.from_bf16(interact.to_bf16(1 + 2**-8)).shape, ())
        self.assertEqual(interact.from_bf16(interact.to_bf16(1 + 2**-8))[()], 1)
        self.assertEqual(interact.from_bf16(interact.to_bf16(1 + 3 * 2**-8))[()],
                         1 + 2**-6)
        # The largest float32 rounds to infinity, NaN stays NaN (of any sign).
        self.assertEqual(interact.from_bf16(interact.to_bf16(
            np.finfo(np.float32).max))[()], np.inf)
        nans = np.array([np.nan, -np.nan], np.float32)
        nans = np.concatenate([nans, np.array([0x7FFFFFFF, 0xFFFFFFFF],
                                              np.uint32).view(np.float32)])
        self.assertTrue(np.isnan(interact.from_bf16(interact.to_bf16(nans))).all())

    def test_bits_from_integers(self):
        bits = np.array([0x3F80, 0xC000], np.uint16)
        self.assertTrue(np.array_equal(interact.from_bf16(bits), [1, -2]))
        with self.assertRaises(interact.DTypeError):
            interact.from_bf16(np.zeros(2, np.float32))


class ArgumentTest(unittest.TestCase):
    def spec(self, dtype="f32", shape=("n",)):
        return interact.TensorSpec("x", dtype, shape)

    def test_none(self):
        with self.assertRaises(interact.NullPointerError):
            _arrays.as_numpy(None, self.spec(), "argument 'x'")

    def test_lists_take_the_signature_dtype(self):
        array, is_torch = _arrays.as_numpy([1, 2], self.spec("f64"), "x")
        self.assertEqual(array.dtype, np.float64)
        self.assertFalse(is_torch)
        array, _ = _arrays.as_numpy([1.5, 2], self.spec("bf16"), "x")
        self.assertEqual(array.dtype, interact.BF16)
        with self.assertRaises(interact.DTypeError):
            _arrays.as_numpy(["a"], self.spec(), "x")

    def test_arrays_keep_their_dtype(self):
        for array, ok in [(np.zeros(2, np.float32), True),
                          (np.zeros(2, np.float64), False),
                          (np.zeros(2, ">f4"), False),
                          (np.zeros(2, np.uint16), False)]:
            with self.subTest(dtype=array.dtype):
                if ok:
                    _arrays.check_dtype(array, array, self.spec(), "x")
                    continue
                with self.assertRaises(interact.DTypeError) as caught:
                    _arrays.check_dtype(array, array, self.spec(), "arg 'x'")
                self.assertIn("arg 'x' is numpy", str(caught.exception))
                self.assertIn("expected f32", str(caught.exception))

    def test_dlpack_device(self):
        class OnDevice:  # a DLPack producer on CUDA (kDLCUDA = 2)
            def __dlpack__(self, stream=None):
                raise AssertionError("read before its device was checked")

            def __dlpack_device__(self):
                return (2, 0)

        with self.assertRaises(interact.DeviceError):
            _arrays.as_numpy(OnDevice(), self.spec(), "x")

    def test_tensor_description(self):
        array = np.zeros((2, 3), np.float32)[:, ::-1]
        tensor = _abi.Tensor()
        _arrays.fill_tensor(tensor, array, "f32")
        self.assertEqual(tensor.rank, 2)
        self.assertEqual(list(tensor.shape[:2]), [2, 3])
        self.assertEqual(list(tensor.strides[:2]), [3, -1])
        self.assertEqual(tensor.dtype, 2)
        self.assertEqual(tensor.data, array.ctypes.data)
        # A view whose strides are not whole elements is copied.
        odd = np.zeros(9, np.uint8)[1:].view(np.float32)
        self.assertIsNot(_arrays.viewable(odd), odd)

    def test_abi_layout(self):
        # interact_tensor: pointer, enum, int32, 8 + 8 int64s, pointer.
        self.assertEqual(ctypes.sizeof(_abi.Tensor), 8 + 4 + 4 + 64 + 64 + 8)
        self.assertEqual(_abi.LibraryStruct.signature.offset, 16)


class LoadTest(unittest.TestCase):
    def test_missing_file(self):
        with self.assertRaises(interact.LoadError) as caught:
            interact.load("/nonexistent/libmodel.so")
        self.assertIn("/nonexistent/libmodel.so", str(caught.exception))

    def test_not_an_interact_library(self):
        libm = ctypes.util.find_library("m")
        with self.assertRaises(interact.LoadError) as caught:
            interact.load(libm)
        self.assertIn("interact_library_v1", str(caught.exception))

    def test_import_does_not_import_torch(self):
        code = "import interact, sys; print('torch' in sys.modules)"
        out = subprocess.run([sys.executable, "-c", code], check=True,
                             capture_output=True, text=True).stdout
        self.assertEqual(out.strip(), "False")


def main():
    args = sys.argv[1:]
    for arg in list(args):
        if arg.startswith("--expect-package-under="):
            root = os.path.realpath(arg.split("=", 1)[1])
            where = os.path.realpath(interact.__file__)
            if not where.startswith(root + os.sep):
                sys.exit(f"interact was imported from {where}, not from "
                         f"under {root}")
            print(f"interact imported from {where}", flush=True)
            args.remove(arg)
    unittest.main(argv=[sys.argv[0], *args], verbosity=2)


if __name__ == "__main__":
    main()
