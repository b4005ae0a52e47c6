"""Call libraries made by interact-compile from Python, with NumPy arrays or
PyTorch tensors.

    import interact
    lib = interact.load("out/libmamba2_block.so")
    print(lib)                          # its functions and their signatures
    y, state = lib.mamba2_block(u, w_x, w_z, w_b, w_c, w_dt, dt_bias,
                                a_log, d_skip, w_out)

Pure Python over ctypes and the C ABI of include/interact/ABI/interact_abi.h;
needs only NumPy. PyTorch tensors (on the CPU) work without this package
importing torch: results come back in the callers' framework.

GPU libraries (`interact-compile --target=sm_90`; `lib.device == "cuda"`)
take and return torch CUDA tensors instead, queued on PyTorch's current
stream (these need PyTorch); host arrays given to them raise DeviceError.

Public names: `load`, `Library`, `Function`, `FunctionSignature`,
`TensorSpec`, `BF16`, `to_bf16`, `from_bf16`, and the exceptions (`Error`
and its subclasses, see interact.errors).
"""

from ._abi import ABI_VERSION, BF16
from ._arrays import from_bf16, to_bf16
from .errors import (ArgumentCountError, DeviceError, DimensionMismatchError,
                     DTypeError, Error, InvalidValueError, LoadError,
                     NoFunctionError, NullPointerError, OutOfMemoryError,
                     RankError, ShapeError, UnknownShapeError,
                     UnsupportedCPUError)
from .library import Function, Library, load
from .signature import FunctionSignature, TensorSpec, parse_signature

__version__ = "0.1.0"

__all__ = [
    "ABI_VERSION", "BF16", "from_bf16", "to_bf16", "load", "Library",
    "Function", "FunctionSignature", "TensorSpec", "parse_signature", "Error",
    "LoadError", "NullPointerError", "ArgumentCountError", "DTypeError",
    "RankError", "ShapeError", "DimensionMismatchError", "InvalidValueError",
    "NoFunctionError", "OutOfMemoryError", "UnknownShapeError", "DeviceError",
    "UnsupportedCPUError",
]
