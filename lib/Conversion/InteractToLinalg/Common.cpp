//===- Common.cpp - What every interact lowering shares -------------------===//

#include "Common.h"

#include "interact/Utils/TensorBuilder.h"

using namespace mlir;
using namespace mlir::interact;

bool ScanOperands::isEmpty() const {
  auto type = cast<RankedTensorType>(x.getType());
  return type.getDimSize(0) == 0 || type.getDimSize(1) == 0;
}

std::pair<Value, Value> mlir::interact::buildEmptyScan(ImplicitLocOpBuilder &b,
                                                       const ScanOperands &s) {
  TensorBuilder g(b);
  OpFoldResult batch = g.dim(s.x, 0);
  Value y = g.empty({batch, g.dim(s.x, 1), b.getIndexAttr(s.heads),
                     b.getIndexAttr(s.headDim)},
                    s.yType.getElementType());
  Type stateElement = s.stateType.getElementType();
  Value state =
      s.init ? g.convert(s.init, stateElement)
             : g.filled({batch, b.getIndexAttr(s.heads),
                         b.getIndexAttr(s.headDim), b.getIndexAttr(s.stateDim)},
                        stateElement, 0.0);
  return {g.castTo(y, s.yType), g.castTo(state, s.stateType)};
}

void mlir::interact::replaceAttention(
    AttentionOp op, AttentionOp::Adaptor adaptor,
    ConversionPatternRewriter &rewriter,
    function_ref<Value(ImplicitLocOpBuilder &)> build) {
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  auto qType = cast<RankedTensorType>(adaptor.getQ().getType());
  if (qType.getDimSize(0) != 0 && qType.getDimSize(1) != 0) {
    rewriter.replaceOp(op, build(b));
    return;
  }
  TensorBuilder g(b);
  auto yType = cast<RankedTensorType>(op.getY().getType());
  Value y = g.empty({g.dim(adaptor.getQ(), 0), g.dim(adaptor.getQ(), 1),
                     b.getIndexAttr(yType.getDimSize(2)),
                     b.getIndexAttr(yType.getDimSize(3))},
                    yType.getElementType());
  rewriter.replaceOp(op, g.castTo(y, yType));
}
