"""The exceptions interact raises.

Every exception is an `Error`. A call that the library refuses raises the
class of its return code (`interact_status` in interact_abi.h), with the
library's own message; the same classes are raised by the checks Python
makes before calling, so a bad call fails the same way whichever side
catches it. Each class also derives from the built-in exception a Python
caller would expect (`TypeError` for a wrong dtype, `ValueError` for a wrong
shape, ...), so generic handlers keep working.
"""


class Error(Exception):
    """Base class of interact's exceptions.

    Attributes:
      status: the library's return code (an `interact_status` value), or
        None for errors that have no code (loading).
      function: the name of the library function called, or None.
    """

    status = None

    def __init__(self, message, function=None):
        super().__init__(message)
        self.function = function


class LoadError(Error, OSError):
    """The file is not a loadable interact library: it does not exist, the
    dynamic loader refused it, it exports no interact_library_v1, or its ABI
    version or signature is not one this package understands."""


class NullPointerError(Error, TypeError):
    """An argument or output is None (INTERACT_ERROR_NULL_POINTER)."""

    status = 1


class ArgumentCountError(Error, TypeError):
    """Too few or too many arguments or outputs
    (INTERACT_ERROR_ARGUMENT_COUNT)."""

    status = 2


class DTypeError(Error, TypeError):
    """An argument or output has the wrong element type
    (INTERACT_ERROR_DTYPE)."""

    status = 3


class ShapeError(Error, ValueError):
    """A static dimension differs from the signature's
    (INTERACT_ERROR_SHAPE). Base class of `RankError` and
    `DimensionMismatchError`, so `except ShapeError` catches every shape
    problem."""

    status = 5


class RankError(ShapeError):
    """An argument or output has the wrong number of dimensions
    (INTERACT_ERROR_RANK)."""

    status = 4


class DimensionMismatchError(ShapeError):
    """Two dimensions with one symbol disagree, say the `t` of `x` and of
    `a` (INTERACT_ERROR_DIMENSION_MISMATCH)."""

    status = 6


class InvalidValueError(Error, ValueError):
    """A negative or absurd size or thread count
    (INTERACT_ERROR_INVALID_VALUE)."""

    status = 7


class NoFunctionError(Error, LookupError):
    """The library has no function of that name
    (INTERACT_ERROR_NO_FUNCTION)."""

    status = 8


class OutOfMemoryError(Error, MemoryError):
    """The library could not allocate an output or its workspace
    (INTERACT_ERROR_OUT_OF_MEMORY)."""

    status = 9


class UnknownShapeError(Error, ValueError):
    """A result's shape depends on more than the inputs' shapes, so it
    cannot be written into a caller's buffer (INTERACT_ERROR_UNKNOWN_SHAPE);
    let the library allocate it instead."""

    status = 10


class UnsupportedCPUError(Error, RuntimeError):
    """The library was compiled for an instruction set this CPU lacks
    (INTERACT_ERROR_UNSUPPORTED_CPU): an x86-64-v4 (AVX-512) library on an
    AVX2 machine. Compile it again with --target=x86-64-v3 or host."""

    status = 11


class DeviceError(Error, ValueError):
    """A tensor is in the wrong memory, or the GPU is not usable
    (INTERACT_ERROR_DEVICE).

    Raised by Python's checks for a CUDA tensor given to a CPU library
    (move it first: `tensor.cpu()`) and for a host array or CPU tensor given
    to a GPU library (`tensor.cuda()`); raised with the library's message
    when a GPU library finds no usable CUDA device, a driver error, or a
    tensor that is not dense."""

    status = 12


_BY_STATUS = {cls.status: cls for cls in (
    NullPointerError, ArgumentCountError, DTypeError, RankError, ShapeError,
    DimensionMismatchError, InvalidValueError, NoFunctionError,
    OutOfMemoryError, UnknownShapeError, UnsupportedCPUError, DeviceError)}


def error_for_status(status, message, function=None):
    """The exception for a library return code `status` (nonzero) with the
    library's `message`; an unknown code gives a plain `Error` that names
    it."""
    cls = _BY_STATUS.get(status)
    if cls is None:
        error = Error(f"error code {status}: {message}", function)
        error.status = status
        return error
    return cls(message, function)
