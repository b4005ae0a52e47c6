//===- Reference.cpp - Lower interact ops by their float64 definitions ----===//
//
// The reference lowering: every op by its plain definition in float64, as
// linalg.generics (scans: the sequential recurrence in an scf.for over
// time; attention: the direct sum with its scores materialized). It knows
// no target: `interact-run --check` compares every CPU kernel with it and
// the GPU path reuses it.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/InteractToLinalg/InteractToLinalg.h"

#include "Common.h"
#include "interact/Dialect/Interact/IR/InteractMask.h"
#include "interact/Kernels/VectorOps.h"
#include "interact/Utils/TensorBuilder.h"

#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;
using namespace mlir::interact;

namespace {

/// Lowers a scan by its definition: the recurrence over time in
/// `computeType`, the state of every batch element and head updated at once
/// per step. Returns `y` and the final state.
std::pair<Value, Value> buildRecurrence(ImplicitLocOpBuilder &b,
                                        const ScanOperands &s,
                                        Type computeType) {
  TensorBuilder g(b);
  OpFoldResult batch = g.dim(s.x, 0), length = g.dim(s.x, 1);
  SmallVector<OpFoldResult> stateSizes = {batch, b.getIndexAttr(s.heads),
                                          b.getIndexAttr(s.headDim),
                                          b.getIndexAttr(s.stateDim)};
  Value state = s.init ? g.convert(s.init, computeType)
                       : g.filled(stateSizes, computeType, 0.0);
  Value y = g.empty(
      {batch, length, b.getIndexAttr(s.heads), b.getIndexAttr(s.headDim)},
      s.yType.getElementType());

  // Loops of one step: (b, h, p, n) = (d0, d1, d2, d3).
  AffineExpr group = g.d(1).floorDiv(s.headsPerGroup());
  AffineMap stateMap = AffineMap::getMultiDimIdentityMap(4, b.getContext());
  AffineMap xMap = g.map(4, {g.d(0), g.d(1), g.d(2)});
  AffineMap decayMap = s.diagonal ? g.map(4, {g.d(0), g.d(1), g.d(3)})
                                  : g.map(4, {g.d(0), g.d(1)});
  AffineMap projMap = g.map(4, {g.d(0), group, g.d(3)});

  auto loop = g.forLoop(
      length, ValueRange{state, y},
      [&](TensorBuilder &l, Value step,
          ValueRange iterArgs) -> SmallVector<Value> {
        ImplicitLocOpBuilder &lb = l.b;
        Value xs = l.sliceAt(s.x, 1, step);
        Value as = l.sliceAt(s.a, 1, step);
        Value bs = l.sliceAt(s.B, 1, step);
        Value cs = l.sliceAt(s.C, 1, step);
        // S = exp(a) * S + x B^T
        Value next =
            l.generic({xs, as, bs}, iterArgs[0],
                      {xMap, decayMap, projMap, stateMap}, {par, par, par, par},
                      [&](OpBuilder &bb, Location bl, ValueRange args) {
                        Value xv = castFloat(bb, bl, args[0], computeType);
                        Value av = castFloat(bb, bl, args[1], computeType);
                        Value bv = castFloat(bb, bl, args[2], computeType);
                        Value decayed = arith::MulFOp::create(
                            bb, bl, boundedExp(bb, bl, av), args[3]);
                        Value input = arith::MulFOp::create(bb, bl, xv, bv);
                        return arith::AddFOp::create(bb, bl, decayed, input);
                      });
        // y = S C
        Value acc = l.filled(
            {batch, lb.getIndexAttr(s.heads), lb.getIndexAttr(s.headDim)},
            computeType, 0.0);
        Value ys = l.contract(next, cs, acc, {stateMap, projMap, xMap},
                              {par, par, par, red}, computeType);
        ys = l.convert(ys, s.yType.getElementType());
        Value nextY = l.insertAt(ys, iterArgs[1], 1, step);
        return {next, nextY};
      });
  Value finalState = g.convert(loop.getResult(0), s.stateType.getElementType());
  return {g.castTo(loop.getResult(1), s.yType),
          g.castTo(finalState, s.stateType)};
}

/// Lowers attention directly in `ct`: scores, mask, kernel and the weighted
/// sum of values, each a linalg.generic over (b, H, t, s) or (b, t, H, p).
class ReferenceAttention {
public:
  ReferenceAttention(ImplicitLocOpBuilder &b, AttentionOp op, Value q, Value k,
                     Value v, Value decay, Type ct);

  Value build();

private:
  Value scores();
  Value segmentSums();
  Value weights(Value scores, Value seg);
  std::pair<Value, Value> softmaxRows(Value logits);
  Value weightedSum(Value weights);
  Value finish(Value out, Value rowSum);

  ImplicitLocOpBuilder &b;
  TensorBuilder g;
  MLIRContext *ctx;
  AttentionOp op;
  Value q, k, v, decay;
  Type ct;
  RankedTensorType yType;
  int64_t rq, rk, rv;
  bool softmax;
  Mask mask;
  double scale;
  // A masked-out pair's weight (identity) or logit (softmax).
  double fill;
  OpFoldResult batch, len, src, h, p;
  SmallVector<OpFoldResult> sSizes;
  AffineMap id4;
};

ReferenceAttention::ReferenceAttention(ImplicitLocOpBuilder &b, AttentionOp op,
                                       Value q, Value k, Value v, Value decay,
                                       Type ct)
    : b(b), g(b), ctx(b.getContext()), op(op), q(q), k(k), v(v), decay(decay),
      ct(ct) {
  yType = cast<RankedTensorType>(op.getY().getType());
  auto heads = [&](Value operand) {
    return cast<RankedTensorType>(operand.getType()).getDimSize(2);
  };
  rq = yType.getDimSize(2) / heads(q);
  rk = yType.getDimSize(2) / heads(k);
  rv = yType.getDimSize(2) / heads(v);
  softmax = op.getKernel() == Kernel::Softmax;
  mask = op.getMask();
  scale = op.getScale().convertToDouble();
  fill = softmax ? -std::numeric_limits<double>::infinity() : 0.0;
  batch = g.dim(q, 0);
  len = g.dim(q, 1);
  src = g.dim(k, 1);
  h = b.getIndexAttr(yType.getDimSize(2));
  p = b.getIndexAttr(cast<RankedTensorType>(v.getType()).getDimSize(3));
  sSizes = {batch, h, len, src};
  id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
}

Value ReferenceAttention::build() {
  Value s = scores();
  Value seg = getMaskTraits(mask).decayed ? segmentSums() : Value();
  Value w = weights(s, seg);
  Value rowSum;
  if (softmax)
    std::tie(w, rowSum) = softmaxRows(w);
  return finish(weightedSum(w), rowSum);
}

/// Scores[b, h, i, j] = sum_n q[b, i, h, n] k[b, j, h, n]. Loops
/// (b, h, i, j, n).
Value ReferenceAttention::scores() {
  return g.contract(q, k, g.filled(sSizes, ct, 0.0),
                    {g.map(5, {g.d(0), g.d(2), g.d(1).floorDiv(rq), g.d(4)}),
                     g.map(5, {g.d(0), g.d(3), g.d(1).floorDiv(rk), g.d(4)}),
                     g.map(5, {g.d(0), g.d(1), g.d(2), g.d(3)})},
                    {par, par, par, par, red}, ct);
}

/// The decayed mask's segment sums in f64, seg[b, h, i, j] = a_{j+1} + ...
/// + a_i for j <= i, built row by row: row i is row i - 1 plus a_i, 0 on the
/// diagonal (and, unused, above it). No entry is a difference of two
/// cumulative sums, which would cancel, or be NaN after a -inf reset.
Value ReferenceAttention::segmentSums() {
  Type f64 = Float64Type::get(ctx);
  auto rows = g.forLoop(
      len,
      ValueRange{g.empty(sSizes, f64), g.filled({batch, h, src}, f64, 0.0)},
      [&](TensorBuilder &l, Value i, ValueRange carried) -> SmallVector<Value> {
        Value ai = l.sliceAt(decay, 1, i);
        // Loops (b, h, j).
        Value row = l.generic(
            ai, carried[1],
            {l.map(3, {l.d(0), l.d(1)}),
             AffineMap::getMultiDimIdentityMap(3, ctx)},
            {par, par, par}, [&](OpBuilder &bb, Location bl, ValueRange args) {
              Value sum = arith::AddFOp::create(
                  bb, bl, args[1], castFloat(bb, bl, args[0], f64));
              Value earlier =
                  arith::CmpIOp::create(bb, bl, arith::CmpIPredicate::ult,
                                        linalg::IndexOp::create(bb, bl, 2), i);
              return arith::SelectOp::create(bb, bl, earlier, sum,
                                             floatConstant(bb, bl, f64, 0.0));
            });
        return {l.insertAt(row, carried[0], 2, i), row};
      });
  return rows.getResult(0);
}

/// Weights (identity kernel) or logits (softmax) over loops (b, h, i, j):
/// the scaled score with the mask's weight of the pair, the fill where the
/// mask does not connect it.
Value ReferenceAttention::weights(Value scores, Value seg) {
  SmallVector<Value> inputs = {scores};
  SmallVector<AffineMap> maps = {id4};
  if (seg) {
    inputs.push_back(seg);
    maps.push_back(id4);
  }
  maps.push_back(id4);
  return g.generic(
      inputs, g.empty(sSizes, ct), maps, {par, par, par, par},
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        Value value = arith::MulFOp::create(bb, bl, args[0],
                                            floatConstant(bb, bl, ct, scale));
        Value query = linalg::IndexOp::create(bb, bl, 2);
        Value key = linalg::IndexOp::create(bb, bl, 3);
        MaskWeight weight =
            buildMaskWeight(bb, bl, mask, query, key,
                            seg ? castFloat(bb, bl, args[1], ct) : Value());
        if (Value logWeight = weight.logWeight)
          value = softmax
                      ? Value(arith::AddFOp::create(bb, bl, value, logWeight))
                      : Value(arith::MulFOp::create(
                            bb, bl, value, boundedExp(bb, bl, logWeight)));
        if (!weight.visible)
          return value;
        return arith::SelectOp::create(bb, bl, weight.visible, value,
                                       floatConstant(bb, bl, ct, fill))
            .getResult();
      });
}

/// Softmax: subtracts each row's maximum and exponentiates; returns the
/// weights and the rows' sums.
std::pair<Value, Value> ReferenceAttention::softmaxRows(Value logits) {
  AffineMap rowMap = g.map(4, {g.d(0), g.d(1), g.d(2)});
  SmallVector<OpFoldResult> rowSizes = {batch, h, len};
  Value rowMax = g.generic(
      logits, g.filled(rowSizes, ct, fill), {id4, rowMap}, {par, par, par, red},
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        return arith::MaximumFOp::create(bb, bl, args[0], args[1]);
      });
  Value weights = g.generic(
      {logits, rowMax}, g.empty(sSizes, ct), {id4, rowMap, id4},
      {par, par, par, par}, [&](OpBuilder &bb, Location bl, ValueRange args) {
        // A masked logit (-inf) has weight 0, also in a row whose maximum
        // is -inf.
        Value shifted = arith::SubFOp::create(bb, bl, args[0], args[1]);
        Value isMasked =
            arith::CmpFOp::create(bb, bl, arith::CmpFPredicate::OEQ, args[0],
                                  floatConstant(bb, bl, ct, fill));
        return arith::SelectOp::create(bb, bl, isMasked,
                                       floatConstant(bb, bl, ct, 0.0),
                                       math::ExpOp::create(bb, bl, shifted));
      });
  Value rowSum = g.generic(
      weights, g.filled(rowSizes, ct, 0.0), {id4, rowMap}, {par, par, par, red},
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        return arith::AddFOp::create(bb, bl, args[0], args[1]);
      });
  return {weights, rowSum};
}

/// out[b, i, h, p] = sum_j w[b, h, i, j] v[b, j, h, p]. Loops
/// (b, i, h, p, j). Keys the mask does not connect are selected out, not
/// weighted by zero: NaN or Inf in a masked value never reaches an output.
Value ReferenceAttention::weightedSum(Value weights) {
  SmallVector<OpFoldResult> ySizes = {batch, len, h, p};
  AffineMap yMap = g.map(5, {g.d(0), g.d(1), g.d(2), g.d(3)});
  return g.generic(
      {weights, v}, g.filled(ySizes, ct, 0.0),
      {g.map(5, {g.d(0), g.d(2), g.d(1), g.d(4)}),
       g.map(5, {g.d(0), g.d(4), g.d(2).floorDiv(rv), g.d(3)}), yMap},
      {par, par, par, par, red},
      [&](OpBuilder &bb, Location bl, ValueRange args) -> Value {
        Value sum = arith::AddFOp::create(
            bb, bl, args[2],
            arith::MulFOp::create(bb, bl, args[0],
                                  castFloat(bb, bl, args[1], ct)));
        Value query = linalg::IndexOp::create(bb, bl, 1);
        Value key = linalg::IndexOp::create(bb, bl, 4);
        MaskWeight weight = buildMaskWeight(bb, bl, mask, query, key);
        if (!weight.visible)
          return sum;
        return arith::SelectOp::create(bb, bl, weight.visible, sum, args[2]);
      });
}

/// Normalizes (softmax) and rounds to the result type. Loops (b, i, h, p).
Value ReferenceAttention::finish(Value out, Value rowSum) {
  Type yElement = yType.getElementType();
  SmallVector<Value> inputs = {out};
  SmallVector<AffineMap> maps = {id4};
  if (rowSum) {
    inputs.push_back(rowSum);
    maps.push_back(g.map(4, {g.d(0), g.d(2), g.d(1)}));
  }
  maps.push_back(id4);
  Value y = g.generic(inputs, g.empty({batch, len, h, p}, yElement), maps,
                      {par, par, par, par},
                      [&](OpBuilder &bb, Location bl, ValueRange args) {
                        Value value = args[0];
                        if (rowSum)
                          value = kernels::normalize(bb, bl, value, args[1]);
                        return castFloat(bb, bl, value, yElement);
                      });
  return g.castTo(y, yType);
}

/// The float64 type the reference computes in.
Type referenceType(MLIRContext *ctx) { return Float64Type::get(ctx); }

/// Lowers a scan or a chunked scan by its plain definition, the recurrence.
template <typename OpTy>
struct ReferenceRecurrenceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    replaceScanLike(op, adaptor, rewriter,
                    [&](ImplicitLocOpBuilder &b, const ScanOperands &s) {
                      return buildRecurrence(b, s,
                                             referenceType(op.getContext()));
                    });
    return success();
  }
};

/// Lowers attention by its plain definition, the direct sum.
struct ReferenceAttentionLowering : OpConversionPattern<AttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    replaceAttention(op, adaptor, rewriter, [&](ImplicitLocOpBuilder &b) {
      return ReferenceAttention(b, op, adaptor.getQ(), adaptor.getK(),
                                adaptor.getV(), adaptor.getDecay(),
                                referenceType(op.getContext()))
          .build();
    });
    return success();
  }
};

} // namespace

void mlir::interact::populateInteractToLinalgReferencePatterns(
    RewritePatternSet &patterns) {
  patterns.add<ReferenceRecurrenceLowering<ScanOp>,
               ReferenceRecurrenceLowering<ChunkedScanOp>,
               ReferenceAttentionLowering>(patterns.getContext());
}
