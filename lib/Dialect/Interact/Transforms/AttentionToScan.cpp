//===- AttentionToScan.cpp - Rewrite causal linear attention as a scan ----===//
//
// The dual direction of SSD: identity-kernel attention with a causal or
// semiseparable mask is the recurrence over the state sum_j w_ij v_j k_j^T.
// Softmax attention has no such state (rank explosion) and attention without
// a mask is not causal; both are refused with a remark.
//
//===----------------------------------------------------------------------===//

#include "interact/Dialect/Interact/Transforms/Passes.h"
#include "interact/Dialect/Interact/Transforms/Transforms.h"

#include "RewriteEach.h"
#include "interact/Utils/TensorBuilder.h"

#define DEBUG_TYPE "interact-attention-to-scan"

namespace mlir::interact {
#define GEN_PASS_DEF_ATTENTIONTOSCANPASS
#include "interact/Dialect/Interact/Transforms/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;
using namespace mlir::interact;

/// Repeats the heads (dimension 2) of `tensor` to `heads`: head i reads head
/// i / (heads / h) of the input, the attention head rule.
static Value broadcastHeads(TensorBuilder &g, Value tensor, int64_t heads) {
  auto type = cast<RankedTensorType>(tensor.getType());
  int64_t r = heads / type.getDimSize(2);
  if (r == 1)
    return tensor;
  AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, g.ctx);
  return g.generic(
      tensor,
      g.empty({g.dim(tensor, 0), g.dim(tensor, 1), g.b.getIndexAttr(heads),
               g.dim(tensor, 3)},
              type.getElementType()),
      {g.map(4, {g.d(0), g.d(1), g.d(2).floorDiv(r), g.d(3)}), id4},
      {par, par, par, par},
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

FailureOr<ScanOp> mlir::interact::convertAttentionToScan(RewriterBase &rewriter,
                                                         AttentionOp op,
                                                         std::string *reason) {
  if (std::optional<std::string> why = whyNotAttentionToScan(op)) {
    if (reason)
      *reason = *why;
    return failure();
  }
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  TensorBuilder g(b);

  OperatorSizes sizes = op.getSizes();
  int64_t heads = sizes.numHeads;
  auto yType = cast<RankedTensorType>(op.getY().getType());
  Type element = yType.getElementType();
  Type ct = computeTypeFor(element);

  // The scan reads x with all heads, and B and C with one group count.
  Value x = broadcastHeads(g, op.getV(), heads);
  Value keys = op.getK(), queries = op.getQ();
  if (sizes.numKeyHeads != sizes.numQueryHeads) {
    keys = broadcastHeads(g, keys, heads);
    queries = broadcastHeads(g, queries, heads);
  }
  // A causal mask is a semiseparable one with zero log-decays.
  Value decay = op.getDecay();
  if (!decay)
    decay = g.filled(
        {g.dim(queries, 0), g.dim(queries, 1), b.getIndexAttr(heads)}, ct, 0.0);

  int64_t batch = yType.getDimSize(0);
  auto stateType =
      RankedTensorType::get({batch, heads, sizes.headDim, sizes.stateDim}, ct);
  auto scan = ScanOp::create(b, TypeRange{yType, stateType}, x, decay, keys,
                             queries, /*init_state=*/Value());

  Value y = scan.getY();
  double scale = op.getScale().convertToDouble();
  if (scale != 1.0) {
    AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, g.ctx);
    y = g.generic(
        y,
        g.empty({g.dim(y, 0), g.dim(y, 1), g.dim(y, 2), g.dim(y, 3)}, element),
        {id4, id4}, {par, par, par, par},
        [&](OpBuilder &bb, Location l, ValueRange args) {
          Value scaled =
              arith::MulFOp::create(bb, l, castFloat(bb, l, args[0], ct),
                                    floatConstant(bb, l, ct, scale));
          return castFloat(bb, l, scaled, element);
        });
    y = g.castTo(y, yType);
  }
  rewriter.replaceOp(op, y);
  return scan;
}

namespace {

struct AttentionToScanPass
    : public interact::impl::AttentionToScanPassBase<AttentionToScanPass> {
  void runOnOperation() override {
    rewriteEach<AttentionOp>(
        getOperation(), "not rewritten to a scan",
        [](RewriterBase &rewriter, AttentionOp op, std::string &reason) {
          return convertAttentionToScan(rewriter, op, &reason);
        });
  }
};

} // namespace
