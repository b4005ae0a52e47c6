//===- InteractInterfaces.cpp - The interaction op interface --------------===//

#include "interact/Dialect/Interact/IR/InteractInterfaces.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::interact;

bool OperatorSizes::isStatic() const {
  return !ShapedType::isDynamic(batch) && !ShapedType::isDynamic(seqLen) &&
         !ShapedType::isDynamic(srcLen);
}

OperatorSizes OperatorSizes::withHints(int64_t batchHint,
                                       int64_t seqLenHint) const {
  OperatorSizes sizes = *this;
  if (ShapedType::isDynamic(sizes.batch))
    sizes.batch = batchHint;
  if (ShapedType::isDynamic(sizes.seqLen))
    sizes.seqLen = seqLenHint;
  if (ShapedType::isDynamic(sizes.srcLen))
    sizes.srcLen = seqLenHint;
  return sizes;
}

double OperatorSizes::numPairs(int64_t seqLen, int64_t srcLen, bool causal) {
  double t = seqLen, s = srcLen;
  return causal ? t * (t + 1) / 2 : t * s;
}

llvm::raw_ostream &mlir::interact::operator<<(llvm::raw_ostream &os,
                                              const OperatorSizes &s) {
  auto dim = [&](StringRef name, int64_t size) {
    os << name << '=';
    if (ShapedType::isDynamic(size))
      os << '?';
    else
      os << size;
  };
  dim("b", s.batch);
  os << ' ';
  dim("t", s.seqLen);
  os << ' ';
  dim("s", s.srcLen);
  os << " H=" << s.numHeads << " h_q=" << s.numQueryHeads
     << " h_k=" << s.numKeyHeads << " h_v=" << s.numValueHeads
     << " p=" << s.headDim << " n=" << s.stateDim;
  return os;
}

#include "interact/Dialect/Interact/IR/InteractInterfaces.cpp.inc"
