//===- Scan.cpp - Lower interact.scan to the vector recurrence ------------===//
//
// The state S (p x n) is held by columns (interact/Kernels/StateColumns.h):
// column j is a vector over a register-wide tile of p, so both the update
// R[:, j] = R[:, j] + (expm1(a) R[:, j] + x B[j]) and the readout
// y += C[j] S[:, j] are broadcast fused multiply-adds, with no reduction
// across lanes. Tasks are (batch, head, tile of p) under scf.forall. Each
// walks time in blocks of kTimeBlock steps and, inside a block, its n columns
// in tiles (RecurrenceTile: as many columns as fill half the register file),
// carried in registers through the block's steps and kept in a small buffer
// between blocks. Inside a block the registers hold R, the state the block's
// own inputs make (from zero), and the block's initial state S0 reaches y
// through the decay W since the block's start: y = C R + W C S0. S0 is
// decayed once per block, S0 + expm1(A) S0 + R with A the block's summed
// log-decays, so that no state is rounded step after step over a long
// sequence (small decays would drift: docs/Rationale.md). A block whose
// decays make every column forget (its summed log-decays at most
// -kForgetting) needs no anchor: a rounding error made in it shrinks by
// e^-kForgetting before the block ends and cannot compound, so it carries
// the state itself (three multiply-adds a column and step, not four). The
// decays are exponentiated (expm1) once, before the time loops.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/InteractToLinalg/InteractToLinalg.h"

#include "Common.h"
#include "interact/Kernels/RegisterTile.h"
#include "interact/Kernels/StateColumns.h"
#include "interact/Kernels/VectorOps.h"
#include "interact/Utils/TensorBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::kernels;

namespace {

/// Time steps of a recurrence block: the block's x and y rows (one register
/// each per step) stay in L1 while every column tile walks them.
constexpr int64_t kTimeBlock = 128;

/// Steps of a column tile an iteration: the core overlaps one step's
/// readout (a chain of multiply-adds no later step waits on) with the next
/// step (two: 3-4% faster than one on AVX2, Zen 3).
constexpr int64_t kUnroll = 2;

/// A time block carries the state directly when the sum of its steps'
/// log-decays is at most -kForgetting in every column: the state then keeps
/// at most e^-2 of what it held at the block's start, so rounding errors
/// (about 128 ulps a block at worst) shrink geometrically from block to
/// block and their total stays near the anchored form's (docs/Rationale.md,
/// "Small decays"). Mamba-like decays (|a| >= 0.016 a step) take it.
constexpr double kForgetting = 2.0;

/// The values of one task, (batch bi, head hi, rows p0.. of p).
struct Task {
  Value bi, hi, gi, p0;
};

/// The columns of one column tile: their indices and the state S0 they
/// enter the time block with.
struct ColumnTile {
  Value n0;
  SmallVector<Value> column, initial;
};

/// Builds the vector recurrence of one scan.
class VectorRecurrence {
public:
  VectorRecurrence(ImplicitLocOpBuilder &b, const ScanOperands &s, Type ct,
                   const KernelConfig &config);

  std::pair<Value, Value> build();

private:
  Value decayAt(ImplicitLocOpBuilder &cb, Value bi, Value step, Value hi,
                Value column);
  void task(ImplicitLocOpBuilder &lb, ValueRange args);
  SmallVector<Value> timeBlock(TensorBuilder &kb, const Task &t, Value block,
                               ValueRange outs);
  SmallVector<Value> columnTiles(TensorBuilder &kb, const Task &t, Value first,
                                 OpFoldResult steps, Value xBlock, Value yBlock,
                                 Value columnsIn, bool direct);
  SmallVector<Value> columnTile(TensorBuilder &nt, const Task &t, Value tile,
                                Value first, OpFoldResult steps, Value xBlock,
                                Value yBlock, Value columnsIn, bool accumulate,
                                bool direct);
  SmallVector<Value> step(TensorBuilder &st, const Task &t, const ColumnTile &c,
                          Value first, Value xBlock, Value i, ValueRange prev,
                          bool accumulate, bool direct);
  Value largestDecay(ImplicitLocOpBuilder &cb, const Task &t, Value step);
  Value readAt(ImplicitLocOpBuilder &cb, Value tensor, Value row);
  Value writeAt(ImplicitLocOpBuilder &cb, Value vector, Value tensor,
                Value row);

  ImplicitLocOpBuilder &b;
  TensorBuilder g;
  const ScanOperands &s;
  Type ct;
  const KernelConfig &config;
  RecurrenceTile tile;
  int64_t lanes, pTiles, columns, nTiles, r;
  Type yElement, stateElement;
  OpFoldResult batch, length;
  VectorType lane;
  Value lengthIndex, factors;
};

VectorRecurrence::VectorRecurrence(ImplicitLocOpBuilder &b,
                                   const ScanOperands &s, Type ct,
                                   const KernelConfig &config)
    : b(b), g(b), s(s), ct(ct), config(config),
      tile(RecurrenceTile::get(config, s.headDim, s.stateDim, ct)) {
  lanes = tile.lanes;
  pTiles = s.headDim / lanes;
  columns = tile.columns;
  nTiles = s.stateDim / columns;
  r = s.headsPerGroup();
  yElement = s.yType.getElementType();
  stateElement = s.stateType.getElementType();
  batch = g.dim(s.x, 0);
  length = g.dim(s.x, 1);
  lane = VectorType::get({lanes}, ct);
}

std::pair<Value, Value> VectorRecurrence::build() {
  Value y = g.empty(
      {batch, length, b.getIndexAttr(s.heads), b.getIndexAttr(s.headDim)},
      yElement);
  Value state = g.empty({batch, b.getIndexAttr(s.heads),
                         b.getIndexAttr(s.headDim), b.getIndexAttr(s.stateDim)},
                        stateElement);
  lengthIndex = g.index(length);
  // The decays as expm1(a), once per step (and state column), outside the
  // time loops: a scalar exp would otherwise be a library call inside them.
  // The update S + expm1(a) S keeps small decays exact over long t.
  factors =
      vectorMap(b, config, s.a, ct, [&](OpBuilder &nb, Location loc, Value a) {
        return boundedExpm1(nb, loc, a);
      });
  auto forall = scf::ForallOp::create(
      b,
      ArrayRef<OpFoldResult>{batch, b.getIndexAttr(s.heads),
                             b.getIndexAttr(pTiles)},
      ValueRange{y, state}, std::nullopt,
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        task(lb, args);
      });
  return {g.castTo(forall.getResult(0), s.yType),
          g.castTo(forall.getResult(1), s.stateType)};
}

/// Position of a[bi, step, hi(, column)] in the decays' row-major order.
Value VectorRecurrence::decayAt(ImplicitLocOpBuilder &cb, Value bi, Value step,
                                Value hi, Value column) {
  int64_t columnsOfA = s.diagonal ? s.stateDim : 1;
  Value row = arith::AddIOp::create(
      cb, arith::MulIOp::create(cb, bi, lengthIndex), step);
  row = arith::AddIOp::create(
      cb, arith::MulIOp::create(cb, row, constantIndex(cb, s.heads)), hi);
  row = arith::MulIOp::create(cb, row, constantIndex(cb, columnsOfA));
  return column ? arith::AddIOp::create(cb, row, column).getResult() : row;
}

/// A vector row of a 2-D tensor.
Value VectorRecurrence::readAt(ImplicitLocOpBuilder &cb, Value tensor,
                               Value row) {
  return readRow(cb, config, tensor, {row, constantIndex(cb, 0)}, lanes, ct);
}

Value VectorRecurrence::writeAt(ImplicitLocOpBuilder &cb, Value vector,
                                Value tensor, Value row) {
  Type element = cast<RankedTensorType>(tensor.getType()).getElementType();
  Value cast =
      castFloat(cb, cb.getLoc(), vector, VectorType::get({lanes}, element));
  return vector::TransferWriteOp::create(cb, cast, tensor,
                                         ValueRange{row, constantIndex(cb, 0)},
                                         ArrayRef<bool>{true})
      .getResult();
}

/// One task: y[bi, :, hi, p0 : p0 + lanes] and state[bi, hi, p0 : p0 +
/// lanes, :], walking time block by block.
void VectorRecurrence::task(ImplicitLocOpBuilder &lb, ValueRange args) {
  TensorBuilder l(lb);
  Task t;
  t.bi = args[0];
  t.hi = args[1];
  Value ti = args[2], yOut = args[3], stateOut = args[4];
  t.p0 = arith::MulIOp::create(lb, ti, constantIndex(lb, lanes));
  t.gi = arith::DivUIOp::create(lb, t.hi, constantIndex(lb, r));
  SmallVector<OpFoldResult> unit(4, lb.getIndexAttr(1));
  SmallVector<OpFoldResult> yOffsets = {t.bi, lb.getIndexAttr(0), t.hi, t.p0};
  SmallVector<OpFoldResult> ySizes = {
      lb.getIndexAttr(1), length, lb.getIndexAttr(1), lb.getIndexAttr(lanes)};
  std::optional<int64_t> staticLength = getConstantIntValue(length);
  Value yTile = tensor::ExtractSliceOp::create(
      lb,
      RankedTensorType::get(
          {staticLength ? *staticLength : ShapedType::kDynamic, lanes},
          yElement),
      yOut, yOffsets, ySizes, unit);
  SmallVector<OpFoldResult> sOffsets = {t.bi, t.hi, t.p0, lb.getIndexAttr(0)};
  SmallVector<OpFoldResult> sSizes = {lb.getIndexAttr(1), lb.getIndexAttr(1),
                                      lb.getIndexAttr(lanes),
                                      lb.getIndexAttr(s.stateDim)};
  Value stateTile = tensor::ExtractSliceOp::create(
      lb, RankedTensorType::get({lanes, s.stateDim}, stateElement), stateOut,
      sOffsets, sSizes, unit);

  // The state by columns, S[p0 : p0 + lanes, j] in row j, between time
  // blocks.
  Value columnsOf =
      stateColumns(lb, config, s.init, t.bi, t.hi, t.p0, s.stateDim, lanes, ct);

  // A block's x rows are gathered into a contiguous buffer and its y rows
  // summed in another, so the column tiles read and write L1 only.
  // (alloc_tensor, not tensor.empty: CSE would merge two empties and
  // One-Shot Bufferize then give both buffers one allocation.)
  auto blockType = RankedTensorType::get({kTimeBlock, lanes}, ct);
  Value xBlock =
      bufferization::AllocTensorOp::create(lb, blockType, ValueRange{});
  Value yBlock =
      bufferization::AllocTensorOp::create(lb, blockType, ValueRange{});
  AffineExpr s0 = lb.getAffineSymbolExpr(0);
  OpFoldResult numBlocks = affine::makeComposedFoldedAffineApply(
      lb, lb.getLoc(), s0.ceilDiv(kTimeBlock), {length});
  auto blocks =
      l.forLoop(numBlocks, ValueRange{yTile, columnsOf, xBlock, yBlock},
                [&](TensorBuilder &kb, Value block, ValueRange outs) {
                  return timeBlock(kb, t, block, outs);
                });

  // The final state, column by column.
  Value stateDone =
      writeStateColumns(lb, config, blocks.getResult(1), stateTile);
  insertInParallel(lb, {{blocks.getResult(0), yOut, yOffsets, ySizes},
                        {stateDone, stateOut, sOffsets, sSizes}});
}

/// The largest log-decay of step `step` over the state's columns: the
/// decay itself for a scalar decay.
Value VectorRecurrence::largestDecay(ImplicitLocOpBuilder &cb, const Task &t,
                                     Value step) {
  if (!s.diagonal)
    return castFloat(
        cb, cb.getLoc(),
        tensor::ExtractOp::create(cb, s.a, ValueRange{t.bi, step, t.hi}), ct);
  Value row = readRow(cb, config, s.a, {t.bi, step, t.hi, constantIndex(cb, 0)},
                      s.stateDim, ct);
  return vector::ReductionOp::create(cb, vector::CombiningKind::MAXIMUMF, row);
}

/// One time block, outside the column tiles: x rows gathered once
/// (independent loads the core overlaps) while the steps' largest
/// log-decays are summed, every column tile walked over them (carrying the
/// state directly when that sum shows the block forgets, anchored at the
/// block's start otherwise), y written out once. Carries (y tile, state
/// columns, x block, y block).
SmallVector<Value> VectorRecurrence::timeBlock(TensorBuilder &kb, const Task &t,
                                               Value block, ValueRange outs) {
  ImplicitLocOpBuilder &bb = kb.b;
  AffineExpr s0 = bb.getAffineSymbolExpr(0), s1 = bb.getAffineSymbolExpr(1);
  Value first = arith::MulIOp::create(bb, block, constantIndex(bb, kTimeBlock));
  OpFoldResult steps = affine::makeComposedFoldedAffineMin(
      bb, bb.getLoc(),
      AffineMap::get(0, 2, {bb.getAffineConstantExpr(kTimeBlock), s0 - s1},
                     bb.getContext()),
      {length, first});
  auto gathered = kb.forLoop(
      steps, ValueRange{outs[2], floatConstant(bb, bb.getLoc(), ct, 0.0)},
      [&](TensorBuilder &ib, Value i, ValueRange buf) -> SmallVector<Value> {
        Value step = arith::AddIOp::create(ib.b, first, i);
        Value row =
            readRow(ib.b, config, s.x, {t.bi, step, t.hi, t.p0}, lanes, ct);
        return {
            writeAt(ib.b, row, buf[0], i),
            arith::AddFOp::create(ib.b, buf[1], largestDecay(ib.b, t, step))};
      });
  Value xs = gathered.getResult(0);
  Value forgets = arith::CmpFOp::create(
      bb, arith::CmpFPredicate::OLE, gathered.getResult(1),
      floatConstant(bb, bb.getLoc(), ct, -kForgetting));
  auto branch = [&](bool direct) {
    return [&, direct](OpBuilder &nb, Location loc) {
      ImplicitLocOpBuilder ib(loc, nb);
      TensorBuilder tb(ib);
      scf::YieldOp::create(
          ib, columnTiles(tb, t, first, steps, xs, outs[3], outs[1], direct));
    };
  };
  SmallVector<Value> state(
      scf::IfOp::create(bb, forgets, branch(true), branch(false)).getResults());
  Value yNext = kb.forLoop(steps, outs[0],
                           [&](TensorBuilder &ib, Value i,
                               ValueRange out) -> SmallVector<Value> {
                             Value step = arith::AddIOp::create(ib.b, first, i);
                             return {writeAt(ib.b, readAt(ib.b, state[1], i),
                                             out[0], step)};
                           })
                    .getResult(0);
  return {yNext, state[0], xs, state[1]};
}

/// Every column tile of a time block in turn, the first storing its y rows
/// and the rest adding theirs. Returns (state columns, y block).
SmallVector<Value> VectorRecurrence::columnTiles(TensorBuilder &kb,
                                                 const Task &t, Value first,
                                                 OpFoldResult steps,
                                                 Value xBlock, Value yBlock,
                                                 Value columnsIn, bool direct) {
  ImplicitLocOpBuilder &bb = kb.b;
  SmallVector<Value> state =
      columnTile(kb, t, constantIndex(bb, 0), first, steps, xBlock, yBlock,
                 columnsIn, false, direct);
  if (nTiles == 1)
    return state;
  return SmallVector<Value>(
      kb.forLoop(bb.getIndexAttr(nTiles - 1), state,
                 [&](TensorBuilder &nt, Value tile,
                     ValueRange in) -> SmallVector<Value> {
                   Value next = arith::AddIOp::create(nt.b, tile,
                                                      constantIndex(nt.b, 1));
                   return columnTile(nt, t, next, first, steps, xBlock, in[1],
                                     in[0], true, direct);
                 })
          .getResults());
}

/// One column tile over the steps of a block: the tile's columns in
/// registers, x read from and y added into the block's buffers (or, for the
/// first tile, stored). The block's steps carry R, the state made by the
/// block's own inputs (from zero), and the decay since the block's start, W
/// (a scalar, or a vector over the tile's columns), with the sum of the
/// log-decays A. The state is S_k = W_k S0 + R_k, so y_k = C_k R_k +
/// W_k C_k S0. At the block's end the state is S0 + expm1(A) S0 + R: S0's
/// decay over the block applied once, from the summed log-decays, not
/// rounded step by step (an f32 step decay of 1 - 1e-6 keeps ~6% of its
/// precision, and that compounds over a long sequence: docs/Rationale.md).
/// A `direct` tile (the block forgets: kForgetting) carries S itself, from
/// S0, and has no W, A or C S0. Returns (state columns, y block).
SmallVector<Value> VectorRecurrence::columnTile(TensorBuilder &nt,
                                                const Task &t, Value tileIndex,
                                                Value first, OpFoldResult steps,
                                                Value xBlock, Value yBlock,
                                                Value columnsIn,
                                                bool accumulate, bool direct) {
  ImplicitLocOpBuilder &cb = nt.b;
  ColumnTile c;
  c.n0 = arith::MulIOp::create(cb, tileIndex, constantIndex(cb, columns));
  for (int64_t j = 0; j < columns; ++j)
    c.column.push_back(arith::AddIOp::create(cb, c.n0, constantIndex(cb, j)));
  VectorType decayType = VectorType::get({columns}, ct);
  Type wType = s.diagonal ? Type(decayType) : ct;
  for (int64_t j = 0; j < columns; ++j)
    c.initial.push_back(readAt(cb, columnsIn, c.column[j]));
  SmallVector<Value> carried = {yBlock};
  if (direct) {
    carried.append(c.initial);
  } else {
    Value one = s.diagonal ? arith::ConstantOp::create(
                                 cb, DenseElementsAttr::get(
                                         decayType, cb.getFloatAttr(ct, 1.0)))
                                 .getResult()
                           : floatConstant(cb, cb.getLoc(), ct, 1.0);
    carried.push_back(one);
    carried.push_back(
        arith::ConstantOp::create(cb, cast<TypedAttr>(cb.getZeroAttr(wType))));
    carried.append(columns, zeroVector(cb, lane));
  }
  // kUnroll steps an iteration, then the rest one by one.
  AffineExpr s0 = cb.getAffineSymbolExpr(0);
  OpFoldResult groups = affine::makeComposedFoldedAffineApply(
      cb, cb.getLoc(), s0.floorDiv(kUnroll), {steps});
  OpFoldResult rest = affine::makeComposedFoldedAffineApply(
      cb, cb.getLoc(), s0 % kUnroll, {steps});
  auto groupLoop = nt.forLoop(
      groups, carried, [&](TensorBuilder &st, Value ii, ValueRange prev) {
        Value i0 =
            arith::MulIOp::create(st.b, ii, constantIndex(st.b, kUnroll));
        SmallVector<Value> state(prev);
        for (int64_t u = 0; u < kUnroll; ++u)
          state = step(st, t, c, first, xBlock,
                       arith::AddIOp::create(st.b, i0, constantIndex(st.b, u)),
                       state, accumulate, direct);
        return state;
      });
  Value groupsIndex = getValueOrCreateConstantIndexOp(cb, cb.getLoc(), groups);
  auto loop = nt.forLoop(
      rest, groupLoop.getResults(),
      [&](TensorBuilder &st, Value ii, ValueRange prev) {
        Value i = arith::AddIOp::create(
            st.b,
            arith::MulIOp::create(st.b, groupsIndex,
                                  constantIndex(st.b, kUnroll)),
            ii);
        return step(st, t, c, first, xBlock, i, prev, accumulate, direct);
      });
  Value columnsOut = columnsIn;
  if (direct) {
    for (int64_t j = 0; j < columns; ++j)
      columnsOut = writeAt(cb, loop.getResult(1 + j), columnsOut, c.column[j]);
    return {columnsOut, loop.getResult(0)};
  }
  // The state at the block's end, S0 + expm1(A) S0 + R.
  Value blockDecay = boundedExpm1(cb, cb.getLoc(), loop.getResult(2));
  for (int64_t j = 0; j < columns; ++j) {
    Value e = s.diagonal ? vector::ExtractOp::create(cb, blockDecay,
                                                     ArrayRef<int64_t>{j})
                               .getResult()
                         : blockDecay;
    Value decayed =
        vector::FMAOp::create(cb, vector::BroadcastOp::create(cb, lane, e),
                              c.initial[j], c.initial[j]);
    columnsOut =
        writeAt(cb, arith::AddFOp::create(cb, decayed, loop.getResult(3 + j)),
                columnsOut, c.column[j]);
  }
  return {columnsOut, loop.getResult(0)};
}

/// One step of a column tile: carries (y block, W, A, R columns...), or
/// (y block, S columns...) when `direct`.
SmallVector<Value> VectorRecurrence::step(TensorBuilder &st, const Task &t,
                                          const ColumnTile &c, Value first,
                                          Value xBlock, Value i,
                                          ValueRange prev, bool accumulate,
                                          bool direct) {
  ImplicitLocOpBuilder &sb = st.b;
  Location sl = sb.getLoc();
  Value stepIndex = arith::AddIOp::create(sb, first, i);
  auto element = [&](Value tensor, ValueRange at) -> Value {
    return castFloat(sb, sl, tensor::ExtractOp::create(sb, tensor, at), ct);
  };
  auto scalar = [&](Value tensor, ValueRange at) -> Value {
    return vector::BroadcastOp::create(sb, lane, element(tensor, at));
  };
  // expm1(a) (and a, for the anchored form's A) of this step.
  Value em1, logDecay;
  if (s.diagonal) {
    em1 = readRow(sb, config, factors,
                  {decayAt(sb, t.bi, stepIndex, t.hi, c.n0)}, columns, ct);
    if (!direct)
      logDecay =
          readRow(sb, config, s.a, {t.bi, stepIndex, t.hi, c.n0}, columns, ct);
  } else {
    em1 = element(factors,
                  ValueRange{decayAt(sb, t.bi, stepIndex, t.hi, Value())});
    if (!direct)
      logDecay = element(s.a, ValueRange{t.bi, stepIndex, t.hi});
  }
  int64_t firstColumn = direct ? 1 : 3;
  SmallVector<Value> next = {Value()};
  Value w;
  if (!direct) {
    w = saturate(sb, sl,
                 s.diagonal
                     ? Value(vector::FMAOp::create(sb, em1, prev[1], prev[1]))
                     : Value(math::FmaOp::create(sb, em1, prev[1], prev[1])));
    next.push_back(w);
    next.push_back(arith::AddFOp::create(sb, prev[2], logDecay));
  }
  Value decay = s.diagonal
                    ? Value()
                    : vector::BroadcastOp::create(sb, lane, em1).getResult();
  Value xs = readAt(sb, xBlock, i);
  SmallVector<Value> partial(tile.partials);
  SmallVector<Value> fromInitial(direct ? 0
                                        : std::min<int64_t>(2, tile.partials));
  for (int64_t j = 0; j < columns; ++j) {
    Value dj = decay;
    if (s.diagonal)
      dj = vector::BroadcastOp::create(
          sb, lane, vector::ExtractOp::create(sb, em1, ArrayRef<int64_t>{j}));
    Value bj = scalar(s.B, ValueRange{t.bi, stepIndex, t.gi, c.column[j]});
    Value cScalar =
        element(s.C, ValueRange{t.bi, stepIndex, t.gi, c.column[j]});
    Value cj = vector::BroadcastOp::create(sb, lane, cScalar);
    Value rj = prev[firstColumn + j];
    Value sj = vector::FMAOp::create(sb, xs, bj,
                                     vector::FMAOp::create(sb, dj, rj, rj));
    Value &part = partial[j % tile.partials];
    part = part ? vector::FMAOp::create(sb, sj, cj, part)
                : arith::MulFOp::create(sb, sj, cj).getResult();
    next.push_back(sj);
    if (direct)
      continue;
    // C S0, each column weighted by its decay W for a diagonal decay (for a
    // scalar one, W multiplies the sum). W weighs S0 before C does: a
    // saturated W times a zero state is then zero, where W C could overflow
    // to inf first.
    Value initialJ = c.initial[j];
    if (s.diagonal)
      initialJ = arith::MulFOp::create(
          sb, initialJ,
          vector::BroadcastOp::create(
              sb, lane,
              vector::ExtractOp::create(sb, w, ArrayRef<int64_t>{j})));
    Value &z = fromInitial[j % fromInitial.size()];
    z = z ? vector::FMAOp::create(sb, initialJ, cj, z)
          : arith::MulFOp::create(sb, initialJ, cj).getResult();
  }
  Value sum;
  for (Value part : partial)
    if (part)
      sum = sum ? arith::AddFOp::create(sb, sum, part) : part;
  if (!direct) {
    Value z;
    for (Value part : fromInitial)
      if (part)
        z = z ? arith::AddFOp::create(sb, z, part) : part;
    sum = s.diagonal ? arith::AddFOp::create(sb, sum, z).getResult()
                     : vector::FMAOp::create(
                           sb, vector::BroadcastOp::create(sb, lane, w), z, sum)
                           .getResult();
  }
  if (accumulate)
    sum = arith::AddFOp::create(sb, readAt(sb, prev[0], i), sum);
  next[0] = writeAt(sb, sum, prev[0], i);
  return next;
}

/// Lowers `interact.scan` to the vector recurrence.
struct ScanLowering : KernelPattern<ScanOp> {
  using KernelPattern::KernelPattern;

  LogicalResult
  matchAndRewrite(ScanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type ct = computeTypeFor(getElementTypeOrSelf(op.getY().getType()));
    replaceScanLike(op, adaptor, rewriter,
                    [&](ImplicitLocOpBuilder &b, const ScanOperands &s) {
                      return VectorRecurrence(b, s, ct, config).build();
                    });
    return success();
  }
};

} // namespace

void mlir::interact::populateScanToLinalgPatterns(RewritePatternSet &patterns,
                                                  const KernelConfig &config) {
  patterns.add<ScanLowering>(patterns.getContext(), config);
}
