//===- ScanToAttention.cpp - Rewrite scans as semiseparable attention -----===//
//
// SSD's duality: a scan whose state columns share one decay sequence is
// identity-kernel attention with the 1-semiseparable mask of that sequence.
// The initial state and the final state are not part of the attention, so
// they are computed next to it from direct sums of decays (prefix sums for
// the initial-state term, suffix sums for the final state), never from the
// difference of two long cumulative sums.
//
//===----------------------------------------------------------------------===//

#include "interact/Dialect/Interact/Transforms/Passes.h"
#include "interact/Dialect/Interact/Transforms/Transforms.h"

#include "RewriteEach.h"
#include "interact/Utils/TensorBuilder.h"

#include "mlir/Dialect/Math/IR/Math.h"

#define DEBUG_TYPE "interact-scan-to-attention"

namespace mlir::interact {
#define GEN_PASS_DEF_SCANTOATTENTIONPASS
#include "interact/Dialect/Interact/Transforms/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;
using namespace mlir::interact;

/// Sums the decays `a` (b x t x h) at each step i directly: over k <= i
/// (prefix), or over k > i (suffix). Loops (b, i, h, k).
static Value sumDecays(TensorBuilder &g, Value a, Type ct, bool suffix) {
  auto type = cast<RankedTensorType>(a.getType());
  return g.generic(
      a,
      g.filled({g.dim(a, 0), g.dim(a, 1), g.b.getIndexAttr(type.getDimSize(2))},
               ct, 0.0),
      {g.map(4, {g.d(0), g.d(3), g.d(2)}), g.map(4, {g.d(0), g.d(1), g.d(2)})},
      {par, par, par, red}, [&](OpBuilder &bb, Location l, ValueRange args) {
        Value sum = arith::AddFOp::create(bb, l, args[1],
                                          castFloat(bb, l, args[0], ct));
        Value inPrefix = indexLessEqual(bb, l, 3, 1);
        return arith::SelectOp::create(bb, l, inPrefix, suffix ? args[1] : sum,
                                       suffix ? sum : args[1]);
      });
}

FailureOr<AttentionOp>
mlir::interact::convertScanToAttention(RewriterBase &rewriter, ScanOp op,
                                       const DecayClasses &classes,
                                       std::string *reason) {
  if (std::optional<std::string> why = whyNotScanToAttention(op, classes)) {
    if (reason)
      *reason = *why;
    return failure();
  }
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  TensorBuilder g(b);
  MLIRContext *ctx = b.getContext();

  Value x = op.getX(), a = op.getA(), B = op.getB(), C = op.getC();
  Value init = op.getInitState();
  // One decay class: a scalar decay, or any column of a diagonal one.
  if (cast<RankedTensorType>(a.getType()).getRank() == 4)
    a = g.sliceAt(a, 3, b.getIndexAttr(0));
  auto yType = cast<RankedTensorType>(op.getY().getType());
  auto stateType = cast<RankedTensorType>(op.getFinalState().getType());
  auto attention =
      AttentionOp::create(b, yType, KernelAttr::get(ctx, Kernel::Identity),
                          MaskAttr::get(ctx, Mask::Semiseparable), C, B, x, a,
                          b.getF32FloatAttr(1.0f));
  Value y = attention.getY();

  OperatorSizes sizes = op.getSizes();
  int64_t r = sizes.numHeads / sizes.numKeyHeads;
  Type ct = computeTypeFor(yType.getElementType());
  OpFoldResult batch = g.dim(x, 0), length = g.dim(x, 1);
  OpFoldResult h = b.getIndexAttr(sizes.numHeads),
               p = b.getIndexAttr(sizes.headDim),
               n = b.getIndexAttr(sizes.stateDim);
  AffineMap decayMap3 = g.map(3, {g.d(0), g.d(2), g.d(1)});

  if (init) {
    // y_i += exp(a_1 + ... + a_i) S_0 C_i.
    Value prefix = sumDecays(g, a, ct, /*suffix=*/false);
    // S_0 C_i over loops (b, i, h, p, n).
    Value readout =
        g.contract(init, C, g.filled({batch, length, h, p}, ct, 0.0),
                   {g.map(5, {g.d(0), g.d(2), g.d(3), g.d(4)}),
                    g.map(5, {g.d(0), g.d(1), g.d(2).floorDiv(r), g.d(4)}),
                    g.map(5, {g.d(0), g.d(1), g.d(2), g.d(3)})},
                   {par, par, par, par, red}, ct);
    AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
    Type yElement = yType.getElementType();
    y = g.generic(
        {y, readout, prefix}, g.empty({batch, length, h, p}, yElement),
        {id4, id4, g.map(4, {g.d(0), g.d(1), g.d(2)}), id4},
        {par, par, par, par}, [&](OpBuilder &bb, Location l, ValueRange args) {
          Value decayed =
              arith::MulFOp::create(bb, l, boundedExp(bb, l, args[2]), args[1]);
          Value sum = arith::AddFOp::create(
              bb, l, castFloat(bb, l, args[0], ct), decayed);
          return castFloat(bb, l, sum, yElement);
        });
    y = g.castTo(y, yType);
  }
  rewriter.replaceAllUsesWith(op.getY(), y);

  if (!op.getFinalState().use_empty()) {
    // S_T = exp(a_1 + ... + a_T) S_0 + sum_j exp(a_{j+1} + ... + a_T) x_j
    // B_j^T.
    Value suffix = sumDecays(g, a, ct, /*suffix=*/true);
    // Loops (b, h, p, n, j).
    Value state = g.generic(
        {suffix, x, B}, g.filled({batch, h, p, n}, ct, 0.0),
        {g.map(5, {g.d(0), g.d(4), g.d(1)}),
         g.map(5, {g.d(0), g.d(4), g.d(1), g.d(2)}),
         g.map(5, {g.d(0), g.d(4), g.d(1).floorDiv(r), g.d(3)}),
         g.map(5, {g.d(0), g.d(1), g.d(2), g.d(3)})},
        {par, par, par, par, red},
        [&](OpBuilder &bb, Location l, ValueRange args) {
          Value xb = arith::MulFOp::create(bb, l, castFloat(bb, l, args[1], ct),
                                           castFloat(bb, l, args[2], ct));
          Value term =
              arith::MulFOp::create(bb, l, boundedExp(bb, l, args[0]), xb);
          return arith::AddFOp::create(bb, l, args[3], term);
        });
    AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
    Type stateElement = stateType.getElementType();
    SmallVector<Value> inputs = {state};
    SmallVector<AffineMap> maps = {id4};
    if (init) {
      // Loops (b, h, k).
      Value total =
          g.generic(a, g.filled({batch, h}, ct, 0.0),
                    {decayMap3, g.map(3, {g.d(0), g.d(1)})}, {par, par, red},
                    [&](OpBuilder &bb, Location l, ValueRange args) {
                      return arith::AddFOp::create(
                          bb, l, args[1], castFloat(bb, l, args[0], ct));
                    });
      inputs.append({total, init});
      maps.append({g.map(4, {g.d(0), g.d(1)}), id4});
    }
    maps.push_back(id4);
    Value finalState = g.generic(
        inputs, g.empty({batch, h, p, n}, stateElement), maps,
        {par, par, par, par}, [&](OpBuilder &bb, Location l, ValueRange args) {
          Value value = args[0];
          if (init)
            value = arith::AddFOp::create(
                bb, l, value,
                arith::MulFOp::create(bb, l, boundedExp(bb, l, args[1]),
                                      castFloat(bb, l, args[2], ct)));
          return castFloat(bb, l, value, stateElement);
        });
    rewriter.replaceAllUsesWith(op.getFinalState(),
                                g.castTo(finalState, stateType));
  }
  rewriter.eraseOp(op);
  return attention;
}

namespace {

struct ScanToAttentionPass
    : public interact::impl::ScanToAttentionPassBase<ScanToAttentionPass> {
  void runOnOperation() override {
    rewriteEach<ScanOp>(
        getOperation(), "not rewritten to attention",
        [](RewriterBase &rewriter, ScanOp op, std::string &reason) {
          return convertScanToAttention(rewriter, op, computeDecayClasses(op),
                                        &reason);
        });
  }
};

} // namespace
