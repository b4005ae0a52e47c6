"""The signature a library embeds, parsed, and the shape rules it states.

A library's PREFIX_signature() is JSON (interact_abi.h):

    {"abi": 1, "library": "mamba2_block", "target": "x86-64-v3",
     "functions": [{"name": "mamba2_block",
                    "arguments": [{"name": "x", "dtype": "f32",
                                   "shape": ["b", "t", 8, 64]}, ...],
                    "results": [...]}]}

A dimension is a number (static) or a symbol; every dimension that carries
one symbol must have one size in a call, and a result's symbols are those of
the arguments it is made from.
"""

import json

from . import _abi
from .errors import (DimensionMismatchError, LoadError, RankError,
                     ShapeError)


class TensorSpec:
    """One argument or result: `name`, `dtype` (an ABI dtype name: "f16",
    "bf16", "f32", "f64", "i32" or "i64") and `shape`, a tuple whose items
    are ints (static sizes) or strs (symbols)."""

    __slots__ = ("name", "dtype", "shape")

    def __init__(self, name, dtype, shape):
        self.name = name
        self.dtype = dtype
        self.shape = tuple(shape)

    @property
    def rank(self):
        return len(self.shape)

    def type_str(self):
        """`f32[b, t, 8, 64]`."""
        return f"{self.dtype}[{', '.join(map(str, self.shape))}]"

    def __str__(self):
        return f"{self.name}: {self.type_str()}"

    def __repr__(self):
        return f"TensorSpec({self.name!r}, {self.dtype!r}, {self.shape!r})"


class FunctionSignature:
    """One function of a library: `name`, `arguments` and `results`, lists
    of `TensorSpec`."""

    def __init__(self, name, arguments, results):
        self.name = name
        self.arguments = list(arguments)
        self.results = list(results)

    def __str__(self):
        args = ", ".join(map(str, self.arguments))
        results = ", ".join(r.type_str() for r in self.results)
        if len(self.results) != 1:
            results = f"({results})"
        return f"{self.name}({args}) -> {results}"

    def __repr__(self):
        return f"<FunctionSignature {self}>"

    def bind(self, shapes):
        """Checks the arguments' shapes (a sequence of tuples of ints, in
        argument order) against the signature and returns the symbols'
        sizes, {symbol: size}.

        Raises:
          RankError: an argument has the wrong number of dimensions.
          ShapeError: a static dimension differs.
          DimensionMismatchError: two dimensions with one symbol differ; the
            message names both arguments, the symbol and the dimensions.
        """
        sizes = {}
        first = {}  # symbol -> (argument name, dimension) that bound it
        for spec, shape in zip(self.arguments, shapes):
            shape = tuple(shape)
            if len(shape) != spec.rank:
                raise RankError(
                    f"{self.name}: argument '{spec.name}' has rank "
                    f"{len(shape)} (shape {shape}), expected rank {spec.rank}"
                    f" ({spec})", self.name)
            for dim, (want, got) in enumerate(zip(spec.shape, shape)):
                if isinstance(want, int):
                    if got != want:
                        raise ShapeError(
                            f"{self.name}: argument '{spec.name}' has size "
                            f"{got} in dimension {dim}, expected {want} "
                            f"(shape {shape}, signature {spec})", self.name)
                elif want not in sizes:
                    sizes[want] = got
                    first[want] = (spec.name, dim)
                elif sizes[want] != got:
                    other, other_dim = first[want]
                    raise DimensionMismatchError(
                        f"{self.name}: argument '{spec.name}' has {want} = "
                        f"{got} (dimension {dim}), but argument '{other}' has"
                        f" {want} = {sizes[want]} (dimension {other_dim})",
                        self.name)
        return sizes

    def result_shapes(self, sizes):
        """The results' shapes given the symbols' `sizes` (from `bind`):
        a list of tuples, with None for a dimension no argument determines
        (the library computes those)."""
        return [tuple(d if isinstance(d, int) else sizes.get(d)
                      for d in spec.shape) for spec in self.results]


def _tensor_spec(entry, where):
    try:
        name, dtype, shape = entry["name"], entry["dtype"], entry["shape"]
    except (KeyError, TypeError):
        raise LoadError(f"signature: {where} is not an object with name, "
                        f"dtype and shape: {entry!r}") from None
    if dtype not in _abi.CODE_OF:
        raise LoadError(f"signature: {where} '{name}' has unknown dtype "
                        f"{dtype!r}")
    if not isinstance(shape, list) or len(shape) > _abi.MAX_RANK or not all(
            (isinstance(d, int) and not isinstance(d, bool) and d >= 0) or
            (isinstance(d, str) and d) for d in shape):
        raise LoadError(f"signature: {where} '{name}' has a malformed shape "
                        f"{shape!r}")
    return TensorSpec(str(name), dtype, shape)


def parse_signature(text):
    """Parses a library's signature JSON (str or bytes).

    Returns (the parsed JSON as a dict, {function name: FunctionSignature}
    in the library's order).

    Raises:
      LoadError: the text is not JSON, its "abi" is not 1, or an entry is
        malformed.
    """
    try:
        data = json.loads(text)
    except (ValueError, TypeError) as error:
        raise LoadError(f"signature is not JSON: {error}") from None
    if not isinstance(data, dict) or data.get("abi") != _abi.ABI_VERSION:
        abi = data.get("abi") if isinstance(data, dict) else None
        raise LoadError(f"signature has ABI version {abi!r}; this package "
                        f"reads version {_abi.ABI_VERSION}")
    functions = {}
    entries = data.get("functions")
    if not isinstance(entries, list):
        raise LoadError("signature has no list of functions")
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"),
                                                         str):
            raise LoadError(f"signature: malformed function {entry!r}")
        name = entry["name"]
        arguments = entry.get("arguments", [])
        results = entry.get("results", [])
        if not isinstance(arguments, list) or not isinstance(results, list):
            raise LoadError(f"signature: function '{name}' has malformed "
                            "arguments or results")
        functions[name] = FunctionSignature(
            name,
            [_tensor_spec(a, f"argument of '{name}'") for a in arguments],
            [_tensor_spec(r, f"result of '{name}'") for r in results])
    return data, functions
