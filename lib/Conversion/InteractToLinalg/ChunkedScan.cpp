//===- ChunkedScan.cpp - Lower interact.chunked_scan by Mamba-2's SSD -----===//
//
// Time is zero-padded to a multiple of the chunk size Q (a zero log-decay
// and zero input leave the state unchanged, so the final state is exact) and
// decays are cumulated only inside a chunk. Every decay weight is the
// exponential of a segment sum taken directly (never a difference of
// cumulative sums), saturated (boundedExp). With a scalar decay the products
// are register-tiled vector code (interact/Kernels/RegisterTile.h); with a
// diagonal decay the exponential sits inside the sum over n of the
// intra-chunk matrix, which is then no matrix product, and the steps are
// linalg.generics.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/InteractToLinalg/InteractToLinalg.h"

#include "Common.h"
#include "interact/Kernels/RegisterTile.h"
#include "interact/Kernels/StateColumns.h"
#include "interact/Kernels/TimeSplit.h"
#include "interact/Kernels/VectorOps.h"
#include "interact/Utils/TensorBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::kernels;

namespace {

//===----------------------------------------------------------------------===//
// Diagonal decay: linalg.generics
//===----------------------------------------------------------------------===//

/// Lowers a chunked scan with a diagonal decay. Shapes after splitting time:
/// x [b, c, Q, h, p], decays [b, c, Q, h, n], B and C [b, c, Q, g, n],
/// where c counts chunks and Q is the chunk size.
class DiagonalChunked {
public:
  DiagonalChunked(ImplicitLocOpBuilder &b, const ScanOperands &s, int64_t chunk,
                  Type ct);

  std::pair<Value, Value> build();

private:
  Value cumulated(bool suffix);
  Value intraChunk();
  SmallVector<Value> intraChunkRow(TensorBuilder &l, Value i,
                                   ValueRange carried);
  Value chunkStates(Value suffix);
  std::pair<Value, Value> betweenChunks(Value csEnd, Value states);
  Value offDiagonal(Value enteringStates, Value cs);
  Value combine(Value yDiag, Value yOff);

  ImplicitLocOpBuilder &b;
  TensorBuilder g;
  MLIRContext *ctx;
  const ScanOperands &s;
  int64_t chunk, r;
  Type ct;
  OpFoldResult batch;
  ChunkedTime time;
  Value x, a, B, C;
  OpFoldResult h, p, n, q;
  SmallVector<OpFoldResult> csSizes, ySizes, scSizes;
};

DiagonalChunked::DiagonalChunked(ImplicitLocOpBuilder &b, const ScanOperands &s,
                                 int64_t chunk, Type ct)
    : b(b), g(b), ctx(b.getContext()), s(s), chunk(chunk), r(s.headsPerGroup()),
      ct(ct) {
  batch = g.dim(s.x, 0);
  time = ChunkedTime::get(g, g.dim(s.x, 1), chunk);
  auto prepare = [&](Value v) {
    return splitTime(g, time.pad(g, v), time.numChunks, chunk);
  };
  x = prepare(s.x);
  a = prepare(s.a);
  B = prepare(s.B);
  C = prepare(s.C);
  h = b.getIndexAttr(s.heads);
  p = b.getIndexAttr(s.headDim);
  n = b.getIndexAttr(s.stateDim);
  q = b.getIndexAttr(chunk);
  csSizes = {batch, time.numChunks, q, h, n};
  ySizes = {batch, time.numChunks, q, h, p};
  scSizes = {batch, time.numChunks, h, p, n};
}

std::pair<Value, Value> DiagonalChunked::build() {
  Value cs = cumulated(/*suffix=*/false);
  Value suffix = cumulated(/*suffix=*/true);
  Value yDiag = intraChunk();
  Value csEnd = g.sliceAt(cs, 2, b.getIndexAttr(chunk - 1));
  Value states = chunkStates(suffix);
  auto [finalState, enteringStates] = betweenChunks(csEnd, states);
  Value yOff = offDiagonal(enteringStates, cs);
  Value y = combine(yDiag, yOff);
  Value finalCast = g.convert(finalState, s.stateType.getElementType());
  return {g.castTo(y, s.yType), g.castTo(finalCast, s.stateType)};
}

/// Decays cumulated inside each chunk, cs[b, c, i, h, n] = sum_{k <= i}
/// a[b, c, k, h, n], or summed backwards from each chunk's end (`suffix`),
/// suf[b, c, l, h, n] = sum_{l < k < Q} a[b, c, k, h, n], the log-weight of
/// step l's input in the chunk's state (never cs_end - cs_l, which
/// cancels). Loops (b, c, i, h, n, k).
Value DiagonalChunked::cumulated(bool suffix) {
  unsigned loops = 6, k = loops - 1;
  SmallVector<AffineExpr> out = {g.d(0), g.d(1), g.d(2), g.d(3), g.d(4)};
  SmallVector<AffineExpr> in = {g.d(0), g.d(1), g.d(k), g.d(3), g.d(4)};
  SmallVector<IteratorType> iterators(loops, par);
  iterators.back() = red;
  return g.generic(
      a, g.filled(csSizes, ct, 0.0), {g.map(loops, in), g.map(loops, out)},
      iterators, [&](OpBuilder &bb, Location bl, ValueRange args) {
        Value sum = arith::AddFOp::create(bb, bl, args[1],
                                          castFloat(bb, bl, args[0], ct));
        Value counts = suffix ? Value(arith::CmpIOp::create(
                                    bb, bl, arith::CmpIPredicate::ugt,
                                    linalg::IndexOp::create(bb, bl, k),
                                    linalg::IndexOp::create(bb, bl, 2)))
                              : indexLessEqual(bb, bl, k, 2);
        return arith::SelectOp::create(bb, bl, counts, sum, args[1]);
      });
}

/// Intra-chunk outputs, row by row: Y_diag[b, c, i, h, p] = sum_{j <= i}
/// G_ij x_j with G_ij = sum_n C_i[n] B_j[n] exp(seg_n(i, j)). The segment
/// sums seg_n(i, j) = a_{j+1}[n] + ... + a_i[n] are carried from row to row
/// (row i is row i - 1 plus a_i, 0 on the diagonal), so none is a difference
/// of two sums. Pairs j > i are selected out.
Value DiagonalChunked::intraChunk() {
  SmallVector<OpFoldResult> segSizes = {batch, time.numChunks, h, n, q};
  auto rows =
      g.forLoop(q, ValueRange{g.filled(segSizes, ct, 0.0), g.empty(ySizes, ct)},
                [&](TensorBuilder &l, Value i, ValueRange carried) {
                  return intraChunkRow(l, i, carried);
                });
  return rows.getResult(1);
}

SmallVector<Value> DiagonalChunked::intraChunkRow(TensorBuilder &l, Value i,
                                                  ValueRange carried) {
  AffineExpr grp = g.d(2).floorDiv(r);
  auto before = [&](OpBuilder &bb, Location bl, unsigned j,
                    arith::CmpIPredicate predicate) {
    return arith::CmpIOp::create(bb, bl, predicate,
                                 linalg::IndexOp::create(bb, bl, j), i);
  };
  // seg[b, c, h, n, j], loops (b, c, h, n, j).
  Value ai = l.sliceAt(a, 2, i);
  AffineMap id5 = AffineMap::getMultiDimIdentityMap(5, ctx);
  Value seg = l.generic(
      ai, carried[0], {l.map(5, {l.d(0), l.d(1), l.d(2), l.d(3)}), id5},
      {par, par, par, par, par},
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        Value sum = arith::AddFOp::create(bb, bl, args[1],
                                          castFloat(bb, bl, args[0], ct));
        return arith::SelectOp::create(
            bb, bl, before(bb, bl, 4, arith::CmpIPredicate::ult), sum,
            floatConstant(bb, bl, ct, 0.0));
      });
  // G row i: gRow[b, c, h, j], loops (b, c, h, j, n).
  Value ci = l.sliceAt(C, 2, i);
  Value gRow = l.generic(
      {ci, B, seg}, l.filled({batch, time.numChunks, h, q}, ct, 0.0),
      {l.map(5, {l.d(0), l.d(1), grp, l.d(4)}),
       l.map(5, {l.d(0), l.d(1), l.d(3), grp, l.d(4)}),
       l.map(5, {l.d(0), l.d(1), l.d(2), l.d(4), l.d(3)}),
       l.map(5, {l.d(0), l.d(1), l.d(2), l.d(3)})},
      {par, par, par, par, red},
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        Value cb = arith::MulFOp::create(bb, bl, castFloat(bb, bl, args[0], ct),
                                         castFloat(bb, bl, args[1], ct));
        Value sum = arith::AddFOp::create(
            bb, bl, args[3],
            arith::MulFOp::create(bb, bl, cb, boundedExp(bb, bl, args[2])));
        return arith::SelectOp::create(
            bb, bl, before(bb, bl, 3, arith::CmpIPredicate::ule), sum, args[3]);
      });
  // y row i: [b, c, h, p], loops (b, c, h, p, j).
  Value yRow = l.generic(
      {gRow, x}, l.filled({batch, time.numChunks, h, p}, ct, 0.0),
      {l.map(5, {l.d(0), l.d(1), l.d(2), l.d(4)}),
       l.map(5, {l.d(0), l.d(1), l.d(4), l.d(2), l.d(3)}),
       l.map(5, {l.d(0), l.d(1), l.d(2), l.d(3)})},
      {par, par, par, par, red},
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        Value sum = arith::AddFOp::create(
            bb, bl, args[2],
            arith::MulFOp::create(bb, bl, args[0],
                                  castFloat(bb, bl, args[1], ct)));
        return arith::SelectOp::create(
            bb, bl, before(bb, bl, 4, arith::CmpIPredicate::ule), sum, args[2]);
      });
  return {seg, l.insertAt(yRow, carried[1], 2, i)};
}

/// Chunk states S_c[b, c, h, p, n] = sum_l exp(suf_l) x_l B_l^T. Loops
/// (b, c, h, p, n, l).
Value DiagonalChunked::chunkStates(Value suffix) {
  SmallVector<AffineExpr> sufL = {g.d(0), g.d(1), g.d(5), g.d(2), g.d(4)};
  return g.generic(
      {x, B, suffix}, g.filled(scSizes, ct, 0.0),
      {g.map(6, {g.d(0), g.d(1), g.d(5), g.d(2), g.d(3)}),
       g.map(6, {g.d(0), g.d(1), g.d(5), g.d(2).floorDiv(r), g.d(4)}),
       g.map(6, sufL), g.map(6, {g.d(0), g.d(1), g.d(2), g.d(3), g.d(4)})},
      {par, par, par, par, par, red},
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        Value decay = boundedExp(bb, bl, args[2]);
        Value xb = arith::MulFOp::create(bb, bl, castFloat(bb, bl, args[0], ct),
                                         castFloat(bb, bl, args[1], ct));
        return arith::AddFOp::create(bb, bl, args[3],
                                     arith::MulFOp::create(bb, bl, decay, xb));
      });
}

/// The recurrence between chunks: the state entering chunk c is recorded,
/// then decayed over the chunk (by its decays' sum, `csEnd`) and the chunk's
/// own state added. Returns the final state and the entering states.
std::pair<Value, Value> DiagonalChunked::betweenChunks(Value csEnd,
                                                       Value states) {
  SmallVector<OpFoldResult> stateSizes = {batch, h, p, n};
  Value state = s.init ? g.convert(s.init, ct) : g.filled(stateSizes, ct, 0.0);
  Value entering = g.empty(scSizes, ct);
  AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
  AffineMap endMap = g.map(4, {g.d(0), g.d(1), g.d(3)});
  auto loop = g.forLoop(
      time.numChunks, ValueRange{state, entering},
      [&](TensorBuilder &l, Value c,
          ValueRange iterArgs) -> SmallVector<Value> {
        Value recorded = l.insertAt(iterArgs[0], iterArgs[1], 1, c);
        Value end = l.sliceAt(csEnd, 1, c);
        Value own = l.sliceAt(states, 1, c);
        Value next = l.generic(
            {end, own}, iterArgs[0], {endMap, id4, id4}, {par, par, par, par},
            [&](OpBuilder &bb, Location bl, ValueRange args) {
              // S + expm1(A) S: exact for small decays over many chunks.
              Value decayed = math::FmaOp::create(
                  bb, bl, boundedExpm1(bb, bl, args[0]), args[2], args[2]);
              return arith::AddFOp::create(bb, bl, decayed, args[1]);
            });
        return {next, recorded};
      });
  return {loop.getResult(0), loop.getResult(1)};
}

/// Y_off[b, c, i, h, p] = sum_n C_i[n] exp(cs_i[n]) S_{c-1}[p, n]. Loops
/// (b, c, i, h, p, n).
Value DiagonalChunked::offDiagonal(Value enteringStates, Value cs) {
  AffineMap yOut = g.map(6, {g.d(0), g.d(1), g.d(2), g.d(3), g.d(4)});
  return g.generic(
      {C, enteringStates, cs}, g.filled(ySizes, ct, 0.0),
      {g.map(6, {g.d(0), g.d(1), g.d(2), g.d(3).floorDiv(r), g.d(5)}),
       g.map(6, {g.d(0), g.d(1), g.d(3), g.d(4), g.d(5)}),
       g.map(6, {g.d(0), g.d(1), g.d(2), g.d(3), g.d(5)}), yOut},
      {par, par, par, par, par, red},
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        Value prod = arith::MulFOp::create(
            bb, bl, castFloat(bb, bl, args[0], ct), args[1]);
        prod = arith::MulFOp::create(bb, bl, prod, boundedExp(bb, bl, args[2]));
        return arith::AddFOp::create(bb, bl, args[3], prod);
      });
}

/// y = Y_diag + Y_off, rounded to the result type (loops (b, c, i, h, p)),
/// chunks merged back into time and the padding dropped.
Value DiagonalChunked::combine(Value yDiag, Value yOff) {
  Type yElement = s.yType.getElementType();
  AffineMap id5 = AffineMap::getMultiDimIdentityMap(5, ctx);
  Value ySplit = g.generic(
      {yDiag, yOff}, g.empty(ySizes, yElement), {id5, id5, id5},
      {par, par, par, par, par},
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        return castFloat(
            bb, bl, arith::AddFOp::create(bb, bl, args[0], args[1]), yElement);
      });
  return time.unpad(
      g,
      tensor::CollapseShapeOp::create(
          b, ySplit, SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}}));
}

} // namespace

//===----------------------------------------------------------------------===//
// Scalar decay: register-tiled matrix products
//===----------------------------------------------------------------------===//

namespace {

/// The indices of one (batch, chunk, head) task.
struct ChunkTask {
  Value bi, ci, hi, start, gi;
};

/// Lowers a chunked scan with a scalar decay, its products as register-tiled
/// vector code. Three parallel phases:
///
///  1. per (batch, chunk, head): the chunk's own state, transposed,
///     S_c^T[n, p] = sum_l B_l[n] exp(seg(Q - 1, l)) x_l[p];
///  2. per (batch, head), over chunks in order: the states entering each
///     chunk, in place of the own states (S + expm1(A) S + own, A the
///     chunk's decay sum), and the final state;
///  3. per (batch, chunk, head): the decayed causal G = (C B^T) o L, then
///     y = exp(cs_i) C S_{c-1}^T + G x, both products into one tile of
///     accumulators.
///
/// seg(i, j) = a_{j+1} + ... + a_i is a segment sum taken directly (never a
/// difference of cumulative sums), L[i, j] = exp(seg(i, j)) for j <= i, and
/// cs_i = a_0 + ... + a_i the decay from the chunk's start; exponentials
/// saturate (boundedExp). Tiles of G above the diagonal are neither computed
/// nor read, and masked entries of G and x are selected out, never
/// multiplied by zero.
class TiledChunked {
public:
  TiledChunked(ImplicitLocOpBuilder &b, const ScanOperands &s, int64_t q,
               Type ct, const KernelConfig &config);

  std::pair<Value, Value> build();

private:
  Value element(ImplicitLocOpBuilder &lb, Value tensor, ValueRange at);
  Value readVector(ImplicitLocOpBuilder &lb, Value tensor, ValueRange at,
                   int64_t size);
  Value decayAt(ImplicitLocOpBuilder &lb, Value bi, Value start, Value hi,
                Value l);
  Value stateWeights(ImplicitLocOpBuilder &lb, Value bi, Value start, Value hi);
  ChunkTask chunkTask(ImplicitLocOpBuilder &lb, ValueRange args);
  // Phase 1.
  Value ownStates();
  void ownStatesTask(ImplicitLocOpBuilder &lb, ValueRange args,
                     const RegisterTile &tile);
  // Phase 2.
  scf::ForallOp enteringStates(Value states);
  void enteringTask(ImplicitLocOpBuilder &lb, ValueRange args);
  SmallVector<Value> enteringStep(TensorBuilder &cb, Value bi, Value hi,
                                  Value ci, ValueRange carried);
  // Phase 3.
  Value outputs(Value entering);
  void outputsTask(ImplicitLocOpBuilder &lb, ValueRange args, Value entering);
  std::pair<Value, Value> chunkDecays(ImplicitLocOpBuilder &lb,
                                      const ChunkTask &t);
  Value transposedB(ImplicitLocOpBuilder &lb, const ChunkTask &t);
  Value gMatrix(ImplicitLocOpBuilder &lb, const ChunkTask &t, Value bT,
                Value lMatrix);
  Value yRows(ImplicitLocOpBuilder &lb, const ChunkTask &t, Value ySlice,
              Value entering, Value growth, Value gMatrix);
  Value cAt(ImplicitLocOpBuilder &eb, const ChunkTask &t, Value i, Value k);
  SmallVector<Value> productWithC(ImplicitLocOpBuilder &tb,
                                  const RegisterTile &tile, const ChunkTask &t,
                                  Value m0, Value n0, RowAt bAt);

  ImplicitLocOpBuilder &b;
  TensorBuilder g;
  const ScanOperands &s;
  int64_t q;
  Type ct;
  const KernelConfig &config;
  int64_t r, p, n;
  Type yElement;
  OpFoldResult batch, h;
  ChunkedTime time;
  Value x, a, B, C;
  SmallVector<OpFoldResult> unit4, unit5;
  // Phase 3's tiles and constants.
  RegisterTile gTile, yTile;
  Value zeroG, iota;
};

TiledChunked::TiledChunked(ImplicitLocOpBuilder &b, const ScanOperands &s,
                           int64_t q, Type ct, const KernelConfig &config)
    : b(b), g(b), s(s), q(q), ct(ct), config(config), r(s.headsPerGroup()),
      p(s.headDim), n(s.stateDim), yElement(s.yType.getElementType()) {
  batch = g.dim(s.x, 0);
  time = ChunkedTime::get(g, g.dim(s.x, 1), q);
  x = time.pad(g, s.x);
  a = time.pad(g, s.a);
  B = time.pad(g, s.B);
  C = time.pad(g, s.C);
  h = b.getIndexAttr(s.heads);
  unit4.assign(4, b.getIndexAttr(1));
  unit5.assign(5, b.getIndexAttr(1));
}

std::pair<Value, Value> TiledChunked::build() {
  scf::ForallOp entering = enteringStates(ownStates());
  Value y = time.unpad(g, outputs(entering.getResult(0)));
  return {g.castTo(y, s.yType), g.castTo(entering.getResult(1), s.stateType)};
}

Value TiledChunked::element(ImplicitLocOpBuilder &lb, Value tensor,
                            ValueRange at) {
  return castFloat(lb, lb.getLoc(), tensor::ExtractOp::create(lb, tensor, at),
                   ct);
}

Value TiledChunked::readVector(ImplicitLocOpBuilder &lb, Value tensor,
                               ValueRange at, int64_t size) {
  return readRow(lb, config, tensor, at, size, ct);
}

/// The chunk's decays, a[start + l] for l < Q.
Value TiledChunked::decayAt(ImplicitLocOpBuilder &lb, Value bi, Value start,
                            Value hi, Value l) {
  Value step = arith::AddIOp::create(lb, start, l);
  return element(lb, a, ValueRange{bi, step, hi});
}

/// The weight of step l's input in the state at the chunk's end,
/// exp(a_{l+1} + ... + a_{Q-1}) for l < Q: segment sums taken backwards
/// from the end, never cs_end - cs_l (which cancels, and is NaN after a
/// -inf reset).
Value TiledChunked::stateWeights(ImplicitLocOpBuilder &lb, Value bi,
                                 Value start, Value hi) {
  TensorBuilder l(lb);
  Value zero = floatConstant(lb, lb.getLoc(), ct, 0.0);
  auto loop = l.forLoop(
      lb.getIndexAttr(q), ValueRange{scratch(lb, {q}, ct), zero},
      [&](TensorBuilder &ib, Value i, ValueRange carried) {
        ImplicitLocOpBuilder &sb = ib.b;
        Value step = arith::SubIOp::create(sb, constantIndex(sb, q - 1), i);
        Value weights = tensor::InsertOp::create(
            sb, boundedExp(sb, sb.getLoc(), carried[1]), carried[0], step);
        Value sum = arith::AddFOp::create(sb, carried[1],
                                          decayAt(sb, bi, start, hi, step));
        return SmallVector<Value>{weights, sum};
      });
  return loop.getResult(0);
}

ChunkTask TiledChunked::chunkTask(ImplicitLocOpBuilder &lb, ValueRange args) {
  ChunkTask t;
  t.bi = args[0];
  t.ci = args[1];
  t.hi = args[2];
  t.start = arith::MulIOp::create(lb, t.ci, constantIndex(lb, q));
  t.gi = arith::DivUIOp::create(lb, t.hi, constantIndex(lb, r));
  return t;
}

/// (1) Own chunk states, S_c^T in [b, c, h, n, p].
Value TiledChunked::ownStates() {
  RegisterTile stateTile = RegisterTile::forProduct(config, n, p, ct);
  SmallVector<OpFoldResult> statesSizes = {
      batch, time.numChunks, h, b.getIndexAttr(n), b.getIndexAttr(p)};
  auto forall =
      scf::ForallOp::create(b, ArrayRef<OpFoldResult>{batch, time.numChunks, h},
                            ValueRange{g.empty(statesSizes, ct)}, std::nullopt,
                            [&](OpBuilder &nb, Location loc, ValueRange args) {
                              ImplicitLocOpBuilder lb(loc, nb);
                              ownStatesTask(lb, args, stateTile);
                            });
  return forall.getResult(0);
}

void TiledChunked::ownStatesTask(ImplicitLocOpBuilder &lb, ValueRange args,
                                 const RegisterTile &tile) {
  ChunkTask t = chunkTask(lb, args);
  Value out = args[3];
  Value weights = stateWeights(lb, t.bi, t.start, t.hi);
  // The weighted inputs w_l x_l, [Q, p], once: the product's row operand
  // (weighting each row as a tile reads it would cost a multiply per fused
  // multiply-add of the product's n / rows tiles).
  int64_t lanesP = lanesFor(config, p, ct);
  TensorBuilder l(lb);
  Value weighted =
      l.forLoop(
           lb.getIndexAttr(q), scratch(lb, {q, p}, ct),
           [&](TensorBuilder &ib, Value step, ValueRange rows) {
             Value w = vector::BroadcastOp::create(
                 ib.b, VectorType::get({lanesP}, ct),
                 tensor::ExtractOp::create(ib.b, weights, step));
             Value at = arith::AddIOp::create(ib.b, t.start, step);
             return SmallVector<Value>(
                 ib.forLoop(ib.b.getIndexAttr(p / lanesP), rows,
                            [&](TensorBuilder &vb, Value v, ValueRange row) {
                              ImplicitLocOpBuilder &eb = vb.b;
                              Value col = arith::MulIOp::create(
                                  eb, v, constantIndex(eb, lanesP));
                              Value xs = readVector(
                                  eb, x, {t.bi, at, t.hi, col}, lanesP);
                              return SmallVector<Value>{writeRow(
                                  eb, config, arith::MulFOp::create(eb, w, xs),
                                  row[0], {step, col})};
                            })
                     .getResults());
           })
          .getResult(0);
  SmallVector<OpFoldResult> offsets = {t.bi, t.ci, t.hi, lb.getIndexAttr(0),
                                       lb.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {lb.getIndexAttr(1), lb.getIndexAttr(1),
                                     lb.getIndexAttr(1), lb.getIndexAttr(n),
                                     lb.getIndexAttr(p)};
  Value own = tensor::ExtractSliceOp::create(
      lb, RankedTensorType::get({n, p}, ct), out, offsets, sizes, unit5);
  SmallVector<Value> done = forEachTile(
      lb, tile, n, p, own,
      [&](ImplicitLocOpBuilder &tb, Value m0, Value n0, ValueRange carried) {
        SmallVector<Value> acc = tile.zeros(tb, ct);
        acc = accumulateTile(
            tb, tile, m0, n0, tb.getIndexAttr(q),
            [&](ImplicitLocOpBuilder &eb, Value m, Value l) {
              Value step = arith::AddIOp::create(eb, t.start, l);
              return element(eb, B, ValueRange{t.bi, step, t.gi, m});
            },
            [&](ImplicitLocOpBuilder &eb, Value l, Value col) {
              return readVector(eb, weighted, {l, col}, tile.lanes);
            },
            acc);
        return SmallVector<Value>{
            tile.store(tb, config, acc, carried[0], m0, n0)};
      });
  insertInParallel(lb, {{done[0], out, offsets, sizes}});
}

/// (2) The recurrence between chunks, per (batch, head): each own state is
/// replaced by the state entering its chunk. Results: the entering states
/// and the final state.
scf::ForallOp TiledChunked::enteringStates(Value states) {
  Type stateElement = s.stateType.getElementType();
  return scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{batch, h},
      ValueRange{states,
                 g.empty({batch, h, b.getIndexAttr(p), b.getIndexAttr(n)},
                         stateElement)},
      std::nullopt, [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        enteringTask(lb, args);
      });
}

void TiledChunked::enteringTask(ImplicitLocOpBuilder &lb, ValueRange args) {
  TensorBuilder l(lb);
  Type stateElement = s.stateType.getElementType();
  Value bi = args[0], hi = args[1], states = args[2], finalOut = args[3];
  Value zero = constantIndex(lb, 0);
  SmallVector<OpFoldResult> offsets = {bi, lb.getIndexAttr(0), hi,
                                       lb.getIndexAttr(0), lb.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {lb.getIndexAttr(1), time.numChunks,
                                     lb.getIndexAttr(1), lb.getIndexAttr(n),
                                     lb.getIndexAttr(p)};
  std::optional<int64_t> chunks = getConstantIntValue(time.numChunks);
  Value mine = tensor::ExtractSliceOp::create(
      lb,
      RankedTensorType::get({chunks ? *chunks : ShapedType::kDynamic, n, p},
                            ct),
      states, offsets, sizes, unit5);
  // The running state S^T, from the initial state or zero.
  Value total = stateColumns(lb, config, s.init, bi, hi, zero, n, p, ct);
  auto chunkLoop =
      l.forLoop(time.numChunks, ValueRange{mine, total},
                [&](TensorBuilder &cb, Value ci, ValueRange carried) {
                  return enteringStep(cb, bi, hi, ci, carried);
                });
  // The final state, S[p, n], from S^T.
  SmallVector<OpFoldResult> fOffsets = {bi, hi, lb.getIndexAttr(0),
                                        lb.getIndexAttr(0)};
  SmallVector<OpFoldResult> fSizes = {lb.getIndexAttr(1), lb.getIndexAttr(1),
                                      lb.getIndexAttr(p), lb.getIndexAttr(n)};
  Value finalTile = tensor::ExtractSliceOp::create(
      lb, RankedTensorType::get({p, n}, stateElement), finalOut, fOffsets,
      fSizes, unit4);
  finalTile = writeStateColumns(lb, config, chunkLoop.getResult(1), finalTile);
  insertInParallel(lb, {{chunkLoop.getResult(0), states, offsets, sizes},
                        {finalTile, finalOut, fOffsets, fSizes}});
}

/// One chunk of phase 2: records the state entering chunk `ci` in place of
/// the chunk's own state and advances the running state past the chunk.
SmallVector<Value> TiledChunked::enteringStep(TensorBuilder &cb, Value bi,
                                              Value hi, Value ci,
                                              ValueRange carried) {
  ImplicitLocOpBuilder &sb = cb.b;
  int64_t piece = lanesFor(config, p, ct);
  VectorType pieceVector = VectorType::get({piece}, ct);
  Value start = arith::MulIOp::create(sb, ci, constantIndex(sb, q));
  Value sum =
      cb.forLoop(sb.getIndexAttr(q), floatConstant(sb, sb.getLoc(), ct, 0.0),
                 [&](TensorBuilder &ib, Value i, ValueRange acc) {
                   return SmallVector<Value>{arith::AddFOp::create(
                       ib.b, acc[0], decayAt(ib.b, bi, start, hi, i))};
                 })
          .getResult(0);
  // S + (expm1(sum) S + own): exact for small decays over many chunks, S
  // rounded once per chunk. Rows in pieces of at most one register (a vector
  // as wide as a long p makes LLVM's code generator slow).
  Value decay = vector::BroadcastOp::create(sb, pieceVector,
                                            boundedExpm1(sb, sb.getLoc(), sum));
  auto rows = cb.forLoop(
      sb.getIndexAttr(n * (p / piece)), carried,
      [&](TensorBuilder &jb, Value jv, ValueRange st) {
        ImplicitLocOpBuilder &rb = jb.b;
        Value j = arith::DivUIOp::create(rb, jv, constantIndex(rb, p / piece));
        Value at = arith::MulIOp::create(
            rb, arith::RemUIOp::create(rb, jv, constantIndex(rb, p / piece)),
            constantIndex(rb, piece));
        Value own = readVector(rb, st[0], {ci, j, at}, piece);
        Value before = readVector(rb, st[1], {j, at}, piece);
        Value enteringRow = writeRow(rb, config, before, st[0], {ci, j, at});
        Value after = arith::AddFOp::create(
            rb, before, vector::FMAOp::create(rb, decay, before, own));
        return SmallVector<Value>{enteringRow,
                                  writeRow(rb, config, after, st[1], {j, at})};
      });
  return SmallVector<Value>(rows.getResults());
}

/// (3) Outputs, per (batch, chunk, head), into y padded to whole chunks.
Value TiledChunked::outputs(Value entering) {
  gTile = RegisterTile::forProduct(config, q, q, ct);
  yTile = RegisterTile::forProduct(config, q, p, ct);
  zeroG = zeroVector(b, VectorType::get({gTile.lanes}, ct));
  iota = laneIndices(b, gTile.lanes);
  Value yPadded = g.empty({batch, time.padded, h, b.getIndexAttr(p)}, yElement);
  auto forall = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{batch, time.numChunks, h}, ValueRange{yPadded},
      std::nullopt, [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        outputsTask(lb, args, entering);
      });
  return forall.getResult(0);
}

void TiledChunked::outputsTask(ImplicitLocOpBuilder &lb, ValueRange args,
                               Value entering) {
  ChunkTask t = chunkTask(lb, args);
  Value yOut = args[3];
  auto [growth, lMatrix] = chunkDecays(lb, t);
  Value bT = transposedB(lb, t);
  Value gm = gMatrix(lb, t, bT, lMatrix);
  SmallVector<OpFoldResult> yOffsets = {t.bi, t.start, t.hi,
                                        lb.getIndexAttr(0)};
  SmallVector<OpFoldResult> ySizes = {lb.getIndexAttr(1), lb.getIndexAttr(q),
                                      lb.getIndexAttr(1), lb.getIndexAttr(p)};
  Value ySlice = tensor::ExtractSliceOp::create(
      lb, RankedTensorType::get({q, p}, yElement), yOut, yOffsets, ySizes,
      unit4);
  Value yDone = yRows(lb, t, ySlice, entering, growth, gm);
  insertInParallel(lb, {{yDone, yOut, yOffsets, ySizes}});
}

/// C[i, k] of the chunk: the A operand of both G and C S^T.
Value TiledChunked::cAt(ImplicitLocOpBuilder &eb, const ChunkTask &t, Value i,
                        Value k) {
  Value step = arith::AddIOp::create(eb, t.start, i);
  return element(eb, C, ValueRange{t.bi, step, t.gi, k});
}

/// The tile at (m0, n0) of C times the n-row operand `bAt`: sum_k C[i, k]
/// B[k, :], the first product of both G and y.
SmallVector<Value> TiledChunked::productWithC(ImplicitLocOpBuilder &tb,
                                              const RegisterTile &tile,
                                              const ChunkTask &t, Value m0,
                                              Value n0, RowAt bAt) {
  return accumulateTile(
      tb, tile, m0, n0, tb.getIndexAttr(n),
      [&](ImplicitLocOpBuilder &eb, Value i, Value k) {
        return cAt(eb, t, i, k);
      },
      bAt, tile.zeros(tb, ct));
}

/// The chunk's decays: growth[i] = exp(a_0 + ... + a_i), from the chunk's
/// start, and L[i, j] = exp(a_{j+1} + ... + a_i) for j <= i (Mamba-2's
/// segsum). Row i of the segment sums is row i - 1 plus a_i, with 0 on the
/// diagonal, so no sum is a difference of two; the columns past i are never
/// read. Returns (growth, L).
std::pair<Value, Value> TiledChunked::chunkDecays(ImplicitLocOpBuilder &lb,
                                                  const ChunkTask &t) {
  TensorBuilder l(lb);
  Location loc = lb.getLoc();
  VectorType gVector = VectorType::get({gTile.lanes}, ct);
  Value segments = linalg::FillOp::create(lb, floatConstant(lb, loc, ct, 0.0),
                                          scratch(lb, {q}, ct))
                       .getResult(0);
  auto decays = l.forLoop(
      lb.getIndexAttr(q),
      ValueRange{scratch(lb, {q}, ct), scratch(lb, {q, q}, ct), segments,
                 floatConstant(lb, loc, ct, 0.0)},
      [&](TensorBuilder &ib, Value i, ValueRange carried) {
        ImplicitLocOpBuilder &sb = ib.b;
        Value ai = decayAt(sb, t.bi, t.start, t.hi, i);
        Value prefix = arith::AddFOp::create(sb, carried[3], ai);
        Value growth = tensor::InsertOp::create(
            sb, boundedExp(sb, sb.getLoc(), prefix), carried[0], i);
        Value aVector = vector::BroadcastOp::create(sb, gVector, ai);
        Value iVector = vector::BroadcastOp::create(
            sb, iota.getType(),
            arith::IndexCastOp::create(sb, sb.getI64Type(), i));
        // (arith, not an affine.apply of i: the loop being built has no
        // parent op yet for affine's validity checks.)
        Value columnVectors = arith::DivUIOp::create(
            sb, arith::AddIOp::create(sb, i, constantIndex(sb, gTile.lanes)),
            constantIndex(sb, gTile.lanes));
        auto row = ib.forLoop(
            columnVectors, ValueRange{carried[1], carried[2]},
            [&](TensorBuilder &vb, Value v, ValueRange mats) {
              ImplicitLocOpBuilder &eb = vb.b;
              Value col =
                  arith::MulIOp::create(eb, v, constantIndex(eb, gTile.lanes));
              Value cols = arith::AddIOp::create(
                  eb, iota,
                  vector::BroadcastOp::create(
                      eb, iota.getType(),
                      arith::IndexCastOp::create(eb, eb.getI64Type(), col)));
              Value sums = arith::SelectOp::create(
                  eb,
                  arith::CmpIOp::create(eb, arith::CmpIPredicate::eq, cols,
                                        iVector),
                  zeroG,
                  arith::AddFOp::create(
                      eb, readVector(eb, mats[1], {col}, gTile.lanes),
                      aVector));
              return SmallVector<Value>{
                  writeRow(eb, config, boundedExp(eb, eb.getLoc(), sums),
                           mats[0], {i, col}),
                  writeRow(eb, config, sums, mats[1], {col})};
            });
        return SmallVector<Value>{growth, row.getResult(0), row.getResult(1),
                                  prefix};
      });
  return {decays.getResult(0), decays.getResult(1)};
}

/// B^T of the chunk, [n, Q], for rows of B^T in the G product: blocks of
/// blockJ rows of B by blockK columns transposed in registers (one register
/// square where n allows: transposeBlockSize), walked as the tiles of an
/// n x Q product of blockK x blockJ tiles.
Value TiledChunked::transposedB(ImplicitLocOpBuilder &lb, const ChunkTask &t) {
  int64_t blockJ = gTile.lanes, blockK = lanesFor(config, n, ct);
  return forEachTile(
      lb, RegisterTile{blockK, 1, blockJ}, n, q, scratch(lb, {n, q}, ct),
      [&](ImplicitLocOpBuilder &tb, Value k0, Value j0, ValueRange carried) {
        SmallVector<Value> columns =
            transposeBlock(tb, blockJ, blockK, ct, [&](int64_t j) {
              Value step = arith::AddIOp::create(
                  tb, t.start,
                  arith::AddIOp::create(tb, j0, constantIndex(tb, j)));
              return readRow(tb, config, B, {t.bi, step, t.gi, k0}, blockK, ct);
            });
        Value out = carried[0];
        for (int64_t k = 0; k < blockK; ++k)
          out = writeRow(
              tb, config, columns[k], out,
              {arith::AddIOp::create(tb, k0, constantIndex(tb, k)), j0});
        return SmallVector<Value>{out};
      })[0];
}

/// G[i, j] = L[i, j] sum_n C_i[n] B_j[n] for j <= i. Column tiles past the
/// row tile's diagonal are skipped.
Value TiledChunked::gMatrix(ImplicitLocOpBuilder &lb, const ChunkTask &t,
                            Value bT, Value lMatrix) {
  auto lastColumnTile = [&](ImplicitLocOpBuilder &eb, Value m0) {
    AffineExpr d = eb.getAffineSymbolExpr(0);
    return affine::makeComposedFoldedAffineApply(
        eb, eb.getLoc(), (d + gTile.rows).ceilDiv(gTile.columns()), {m0});
  };
  return forEachTile(
      lb, gTile, q, q, scratch(lb, {q, q}, ct),
      [&](ImplicitLocOpBuilder &tb, Value m0, Value n0, ValueRange carried) {
        SmallVector<Value> acc =
            productWithC(tb, gTile, t, m0, n0,
                         [&](ImplicitLocOpBuilder &eb, Value k, Value col) {
                           return readVector(eb, bT, {k, col}, gTile.lanes);
                         });
        Value out = carried[0];
        for (int64_t i = 0; i < gTile.rows; ++i) {
          Value row = arith::AddIOp::create(tb, m0, constantIndex(tb, i));
          Value rowIndex = vector::BroadcastOp::create(
              tb, VectorType::get({gTile.lanes}, tb.getI64Type()),
              arith::IndexCastOp::create(tb, tb.getI64Type(), row));
          for (int64_t v = 0; v < gTile.vecs; ++v) {
            Value col = arith::AddIOp::create(
                tb, n0, constantIndex(tb, v * gTile.lanes));
            Value decay = readVector(tb, lMatrix, {row, col}, gTile.lanes);
            Value cols = arith::AddIOp::create(
                tb, iota,
                vector::BroadcastOp::create(
                    tb, iota.getType(),
                    arith::IndexCastOp::create(tb, tb.getI64Type(), col)));
            Value causal = arith::CmpIOp::create(tb, arith::CmpIPredicate::sle,
                                                 cols, rowIndex);
            Value masked = arith::SelectOp::create(
                tb, causal,
                arith::MulFOp::create(tb, acc[i * gTile.vecs + v], decay),
                zeroG);
            out = writeRow(tb, config, masked, out, {row, col});
          }
        }
        return SmallVector<Value>{out};
      },
      lastColumnTile)[0];
}

/// y_i = exp(cs_i) sum_n C_i[n] S_{c-1}^T[n, :] + sum_{j <= i} G[i, j] x_j,
/// by tiles of `ySlice`.
Value TiledChunked::yRows(ImplicitLocOpBuilder &lb, const ChunkTask &t,
                          Value ySlice, Value entering, Value growth,
                          Value gm) {
  VectorType yVector = VectorType::get({yTile.lanes}, ct);
  return forEachTile(
      lb, yTile, q, p, ySlice,
      [&](ImplicitLocOpBuilder &tb, Value m0, Value n0, ValueRange carried) {
        SmallVector<Value> acc = productWithC(
            tb, yTile, t, m0, n0,
            [&](ImplicitLocOpBuilder &eb, Value k, Value col) {
              return readVector(eb, entering, {t.bi, t.ci, t.hi, k, col},
                                yTile.lanes);
            });
        for (int64_t i = 0; i < yTile.rows; ++i) {
          Value row = arith::AddIOp::create(tb, m0, constantIndex(tb, i));
          Value e = vector::BroadcastOp::create(
              tb, yVector, tensor::ExtractOp::create(tb, growth, row));
          for (int64_t v = 0; v < yTile.vecs; ++v)
            acc[i * yTile.vecs + v] =
                arith::MulFOp::create(tb, e, acc[i * yTile.vecs + v]);
        }
        // Steps up to m0 precede every row of the tile; the next rows - 1
        // steps count only for the rows at or after them, by a select, so
        // that a later x (NaN or Inf, say) never reaches an earlier y.
        AffineExpr d = tb.getAffineSymbolExpr(0);
        OpFoldResult shared =
            affine::makeComposedFoldedAffineApply(tb, tb.getLoc(), d + 1, {m0});
        OpFoldResult causalUpper = affine::makeComposedFoldedAffineApply(
            tb, tb.getLoc(), d + yTile.rows, {m0});
        auto gAt = [&](ImplicitLocOpBuilder &eb, Value i, Value j) {
          return tensor::ExtractOp::create(eb, gm, ValueRange{i, j})
              .getResult();
        };
        auto xAt = [&](ImplicitLocOpBuilder &eb, Value j, Value col) {
          Value step = arith::AddIOp::create(eb, t.start, j);
          return readVector(eb, x, {t.bi, step, t.hi, col}, yTile.lanes);
        };
        acc = accumulateTile(tb, yTile, m0, n0, shared, gAt, xAt, acc);
        if (yTile.rows > 1)
          acc = accumulateTile(
              tb, yTile, m0, n0, causalUpper, gAt, xAt, acc,
              [](ImplicitLocOpBuilder &eb, Value i, Value j) -> Value {
                return arith::CmpIOp::create(eb, arith::CmpIPredicate::ule, j,
                                             i);
              },
              shared);
        return SmallVector<Value>{
            yTile.store(tb, config, acc, carried[0], m0, n0)};
      })[0];
}

/// Lowers `interact.chunked_scan`: register-tiled products for a scalar
/// decay, linalg.generics for a diagonal one.
struct ChunkedScanLowering : KernelPattern<ChunkedScanOp> {
  using KernelPattern::KernelPattern;

  LogicalResult
  matchAndRewrite(ChunkedScanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type ct = computeTypeFor(getElementTypeOrSelf(op.getY().getType()));
    int64_t chunk = op.getChunkSizeAttr().getInt();
    replaceScanLike(
        op, adaptor, rewriter,
        [&](ImplicitLocOpBuilder &b, const ScanOperands &s) {
          return s.diagonal ? DiagonalChunked(b, s, chunk, ct).build()
                            : TiledChunked(b, s, chunk, ct, config).build();
        });
    return success();
  }
};

} // namespace

void mlir::interact::populateChunkedScanToLinalgPatterns(
    RewritePatternSet &patterns, const KernelConfig &config) {
  patterns.add<ChunkedScanLowering>(patterns.getContext(), config);
}
