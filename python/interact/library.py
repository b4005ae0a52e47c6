"""Loading a library interact-compile made, and calling its functions.

    lib = interact.load("out/libmamba2_block.so")
    y, state = lib.mamba2_block(u, w_x, ...)

`load` opens the library with ctypes, reads its interact_library_v1()
table (interact_abi.h) and its embedded signature. Calls check every
argument against the signature in Python first (dtype, rank, static sizes,
symbols that must agree), then call the library, which checks again; either
side's refusal raises the `interact.Error` subclass of its return code.
ctypes releases the GIL for the call, so Python threads call a library
concurrently.

A GPU library (its signature's "device" is "cuda") takes and returns torch
CUDA tensors instead (see _cuda.py); everything else is the same.
"""

import ctypes
import operator
import os

import numpy as np

from . import _abi, _arrays, _cuda
from .errors import (ArgumentCountError, DeviceError, Error,
                     InvalidValueError, LoadError, NoFunctionError, RankError,
                     ShapeError, error_for_status)
from .signature import parse_signature


class _LibraryTensor:
    """Owns one output the library allocated: frees it with the library's
    tensor_free when the last array over it goes. NumPy reads the memory
    through `__array_interface__` and keeps this object as the array's
    base, so the memory lives exactly as long as some view of it."""

    __slots__ = ("__array_interface__", "_tensor", "_free", "_library")

    def __init__(self, tensor, free, library, dtype):
        self._tensor = tensor
        self._free = free
        self._library = library  # the code that frees must stay loaded
        shape = tuple(tensor.shape[:tensor.rank])
        item = dtype.itemsize
        strides = tuple(s * item for s in tensor.strides[:tensor.rank])
        self.__array_interface__ = {
            "version": 3, "shape": shape, "typestr": dtype.str,
            "data": (tensor.data, False),
            "strides": strides,
        }

    def __del__(self):
        free, self._free = self._free, None
        if free is not None:
            free(ctypes.byref(self._tensor))


class Function:
    """One function of a library, called like a Python function.

    `f(*args, num_threads=None, out=None, **named)`, as `Library.call`.
    Attributes: `name`, `signature` (a FunctionSignature: `arguments` and
    `results`, each with name, dtype and symbolic shape), `library`.
    """

    def __init__(self, library, signature):
        self.library = library
        self.signature = signature
        self.name = self.__name__ = signature.name
        args = "\n".join(f"  {a}" for a in signature.arguments) or "  (none)"
        results = "\n".join(f"  {r}" for r in signature.results) or \
            "  (none)"
        self.__doc__ = (
            f"{signature}\n\nArguments (dtype[dimensions]; a symbol is a size "
            f"that must agree wherever it appears):\n{args}\n\nResults:\n"
            f"{results}\n\nSee interact.Library.call for keywords, return "
            "values and errors.")

    def __call__(self, *args, num_threads=None, out=None, **named):
        return self.library.call(self.name, *args, num_threads=num_threads,
                                 out=out, **named)

    def output_shapes(self, *args, **named):
        """The results' (NumPy dtype, shape) for these arguments, as
        `Library.output_shapes`."""
        return self.library.output_shapes(self.name, *args, **named)

    def __repr__(self):
        return f"<interact function {self.signature}>"


class Library:
    """A library interact-compile made, loaded. Use `interact.load`.

    Attributes:
      path: the file loaded.
      prefix: the library's prefix (the PREFIX_ of its C functions).
      target: the target it was compiled for ("x86-64-v3", "sm_90", ...).
      device: where its tensors live: "cpu" (host memory: NumPy arrays,
        CPU tensors) or "cuda" (torch CUDA tensors on device 0).
      signature: the embedded signature, parsed JSON (a dict).
      functions: the names of its functions, in the library's order.

    Each function is also an attribute (`lib.mamba2_block`) unless its name
    is taken by one of the above; `lib["name"]` always works.
    """

    #: Whether calls check their arguments in Python before the library
    #: does. Tests turn it off to see the library's own checks; with it
    #: off, None arguments reach the library as NULL data pointers, and
    #: arrays of a dtype the ABI lacks are passed as the signature's.
    _check_in_python = True

    def __init__(self, path):
        # A file here is loaded from here: given a bare name, dlopen would
        # search the system's paths instead (a soname still does).
        self.path = os.fspath(path)
        if os.path.exists(self.path):
            self.path = os.path.abspath(self.path)
        try:
            self._dll = ctypes.CDLL(self.path)
        except OSError as error:
            raise LoadError(f"cannot load {self.path}: {error}") from None
        try:
            entry = self._dll.interact_library_v1
        except AttributeError:
            raise LoadError(f"{self.path} is not an interact library: it "
                            "exports no interact_library_v1") from None
        entry.restype = ctypes.POINTER(_abi.LibraryStruct)
        entry.argtypes = []
        table = entry()
        if not table:
            raise LoadError(f"{self.path}: interact_library_v1() returned "
                            "NULL")
        table = table.contents
        if table.abi_version != _abi.ABI_VERSION:
            raise LoadError(f"{self.path} has ABI version {table.abi_version};"
                            f" this package reads version {_abi.ABI_VERSION}")
        for field, _ in _abi.LibraryStruct._fields_[2:]:
            if not getattr(table, field):
                raise LoadError(f"{self.path}: interact_library_v1()'s "
                                f"{field} is NULL")
        self._table = table
        self._call = table.call
        self._output_shapes = table.output_shapes
        self._last_error = table.last_error
        self._set_num_threads = table.set_num_threads
        self._tensor_free = table.tensor_free
        self.prefix = (table.prefix or b"").decode("utf-8", "replace")
        text = table.signature()
        if text is None:
            raise LoadError(f"{self.path}: the signature is NULL")
        try:
            self.signature, signatures = parse_signature(text)
        except LoadError as error:
            raise LoadError(f"{self.path}: {error}") from None
        self.target = self.signature.get("target")
        # Libraries from before GPU targets have no "device": the CPU's.
        self.device = self.signature.get("device", "cpu")
        if self.device not in ("cpu", "cuda"):
            raise LoadError(f"{self.path}: its tensors live on device "
                            f"{self.device!r}; this package knows 'cpu' and "
                            "'cuda'")
        self._functions = {name: Function(self, sig)
                           for name, sig in signatures.items()}
        self._names = {name: name.encode() for name in signatures}

    @property
    def functions(self):
        return list(self._functions)

    def __getitem__(self, name):
        return self._function(name)

    def __getattr__(self, name):
        # Reached only for names that are not ordinary attributes.
        functions = self.__dict__.get("_functions")
        if functions is not None and name in functions:
            return functions[name]
        raise AttributeError(
            f"interact library {os.path.basename(self.__dict__.get('path', ''))}"
            f" has no function or attribute '{name}'"
            + (f" (functions: {', '.join(functions)})" if functions else ""))

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._functions))

    def __repr__(self):
        lines = [f"<interact library {os.path.basename(self.path)!r} (prefix "
                 f"{self.prefix}, target {self.target}"
                 + (", CUDA tensors)" if self.device == "cuda" else ")")]
        lines += [f"  {f.signature}" for f in self._functions.values()]
        return "\n".join(lines) + ">"

    def _function(self, name):
        try:
            return self._functions[name]
        except (KeyError, TypeError):
            raise NoFunctionError(
                f"{os.path.basename(self.path)} has no function {name!r} "
                f"(functions: {', '.join(self._functions) or 'none'})",
                name) from None

    def _error(self, status, function):
        """The exception for a failed call of `function`: the class of
        `status` with the calling thread's last_error() message, prefixed
        with the function's name unless the message names it first."""
        message = (self._last_error() or b"").decode("utf-8", "replace")
        if not message:
            message = f"error code {status} (no message)"
        if not message.startswith(tuple(name + end for name in (
                function, self.prefix) for end in (":", " "))):
            message = f"{function}: {message}"
        return error_for_status(status, message, function)

    def _ordered(self, fn, args, named):
        """The arguments in the signature's order, named ones put in
        place; raises ArgumentCountError unless there is one per
        argument."""
        sig = fn.signature
        if named:
            args = list(args) + [_MISSING] * (len(sig.arguments) - len(args))
            names = [a.name for a in sig.arguments]
            for key, value in named.items():
                if key not in names:
                    raise ArgumentCountError(
                        f"{fn.name}() has no argument '{key}' ({sig})",
                        fn.name)
                i = names.index(key)
                if i < len(args) and args[i] is not _MISSING:
                    raise ArgumentCountError(
                        f"{fn.name}() got argument '{key}' twice", fn.name)
                args[i] = value
            missing = [names[i] for i, a in enumerate(args) if a is _MISSING]
            if missing:
                raise ArgumentCountError(
                    f"{fn.name}() is missing argument(s) {', '.join(missing)}"
                    f" ({sig})", fn.name)
        if len(args) != len(sig.arguments):
            raise ArgumentCountError(
                f"{fn.name}() takes {len(sig.arguments)} arguments, got "
                f"{len(args)} ({sig})", fn.name)
        return args

    def _inputs(self, fn, args, named):
        """Checks the arguments against `fn`'s signature; returns (their
        NumPy views, an interact_tensor array describing them, the symbols'
        sizes, whether any is a torch tensor)."""
        if self.device == "cuda":
            return self._cuda_inputs(fn, args, named)
        sig = fn.signature
        args = self._ordered(fn, args, named)
        arrays = []
        any_torch = False
        for spec, obj in zip(sig.arguments, args):
            what = f"{fn.name}: argument '{spec.name}'"
            if obj is None and not self._check_in_python:
                arrays.append(None)
                continue
            array, is_torch = _arrays.as_numpy(obj, spec, what)
            any_torch |= is_torch
            if array.ndim > _abi.MAX_RANK:
                raise RankError(f"{what} has rank {array.ndim}; interact "
                                f"tensors have at most {_abi.MAX_RANK} "
                                "dimensions", fn.name)
            if self._check_in_python:
                _arrays.check_dtype(obj, array, spec, what)
            arrays.append(array)
        if self._check_in_python:
            sizes = sig.bind([a.shape for a in arrays])
        else:
            sizes = _first_sizes(sig, arrays)
        tensors = (_abi.Tensor * max(len(arrays), 1))()
        for i, (spec, array) in enumerate(zip(sig.arguments, arrays)):
            if array is None:  # unchecked: NULL data, the expected shape
                _null_tensor(tensors[i], spec, sizes)
                continue
            array = arrays[i] = _arrays.viewable(array)
            name = _arrays.dtype_name(array.dtype) or spec.dtype
            _arrays.fill_tensor(tensors[i], array, name)
        return arrays, tensors, sizes, any_torch

    def _cuda_inputs(self, fn, args, named):
        """`_inputs` of a GPU library: returns (the dense torch CUDA
        tensors passed, an interact_tensor array describing them, the
        symbols' sizes, the torch.device they are on, or None where there
        are none)."""
        sig = fn.signature
        args = self._ordered(fn, args, named)
        torch = _cuda.torch_module()
        tensors = []
        device = None
        for spec, obj in zip(sig.arguments, args):
            what = f"{fn.name}: argument '{spec.name}'"
            if obj is None and not self._check_in_python:
                tensors.append(None)
                continue
            try:
                tensor = _cuda.as_cuda_tensor(torch, obj, what)
                if self._check_in_python:
                    _cuda.check(torch, tensor, spec, what)
            except Error as error:
                error.function = fn.name
                raise
            device = device or tensor.device
            tensors.append(tensor)
        if self._check_in_python:
            sizes = sig.bind([tuple(t.shape) for t in tensors])
        else:
            sizes = _first_sizes(sig, [None if t is None else
                                       _Shaped(tuple(t.shape))
                                       for t in tensors])
        described = (_abi.Tensor * max(len(tensors), 1))()
        for i, (spec, tensor) in enumerate(zip(sig.arguments, tensors)):
            if tensor is None:  # unchecked: NULL data, the expected shape
                _null_tensor(described[i], spec, sizes)
                continue
            tensor = tensors[i] = _cuda.dense(tensor)
            name = _cuda.dtype_name(torch, tensor.dtype) or spec.dtype
            _cuda.fill_tensor(described[i], tensor, name,
                              _arrays._EMPTY_ADDRESS)
        return tensors, described, sizes, device

    def _call_cuda(self, fn, args, named, num_threads, out):
        """`call` for a GPU library: torch CUDA tensors in, torch CUDA
        tensors out (caller-allocated by this package, or the caller's
        `out`), queued on the arguments' device's current stream."""
        torch = _cuda.torch_module()
        tensors, described, _, device = self._cuda_inputs(fn, args, named)
        if device is None:
            device = torch.device("cuda", _cuda.LIBRARY_DEVICE)
        results = fn.signature.results
        if out is None:
            out = [None] * len(results)
        elif len(results) == 1 and not isinstance(out, (tuple, list)):
            out = (out,)
        if not isinstance(out, (tuple, list)) or len(out) != len(results):
            raise ArgumentCountError(
                f"{fn.name}: out must be a tuple of {len(results)} tensors or"
                f" None, one per result ({fn.signature})", fn.name)
        wanted = self._query_shapes(fn, described, len(tensors))
        outputs = (_abi.Tensor * max(len(results), 1))()
        values = []
        for i, (spec, obj) in enumerate(zip(results, out)):
            shape = tuple(wanted[i].shape[:wanted[i].rank])
            if obj is None:
                value = torch.empty(shape, dtype=_cuda.torch_dtype(
                    torch, spec.dtype), device=device)
            else:
                what = f"{fn.name}: out[{i}] (result '{spec.name}')"
                try:
                    value = _cuda.check_out(torch, obj, spec, shape, what)
                except Error as error:
                    error.function = fn.name
                    raise
                if value.device != device:
                    raise DeviceError(f"{what} is on {value.device}, the "
                                      f"arguments on {device}", fn.name)
            _cuda.fill_tensor(outputs[i], value, spec.dtype,
                              _arrays._EMPTY_ADDRESS)
            values.append(value)
        stream = torch.cuda.current_stream(device).cuda_stream
        options = _abi.CallOptions(num_threads or 0, stream or None)
        status = self._call(self._names[fn.name], described, len(tensors),
                            outputs, len(results), ctypes.byref(options))
        del tensors  # alive until the work is queued (see _cuda.py)
        if status != _abi.OK:
            raise self._error(status, fn.name)
        values = [v if o is None else o for v, o in zip(values, out)]
        if not values:
            return None
        return values[0] if len(values) == 1 else tuple(values)

    def _query_shapes(self, fn, tensors, count):
        outputs = (_abi.Tensor * max(len(fn.signature.results), 1))()
        status = self._output_shapes(self._names[fn.name], tensors, count,
                                     outputs, len(fn.signature.results))
        if status != _abi.OK:
            raise self._error(status, fn.name)
        return outputs

    def output_shapes(self, function, *args, **named):
        """The (NumPy dtype, shape) of each result of `function` for these
        arguments, as the library computes them (PREFIX_output_shapes):
        what a caller allocates to pass `out=`. bf16 results have dtype
        `interact.BF16`. A GPU library gives torch dtypes instead.

        Raises the errors of `call`, and UnknownShapeError for a result
        whose size the arguments' shapes do not determine.
        """
        fn = self._function(function)
        arrays, tensors, _, _ = self._inputs(fn, args, named)
        outputs = self._query_shapes(fn, tensors, len(arrays))
        if self.device == "cuda":
            torch = _cuda.torch_module()
            return [(_cuda.torch_dtype(torch, _abi.NAME_OF_CODE[t.dtype]),
                     tuple(t.shape[:t.rank]))
                    for t in outputs[:len(fn.signature.results)]]
        return [(_abi.NUMPY_OF[_abi.NAME_OF_CODE[t.dtype]],
                 tuple(t.shape[:t.rank]))
                for t in outputs[:len(fn.signature.results)]]

    def set_num_threads(self, num_threads):
        """Sets the OpenMP threads later calls use (0: the default, the
        target's or OMP_NUM_THREADS); a call's `num_threads=` overrides it.

        Raises InvalidValueError for a negative count.
        """
        num_threads = operator.index(num_threads)
        if num_threads < 0 or num_threads >= 2**31:
            raise InvalidValueError(f"num_threads must be >= 0, got "
                                    f"{num_threads}")
        status = self._set_num_threads(num_threads)
        if status != _abi.OK:
            raise self._error(status, "set_num_threads")

    def call(self, function, *args, num_threads=None, out=None, **named):
        """Calls `function` of the library.

        A GPU library (`device == "cuda"`) takes torch CUDA tensors on
        device 0 (or DLPack tensors in CUDA memory), copies any that are
        not contiguous, allocates its results with torch.empty there (or
        writes into `out`, contiguous CUDA tensors) and returns torch CUDA
        tensors; the work is queued on torch.cuda.current_stream(), and
        the call returns before it has run (torch orders later work on
        that stream after it; synchronize before timing). Host arrays
        raise DeviceError. The rest of this text is about CPU libraries.

        Arguments: positional in the signature's order, or by name. Each is
        a NumPy array, a PyTorch tensor on the CPU, another DLPack tensor in
        host memory, or anything numpy.asarray accepts (lists and scalars
        are converted to the argument's dtype; arrays must already have it:
        no silent casts). Strided views are passed as they are, no copy.
        bf16 data is a torch.bfloat16 tensor or a NumPy array of dtype
        interact.BF16 (see interact.to_bf16).

        num_threads: OpenMP threads for this call (None or 0: the library's
          setting, see set_num_threads).
        out: None (the library allocates every result), or a sequence with
          one entry per result (a bare array when there is one result): an
          array to write the result into, of the dtype and shape
          output_shapes gives (any strides), or None to let the library
          allocate that one.

        Returns the results, one array, or a tuple of them where there are
        several (None where there are none). Results are torch tensors when
        any argument is a torch tensor, else NumPy arrays; those the library
        allocated are wrapped without a copy and freed when the last view
        goes. Entries of `out` are returned as given.

        Raises (interact.Error subclasses, the same whether Python's checks
        or the library's find the problem):
          NoFunctionError: no function of that name.
          ArgumentCountError: too few or many arguments, an unknown name.
          NullPointerError: an argument is None.
          DTypeError: an argument or out array has the wrong dtype.
          RankError, ShapeError: wrong number of dimensions, a static size
            differs.
          DimensionMismatchError: dimensions with one symbol disagree.
          DeviceError: a tensor outside host memory.
          InvalidValueError: negative num_threads, a read-only out array.
          OutOfMemoryError, UnknownShapeError: from the library.
        """
        fn = self._function(function)
        options = None
        if num_threads is not None:
            num_threads = operator.index(num_threads)
            if num_threads < 0 or num_threads >= 2**31:
                raise InvalidValueError(f"{fn.name}: num_threads must be >= 0"
                                        f", got {num_threads}", fn.name)
            options = ctypes.byref(_abi.CallOptions(num_threads, None))
        if self.device == "cuda":
            return self._call_cuda(fn, args, named, num_threads, out)
        arrays, tensors, _, any_torch = self._inputs(fn, args, named)
        results = fn.signature.results
        outputs = (_abi.Tensor * max(len(results), 1))()
        out_objects, out_arrays = self._outputs(fn, out, tensors,
                                                len(arrays), outputs)

        status = self._call(self._names[fn.name], tensors, len(arrays),
                            outputs, len(results), options)
        if status != _abi.OK:
            raise self._error(status, fn.name)

        # Own every library allocation before anything else can fail.
        owned = [None if out_objects[i] is not None else
                 _LibraryTensor(_copy(outputs[i]), self._tensor_free, self,
                                _abi.NUMPY_OF[results[i].dtype])
                 for i in range(len(results))]
        values = []
        for i, owner in enumerate(owned):
            if owner is None:
                values.append(out_objects[i])
                continue
            value = _wrap(owner, results[i])
            values.append(_arrays.to_torch(value) if any_torch else value)
        del arrays, out_arrays  # alive for the whole call
        if not values:
            return None
        return values[0] if len(values) == 1 else tuple(values)

    def _outputs(self, fn, out, tensors, count, outputs):
        """Fills `outputs` with the caller's `out` views (data NULL where the
        library allocates). Returns (the out objects, None where absent;
        the NumPy views to keep alive during the call)."""
        results = fn.signature.results
        if out is None:
            return [None] * len(results), []
        if len(results) == 1 and not isinstance(out, (tuple, list)):
            out = (out,)
        if not isinstance(out, (tuple, list)) or len(out) != len(results):
            raise ArgumentCountError(
                f"{fn.name}: out must be a tuple of {len(results)} arrays or "
                f"None, one per result ({fn.signature})", fn.name)
        if all(o is None for o in out):
            return [None] * len(results), []
        wanted = self._query_shapes(fn, tensors, count)
        keep = []
        for i, (spec, obj) in enumerate(zip(results, out)):
            if obj is None:
                continue
            what = f"{fn.name}: out[{i}] (result '{spec.name}')"
            array, _ = _arrays.as_numpy(obj, spec, what)
            if not (isinstance(obj, np.ndarray) or
                    _arrays.is_torch_tensor(obj) or hasattr(obj, "__dlpack__")):
                raise InvalidValueError(f"{what} must be an array to write "
                                        f"into, not {type(obj).__name__}")
            _arrays.check_dtype(obj, array, spec, what)
            shape = tuple(wanted[i].shape[:wanted[i].rank])
            if array.ndim != len(shape):
                raise RankError(f"{what} has rank {array.ndim} (shape "
                                f"{array.shape}), the call produces rank "
                                f"{len(shape)}: {shape}", fn.name)
            if array.shape != shape:
                raise ShapeError(f"{what} has shape {array.shape}, the call "
                                 f"produces {shape} ({spec})", fn.name)
            _arrays.check_writeable(array, what)
            if _arrays.viewable(array) is not array:
                raise InvalidValueError(f"{what}: its strides are not whole "
                                        "elements or its data is misaligned",
                                        fn.name)
            _arrays.fill_tensor(outputs[i], array, spec.dtype)
            keep.append(array)
        return list(out), keep


def _null_tensor(tensor, spec, sizes):
    """Describes a NULL argument (Python's checks off) with `spec`'s dtype
    and shape, so that only the library's null check fires."""
    tensor.dtype = _abi.CODE_OF[spec.dtype]
    tensor.rank = spec.rank
    for d, dim in enumerate(spec.shape):
        tensor.shape[d] = dim if isinstance(dim, int) else sizes.get(dim, 1)


class _Shaped:
    """Has the `ndim` and `shape` of an array, for _first_sizes."""

    def __init__(self, shape):
        self.shape = shape
        self.ndim = len(shape)


def _first_sizes(signature, arrays):
    """Each symbol's size in the first array (not None) that has it."""
    sizes = {}
    for spec, array in zip(signature.arguments, arrays):
        if array is not None and array.ndim == spec.rank:
            for dim, size in zip(spec.shape, array.shape):
                if isinstance(dim, str):
                    sizes.setdefault(dim, size)
    return sizes


class _Missing:
    def __repr__(self):
        return "<missing>"


_MISSING = _Missing()


def _copy(tensor):
    return _abi.Tensor.from_buffer_copy(tensor)


def _wrap(owner, spec):
    """A NumPy array over a library allocation that `owner` frees."""
    dtype = _abi.NUMPY_OF[spec.dtype]
    if owner._tensor.data is None:
        size = int(np.prod(owner.__array_interface__["shape"]))
        if size:
            raise Error(f"the library returned no data for result "
                        f"'{spec.name}' of {size} elements")
        return np.empty(owner.__array_interface__["shape"], dtype)
    return np.asarray(owner)


def load(path):
    """Loads the library at `path` (a file interact-compile wrote; its
    libomp.so.5 must be beside it) and returns a `Library`.

    Raises LoadError when the file is missing, the dynamic loader refuses
    it, or it is not an interact library of ABI version 1.
    """
    return Library(path)
