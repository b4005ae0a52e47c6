//===- InteractToLinalg.cpp - Lower interact ops to linalg/tensor/scf -----===//
//
// Each op becomes tensor-level IR: linalg.generic for every contraction and
// elementwise step (so later tiling and vectorization see structured ops),
// scf.for for the sequential parts (time steps, chunks), tensor slicing to
// move between them. Group and grouped-query head sharing are affine
// `floordiv` maps, and scalar versus diagonal decays differ only in the map
// that reads the decay, so one builder serves both.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/Passes.h"
#include "interact/Dialect/Interact/IR/InteractOps.h"
#include "interact/Utils/TensorBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

#define DEBUG_TYPE "convert-interact-to-linalg"

namespace mlir::interact {
#define GEN_PASS_DEF_CONVERTINTERACTTOLINALGPASS
#include "interact/Conversion/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;
using namespace mlir::interact;

using utils::IteratorType;
using namespace mlir::interact::tensor_builder;

namespace {

//===----------------------------------------------------------------------===//
// Scans
//===----------------------------------------------------------------------===//

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
};

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
                            bb, bl, math::ExpOp::create(bb, bl, av), args[3]);
                        Value input = arith::MulFOp::create(bb, bl, xv, bv);
                        return arith::AddFOp::create(bb, bl, decayed, input);
                      });
        // y = S C
        Value acc = l.filled(
            {batch, lb.getIndexAttr(s.heads), lb.getIndexAttr(s.headDim)},
            computeType, 0.0);
        Value ys = l.generic(
            {next, cs}, acc, {stateMap, projMap, xMap}, {par, par, par, red},
            [&](OpBuilder &bb, Location bl, ValueRange args) {
              Value cv = castFloat(bb, bl, args[1], computeType);
              Value prod = arith::MulFOp::create(bb, bl, args[0], cv);
              return arith::AddFOp::create(bb, bl, args[2], prod);
            });
        ys = l.convert(ys, s.yType.getElementType());
        Value nextY = l.insertAt(ys, iterArgs[1], 1, step);
        return {next, nextY};
      });
  Value finalState = g.convert(loop.getResult(0), s.stateType.getElementType());
  return {g.castTo(loop.getResult(1), s.yType),
          g.castTo(finalState, s.stateType)};
}

/// Reads `size` elements of the last dimension of `tensor` at `indices` as
/// a vector of `ct` (in bounds by construction).
static Value readRow(ImplicitLocOpBuilder &b, Value tensor, ValueRange indices,
                     int64_t size, Type ct) {
  Type element = cast<RankedTensorType>(tensor.getType()).getElementType();
  Value pad = arith::ConstantOp::create(b, b.getZeroAttr(element));
  Value row = vector::TransferReadOp::create(
      b, VectorType::get({size}, element), tensor, indices, pad,
      ArrayRef<bool>{true});
  return castFloat(b, b.getLoc(), row, VectorType::get({size}, ct));
}

/// Rows of `p` a vector-recurrence tile holds: the largest divisor of p whose
/// tile (rows x n values) fits 256 lanes, sixteen AVX-512 registers.
static int64_t rowsPerTile(int64_t p, int64_t n) {
  int64_t rows = std::max<int64_t>(1, 256 / std::max<int64_t>(n, 1));
  while (rows > 1 && p % rows != 0)
    --rows;
  return std::min(rows, p);
}

/// Lowers a scan to vector code: parallel over (batch, head, tile of p rows)
/// with scf.forall, the tile's rows x n state carried in vectors through the
/// time loop (registers, not memory), the decay exponentiated once per step,
/// the readout y = S C a vector reduction per row.
std::pair<Value, Value> buildVectorRecurrence(ImplicitLocOpBuilder &b,
                                              const ScanOperands &s, Type ct) {
  TensorBuilder g(b);
  MLIRContext *ctx = b.getContext();
  int64_t rows = rowsPerTile(s.headDim, s.stateDim);
  int64_t tiles = s.headDim / rows;
  int64_t r = s.headsPerGroup();
  Type yElement = s.yType.getElementType();
  Type stateElement = s.stateType.getElementType();
  OpFoldResult batch = g.dim(s.x, 0), length = g.dim(s.x, 1);
  Value y = g.empty(
      {batch, length, b.getIndexAttr(s.heads), b.getIndexAttr(s.headDim)},
      yElement);
  Value state = g.empty({batch, b.getIndexAttr(s.heads),
                         b.getIndexAttr(s.headDim), b.getIndexAttr(s.stateDim)},
                        stateElement);
  auto vec = [&](int64_t size, Type element) {
    return VectorType::get({size}, element);
  };
  auto read = [&](ImplicitLocOpBuilder &lb, Value tensor, ValueRange indices,
                  int64_t size) {
    return readRow(lb, tensor, indices, size, ct);
  };

  auto forall = scf::ForallOp::create(
      b,
      ArrayRef<OpFoldResult>{batch, b.getIndexAttr(s.heads),
                             b.getIndexAttr(tiles)},
      ValueRange{y, state}, std::nullopt,
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        TensorBuilder l(lb);
        Value bi = args[0], hi = args[1], ti = args[2];
        Value yOut = args[3], stateOut = args[4];
        Value p0 = arith::MulIOp::create(
            lb, ti, arith::ConstantIndexOp::create(lb, rows));
        Value gi = arith::DivUIOp::create(
            lb, hi, arith::ConstantIndexOp::create(lb, r));
        Value zero = arith::ConstantIndexOp::create(lb, 0);
        Value one = arith::ConstantIndexOp::create(lb, 1);

        // This tile's outputs: y[bi, :, hi, p0 : p0 + rows].
        SmallVector<OpFoldResult> yOffsets = {bi, lb.getIndexAttr(0), hi, p0};
        SmallVector<OpFoldResult> ySizes = {lb.getIndexAttr(1), length,
                                            lb.getIndexAttr(1),
                                            lb.getIndexAttr(rows)};
        SmallVector<OpFoldResult> unit(4, lb.getIndexAttr(1));
        std::optional<int64_t> staticLength = getConstantIntValue(length);
        auto yTileType = RankedTensorType::get(
            {staticLength ? *staticLength : ShapedType::kDynamic, rows},
            yElement);
        Value yTile = tensor::ExtractSliceOp::create(lb, yTileType, yOut,
                                                     yOffsets, ySizes, unit);

        SmallVector<Value> init;
        for (int64_t i = 0; i < rows; ++i) {
          if (s.init) {
            Value row = arith::AddIOp::create(
                lb, p0, arith::ConstantIndexOp::create(lb, i));
            init.push_back(read(lb, s.init, {bi, hi, row, zero}, s.stateDim));
          } else {
            init.push_back(arith::ConstantOp::create(
                lb, DenseElementsAttr::get(vec(s.stateDim, ct),
                                           lb.getFloatAttr(ct, 0.0))));
          }
        }
        SmallVector<Value> iterArgs = {yTile};
        iterArgs.append(init);
        auto loop = scf::ForOp::create(
            lb, zero, l.index(length), one, iterArgs,
            [&](OpBuilder &tb, Location tl, Value step, ValueRange carried) {
              ImplicitLocOpBuilder sb(tl, tb);
              Value decay;
              if (s.diagonal) {
                decay = math::ExpOp::create(
                    sb, read(sb, s.a, {bi, step, hi, zero}, s.stateDim));
              } else {
                Value a = tensor::ExtractOp::create(sb, s.a,
                                                    ValueRange{bi, step, hi});
                decay = vector::BroadcastOp::create(
                    sb, vec(s.stateDim, ct),
                    math::ExpOp::create(sb, castFloat(sb, tl, a, ct)));
              }
              Value bv = read(sb, s.B, {bi, step, gi, zero}, s.stateDim);
              Value cv = read(sb, s.C, {bi, step, gi, zero}, s.stateDim);
              Value xs = read(sb, s.x, {bi, step, hi, p0}, rows);
              Value tile = carried[0];
              SmallVector<Value> next = {Value()};
              for (int64_t i = 0; i < rows; ++i) {
                Value xi = vector::BroadcastOp::create(
                    sb, vec(s.stateDim, ct),
                    vector::ExtractOp::create(sb, xs, ArrayRef<int64_t>{i}));
                Value decayed =
                    arith::MulFOp::create(sb, carried[1 + i], decay);
                Value row = vector::FMAOp::create(sb, xi, bv, decayed);
                Value out = vector::ReductionOp::create(
                    sb, vector::CombiningKind::ADD,
                    arith::MulFOp::create(sb, row, cv),
                    arith::FastMathFlags::reassoc);
                tile = tensor::InsertOp::create(
                    sb, castFloat(sb, tl, out, yElement), tile,
                    ValueRange{step, arith::ConstantIndexOp::create(sb, i)});
                next.push_back(row);
              }
              next[0] = tile;
              scf::YieldOp::create(sb, next);
            });

        // The final state rows.
        auto stateTileType =
            RankedTensorType::get({rows, s.stateDim}, stateElement);
        SmallVector<OpFoldResult> sOffsets = {bi, hi, p0, lb.getIndexAttr(0)};
        SmallVector<OpFoldResult> sSizes = {
            lb.getIndexAttr(1), lb.getIndexAttr(1), lb.getIndexAttr(rows),
            lb.getIndexAttr(s.stateDim)};
        Value stateTile = tensor::ExtractSliceOp::create(
            lb, stateTileType, stateOut, sOffsets, sSizes, unit);
        for (int64_t i = 0; i < rows; ++i) {
          Value row = castFloat(lb, loc, loop.getResult(1 + i),
                                vec(s.stateDim, stateElement));
          stateTile =
              vector::TransferWriteOp::create(
                  lb, row, stateTile,
                  ValueRange{arith::ConstantIndexOp::create(lb, i), zero},
                  ArrayRef<bool>{true})
                  .getResult();
        }

        auto inParallel = scf::InParallelOp::create(lb);
        OpBuilder::InsertionGuard guard(lb);
        lb.setInsertionPointToStart(inParallel.getBody());
        tensor::ParallelInsertSliceOp::create(lb, loop.getResult(0), yOut,
                                              yOffsets, ySizes, unit);
        tensor::ParallelInsertSliceOp::create(lb, stateTile, stateOut, sOffsets,
                                              sSizes, unit);
      });
  (void)ctx;
  return {g.castTo(forall.getResult(0), s.yType),
          g.castTo(forall.getResult(1), s.stateType)};
}

/// Zero-pads dimension 1 (time) of `tensor` from its length to `padded`.
Value padTime(TensorBuilder &g, Value tensor, OpFoldResult padded) {
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

/// Splits dimension 1 (time, a multiple of `chunk`) of `tensor` into
/// (chunks, chunk).
Value splitTime(TensorBuilder &g, Value tensor, OpFoldResult numChunks,
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

/// Lowers a chunked scan by Mamba-2's SSD algorithm. Shapes after splitting
/// time: x [b, c, Q, h, p], decays [b, c, Q, h (, n)], B and C
/// [b, c, Q, g, n], where c counts chunks and Q is the chunk size.
std::pair<Value, Value> buildChunked(ImplicitLocOpBuilder &b,
                                     const ScanOperands &s, int64_t chunk,
                                     Type ct) {
  TensorBuilder g(b);
  MLIRContext *ctx = b.getContext();
  int64_t r = s.headsPerGroup();
  bool diag = s.diagonal;
  OpFoldResult batch = g.dim(s.x, 0), length = g.dim(s.x, 1);
  AffineExpr t0 = getAffineSymbolExpr(0, ctx);
  OpFoldResult numChunks = affine::makeComposedFoldedAffineApply(
      b, b.getLoc(), t0.ceilDiv(chunk), {length});
  OpFoldResult padded = affine::makeComposedFoldedAffineApply(
      b, b.getLoc(), t0.ceilDiv(chunk) * chunk, {length});
  bool needsPadding = !isEqualConstantIntOrValue(length, padded);

  auto prepare = [&](Value v) {
    return splitTime(g, needsPadding ? padTime(g, v, padded) : v, numChunks,
                     chunk);
  };
  Value x = prepare(s.x), a = prepare(s.a), B = prepare(s.B), C = prepare(s.C);
  OpFoldResult h = b.getIndexAttr(s.heads), p = b.getIndexAttr(s.headDim),
               n = b.getIndexAttr(s.stateDim), q = b.getIndexAttr(chunk);

  // (1) Decays cumulated inside each chunk: cs[b, c, i, h (, n)] =
  // sum_{k <= i} a[b, c, k, h (, n)]. Loops (b, c, i, h, [n,] k).
  SmallVector<OpFoldResult> csSizes = {batch, numChunks, q, h};
  if (diag)
    csSizes.push_back(n);
  unsigned csLoops = diag ? 6 : 5, k = csLoops - 1;
  SmallVector<AffineExpr> csOut = {g.d(0), g.d(1), g.d(2), g.d(3)};
  SmallVector<AffineExpr> csIn = {g.d(0), g.d(1), g.d(k), g.d(3)};
  if (diag) {
    csOut.push_back(g.d(4));
    csIn.push_back(g.d(4));
  }
  SmallVector<IteratorType> csIters(csLoops, par);
  csIters.back() = red;
  Value cs =
      g.generic(a, g.filled(csSizes, ct, 0.0),
                {g.map(csLoops, csIn), g.map(csLoops, csOut)}, csIters,
                [&](OpBuilder &bb, Location bl, ValueRange args) {
                  Value sum = arith::AddFOp::create(
                      bb, bl, args[1], castFloat(bb, bl, args[0], ct));
                  return arith::SelectOp::create(
                      bb, bl, indexLessEqual(bb, bl, k, 2), sum, args[1]);
                });

  // (2) Intra-chunk attention matrix G[b, c, h, i, j] = sum_n C_i B_j times
  // the decay from j to i, zero above the diagonal. Loops
  // (b, c, h, i, j, n) = (d0, ..., d5).
  AffineExpr grp = g.d(2).floorDiv(r);
  SmallVector<OpFoldResult> gSizes = {batch, numChunks, h, q, q};
  AffineMap cMapG = g.map(6, {g.d(0), g.d(1), g.d(3), grp, g.d(5)});
  AffineMap bMapG = g.map(6, {g.d(0), g.d(1), g.d(4), grp, g.d(5)});
  AffineMap gOut = g.map(6, {g.d(0), g.d(1), g.d(2), g.d(3), g.d(4)});
  Value gMatrix;
  if (diag) {
    AffineMap csI = g.map(6, {g.d(0), g.d(1), g.d(3), g.d(2), g.d(5)});
    AffineMap csJ = g.map(6, {g.d(0), g.d(1), g.d(4), g.d(2), g.d(5)});
    gMatrix = g.generic(
        {C, B, cs, cs}, g.filled(gSizes, ct, 0.0),
        {cMapG, bMapG, csI, csJ, gOut}, {par, par, par, par, par, red},
        [&](OpBuilder &bb, Location bl, ValueRange args) {
          Value cb =
              arith::MulFOp::create(bb, bl, castFloat(bb, bl, args[0], ct),
                                    castFloat(bb, bl, args[1], ct));
          Value decay = math::ExpOp::create(
              bb, bl, arith::SubFOp::create(bb, bl, args[2], args[3]));
          Value sum = arith::AddFOp::create(
              bb, bl, args[4], arith::MulFOp::create(bb, bl, cb, decay));
          return arith::SelectOp::create(bb, bl, indexLessEqual(bb, bl, 4, 3),
                                         sum, args[4]);
        });
  } else {
    Value cb = g.generic({C, B}, g.filled(gSizes, ct, 0.0),
                         {cMapG, bMapG, gOut}, {par, par, par, par, par, red},
                         [&](OpBuilder &bb, Location bl, ValueRange args) {
                           Value prod = arith::MulFOp::create(
                               bb, bl, castFloat(bb, bl, args[0], ct),
                               castFloat(bb, bl, args[1], ct));
                           return arith::AddFOp::create(bb, bl, args[2], prod);
                         });
    // Loops (b, c, h, i, j).
    AffineMap id5 = AffineMap::getMultiDimIdentityMap(5, ctx);
    AffineMap csI = g.map(5, {g.d(0), g.d(1), g.d(3), g.d(2)});
    AffineMap csJ = g.map(5, {g.d(0), g.d(1), g.d(4), g.d(2)});
    gMatrix = g.generic(
        {cb, cs, cs}, g.empty(gSizes, ct), {id5, csI, csJ, id5},
        {par, par, par, par, par},
        [&](OpBuilder &bb, Location bl, ValueRange args) {
          Value decay = math::ExpOp::create(
              bb, bl, arith::SubFOp::create(bb, bl, args[1], args[2]));
          Value masked = arith::MulFOp::create(bb, bl, args[0], decay);
          return arith::SelectOp::create(bb, bl, indexLessEqual(bb, bl, 4, 3),
                                         masked,
                                         floatConstant(bb, bl, ct, 0.0));
        });
  }

  // Y_diag[b, c, i, h, p] = sum_j G[b, c, h, i, j] x[b, c, j, h, p].
  // Loops (b, c, i, h, p, j).
  SmallVector<OpFoldResult> ySizes = {batch, numChunks, q, h, p};
  AffineMap yOut = g.map(6, {g.d(0), g.d(1), g.d(2), g.d(3), g.d(4)});
  Value yDiag =
      g.generic({gMatrix, x}, g.filled(ySizes, ct, 0.0),
                {g.map(6, {g.d(0), g.d(1), g.d(3), g.d(2), g.d(5)}),
                 g.map(6, {g.d(0), g.d(1), g.d(5), g.d(3), g.d(4)}), yOut},
                {par, par, par, par, par, red},
                [&](OpBuilder &bb, Location bl, ValueRange args) {
                  Value prod = arith::MulFOp::create(
                      bb, bl, args[0], castFloat(bb, bl, args[1], ct));
                  return arith::AddFOp::create(bb, bl, args[2], prod);
                });

  // (3) Chunk states S_c[b, c, h, p, n] = sum_l exp(cs_end - cs_l) x_l B_l^T.
  // Loops (b, c, h, p, n, l).
  Value csEnd = g.sliceAt(cs, 2, b.getIndexAttr(chunk - 1));
  SmallVector<AffineExpr> csL = {g.d(0), g.d(1), g.d(5), g.d(2)};
  SmallVector<AffineExpr> csE = {g.d(0), g.d(1), g.d(2)};
  if (diag) {
    csL.push_back(g.d(4));
    csE.push_back(g.d(4));
  }
  SmallVector<OpFoldResult> scSizes = {batch, numChunks, h, p, n};
  Value chunkStates = g.generic(
      {x, B, cs, csEnd}, g.filled(scSizes, ct, 0.0),
      {g.map(6, {g.d(0), g.d(1), g.d(5), g.d(2), g.d(3)}),
       g.map(6, {g.d(0), g.d(1), g.d(5), grp, g.d(4)}), g.map(6, csL),
       g.map(6, csE), g.map(6, {g.d(0), g.d(1), g.d(2), g.d(3), g.d(4)})},
      {par, par, par, par, par, red},
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        Value decay = math::ExpOp::create(
            bb, bl, arith::SubFOp::create(bb, bl, args[3], args[2]));
        Value xb = arith::MulFOp::create(bb, bl, castFloat(bb, bl, args[0], ct),
                                         castFloat(bb, bl, args[1], ct));
        return arith::AddFOp::create(bb, bl, args[4],
                                     arith::MulFOp::create(bb, bl, decay, xb));
      });

  // (4) The recurrence between chunks: the state entering chunk c is
  // recorded, then decayed over the chunk and the chunk's own state added.
  SmallVector<OpFoldResult> stateSizes = {batch, h, p, n};
  Value state = s.init ? g.convert(s.init, ct) : g.filled(stateSizes, ct, 0.0);
  Value entering = g.empty(scSizes, ct);
  AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
  AffineMap endMap =
      diag ? g.map(4, {g.d(0), g.d(1), g.d(3)}) : g.map(4, {g.d(0), g.d(1)});
  auto loop = g.forLoop(
      numChunks, ValueRange{state, entering},
      [&](TensorBuilder &l, Value c,
          ValueRange iterArgs) -> SmallVector<Value> {
        Value recorded = l.insertAt(iterArgs[0], iterArgs[1], 1, c);
        Value end = l.sliceAt(csEnd, 1, c);
        Value own = l.sliceAt(chunkStates, 1, c);
        Value next = l.generic(
            {end, own}, iterArgs[0], {endMap, id4, id4}, {par, par, par, par},
            [&](OpBuilder &bb, Location bl, ValueRange args) {
              Value decayed = arith::MulFOp::create(
                  bb, bl, math::ExpOp::create(bb, bl, args[0]), args[2]);
              return arith::AddFOp::create(bb, bl, decayed, args[1]);
            });
        return {next, recorded};
      });
  Value finalState = loop.getResult(0);
  Value enteringStates = loop.getResult(1);

  // Y_off[b, c, i, h, p] = sum_n C_i[n] exp(cs_i) S_{c-1}[p, n]; with a
  // scalar decay exp(cs_i) leaves the sum and is applied below.
  // Loops (b, c, i, h, p, n).
  SmallVector<Value> offInputs = {C, enteringStates};
  SmallVector<AffineMap> offMaps = {
      g.map(6, {g.d(0), g.d(1), g.d(2), g.d(3).floorDiv(r), g.d(5)}),
      g.map(6, {g.d(0), g.d(1), g.d(3), g.d(4), g.d(5)})};
  if (diag) {
    offInputs.push_back(cs);
    offMaps.push_back(g.map(6, {g.d(0), g.d(1), g.d(2), g.d(3), g.d(5)}));
  }
  offMaps.push_back(yOut);
  Value yOff =
      g.generic(offInputs, g.filled(ySizes, ct, 0.0), offMaps,
                {par, par, par, par, par, red},
                [&](OpBuilder &bb, Location bl, ValueRange args) {
                  Value prod = arith::MulFOp::create(
                      bb, bl, castFloat(bb, bl, args[0], ct), args[1]);
                  if (diag)
                    prod = arith::MulFOp::create(
                        bb, bl, prod, math::ExpOp::create(bb, bl, args[2]));
                  return arith::AddFOp::create(bb, bl, args.back(), prod);
                });

  // y = Y_diag + Y_off, rounded to the result type. Loops (b, c, i, h, p).
  Type yElement = s.yType.getElementType();
  AffineMap id5 = AffineMap::getMultiDimIdentityMap(5, ctx);
  SmallVector<Value> sumInputs = {yDiag, yOff};
  SmallVector<AffineMap> sumMaps = {id5, id5};
  if (!diag) {
    sumInputs.push_back(cs);
    sumMaps.push_back(g.map(5, {g.d(0), g.d(1), g.d(2), g.d(3)}));
  }
  sumMaps.push_back(id5);
  Value ySplit = g.generic(
      sumInputs, g.empty(ySizes, yElement), sumMaps, {par, par, par, par, par},
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        Value off = args[1];
        if (!diag)
          off = arith::MulFOp::create(bb, bl, off,
                                      math::ExpOp::create(bb, bl, args[2]));
        return castFloat(bb, bl, arith::AddFOp::create(bb, bl, args[0], off),
                         yElement);
      });

  // Merge chunks back into time and drop the padding.
  Value y = tensor::CollapseShapeOp::create(
      b, ySplit, SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
  if (needsPadding) {
    SmallVector<OpFoldResult> zeros(4, b.getIndexAttr(0));
    SmallVector<OpFoldResult> ones(4, b.getIndexAttr(1));
    SmallVector<OpFoldResult> sizes = {batch, length, h, p};
    y = tensor::ExtractSliceOp::create(b, y, zeros, sizes, ones);
  }
  Value finalCast = g.convert(finalState, s.stateType.getElementType());
  return {g.castTo(y, s.yType), g.castTo(finalCast, s.stateType)};
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// Lowers attention directly: scores, mask, kernel and the weighted sum of
/// values, each a linalg.generic over (b, H, t, s) or (b, t, H, p).
Value buildAttention(ImplicitLocOpBuilder &b, AttentionOp op, Value q, Value k,
                     Value v, Value decay, Type ct) {
  TensorBuilder g(b);
  MLIRContext *ctx = b.getContext();
  auto yType = cast<RankedTensorType>(op.getY().getType());
  auto qType = cast<RankedTensorType>(q.getType());
  auto kType = cast<RankedTensorType>(k.getType());
  auto vType = cast<RankedTensorType>(v.getType());
  int64_t heads = yType.getDimSize(2);
  int64_t rq = heads / qType.getDimSize(2), rk = heads / kType.getDimSize(2),
          rv = heads / vType.getDimSize(2);
  bool softmax = op.getKernel() == Kernel::Softmax;
  Mask mask = op.getMask();
  double scale = op.getScale().convertToDouble();

  OpFoldResult batch = g.dim(q, 0), len = g.dim(q, 1), src = g.dim(k, 1);
  OpFoldResult h = b.getIndexAttr(heads);
  OpFoldResult p = b.getIndexAttr(vType.getDimSize(3));

  // Scores[b, h, i, j] = sum_n q[b, i, h, n] k[b, j, h, n].
  // Loops (b, h, i, j, n).
  SmallVector<OpFoldResult> sSizes = {batch, h, len, src};
  Value scores =
      g.generic({q, k}, g.filled(sSizes, ct, 0.0),
                {g.map(5, {g.d(0), g.d(2), g.d(1).floorDiv(rq), g.d(4)}),
                 g.map(5, {g.d(0), g.d(3), g.d(1).floorDiv(rk), g.d(4)}),
                 g.map(5, {g.d(0), g.d(1), g.d(2), g.d(3)})},
                {par, par, par, par, red},
                [&](OpBuilder &bb, Location bl, ValueRange args) {
                  Value prod = arith::MulFOp::create(
                      bb, bl, castFloat(bb, bl, args[0], ct),
                      castFloat(bb, bl, args[1], ct));
                  return arith::AddFOp::create(bb, bl, args[2], prod);
                });

  // Cumulative log-decays in f64: cs[b, i, h] = sum_{k <= i} a[b, k, h].
  // Loops (b, i, h, k).
  Type f64 = Float64Type::get(ctx);
  Value cs;
  if (mask == Mask::Semiseparable) {
    cs = g.generic(
        decay, g.filled({batch, len, h}, f64, 0.0),
        {g.map(4, {g.d(0), g.d(3), g.d(2)}),
         g.map(4, {g.d(0), g.d(1), g.d(2)})},
        {par, par, par, red}, [&](OpBuilder &bb, Location bl, ValueRange args) {
          Value sum = arith::AddFOp::create(bb, bl, args[1],
                                            castFloat(bb, bl, args[0], f64));
          return arith::SelectOp::create(bb, bl, indexLessEqual(bb, bl, 3, 1),
                                         sum, args[1]);
        });
  }

  // Weights (identity kernel) or logits (softmax) over loops (b, h, i, j).
  AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
  SmallVector<Value> wInputs = {scores};
  SmallVector<AffineMap> wMaps = {id4};
  if (cs) {
    wInputs.append({cs, cs});
    wMaps.push_back(g.map(4, {g.d(0), g.d(2), g.d(1)}));
    wMaps.push_back(g.map(4, {g.d(0), g.d(3), g.d(1)}));
  }
  wMaps.push_back(id4);
  double fill = softmax ? -std::numeric_limits<double>::infinity() : 0.0;
  Value weights = g.generic(
      wInputs, g.empty(sSizes, ct), wMaps, {par, par, par, par},
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        Value score = arith::MulFOp::create(bb, bl, args[0],
                                            floatConstant(bb, bl, ct, scale));
        Value value = score;
        if (cs) {
          Value logMask = castFloat(
              bb, bl, arith::SubFOp::create(bb, bl, args[1], args[2]), ct);
          value =
              softmax
                  ? Value(arith::AddFOp::create(bb, bl, score, logMask))
                  : Value(arith::MulFOp::create(
                        bb, bl, score, math::ExpOp::create(bb, bl, logMask)));
        }
        if (mask == Mask::None)
          return value;
        return arith::SelectOp::create(bb, bl, indexLessEqual(bb, bl, 3, 2),
                                       value, floatConstant(bb, bl, ct, fill))
            .getResult();
      });

  // Softmax: subtract the row maximum, exponentiate, and sum the row.
  Value rowSum;
  if (softmax) {
    AffineMap rowMap = g.map(4, {g.d(0), g.d(1), g.d(2)});
    SmallVector<OpFoldResult> rowSizes = {batch, h, len};
    Value rowMax = g.generic(
        weights, g.filled(rowSizes, ct, fill), {id4, rowMap},
        {par, par, par, red}, [&](OpBuilder &bb, Location bl, ValueRange args) {
          return arith::MaximumFOp::create(bb, bl, args[0], args[1]);
        });
    weights = g.generic(
        {weights, rowMax}, g.empty(sSizes, ct), {id4, rowMap, id4},
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
    rowSum = g.generic(weights, g.filled(rowSizes, ct, 0.0), {id4, rowMap},
                       {par, par, par, red},
                       [&](OpBuilder &bb, Location bl, ValueRange args) {
                         return arith::AddFOp::create(bb, bl, args[0], args[1]);
                       });
  }

  // out[b, i, h, p] = sum_j w[b, h, i, j] v[b, j, h, p]. Loops (b, i, h, p, j).
  SmallVector<OpFoldResult> ySizes = {batch, len, h, p};
  AffineMap yMap = g.map(5, {g.d(0), g.d(1), g.d(2), g.d(3)});
  Value out =
      g.generic({weights, v}, g.filled(ySizes, ct, 0.0),
                {g.map(5, {g.d(0), g.d(2), g.d(1), g.d(4)}),
                 g.map(5, {g.d(0), g.d(4), g.d(2).floorDiv(rv), g.d(3)}), yMap},
                {par, par, par, par, red},
                [&](OpBuilder &bb, Location bl, ValueRange args) {
                  Value prod = arith::MulFOp::create(
                      bb, bl, args[0], castFloat(bb, bl, args[1], ct));
                  return arith::AddFOp::create(bb, bl, args[2], prod);
                });

  // Normalize (softmax) and round to the result type. Loops (b, i, h, p).
  Type yElement = yType.getElementType();
  SmallVector<Value> fInputs = {out};
  SmallVector<AffineMap> fMaps = {id4};
  if (softmax) {
    fInputs.push_back(rowSum);
    fMaps.push_back(g.map(4, {g.d(0), g.d(2), g.d(1)}));
  }
  fMaps.push_back(id4);
  Value y =
      g.generic(fInputs, g.empty(ySizes, yElement), fMaps, {par, par, par, par},
                [&](OpBuilder &bb, Location bl, ValueRange args) {
                  Value value = args[0];
                  if (softmax)
                    value = arith::DivFOp::create(bb, bl, value, args[1]);
                  return castFloat(bb, bl, value, yElement);
                });
  return g.castTo(y, yType);
}

/// Lowers attention as vector code with an online softmax (flash-attention
/// style): parallel over (batch, head, query), each query walks its keys once
/// with a running maximum, normalizer and output row, so no t x s matrix
/// exists and memory stays linear in the sequence. Causal and semiseparable
/// masks walk keys j = i, i - 1, ..., 0, cumulating the log-decay
/// a_{j+1} + ... + a_i as a direct sum along the way.
Value buildFlashAttention(ImplicitLocOpBuilder &b, AttentionOp op, Value q,
                          Value k, Value v, Value decay, Type ct) {
  TensorBuilder g(b);
  auto yType = cast<RankedTensorType>(op.getY().getType());
  auto qType = cast<RankedTensorType>(q.getType());
  auto kType = cast<RankedTensorType>(k.getType());
  auto vType = cast<RankedTensorType>(v.getType());
  int64_t heads = yType.getDimSize(2), n = qType.getDimSize(3),
          p = vType.getDimSize(3);
  int64_t rq = heads / qType.getDimSize(2), rk = heads / kType.getDimSize(2),
          rv = heads / vType.getDimSize(2);
  bool softmax = op.getKernel() == Kernel::Softmax;
  Mask mask = op.getMask();
  double scale = op.getScale().convertToDouble();
  Type yElement = yType.getElementType();
  OpFoldResult batch = g.dim(q, 0), len = g.dim(q, 1), src = g.dim(k, 1);
  Value y =
      g.empty({batch, len, b.getIndexAttr(heads), b.getIndexAttr(p)}, yElement);
  auto vec = [&](int64_t size, Type element) {
    return VectorType::get({size}, element);
  };
  auto read = [&](ImplicitLocOpBuilder &lb, Value tensor, ValueRange indices,
                  int64_t size) {
    return readRow(lb, tensor, indices, size, ct);
  };
  auto divIndex = [](ImplicitLocOpBuilder &lb, Value index, int64_t by) {
    return by == 1 ? index
                   : Value(arith::DivUIOp::create(
                         lb, index, arith::ConstantIndexOp::create(lb, by)));
  };

  auto forall = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{batch, b.getIndexAttr(heads), len},
      ValueRange{y}, std::nullopt,
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        TensorBuilder l(lb);
        Value bi = args[0], hi = args[1], i = args[2], yOut = args[3];
        Value zero = arith::ConstantIndexOp::create(lb, 0);
        Value one = arith::ConstantIndexOp::create(lb, 1);
        Value qv = read(lb, q, {bi, i, divIndex(lb, hi, rq), zero}, n);
        Value kh = divIndex(lb, hi, rk), vh = divIndex(lb, hi, rv);
        // Keys i, i - 1, ..., 0 under a mask; all keys without one.
        Value count = mask == Mask::None
                          ? l.index(src)
                          : Value(arith::AddIOp::create(lb, i, one));
        Value negInf = floatConstant(lb, loc, ct,
                                     -std::numeric_limits<double>::infinity());
        Value zeroF = floatConstant(lb, loc, ct, 0.0);
        Value acc0 = arith::ConstantOp::create(
            lb, DenseElementsAttr::get(vec(p, ct), lb.getFloatAttr(ct, 0.0)));
        // Carried: output row, running max, normalizer, log-decay to i.
        SmallVector<Value> init = {acc0, negInf, zeroF, zeroF};
        auto loop = scf::ForOp::create(
            lb, zero, count, one, init,
            [&](OpBuilder &tb, Location tl, Value jj, ValueRange carried) {
              ImplicitLocOpBuilder sb(tl, tb);
              Value j = mask == Mask::None
                            ? jj
                            : Value(arith::SubIOp::create(sb, i, jj));
              Value kv = read(sb, k, {bi, j, kh, zero}, n);
              Value dot =
                  vector::ReductionOp::create(sb, vector::CombiningKind::ADD,
                                              arith::MulFOp::create(sb, qv, kv),
                                              arith::FastMathFlags::reassoc);
              Value score = arith::MulFOp::create(
                  sb, dot, floatConstant(sb, tl, ct, scale));
              Value logMask = carried[3];
              Value vv = read(sb, v, {bi, j, vh, zero}, p);
              Value acc = carried[0], runMax = carried[1], norm = carried[2];
              if (softmax) {
                Value logit = arith::AddFOp::create(sb, score, logMask);
                Value newMax = arith::MaximumFOp::create(sb, runMax, logit);
                Value correction = math::ExpOp::create(
                    sb, arith::SubFOp::create(sb, runMax, newMax));
                Value weight = math::ExpOp::create(
                    sb, arith::SubFOp::create(sb, logit, newMax));
                norm = arith::AddFOp::create(
                    sb, arith::MulFOp::create(sb, norm, correction), weight);
                Value scaled = arith::MulFOp::create(
                    sb, acc,
                    vector::BroadcastOp::create(sb, vec(p, ct), correction));
                acc = vector::FMAOp::create(
                    sb, vector::BroadcastOp::create(sb, vec(p, ct), weight), vv,
                    scaled);
                runMax = newMax;
              } else {
                Value weight =
                    mask == Mask::Semiseparable
                        ? Value(arith::MulFOp::create(
                              sb, score, math::ExpOp::create(sb, logMask)))
                        : score;
                acc = vector::FMAOp::create(
                    sb, vector::BroadcastOp::create(sb, vec(p, ct), weight), vv,
                    acc);
              }
              if (mask == Mask::Semiseparable) {
                // The next key, j - 1, is one more decay a_j away from i.
                Value a =
                    tensor::ExtractOp::create(sb, decay, ValueRange{bi, j, hi});
                logMask = arith::AddFOp::create(sb, logMask,
                                                castFloat(sb, tl, a, ct));
              }
              scf::YieldOp::create(sb, ValueRange{acc, runMax, norm, logMask});
            });
        Value row = loop.getResult(0);
        if (softmax)
          row = arith::DivFOp::create(
              lb, row,
              vector::BroadcastOp::create(lb, vec(p, ct), loop.getResult(2)));
        row = castFloat(lb, loc, row, vec(p, yElement));
        SmallVector<OpFoldResult> offsets = {bi, i, hi, lb.getIndexAttr(0)};
        SmallVector<OpFoldResult> sizes = {
            lb.getIndexAttr(1), lb.getIndexAttr(1), lb.getIndexAttr(1),
            lb.getIndexAttr(p)};
        SmallVector<OpFoldResult> unit(4, lb.getIndexAttr(1));
        auto rowType = RankedTensorType::get({p}, yElement);
        Value slot = tensor::ExtractSliceOp::create(lb, rowType, yOut, offsets,
                                                    sizes, unit);
        slot = vector::TransferWriteOp::create(lb, row, slot, ValueRange{zero},
                                               ArrayRef<bool>{true})
                   .getResult();
        auto inParallel = scf::InParallelOp::create(lb);
        OpBuilder::InsertionGuard guard(lb);
        lb.setInsertionPointToStart(inParallel.getBody());
        tensor::ParallelInsertSliceOp::create(lb, slot, yOut, offsets, sizes,
                                              unit);
      });
  return g.castTo(forall.getResult(0), yType);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// Element type arithmetic happens in: f64 in the reference lowering,
/// otherwise f32 for 16- and 32-bit inputs.
Type pickComputeType(Type elementType, bool reference) {
  return reference ? Type(Float64Type::get(elementType.getContext()))
                   : computeTypeFor(elementType);
}

/// Lowers one interact op, by its plain definition in the reference
/// lowering and by the optimized form otherwise.
template <typename OpTy>
struct InteractLowering : OpConversionPattern<OpTy> {
  InteractLowering(MLIRContext *ctx, bool reference)
      : OpConversionPattern<OpTy>(ctx), reference(reference) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Type element = cast<RankedTensorType>(op.getY().getType()).getElementType();
    rewriter.replaceOp(
        op, lower(b, op, adaptor, pickComputeType(element, reference)));
    return success();
  }

  SmallVector<Value> lower(ImplicitLocOpBuilder &b, ScanOp op,
                           ScanOp::Adaptor adaptor, Type ct) const {
    ScanOperands s = ScanOperands::get(op, adaptor);
    auto [y, state] =
        reference ? buildRecurrence(b, s, ct) : buildVectorRecurrence(b, s, ct);
    return {y, state};
  }

  SmallVector<Value> lower(ImplicitLocOpBuilder &b, ChunkedScanOp op,
                           ChunkedScanOp::Adaptor adaptor, Type ct) const {
    // The plain definition of a chunked scan is the recurrence.
    ScanOperands s = ScanOperands::get(op, adaptor);
    auto [y, state] =
        reference ? buildRecurrence(b, s, ct)
                  : buildChunked(b, s, op.getChunkSizeAttr().getInt(), ct);
    return {y, state};
  }

  SmallVector<Value> lower(ImplicitLocOpBuilder &b, AttentionOp op,
                           AttentionOp::Adaptor adaptor, Type ct) const {
    auto build = reference ? buildAttention : buildFlashAttention;
    return {build(b, op, adaptor.getQ(), adaptor.getK(), adaptor.getV(),
                  adaptor.getDecay(), ct)};
  }

  bool reference;
};

struct ConvertInteractToLinalgPass
    : public interact::impl::ConvertInteractToLinalgPassBase<
          ConvertInteractToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<InteractDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateInteractToLinalgPatterns(patterns, reference);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::interact::populateInteractToLinalgPatterns(
    RewritePatternSet &patterns, bool reference) {
  patterns.add<InteractLowering<ScanOp>, InteractLowering<ChunkedScanOp>,
               InteractLowering<AttentionOp>>(patterns.getContext(), reference);
}
