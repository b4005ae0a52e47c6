#!/usr/bin/env python3
"""Tests python/interact against a hand-written library with interact's C
ABI (Inputs/fake_library.c), so the loader's side of the contract is tested
without interact-compile: ownership of the outputs the library allocates,
strided and caller-allocated views, dtypes, the mapping of every return code
and its message, thread counts, and concurrent calls.

usage: fake_library_test.py LIBFAKE_SO [unittest arguments]
"""

import ctypes
import gc
import importlib.util
import os
import sys
import threading
import unittest

import numpy as np

import interact

LIBRARY = None
HAVE_TORCH = importlib.util.find_spec("torch") is not None


def live_allocations():
    """Outputs the fake library allocated that are not freed yet."""
    return ctypes.CDLL(LIBRARY).fake_live_allocations()


class FakeLibraryTest(unittest.TestCase):
    def setUp(self):
        self.lib = interact.load(LIBRARY)
        gc.collect()
        self.live = live_allocations()

    def tearDown(self):
        gc.collect()
        self.assertEqual(live_allocations(), self.live, "an output leaked")

    def test_metadata(self):
        lib = self.lib
        self.assertEqual(lib.prefix, "fake")
        self.assertEqual(lib.target, "none")
        self.assertEqual(lib.functions, ["add", "pair", "copy16", "negate16",
                                         "grow", "threads", "fail"])
        self.assertEqual(lib.signature["abi"], 1)
        self.assertIn("add(x: f32[b, n], y: f32[b, n]) -> f32[b, n]",
                      repr(lib))
        self.assertIn("pair", dir(lib))
        self.assertIs(lib.add, lib["add"])
        self.assertIn("x: f32[b, n]", lib.add.__doc__)
        with self.assertRaises(AttributeError):
            lib.missing
        with self.assertRaises(interact.NoFunctionError):
            lib.call("missing")

    def test_library_allocates_and_frees(self):
        x = np.arange(6, dtype=np.float32).reshape(2, 3)
        y = self.lib.add(x, x)
        self.assertEqual(live_allocations(), self.live + 1)
        self.assertTrue(np.array_equal(y, 2 * x))
        self.assertTrue(y.flags.c_contiguous and y.flags.writeable)
        view = y[1:]
        del y
        gc.collect()
        self.assertEqual(live_allocations(), self.live + 1)  # view holds it
        self.assertTrue(np.array_equal(view, 2 * x[1:]))
        del view
        gc.collect()
        self.assertEqual(live_allocations(), self.live)

    def test_results_and_dtypes(self):
        twice, nxt = self.lib.pair(np.ones((2, 3)), np.array([4, -1]))
        self.assertEqual(twice.dtype, np.float64)
        self.assertTrue(np.array_equal(twice, np.full((2, 3), 2.0)))
        self.assertEqual(nxt.dtype, np.int32)
        self.assertEqual(nxt.tolist(), [5, 0])
        half = self.lib.negate16(np.array([1, -2.5], np.float16))
        self.assertEqual(half.dtype, np.float16)
        self.assertEqual(half.tolist(), [-1, 2.5])
        bf = self.lib.copy16(interact.to_bf16([1.5, -3.0, 1e-3]))
        self.assertEqual(bf.dtype, interact.BF16)
        self.assertTrue(np.array_equal(interact.from_bf16(bf),
                                       interact.from_bf16(interact.to_bf16(
                                           [1.5, -3.0, 1e-3]))))
        self.assertIsNone(self.lib.fail(np.array([0], np.int32)))
        # Lists and scalars take the signature's dtype.
        self.assertEqual(self.lib.add([[1, 2]], [[3, 4]]).tolist(), [[4, 6]])

    def test_named_arguments(self):
        x = np.ones((1, 2), np.float32)
        self.assertEqual(self.lib.add(y=2 * x, x=x).tolist(), [[3, 3]])
        self.assertEqual(self.lib.add(x, y=x).tolist(), [[2, 2]])
        with self.assertRaises(interact.ArgumentCountError):
            self.lib.add(x, x=x)
        with self.assertRaises(interact.ArgumentCountError):
            self.lib.add(x, z=x)
        with self.assertRaises(interact.ArgumentCountError):
            self.lib.add(y=x)
        with self.assertRaises(interact.ArgumentCountError):
            self.lib.add(x, x, x)

    def test_strided_inputs(self):
        base = np.arange(24, dtype=np.float32).reshape(4, 6)
        views = [base[::2, ::3], base[:, ::-1][1:3, :3], base.T[:3, :2],
                 np.broadcast_to(np.float32(7), (2, 3)),
                 np.zeros(25, np.uint8)[1:].view(np.float32).reshape(2, 3)]
        for view in views:
            with self.subTest(strides=view.strides):
                other = np.ones(view.shape, np.float32)
                self.assertTrue(np.array_equal(self.lib.add(view, other),
                                               view + 1))

    def test_out(self):
        x = np.arange(6, dtype=np.float32).reshape(2, 3)
        out = np.zeros((2, 3), np.float32)
        self.assertIs(self.lib.add(x, x, out=out), out)
        self.assertTrue(np.array_equal(out, 2 * x))
        strided = np.zeros((3, 2), np.float32).T
        self.lib.add(x, x, out=(strided,))
        self.assertTrue(np.array_equal(strided, 2 * x))
        nxt = np.zeros(2, np.int32)
        twice, same = self.lib.pair(np.ones((2, 3)), [1, 2], out=(None, nxt))
        self.assertIs(same, nxt)
        self.assertEqual(nxt.tolist(), [2, 3])
        self.assertTrue(np.array_equal(twice, np.full((2, 3), 2.0)))
        self.assertEqual(live_allocations(), self.live + 1)
        del twice
        bad = [(np.zeros((3, 2), np.float32), interact.ShapeError),
               (np.zeros(6, np.float32), interact.RankError),
               (np.zeros((2, 3), np.float64), interact.DTypeError),
               (np.zeros((2, 3), np.float32).view(), interact.InvalidValueError),
               ((out, out), interact.ArgumentCountError)]
        bad[3][0].flags.writeable = False
        for array, error in bad:
            with self.subTest(error=error.__name__):
                with self.assertRaises(error):
                    self.lib.add(x, x, out=array)
        with self.assertRaises(interact.UnknownShapeError):
            self.lib.grow([1, 2], out=np.zeros(3, np.float32))

    def test_output_shapes(self):
        self.assertEqual(self.lib.output_shapes("pair", np.ones((5, 3)),
                                                np.ones(5, np.int64)),
                         [(np.dtype(np.float64), (5, 3)),
                          (np.dtype(np.int32), (5,))])
        self.assertEqual(self.lib.copy16.output_shapes(
            interact.to_bf16([1, 2])), [(interact.BF16, (2,))])
        with self.assertRaises(interact.UnknownShapeError) as caught:
            self.lib.output_shapes("grow", [1, 2])
        self.assertIn("only the call knows", str(caught.exception))
        # The library allocates a result of a size only the call knows.
        self.assertEqual(self.lib.grow([1, 2]).tolist(), [0, 1, 2])

    def test_python_checks(self):
        x = np.ones((2, 3), np.float32)
        cases = [((x, None), interact.NullPointerError, "argument 'y' is None"),
                 ((x, x.astype(np.float64)), interact.DTypeError,
                  "argument 'y' is numpy float64, expected f32"),
                 ((x, x[0]), interact.RankError,
                  "argument 'y' has rank 1"),
                 ((x, np.ones((2, 4), np.float32)),
                  interact.DimensionMismatchError,
                  "argument 'y' has n = 4 (dimension 1), but argument 'x' "
                  "has n = 3 (dimension 1)")]
        for args, error, message in cases:
            with self.subTest(error=error.__name__):
                with self.assertRaises(error) as caught:
                    self.lib.add(*args)
                self.assertIs(type(caught.exception), error)
                self.assertIn(message, str(caught.exception))
        with self.assertRaises(interact.ShapeError) as caught:
            self.lib.pair(np.ones((2, 4)), np.ones(2, np.int64))
        self.assertIs(type(caught.exception), interact.ShapeError)
        self.assertIn("argument 'u' has size 4 in dimension 1, expected 3",
                      str(caught.exception))
        with self.assertRaises(interact.RankError):
            self.lib.add(np.ones((1,) * 9, np.float32), x)

    def test_library_checks(self):
        """With Python's checks off, the library's codes reach the caller
        as the same exception classes, with the library's message."""
        self.lib._check_in_python = False
        x = np.ones((2, 3), np.float32)
        cases = [((x, None), interact.NullPointerError,
                  "an argument's data is NULL"),
                 ((x, x.astype(np.float64)), interact.DTypeError,
                  "an argument has the wrong dtype"),
                 ((x, x[0]), interact.RankError,
                  "an argument has the wrong rank"),
                 ((x, np.ones((2, 4), np.float32)),
                  interact.DimensionMismatchError, "n differs")]
        for args, error, message in cases:
            with self.subTest(error=error.__name__):
                with self.assertRaises(error) as caught:
                    self.lib.add(*args)
                self.assertIs(type(caught.exception), error)
                self.assertEqual(str(caught.exception), f"add: {message}")
                self.assertEqual(caught.exception.function, "add")

    def test_every_return_code(self):
        classes = {1: interact.NullPointerError, 2: interact.ArgumentCountError,
                   3: interact.DTypeError, 4: interact.RankError,
                   5: interact.ShapeError, 6: interact.DimensionMismatchError,
                   7: interact.InvalidValueError, 8: interact.NoFunctionError,
                   9: interact.OutOfMemoryError, 10: interact.UnknownShapeError}
        for code, cls in classes.items():
            with self.subTest(code=code):
                with self.assertRaises(cls) as caught:
                    self.lib.fail(np.array([code], np.int32))
                self.assertIs(type(caught.exception), cls)
                self.assertEqual(caught.exception.status, code)
                self.assertEqual(str(caught.exception),
                                 f"fail: failing with code {code} as asked")
        with self.assertRaises(interact.Error) as caught:
            self.lib.fail([99])
        self.assertEqual(caught.exception.status, 99)

    def test_num_threads(self):
        try:
            self.lib.set_num_threads(3)
            self.assertEqual(self.lib.threads().tolist(), [3])
            self.assertEqual(self.lib.threads(num_threads=5).tolist(), [5])
            self.assertEqual(self.lib.threads(num_threads=0).tolist(), [3])
            with self.assertRaises(interact.InvalidValueError):
                self.lib.set_num_threads(-1)
            with self.assertRaises(interact.InvalidValueError):
                self.lib.threads(num_threads=-2)
            with self.assertRaises(TypeError):
                self.lib.threads(num_threads=1.5)
        finally:
            self.lib.set_num_threads(0)

    def test_threads(self):
        """8 threads call one library at once, each with its own shapes;
        every result is checked, and every output freed."""
        errors = []
        barrier = threading.Barrier(8)

        def work(seed):
            rng = np.random.default_rng(seed)
            barrier.wait()
            try:
                for i in range(200):
                    shape = (1 + seed, 1 + i % 17)
                    x = rng.standard_normal(shape).astype(np.float32)
                    y = rng.standard_normal(shape).astype(np.float32)
                    if not np.array_equal(self.lib.add(x, y), x + y):
                        errors.append(f"thread {seed} call {i} differs")
                    if i % 50 == 0:
                        try:
                            self.lib.fail([3])
                        except interact.DTypeError as error:
                            if "code 3" not in str(error):
                                errors.append(f"thread {seed}: {error}")
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(f"thread {seed}: {error!r}")

        threads = [threading.Thread(target=work, args=(s,)) for s in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])


@unittest.skipUnless(HAVE_TORCH, "PyTorch is not installed")
class TorchTest(unittest.TestCase):
    def setUp(self):
        import torch
        self.torch = torch
        self.lib = interact.load(LIBRARY)
        gc.collect()
        self.live = live_allocations()

    def tearDown(self):
        gc.collect()
        self.assertEqual(live_allocations(), self.live, "an output leaked")

    def test_tensors_in_tensors_out(self):
        torch = self.torch
        x = torch.arange(6, dtype=torch.float32).reshape(2, 3)
        x.requires_grad_()
        y = self.lib.add(x, x.detach().t().contiguous().t())
        self.assertIsInstance(y, torch.Tensor)
        self.assertTrue(torch.equal(y, 2 * x.detach()))
        self.assertEqual(live_allocations(), self.live + 1)
        del y
        gc.collect()
        self.assertEqual(live_allocations(), self.live)
        # Mixed NumPy and torch arguments give torch results.
        z = self.lib.add(np.ones((2, 3), np.float32), x)
        self.assertIsInstance(z, torch.Tensor)
        twice, nxt = self.lib.pair(torch.ones(2, 3, dtype=torch.float64),
                                   torch.tensor([1, 2]))
        self.assertEqual(nxt.dtype, torch.int32)
        self.assertEqual(nxt.tolist(), [2, 3])

    def test_bf16_and_f16(self):
        torch = self.torch
        values = torch.tensor([1.5, -2.0, 3.0, 0.1], dtype=torch.bfloat16)
        got = self.lib.copy16(values[::2])
        self.assertEqual(got.dtype, torch.bfloat16)
        self.assertTrue(torch.equal(got, values[::2]))
        half = self.lib.negate16(torch.tensor([1.0, 2.0], dtype=torch.float16))
        self.assertEqual(half.dtype, torch.float16)
        self.assertEqual(half.tolist(), [-1.0, -2.0])

    def test_out_tensors(self):
        torch = self.torch
        x = torch.ones(2, 3)
        out = torch.zeros(3, 2).t()
        self.assertIs(self.lib.add(x, x, out=out), out)
        self.assertTrue(torch.equal(out, torch.full((2, 3), 2.0)))

    def test_errors(self):
        torch = self.torch
        x = torch.ones(2, 3)
        with self.assertRaises(interact.DTypeError) as caught:
            self.lib.add(x, x.double())
        self.assertIn("torch.float64", str(caught.exception))
        with self.assertRaises(interact.DeviceError) as caught:
            self.lib.add(x, torch.ones(2, 3, device="meta"))
        self.assertIn("meta", str(caught.exception))


if __name__ == "__main__":
    LIBRARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
