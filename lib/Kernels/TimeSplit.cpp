//===- TimeSplit.cpp - Time split into chunks -----------------------------===//

#include "interact/Kernels/TimeSplit.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::kernels;

ChunkedTime ChunkedTime::get(TensorBuilder &g, OpFoldResult length,
                             int64_t chunk) {
  AffineExpr t = getAffineSymbolExpr(0, g.ctx);
  Location loc = g.b.getLoc();
  ChunkedTime time;
  time.length = length;
  time.numChunks = affine::makeComposedFoldedAffineApply(
      g.b, loc, t.ceilDiv(chunk), {length});
  time.padded = affine::makeComposedFoldedAffineApply(
      g.b, loc, t.ceilDiv(chunk) * chunk, {length});
  time.needsPadding = !isEqualConstantIntOrValue(length, time.padded);
  return time;
}

Value ChunkedTime::pad(TensorBuilder &g, Value tensor) const {
  if (!needsPadding)
    return tensor;
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<OpFoldResult> sizes, offsets, strides, paddedSizes;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i) {
    sizes.push_back(g.dim(tensor, i));
    offsets.push_back(g.b.getIndexAttr(0));
    strides.push_back(g.b.getIndexAttr(1));
    paddedSizes.push_back(i == 1 ? padded : sizes.back());
  }
  Value zeros = g.filled(paddedSizes, type.getElementType(), 0.0);
  return tensor::InsertSliceOp::create(g.b, tensor, zeros, offsets, sizes,
                                       strides);
}

Value ChunkedTime::unpad(TensorBuilder &g, Value tensor) const {
  if (!needsPadding)
    return tensor;
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<OpFoldResult> zeros(type.getRank(), g.b.getIndexAttr(0));
  SmallVector<OpFoldResult> ones(type.getRank(), g.b.getIndexAttr(1));
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i)
    sizes.push_back(i == 1 ? length : g.dim(tensor, i));
  return tensor::ExtractSliceOp::create(g.b, tensor, zeros, sizes, ones);
}

Value kernels::splitTime(TensorBuilder &g, Value tensor, OpFoldResult numChunks,
                         int64_t chunk) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> outputShape;
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i) {
    if (i == 1) {
      std::optional<int64_t> n = getConstantIntValue(numChunks);
      shape.append({n ? *n : ShapedType::kDynamic, chunk});
      outputShape.append({numChunks, g.b.getIndexAttr(chunk)});
      reassociation.push_back({1, 2});
      continue;
    }
    shape.push_back(type.getDimSize(i));
    outputShape.push_back(g.dim(tensor, i));
    int64_t pos = i < 1 ? i : i + 1;
    reassociation.push_back({pos});
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExpandShapeOp::create(g.b, resultType, tensor, reassociation,
                                       outputShape);
}
