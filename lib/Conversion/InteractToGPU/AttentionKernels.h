//===- AttentionKernels.h - The GPU attention kernels -----------*- C++ -*-===//
//
// Private to lib/Conversion/InteractToGPU: what the attention kernels share.
// emitAttentionKernel (Attention.cpp) describes the problem once and picks a
// kernel: the tensor-core kernel (AttentionMMA.cpp) where it applies, the
// SIMT kernel (AttentionSIMT.cpp) everywhere else.
//
//===----------------------------------------------------------------------===//

#ifndef LIB_CONVERSION_INTERACTTOGPU_ATTENTIONKERNELS_H
#define LIB_CONVERSION_INTERACTTOGPU_ATTENTIONKERNELS_H

#include "interact/Conversion/InteractToGPU/InteractToGPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/TypeUtilities.h"

namespace mlir::interact::attention {

/// Lanes of an NVIDIA warp, the unit of gpu.shuffle and mma.sync.
inline constexpr int64_t kLanes = 32;

/// One attention op, as the kernels see it. Head counts and head dimensions
/// are static; `batch`, `len` (t) and `src` (s) are index values of the host
/// code, read before the launch.
struct Problem {
  AttentionBuffers buffers;
  /// q, k, v and y's element type T; the type computed in (f32, or f64 for
  /// f64); the decay's element type (T or f32).
  Type element, compute, decayElement;
  int64_t hq, hk, hv, heads, n, p;
  Value batch, len, src;
};

/// Emits the tensor-core (mma.sync m16n8k16) flash-attention kernel. Fails,
/// with an error at `loc`, when `problem` is not one it computes (see
/// supportsMMA) or the tile options do not fit.
LogicalResult emitMMAKernel(ImplicitLocOpBuilder &b, const Problem &problem,
                            const GPUKernelOptions &options);

/// Whether the tensor-core kernel computes `problem`: f16 or bf16, mask none
/// or causal, head dimensions multiples of 16 up to 128.
bool supportsMMA(const Problem &problem);

/// Emits the SIMT flash-attention kernel (a warp per query row), which
/// computes every valid attention op.
LogicalResult emitSIMTKernel(ImplicitLocOpBuilder &b, const Problem &problem,
                             const GPUKernelOptions &options);

//===----------------------------------------------------------------------===//
// Small builders shared by the kernels
//===----------------------------------------------------------------------===//

inline Value indexConst(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIndexOp::create(b, value);
}

inline Value floatConst(ImplicitLocOpBuilder &b, Type type, double value) {
  return arith::ConstantOp::create(b, b.getFloatAttr(type, value));
}

/// a + b, a * b, min(a, b) on indices.
inline Value addi(ImplicitLocOpBuilder &b, Value x, Value y) {
  return arith::AddIOp::create(b, x, y);
}
inline Value muli(ImplicitLocOpBuilder &b, Value x, Value y) {
  return arith::MulIOp::create(b, x, y);
}
inline Value minui(ImplicitLocOpBuilder &b, Value x, Value y) {
  return arith::MinUIOp::create(b, x, y);
}
inline Value ult(ImplicitLocOpBuilder &b, Value x, Value y) {
  return arith::CmpIOp::create(b, arith::CmpIPredicate::ult, x, y);
}
/// ceil(x / d) for a non-negative index x.
inline Value ceilDiv(ImplicitLocOpBuilder &b, Value x, int64_t d) {
  return arith::DivUIOp::create(b, addi(b, x, indexConst(b, d - 1)),
                                indexConst(b, d));
}

/// `x` converted between float types (extension or rounding to nearest).
inline Value castFloat(ImplicitLocOpBuilder &b, Value x, Type to) {
  unsigned from = getElementTypeOrSelf(x.getType()).getIntOrFloatBitWidth();
  unsigned width = getElementTypeOrSelf(to).getIntOrFloatBitWidth();
  if (getElementTypeOrSelf(x.getType()) == getElementTypeOrSelf(to))
    return x;
  if (from < width)
    return arith::ExtFOp::create(b, to, x);
  return arith::TruncFOp::create(b, to, x);
}

/// A butterfly reduction (gpu.shuffle xor) of `x` over groups of `lanes`
/// consecutive lanes (a power of two up to kLanes): every lane of a group
/// ends with the group's sum (`add`) or maximum (NaN-propagating).
Value butterfly(ImplicitLocOpBuilder &b, Value x, int64_t lanes, bool add);

/// The factor that normalizes a softmax row, `1 / sum`, or 0 where no key
/// was visible (`sum` is 0): such a row is 0 (docs/Rationale.md, "Numerics",
/// empty rows).
Value normalizer(ImplicitLocOpBuilder &b, Value sum);

} // namespace mlir::interact::attention

#endif // LIB_CONVERSION_INTERACTTOGPU_ATTENTIONKERNELS_H
