"""ctypes declarations of interact_abi.h (include/interact/ABI/).

The structs, enums and function-pointer types here mirror the header field
for field; the numbering of dtypes and return codes is part of the ABI.
"""

import ctypes

import numpy as np

ABI_VERSION = 1
MAX_RANK = 8

OK = 0

#: bfloat16 as NumPy holds it: two-byte void items with a bfloat16's bits
#: (NumPy has no bfloat16). The repository's .npy files use the same
#: convention; `interact.to_bf16` and `interact.from_bf16` convert.
BF16 = np.dtype("V2")

# interact_dtype: (ABI name, enum value, NumPy dtype).
DTYPES = [
    ("f16", 0, np.dtype(np.float16)),
    ("bf16", 1, BF16),
    ("f32", 2, np.dtype(np.float32)),
    ("f64", 3, np.dtype(np.float64)),
    ("i32", 4, np.dtype(np.int32)),
    ("i64", 5, np.dtype(np.int64)),
]
CODE_OF = {name: code for name, code, _ in DTYPES}
NAME_OF_CODE = {code: name for name, code, _ in DTYPES}
NUMPY_OF = {name: dtype for name, _, dtype in DTYPES}


class Tensor(ctypes.Structure):
    """interact_tensor: a strided view; shapes and strides in elements."""

    _fields_ = [
        ("data", ctypes.c_void_p),
        ("dtype", ctypes.c_int),  # interact_dtype: a C enum is an int
        ("rank", ctypes.c_int32),
        ("shape", ctypes.c_int64 * MAX_RANK),
        ("strides", ctypes.c_int64 * MAX_RANK),
        ("owner", ctypes.c_void_p),
    ]


class CallOptions(ctypes.Structure):
    """interact_call_options: `num_threads` (CPU libraries; 0 the library's
    setting) and `cuda_stream` (GPU libraries: the CUstream the call's work
    is queued on; NULL the default stream)."""

    _fields_ = [("num_threads", ctypes.c_int32),
                ("cuda_stream", ctypes.c_void_p)]


TensorPtr = ctypes.POINTER(Tensor)

# CFUNCTYPE pointers release the GIL for the duration of each call, so
# Python threads run library calls concurrently.
SignatureFn = ctypes.CFUNCTYPE(ctypes.c_char_p)
CallFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, TensorPtr,
                          ctypes.c_int64, TensorPtr, ctypes.c_int64,
                          ctypes.POINTER(CallOptions))
OutputShapesFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, TensorPtr,
                                  ctypes.c_int64, TensorPtr, ctypes.c_int64)
LastErrorFn = ctypes.CFUNCTYPE(ctypes.c_char_p)
SetNumThreadsFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int32)
TensorFreeFn = ctypes.CFUNCTYPE(None, TensorPtr)


class LibraryStruct(ctypes.Structure):
    """interact_library: what interact_library_v1() returns."""

    _fields_ = [
        ("abi_version", ctypes.c_int32),
        ("prefix", ctypes.c_char_p),
        ("signature", SignatureFn),
        ("call", CallFn),
        ("output_shapes", OutputShapesFn),
        ("last_error", LastErrorFn),
        ("set_num_threads", SetNumThreadsFn),
        ("tensor_free", TensorFreeFn),
    ]
