//===- SplitDecayClasses.cpp - One scalar scan per decay class ------------===//
//
// A diagonal-decay scan is the sum of one scalar-decay scan per decay class,
// each over its class's state columns: the columns of a class decay alike,
// and columns of different classes never mix (the state update and the
// readout y = S C act column by column). Classes come from the structure
// analysis, which proves them from the IR that computes the decays.
//
//===----------------------------------------------------------------------===//

#include "interact/Dialect/Interact/Transforms/Passes.h"
#include "interact/Dialect/Interact/Transforms/Transforms.h"

#include "RewriteEach.h"
#include "interact/Utils/TensorBuilder.h"

#define DEBUG_TYPE "interact-split-decay-classes"

namespace mlir::interact {
#define GEN_PASS_DEF_SPLITDECAYCLASSESPASS
#include "interact/Dialect/Interact/Transforms/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;
using namespace mlir::interact;

namespace {

/// Maximal runs of consecutive columns: (first column, length).
SmallVector<std::pair<int64_t, int64_t>> runsOf(ArrayRef<int64_t> columns) {
  SmallVector<std::pair<int64_t, int64_t>> runs;
  for (int64_t c : columns) {
    if (!runs.empty() && runs.back().first + runs.back().second == c)
      ++runs.back().second;
    else
      runs.push_back({c, 1});
  }
  return runs;
}

/// Offsets, sizes and strides of `tensor` with its last dimension restricted
/// to [start, start + length).
void lastDimRange(TensorBuilder &g, Value tensor, int64_t start, int64_t length,
                  SmallVector<OpFoldResult> &offsets,
                  SmallVector<OpFoldResult> &sizes,
                  SmallVector<OpFoldResult> &strides) {
  int64_t rank = cast<RankedTensorType>(tensor.getType()).getRank();
  for (int64_t i = 0; i < rank; ++i) {
    bool last = i == rank - 1;
    offsets.push_back(g.b.getIndexAttr(last ? start : 0));
    sizes.push_back(last ? OpFoldResult(g.b.getIndexAttr(length))
                         : g.dim(tensor, i));
    strides.push_back(g.b.getIndexAttr(1));
  }
}

/// Returns the given columns of the last dimension of `tensor`, in order.
Value gatherColumns(TensorBuilder &g, Value tensor, ArrayRef<int64_t> columns) {
  auto type = cast<RankedTensorType>(tensor.getType());
  int64_t rank = type.getRank();
  if (static_cast<int64_t>(columns.size()) == type.getDimSize(rank - 1))
    return tensor;
  SmallVector<OpFoldResult> outSizes;
  for (int64_t i = 0; i < rank - 1; ++i)
    outSizes.push_back(g.dim(tensor, i));
  outSizes.push_back(g.b.getIndexAttr(columns.size()));
  Value result = g.empty(outSizes, type.getElementType());
  int64_t at = 0;
  for (auto [start, length] : runsOf(columns)) {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    lastDimRange(g, tensor, start, length, offsets, sizes, strides);
    Value run =
        tensor::ExtractSliceOp::create(g.b, tensor, offsets, sizes, strides);
    SmallVector<OpFoldResult> dstOffsets, dstSizes, dstStrides;
    lastDimRange(g, result, at, length, dstOffsets, dstSizes, dstStrides);
    result = tensor::InsertSliceOp::create(g.b, run, result, dstOffsets,
                                           dstSizes, dstStrides);
    at += length;
  }
  return result;
}

} // namespace

FailureOr<SmallVector<ScanOp>>
mlir::interact::splitByDecayClasses(RewriterBase &rewriter, ScanOp op,
                                    const DecayClasses &classes,
                                    std::string *reason) {
  if (std::optional<std::string> why = whyNotSplit(op, classes)) {
    if (reason)
      *reason = *why;
    return failure();
  }
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  TensorBuilder g(b);

  auto yType = cast<RankedTensorType>(op.getY().getType());
  auto stateType = cast<RankedTensorType>(op.getFinalState().getType());
  SmallVector<ScanOp> scans;
  for (ArrayRef<int64_t> columns : classes.classes) {
    // The class's columns decay alike: any one of them is its scalar decay.
    Value a = g.sliceAt(op.getA(), 3, b.getIndexAttr(columns.front()));
    Value B = gatherColumns(g, op.getB(), columns);
    Value C = gatherColumns(g, op.getC(), columns);
    Value init;
    if (op.getInitState())
      init = gatherColumns(g, op.getInitState(), columns);
    SmallVector<int64_t> shape(stateType.getShape());
    shape.back() = columns.size();
    auto classState = RankedTensorType::get(shape, stateType.getElementType());
    scans.push_back(ScanOp::create(b, TypeRange{yType, classState}, op.getX(),
                                   a, B, C, init));
  }

  // y is the sum of the classes' outputs.
  Value y = scans.front().getY();
  if (scans.size() > 1) {
    Type element = yType.getElementType();
    Type ct = computeTypeFor(element);
    SmallVector<Value> parts;
    for (ScanOp scan : scans)
      parts.push_back(scan.getY());
    AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, g.ctx);
    SmallVector<AffineMap> maps(parts.size() + 1, id4);
    y = g.generic(
        parts,
        g.empty({g.dim(y, 0), g.dim(y, 1), g.dim(y, 2), g.dim(y, 3)}, element),
        maps, {par, par, par, par},
        [&](OpBuilder &bb, Location l, ValueRange args) {
          Value sum = castFloat(bb, l, args[0], ct);
          for (Value part : args.drop_front().drop_back())
            sum = arith::AddFOp::create(bb, l, sum, castFloat(bb, l, part, ct));
          return castFloat(bb, l, sum, element);
        });
    y = g.castTo(y, yType);
  }

  // The final state puts each class's columns back in place.
  Value finalState = scans.front().getFinalState();
  if (scans.size() > 1 && !op.getFinalState().use_empty()) {
    Value state = scans.front().getFinalState();
    finalState = g.empty({g.dim(state, 0), g.dim(state, 1), g.dim(state, 2),
                          b.getIndexAttr(stateType.getDimSize(3))},
                         stateType.getElementType());
    for (auto [scan, columns] : llvm::zip(scans, classes.classes)) {
      int64_t at = 0;
      for (auto [start, length] : runsOf(columns)) {
        SmallVector<OpFoldResult> offsets, sizes, strides;
        lastDimRange(g, scan.getFinalState(), at, length, offsets, sizes,
                     strides);
        Value run = tensor::ExtractSliceOp::create(b, scan.getFinalState(),
                                                   offsets, sizes, strides);
        SmallVector<OpFoldResult> dstOffsets, dstSizes, dstStrides;
        lastDimRange(g, finalState, start, length, dstOffsets, dstSizes,
                     dstStrides);
        finalState = tensor::InsertSliceOp::create(
            b, run, finalState, dstOffsets, dstSizes, dstStrides);
        at += length;
      }
    }
    finalState = g.castTo(finalState, stateType);
  }
  rewriter.replaceAllUsesWith(op.getY(), y);
  rewriter.replaceAllUsesWith(op.getFinalState(), finalState);
  rewriter.eraseOp(op);
  return scans;
}

namespace {

struct SplitDecayClassesPass
    : public interact::impl::SplitDecayClassesPassBase<SplitDecayClassesPass> {
  void runOnOperation() override {
    rewriteEach<ScanOp>(
        getOperation(), "not split",
        [](RewriterBase &rewriter, ScanOp op, std::string &reason) {
          return splitByDecayClasses(rewriter, op, computeDecayClasses(op),
                                     &reason);
        });
  }
};

} // namespace
