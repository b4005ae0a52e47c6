//===- MemRef.h - Memref descriptors of run-time rank -----------*- C++ -*-===//
//
// Compiled functions take and return memrefs as upstream's ranked
// descriptors, StridedMemRefType<T, N> (mlir/ExecutionEngine/MemRefUtils.h),
// whose rank is a template parameter. A runner learns ranks from the IR, at
// run time: MemRefDescriptors holds descriptors of any ranks in that layout,
// and reads them back through DynamicMemRefType.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_RUNNER_MEMREF_H
#define INTERACT_RUNNER_MEMREF_H

#include "interact/Support/Npy.h"

#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::interact::runner {

/// Ranked memref descriptors laid out one after another, each as a
/// StridedMemRefType<T, rank>: the arguments of a C-interface call, or the
/// struct of results a function with several of them fills in.
class MemRefDescriptors {
public:
  /// Zeroed descriptors of `ranks`, for a function to fill in.
  explicit MemRefDescriptors(ArrayRef<int64_t> ranks);

  /// Descriptors of `arrays` (dense, C order), which must outlive them.
  static MemRefDescriptors forArrays(MutableArrayRef<npy::Array> arrays);

  size_t size() const { return starts.size(); }
  /// The i-th descriptor, as a C-interface function takes it; get(0) is
  /// also the struct of all of them.
  void *get(size_t i) { return words.data() + starts[i]; }
  /// The i-th descriptor's fields. Its pointers are typed char, but offset
  /// and strides count elements.
  DynamicMemRefType<char> getView(size_t i);

private:
  SmallVector<int64_t> words; // the descriptors' fields, 8 bytes each
  SmallVector<size_t> starts; // where each descriptor begins in `words`
  SmallVector<int64_t> ranks;
};

/// Copies the memref `view` of `dtype` elements into a dense array,
/// honoring its offset and strides.
npy::Array copyToArray(const DynamicMemRefType<char> &view, npy::DType dtype);

} // namespace mlir::interact::runner

#endif // INTERACT_RUNNER_MEMREF_H
