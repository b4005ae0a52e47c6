//===- InteractInterfaces.h - The interaction op interface ------*- C++ -*-===//
//
// Declares InteractOpInterface and the plain structs it answers with. The
// cost convention (what a FLOP and a byte are) is documented in
// docs/Rationale.md and implemented once, in InteractInterfaces.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_DIALECT_INTERACT_IR_INTERACTINTERFACES_H
#define INTERACT_DIALECT_INTERACT_IR_INTERACTINTERFACES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"

#include "interact/Dialect/Interact/IR/InteractEnums.h.inc"

#include <optional>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir::interact {

/// Problem sizes of an interaction operator. For a scan, `srcLen == seqLen`,
/// the query/key heads are the groups `g` and the value heads are `h`; for
/// attention they are `h_q`, `h_k`, `h_v`. `numHeads` is the output's `H`.
/// Batch and lengths may be `ShapedType::kDynamic`; the rest are static.
struct OperatorSizes {
  int64_t batch = ShapedType::kDynamic;
  int64_t seqLen = ShapedType::kDynamic;
  int64_t srcLen = ShapedType::kDynamic;
  int64_t numHeads = 0;
  int64_t numQueryHeads = 0;
  int64_t numKeyHeads = 0;
  int64_t numValueHeads = 0;
  int64_t headDim = 0;  // p
  int64_t stateDim = 0; // n

  /// Returns true if every size is known.
  bool isStatic() const;
  /// Returns a copy whose dynamic batch and lengths take `batch` and
  /// `seqLen` (the source length of attention takes `seqLen` too).
  OperatorSizes withHints(int64_t batch, int64_t seqLen) const;
  /// Number of (query, key) pairs each output head combines, per batch
  /// element: `t (t + 1) / 2` with a causal or semiseparable mask (t == s),
  /// `t * s` without. A double, like every cost figure, so that large sizes
  /// cannot overflow.
  static double numPairs(int64_t seqLen, int64_t srcLen, bool causal);
};

/// FLOPs and compulsory memory traffic of one realization at given sizes.
struct OperatorCost {
  double flops = 0;
  double bytes = 0;
  /// FLOPs per byte.
  double intensity() const { return bytes > 0 ? flops / bytes : 0; }
};

/// One tensor operand or result of an interaction op and the names of its
/// dimensions, as the verifier's messages use them ("operand 'x'", "b").
struct DimensionLayout {
  StringRef kind; // "operand" or "result"
  StringRef name; // "x", "final_state", ...
  Value value;
  SmallVector<StringRef, 4> dims;
};

llvm::raw_ostream &operator<<(llvm::raw_ostream &os, const OperatorSizes &s);

} // namespace mlir::interact

#include "interact/Dialect/Interact/IR/InteractInterfaces.h.inc"

#endif // INTERACT_DIALECT_INTERACT_IR_INTERACTINTERFACES_H
