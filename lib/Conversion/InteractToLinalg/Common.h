//===- Common.h - What every interact lowering shares -----------*- C++ -*-===//
//
// Private to lib/Conversion/InteractToLinalg: the operands of scan-like ops
// and the lowering of statically empty ops, shared by the reference
// lowering and the CPU kernels.
//
//===----------------------------------------------------------------------===//

#ifndef LIB_CONVERSION_INTERACTTOLINALG_COMMON_H
#define LIB_CONVERSION_INTERACTTOLINALG_COMMON_H

#include "interact/Dialect/Interact/IR/InteractOps.h"
#include "interact/Kernels/KernelConfig.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/DialectConversion.h"

#include <utility>

namespace mlir::interact {

/// The operands of a scan-like op and the facts every lowering needs.
struct ScanOperands {
  Value x, a, B, C, init;
  RankedTensorType yType, stateType;
  int64_t heads, headDim, stateDim, groups;
  bool diagonal;

  template <typename OpTy, typename AdaptorTy>
  static ScanOperands get(OpTy op, AdaptorTy adaptor) {
    ScanOperands s;
    s.x = adaptor.getX();
    s.a = adaptor.getA();
    s.B = adaptor.getB();
    s.C = adaptor.getC();
    s.init = adaptor.getInitState();
    s.yType = cast<RankedTensorType>(op.getY().getType());
    s.stateType = cast<RankedTensorType>(op.getFinalState().getType());
    auto xType = cast<RankedTensorType>(s.x.getType());
    auto bType = cast<RankedTensorType>(s.B.getType());
    s.heads = xType.getDimSize(2);
    s.headDim = xType.getDimSize(3);
    s.stateDim = bType.getDimSize(3);
    s.groups = bType.getDimSize(2);
    s.diagonal = cast<RankedTensorType>(s.a.getType()).getRank() == 4;
    return s;
  }

  int64_t headsPerGroup() const { return heads / groups; }

  /// Whether the batch or the length is statically zero.
  bool isEmpty() const;
};

/// A scan over statically no steps or no batch: y is empty and the final
/// state is the initial one (zero without one). (The kernels' slices at
/// offset 0 of an empty dimension would not verify.)
std::pair<Value, Value> buildEmptyScan(ImplicitLocOpBuilder &b,
                                       const ScanOperands &s);

/// Replaces the scan-like `op` by the y and final state `build` makes of its
/// operands (by the empty scan's where the batch or the length is
/// statically zero).
template <typename OpTy>
void replaceScanLike(OpTy op, typename OpTy::Adaptor adaptor,
                     ConversionPatternRewriter &rewriter,
                     function_ref<std::pair<Value, Value>(
                         ImplicitLocOpBuilder &, const ScanOperands &)>
                         build) {
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  ScanOperands s = ScanOperands::get(op, adaptor);
  auto [y, state] = s.isEmpty() ? buildEmptyScan(b, s) : build(b, s);
  rewriter.replaceOp(op, {y, state});
}

/// A pattern lowering `OpTy` to the CPU kernels of `config`.
template <typename OpTy>
struct KernelPattern : OpConversionPattern<OpTy> {
  KernelPattern(MLIRContext *ctx, const kernels::KernelConfig &config)
      : OpConversionPattern<OpTy>(ctx), config(config) {}

  kernels::KernelConfig config;
};

/// Replaces `op` by the y `build` makes (by an empty y where the batch or
/// the queries are statically none, in the reference too: the kernels'
/// slices at offset 0 of an empty dimension would not verify).
void replaceAttention(AttentionOp op, AttentionOp::Adaptor adaptor,
                      ConversionPatternRewriter &rewriter,
                      function_ref<Value(ImplicitLocOpBuilder &)> build);

} // namespace mlir::interact

#endif // LIB_CONVERSION_INTERACTTOLINALG_COMMON_H
