//===- Npy.h - Read and write NumPy .npy arrays -----------------*- C++ -*-===//
//
// The .npy format (versions 1.0, 2.0 and 3.0), C order, little-endian, for
// the element types interact runs on: f16 ('<f2'), bf16, f32 ('<f4'), f64
// ('<f8'), i32 ('<i4') and i64 ('<i8'). NumPy has no bfloat16; interact
// writes it as two-byte void ('|V2', as ml_dtypes' bfloat16 arrays save) and
// reads '|V2' or '<V2' as bfloat16. Fortran order and big-endian data are
// rejected, not converted.
//
// Written by hand: no maintained C++ .npy library is packaged in Debian.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_SUPPORT_NPY_H
#define INTERACT_SUPPORT_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::interact::npy {

/// Element types an array can hold.
enum class DType { F16, BF16, F32, F64, I32, I64 };

/// Bytes per element of `dtype`.
size_t getByteWidth(DType dtype);
/// The name interact uses for `dtype` in messages ("f32", "bf16", ...).
llvm::StringRef getName(DType dtype);
/// The .npy descr string of `dtype` ("<f4", "|V2", ...).
llvm::StringRef getDescr(DType dtype);

/// Bytes of an array of `dtype` and `shape`, or nullopt when a dimension is
/// negative or the product of the non-zero dimensions and the element width
/// does not fit in int64_t (an empty array has 0 bytes).
std::optional<int64_t> getByteSize(DType dtype, llvm::ArrayRef<int64_t> shape);

/// A dense, C-ordered array with its raw little-endian bytes.
struct Array {
  DType dtype = DType::F32;
  llvm::SmallVector<int64_t> shape;
  std::vector<char> data;

  int64_t getNumElements() const;

  /// Element `i` (in C order) as a double; exact for every dtype but i64
  /// beyond 2^53.
  double getAsDouble(int64_t i) const;
  /// Sets element `i` to `value`, rounded to nearest even for 16-bit floats
  /// and truncated toward zero for integers.
  void setFromDouble(int64_t i, double value);

  /// Returns a zero array of `dtype` and `shape`.
  static Array zeros(DType dtype, llvm::ArrayRef<int64_t> shape);
};

/// Parses the bytes of a .npy file. The header must be what numpy.load
/// accepts: a dict of exactly 'descr', 'fortran_order' and 'shape' (a tuple
/// of integers), and the shape's byte count must fit in int64_t. Errors name
/// what is wrong.
llvm::Expected<Array> parse(llvm::StringRef bytes);
/// Reads and parses the .npy file at `path`.
llvm::Expected<Array> read(llvm::StringRef path);
/// Serializes `array` as a version 1.0 .npy file.
std::string serialize(const Array &array);
/// Writes `array` to `path`.
llvm::Error write(llvm::StringRef path, const Array &array);

} // namespace mlir::interact::npy

#endif // INTERACT_SUPPORT_NPY_H
