#!/usr/bin/env python3
"""Tests python/interact's GPU path without a GPU, against a hand-written
library whose signature says "device": "cuda" (Inputs/fake_gpu_library.c).
A stand-in for torch holds "CUDA tensors" in host memory, so the test sees
what the loader hands the library: dense data pointers, caller-allocated
outputs, the current stream in interact_call_options.cuda_stream; and what
it refuses: host arrays, CPU tensors, another device, out tensors of the
wrong dtype, shape or layout. Also: status 12 is DeviceError, the options
struct has the header's layout, and with the real torch (where installed)
a CPU tensor given to a GPU library is refused.

usage: gpu_loader_test.py LIBFAKEGPU_SO LIBFAKE_SO [unittest arguments]
"""

import ctypes
import importlib.util
import sys
import types
import unittest

import numpy as np

import interact
from interact import _abi, _cuda

GPU_LIBRARY = CPU_LIBRARY = None
HAVE_TORCH = importlib.util.find_spec("torch") is not None
STREAM = 0xC0FFEE


class FakeDevice:
    def __init__(self, type, index=None):  # noqa: A002 - torch's names
        self.type, self.index = type, index

    def __eq__(self, other):
        return (self.type, self.index or 0) == (other.type, other.index or 0)

    def __repr__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"


class FakeTensor:
    """A "CUDA tensor" over a NumPy array (host memory the fake library
    reads)."""

    copies = 0

    def __init__(self, array, device=FakeDevice("cuda", 0)):
        self.array, self.device = array, device

    dtype = property(lambda self: self.array.dtype)
    shape = property(lambda self: self.array.shape)

    def detach(self):
        return self

    def is_contiguous(self):
        return self.array.flags.c_contiguous

    def contiguous(self):
        if self.is_contiguous():
            return self
        FakeTensor.copies += 1
        return FakeTensor(np.ascontiguousarray(self.array), self.device)

    def data_ptr(self):
        return self.array.ctypes.data

    def numel(self):
        return self.array.size


class FakeDLPack:
    def __init__(self, tensor, device):
        self.tensor, self.device = tensor, device

    def __dlpack__(self, stream=None):
        return self.tensor

    def __dlpack_device__(self):
        return self.device


def fake_torch():
    streams = []
    torch = types.SimpleNamespace(
        Tensor=FakeTensor, device=FakeDevice,
        float16=np.dtype(np.float16), bfloat16="bfloat16",
        float32=np.dtype(np.float32), float64=np.dtype(np.float64),
        int32=np.dtype(np.int32), int64=np.dtype(np.int64),
        from_dlpack=lambda obj: obj.__dlpack__(),
        empty=lambda shape, dtype, device: FakeTensor(np.full(shape, np.nan,
                                                              dtype), device),
        cuda=types.SimpleNamespace(current_stream=lambda device: (
            streams.append(device) or
            types.SimpleNamespace(cuda_stream=STREAM))))
    torch.streams = streams
    return torch


def cuda(array):
    return FakeTensor(np.asarray(array, np.float32))


class GPULoaderTest(unittest.TestCase):
    def setUp(self):
        self.torch = fake_torch()
        self.saved = _cuda.torch_module
        _cuda.torch_module = lambda: self.torch
        self.lib = interact.load(GPU_LIBRARY)
        self.dll = ctypes.CDLL(GPU_LIBRARY)
        self.dll.fakegpu_last_stream.restype = ctypes.c_void_p
        self.dll.fakegpu_last_pointer.restype = ctypes.c_void_p

    def tearDown(self):
        _cuda.torch_module = self.saved

    def test_metadata(self):
        self.assertEqual(self.lib.device, "cuda")
        self.assertEqual(self.lib.target, "sm_90")
        self.assertIn("CUDA tensors", repr(self.lib))
        self.assertEqual(interact.load(CPU_LIBRARY).device, "cpu")

    def test_call(self):
        x, y = cuda([[1, 2, 3]]), cuda([[10, 20, 30]])
        z = self.lib.add(x, y)
        self.assertIsInstance(z, FakeTensor)
        self.assertEqual(z.array.tolist(), [[11, 22, 33]])
        self.assertEqual(z.device, FakeDevice("cuda", 0))
        self.assertEqual(self.dll.fakegpu_last_stream(), STREAM)
        self.assertEqual(self.torch.streams, [FakeDevice("cuda", 0)])
        self.assertEqual(self.dll.fakegpu_last_threads(), 0)
        self.assertEqual([self.dll.fakegpu_last_pointer(i) for i in range(3)],
                         [x.data_ptr(), y.data_ptr(), z.data_ptr()])
        self.assertEqual(self.lib.add(y=y, x=x).array.tolist(),
                         [[11, 22, 33]])
        shapes = self.lib.add.output_shapes(x, y)
        self.assertEqual(shapes, [(np.dtype(np.float32), (1, 3))])

    def test_strided_inputs_are_made_dense(self):
        base = np.arange(12, dtype=np.float32).reshape(3, 4)
        x = FakeTensor(base.T)  # 4 x 3, not contiguous
        copies = FakeTensor.copies
        z = self.lib.add(x, cuda(np.ones((4, 3))))
        self.assertEqual(FakeTensor.copies, copies + 1)
        self.assertTrue(np.array_equal(z.array, base.T + 1))
        self.assertNotEqual(self.dll.fakegpu_last_pointer(0), x.data_ptr())

    def test_out(self):
        x = cuda(np.ones((2, 3)))
        out = cuda(np.zeros((2, 3)))
        self.assertIs(self.lib.add(x, x, out=out), out)
        self.assertEqual(out.array.tolist(), [[2] * 3] * 2)
        self.assertEqual(self.dll.fakegpu_last_pointer(2), out.data_ptr())
        self.assertIs(self.lib.add(x, x, out=[out]), out)
        with self.assertRaises(interact.DeviceError):
            self.lib.add(x, x, out=FakeTensor(np.zeros((3, 2), np.float32).T))
        with self.assertRaises(interact.DTypeError):
            self.lib.add(x, x, out=FakeTensor(np.zeros((2, 3))))
        with self.assertRaises(interact.ShapeError):
            self.lib.add(x, x, out=cuda(np.zeros((2, 4))))
        with self.assertRaises(interact.RankError):
            self.lib.add(x, x, out=cuda(np.zeros(6)))
        with self.assertRaises(interact.ArgumentCountError):
            self.lib.add(x, x, out=(out, out))
        with self.assertRaises(interact.DeviceError):
            self.lib.add(x, x, out=np.zeros((2, 3), np.float32))

    def test_host_memory_is_refused(self):
        x = cuda([[1.0]])
        cases = [np.ones((1, 1), np.float32), [[1.0]],
                 FakeTensor(np.ones((1, 1), np.float32), FakeDevice("cpu")),
                 FakeDLPack(x, (1, 0))]
        for host in cases:
            with self.subTest(type=type(host).__name__):
                with self.assertRaises(interact.DeviceError) as caught:
                    self.lib.add(host, x)
                message = str(caught.exception)
                self.assertIn("argument 'x'", message)
                self.assertIn("host memory", message)
                self.assertIn("tensor.cuda()", message)
                self.assertEqual(caught.exception.status, 12)
        with self.assertRaises(interact.DeviceError) as caught:
            self.lib.add(x, FakeTensor(x.array, FakeDevice("cuda", 1)))
        self.assertIn("cuda:1", str(caught.exception))
        with self.assertRaises(interact.NullPointerError):
            self.lib.add(None, x)

    def test_dlpack_cuda(self):
        x = cuda([[1, 2]])
        z = self.lib.add(FakeDLPack(x, (2, 0)), x)
        self.assertEqual(z.array.tolist(), [[2, 4]])

    def test_checks(self):
        x = cuda(np.ones((2, 3)))
        with self.assertRaises(interact.DTypeError):
            self.lib.add(x, FakeTensor(np.ones((2, 3))))
        with self.assertRaises(interact.DimensionMismatchError):
            self.lib.add(x, cuda(np.ones((2, 4))))
        with self.assertRaises(interact.RankError):
            self.lib.add(x, cuda(np.ones(3)))
        with self.assertRaises(interact.ArgumentCountError):
            self.lib.add(x)

    def test_library_errors(self):
        for code, cls in ((12, interact.DeviceError),
                          (3, interact.DTypeError)):
            with self.assertRaises(cls) as caught:
                self.lib.fail(FakeTensor(np.array([code], np.int32)))
            self.assertEqual(caught.exception.status, code)
            self.assertEqual(str(caught.exception),
                             f"fail: failing with code {code} as asked")

    def test_library_checks_with_python_checks_off(self):
        self.lib._check_in_python = False
        x = cuda(np.ones((2, 3)))
        with self.assertRaises(interact.DimensionMismatchError):
            self.lib.add(x, cuda(np.ones((2, 4))))
        with self.assertRaises(interact.NullPointerError):
            self.lib.add(x, None)


class ABITest(unittest.TestCase):
    def test_device_error_status(self):
        error = interact.errors.error_for_status(12, "no GPU", "f")
        self.assertIs(type(error), interact.DeviceError)
        self.assertEqual(error.status, 12)
        self.assertEqual(interact.DeviceError.status, 12)

    def test_call_options_layout(self):
        # interact_call_options: int32_t num_threads; void *cuda_stream.
        self.assertEqual(ctypes.sizeof(_abi.CallOptions),
                         2 * ctypes.sizeof(ctypes.c_void_p))
        self.assertEqual(_abi.CallOptions.cuda_stream.offset,
                         ctypes.sizeof(ctypes.c_void_p))
        self.assertIsNone(_abi.CallOptions(4).cuda_stream)

    @unittest.skipUnless(HAVE_TORCH, "PyTorch is not installed")
    def test_real_torch_cpu_tensor_is_refused(self):
        import torch
        lib = interact.load(GPU_LIBRARY)
        x = torch.ones(2, 3)
        with self.assertRaises(interact.DeviceError) as caught:
            lib.add(x, x)
        self.assertIn("cpu, in host memory", str(caught.exception))
        self.assertIn("tensor.cuda()", str(caught.exception))


if __name__ == "__main__":
    GPU_LIBRARY, CPU_LIBRARY = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1] + sys.argv[3:], verbosity=2)
