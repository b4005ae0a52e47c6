//===- InteractMask.h - What each attention mask means ----------*- C++ -*-===//
//
// The meaning of each `Mask` kind (InteractAttrs.td), stated once: which
// (query i, key j) pairs it connects and with what weight. Code that needs
// a mask's properties asks getMaskTraits or buildMaskWeight; any other
// inspection of a Mask is an exhaustive `switch` without `default`, so
// `-Wswitch` lists every place a new mask kind must be handled.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_DIALECT_INTERACT_IR_INTERACTMASK_H
#define INTERACT_DIALECT_INTERACT_IR_INTERACTMASK_H

#include "interact/Dialect/Interact/IR/InteractInterfaces.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/Support/ErrorHandling.h"

namespace mlir::interact {

/// The properties of a mask kind.
struct MaskTraits {
  /// Key j reaches query i only for j <= i, so queries and keys are one
  /// sequence (t == s) and the op is a causal (forward) operator.
  bool causal;
  /// A connected pair is weighted by exp(a_{j+1} + ... + a_i), a segment sum
  /// of the op's `decay` operand (which the mask requires, and no other
  /// mask allows).
  bool decayed;
};

/// The properties of `mask`:
///
///   mask           pairs (i, j) connected   weight
///   none           all                      1
///   causal         j <= i                   1
///   semiseparable  j <= i                   exp(a_{j+1} + ... + a_i)
constexpr MaskTraits getMaskTraits(Mask mask) {
  switch (mask) {
  case Mask::None:
    return {/*causal=*/false, /*decayed=*/false};
  case Mask::Causal:
    return {/*causal=*/true, /*decayed=*/false};
  case Mask::Semiseparable:
    return {/*causal=*/true, /*decayed=*/true};
  }
  llvm_unreachable("unknown attention mask");
}

/// The weight a mask gives one pair (query i, key j), in the log domain.
struct MaskWeight {
  /// Whether the pair is connected (an i1, or a vector of i1 for vectors of
  /// indices); null where the mask connects every pair. A pair that is not
  /// connected has log-weight -inf: callers select it out rather than add
  /// -inf, so that NaN or Inf in a masked-out operand never reaches a result.
  Value visible;
  /// The connected pair's log-weight; null where it is 0.
  Value logWeight;
};

/// Builds the weight `mask` gives the pair (`query`, `key`): indices (index
/// or i64, scalars or vectors of one shape, never negative), and for a
/// decayed mask `segmentSum`, the pair's a_{j+1} + ... + a_i as the caller
/// summed it (directly, never as a difference of two cumulative sums, which
/// cancels and is NaN after a -inf reset). Without indices (a kernel that
/// visits only connected pairs) `visible` is not built; without a segment
/// sum (a caller that asks only `visible`) `logWeight` is not.
inline MaskWeight buildMaskWeight(OpBuilder &b, Location loc, Mask mask,
                                  Value query, Value key,
                                  Value segmentSum = Value()) {
  auto connected = [&]() -> Value {
    if (!query || !key)
      return Value();
    // Indices are never negative, so signed and unsigned order agree:
    // vectors compare signed (x86 has no unsigned 64-bit vector compare),
    // scalars unsigned.
    auto predicate = isa<VectorType>(key.getType()) ? arith::CmpIPredicate::sle
                                                    : arith::CmpIPredicate::ule;
    return arith::CmpIOp::create(b, loc, predicate, key, query);
  };
  switch (mask) {
  case Mask::None:
    return {};
  case Mask::Causal:
    return {connected(), Value()};
  case Mask::Semiseparable:
    return {connected(), segmentSum};
  }
  llvm_unreachable("unknown attention mask");
}

} // namespace mlir::interact

#endif // INTERACT_DIALECT_INTERACT_IR_INTERACTMASK_H
