//===- Attention.cpp - Lower interact.attention to vector kernels ---------===//
//
// Masks without a decay: tiled vector code with an online softmax
// (flash-attention style), register tiles of scores sized to the target.
// A decayed mask: a per-query walk of the keys that sums the mask's
// log-decays directly along the way. Neither builds a t x s matrix.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/InteractToLinalg/InteractToLinalg.h"

#include "Common.h"
#include "interact/Dialect/Interact/IR/InteractMask.h"
#include "interact/Kernels/RegisterTile.h"
#include "interact/Kernels/VectorOps.h"
#include "interact/Utils/TensorBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::kernels;

namespace {

/// `value` / `by` (nothing for 1): the head of an operand with fewer heads.
Value divIndex(ImplicitLocOpBuilder &lb, Value value, int64_t by) {
  return by == 1
             ? value
             : Value(arith::DivUIOp::create(lb, value, constantIndex(lb, by)));
}

/// The shapes of an attention op and its operands, in `ct`.
struct AttentionShape {
  AttentionShape(AttentionOp op, Value q, Value k, Value v, Type ct);

  RankedTensorType yType;
  int64_t heads, n, p, keyHeads, rq, rk, rv;
  bool softmax;
  Mask mask;
  double scale;
  Type ct, yElement;
};

AttentionShape::AttentionShape(AttentionOp op, Value q, Value k, Value v,
                               Type ct)
    : ct(ct) {
  auto headsOf = [](Value operand) {
    return cast<RankedTensorType>(operand.getType()).getDimSize(2);
  };
  yType = cast<RankedTensorType>(op.getY().getType());
  heads = yType.getDimSize(2);
  n = cast<RankedTensorType>(q.getType()).getDimSize(3);
  p = cast<RankedTensorType>(v.getType()).getDimSize(3);
  keyHeads = headsOf(k);
  rq = heads / headsOf(q);
  rk = heads / keyHeads;
  rv = heads / headsOf(v);
  softmax = op.getKernel() == Kernel::Softmax;
  mask = op.getMask();
  scale = op.getScale().convertToDouble();
  yElement = yType.getElementType();
}

//===----------------------------------------------------------------------===//
// Decayed masks: a walk of each query's keys
//===----------------------------------------------------------------------===//

/// Lowers attention under a decayed mask as vector code: parallel over
/// (batch, head, query), each query walks its keys j = i, i - 1, ..., 0 once
/// with an output row (and, for softmax, a running maximum and normalizer),
/// cumulating the log-decay a_{j+1} + ... + a_i as a direct sum along the
/// way, never as a difference of long cumulative sums.
class DecayedWalk {
public:
  DecayedWalk(ImplicitLocOpBuilder &b, AttentionOp op, Value q, Value k,
              Value v, Value decay, Type ct, const KernelConfig &config)
      : b(b), g(b), sh(op, q, k, v, ct), q(q), k(k), v(v), decay(decay),
        config(config) {
    assert(getMaskTraits(sh.mask).decayed && "the walk is for decays");
  }

  Value build();

private:
  void task(ImplicitLocOpBuilder &lb, ValueRange args);
  SmallVector<Value> keyStep(ImplicitLocOpBuilder &sb, Value bi, Value hi,
                             Value j, Value kh, Value vh, Value qv,
                             ValueRange carried);
  Value read(ImplicitLocOpBuilder &lb, Value tensor, ValueRange indices,
             int64_t size) {
    return readRow(lb, config, tensor, indices, size, sh.ct);
  }
  VectorType vec(int64_t size, Type element) {
    return VectorType::get({size}, element);
  }

  ImplicitLocOpBuilder &b;
  TensorBuilder g;
  AttentionShape sh;
  Value q, k, v, decay;
  const KernelConfig &config;
};

Value DecayedWalk::build() {
  OpFoldResult batch = g.dim(q, 0), len = g.dim(q, 1);
  Value y =
      g.empty({batch, len, b.getIndexAttr(sh.heads), b.getIndexAttr(sh.p)},
              sh.yElement);
  auto forall = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{batch, b.getIndexAttr(sh.heads), len},
      ValueRange{y}, std::nullopt,
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        task(lb, args);
      });
  return g.castTo(forall.getResult(0), sh.yType);
}

/// One query's walk, and its row of y.
void DecayedWalk::task(ImplicitLocOpBuilder &lb, ValueRange args) {
  Location loc = lb.getLoc();
  Type ct = sh.ct;
  Value bi = args[0], hi = args[1], i = args[2], yOut = args[3];
  Value zero = constantIndex(lb, 0);
  Value one = constantIndex(lb, 1);
  Value qv = read(lb, q, {bi, i, divIndex(lb, hi, sh.rq), zero}, sh.n);
  Value kh = divIndex(lb, hi, sh.rk), vh = divIndex(lb, hi, sh.rv);
  // Keys i, i - 1, ..., 0.
  Value count = arith::AddIOp::create(lb, i, one);
  Value negInf =
      floatConstant(lb, loc, ct, -std::numeric_limits<double>::infinity());
  Value zeroF = floatConstant(lb, loc, ct, 0.0);
  Value acc0 = zeroVector(lb, vec(sh.p, ct));
  // Carried: output row, running max, normalizer, log-decay to i.
  SmallVector<Value> init = {acc0, negInf, zeroF, zeroF};
  auto loop = scf::ForOp::create(
      lb, zero, count, one, init,
      [&](OpBuilder &tb, Location tl, Value jj, ValueRange carried) {
        ImplicitLocOpBuilder sb(tl, tb);
        Value j = arith::SubIOp::create(sb, i, jj);
        scf::YieldOp::create(sb, keyStep(sb, bi, hi, j, kh, vh, qv, carried));
      });
  Value row = loop.getResult(0);
  if (sh.softmax)
    row = normalize(lb, loc, row, loop.getResult(2));
  row = castRow(lb, config, row, vec(sh.p, sh.yElement));
  SmallVector<OpFoldResult> offsets = {bi, i, hi, lb.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {lb.getIndexAttr(1), lb.getIndexAttr(1),
                                     lb.getIndexAttr(1), lb.getIndexAttr(sh.p)};
  SmallVector<OpFoldResult> unit(4, lb.getIndexAttr(1));
  auto rowType = RankedTensorType::get({sh.p}, sh.yElement);
  Value slot =
      tensor::ExtractSliceOp::create(lb, rowType, yOut, offsets, sizes, unit);
  slot = vector::TransferWriteOp::create(lb, row, slot, ValueRange{zero},
                                         ArrayRef<bool>{true})
             .getResult();
  insertInParallel(lb, {{slot, yOut, offsets, sizes}});
}

/// Key j of a query's walk: carries (output row, running max, normalizer,
/// log-decay from j to the query).
SmallVector<Value> DecayedWalk::keyStep(ImplicitLocOpBuilder &sb, Value bi,
                                        Value hi, Value j, Value kh, Value vh,
                                        Value qv, ValueRange carried) {
  Location tl = sb.getLoc();
  Type ct = sh.ct;
  Value zero = constantIndex(sb, 0);
  Value kv = read(sb, k, {bi, j, kh, zero}, sh.n);
  Value dot = vector::ReductionOp::create(sb, vector::CombiningKind::ADD,
                                          arith::MulFOp::create(sb, qv, kv),
                                          arith::FastMathFlags::reassoc);
  Value score =
      arith::MulFOp::create(sb, dot, floatConstant(sb, tl, ct, sh.scale));
  // The walk visits connected keys only: the mask's weight is its
  // log-weight, the segment sum carried along.
  Value logWeight =
      buildMaskWeight(sb, tl, sh.mask, Value(), Value(), carried[3]).logWeight;
  Value vv = read(sb, v, {bi, j, vh, zero}, sh.p);
  Value acc = carried[0], runMax = carried[1], norm = carried[2];
  VectorType row = vec(sh.p, ct);
  if (sh.softmax) {
    Value logit = logWeight
                      ? arith::AddFOp::create(sb, score, logWeight).getResult()
                      : score;
    Value newMax = arith::MaximumFOp::create(sb, runMax, logit);
    Value correction =
        math::ExpOp::create(sb, arith::SubFOp::create(sb, runMax, newMax));
    Value weight =
        math::ExpOp::create(sb, arith::SubFOp::create(sb, logit, newMax));
    norm = arith::AddFOp::create(
        sb, arith::MulFOp::create(sb, norm, correction), weight);
    Value scaled = arith::MulFOp::create(
        sb, acc, vector::BroadcastOp::create(sb, row, correction));
    acc = vector::FMAOp::create(
        sb, vector::BroadcastOp::create(sb, row, weight), vv, scaled);
    runMax = newMax;
  } else {
    Value weight =
        logWeight
            ? arith::MulFOp::create(sb, score, boundedExp(sb, tl, logWeight))
                  .getResult()
            : score;
    acc = vector::FMAOp::create(
        sb, vector::BroadcastOp::create(sb, row, weight), vv, acc);
  }
  // The next key, j - 1, is one more decay a_j away from i.
  Value a = tensor::ExtractOp::create(sb, decay, ValueRange{bi, j, hi});
  Value logDecay =
      arith::AddFOp::create(sb, carried[3], castFloat(sb, tl, a, ct));
  return {acc, runMax, norm, logDecay};
}

} // namespace

//===----------------------------------------------------------------------===//
// Masks without a decay: flash-style tiles
//===----------------------------------------------------------------------===//

namespace {

/// Keys and queries per block where a tile of scores is smaller (AVX2:
/// 4 x 4 tiles of 4 queries x 16 keys). Sixteen queries a task stream K and
/// V once per sixteen queries; on Zen 3, 16 x 64 ran about 3% faster than
/// 8 x 64 (32 queries and 128 keys were slower).
constexpr int64_t kWideBlockKeys = 64, kWideBlockQueries = 16;

/// How far (in base 2) a block's maximum may pass a row's reference maximum
/// before the reference moves: weights up to 2^8, far from f32's range.
constexpr double kLazyMaximum = 8.0;

/// The indices of one (batch, head, block of queries) task.
struct QueryTask {
  Value bi, hi, i0, hq, hk, hv, lastQuery, zeroScores;
  // AVX2: the task's rows of Q, scaled, [queries, n] (rows of q are a
  // head apart).
  Value qPacked;
};

/// What every row of a block's scores shares: the scale, the score of a
/// pair set aside, and the key count, as vectors.
struct BlockConstants {
  Value scaleVector, masked, srcVector;
};

/// Lowers softmax or identity attention under a mask without a decay as
/// tiled vector code, flash-attention style. K is first transposed (per
/// batch and key head, zero-padded to whole key blocks) so that rows of K^T
/// feed the score product. Then, per (batch, head, block of queries), every
/// block of keys is one register tile of scores S = scale Q K^T
/// (RegisterTile::forScores: 8 queries x 32 keys of f32 on AVX-512, 4 x 16
/// on AVX2); keys the mask does not connect and padding keys are set aside;
/// the online softmax rescales the block's output rows by exp(m_old - m_new)
/// and adds P V, P = exp(S - m_new), with P V register-tiled too. No t x s
/// matrix exists: per task, queries x p outputs and one tile of weights.
class TiledAttention {
public:
  TiledAttention(ImplicitLocOpBuilder &b, AttentionOp op, Value q, Value k,
                 Value v, Type ct, const KernelConfig &config);

  Value build();

private:
  Value element(ImplicitLocOpBuilder &lb, Value tensor, ValueRange at);
  Value i64(ImplicitLocOpBuilder &lb, Value value);
  Value transposedKeys();
  Value packedValues();
  void transposeTask(ImplicitLocOpBuilder &lb, ValueRange args, Value srcIndex);
  void queryTask(ImplicitLocOpBuilder &lb, ValueRange args, Value kT,
                 Value negInf);
  SmallVector<Value> keyBlock(TensorBuilder &kb, const QueryTask &t, Value kT,
                              Value negInf, Value block, ValueRange carried);
  SmallVector<Value> wideKeyBlock(TensorBuilder &kb, const QueryTask &t,
                                  Value kT, Value negInf, Value block,
                                  ValueRange carried, bool masked);
  Value validAt(ImplicitLocOpBuilder &sb, const BlockConstants &bc,
                Value iVector, Value j);
  void scoreRow(ImplicitLocOpBuilder &sb, const QueryTask &t,
                const BlockConstants &bc, Value j0, int64_t r,
                MutableArrayRef<Value> acc, ValueRange carried,
                SmallVectorImpl<Value> &next, SmallVectorImpl<Value> &maxima,
                SmallVectorImpl<Value> &sums);
  SmallVector<Value> finishBlock(ImplicitLocOpBuilder &sb, const QueryTask &t,
                                 Value j0, Value weights, Value rescale,
                                 ValueRange carried, ArrayRef<Value> maxima,
                                 ArrayRef<Value> sums, bool masked,
                                 Value rescaledOutputs = Value());
  Value rescaleOutputs(ImplicitLocOpBuilder &sb, Value out, Value corrections,
                       Value changed);
  Value accumulateValues(ImplicitLocOpBuilder &sb, const QueryTask &t, Value j0,
                         Value weights, Value rescale, Value out,
                         bool masked = true);
  Value writeRows(ImplicitLocOpBuilder &lb, Value outputs, Value normalizers,
                  Value slot, OpFoldResult rows);
  Value weightExp(ImplicitLocOpBuilder &sb, Value x);

  ImplicitLocOpBuilder &b;
  TensorBuilder g;
  MLIRContext *ctx;
  AttentionShape sh;
  Value q, k, v;
  Type ct;
  const KernelConfig &config;
  bool causal;
  // AVX2, f32 softmax: scores in base 2 (Q scaled by scale log2(e)), weights
  // exp2(s - max) by softmaxExp2.
  bool base2;
  RegisterTile scoreTile, outTile;
  int64_t queries, keys, tilesPerBlock;
  VectorType scoreVector, indexVector;
  OpFoldResult batch, len, src, keyBlocks, paddedKeys;
  Value iota, srcIndex, lenIndex, vPacked;
  SmallVector<OpFoldResult> unit4;
};

TiledAttention::TiledAttention(ImplicitLocOpBuilder &b, AttentionOp op, Value q,
                               Value k, Value v, Type ct,
                               const KernelConfig &config)
    : b(b), g(b), ctx(b.getContext()), sh(op, q, k, v, ct), q(q), k(k), v(v),
      ct(ct), config(config) {
  MaskTraits traits = getMaskTraits(sh.mask);
  assert(!traits.decayed && "a decayed mask is walked, not tiled");
  causal = traits.causal;
  batch = g.dim(q, 0);
  len = g.dim(q, 1);
  src = g.dim(k, 1);
  scoreTile = RegisterTile::forScores(config, ct);
  // A block of keys: one tile of scores where a tile is wide (8 queries x
  // 32 keys of f32 on AVX-512), several on AVX2 (4 x 16 a tile) so that each
  // block's reductions, correction and rescaling of the outputs serve 64
  // keys, and each task's K and V serve 16 queries.
  bool wide = config.registers < 32;
  tilesPerBlock =
      wide ? std::max<int64_t>(1, kWideBlockKeys / scoreTile.columns()) : 1;
  queries = wide ? scoreTile.rows *
                       std::max<int64_t>(1, kWideBlockQueries / scoreTile.rows)
                 : scoreTile.rows;
  keys = scoreTile.columns() * tilesPerBlock;
  base2 = wide && sh.softmax && ct.isF32();
  outTile = RegisterTile::forProduct(config, queries, sh.p, ct);
  scoreVector = VectorType::get({scoreTile.lanes}, ct);
  indexVector = VectorType::get({scoreTile.lanes}, b.getI64Type());
  unit4.assign(4, b.getIndexAttr(1));
}

Value TiledAttention::element(ImplicitLocOpBuilder &lb, Value tensor,
                              ValueRange at) {
  return castFloat(lb, lb.getLoc(), tensor::ExtractOp::create(lb, tensor, at),
                   ct);
}

Value TiledAttention::i64(ImplicitLocOpBuilder &lb, Value value) {
  return arith::IndexCastOp::create(lb, lb.getI64Type(), value);
}

Value TiledAttention::build() {
  iota = laneIndices(b, scoreTile.lanes);
  AffineExpr s0 = getAffineSymbolExpr(0, ctx);
  keyBlocks = affine::makeComposedFoldedAffineApply(b, b.getLoc(),
                                                    s0.ceilDiv(keys), {src});
  paddedKeys = affine::makeComposedFoldedAffineApply(
      b, b.getLoc(), s0.ceilDiv(keys) * keys, {src});
  srcIndex = g.index(src);
  lenIndex = g.index(len);
  Value kT = transposedKeys();
  if (tilesPerBlock > 1)
    vPacked = packedValues();

  // Outputs, per (batch, head, block of queries).
  Value y =
      g.empty({batch, len, b.getIndexAttr(sh.heads), b.getIndexAttr(sh.p)},
              sh.yElement);
  OpFoldResult queryBlocks = affine::makeComposedFoldedAffineApply(
      b, b.getLoc(), s0.ceilDiv(queries), {len});
  Value negInf = floatConstant(b, b.getLoc(), ct,
                               -std::numeric_limits<double>::infinity());
  auto forall = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{batch, b.getIndexAttr(sh.heads), queryBlocks},
      ValueRange{y}, std::nullopt,
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        queryTask(lb, args, kT, negInf);
      });
  return g.castTo(forall.getResult(0), sh.yType);
}

/// K^T [b, key head, n, padded s], padding keys zero, transposed in blocks
/// of one register square (transposeBlockSize) where n allows. Where a
/// block of keys is several tiles (AVX2) it is blocked instead, [b, key
/// head, padded s / lanes, n, lanes]: a tile's rows of K^T contiguous (rows
/// s apart alias in L1).
Value TiledAttention::transposedKeys() {
  int64_t n = sh.n;
  AffineExpr s0 = getAffineSymbolExpr(0, ctx);
  OpFoldResult transposeBlocks = affine::makeComposedFoldedAffineApply(
      b, b.getLoc(), s0.ceilDiv(scoreTile.lanes), {paddedKeys});
  bool blocked = tilesPerBlock > 1;
  SmallVector<OpFoldResult> sizes =
      blocked ? SmallVector<OpFoldResult>{batch, b.getIndexAttr(sh.keyHeads),
                                          transposeBlocks, b.getIndexAttr(n),
                                          b.getIndexAttr(scoreTile.lanes)}
              : SmallVector<OpFoldResult>{batch, b.getIndexAttr(sh.keyHeads),
                                          b.getIndexAttr(n), paddedKeys};
  Value transposed =
      scf::ForallOp::create(b,
                            ArrayRef<OpFoldResult>{batch,
                                                   b.getIndexAttr(sh.keyHeads),
                                                   transposeBlocks},
                            ValueRange{g.empty(sizes, ct)}, std::nullopt,
                            [&](OpBuilder &nb, Location loc, ValueRange args) {
                              ImplicitLocOpBuilder lb(loc, nb);
                              transposeTask(lb, args, srcIndex);
                            })
          .getResult(0);
  if (blocked)
    return transposed;
  std::optional<int64_t> staticPadded = getConstantIntValue(paddedKeys);
  std::optional<int64_t> staticBatch = getConstantIntValue(batch);
  auto kTType = RankedTensorType::get(
      {staticBatch ? *staticBatch : ShapedType::kDynamic, sh.keyHeads, n,
       staticPadded ? *staticPadded : ShapedType::kDynamic},
      ct);
  return g.castTo(transposed, kTType);
}

/// V as [b, value head, s, p] in the compute type: a block's rows of V
/// contiguous (rows a head apart alias in L1 across a wide key block).
Value TiledAttention::packedValues() {
  int64_t valueHeads = sh.heads / sh.rv, p = sh.p;
  Value empty =
      g.empty({batch, b.getIndexAttr(valueHeads), src, b.getIndexAttr(p)}, ct);
  int64_t lanes = lanesFor(config, p, ct);
  auto packed = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{batch, b.getIndexAttr(valueHeads), src},
      ValueRange{empty}, std::nullopt,
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        TensorBuilder l(lb);
        Value bi = args[0], hv = args[1], j = args[2], out = args[3];
        SmallVector<OpFoldResult> offsets = {bi, hv, j, lb.getIndexAttr(0)};
        SmallVector<OpFoldResult> sizes = {
            lb.getIndexAttr(1), lb.getIndexAttr(1), lb.getIndexAttr(1),
            lb.getIndexAttr(p)};
        Value slot = tensor::ExtractSliceOp::create(
            lb, RankedTensorType::get({p}, ct), out, offsets, sizes, unit4);
        auto pieces = l.forLoop(
            lb.getIndexAttr(p / lanes), slot,
            [&](TensorBuilder &cb, Value c, ValueRange carried) {
              ImplicitLocOpBuilder &wb = cb.b;
              Value at = arith::MulIOp::create(wb, c, constantIndex(wb, lanes));
              Value row = readRow(wb, config, v, {bi, j, hv, at}, lanes, ct);
              return SmallVector<Value>{
                  writeRow(wb, config, row, carried[0], {at})};
            });
        insertInParallel(lb, {{pieces.getResult(0), out, offsets, sizes}});
      });
  return packed.getResult(0);
}

/// One block of keys of K^T: `blockJ` keys by all of n, in blocks of
/// `blockK` features. Keys past s read the last key and become zero.
void TiledAttention::transposeTask(ImplicitLocOpBuilder &lb, ValueRange args,
                                   Value srcIndex) {
  TensorBuilder l(lb);
  int64_t n = sh.n, blockK = lanesFor(config, n, ct), blockJ = scoreTile.lanes;
  Value bi = args[0], hk = args[1], jb = args[2], out = args[3];
  Value j0 = arith::MulIOp::create(lb, jb, constantIndex(lb, blockJ));
  SmallVector<OpFoldResult> offsets = {bi, hk, lb.getIndexAttr(0), j0};
  SmallVector<OpFoldResult> sizes = {lb.getIndexAttr(1), lb.getIndexAttr(1),
                                     lb.getIndexAttr(n),
                                     lb.getIndexAttr(blockJ)};
  if (tilesPerBlock > 1) {
    offsets = {bi, hk, jb, lb.getIndexAttr(0), lb.getIndexAttr(0)};
    sizes = {lb.getIndexAttr(1), lb.getIndexAttr(1), lb.getIndexAttr(1),
             lb.getIndexAttr(n), lb.getIndexAttr(blockJ)};
  }
  Value slice = tensor::ExtractSliceOp::create(
      lb, RankedTensorType::get({n, blockJ}, ct), out, offsets, sizes,
      SmallVector<OpFoldResult>(sizes.size(), lb.getIndexAttr(1)));
  Value last = arith::SubIOp::create(lb, srcIndex, constantIndex(lb, 1));
  Value zeroRow = zeroVector(lb, VectorType::get({blockK}, ct));
  auto blocks = l.forLoop(
      lb.getIndexAttr(n / blockK), slice,
      [&](TensorBuilder &kb, Value kt, ValueRange carried) {
        ImplicitLocOpBuilder &cb = kb.b;
        Value k0 = arith::MulIOp::create(cb, kt, constantIndex(cb, blockK));
        SmallVector<Value> columns =
            transposeBlock(cb, blockJ, blockK, ct, [&](int64_t j) -> Value {
              Value key = arith::AddIOp::create(cb, j0, constantIndex(cb, j));
              Value valid = arith::CmpIOp::create(cb, arith::CmpIPredicate::ult,
                                                  key, srcIndex);
              Value clamped = arith::MinUIOp::create(cb, key, last);
              Value row =
                  readRow(cb, config, k, {bi, clamped, hk, k0}, blockK, ct);
              return arith::SelectOp::create(cb, valid, row, zeroRow);
            });
        Value result = carried[0];
        for (int64_t c = 0; c < blockK; ++c)
          result =
              writeRow(cb, config, columns[c], result,
                       {arith::AddIOp::create(cb, k0, constantIndex(cb, c)),
                        constantIndex(cb, 0)});
        return SmallVector<Value>{result};
      });
  insertInParallel(lb, {{blocks.getResult(0), out, offsets, sizes}});
}

/// One (batch, head, block of queries) task: the walk over key blocks, then
/// the block's rows of y.
void TiledAttention::queryTask(ImplicitLocOpBuilder &lb, ValueRange args,
                               Value kT, Value negInf) {
  TensorBuilder l(lb);
  Location loc = lb.getLoc();
  AffineExpr s0 = getAffineSymbolExpr(0, ctx), s1 = getAffineSymbolExpr(1, ctx);
  QueryTask t;
  t.bi = args[0];
  t.hi = args[1];
  Value qb = args[2], yOut = args[3];
  t.i0 = arith::MulIOp::create(lb, qb, constantIndex(lb, queries));
  t.hq = divIndex(lb, t.hi, sh.rq);
  t.hk = divIndex(lb, t.hi, sh.rk);
  t.hv = divIndex(lb, t.hi, sh.rv);
  t.lastQuery = arith::SubIOp::create(lb, lenIndex, constantIndex(lb, 1));
  // Key blocks this query block sees: all, or up to its last query.
  OpFoldResult blocks = keyBlocks;
  if (causal)
    blocks = affine::makeComposedFoldedAffineMin(
        lb, loc,
        AffineMap::get(0, 2, {s0.ceilDiv(keys), (s1 + queries).ceilDiv(keys)},
                       ctx),
        {src, t.i0});
  t.zeroScores = zeroVector(lb, scoreVector);
  // (A fill, not one vector write per row and lane tile: a long chain of
  // writes makes One-Shot Bufferize super-linear.)
  Value out = linalg::FillOp::create(lb, floatConstant(lb, loc, ct, 0.0),
                                     scratch(lb, {queries, sh.p}, ct))
                  .getResult(0);
  Value weights = scratch(lb, {queries, keys}, ct);
  // The rows' rescaling factors; in wide blocks (which rescale otherwise)
  // each row's maximum, then its sum, of the block.
  Value rescale = scratch(lb, {tilesPerBlock > 1 ? 2 * queries : queries}, ct);
  // Carried: outputs, weights, rescaling, running maxima, normalizers.
  SmallVector<Value> init = {out, weights, rescale};
  if (tilesPerBlock > 1) {
    // AVX2: the running maxima and normalizers as two vectors of rows.
    VectorType rowsVector = VectorType::get({queries}, ct);
    init.push_back(vector::BroadcastOp::create(lb, rowsVector, negInf));
    init.push_back(zeroVector(lb, rowsVector));
  } else {
    init.append(queries, negInf);
    init.append(queries, floatConstant(lb, loc, ct, 0.0));
  }
  scf::ForOp keyLoop;
  if (tilesPerBlock == 1) {
    keyLoop = l.forLoop(
        blocks, init, [&](TensorBuilder &kb, Value block, ValueRange carried) {
          return keyBlock(kb, t, kT, negInf, block, carried);
        });
  } else {
    // The task's rows of Q scaled, contiguous.
    int64_t n = sh.n, lanesN = lanesFor(config, n, ct);
    double scale = base2 ? sh.scale * llvm::numbers::log2e : sh.scale;
    Value scaleN = vector::BroadcastOp::create(
        lb, VectorType::get({lanesN}, ct), floatConstant(lb, loc, ct, scale));
    SmallVector<Value> rowsQ;
    for (int64_t r = 0; r < queries; ++r)
      rowsQ.push_back(arith::MinUIOp::create(
          lb, arith::AddIOp::create(lb, t.i0, constantIndex(lb, r)),
          t.lastQuery));
    t.qPacked =
        l.forLoop(lb.getIndexAttr(n / lanesN), scratch(lb, {queries, n}, ct),
                  [&](TensorBuilder &cb, Value c, ValueRange carried) {
                    ImplicitLocOpBuilder &wb = cb.b;
                    Value at =
                        arith::MulIOp::create(wb, c, constantIndex(wb, lanesN));
                    Value result = carried[0];
                    for (int64_t r = 0; r < queries; ++r) {
                      Value row =
                          readRow(wb, config, q, {t.bi, rowsQ[r], t.hq, at},
                                  lanesN, ct);
                      row = arith::MulFOp::create(wb, row, scaleN);
                      result = writeRow(wb, config, row, result,
                                        {constantIndex(wb, r), at});
                    }
                    return SmallVector<Value>{result};
                  })
            .getResult(0);
    // Blocks every query of the task sees whole (no mask, no padding keys),
    // then the rest.
    OpFoldResult full =
        causal
            ? affine::makeComposedFoldedAffineMin(
                  lb, loc,
                  AffineMap::get(
                      0, 2, {s0.floorDiv(keys), (s1 + 1).floorDiv(keys)}, ctx),
                  {src, t.i0})
            : affine::makeComposedFoldedAffineApply(lb, loc, s0.floorDiv(keys),
                                                    {src});
    auto wholeLoop = l.forLoop(
        full, init, [&](TensorBuilder &kb, Value block, ValueRange carried) {
          return wideKeyBlock(kb, t, kT, negInf, block, carried, false);
        });
    OpFoldResult rest =
        affine::makeComposedFoldedAffineApply(lb, loc, s0 - s1, {blocks, full});
    Value fullIndex = getValueOrCreateConstantIndexOp(lb, loc, full);
    keyLoop =
        l.forLoop(rest, wholeLoop.getResults(),
                  [&](TensorBuilder &kb, Value block, ValueRange carried) {
                    Value at = arith::AddIOp::create(kb.b, fullIndex, block);
                    return wideKeyBlock(kb, t, kT, negInf, at, carried, true);
                  });
  }

  // This block's rows of y (the normalizers into a tensor to index).
  Value normalizers = scratch(lb, {queries}, ct);
  if (tilesPerBlock > 1)
    normalizers = writeRow(lb, config, keyLoop.getResult(4), normalizers,
                           {constantIndex(lb, 0)});
  else
    for (int64_t r = 0; r < queries; ++r)
      normalizers =
          tensor::InsertOp::create(lb, keyLoop.getResult(3 + queries + r),
                                   normalizers, constantIndex(lb, r));
  OpFoldResult rows = affine::makeComposedFoldedAffineMin(
      lb, loc,
      AffineMap::get(0, 2, {getAffineConstantExpr(queries, ctx), s0 - s1}, ctx),
      {len, t.i0});
  SmallVector<OpFoldResult> offsets = {t.bi, t.i0, t.hi, lb.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {lb.getIndexAttr(1), rows,
                                     lb.getIndexAttr(1), lb.getIndexAttr(sh.p)};
  std::optional<int64_t> staticRows = getConstantIntValue(rows);
  Value slot = tensor::ExtractSliceOp::create(
      lb,
      RankedTensorType::get(
          {staticRows ? *staticRows : ShapedType::kDynamic, sh.p}, sh.yElement),
      yOut, offsets, sizes, unit4);
  slot = writeRows(lb, keyLoop.getResult(0), normalizers, slot, rows);
  insertInParallel(lb, {{slot, yOut, offsets, sizes}});
}

/// One block of keys from j0: the tile of scores, each row's online
/// softmax, and the weighted values added to the outputs.
SmallVector<Value> TiledAttention::keyBlock(TensorBuilder &kb,
                                            const QueryTask &t, Value kT,
                                            Value negInf, Value block,
                                            ValueRange carried) {
  ImplicitLocOpBuilder &sb = kb.b;
  Value j0 = arith::MulIOp::create(sb, block, constantIndex(sb, keys));
  SmallVector<Value> acc = scoreTile.zeros(sb, ct);
  acc = accumulateTile(
      sb, scoreTile, t.i0, j0, sb.getIndexAttr(sh.n),
      [&](ImplicitLocOpBuilder &eb, Value i, Value c) {
        Value row = arith::MinUIOp::create(eb, i, t.lastQuery);
        return element(eb, q, ValueRange{t.bi, row, t.hq, c});
      },
      [&](ImplicitLocOpBuilder &eb, Value c, Value j) {
        return readRow(eb, config, kT, {t.bi, t.hk, c, j}, scoreTile.lanes, ct);
      },
      acc);
  Value negative =
      sh.softmax ? negInf : floatConstant(sb, sb.getLoc(), ct, 0.0);
  BlockConstants bc;
  bc.scaleVector = vector::BroadcastOp::create(
      sb, scoreVector, floatConstant(sb, sb.getLoc(), ct, sh.scale));
  bc.masked = vector::BroadcastOp::create(sb, scoreVector, negative);
  bc.srcVector =
      vector::BroadcastOp::create(sb, indexVector, i64(sb, srcIndex));
  SmallVector<Value> next = {Value(), carried[1], carried[2]};
  SmallVector<Value> maxima, sums;
  for (int64_t r = 0; r < queries; ++r)
    scoreRow(sb, t, bc, j0, r, acc, carried, next, maxima, sums);
  return finishBlock(sb, t, j0, next[1], next[2], carried, maxima, sums,
                     /*masked=*/true);
}

/// The key loop's carried values after a block: the outputs with the
/// block's P V added, the weights and rescaling, and the running maxima and
/// normalizers (softmax) or the ones carried in. The outputs are rescaled
/// as P V is added to them, or were already (`rescaledOutputs`).
SmallVector<Value> TiledAttention::finishBlock(
    ImplicitLocOpBuilder &sb, const QueryTask &t, Value j0, Value weights,
    Value rescale, ValueRange carried, ArrayRef<Value> maxima,
    ArrayRef<Value> sums, bool masked, Value rescaledOutputs) {
  Value out = rescaledOutputs ? rescaledOutputs : carried[0];
  SmallVector<Value> next = {
      accumulateValues(sb, t, j0, weights, rescaledOutputs ? Value() : rescale,
                       out, masked),
      weights, rescale};
  if (sh.softmax) {
    next.append(maxima.begin(), maxima.end());
    next.append(sums.begin(), sums.end());
  } else {
    next.append(carried.begin() + 3, carried.end());
  }
  return next;
}

/// Whether the keys j.. (one vector) count for the queries `iVector`: in
/// range, and connected by the mask.
Value TiledAttention::validAt(ImplicitLocOpBuilder &sb,
                              const BlockConstants &bc, Value iVector,
                              Value j) {
  Value cols = arith::AddIOp::create(
      sb, iota, vector::BroadcastOp::create(sb, indexVector, i64(sb, j)));
  Value ok =
      arith::CmpIOp::create(sb, arith::CmpIPredicate::slt, cols, bc.srcVector);
  if (Value visible =
          buildMaskWeight(sb, sb.getLoc(), sh.mask, iVector, cols).visible)
    ok = arith::AndIOp::create(sb, ok, visible);
  return ok;
}

/// A block of several tiles of scores (AVX2): each tile's scores, scaled
/// and with pairs set aside, into the weights; then per row one maximum over
/// the block (lane-wise, then one reduction), one correction, the exps and
/// one sum; the outputs rescaled once and P V added over the whole block.
SmallVector<Value> TiledAttention::wideKeyBlock(TensorBuilder &kb,
                                                const QueryTask &t, Value kT,
                                                Value negInf, Value block,
                                                ValueRange carried,
                                                bool masked) {
  ImplicitLocOpBuilder &sb = kb.b;
  Location loc = sb.getLoc();
  int64_t lanes = scoreTile.lanes, columns = scoreTile.columns();
  Value j0 = arith::MulIOp::create(sb, block, constantIndex(sb, keys));
  Value negative = sh.softmax ? negInf : floatConstant(sb, loc, ct, 0.0);
  BlockConstants bc;
  bc.scaleVector = vector::BroadcastOp::create(
      sb, scoreVector, floatConstant(sb, loc, ct, sh.scale));
  bc.masked = vector::BroadcastOp::create(sb, scoreVector, negative);
  bc.srcVector =
      vector::BroadcastOp::create(sb, indexVector, i64(sb, srcIndex));
  // The tiles of scores, (column tile, row tile) in a loop: unrolled, LLVM
  // forwards every stored score to the reads below and keeps all of them in
  // registers across the later tiles' products, which then spill.
  int64_t rowTiles = queries / scoreTile.rows;
  Value weights =
      kb.forLoop(
            kb.b.getIndexAttr(tilesPerBlock * rowTiles), carried[1],
            [&](TensorBuilder &tb, Value at, ValueRange written) {
              ImplicitLocOpBuilder &eb = tb.b;
              Value r0 = arith::MulIOp::create(
                  eb,
                  arith::RemUIOp::create(eb, at, constantIndex(eb, rowTiles)),
                  constantIndex(eb, scoreTile.rows));
              Value c0 = arith::MulIOp::create(
                  eb,
                  arith::DivUIOp::create(eb, at, constantIndex(eb, rowTiles)),
                  constantIndex(eb, columns));
              Value js = arith::AddIOp::create(eb, j0, c0);
              SmallVector<Value> acc = scoreTile.zeros(eb, ct);
              acc = accumulateTile(
                  eb, scoreTile, r0, js, eb.getIndexAttr(sh.n),
                  [&](ImplicitLocOpBuilder &ab, Value i, Value c) {
                    return tensor::ExtractOp::create(ab, t.qPacked,
                                                     ValueRange{i, c})
                        .getResult();
                  },
                  [&](ImplicitLocOpBuilder &ab, Value c, Value j) {
                    Value tileOf =
                        arith::DivUIOp::create(ab, j, constantIndex(ab, lanes));
                    return readRow(
                        ab, config, kT,
                        {t.bi, t.hk, tileOf, c, constantIndex(ab, 0)}, lanes,
                        ct);
                  },
                  acc);
              Value out = written[0];
              for (int64_t r = 0; r < scoreTile.rows; ++r) {
                Value row = arith::AddIOp::create(eb, r0, constantIndex(eb, r));
                Value iVector;
                if (masked)
                  iVector = vector::BroadcastOp::create(
                      eb, indexVector,
                      i64(eb, arith::AddIOp::create(eb, t.i0, row)));
                for (int64_t c = 0; c < scoreTile.vecs; ++c) {
                  Value col = arith::AddIOp::create(
                      eb, c0, constantIndex(eb, c * lanes));
                  Value s = acc[r * scoreTile.vecs + c];
                  if (masked)
                    s = arith::SelectOp::create(
                        eb,
                        validAt(eb, bc, iVector,
                                arith::AddIOp::create(eb, j0, col)),
                        s, bc.masked);
                  out = writeRow(eb, config, s, out, {row, col});
                }
              }
              return SmallVector<Value>{out};
            })
          .getResult(0);
  Value rescale = carried[2], rescaledOutputs;
  SmallVector<Value> maxima, sums;
  if (sh.softmax) {
    int64_t vectors = keys / lanes;
    auto tree = [&](SmallVector<Value> parts, auto combine) {
      while (parts.size() > 1) {
        SmallVector<Value> half;
        for (size_t a = 0; a + 1 < parts.size(); a += 2)
          half.push_back(combine(parts[a], parts[a + 1]));
        if (parts.size() % 2)
          half.push_back(parts.back());
        parts = half;
      }
      return parts.front();
    };
    VectorType rowsVector = VectorType::get({queries}, ct);
    Value oldMaxima = carried[3], oldSums = carried[4];
    // The loops over rows write each row's maximum and sum into `rescale`,
    // not into a vector of rows: an insert at a row the loop counts goes
    // through the stack, and reading the whole vector back after a scalar
    // store stalls store forwarding, once per row (6% of the time on Zen 3).
    Value zeroIndex = constantIndex(sb, 0);
    Value sumsAt = constantIndex(sb, queries);
    rescale = writeRow(sb, config, oldMaxima, rescale, {zeroIndex});
    // Each row's new reference maximum, in a loop over rows (unrolled, the
    // block's IR grows with the rows and compiles slowly). In base 2 the
    // reference moves only when the block's maximum passes it by more than
    // kLazyMaximum (the weights stay below 2^kLazyMaximum): it is then set
    // at the first block and rarely moves again, the corrections
    // exp(m_old - m_new) are exactly 1, and the outputs are rescaled only in
    // blocks where some row's reference moved.
    Value falseValue = arith::ConstantIntOp::create(sb, 0, 1);
    auto maxLoop = kb.forLoop(
        sb.getIndexAttr(queries), ValueRange{rescale, falseValue},
        [&](TensorBuilder &rb, Value r, ValueRange state) {
          ImplicitLocOpBuilder &eb = rb.b;
          SmallVector<Value> row;
          for (int64_t c = 0; c < vectors; ++c)
            row.push_back(readRow(eb, config, weights,
                                  {r, constantIndex(eb, c * lanes)}, lanes,
                                  ct));
          Value laneMax = tree(row, [&](Value a, Value c) -> Value {
            return arith::MaximumFOp::create(eb, a, c);
          });
          Value blockMax = vector::ReductionOp::create(
              eb, vector::CombiningKind::MAXIMUMF, laneMax);
          Value old = tensor::ExtractOp::create(eb, state[0], r);
          Value moved, updated;
          if (base2) {
            moved = arith::CmpFOp::create(
                eb, arith::CmpFPredicate::OGT, blockMax,
                arith::AddFOp::create(
                    eb, old, floatConstant(eb, eb.getLoc(), ct, kLazyMaximum)));
            updated = arith::SelectOp::create(eb, moved, blockMax, old);
          } else {
            updated = arith::MaximumFOp::create(eb, old, blockMax);
            moved = arith::CmpFOp::create(eb, arith::CmpFPredicate::UNE,
                                          updated, old);
          }
          return SmallVector<Value>{
              tensor::InsertOp::create(eb, updated, state[0], r),
              arith::OrIOp::create(eb, state[1], moved)};
        });
    rescale = maxLoop.getResult(0);
    Value newMaxima = readRow(sb, config, rescale, {zeroIndex}, queries, ct);
    // (A row whose maximum stays -inf keeps a correction of 1, not NaN.)
    Value same = arith::CmpFOp::create(sb, arith::CmpFPredicate::OEQ, oldMaxima,
                                       newMaxima);
    Value corrections =
        weightExp(sb, arith::SelectOp::create(
                          sb, same, zeroVector(sb, rowsVector),
                          arith::SubFOp::create(sb, oldMaxima, newMaxima)));
    rescaledOutputs =
        rescaleOutputs(sb, carried[0], corrections, maxLoop.getResult(1));
    // The weights and their sums, row by row in a loop (unrolled, the chain
    // of writes to the weights makes One-Shot Bufferize super-linear).
    auto rowLoop = kb.forLoop(
        sb.getIndexAttr(queries), ValueRange{weights, rescale},
        [&](TensorBuilder &rb, Value r, ValueRange state) {
          ImplicitLocOpBuilder &eb = rb.b;
          Value out = state[0];
          Value maxVector = vector::BroadcastOp::create(
              eb, scoreVector, tensor::ExtractOp::create(eb, state[1], r));
          Value iVector;
          if (masked)
            iVector = vector::BroadcastOp::create(
                eb, indexVector, i64(eb, arith::AddIOp::create(eb, t.i0, r)));
          SmallVector<Value> exps;
          for (int64_t c = 0; c < vectors; ++c) {
            Value at[] = {r, constantIndex(eb, c * lanes)};
            Value e =
                weightExp(eb, arith::SubFOp::create(
                                  eb, readRow(eb, config, out, at, lanes, ct),
                                  maxVector));
            if (masked)
              e = arith::SelectOp::create(
                  eb,
                  validAt(eb, bc, iVector,
                          arith::AddIOp::create(eb, j0,
                                                constantIndex(eb, c * lanes))),
                  e, t.zeroScores);
            exps.push_back(e);
            out = writeRow(eb, config, e, out, at);
          }
          Value laneSum = tree(exps, [&](Value a, Value c) -> Value {
            return arith::AddFOp::create(eb, a, c);
          });
          Value sum = vector::ReductionOp::create(
              eb, vector::CombiningKind::ADD, laneSum,
              arith::FastMathFlags::reassoc);
          return SmallVector<Value>{
              out, tensor::InsertOp::create(
                       eb, sum, state[1],
                       arith::AddIOp::create(eb, sumsAt, r).getResult())};
        });
    weights = rowLoop.getResult(0);
    rescale = rowLoop.getResult(1);
    maxima.push_back(newMaxima);
    sums.push_back(vector::FMAOp::create(
        sb, oldSums, corrections,
        readRow(sb, config, rescale, {sumsAt}, queries, ct)));
  }
  return finishBlock(sb, t, j0, weights, rescale, carried, maxima, sums, masked,
                     rescaledOutputs);
}

/// The outputs `out` [queries, p], row r times corrections[r], where
/// `changed` (else as they are).
Value TiledAttention::rescaleOutputs(ImplicitLocOpBuilder &sb, Value out,
                                     Value corrections, Value changed) {
  auto ifOp =
      scf::IfOp::create(sb, TypeRange{out.getType()}, changed, true, true);
  OpBuilder::InsertionGuard guard(sb);
  sb.setInsertionPointToStart(ifOp.thenBlock());
  TensorBuilder l(sb);
  int64_t lanesP = outTile.lanes;
  VectorType row = VectorType::get({lanesP}, ct);
  Value scaled =
      l.forLoop(
           sb.getIndexAttr(queries), out,
           [&](TensorBuilder &rb, Value r, ValueRange rows) {
             Value factor = vector::BroadcastOp::create(
                 rb.b, row,
                 vector::ExtractOp::create(rb.b, corrections, OpFoldResult(r)));
             return SmallVector<Value>(
                 rb.forLoop(
                       rb.b.getIndexAttr(sh.p / lanesP), rows,
                       [&](TensorBuilder &vb, Value v, ValueRange in) {
                         ImplicitLocOpBuilder &eb = vb.b;
                         Value col = arith::MulIOp::create(
                             eb, v, constantIndex(eb, lanesP));
                         Value at[] = {r, col};
                         Value old = readRow(eb, config, in[0], at, lanesP, ct);
                         return SmallVector<Value>{writeRow(
                             eb, config, arith::MulFOp::create(eb, old, factor),
                             in[0], at)};
                       })
                     .getResults());
           })
          .getResult(0);
  scf::YieldOp::create(sb, scaled);
  sb.setInsertionPointToStart(ifOp.elseBlock());
  scf::YieldOp::create(sb, out);
  return ifOp.getResult(0);
}

/// The softmax weights of scores less their row maximum, `x` (a vector):
/// exp, or exp2 for scores in base 2.
Value TiledAttention::weightExp(ImplicitLocOpBuilder &sb, Value x) {
  return base2 ? softmaxExp2(sb, x) : math::ExpOp::create(sb, x);
}

/// Row r of a block's scores: pairs the mask does not connect and padding
/// keys set aside; for softmax, the row's new running maximum, its
/// correction exp(m_old - m_new) (into the rescaling) and its normalizer,
/// and the scores exponentiated. The row's weights go to next[1].
void TiledAttention::scoreRow(ImplicitLocOpBuilder &sb, const QueryTask &t,
                              const BlockConstants &bc, Value j0, int64_t r,
                              MutableArrayRef<Value> acc, ValueRange carried,
                              SmallVectorImpl<Value> &next,
                              SmallVectorImpl<Value> &maxima,
                              SmallVectorImpl<Value> &sums) {
  Value i = arith::AddIOp::create(sb, t.i0, constantIndex(sb, r));
  Value iVector = vector::BroadcastOp::create(sb, indexVector, i64(sb, i));
  SmallVector<Value> valid;
  Value rowMax = carried[3 + r];
  for (int64_t c = 0; c < scoreTile.vecs; ++c) {
    Value cols = arith::AddIOp::create(
        sb, iota,
        vector::BroadcastOp::create(
            sb, indexVector,
            i64(sb, arith::AddIOp::create(
                        sb, j0, constantIndex(sb, c * scoreTile.lanes)))));
    Value ok = arith::CmpIOp::create(sb, arith::CmpIPredicate::slt, cols,
                                     bc.srcVector);
    if (Value visible =
            buildMaskWeight(sb, sb.getLoc(), sh.mask, iVector, cols).visible)
      ok = arith::AndIOp::create(sb, ok, visible);
    valid.push_back(ok);
    Value &s = acc[r * scoreTile.vecs + c];
    s = arith::SelectOp::create(
        sb, ok, arith::MulFOp::create(sb, s, bc.scaleVector), bc.masked);
    if (sh.softmax)
      rowMax = arith::MaximumFOp::create(
          sb, rowMax,
          vector::ReductionOp::create(sb, vector::CombiningKind::MAXIMUMF, s));
  }
  if (sh.softmax) {
    Value correction = math::ExpOp::create(
        sb, arith::SubFOp::create(sb, carried[3 + r], rowMax));
    Value maxVector = vector::BroadcastOp::create(sb, scoreVector, rowMax);
    Value sum;
    for (int64_t c = 0; c < scoreTile.vecs; ++c) {
      Value &s = acc[r * scoreTile.vecs + c];
      s = arith::SelectOp::create(
          sb, valid[c],
          math::ExpOp::create(sb, arith::SubFOp::create(sb, s, maxVector)),
          t.zeroScores);
      Value part = vector::ReductionOp::create(
          sb, vector::CombiningKind::ADD, s, arith::FastMathFlags::reassoc);
      sum = sum ? arith::AddFOp::create(sb, sum, part) : part;
    }
    sums.push_back(arith::AddFOp::create(
        sb, arith::MulFOp::create(sb, carried[3 + queries + r], correction),
        sum));
    maxima.push_back(rowMax);
    next[2] =
        tensor::InsertOp::create(sb, correction, next[2], constantIndex(sb, r));
  }
  for (int64_t c = 0; c < scoreTile.vecs; ++c)
    next[1] = writeRow(
        sb, config, acc[r * scoreTile.vecs + c], next[1],
        {constantIndex(sb, r), constantIndex(sb, c * scoreTile.lanes)});
}

/// The block's weighted values added to the outputs `out` (rescaled first,
/// for softmax). Keys of the block that any of its queries sees and, under
/// a causal mask, those that all of them see (up to i0; the block starts at
/// or before i0); the rest count for a row by a select, so that a masked
/// value (NaN or Inf, say) never reaches it.
Value TiledAttention::accumulateValues(ImplicitLocOpBuilder &sb,
                                       const QueryTask &t, Value j0,
                                       Value weights, Value rescale, Value out,
                                       bool masked) {
  SmallVector<Value> bounds = {constantIndex(sb, keys),
                               arith::SubIOp::create(sb, srcIndex, j0)};
  Value seen = arith::MinUIOp::create(sb, bounds[0], bounds[1]);
  if (!masked)
    seen = constantIndex(sb, keys);
  Value seenByAll = seen;
  if (causal && masked) {
    seen = arith::MinUIOp::create(
        sb, seen,
        arith::SubIOp::create(
            sb, arith::AddIOp::create(sb, t.i0, constantIndex(sb, queries)),
            j0));
    seenByAll = arith::MinUIOp::create(
        sb, seen,
        arith::SubIOp::create(
            sb, arith::AddIOp::create(sb, t.i0, constantIndex(sb, 1)), j0));
  }
  VectorType outVector = VectorType::get({outTile.lanes}, ct);
  auto weightAt = [&](ImplicitLocOpBuilder &eb, Value r, Value j) {
    return tensor::ExtractOp::create(eb, weights, ValueRange{r, j}).getResult();
  };
  auto valueAt = [&](ImplicitLocOpBuilder &eb, Value j, Value c) {
    Value key = arith::AddIOp::create(eb, j0, j);
    if (vPacked)
      return readRow(eb, config, vPacked, {t.bi, t.hv, key, c}, outTile.lanes,
                     ct);
    return readRow(eb, config, v, {t.bi, key, t.hv, c}, outTile.lanes, ct);
  };
  auto visible = [&](ImplicitLocOpBuilder &eb, Value r, Value j) -> Value {
    Value key = arith::AddIOp::create(eb, j0, j);
    Value query = arith::AddIOp::create(eb, t.i0, r);
    return buildMaskWeight(eb, eb.getLoc(), sh.mask, query, key).visible;
  };
  return forEachTile(
      sb, outTile, queries, sh.p, out,
      [&](ImplicitLocOpBuilder &tb, Value m0, Value c0, ValueRange outs) {
        SmallVector<Value> sumsOut;
        for (int64_t r = 0; r < outTile.rows; ++r) {
          Value row = arith::AddIOp::create(tb, m0, constantIndex(tb, r));
          Value factor;
          if (sh.softmax && rescale)
            factor = vector::BroadcastOp::create(
                tb, outVector, tensor::ExtractOp::create(tb, rescale, row));
          for (int64_t c = 0; c < outTile.vecs; ++c) {
            Value col = arith::AddIOp::create(
                tb, c0, constantIndex(tb, c * outTile.lanes));
            Value old =
                readRow(tb, config, outs[0], {row, col}, outTile.lanes, ct);
            sumsOut.push_back(
                factor ? arith::MulFOp::create(tb, old, factor).getResult()
                       : old);
          }
        }
        sumsOut = accumulateTile(tb, outTile, m0, c0, seenByAll, weightAt,
                                 valueAt, sumsOut);
        if (causal && masked)
          sumsOut = accumulateTile(tb, outTile, m0, c0, seen, weightAt, valueAt,
                                   sumsOut, visible, seenByAll);
        return SmallVector<Value>{
            outTile.store(tb, config, sumsOut, outs[0], m0, c0)};
      })[0];
}

/// The block's rows of y from the key walk's `outputs`, normalized
/// (softmax), row by row in pieces of one register (a whole row of a long p
/// is slow to compile).
Value TiledAttention::writeRows(ImplicitLocOpBuilder &lb, Value outputs,
                                Value normalizers, Value slot,
                                OpFoldResult rows) {
  TensorBuilder l(lb);
  return l
      .forLoop(
          rows, slot,
          [&](TensorBuilder &rb, Value r, ValueRange carried) {
            Value sum;
            if (sh.softmax)
              sum = tensor::ExtractOp::create(rb.b, normalizers, r);
            return SmallVector<Value>(
                rb.forLoop(rb.b.getIndexAttr(sh.p / outTile.lanes), carried,
                           [&](TensorBuilder &vb, Value v, ValueRange out) {
                             ImplicitLocOpBuilder &wb = vb.b;
                             Value at = arith::MulIOp::create(
                                 wb, v, constantIndex(wb, outTile.lanes));
                             Value row = readRow(wb, config, outputs, {r, at},
                                                 outTile.lanes, ct);
                             if (sh.softmax)
                               row = normalize(wb, wb.getLoc(), row, sum);
                             return SmallVector<Value>{
                                 writeRow(wb, config, row, out[0], {r, at})};
                           })
                    .getResults());
          })
      .getResult(0);
}

/// Lowers `interact.attention`; the kernel follows from the mask.
struct AttentionLowering : KernelPattern<AttentionOp> {
  using KernelPattern::KernelPattern;

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    replaceAttention(op, adaptor, rewriter, [&](ImplicitLocOpBuilder &b) {
      return lower(b, op, adaptor);
    });
    return success();
  }

  Value lower(ImplicitLocOpBuilder &b, AttentionOp op,
              OpAdaptor adaptor) const {
    Type ct = computeTypeFor(getElementTypeOrSelf(op.getY().getType()));
    switch (op.getMask()) {
    case Mask::None:
    case Mask::Causal:
      return TiledAttention(b, op, adaptor.getQ(), adaptor.getK(),
                            adaptor.getV(), ct, config)
          .build();
    case Mask::Semiseparable:
      return DecayedWalk(b, op, adaptor.getQ(), adaptor.getK(), adaptor.getV(),
                         adaptor.getDecay(), ct, config)
          .build();
    }
    llvm_unreachable("unknown attention mask");
  }
};

} // namespace

void mlir::interact::populateAttentionToLinalgPatterns(
    RewritePatternSet &patterns, const KernelConfig &config) {
  patterns.add<AttentionLowering>(patterns.getContext(), config);
}
