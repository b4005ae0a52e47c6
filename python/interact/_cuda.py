"""Arguments and results of GPU libraries: CUDA device tensors, through
PyTorch.

A library compiled for a GPU target (`interact-compile --target=sm_90`; its
signature says "device": "cuda") takes CUDA device pointers to dense
tensors on device 0 and queues its work on a CUDA stream (interact_abi.h,
"GPU libraries"). Here an argument is a torch CUDA tensor, or any object
with `__dlpack__` whose `__dlpack_device__()` is a CUDA device (read with
`torch.from_dlpack`, no copy); it is made contiguous (`.contiguous()`, a
copy only where it is not) and its `data_ptr()` is passed. Results are
torch tensors allocated here with `torch.empty` on the arguments' device
and passed as caller-allocated outputs; the call is queued on
`torch.cuda.current_stream(device)`, so later torch work on that stream is
ordered after it without a synchronization.

Temporaries (contiguous copies) are dropped when the call returns, before
the GPU has run it: PyTorch's caching allocator reuses a freed block only
for work queued later on the same stream, which runs after this call.
"""

import sys

from . import _abi
from .errors import (DeviceError, DTypeError,
                     NullPointerError, RankError, ShapeError)

# DLPack device types of CUDA memory the GPU reads: kDLCUDA, kDLCUDAManaged.
_CUDA_DEVICES = (2, 13)

#: The CUDA device a GPU library runs on (its primary context, PyTorch's).
LIBRARY_DEVICE = 0

_MOVE_HINT = "this library's tensors live on the GPU: move it with " \
    "tensor.cuda()"


def torch_module():
    """PyTorch, which GPU libraries need for their tensors (tests replace
    this function with a stand-in)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        return torch
    try:
        import torch  # noqa: PLC0415 - only GPU libraries need it
    except ImportError:
        raise DeviceError("this library runs on an NVIDIA GPU and takes "
                          "torch CUDA tensors, but PyTorch is not installed"
                          ) from None
    return torch


def dtype_name(torch, dtype):
    """The ABI dtype name of a torch dtype, or None."""
    return {torch.float16: "f16", torch.bfloat16: "bf16",
            torch.float32: "f32", torch.float64: "f64", torch.int32: "i32",
            torch.int64: "i64"}.get(dtype)


def torch_dtype(torch, name):
    """The torch dtype of an ABI dtype name."""
    return {"f16": torch.float16, "bf16": torch.bfloat16,
            "f32": torch.float32, "f64": torch.float64, "i32": torch.int32,
            "i64": torch.int64}[name]


def _describe_host(obj):
    if type(obj).__module__ == "numpy":
        return "a NumPy array"
    return f"a {type(obj).__name__}"


def as_cuda_tensor(torch, obj, what):
    """A torch CUDA tensor over the memory of `obj` (no copy).

    Raises NullPointerError for None, DeviceError for anything in host
    memory (NumPy arrays, CPU tensors, lists) or on another device type.
    """
    if obj is None:
        raise NullPointerError(f"{what} is None")
    if isinstance(obj, torch.Tensor):
        tensor = obj
    elif hasattr(obj, "__dlpack__") and hasattr(obj, "__dlpack_device__") \
            and type(obj).__module__.split(".")[0] != "numpy":
        device = obj.__dlpack_device__()
        if int(device[0]) not in _CUDA_DEVICES:
            raise DeviceError(f"{what} is a DLPack tensor on device "
                              f"{tuple(device)}, in host memory; {_MOVE_HINT}"
                              if int(device[0]) in (1, 3) else
                              f"{what} is a DLPack tensor on device "
                              f"{tuple(device)}, not a CUDA device; "
                              f"{_MOVE_HINT}")
        tensor = torch.from_dlpack(obj)
    else:
        raise DeviceError(f"{what} is {_describe_host(obj)}, in host memory;"
                          f" {_MOVE_HINT}")
    device = tensor.device
    if device.type != "cuda":
        raise DeviceError(f"{what} is a tensor on {device}, in host memory;"
                          f" {_MOVE_HINT}" if device.type == "cpu" else
                          f"{what} is a tensor on {device}; {_MOVE_HINT}")
    if (device.index or 0) != LIBRARY_DEVICE:
        raise DeviceError(f"{what} is on {device}; GPU libraries run on CUDA "
                          f"device {LIBRARY_DEVICE} (its primary context): "
                          f"move it with tensor.to('cuda:{LIBRARY_DEVICE}')")
    return tensor.detach()


def check(torch, tensor, spec, what):
    """Raises DTypeError or RankError unless `tensor` has `spec`'s dtype
    and at most interact's rank."""
    if len(tensor.shape) > _abi.MAX_RANK:
        raise RankError(f"{what} has rank {len(tensor.shape)}; interact "
                        f"tensors have at most {_abi.MAX_RANK} dimensions")
    name = dtype_name(torch, tensor.dtype)
    if name != spec.dtype:
        raise DTypeError(f"{what} is {tensor.dtype}, expected {spec.dtype} "
                         f"({spec})")


def dense(tensor):
    """`tensor` with its values in dense C-order memory: itself, or a
    contiguous copy (negated views resolved: their memory holds the values
    before negation)."""
    for resolve in ("resolve_conj", "resolve_neg"):
        method = getattr(tensor, resolve, None)
        if method is not None:
            tensor = method()
    return tensor.contiguous()


def check_out(torch, obj, spec, shape, what):
    """The caller's `out` entry as a torch CUDA tensor the call may write:
    of `spec`'s dtype, of `shape`, contiguous."""
    tensor = as_cuda_tensor(torch, obj, what)
    check(torch, tensor, spec, what)
    got = tuple(tensor.shape)
    if len(got) != len(shape):
        raise RankError(f"{what} has rank {len(got)} (shape {got}), the call "
                        f"produces rank {len(shape)}: {shape}")
    if got != tuple(shape):
        raise ShapeError(f"{what} has shape {got}, the call produces "
                         f"{tuple(shape)} ({spec})")
    if not tensor.is_contiguous():
        raise DeviceError(f"{what} is not contiguous; a GPU library "
                          "writes dense tensors only (pass torch.empty(...) "
                          "and copy from it)")
    return tensor


def fill_tensor(tensor, obj, name, empty_address):
    """Describes dense torch tensor `obj` (ABI dtype `name`) in
    interact_tensor `tensor`: its device pointer, shape and C-order strides.
    A tensor of no elements, whose pointer may be NULL, gets
    `empty_address` (never read: the library neither copies nor launches
    over no elements)."""
    shape = tuple(obj.shape)
    tensor.data = obj.data_ptr() if obj.numel() else empty_address
    tensor.dtype = _abi.CODE_OF[name]
    tensor.rank = len(shape)
    stride = 1
    for d in range(len(shape) - 1, -1, -1):
        tensor.shape[d] = shape[d]
        tensor.strides[d] = stride
        stride *= shape[d]
    tensor.owner = None
