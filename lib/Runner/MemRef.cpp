//===- MemRef.cpp - Memref descriptors of run-time rank -------------------===//

#include "interact/Runner/MemRef.h"

#include <cstring>

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::runner;

// The layout the descriptors are written in: two pointers, the offset, then
// sizes and strides, every field 8 bytes.
static_assert(sizeof(StridedMemRefType<float, 2>) == 7 * sizeof(int64_t));
static_assert(sizeof(StridedMemRefType<float, 0>) == 3 * sizeof(int64_t));

MemRefDescriptors::MemRefDescriptors(ArrayRef<int64_t> ranks) : ranks(ranks) {
  for (int64_t rank : ranks) {
    starts.push_back(words.size());
    words.append(3 + 2 * rank, 0);
  }
}

MemRefDescriptors
MemRefDescriptors::forArrays(MutableArrayRef<npy::Array> arrays) {
  SmallVector<int64_t> ranks;
  for (const npy::Array &array : arrays)
    ranks.push_back(array.shape.size());
  MemRefDescriptors descriptors(ranks);
  for (auto [i, array] : llvm::enumerate(arrays)) {
    int64_t *fields = descriptors.words.data() + descriptors.starts[i];
    auto pointer = reinterpret_cast<int64_t>(array.data.data());
    int64_t rank = array.shape.size();
    fields[0] = fields[1] = pointer;
    fields[2] = 0;
    int64_t stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      fields[3 + d] = array.shape[d];
      fields[3 + rank + d] = stride;
      stride *= array.shape[d];
    }
  }
  return descriptors;
}

DynamicMemRefType<char> MemRefDescriptors::getView(size_t i) {
  return DynamicMemRefType<char>(UnrankedMemRefType<char>{ranks[i], get(i)});
}

npy::Array runner::copyToArray(const DynamicMemRefType<char> &view,
                               npy::DType dtype) {
  int64_t rank = view.rank;
  ArrayRef<int64_t> sizes(view.sizes, rank), strides(view.strides, rank);
  npy::Array array = npy::Array::zeros(dtype, sizes);
  size_t width = npy::getByteWidth(dtype);
  const char *base = view.data + view.offset * width;
  int64_t total = array.getNumElements();
  if (total == 0)
    return array;
  // Runs of the innermost dimension: one memcpy each where its stride is 1
  // (results are row-major in practice), else element by element.
  int64_t run = rank > 0 && strides[rank - 1] == 1 ? sizes[rank - 1] : 1;
  int64_t outer = rank > 0 && run > 1 ? rank - 1 : rank;
  SmallVector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < total; i += run) {
    int64_t at = 0;
    for (int64_t d = 0; d < rank; ++d)
      at += index[d] * strides[d];
    std::memcpy(array.data.data() + i * width, base + at * width, run * width);
    for (int64_t d = outer - 1; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
  return array;
}
