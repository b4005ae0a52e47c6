"""Arguments and results as host NumPy arrays, whatever framework they
come from.

An argument is a NumPy array, a PyTorch tensor, any other object with
`__dlpack__` in host memory, or anything `numpy.asarray` accepts. Each
becomes a NumPy view of the same memory (no copy, except for nested lists
and scalars, or a view whose strides are not whole elements), described to
the library by its data pointer, shape and strides in elements.
"""

import ctypes
import sys

import numpy as np

from . import _abi
from .errors import DeviceError, DTypeError, InvalidValueError, NullPointerError

# DLPack device types whose memory the host can read: kDLCPU, kDLCUDAHost.
_HOST_DEVICES = (1, 3)

# A non-null address for views of no elements, whose data pointer a
# framework may leave null: the library rejects null data pointers.
_EMPTY = ctypes.c_int64(0)
_EMPTY_ADDRESS = ctypes.addressof(_EMPTY)

_BF16_HINT = ("bf16 data is a NumPy array of dtype interact.BF16 (from "
              "interact.to_bf16(values), or raw bits with .view(interact.BF16))"
              " or a torch.bfloat16 tensor")


def to_bf16(values):
    """Rounds `values` (any real array-like) to bfloat16, to nearest even.

    Returns a NumPy array of dtype `interact.BF16` (two-byte void items
    holding the bits), the form bf16 arguments take from NumPy. NaN stays
    NaN; values beyond bfloat16's range round to infinity.
    """
    f32 = np.array(values, np.float32, ndmin=1)
    shape = np.shape(values)
    bits = f32.view(np.uint32)
    sixteen = np.uint32(16)
    with np.errstate(over="ignore"):  # NaNs wrap; they are redone below
        lsb = (bits >> sixteen) & np.uint32(1)
        rounded = ((bits + np.uint32(0x7FFF) + lsb) >> sixteen).astype(
            np.uint16)
    nan = np.isnan(f32)
    if nan.any():  # rounding could carry a NaN's payload into infinity
        rounded[nan] = (bits[nan] >> sixteen).astype(np.uint16) | \
            np.uint16(0x0040)
    return rounded.reshape(shape).view(_abi.BF16)


def from_bf16(array):
    """The float32 values of a bf16 array (dtype `interact.BF16`, or
    uint16/int16 bits); exact, since every bfloat16 is a float32."""
    array = np.asarray(array)
    if array.dtype.itemsize != 2:
        raise DTypeError(f"from_bf16 takes two-byte items, not {array.dtype}")
    bits = np.array(array.view(np.uint16), np.uint32, ndmin=1)
    return (bits << np.uint32(16)).view(np.float32).reshape(array.shape)


def _torch():
    """The torch module if it is imported: a torch tensor cannot exist
    otherwise, so interact never imports torch itself."""
    return sys.modules.get("torch")


def is_torch_tensor(obj):
    torch = _torch()
    return torch is not None and isinstance(obj, torch.Tensor)


# Native byte order only: a big-endian dtype is neither equal nor hashed
# the same.
_NAME_OF_DTYPE = {numpy_dtype: name for name, _, numpy_dtype in _abi.DTYPES}


def dtype_name(dtype):
    """The ABI dtype name ("f32", ...) of a NumPy dtype, or None."""
    name = _NAME_OF_DTYPE.get(dtype)
    if name is None and dtype.itemsize == 2 and dtype.name == "bfloat16":
        return "bf16"  # ml_dtypes' bfloat16 (JAX's NumPy arrays)
    return name


def _from_torch(tensor, what):
    """A NumPy view of a CPU torch tensor (bf16 as interact.BF16)."""
    torch = _torch()
    if tensor.device.type != "cpu":
        raise DeviceError(f"{what} is a tensor on {tensor.device}; this "
                          "library reads host memory: pass tensor.cpu()")
    tensor = tensor.detach()
    if tensor.dtype == torch.bfloat16:
        return tensor.view(torch.int16).numpy().view(_abi.BF16)
    if tensor.is_complex() or tensor.is_quantized or tensor.is_sparse:
        raise DTypeError(f"{what} is a {tensor.dtype} tensor; interact "
                         "libraries take f16, bf16, f32, f64, i32 and i64")
    try:
        return tensor.resolve_neg().numpy()
    except (TypeError, RuntimeError) as error:
        raise DTypeError(f"{what} is a {tensor.dtype} tensor that NumPy "
                         f"cannot view: {error}") from None


def _from_dlpack(obj, what):
    """A NumPy view of a DLPack tensor in host memory."""
    try:
        device = obj.__dlpack_device__()
    except Exception:  # noqa: BLE001 - older producers have only __dlpack__
        device = None
    if device is not None and int(device[0]) not in _HOST_DEVICES:
        raise DeviceError(f"{what} is a DLPack tensor on device {tuple(device)}"
                          "; this library reads host memory: copy it to the "
                          "CPU first")
    try:
        return np.from_dlpack(obj)
    except (TypeError, BufferError, RuntimeError, ValueError) as error:
        raise DTypeError(f"{what}: NumPy cannot view this DLPack tensor "
                         f"({error}); {_BF16_HINT}") from None


def as_numpy(obj, spec, what):
    """Returns (a NumPy view of `obj`, whether `obj` is a torch tensor).

    `spec` is the argument's TensorSpec: objects without a dtype of their
    own (lists, scalars) are converted to its dtype; arrays keep theirs and
    are checked by `check_dtype`. `what` names the argument in messages.

    Raises NullPointerError for None, DeviceError for tensors outside host
    memory, DTypeError for data NumPy cannot hold.
    """
    if obj is None:
        raise NullPointerError(f"{what} is None")
    if isinstance(obj, np.ndarray):
        return obj, False
    if is_torch_tensor(obj):
        return _from_torch(obj, what), True
    if hasattr(obj, "__dlpack__"):
        return _from_dlpack(obj, what), False
    try:
        if hasattr(obj, "dtype") or hasattr(obj, "__array__") or \
                hasattr(obj, "__array_interface__"):
            return np.asarray(obj), False
        if spec.dtype == "bf16":
            return to_bf16(np.asarray(obj, np.float32)), False
        # Lists and scalars take the argument's dtype (floats rounded), but
        # integers only where it holds them: 2**40 is no i32.
        converted = np.asarray(obj, _abi.NUMPY_OF[spec.dtype])
        exact = spec.dtype not in ("i32", "i64") or np.array_equal(
            np.asarray(obj, dtype=object), converted.astype(object))
    except (TypeError, ValueError, OverflowError) as error:
        raise DTypeError(f"{what} cannot be read as {spec.dtype} data: "
                         f"{error}") from None
    if not exact:
        raise DTypeError(f"{what} holds values that {spec.dtype} cannot "
                         "represent exactly")
    return converted, False


def describe(obj, array):
    """The type of an argument in words, as its own framework names it."""
    if is_torch_tensor(obj):
        return str(obj.dtype)
    return f"numpy {array.dtype}" if array.dtype.byteorder != ">" else \
        f"numpy {array.dtype.str} (big-endian)"


def check_dtype(obj, array, spec, what):
    """Raises DTypeError unless `array` holds `spec.dtype`."""
    name = dtype_name(array.dtype)
    if name == spec.dtype:
        return
    message = f"{what} is {describe(obj, array)}, expected {spec.dtype} ({spec})"
    if spec.dtype == "bf16":
        message += f"; {_BF16_HINT}"
    raise DTypeError(message)


def check_writeable(array, what):
    if not array.flags.writeable:
        raise InvalidValueError(f"{what} is read-only")


def viewable(array):
    """`array`, or a dense copy where its strides are not whole elements or
    its data is misaligned (rare: views into structured or byte buffers)."""
    item = array.dtype.itemsize
    if array.ctypes.data % item or any(s % item for s in array.strides):
        return np.array(array, order="C")  # a fresh, aligned copy
    return array


def fill_tensor(tensor, array, dtype):
    """Describes NumPy `array` (ABI dtype name `dtype`) in interact_tensor
    `tensor`: its data pointer, shape, and strides in elements."""
    item = array.dtype.itemsize
    tensor.data = array.ctypes.data or _EMPTY_ADDRESS
    tensor.dtype = _abi.CODE_OF[dtype]
    tensor.rank = array.ndim
    for i, (size, stride) in enumerate(zip(array.shape, array.strides)):
        tensor.shape[i] = size
        tensor.strides[i] = stride // item
    tensor.owner = None


def to_torch(array):
    """A torch tensor over the memory of NumPy `array` (no copy; it keeps
    `array`, and so the memory, alive)."""
    torch = _torch()
    if array.dtype == _abi.BF16 or dtype_name(array.dtype) == "bf16":
        return torch.from_numpy(array.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(array)
