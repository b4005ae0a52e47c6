#!/usr/bin/env python3
"""Tests python/interact against a library interact-compile made from
Inputs/layers.mlir: every function against NumPy float64 references (from
NumPy arrays and, where PyTorch is installed, torch tensors), strided and
caller-allocated views, output_shapes, thread counts, 8 Python threads
calling at once, and each bad call (wrong shape, dtype or rank, None,
dynamic dimensions that disagree) raising its exception twice: from
Python's checks, and from the library's own with Python's turned off.

usage: library_test.py LIBLAYERS_SO [unittest arguments]
"""

import gc
import importlib.util
import os
import sys
import threading
import unittest
import zlib

import numpy as np

import interact

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Integration", "CPU"))
from numpy_reference import attention_reference, scan_reference  # noqa: E402

LIBRARY = None
HAVE_TORCH = importlib.util.find_spec("torch") is not None
F32_TOL, F16_TOL, BF16_TOL, F64_TOL = 1e-4, 1e-2, 3e-2, 1e-10


def relative_error(got, ref):
    """max |got - ref| / (|ref| + rms(ref)), as interact-run --check; the
    absolute error where the reference is all zeros (a state after no
    steps)."""
    got = np.asarray(got, np.float64)
    if got.shape != ref.shape:
        raise AssertionError(f"shape {got.shape}, expected {ref.shape}")
    if not ref.size:
        return 0.0
    scale = np.abs(ref) + np.sqrt(np.mean(ref ** 2))
    return float(np.max(np.abs(got - ref) / np.where(scale > 0, scale, 1)))


def decays(rng, shape):
    """Log-decays in (-inf, 0) as Mamba-2 makes them."""
    return (-np.log1p(np.exp(rng.standard_normal(shape) - 4)) *
            rng.uniform(0.5, 3, shape))


def scan_inputs(rng, b, t):
    f32 = lambda *s: rng.standard_normal(s).astype(np.float32)  # noqa: E731
    return [f32(b, t, 4, 8), decays(rng, (b, t, 4)).astype(np.float32),
            f32(b, t, 2, 16), f32(b, t, 2, 16)]


def f64(*arrays):
    return [interact.from_bf16(a).astype(np.float64) if a.dtype == interact.BF16
            else a.astype(np.float64) for a in arrays]


class LibraryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = interact.load(LIBRARY)
        print(cls.lib, file=sys.stderr)

    def setUp(self):
        self.rng = np.random.default_rng(zlib.crc32(self.id().encode()))

    def check(self, got, ref, tol, what):
        err = relative_error(got, ref)
        self.assertLessEqual(err, tol, f"{what}: max relative error {err:.3g}")

    def test_signature(self):
        lib = self.lib
        self.assertEqual(lib.signature["abi"], 1)
        self.assertEqual(set(lib.functions), {"scan", "chunked_f16",
                                              "attention_bf16", "attention_f64",
                                              "cross_attention"})
        scan = lib.scan.signature
        self.assertEqual([a.dtype for a in scan.arguments], ["f32"] * 4)
        self.assertEqual([a.shape[2:] for a in scan.arguments],
                         [(4, 8), (4,), (2, 16), (2, 16)])
        self.assertEqual([r.shape[1:] for r in scan.results],
                         [(scan.arguments[0].shape[1], 4, 8), (4, 8, 16)])
        for spec in scan.arguments:  # b and t are symbols, shared by all
            self.assertEqual(spec.shape[:2], scan.arguments[0].shape[:2])
            self.assertTrue(all(isinstance(d, str) for d in spec.shape[:2]))
        cross = lib.cross_attention.signature.arguments
        self.assertNotEqual(cross[0].shape[1], cross[1].shape[1])  # t and s
        self.assertEqual(cross[1].shape[1], cross[2].shape[1])
        self.assertEqual(lib.attention_bf16.signature.results[0].dtype, "bf16")

    def test_scan(self):
        for b, t in [(1, 1), (2, 7), (3, 40), (2, 0)]:
            with self.subTest(b=b, t=t):
                args = scan_inputs(self.rng, b, t)
                y, s = self.lib.scan(*args)
                self.assertEqual((y.dtype, s.dtype), (np.float32, np.float32))
                y_ref, s_ref = scan_reference(*f64(*args))
                self.check(y, y_ref, F32_TOL, "y")
                self.check(s, s_ref, F32_TOL, "state")

    def test_chunked_f16_with_initial_state(self):
        x, a, B, C = scan_inputs(self.rng, 2, 37)
        x, B, C = (v.astype(np.float16) for v in (x, B, C))
        s0 = self.rng.standard_normal((2, 4, 8, 16)).astype(np.float32)
        y, s = self.lib.chunked_f16(x, a, B, C, s0)
        self.assertEqual((y.dtype, s.dtype), (np.float16, np.float32))
        y_ref, s_ref = scan_reference(*f64(x, a, B, C, s0))
        self.check(y, y_ref, F16_TOL, "y")
        self.check(s, s_ref, F16_TOL, "state")

    def test_attention_bf16_from_numpy(self):
        q, k, v = (interact.to_bf16(self.rng.standard_normal(shape))
                   for shape in [(2, 19, 4, 16), (2, 19, 2, 16), (2, 19, 2, 8)])
        y = self.lib.attention_bf16(q, k, v)
        self.assertEqual(y.dtype, interact.BF16)
        ref = attention_reference(*f64(q, k, v), "softmax", "causal", 0.25)
        self.check(interact.from_bf16(y), ref, BF16_TOL, "y")

    def test_attention_f64_semiseparable(self):
        q, k, v = (self.rng.standard_normal(s) for s in
                   [(2, 23, 2, 8), (2, 23, 1, 8), (2, 23, 1, 4)])
        a = decays(self.rng, (2, 23, 2))
        y = self.lib.attention_f64(q, k, v, a)
        ref = attention_reference(q, k, v, "identity", "semiseparable", 1.0, a)
        self.check(y, ref, F64_TOL, "y")

    def test_cross_attention(self):
        q, k, v = (self.rng.standard_normal(s).astype(np.float32) for s in
                   [(2, 5, 4, 8), (2, 11, 2, 8), (2, 11, 2, 4)])
        y = self.lib.cross_attention(q, k, v)
        self.assertEqual(y.shape, (2, 5, 4, 4))
        ref = attention_reference(*f64(q, k, v), "softmax", "none", 0.5)
        self.check(y, ref, F32_TOL, "y")

    def test_strided_inputs(self):
        """Views go to the library with their strides (Python copies
        nothing): a transpose, a step, a reversed axis and a broadcast."""
        b, t = 2, 33
        x = self.rng.standard_normal((b, 8, 4, t)).astype(np.float32)
        x = x.transpose(0, 3, 2, 1)                    # b x t x 4 x 8
        a = np.broadcast_to(np.float32(-0.1), (b, t, 4))  # zero strides
        B = self.rng.standard_normal((b, 2 * t, 2, 16)).astype(np.float32)
        B = B[:, ::2]                                  # every other step
        C = self.rng.standard_normal((b, t, 2, 16)).astype(np.float32)
        C = C[:, :, :, ::-1]                           # negative stride
        y, s = self.lib.scan(x, a, B, C)
        y_ref, s_ref = scan_reference(*f64(x, a, B, C))
        self.check(y, y_ref, F32_TOL, "y")
        self.check(s, s_ref, F32_TOL, "state")

    def test_out_and_output_shapes(self):
        args = scan_inputs(self.rng, 2, 9)
        shapes = self.lib.output_shapes("scan", *args)
        self.assertEqual(shapes, [(np.dtype(np.float32), (2, 9, 4, 8)),
                                  (np.dtype(np.float32), (2, 4, 8, 16))])
        y_out = np.full((2, 9, 4, 8), np.nan, np.float32)
        s_out = np.full((16, 8, 4, 2), np.nan, np.float32).T  # strided
        y, s = self.lib.scan(*args, out=(y_out, s_out))
        self.assertIs(y, y_out)
        self.assertIs(s, s_out)
        y_ref, s_ref = scan_reference(*f64(*args))
        self.check(y_out, y_ref, F32_TOL, "y")
        self.check(s_out, s_ref, F32_TOL, "state")
        y2, s2 = self.lib.scan(*args, out=(None, np.empty((2, 4, 8, 16),
                                                          np.float32)))
        self.check(y2, y_ref, F32_TOL, "y, library-allocated")
        with self.assertRaises(interact.ShapeError):
            self.lib.scan(*args, out=(np.empty((2, 9, 4, 7), np.float32), None))

    def test_num_threads(self):
        args = scan_inputs(self.rng, 2, 50)
        y_ref, _ = scan_reference(*f64(*args))
        try:
            for n in (1, 2, 3):
                self.lib.set_num_threads(n)
                self.check(self.lib.scan(*args)[0], y_ref, F32_TOL,
                           f"{n} threads")
                self.check(self.lib.scan(*args, num_threads=4 - n)[0], y_ref,
                           F32_TOL, f"{4 - n} threads for one call")
            with self.assertRaises(interact.InvalidValueError):
                self.lib.set_num_threads(-1)
        finally:
            self.lib.set_num_threads(0)

    def test_threads(self):
        """8 Python threads call the library at once, each with its own
        inputs and lengths; every result is checked."""
        errors = []
        barrier = threading.Barrier(8)

        def work(seed):
            rng = np.random.default_rng(1000 + seed)
            calls = []
            for i in range(6):
                args = scan_inputs(rng, 1 + seed % 3, 8 + 13 * seed + i)
                calls.append((args, scan_reference(*f64(*args))))
            barrier.wait()
            try:
                for i, (args, (y_ref, s_ref)) in enumerate(calls):
                    threads = None if i % 2 else 1 + seed % 2
                    y, s = self.lib.scan(*args, num_threads=threads)
                    err = max(relative_error(y, y_ref),
                              relative_error(s, s_ref))
                    if not err <= F32_TOL:
                        errors.append(f"thread {seed} call {i}: max relative "
                                      f"error {err:.3g}")
                    try:
                        self.lib.scan(args[0], args[1][:, 1:], *args[2:])
                        errors.append(f"thread {seed}: bad call accepted")
                    except interact.DimensionMismatchError:
                        pass
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(f"thread {seed}: {error!r}")

        workers = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        self.assertEqual(errors, [])

    def bad_calls(self):
        """(name, arguments, exception class, argument the message names)."""
        x, a, B, C = scan_inputs(self.rng, 2, 10)
        names = [s.name for s in self.lib.scan.signature.arguments]
        return [
            ("wrong static size", (x, a, B[:, :, :1], C[:, :, :1]),
             interact.ShapeError, names[2]),
            ("wrong dtype", (x, a.astype(np.float64), B, C),
             interact.DTypeError, names[1]),
            ("wrong rank", (x, a[..., None], B, C), interact.RankError,
             names[1]),
            ("dynamic dimensions disagree", (x, a[:, :9], B, C),
             interact.DimensionMismatchError, names[1]),
            ("None", (x, a, None, C), interact.NullPointerError, names[2]),
        ]

    def test_bad_calls(self):
        for name, args, error, argument in self.bad_calls():
            with self.subTest(name):
                with self.assertRaises(error) as caught:
                    self.lib.scan(*args)
                self.assertIs(type(caught.exception), error)
                self.assertIn(f"'{argument}'", str(caught.exception))

    def test_bad_calls_library_checks(self):
        """The library's own checks, with Python's turned off, raise the
        same classes with the library's message (last_error)."""
        lib = interact.load(LIBRARY)
        lib._check_in_python = False
        for name, args, error, argument in self.bad_calls():
            with self.subTest(name):
                with self.assertRaises(error) as caught:
                    lib.scan(*args)
                self.assertIs(type(caught.exception), error)
                message = str(caught.exception)
                print(f"library: {name}: {type(caught.exception).__name__}: "
                      f"{message}", file=sys.stderr)
                self.assertTrue(message.startswith("scan: "), message)
                self.assertNotIn("no message", message)
        with self.assertRaises(interact.DimensionMismatchError):
            x, a, B, C = scan_inputs(self.rng, 2, 10)
            lib.output_shapes("scan", x, a, B[:1], C)
        with self.assertRaises(interact.ShapeError):  # an out view
            lib.scan(*scan_inputs(self.rng, 1, 3),
                     out=(np.empty((1, 3, 4, 8), np.float32),
                          np.empty((1, 4, 8, 15), np.float32)))

    def test_outputs_are_freed(self):
        """Results the library allocates are freed with their last view:
        many calls leave the process's memory where it was."""
        def rss():
            with open("/proc/self/statm") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        args = scan_inputs(self.rng, 4, 1024)  # 512 KiB of results a call
        for _ in range(20):
            self.lib.scan(*args)
        gc.collect()
        before = rss()
        for _ in range(400):  # 200 MiB if nothing were freed
            self.lib.scan(*args)
        gc.collect()
        self.assertLess(rss() - before, 64 << 20)


@unittest.skipUnless(HAVE_TORCH, "PyTorch is not installed")
class TorchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import torch
        cls.torch = torch
        cls.lib = interact.load(LIBRARY)

    def test_scan_with_tensors(self):
        torch = self.torch
        args = scan_inputs(np.random.default_rng(5), 2, 21)
        tensors = [torch.from_numpy(a) for a in args]
        tensors[0] = tensors[0].transpose(0, 1).contiguous().transpose(0, 1)
        tensors[1].requires_grad_()
        y, s = self.lib.scan(*tensors)
        self.assertIsInstance(y, torch.Tensor)
        self.assertEqual(y.dtype, torch.float32)
        y_ref, s_ref = scan_reference(*f64(*args))
        self.assertLessEqual(relative_error(y.numpy(), y_ref), F32_TOL)
        self.assertLessEqual(relative_error(s.numpy(), s_ref), F32_TOL)

    def test_bf16_tensors(self):
        torch = self.torch
        rng = np.random.default_rng(6)
        q, k, v = (torch.from_numpy(rng.standard_normal(s).astype(np.float32))
                   .to(torch.bfloat16) for s in
                   [(1, 17, 4, 16), (1, 17, 2, 16), (1, 17, 2, 8)])
        y = self.lib.attention_bf16(q, k, v)
        self.assertEqual(y.dtype, torch.bfloat16)
        ref = attention_reference(*(t.float().numpy().astype(np.float64)
                                    for t in (q, k, v)), "softmax", "causal",
                                  0.25)
        self.assertLessEqual(relative_error(y.float().numpy(), ref), BF16_TOL)

    def test_errors(self):
        torch = self.torch
        x, a, B, C = (torch.from_numpy(v) for v in
                      scan_inputs(np.random.default_rng(7), 1, 4))
        with self.assertRaises(interact.DTypeError) as caught:
            self.lib.scan(x, a.double(), B, C)
        self.assertIn("torch.float64", str(caught.exception))
        with self.assertRaises(interact.DeviceError):
            self.lib.scan(x.to("meta"), a, B, C)


if __name__ == "__main__":
    LIBRARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
