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
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
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

  /// Whether the batch or the length is statically zero.
  bool isEmpty() const {
    auto type = cast<RankedTensorType>(x.getType());
    return type.getDimSize(0) == 0 || type.getDimSize(1) == 0;
  }
};

/// A scan over statically no steps or no batch: y is empty and the final
/// state is the initial one (zero without one). (The kernels' slices at
/// offset 0 of an empty dimension would not verify.)
std::pair<Value, Value> buildEmptyScan(ImplicitLocOpBuilder &b,
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

//===----------------------------------------------------------------------===//
// Softmax normalization (docs/Rationale.md, "Numerics")
//===----------------------------------------------------------------------===//

/// A softmax output (a scalar or a vector row) divided by its normalizer
/// `sum`, or 0 where no key was visible (`sum` is 0): a row with no visible
/// key is 0, as in PyTorch (since 2.5) and IREE.
static Value normalize(OpBuilder &b, Location loc, Value row, Value sum) {
  Type type = row.getType();
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
  Value sums = isa<VectorType>(type)
                   ? Value(vector::BroadcastOp::create(b, loc, type, sum))
                   : sum;
  Value empty = arith::CmpFOp::create(
      b, loc, arith::CmpFPredicate::OEQ, sum,
      arith::ConstantOp::create(b, loc, b.getZeroAttr(sum.getType())));
  return arith::SelectOp::create(b, loc, empty, zero,
                                 arith::DivFOp::create(b, loc, row, sums));
}

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

/// One slice an scf.forall task inserts into a shared output, unit strides.
struct ParallelInsert {
  Value slice, into;
  ArrayRef<OpFoldResult> offsets, sizes;
};

/// Ends an scf.forall body: its terminator, inserting each slice.
static void insertInParallel(ImplicitLocOpBuilder &b,
                             ArrayRef<ParallelInsert> inserts) {
  auto inParallel = scf::InParallelOp::create(b);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(inParallel.getBody());
  for (const ParallelInsert &insert : inserts)
    tensor::ParallelInsertSliceOp::create(
        b, insert.slice, insert.into, insert.offsets, insert.sizes,
        SmallVector<OpFoldResult>(insert.sizes.size(), b.getIndexAttr(1)));
}

/// A vector of zeros of `type`.
static Value zeroVector(ImplicitLocOpBuilder &b, VectorType type) {
  return arith::ConstantOp::create(
      b, DenseElementsAttr::get(type, b.getZeroAttr(type.getElementType())));
}

/// The i64 vector 0, 1, ..., lanes - 1: the lanes' offsets, for masks.
static Value laneIndices(ImplicitLocOpBuilder &b, int64_t lanes) {
  SmallVector<int64_t> offsets;
  for (int64_t i = 0; i < lanes; ++i)
    offsets.push_back(i);
  return arith::ConstantOp::create(
      b, DenseElementsAttr::get(VectorType::get({lanes}, b.getI64Type()),
                                ArrayRef<int64_t>(offsets)));
}

/// Converts a 1-D float vector to `to` (a vector type of the same size) one
/// register-wide piece at a time: converting a whole row of a long p at once
/// (bf16 conversions are integer arithmetic) makes LLVM's instruction
/// selection take tens of seconds.
static Value castRow(ImplicitLocOpBuilder &b, Value row, VectorType to) {
  auto from = cast<VectorType>(row.getType());
  if (from == to)
    return row;
  int64_t size = from.getDimSize(0);
  int64_t piece = 512 / std::max(from.getElementTypeBitWidth(),
                                 to.getElementTypeBitWidth());
  if (size <= piece || size % piece != 0)
    return castFloat(b, b.getLoc(), row, to);
  Value result = zeroVector(b, to);
  VectorType pieceTo = VectorType::get({piece}, to.getElementType());
  for (int64_t offset = 0; offset < size; offset += piece) {
    Value part = vector::ExtractStridedSliceOp::create(
        b, row, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{piece},
        ArrayRef<int64_t>{1});
    result = vector::InsertStridedSliceOp::create(
        b, castFloat(b, b.getLoc(), part, pieceTo), result,
        ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{1});
  }
  return result;
}

/// Reads `size` elements of `tensor` along `dim` (default: the last
/// dimension) from `indices` as a vector of `ct` (in bounds by construction).
static Value readRow(ImplicitLocOpBuilder &b, Value tensor, ValueRange indices,
                     int64_t size, Type ct,
                     std::optional<unsigned> dim = std::nullopt) {
  auto type = cast<RankedTensorType>(tensor.getType());
  unsigned rank = type.getRank();
  Value pad =
      arith::ConstantOp::create(b, b.getZeroAttr(type.getElementType()));
  AffineMap along = AffineMap::get(
      rank, 0, getAffineDimExpr(dim.value_or(rank - 1), b.getContext()));
  Value row = vector::TransferReadOp::create(
      b, VectorType::get({size}, type.getElementType()), tensor, indices, pad,
      along, ArrayRef<bool>{true});
  return castRow(b, row, VectorType::get({size}, ct));
}

/// A tensor a task writes and reads as scratch space. (alloc_tensor rather
/// than tensor.empty, which CSE would merge with another of the same type
/// and One-Shot Bufferize then give one buffer.)
static Value scratch(ImplicitLocOpBuilder &b, ArrayRef<int64_t> shape,
                     Type ct) {
  return bufferization::AllocTensorOp::create(
      b, RankedTensorType::get(shape, ct), ValueRange{});
}

/// Writes `row` (cast to the element type of `tensor`) at `indices`.
static Value writeRow(ImplicitLocOpBuilder &b, Value row, Value tensor,
                      ValueRange indices) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto rowType = cast<VectorType>(row.getType());
  Value cast = castRow(
      b, row, VectorType::get(rowType.getShape(), type.getElementType()));
  return vector::TransferWriteOp::create(b, cast, tensor, indices,
                                         ArrayRef<bool>{true})
      .getResult();
}

/// Lanes of the recurrence's vectors over p: the largest power of two that
/// divides p, up to one 512-bit register of `ct`.
static int64_t lanesFor(int64_t p, Type ct) {
  int64_t lanes = 512 / ct.getIntOrFloatBitWidth();
  while (lanes > 1 && p % lanes != 0)
    lanes /= 2;
  return lanes;
}

/// Walks the n x width elements of a state by columns, each column j in
/// pieces of at most one register of `ct` from offset `at`: `body` returns
/// `carried` updated. (A vector as wide as a long p makes LLVM's code
/// generator slow: seconds at p = 512.)
static Value
forEachColumnPiece(ImplicitLocOpBuilder &b, int64_t n, int64_t width, Type ct,
                   Value carried,
                   function_ref<Value(ImplicitLocOpBuilder &, Value j, Value at,
                                      int64_t piece, Value carried)>
                       body) {
  int64_t piece = lanesFor(width, ct);
  TensorBuilder g(b);
  return g
      .forLoop(b.getIndexAttr(n * (width / piece)), carried,
               [&](TensorBuilder &lb, Value iv, ValueRange in) {
                 ImplicitLocOpBuilder &eb = lb.b;
                 Value pieces =
                     arith::ConstantIndexOp::create(eb, width / piece);
                 Value j = arith::DivUIOp::create(eb, iv, pieces);
                 Value at = arith::MulIOp::create(
                     eb, arith::RemUIOp::create(eb, iv, pieces),
                     arith::ConstantIndexOp::create(eb, piece));
                 return SmallVector<Value>{body(eb, j, at, piece, in[0])};
               })
      .getResult(0);
}

/// The state S[bi, hi, p0 : p0 + width, :] of `init` (zeros without one)
/// by columns: column j of S as row j of an [n, width] tensor of `ct`.
static Value stateColumns(ImplicitLocOpBuilder &b, Value init, Value bi,
                          Value hi, Value p0, int64_t n, int64_t width,
                          Type ct) {
  Value buffer = scratch(b, {n, width}, ct);
  if (!init)
    return linalg::FillOp::create(b, floatConstant(b, b.getLoc(), ct, 0.0),
                                  buffer)
        .getResult(0);
  return forEachColumnPiece(
      b, n, width, ct, buffer,
      [&](ImplicitLocOpBuilder &eb, Value j, Value at, int64_t piece,
          Value out) {
        Value column =
            readRow(eb, init, {bi, hi, arith::AddIOp::create(eb, p0, at), j},
                    piece, ct, /*dim=*/2);
        return writeRow(eb, column, out, {j, at});
      });
}

/// Writes a state by columns (`columns`, [n, width]) into `tile` ([width,
/// n], the state's own layout), converted to the tile's element type.
static Value writeStateColumns(ImplicitLocOpBuilder &b, Value columns,
                               Value tile) {
  auto tileType = cast<RankedTensorType>(tile.getType());
  int64_t width = tileType.getDimSize(0), n = tileType.getDimSize(1);
  Type ct = cast<RankedTensorType>(columns.getType()).getElementType();
  AffineMap alongRows = AffineMap::get(2, 0, b.getAffineDimExpr(0));
  return forEachColumnPiece(
      b, n, width, ct, tile,
      [&](ImplicitLocOpBuilder &eb, Value j, Value at, int64_t piece,
          Value out) {
        Value column =
            readRow(eb, columns, {j, at}, piece, tileType.getElementType());
        return vector::TransferWriteOp::create(eb, column, out,
                                               ValueRange{at, j}, alongRows,
                                               ArrayRef<bool>{true})
            .getResult();
      });
}

/// Elements one task of vectorMap maps: enough to amortize a task.
static constexpr int64_t kMapChunk = 4096;

/// Returns `fn` applied to every element of `tensor` (converted to `ct`) as
/// vector code on the parallel threads, in a 1-D tensor of the elements in
/// row-major order (no expand_shape back: MLIR 22's expand-strided-metadata
/// crashes on a group of two dynamic sizes). The tensor is viewed as 1-D, split
/// into chunks of kMapChunk elements, one scf.forall task each, a chunk walked
/// by vectors of `ct` one 512-bit register wide and its remainder by scalars.
/// `fn` maps a scalar or a vector of `ct`. (A linalg.generic would become a
/// scalar loop nest: one f32 expm1 per element of a diagonal decay is then
/// a large part of a recurrence's time.)
static Value vectorMap(ImplicitLocOpBuilder &b, Value tensor, Type ct,
                       function_ref<Value(OpBuilder &, Location, Value)> fn) {
  TensorBuilder g(b);
  auto type = cast<RankedTensorType>(tensor.getType());
  ReassociationIndices all;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i)
    all.push_back(i);
  Value flat = tensor::CollapseShapeOp::create(
      b, tensor, SmallVector<ReassociationIndices>{all});
  OpFoldResult size = g.dim(flat, 0);
  int64_t lanes = 512 / ct.getIntOrFloatBitWidth();
  AffineExpr s0 = b.getAffineSymbolExpr(0);
  OpFoldResult chunks = affine::makeComposedFoldedAffineApply(
      b, b.getLoc(), s0.ceilDiv(kMapChunk), {size});
  Value total = g.index(size);
  auto index = [](ImplicitLocOpBuilder &lb, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(lb, v);
  };
  auto forall = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{chunks}, ValueRange{g.empty({size}, ct)},
      std::nullopt, [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        TensorBuilder l(lb);
        Value c0 = arith::MulIOp::create(lb, args[0], index(lb, kMapChunk));
        Value length = arith::MinUIOp::create(
            lb, index(lb, kMapChunk), arith::SubIOp::create(lb, total, c0));
        SmallVector<OpFoldResult> offsets = {c0}, sizes = {length},
                                  strides = {lb.getIndexAttr(1)};
        Value slice = tensor::ExtractSliceOp::create(
            lb, RankedTensorType::get({ShapedType::kDynamic}, ct), args[1],
            offsets, sizes, strides);
        Value vectors = arith::DivUIOp::create(lb, length, index(lb, lanes));
        Value done =
            l.forLoop(vectors, slice,
                      [&](TensorBuilder &vb, Value v, ValueRange out) {
                        ImplicitLocOpBuilder &eb = vb.b;
                        Value at =
                            arith::MulIOp::create(eb, v, index(eb, lanes));
                        Value row = readRow(eb, flat,
                                            {arith::AddIOp::create(eb, c0, at)},
                                            lanes, ct);
                        return SmallVector<Value>{writeRow(
                            eb, fn(eb, eb.getLoc(), row), out[0], {at})};
                      })
                .getResult(0);
        Value first = arith::MulIOp::create(lb, vectors, index(lb, lanes));
        done = l.forLoop(
                    arith::SubIOp::create(lb, length, first).getResult(), done,
                    [&](TensorBuilder &vb, Value i, ValueRange out) {
                      ImplicitLocOpBuilder &eb = vb.b;
                      Value at = arith::AddIOp::create(eb, first, i);
                      Value value = castFloat(
                          eb, eb.getLoc(),
                          tensor::ExtractOp::create(
                              eb, flat,
                              ValueRange{arith::AddIOp::create(eb, c0, at)}),
                          ct);
                      return SmallVector<Value>{tensor::InsertOp::create(
                          eb, fn(eb, eb.getLoc(), value), out[0], at)};
                    })
                   .getResult(0);
        insertInParallel(lb, {{done, args[1], offsets, sizes}});
      });
  return forall.getResult(0);
}

/// State columns the recurrence keeps in registers at once: the largest
/// divisor of n up to 16, leaving half of the 32 AVX-512 registers for the
/// step's operands and partial sums.
static int64_t columnsPerTile(int64_t n) {
  int64_t columns = std::clamp<int64_t>(n, 1, 16);
  while (n % columns != 0)
    --columns;
  return columns;
}

/// Partial sums the readout y = S C is split into, so that consecutive
/// fused multiply-adds do not wait on each other.
static constexpr int64_t kReadoutPartials = 4;

/// Time steps of a recurrence block: the block's x and y rows (4 KiB each
/// for 16 lanes of f32) stay in L1 while every column tile walks them.
static constexpr int64_t kTimeBlock = 64;

/// Lowers a scan to vector code. The state S (p x n) is held by columns:
/// column j is a vector over a tile of p, so both the update
/// R[:, j] = R[:, j] + (expm1(a) R[:, j] + x B[j]) and the readout
/// y += C[j] S[:, j] are broadcast fused multiply-adds, with no reduction
/// across lanes. Tasks are (batch, head, tile of p) under scf.forall. Each
/// walks time in blocks of kTimeBlock steps and, inside a block, its n columns
/// in tiles of up to 16, carried in registers through the block's steps and
/// kept in a small buffer between blocks. Inside a block the registers hold
/// R, the state the block's own inputs make (from zero), and the block's
/// initial state S0 reaches y through the decay W since the block's start:
/// y = C R + W C S0. S0 is decayed once per block, S0 + expm1(A) S0 + R with
/// A the block's summed log-decays, so that no state is rounded step after
/// step over a long sequence (small decays would drift: docs/Rationale.md).
/// The decays are exponentiated (expm1) once, before the time loops.
std::pair<Value, Value> buildVectorRecurrence(ImplicitLocOpBuilder &b,
                                              const ScanOperands &s, Type ct) {
  TensorBuilder g(b);
  int64_t lanes = lanesFor(s.headDim, ct);
  int64_t pTiles = s.headDim / lanes;
  int64_t columns = columnsPerTile(s.stateDim);
  int64_t nTiles = s.stateDim / columns;
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
  VectorType lane = VectorType::get({lanes}, ct);
  // Position of a[bi, step, hi(, column)] in the decays' row-major order.
  Value lengthIndex = g.index(length);
  int64_t columnsOfA = s.diagonal ? s.stateDim : 1;
  auto decayAt = [&, lengthIndex](ImplicitLocOpBuilder &cb, Value bi,
                                  Value step, Value hi, Value column) {
    auto constant = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(cb, v);
    };
    Value row = arith::AddIOp::create(
        cb, arith::MulIOp::create(cb, bi, lengthIndex), step);
    row = arith::AddIOp::create(
        cb, arith::MulIOp::create(cb, row, constant(s.heads)), hi);
    row = arith::MulIOp::create(cb, row, constant(columnsOfA));
    return column ? arith::AddIOp::create(cb, row, column).getResult() : row;
  };
  // The decays as expm1(a), once per step (and state column), outside the
  // time loops: a scalar exp would otherwise be a library call inside them.
  // The update S + expm1(a) S keeps small decays exact over long t.
  Value factors =
      vectorMap(b, s.a, ct, [&](OpBuilder &nb, Location loc, Value a) {
        return boundedExpm1(nb, loc, a);
      });

  auto forall = scf::ForallOp::create(
      b,
      ArrayRef<OpFoldResult>{batch, b.getIndexAttr(s.heads),
                             b.getIndexAttr(pTiles)},
      ValueRange{y, state}, std::nullopt,
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        TensorBuilder l(lb);
        Value bi = args[0], hi = args[1], ti = args[2];
        Value yOut = args[3], stateOut = args[4];
        auto constant = [](ImplicitLocOpBuilder &cb, int64_t v) -> Value {
          return arith::ConstantIndexOp::create(cb, v);
        };
        // Vector rows of 2-D tensors.
        auto readAt = [&](ImplicitLocOpBuilder &cb, Value tensor, Value row) {
          return readRow(cb, tensor, {row, constant(cb, 0)}, lanes, ct);
        };
        auto writeAt = [&](ImplicitLocOpBuilder &cb, Value vector, Value tensor,
                           Value row) -> Value {
          Type element =
              cast<RankedTensorType>(tensor.getType()).getElementType();
          Value cast = castFloat(cb, cb.getLoc(), vector,
                                 VectorType::get({lanes}, element));
          return vector::TransferWriteOp::create(
                     cb, cast, tensor, ValueRange{row, constant(cb, 0)},
                     ArrayRef<bool>{true})
              .getResult();
        };
        Value p0 = arith::MulIOp::create(lb, ti, constant(lb, lanes));
        Value gi = arith::DivUIOp::create(lb, hi, constant(lb, r));
        Value zero = constant(lb, 0);

        // This task's outputs: y[bi, :, hi, p0 : p0 + lanes] and
        // state[bi, hi, p0 : p0 + lanes, :].
        SmallVector<OpFoldResult> unit(4, lb.getIndexAttr(1));
        SmallVector<OpFoldResult> yOffsets = {bi, lb.getIndexAttr(0), hi, p0};
        SmallVector<OpFoldResult> ySizes = {lb.getIndexAttr(1), length,
                                            lb.getIndexAttr(1),
                                            lb.getIndexAttr(lanes)};
        std::optional<int64_t> staticLength = getConstantIntValue(length);
        Value yTile = tensor::ExtractSliceOp::create(
            lb,
            RankedTensorType::get(
                {staticLength ? *staticLength : ShapedType::kDynamic, lanes},
                yElement),
            yOut, yOffsets, ySizes, unit);
        SmallVector<OpFoldResult> sOffsets = {bi, hi, p0, lb.getIndexAttr(0)};
        SmallVector<OpFoldResult> sSizes = {
            lb.getIndexAttr(1), lb.getIndexAttr(1), lb.getIndexAttr(lanes),
            lb.getIndexAttr(s.stateDim)};
        Value stateTile = tensor::ExtractSliceOp::create(
            lb, RankedTensorType::get({lanes, s.stateDim}, stateElement),
            stateOut, sOffsets, sSizes, unit);

        // The state by columns, S[p0 : p0 + lanes, j] in row j, between time
        // blocks.
        Value columnsOf =
            stateColumns(lb, s.init, bi, hi, p0, s.stateDim, lanes, ct);

        // One column tile over the steps of a block: the tile's columns in
        // registers, x read from and y added into the block's buffers (or,
        // for the first tile, stored).
        auto columnTile = [&](TensorBuilder &nt, Value tile, Value first,
                              OpFoldResult steps, Value xBlock, Value yBlock,
                              Value columnsIn, bool accumulate) {
          ImplicitLocOpBuilder &cb = nt.b;
          Value n0 = arith::MulIOp::create(cb, tile, constant(cb, columns));
          SmallVector<Value> column;
          for (int64_t j = 0; j < columns; ++j)
            column.push_back(arith::AddIOp::create(cb, n0, constant(cb, j)));
          // The block's steps carry R, the state made by the block's own
          // inputs (from zero), and the decay since the block's start, W (a
          // scalar, or a vector over the tile's columns), with the sum of
          // the log-decays A. The state is S_k = W_k S0 + R_k, so
          // y_k = C_k R_k + W_k C_k S0. At the block's end the state is
          // S0 + expm1(A) S0 + R: S0's decay over the block applied once,
          // from the summed log-decays, not rounded step by step (an f32
          // step decay of 1 - 1e-6 keeps ~6% of its precision, and that
          // compounds over a long sequence: docs/Rationale.md).
          VectorType decayType = VectorType::get({columns}, ct);
          Type wType = s.diagonal ? Type(decayType) : ct;
          SmallVector<Value> initial;
          for (int64_t j = 0; j < columns; ++j)
            initial.push_back(readAt(cb, columnsIn, column[j]));
          Value one = s.diagonal
                          ? arith::ConstantOp::create(
                                cb, DenseElementsAttr::get(
                                        decayType, cb.getFloatAttr(ct, 1.0)))
                                .getResult()
                          : floatConstant(cb, cb.getLoc(), ct, 1.0);
          Value zeroW = arith::ConstantOp::create(
              cb, cast<TypedAttr>(cb.getZeroAttr(wType)));
          SmallVector<Value> carried = {yBlock, one, zeroW};
          carried.append(columns, zeroVector(cb, lane));
          auto loop = nt.forLoop(
              steps, carried,
              [&](TensorBuilder &st, Value i,
                  ValueRange prev) -> SmallVector<Value> {
                ImplicitLocOpBuilder &sb = st.b;
                Location sl = sb.getLoc();
                Value step = arith::AddIOp::create(sb, first, i);
                auto element = [&](Value tensor, ValueRange at) -> Value {
                  return castFloat(
                      sb, sl, tensor::ExtractOp::create(sb, tensor, at), ct);
                };
                auto scalar = [&](Value tensor, ValueRange at) -> Value {
                  return vector::BroadcastOp::create(sb, lane,
                                                     element(tensor, at));
                };
                // expm1(a) and a of this step.
                Value em1, logDecay;
                if (s.diagonal) {
                  em1 = readRow(sb, factors, {decayAt(sb, bi, step, hi, n0)},
                                columns, ct);
                  logDecay = readRow(sb, s.a, {bi, step, hi, n0}, columns, ct);
                } else {
                  em1 = element(factors,
                                ValueRange{decayAt(sb, bi, step, hi, Value())});
                  logDecay = element(s.a, ValueRange{bi, step, hi});
                }
                Value w =
                    saturate(sb, sl,
                             s.diagonal ? Value(vector::FMAOp::create(
                                              sb, em1, prev[1], prev[1]))
                                        : Value(math::FmaOp::create(
                                              sb, em1, prev[1], prev[1])));
                Value logSum = arith::AddFOp::create(sb, prev[2], logDecay);
                Value decay = s.diagonal
                                  ? Value()
                                  : vector::BroadcastOp::create(sb, lane, em1)
                                        .getResult();
                Value xs = readAt(sb, xBlock, i);
                SmallVector<Value> next = {Value(), w, logSum};
                SmallVector<Value> partial(kReadoutPartials);
                SmallVector<Value> fromInitial(2);
                for (int64_t j = 0; j < columns; ++j) {
                  Value dj = decay;
                  if (s.diagonal)
                    dj = vector::BroadcastOp::create(
                        sb, lane,
                        vector::ExtractOp::create(sb, em1,
                                                  ArrayRef<int64_t>{j}));
                  Value bj = scalar(s.B, ValueRange{bi, step, gi, column[j]});
                  Value cScalar =
                      element(s.C, ValueRange{bi, step, gi, column[j]});
                  Value cj = vector::BroadcastOp::create(sb, lane, cScalar);
                  Value rj = prev[3 + j];
                  Value sj = vector::FMAOp::create(
                      sb, xs, bj, vector::FMAOp::create(sb, dj, rj, rj));
                  Value &part = partial[j % kReadoutPartials];
                  part = part ? vector::FMAOp::create(sb, sj, cj, part)
                              : arith::MulFOp::create(sb, sj, cj).getResult();
                  // C S0, each column weighted by its decay W for a diagonal
                  // decay (for a scalar one, W multiplies the sum). W weighs
                  // S0 before C does: a saturated W times a zero state is
                  // then zero, where W C could overflow to inf first.
                  Value initialJ = initial[j];
                  if (s.diagonal)
                    initialJ = arith::MulFOp::create(
                        sb, initialJ,
                        vector::BroadcastOp::create(
                            sb, lane,
                            vector::ExtractOp::create(sb, w,
                                                      ArrayRef<int64_t>{j})));
                  Value weight = cj;
                  Value &z = fromInitial[j % 2];
                  z = z ? vector::FMAOp::create(sb, initialJ, weight, z)
                        : arith::MulFOp::create(sb, initialJ, weight)
                              .getResult();
                  next.push_back(sj);
                }
                Value sum;
                for (Value part : partial)
                  if (part)
                    sum = sum ? arith::AddFOp::create(sb, sum, part) : part;
                Value z = fromInitial[1]
                              ? arith::AddFOp::create(sb, fromInitial[0],
                                                      fromInitial[1])
                                    .getResult()
                              : fromInitial[0];
                sum = s.diagonal
                          ? arith::AddFOp::create(sb, sum, z).getResult()
                          : vector::FMAOp::create(
                                sb, vector::BroadcastOp::create(sb, lane, w), z,
                                sum)
                                .getResult();
                if (accumulate)
                  sum = arith::AddFOp::create(sb, readAt(sb, prev[0], i), sum);
                next[0] = writeAt(sb, sum, prev[0], i);
                return next;
              });
          // The state at the block's end, S0 + expm1(A) S0 + R.
          Value blockDecay = boundedExpm1(cb, cb.getLoc(), loop.getResult(2));
          Value columnsOut = columnsIn;
          for (int64_t j = 0; j < columns; ++j) {
            Value e = s.diagonal ? vector::ExtractOp::create(
                                       cb, blockDecay, ArrayRef<int64_t>{j})
                                       .getResult()
                                 : blockDecay;
            Value decayed = vector::FMAOp::create(
                cb, vector::BroadcastOp::create(cb, lane, e), initial[j],
                initial[j]);
            columnsOut = writeAt(
                cb, arith::AddFOp::create(cb, decayed, loop.getResult(3 + j)),
                columnsOut, column[j]);
          }
          return SmallVector<Value>{columnsOut, loop.getResult(0)};
        };

        // Time blocks outside column tiles: a block's x rows are gathered
        // into a contiguous buffer once (independent loads the core
        // overlaps) and its y rows summed in another, so the column tiles
        // read and write L1 only; y leaves once per block.
        // (alloc_tensor, not tensor.empty: CSE would merge two empties and
        // One-Shot Bufferize then give both buffers one allocation.)
        auto blockType = RankedTensorType::get({kTimeBlock, lanes}, ct);
        Value xBlock =
            bufferization::AllocTensorOp::create(lb, blockType, ValueRange{});
        Value yBlock =
            bufferization::AllocTensorOp::create(lb, blockType, ValueRange{});
        AffineExpr s0 = lb.getAffineSymbolExpr(0),
                   s1 = lb.getAffineSymbolExpr(1);
        OpFoldResult numBlocks = affine::makeComposedFoldedAffineApply(
            lb, loc, s0.ceilDiv(kTimeBlock), {length});
        auto blocks = l.forLoop(
            numBlocks, ValueRange{yTile, columnsOf, xBlock, yBlock},
            [&](TensorBuilder &kb, Value block,
                ValueRange outs) -> SmallVector<Value> {
              ImplicitLocOpBuilder &bb = kb.b;
              Value first =
                  arith::MulIOp::create(bb, block, constant(bb, kTimeBlock));
              OpFoldResult steps = affine::makeComposedFoldedAffineMin(
                  bb, bb.getLoc(),
                  AffineMap::get(
                      0, 2, {bb.getAffineConstantExpr(kTimeBlock), s0 - s1},
                      bb.getContext()),
                  {length, first});
              Value xs = kb.forLoop(steps, outs[2],
                                    [&](TensorBuilder &ib, Value i,
                                        ValueRange buf) -> SmallVector<Value> {
                                      Value step =
                                          arith::AddIOp::create(ib.b, first, i);
                                      Value row =
                                          readRow(ib.b, s.x, {bi, step, hi, p0},
                                                  lanes, ct);
                                      return {writeAt(ib.b, row, buf[0], i)};
                                    })
                             .getResult(0);
              SmallVector<Value> state = columnTile(kb, zero, first, steps, xs,
                                                    outs[3], outs[1], false);
              if (nTiles > 1)
                state = SmallVector<Value>(
                    kb.forLoop(bb.getIndexAttr(nTiles - 1), state,
                               [&](TensorBuilder &nt, Value tile,
                                   ValueRange in) -> SmallVector<Value> {
                                 Value next = arith::AddIOp::create(
                                     nt.b, tile, constant(nt.b, 1));
                                 return columnTile(nt, next, first, steps, xs,
                                                   in[1], in[0], true);
                               })
                        .getResults());
              Value yNext =
                  kb.forLoop(steps, outs[0],
                             [&](TensorBuilder &ib, Value i,
                                 ValueRange out) -> SmallVector<Value> {
                               Value step =
                                   arith::AddIOp::create(ib.b, first, i);
                               return {writeAt(ib.b, readAt(ib.b, state[1], i),
                                               out[0], step)};
                             })
                      .getResult(0);
              return {yNext, state[0], xs, state[1]};
            });

        // The final state, column by column.
        Value stateDone = writeStateColumns(lb, blocks.getResult(1), stateTile);

        insertInParallel(lb, {{blocks.getResult(0), yOut, yOffsets, ySizes},
                              {stateDone, stateOut, sOffsets, sSizes}});
      });
  return {g.castTo(forall.getResult(0), s.yType),
          g.castTo(forall.getResult(1), s.stateType)};
}

/// Time split into chunks of `chunk` steps: the chunk count and the length
/// padded to whole chunks. A zero log-decay (decay 1) with zero input leaves
/// the state unchanged, so zero padding keeps the final state exact; the
/// padded outputs are sliced off.
struct ChunkedTime {
  OpFoldResult length, numChunks, padded;
  bool needsPadding;

  static ChunkedTime get(TensorBuilder &g, OpFoldResult length, int64_t chunk) {
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

  /// Zero-pads dimension 1 (time) of `tensor` to the padded length.
  Value pad(TensorBuilder &g, Value tensor) const {
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

  /// Drops the padded steps from dimension 1 of `tensor`.
  Value unpad(TensorBuilder &g, Value tensor) const {
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
};

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

/// Lowers a chunked scan with a diagonal decay by Mamba-2's SSD algorithm
/// as linalg.generics: the decay's exponential sits inside the sum over n of
/// the intra-chunk matrix, which is then no matrix product. Every decay
/// weight is the exponential of a segment sum taken directly (never a
/// difference of cumulative sums), saturated (boundedExp). Shapes after
/// splitting time: x [b, c, Q, h, p], decays [b, c, Q, h, n], B and C
/// [b, c, Q, g, n], where c counts chunks and Q is the chunk size.
std::pair<Value, Value> buildDiagonalChunked(ImplicitLocOpBuilder &b,
                                             const ScanOperands &s,
                                             int64_t chunk, Type ct) {
  TensorBuilder g(b);
  MLIRContext *ctx = b.getContext();
  int64_t r = s.headsPerGroup();
  OpFoldResult batch = g.dim(s.x, 0);
  ChunkedTime time = ChunkedTime::get(g, g.dim(s.x, 1), chunk);
  OpFoldResult numChunks = time.numChunks;
  auto prepare = [&](Value v) {
    return splitTime(g, time.pad(g, v), numChunks, chunk);
  };
  Value x = prepare(s.x), a = prepare(s.a), B = prepare(s.B), C = prepare(s.C);
  OpFoldResult h = b.getIndexAttr(s.heads), p = b.getIndexAttr(s.headDim),
               n = b.getIndexAttr(s.stateDim), q = b.getIndexAttr(chunk);

  // (1) Decays cumulated inside each chunk: cs[b, c, i, h, n] =
  // sum_{k <= i} a[b, c, k, h, n]. Loops (b, c, i, h, n, k).
  SmallVector<OpFoldResult> csSizes = {batch, numChunks, q, h, n};
  unsigned csLoops = 6, k = csLoops - 1;
  SmallVector<AffineExpr> csOut = {g.d(0), g.d(1), g.d(2), g.d(3), g.d(4)};
  SmallVector<AffineExpr> csIn = {g.d(0), g.d(1), g.d(k), g.d(3), g.d(4)};
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

  // Decays summed backwards from each chunk's end: suf[b, c, l, h, n] =
  // sum_{l < k < Q} a[b, c, k, h, n], the log-weight of step l's input in
  // the chunk's state (never cs_end - cs_l, which cancels).
  Value suffix = g.generic(
      a, g.filled(csSizes, ct, 0.0),
      {g.map(csLoops, csIn), g.map(csLoops, csOut)}, csIters,
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        Value sum = arith::AddFOp::create(bb, bl, args[1],
                                          castFloat(bb, bl, args[0], ct));
        Value after = arith::CmpIOp::create(bb, bl, arith::CmpIPredicate::ugt,
                                            linalg::IndexOp::create(bb, bl, k),
                                            linalg::IndexOp::create(bb, bl, 2));
        return arith::SelectOp::create(bb, bl, after, sum, args[1]);
      });

  // (2) Intra-chunk outputs, row by row: Y_diag[b, c, i, h, p] =
  // sum_{j <= i} G_ij x_j with G_ij = sum_n C_i[n] B_j[n] exp(seg_n(i, j)).
  // The segment sums seg_n(i, j) = a_{j+1}[n] + ... + a_i[n] are carried
  // from row to row (row i is row i - 1 plus a_i, 0 on the diagonal), so
  // none is a difference of two sums. Pairs j > i are selected out.
  AffineExpr grp = g.d(2).floorDiv(r);
  SmallVector<OpFoldResult> ySizes = {batch, numChunks, q, h, p};
  SmallVector<OpFoldResult> segSizes = {batch, numChunks, h, n, q};
  auto rows = g.forLoop(
      q, ValueRange{g.filled(segSizes, ct, 0.0), g.empty(ySizes, ct)},
      [&](TensorBuilder &l, Value i, ValueRange carried) -> SmallVector<Value> {
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
            {ci, B, seg}, l.filled({batch, numChunks, h, q}, ct, 0.0),
            {l.map(5, {l.d(0), l.d(1), grp, l.d(4)}),
             l.map(5, {l.d(0), l.d(1), l.d(3), grp, l.d(4)}),
             l.map(5, {l.d(0), l.d(1), l.d(2), l.d(4), l.d(3)}),
             l.map(5, {l.d(0), l.d(1), l.d(2), l.d(3)})},
            {par, par, par, par, red},
            [&](OpBuilder &bb, Location bl, ValueRange args) {
              Value cb =
                  arith::MulFOp::create(bb, bl, castFloat(bb, bl, args[0], ct),
                                        castFloat(bb, bl, args[1], ct));
              Value sum = arith::AddFOp::create(
                  bb, bl, args[3],
                  arith::MulFOp::create(bb, bl, cb,
                                        boundedExp(bb, bl, args[2])));
              return arith::SelectOp::create(
                  bb, bl, before(bb, bl, 3, arith::CmpIPredicate::ule), sum,
                  args[3]);
            });
        // y row i: [b, c, h, p], loops (b, c, h, p, j).
        Value yRow = l.generic(
            {gRow, x}, l.filled({batch, numChunks, h, p}, ct, 0.0),
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
                  bb, bl, before(bb, bl, 4, arith::CmpIPredicate::ule), sum,
                  args[2]);
            });
        return {seg, l.insertAt(yRow, carried[1], 2, i)};
      });
  Value yDiag = rows.getResult(1);
  AffineMap yOut = g.map(6, {g.d(0), g.d(1), g.d(2), g.d(3), g.d(4)});

  // (3) Chunk states S_c[b, c, h, p, n] = sum_l exp(suf_l) x_l B_l^T.
  // Loops (b, c, h, p, n, l).
  Value csEnd = g.sliceAt(cs, 2, b.getIndexAttr(chunk - 1));
  SmallVector<AffineExpr> sufL = {g.d(0), g.d(1), g.d(5), g.d(2), g.d(4)};
  SmallVector<OpFoldResult> scSizes = {batch, numChunks, h, p, n};
  Value chunkStates = g.generic(
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

  // (4) The recurrence between chunks: the state entering chunk c is
  // recorded, then decayed over the chunk and the chunk's own state added.
  SmallVector<OpFoldResult> stateSizes = {batch, h, p, n};
  Value state = s.init ? g.convert(s.init, ct) : g.filled(stateSizes, ct, 0.0);
  Value entering = g.empty(scSizes, ct);
  AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
  AffineMap endMap = g.map(4, {g.d(0), g.d(1), g.d(3)});
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
              // S + expm1(A) S: exact for small decays over many chunks.
              Value decayed = math::FmaOp::create(
                  bb, bl, boundedExpm1(bb, bl, args[0]), args[2], args[2]);
              return arith::AddFOp::create(bb, bl, decayed, args[1]);
            });
        return {next, recorded};
      });
  Value finalState = loop.getResult(0);
  Value enteringStates = loop.getResult(1);

  // Y_off[b, c, i, h, p] = sum_n C_i[n] exp(cs_i[n]) S_{c-1}[p, n].
  // Loops (b, c, i, h, p, n).
  Value yOff = g.generic(
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

  // y = Y_diag + Y_off, rounded to the result type. Loops (b, c, i, h, p).
  Type yElement = s.yType.getElementType();
  AffineMap id5 = AffineMap::getMultiDimIdentityMap(5, ctx);
  Value ySplit = g.generic(
      {yDiag, yOff}, g.empty(ySizes, yElement), {id5, id5, id5},
      {par, par, par, par, par},
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        return castFloat(
            bb, bl, arith::AddFOp::create(bb, bl, args[0], args[1]), yElement);
      });

  // Merge chunks back into time and drop the padding.
  Value y = time.unpad(
      g,
      tensor::CollapseShapeOp::create(
          b, ySplit, SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}}));
  Value finalCast = g.convert(finalState, s.stateType.getElementType());
  return {g.castTo(y, s.yType), g.castTo(finalCast, s.stateType)};
}

//===----------------------------------------------------------------------===//
// Chunked scan as register-tiled matrix products
//===----------------------------------------------------------------------===//

/// Reads one element of a matrix operand (row m, reduction index k) as a
/// `ct` scalar.
using ElementAt = function_ref<Value(ImplicitLocOpBuilder &, Value m, Value k)>;
/// Reads `lanes` consecutive columns of row k of a matrix operand, from
/// column n, as a vector of `ct`.
using RowAt = function_ref<Value(ImplicitLocOpBuilder &, Value k, Value n)>;

/// The register tile of a matrix product: `rows` x (`vecs` x `lanes`)
/// accumulators, sixteen AVX-512 registers at 8 x 2 x 16 for f32.
struct RegisterTile {
  int64_t rows, vecs, lanes;

  /// The tile for an M x N product in `ct`: rows divide M, vectors of lanes
  /// divide N.
  static RegisterTile forProduct(int64_t m, int64_t n, Type ct) {
    RegisterTile tile;
    tile.lanes = lanesFor(n, ct);
    int64_t vectors = n / tile.lanes;
    tile.vecs = vectors % 4 == 0 ? 4 : vectors % 2 == 0 ? 2 : 1;
    tile.rows = std::clamp<int64_t>(m, 1, 16 / tile.vecs);
    while (m % tile.rows != 0)
      --tile.rows;
    return tile;
  }
  int64_t columns() const { return vecs * lanes; }

  /// Accumulators holding zero.
  SmallVector<Value> zeros(ImplicitLocOpBuilder &b, Type ct) const {
    return SmallVector<Value>(rows * vecs,
                              zeroVector(b, VectorType::get({lanes}, ct)));
  }

  /// Writes the accumulators `acc` into `out` at rows m0.., columns n0..
  Value store(ImplicitLocOpBuilder &b, ArrayRef<Value> acc, Value out, Value m0,
              Value n0) const;
};

/// Whether the pair (row m, reduction index k) of a product counts, as an
/// i1.
using Visible = function_ref<Value(ImplicitLocOpBuilder &, Value m, Value k)>;

/// Adds sum_{kLower <= k < kUpper} A(m0 + r, k) * B(k, n0 + ...) to the
/// tile `acc` (row-major: row r, vector v at r * vecs + v): per k, `vecs`
/// rows of B loaded once and each A element broadcast into `vecs` fused
/// multiply-adds. With `visible`, a pair it rejects leaves its row's sums
/// as they were (a select, not a zero weight: NaN or Inf in a masked-out
/// operand never reaches them).
static SmallVector<Value>
accumulateTile(ImplicitLocOpBuilder &b, const RegisterTile &tile, Value m0,
               Value n0, OpFoldResult kUpper, ElementAt aAt, RowAt bAt,
               ValueRange acc, Visible visible = nullptr,
               OpFoldResult kLower = OpFoldResult()) {
  TensorBuilder g(b);
  VectorType vector = cast<VectorType>(acc.front().getType());
  OpFoldResult count = kUpper;
  if (kLower) {
    AffineExpr s0 = b.getAffineSymbolExpr(0), s1 = b.getAffineSymbolExpr(1);
    count = affine::makeComposedFoldedAffineApply(b, b.getLoc(), s0 - s1,
                                                  {kUpper, kLower});
  }
  auto loop = g.forLoop(
      count, acc,
      [&](TensorBuilder &kb, Value iv, ValueRange sums) -> SmallVector<Value> {
        ImplicitLocOpBuilder &lb = kb.b;
        Value k = kLower ? arith::AddIOp::create(lb, kb.index(kLower), iv) : iv;
        SmallVector<Value> rowsOfB;
        for (int64_t v = 0; v < tile.vecs; ++v)
          rowsOfB.push_back(bAt(
              lb, k,
              arith::AddIOp::create(
                  lb, n0, arith::ConstantIndexOp::create(lb, v * tile.lanes))));
        SmallVector<Value> next;
        for (int64_t r = 0; r < tile.rows; ++r) {
          Value m = arith::AddIOp::create(
              lb, m0, arith::ConstantIndexOp::create(lb, r));
          Value a = vector::BroadcastOp::create(lb, vector, aAt(lb, m, k));
          Value counts = visible ? visible(lb, m, k) : Value();
          for (int64_t v = 0; v < tile.vecs; ++v) {
            Value old = sums[r * tile.vecs + v];
            Value sum = vector::FMAOp::create(lb, a, rowsOfB[v], old);
            next.push_back(
                counts
                    ? arith::SelectOp::create(lb, counts, sum, old).getResult()
                    : sum);
          }
        }
        return next;
      });
  return SmallVector<Value>(loop.getResults());
}

Value RegisterTile::store(ImplicitLocOpBuilder &b, ArrayRef<Value> acc,
                          Value out, Value m0, Value n0) const {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t v = 0; v < vecs; ++v)
      out = writeRow(
          b, acc[r * vecs + v], out,
          {arith::AddIOp::create(b, m0, arith::ConstantIndexOp::create(b, r)),
           arith::AddIOp::create(
               b, n0, arith::ConstantIndexOp::create(b, v * lanes))});
  return out;
}

/// Transposes a block of `rows` x `columns` in registers: `rowAt(j)` reads
/// row j (a vector of `columns`); returns the block's columns (vectors of
/// `rows`), by AVX-512 shuffles where the pipeline lowers 16 x 16
/// transposes.
static SmallVector<Value> transposeBlock(ImplicitLocOpBuilder &b, int64_t rows,
                                         int64_t columns, Type ct,
                                         function_ref<Value(int64_t)> rowAt) {
  Value block = zeroVector(b, VectorType::get({rows, columns}, ct));
  for (int64_t j = 0; j < rows; ++j)
    block = vector::InsertOp::create(b, rowAt(j), block, ArrayRef<int64_t>{j});
  Value transposed =
      vector::TransposeOp::create(b, block, ArrayRef<int64_t>{1, 0});
  SmallVector<Value> result;
  for (int64_t c = 0; c < columns; ++c)
    result.push_back(
        vector::ExtractOp::create(b, transposed, ArrayRef<int64_t>{c}));
  return result;
}

/// The 2-D tile loops of an M x N product in steps of `tile`: `body` gets
/// the tile's first row and column and the values carried, and returns
/// the next ones. `columnsOfRow` bounds the column tiles of a row tile
/// (default: all of N).
static SmallVector<Value> forEachTile(
    ImplicitLocOpBuilder &b, const RegisterTile &tile, int64_t m, int64_t n,
    ValueRange init,
    function_ref<SmallVector<Value>(ImplicitLocOpBuilder &, Value, Value,
                                    ValueRange)>
        body,
    function_ref<OpFoldResult(ImplicitLocOpBuilder &, Value)> columnsOfRow =
        nullptr) {
  TensorBuilder g(b);
  auto rowsLoop = g.forLoop(
      b.getIndexAttr(m / tile.rows), init,
      [&](TensorBuilder &rb, Value rt, ValueRange carried) {
        ImplicitLocOpBuilder &lb = rb.b;
        Value m0 = arith::MulIOp::create(
            lb, rt, arith::ConstantIndexOp::create(lb, tile.rows));
        OpFoldResult columnTiles = columnsOfRow
                                       ? columnsOfRow(lb, m0)
                                       : lb.getIndexAttr(n / tile.columns());
        auto columnsLoop = rb.forLoop(
            columnTiles, carried,
            [&](TensorBuilder &cb, Value ct, ValueRange inner) {
              Value n0 = arith::MulIOp::create(
                  cb.b, ct,
                  arith::ConstantIndexOp::create(cb.b, tile.columns()));
              return body(cb.b, m0, n0, inner);
            });
        return SmallVector<Value>(columnsLoop.getResults());
      });
  return SmallVector<Value>(rowsLoop.getResults());
}

/// Lowers a chunked scan with a scalar decay by Mamba-2's SSD algorithm,
/// its products as register-tiled vector code. Three parallel phases:
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
/// saturate (boundedExp). Time is zero-padded to a multiple of the chunk
/// size Q as in the generic lowering. Tiles of G above the diagonal are
/// neither computed nor read, and masked entries of G and x are selected
/// out, never multiplied by zero.
std::pair<Value, Value> buildTiledChunked(ImplicitLocOpBuilder &b,
                                          const ScanOperands &s, int64_t q,
                                          Type ct) {
  TensorBuilder g(b);
  int64_t r = s.headsPerGroup(), p = s.headDim, n = s.stateDim;
  Type yElement = s.yType.getElementType();
  OpFoldResult batch = g.dim(s.x, 0);
  ChunkedTime time = ChunkedTime::get(g, g.dim(s.x, 1), q);
  OpFoldResult numChunks = time.numChunks;
  Value x = time.pad(g, s.x), a = time.pad(g, s.a), B = time.pad(g, s.B),
        C = time.pad(g, s.C);
  OpFoldResult h = b.getIndexAttr(s.heads);

  auto index = [](ImplicitLocOpBuilder &lb, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(lb, v);
  };
  auto element = [&](ImplicitLocOpBuilder &lb, Value tensor,
                     ValueRange at) -> Value {
    return castFloat(lb, lb.getLoc(), tensor::ExtractOp::create(lb, tensor, at),
                     ct);
  };
  auto readVector = [&](ImplicitLocOpBuilder &lb, Value tensor, ValueRange at,
                        int64_t size) {
    return readRow(lb, tensor, at, size, ct);
  };
  // The chunk's decays, a[start + l] for l < Q.
  auto decayAt = [&](ImplicitLocOpBuilder &lb, Value bi, Value start, Value hi,
                     Value l) {
    Value step = arith::AddIOp::create(lb, start, l);
    return element(lb, a, ValueRange{bi, step, hi});
  };
  // The weight of step l's input in the state at the chunk's end,
  // exp(a_{l+1} + ... + a_{Q-1}) for l < Q: segment sums taken backwards
  // from the end, never cs_end - cs_l (which cancels, and is NaN after a
  // -inf reset).
  auto stateWeights = [&](ImplicitLocOpBuilder &lb, Value bi, Value start,
                          Value hi) {
    TensorBuilder l(lb);
    Value zero = floatConstant(lb, lb.getLoc(), ct, 0.0);
    auto loop = l.forLoop(
        lb.getIndexAttr(q), ValueRange{scratch(lb, {q}, ct), zero},
        [&](TensorBuilder &ib, Value i, ValueRange carried) {
          ImplicitLocOpBuilder &sb = ib.b;
          Value step = arith::SubIOp::create(sb, index(sb, q - 1), i);
          Value weights = tensor::InsertOp::create(
              sb, boundedExp(sb, sb.getLoc(), carried[1]), carried[0], step);
          Value sum = arith::AddFOp::create(sb, carried[1],
                                            decayAt(sb, bi, start, hi, step));
          return SmallVector<Value>{weights, sum};
        });
    return loop.getResult(0);
  };
  // (1) Own chunk states, S_c^T in [b, c, h, n, p].
  RegisterTile stateTile = RegisterTile::forProduct(n, p, ct);
  VectorType stateVector = VectorType::get({stateTile.lanes}, ct);
  SmallVector<OpFoldResult> statesSizes = {
      batch, numChunks, h, b.getIndexAttr(n), b.getIndexAttr(p)};
  SmallVector<OpFoldResult> unit5(5, b.getIndexAttr(1));
  auto chunkStates = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{batch, numChunks, h},
      ValueRange{g.empty(statesSizes, ct)}, std::nullopt,
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        Value bi = args[0], ci = args[1], hi = args[2], out = args[3];
        Value start = arith::MulIOp::create(lb, ci, index(lb, q));
        Value gi = arith::DivUIOp::create(lb, hi, index(lb, r));
        Value weights = stateWeights(lb, bi, start, hi);
        SmallVector<OpFoldResult> offsets = {bi, ci, hi, lb.getIndexAttr(0),
                                             lb.getIndexAttr(0)};
        SmallVector<OpFoldResult> sizes = {
            lb.getIndexAttr(1), lb.getIndexAttr(1), lb.getIndexAttr(1),
            lb.getIndexAttr(n), lb.getIndexAttr(p)};
        Value own = tensor::ExtractSliceOp::create(
            lb, RankedTensorType::get({n, p}, ct), out, offsets, sizes, unit5);
        SmallVector<Value> done = forEachTile(
            lb, stateTile, n, p, own,
            [&](ImplicitLocOpBuilder &tb, Value m0, Value n0,
                ValueRange carried) {
              SmallVector<Value> acc = stateTile.zeros(tb, ct);
              acc = accumulateTile(
                  tb, stateTile, m0, n0, tb.getIndexAttr(q),
                  [&](ImplicitLocOpBuilder &eb, Value m, Value l) {
                    Value step = arith::AddIOp::create(eb, start, l);
                    return element(eb, B, ValueRange{bi, step, gi, m});
                  },
                  [&](ImplicitLocOpBuilder &eb, Value l, Value col) {
                    Value step = arith::AddIOp::create(eb, start, l);
                    Value w = vector::BroadcastOp::create(
                        eb, stateVector,
                        tensor::ExtractOp::create(eb, weights, l));
                    return arith::MulFOp::create(eb, w,
                                                 readVector(eb, x,
                                                            {bi, step, hi, col},
                                                            stateTile.lanes));
                  },
                  acc);
              return SmallVector<Value>{
                  stateTile.store(tb, acc, carried[0], m0, n0)};
            });
        insertInParallel(lb, {{done[0], out, offsets, sizes}});
      });

  // (2) The recurrence between chunks, per (batch, head): each own state is
  // replaced by the state entering its chunk.
  Type stateElement = s.stateType.getElementType();
  int64_t piece = lanesFor(p, ct);
  VectorType pieceVector = VectorType::get({piece}, ct);
  SmallVector<OpFoldResult> unit4(4, b.getIndexAttr(1));
  auto entering = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{batch, h},
      ValueRange{chunkStates.getResult(0),
                 g.empty({batch, h, b.getIndexAttr(p), b.getIndexAttr(n)},
                         stateElement)},
      std::nullopt, [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        TensorBuilder l(lb);
        Value bi = args[0], hi = args[1], states = args[2], finalOut = args[3];
        Value zero = index(lb, 0);
        SmallVector<OpFoldResult> offsets = {
            bi, lb.getIndexAttr(0), hi, lb.getIndexAttr(0), lb.getIndexAttr(0)};
        SmallVector<OpFoldResult> sizes = {
            lb.getIndexAttr(1), numChunks, lb.getIndexAttr(1),
            lb.getIndexAttr(n), lb.getIndexAttr(p)};
        std::optional<int64_t> chunks = getConstantIntValue(numChunks);
        Value mine = tensor::ExtractSliceOp::create(
            lb,
            RankedTensorType::get(
                {chunks ? *chunks : ShapedType::kDynamic, n, p}, ct),
            states, offsets, sizes, unit5);
        // The running state S^T, from the initial state or zero.
        Value total = stateColumns(lb, s.init, bi, hi, zero, n, p, ct);
        auto chunkLoop = l.forLoop(
            numChunks, ValueRange{mine, total},
            [&](TensorBuilder &cb, Value ci, ValueRange carried) {
              ImplicitLocOpBuilder &sb = cb.b;
              Value start = arith::MulIOp::create(sb, ci, index(sb, q));
              Value sum =
                  cb.forLoop(
                        sb.getIndexAttr(q),
                        floatConstant(sb, sb.getLoc(), ct, 0.0),
                        [&](TensorBuilder &ib, Value i, ValueRange acc) {
                          return SmallVector<Value>{arith::AddFOp::create(
                              ib.b, acc[0], decayAt(ib.b, bi, start, hi, i))};
                        })
                      .getResult(0);
              // S + (expm1(sum) S + own): exact for small decays over many
              // chunks, S rounded once per chunk. Rows in pieces of at most
              // one register (a vector as wide as a long p makes LLVM's code
              // generator slow).
              Value decay = vector::BroadcastOp::create(
                  sb, pieceVector, boundedExpm1(sb, sb.getLoc(), sum));
              auto rows = cb.forLoop(
                  sb.getIndexAttr(n * (p / piece)), carried,
                  [&](TensorBuilder &jb, Value jv, ValueRange st) {
                    ImplicitLocOpBuilder &rb = jb.b;
                    Value j =
                        arith::DivUIOp::create(rb, jv, index(rb, p / piece));
                    Value at = arith::MulIOp::create(
                        rb,
                        arith::RemUIOp::create(rb, jv, index(rb, p / piece)),
                        index(rb, piece));
                    Value own = readVector(rb, st[0], {ci, j, at}, piece);
                    Value before = readVector(rb, st[1], {j, at}, piece);
                    Value enteringRow =
                        writeRow(rb, before, st[0], {ci, j, at});
                    Value after = arith::AddFOp::create(
                        rb, before,
                        vector::FMAOp::create(rb, decay, before, own));
                    return SmallVector<Value>{
                        enteringRow, writeRow(rb, after, st[1], {j, at})};
                  });
              return SmallVector<Value>(rows.getResults());
            });
        // The final state, S[p, n], from S^T.
        SmallVector<OpFoldResult> fOffsets = {bi, hi, lb.getIndexAttr(0),
                                              lb.getIndexAttr(0)};
        SmallVector<OpFoldResult> fSizes = {
            lb.getIndexAttr(1), lb.getIndexAttr(1), lb.getIndexAttr(p),
            lb.getIndexAttr(n)};
        Value finalTile = tensor::ExtractSliceOp::create(
            lb, RankedTensorType::get({p, n}, stateElement), finalOut, fOffsets,
            fSizes, unit4);
        finalTile = writeStateColumns(lb, chunkLoop.getResult(1), finalTile);
        insertInParallel(lb, {{chunkLoop.getResult(0), states, offsets, sizes},
                              {finalTile, finalOut, fOffsets, fSizes}});
      });
  Value enteringStates = entering.getResult(0);

  // (3) Outputs, per (batch, chunk, head).
  RegisterTile gTile = RegisterTile::forProduct(q, q, ct);
  RegisterTile yTile = RegisterTile::forProduct(q, p, ct);
  VectorType gVector = VectorType::get({gTile.lanes}, ct);
  VectorType yVector = VectorType::get({yTile.lanes}, ct);
  Value zeroG = zeroVector(b, gVector);
  Value iota = laneIndices(b, gTile.lanes);
  Value yPadded = g.empty({batch, time.padded, h, b.getIndexAttr(p)}, yElement);
  auto outputs = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{batch, numChunks, h}, ValueRange{yPadded},
      std::nullopt, [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        TensorBuilder l(lb);
        Value bi = args[0], ci = args[1], hi = args[2], yOut = args[3];
        Value start = arith::MulIOp::create(lb, ci, index(lb, q));
        Value gi = arith::DivUIOp::create(lb, hi, index(lb, r));
        // C[i, k] of the chunk: the A operand of both G and C S^T.
        auto cAt = [&](ImplicitLocOpBuilder &eb, Value i, Value k) {
          Value step = arith::AddIOp::create(eb, start, i);
          return element(eb, C, ValueRange{bi, step, gi, k});
        };
        // The chunk's decays: growth[i] = exp(a_0 + ... + a_i), from the
        // chunk's start, and L[i, j] = exp(a_{j+1} + ... + a_i) for j <= i
        // (Mamba-2's segsum). Row i of the segment sums is row i - 1 plus
        // a_i, with 0 on the diagonal, so no sum is a difference of two; the
        // columns past i are never read.
        Value segments =
            linalg::FillOp::create(lb, floatConstant(lb, loc, ct, 0.0),
                                   scratch(lb, {q}, ct))
                .getResult(0);
        auto decays = l.forLoop(
            lb.getIndexAttr(q),
            ValueRange{scratch(lb, {q}, ct), scratch(lb, {q, q}, ct), segments,
                       floatConstant(lb, loc, ct, 0.0)},
            [&](TensorBuilder &ib, Value i, ValueRange carried) {
              ImplicitLocOpBuilder &sb = ib.b;
              Value ai = decayAt(sb, bi, start, hi, i);
              Value prefix = arith::AddFOp::create(sb, carried[3], ai);
              Value growth = tensor::InsertOp::create(
                  sb, boundedExp(sb, sb.getLoc(), prefix), carried[0], i);
              Value aVector = vector::BroadcastOp::create(sb, gVector, ai);
              Value iVector = vector::BroadcastOp::create(
                  sb, iota.getType(),
                  arith::IndexCastOp::create(sb, sb.getI64Type(), i));
              // (arith, not an affine.apply of i: the loop being built has
              // no parent op yet for affine's validity checks.)
              Value columnVectors = arith::DivUIOp::create(
                  sb, arith::AddIOp::create(sb, i, index(sb, gTile.lanes)),
                  index(sb, gTile.lanes));
              auto row = ib.forLoop(
                  columnVectors, ValueRange{carried[1], carried[2]},
                  [&](TensorBuilder &vb, Value v, ValueRange mats) {
                    ImplicitLocOpBuilder &eb = vb.b;
                    Value col =
                        arith::MulIOp::create(eb, v, index(eb, gTile.lanes));
                    Value cols = arith::AddIOp::create(
                        eb, iota,
                        vector::BroadcastOp::create(
                            eb, iota.getType(),
                            arith::IndexCastOp::create(eb, eb.getI64Type(),
                                                       col)));
                    Value sums = arith::SelectOp::create(
                        eb,
                        arith::CmpIOp::create(eb, arith::CmpIPredicate::eq,
                                              cols, iVector),
                        zeroG,
                        arith::AddFOp::create(
                            eb, readVector(eb, mats[1], {col}, gTile.lanes),
                            aVector));
                    return SmallVector<Value>{
                        writeRow(eb, boundedExp(eb, eb.getLoc(), sums), mats[0],
                                 {i, col}),
                        writeRow(eb, sums, mats[1], {col})};
                  });
              return SmallVector<Value>{growth, row.getResult(0),
                                        row.getResult(1), prefix};
            });
        Value growth = decays.getResult(0), lMatrix = decays.getResult(1);

        // B^T of the chunk, [n, Q], for rows of B^T in the G product: blocks
        // of blockJ rows of B by blockK columns transposed in registers,
        // walked as the tiles of an n x Q product of blockK x blockJ tiles.
        int64_t blockJ = gTile.lanes, blockK = lanesFor(n, ct);
        Value bT = forEachTile(
            lb, RegisterTile{blockK, 1, blockJ}, n, q, scratch(lb, {n, q}, ct),
            [&](ImplicitLocOpBuilder &tb, Value k0, Value j0,
                ValueRange carried) {
              SmallVector<Value> columns =
                  transposeBlock(tb, blockJ, blockK, ct, [&](int64_t j) {
                    Value step = arith::AddIOp::create(
                        tb, start, arith::AddIOp::create(tb, j0, index(tb, j)));
                    return readRow(tb, B, {bi, step, gi, k0}, blockK, ct);
                  });
              Value out = carried[0];
              for (int64_t k = 0; k < blockK; ++k)
                out =
                    writeRow(tb, columns[k], out,
                             {arith::AddIOp::create(tb, k0, index(tb, k)), j0});
              return SmallVector<Value>{out};
            })[0];

        // G[i, j] = L[i, j] sum_n C_i[n] B_j[n] for j <= i. Column
        // tiles past the row tile's diagonal are skipped.
        auto lastColumnTile = [&](ImplicitLocOpBuilder &eb, Value m0) {
          AffineExpr d = eb.getAffineSymbolExpr(0);
          return affine::makeComposedFoldedAffineApply(
              eb, eb.getLoc(), (d + gTile.rows).ceilDiv(gTile.columns()), {m0});
        };
        Value gMatrix = forEachTile(
            lb, gTile, q, q, scratch(lb, {q, q}, ct),
            [&](ImplicitLocOpBuilder &tb, Value m0, Value n0,
                ValueRange carried) {
              SmallVector<Value> acc = gTile.zeros(tb, ct);
              acc = accumulateTile(
                  tb, gTile, m0, n0, tb.getIndexAttr(n), cAt,
                  [&](ImplicitLocOpBuilder &eb, Value k, Value col) {
                    return readVector(eb, bT, {k, col}, gTile.lanes);
                  },
                  acc);
              Value out = carried[0];
              for (int64_t i = 0; i < gTile.rows; ++i) {
                Value row = arith::AddIOp::create(tb, m0, index(tb, i));
                Value rowIndex = vector::BroadcastOp::create(
                    tb, VectorType::get({gTile.lanes}, tb.getI64Type()),
                    arith::IndexCastOp::create(tb, tb.getI64Type(), row));
                for (int64_t v = 0; v < gTile.vecs; ++v) {
                  Value col =
                      arith::AddIOp::create(tb, n0, index(tb, v * gTile.lanes));
                  Value decay =
                      readVector(tb, lMatrix, {row, col}, gTile.lanes);
                  Value cols =
                      arith::AddIOp::create(tb, iota,
                                            vector::BroadcastOp::create(
                                                tb, iota.getType(),
                                                arith::IndexCastOp::create(
                                                    tb, tb.getI64Type(), col)));
                  Value causal = arith::CmpIOp::create(
                      tb, arith::CmpIPredicate::sle, cols, rowIndex);
                  Value masked = arith::SelectOp::create(
                      tb, causal,
                      arith::MulFOp::create(tb, acc[i * gTile.vecs + v], decay),
                      zeroG);
                  out = writeRow(tb, masked, out, {row, col});
                }
              }
              return SmallVector<Value>{out};
            },
            lastColumnTile)[0];

        // y_i = exp(cs_i) sum_n C_i[n] S_{c-1}^T[n, :] + sum_{j <= i} G[i, j]
        // x_j.
        SmallVector<OpFoldResult> yOffsets = {bi, start, hi,
                                              lb.getIndexAttr(0)};
        SmallVector<OpFoldResult> ySizes = {
            lb.getIndexAttr(1), lb.getIndexAttr(q), lb.getIndexAttr(1),
            lb.getIndexAttr(p)};
        Value ySlice = tensor::ExtractSliceOp::create(
            lb, RankedTensorType::get({q, p}, yElement), yOut, yOffsets, ySizes,
            unit4);
        Value yDone = forEachTile(
            lb, yTile, q, p, ySlice,
            [&](ImplicitLocOpBuilder &tb, Value m0, Value n0,
                ValueRange carried) {
              SmallVector<Value> acc = yTile.zeros(tb, ct);
              acc = accumulateTile(
                  tb, yTile, m0, n0, tb.getIndexAttr(n), cAt,
                  [&](ImplicitLocOpBuilder &eb, Value k, Value col) {
                    return readVector(eb, enteringStates, {bi, ci, hi, k, col},
                                      yTile.lanes);
                  },
                  acc);
              for (int64_t i = 0; i < yTile.rows; ++i) {
                Value row = arith::AddIOp::create(tb, m0, index(tb, i));
                Value e = vector::BroadcastOp::create(
                    tb, yVector, tensor::ExtractOp::create(tb, growth, row));
                for (int64_t v = 0; v < yTile.vecs; ++v)
                  acc[i * yTile.vecs + v] =
                      arith::MulFOp::create(tb, e, acc[i * yTile.vecs + v]);
              }
              // Steps up to m0 precede every row of the tile; the next
              // rows - 1 steps count only for the rows at or after them, by
              // a select, so that a later x (NaN or Inf, say) never
              // reaches an earlier y.
              AffineExpr d = tb.getAffineSymbolExpr(0);
              OpFoldResult shared = affine::makeComposedFoldedAffineApply(
                  tb, tb.getLoc(), d + 1, {m0});
              OpFoldResult causalUpper = affine::makeComposedFoldedAffineApply(
                  tb, tb.getLoc(), d + yTile.rows, {m0});
              auto gAt = [&](ImplicitLocOpBuilder &eb, Value i, Value j) {
                return tensor::ExtractOp::create(eb, gMatrix, ValueRange{i, j})
                    .getResult();
              };
              auto xAt = [&](ImplicitLocOpBuilder &eb, Value j, Value col) {
                Value step = arith::AddIOp::create(eb, start, j);
                return readVector(eb, x, {bi, step, hi, col}, yTile.lanes);
              };
              acc = accumulateTile(tb, yTile, m0, n0, shared, gAt, xAt, acc);
              if (yTile.rows > 1)
                acc = accumulateTile(
                    tb, yTile, m0, n0, causalUpper, gAt, xAt, acc,
                    [](ImplicitLocOpBuilder &eb, Value i, Value j) -> Value {
                      return arith::CmpIOp::create(
                          eb, arith::CmpIPredicate::ule, j, i);
                    },
                    shared);
              return SmallVector<Value>{
                  yTile.store(tb, acc, carried[0], m0, n0)};
            })[0];
        insertInParallel(lb, {{yDone, yOut, yOffsets, ySizes}});
      });

  Value y = time.unpad(g, outputs.getResult(0));
  return {g.castTo(y, s.yType), g.castTo(entering.getResult(1), s.stateType)};
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
      g.contract(q, k, g.filled(sSizes, ct, 0.0),
                 {g.map(5, {g.d(0), g.d(2), g.d(1).floorDiv(rq), g.d(4)}),
                  g.map(5, {g.d(0), g.d(3), g.d(1).floorDiv(rk), g.d(4)}),
                  g.map(5, {g.d(0), g.d(1), g.d(2), g.d(3)})},
                 {par, par, par, par, red}, ct);

  // The log-mask in f64 as segment sums, seg[b, h, i, j] = a_{j+1} + ... +
  // a_i for j <= i, built row by row: row i is row i - 1 plus a_i, 0 on the
  // diagonal (and, unused, above it). No entry is a difference of two
  // cumulative sums, which would cancel, or be NaN after a -inf reset.
  Type f64 = Float64Type::get(ctx);
  Value seg;
  if (mask == Mask::Semiseparable) {
    auto rows = g.forLoop(
        len,
        ValueRange{g.empty(sSizes, f64), g.filled({batch, h, src}, f64, 0.0)},
        [&](TensorBuilder &l, Value i,
            ValueRange carried) -> SmallVector<Value> {
          Value ai = l.sliceAt(decay, 1, i);
          // Loops (b, h, j).
          Value row = l.generic(
              ai, carried[1],
              {l.map(3, {l.d(0), l.d(1)}),
               AffineMap::getMultiDimIdentityMap(3, ctx)},
              {par, par, par},
              [&](OpBuilder &bb, Location bl, ValueRange args) {
                Value sum = arith::AddFOp::create(
                    bb, bl, args[1], castFloat(bb, bl, args[0], f64));
                Value earlier = arith::CmpIOp::create(
                    bb, bl, arith::CmpIPredicate::ult,
                    linalg::IndexOp::create(bb, bl, 2), i);
                return arith::SelectOp::create(bb, bl, earlier, sum,
                                               floatConstant(bb, bl, f64, 0.0));
              });
          return {l.insertAt(row, carried[0], 2, i), row};
        });
    seg = rows.getResult(0);
  }

  // Weights (identity kernel) or logits (softmax) over loops (b, h, i, j).
  AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
  SmallVector<Value> wInputs = {scores};
  SmallVector<AffineMap> wMaps = {id4};
  if (seg) {
    wInputs.push_back(seg);
    wMaps.push_back(id4);
  }
  wMaps.push_back(id4);
  double fill = softmax ? -std::numeric_limits<double>::infinity() : 0.0;
  Value weights = g.generic(
      wInputs, g.empty(sSizes, ct), wMaps, {par, par, par, par},
      [&](OpBuilder &bb, Location bl, ValueRange args) {
        Value score = arith::MulFOp::create(bb, bl, args[0],
                                            floatConstant(bb, bl, ct, scale));
        Value value = score;
        if (seg) {
          Value logMask = castFloat(bb, bl, args[1], ct);
          value = softmax ? Value(arith::AddFOp::create(bb, bl, score, logMask))
                          : Value(arith::MulFOp::create(
                                bb, bl, score, boundedExp(bb, bl, logMask)));
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
  // Keys the mask excludes are selected out, not weighted by zero: NaN or
  // Inf in a masked value never reaches an output.
  SmallVector<OpFoldResult> ySizes = {batch, len, h, p};
  AffineMap yMap = g.map(5, {g.d(0), g.d(1), g.d(2), g.d(3)});
  Value out =
      g.generic({weights, v}, g.filled(ySizes, ct, 0.0),
                {g.map(5, {g.d(0), g.d(2), g.d(1), g.d(4)}),
                 g.map(5, {g.d(0), g.d(4), g.d(2).floorDiv(rv), g.d(3)}), yMap},
                {par, par, par, par, red},
                [&](OpBuilder &bb, Location bl, ValueRange args) -> Value {
                  Value sum = arith::AddFOp::create(
                      bb, bl, args[2],
                      arith::MulFOp::create(bb, bl, args[0],
                                            castFloat(bb, bl, args[1], ct)));
                  if (mask == Mask::None)
                    return sum;
                  return arith::SelectOp::create(
                      bb, bl, indexLessEqual(bb, bl, 4, 1), sum, args[2]);
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
                    value = normalize(bb, bl, value, args[1]);
                  return castFloat(bb, bl, value, yElement);
                });
  return g.castTo(y, yType);
}

/// Lowers attention under the semiseparable mask as vector code: parallel over
/// (batch, head, query), each query walks its keys j = i, i - 1, ..., 0 once
/// with an output row (and, for softmax, a running maximum and normalizer),
/// cumulating the log-decay a_{j+1} + ... + a_i as a direct sum along the
/// way, never as a difference of long cumulative sums. No t x s matrix
/// exists.
Value buildSemiseparableAttention(ImplicitLocOpBuilder &b, AttentionOp op,
                                  Value q, Value k, Value v, Value decay,
                                  Type ct) {
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
  assert(op.getMask() == Mask::Semiseparable && "the walk is for decays");
  double scale = op.getScale().convertToDouble();
  Type yElement = yType.getElementType();
  OpFoldResult batch = g.dim(q, 0), len = g.dim(q, 1);
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
        // Keys i, i - 1, ..., 0.
        Value count = arith::AddIOp::create(lb, i, one);
        Value negInf = floatConstant(lb, loc, ct,
                                     -std::numeric_limits<double>::infinity());
        Value zeroF = floatConstant(lb, loc, ct, 0.0);
        Value acc0 = zeroVector(lb, vec(p, ct));
        // Carried: output row, running max, normalizer, log-decay to i.
        SmallVector<Value> init = {acc0, negInf, zeroF, zeroF};
        auto loop = scf::ForOp::create(
            lb, zero, count, one, init,
            [&](OpBuilder &tb, Location tl, Value jj, ValueRange carried) {
              ImplicitLocOpBuilder sb(tl, tb);
              Value j = arith::SubIOp::create(sb, i, jj);
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
                Value weight = arith::MulFOp::create(
                    sb, score, boundedExp(sb, tl, logMask));
                acc = vector::FMAOp::create(
                    sb, vector::BroadcastOp::create(sb, vec(p, ct), weight), vv,
                    acc);
              }
              // The next key, j - 1, is one more decay a_j away from i.
              Value a =
                  tensor::ExtractOp::create(sb, decay, ValueRange{bi, j, hi});
              logMask =
                  arith::AddFOp::create(sb, logMask, castFloat(sb, tl, a, ct));
              scf::YieldOp::create(sb, ValueRange{acc, runMax, norm, logMask});
            });
        Value row = loop.getResult(0);
        if (softmax)
          row = normalize(lb, loc, row, loop.getResult(2));
        row = castRow(lb, row, vec(p, yElement));
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
        insertInParallel(lb, {{slot, yOut, offsets, sizes}});
      });
  return g.castTo(forall.getResult(0), yType);
}

/// Lowers softmax or identity attention under no mask or a causal one as
/// tiled vector code, flash-attention style. K is first transposed (per
/// batch and key head, zero-padded to whole key blocks) so that rows of K^T
/// feed the score product. Then, per (batch, head, block of 8 queries),
/// every block of 2 x lanes keys (32 for f32) is one register tile of
/// scores S = scale Q K^T; masked and padding keys are set aside; the
/// online softmax rescales the block's output rows by exp(m_old - m_new)
/// and adds P V, P = exp(S - m_new), with P V register-tiled too. No t x s
/// matrix exists: per task, 8 x p outputs and 8 x 32 weights.
Value buildTiledAttention(ImplicitLocOpBuilder &b, AttentionOp op, Value q,
                          Value k, Value v, Type ct) {
  TensorBuilder g(b);
  MLIRContext *ctx = b.getContext();
  auto yType = cast<RankedTensorType>(op.getY().getType());
  auto qType = cast<RankedTensorType>(q.getType());
  auto kType = cast<RankedTensorType>(k.getType());
  auto vType = cast<RankedTensorType>(v.getType());
  int64_t heads = yType.getDimSize(2), n = qType.getDimSize(3),
          p = vType.getDimSize(3), keyHeads = kType.getDimSize(2);
  int64_t rq = heads / qType.getDimSize(2), rk = heads / keyHeads,
          rv = heads / vType.getDimSize(2);
  bool softmax = op.getKernel() == Kernel::Softmax;
  bool causal = op.getMask() == Mask::Causal;
  double scale = op.getScale().convertToDouble();
  Type yElement = yType.getElementType();
  OpFoldResult batch = g.dim(q, 0), len = g.dim(q, 1), src = g.dim(k, 1);

  constexpr int64_t queries = 8;
  RegisterTile scoreTile{queries, 2, 512 / ct.getIntOrFloatBitWidth()};
  int64_t keys = scoreTile.columns();
  RegisterTile outTile = RegisterTile::forProduct(queries, p, ct);
  VectorType scoreVector = VectorType::get({scoreTile.lanes}, ct);
  VectorType indexVector = VectorType::get({scoreTile.lanes}, b.getI64Type());

  auto index = [](ImplicitLocOpBuilder &lb, int64_t value) -> Value {
    return arith::ConstantIndexOp::create(lb, value);
  };
  auto divIndex = [&](ImplicitLocOpBuilder &lb, Value value, int64_t by) {
    return by == 1 ? value
                   : Value(arith::DivUIOp::create(lb, value, index(lb, by)));
  };
  auto element = [&](ImplicitLocOpBuilder &lb, Value tensor, ValueRange at) {
    return castFloat(lb, lb.getLoc(), tensor::ExtractOp::create(lb, tensor, at),
                     ct);
  };
  auto i64 = [](ImplicitLocOpBuilder &lb, Value value) -> Value {
    return arith::IndexCastOp::create(lb, lb.getI64Type(), value);
  };
  Value iota = laneIndices(b, scoreTile.lanes);
  AffineExpr s0 = getAffineSymbolExpr(0, ctx), s1 = getAffineSymbolExpr(1, ctx);
  OpFoldResult keyBlocks = affine::makeComposedFoldedAffineApply(
      b, b.getLoc(), s0.ceilDiv(keys), {src});
  OpFoldResult paddedKeys = affine::makeComposedFoldedAffineApply(
      b, b.getLoc(), s0.ceilDiv(keys) * keys, {src});
  Value srcIndex = g.index(src), lenIndex = g.index(len);

  // K^T [b, key head, n, padded s], padding keys zero.
  int64_t blockK = lanesFor(n, ct), blockJ = scoreTile.lanes;
  std::optional<int64_t> staticPadded = getConstantIntValue(paddedKeys);
  auto kTType = RankedTensorType::get(
      {ShapedType::kDynamic, keyHeads, n,
       staticPadded ? *staticPadded : ShapedType::kDynamic},
      ct);
  if (std::optional<int64_t> staticBatch = getConstantIntValue(batch))
    kTType = RankedTensorType::get(
        {*staticBatch, keyHeads, n, kTType.getDimSize(3)}, ct);
  SmallVector<OpFoldResult> kTSizes = {batch, b.getIndexAttr(keyHeads),
                                       b.getIndexAttr(n), paddedKeys};
  Value kTEmpty = g.empty(kTSizes, ct);
  SmallVector<OpFoldResult> unit4(4, b.getIndexAttr(1));
  OpFoldResult transposeBlocks = affine::makeComposedFoldedAffineApply(
      b, b.getLoc(), s0.ceilDiv(blockJ), {paddedKeys});
  auto transposed = scf::ForallOp::create(
      b,
      ArrayRef<OpFoldResult>{batch, b.getIndexAttr(keyHeads), transposeBlocks},
      ValueRange{kTEmpty}, std::nullopt,
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        TensorBuilder l(lb);
        Value bi = args[0], hk = args[1], jb = args[2], out = args[3];
        Value j0 = arith::MulIOp::create(lb, jb, index(lb, blockJ));
        SmallVector<OpFoldResult> offsets = {bi, hk, lb.getIndexAttr(0), j0};
        SmallVector<OpFoldResult> sizes = {
            lb.getIndexAttr(1), lb.getIndexAttr(1), lb.getIndexAttr(n),
            lb.getIndexAttr(blockJ)};
        Value slice = tensor::ExtractSliceOp::create(
            lb, RankedTensorType::get({n, blockJ}, ct), out, offsets, sizes,
            unit4);
        Value last = arith::SubIOp::create(lb, srcIndex, index(lb, 1));
        Value zeroRow = zeroVector(lb, VectorType::get({blockK}, ct));
        Value done =
            l.forLoop(
                 lb.getIndexAttr(n / blockK), slice,
                 [&](TensorBuilder &kb, Value kt, ValueRange carried) {
                   ImplicitLocOpBuilder &cb = kb.b;
                   Value k0 = arith::MulIOp::create(cb, kt, index(cb, blockK));
                   // Keys past s read the last key and become zero.
                   SmallVector<Value> columns = transposeBlock(
                       cb, blockJ, blockK, ct, [&](int64_t j) -> Value {
                         Value key =
                             arith::AddIOp::create(cb, j0, index(cb, j));
                         Value valid = arith::CmpIOp::create(
                             cb, arith::CmpIPredicate::ult, key, srcIndex);
                         Value clamped = arith::MinUIOp::create(cb, key, last);
                         Value row =
                             readRow(cb, k, {bi, clamped, hk, k0}, blockK, ct);
                         return arith::SelectOp::create(cb, valid, row,
                                                        zeroRow);
                       });
                   Value result = carried[0];
                   for (int64_t c = 0; c < blockK; ++c)
                     result =
                         writeRow(cb, columns[c], result,
                                  {arith::AddIOp::create(cb, k0, index(cb, c)),
                                   index(cb, 0)});
                   return SmallVector<Value>{result};
                 })
                .getResult(0);
        insertInParallel(lb, {{done, out, offsets, sizes}});
      });
  Value kT = g.castTo(transposed.getResult(0), kTType);

  // Outputs, per (batch, head, block of queries).
  Value y =
      g.empty({batch, len, b.getIndexAttr(heads), b.getIndexAttr(p)}, yElement);
  OpFoldResult queryBlocks = affine::makeComposedFoldedAffineApply(
      b, b.getLoc(), s0.ceilDiv(queries), {len});
  Value negInf = floatConstant(b, b.getLoc(), ct,
                               -std::numeric_limits<double>::infinity());
  auto forall = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{batch, b.getIndexAttr(heads), queryBlocks},
      ValueRange{y}, std::nullopt,
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        TensorBuilder l(lb);
        Value bi = args[0], hi = args[1], qb = args[2], yOut = args[3];
        Value i0 = arith::MulIOp::create(lb, qb, index(lb, queries));
        Value hq = divIndex(lb, hi, rq), hk = divIndex(lb, hi, rk),
              hv = divIndex(lb, hi, rv);
        Value lastQuery = arith::SubIOp::create(lb, lenIndex, index(lb, 1));
        // Key blocks this query block sees: all, or up to its last query.
        OpFoldResult blocks = keyBlocks;
        if (causal)
          blocks = affine::makeComposedFoldedAffineMin(
              lb, loc,
              AffineMap::get(
                  0, 2, {s0.ceilDiv(keys), (s1 + queries).ceilDiv(keys)}, ctx),
              {src, i0});
        Value zeroScores = zeroVector(lb, scoreVector);
        // (A fill, not one vector write per row and lane tile: a long
        // chain of writes makes One-Shot Bufferize super-linear.)
        Value out = linalg::FillOp::create(lb, floatConstant(lb, loc, ct, 0.0),
                                           scratch(lb, {queries, p}, ct))
                        .getResult(0);
        VectorType outVector = VectorType::get({outTile.lanes}, ct);
        Value weights = scratch(lb, {queries, keys}, ct);
        Value rescale = scratch(lb, {queries}, ct);
        // Carried: outputs, weights, rescaling, running maxima, normalizers.
        SmallVector<Value> init = {out, weights, rescale};
        init.append(queries, negInf);
        init.append(queries, floatConstant(lb, loc, ct, 0.0));
        auto keyLoop = l.forLoop(
            blocks, init,
            [&](TensorBuilder &kb, Value block, ValueRange carried) {
              ImplicitLocOpBuilder &sb = kb.b;
              Value j0 = arith::MulIOp::create(sb, block, index(sb, keys));
              SmallVector<Value> acc = scoreTile.zeros(sb, ct);
              acc = accumulateTile(
                  sb, scoreTile, i0, j0, sb.getIndexAttr(n),
                  [&](ImplicitLocOpBuilder &eb, Value i, Value c) {
                    Value row = arith::MinUIOp::create(eb, i, lastQuery);
                    return element(eb, q, ValueRange{bi, row, hq, c});
                  },
                  [&](ImplicitLocOpBuilder &eb, Value c, Value j) {
                    return readRow(eb, kT, {bi, hk, c, j}, scoreTile.lanes, ct);
                  },
                  acc);
              Value scaleVector = vector::BroadcastOp::create(
                  sb, scoreVector, floatConstant(sb, sb.getLoc(), ct, scale));
              Value masked = vector::BroadcastOp::create(
                  sb, scoreVector,
                  softmax ? negInf : floatConstant(sb, sb.getLoc(), ct, 0.0));
              Value srcVector = vector::BroadcastOp::create(sb, indexVector,
                                                            i64(sb, srcIndex));
              SmallVector<Value> next = {Value(), carried[1], carried[2]};
              SmallVector<Value> maxima, sums;
              for (int64_t r = 0; r < queries; ++r) {
                Value i = arith::AddIOp::create(sb, i0, index(sb, r));
                Value iVector =
                    vector::BroadcastOp::create(sb, indexVector, i64(sb, i));
                SmallVector<Value> valid;
                Value rowMax = carried[3 + r];
                for (int64_t c = 0; c < scoreTile.vecs; ++c) {
                  Value cols = arith::AddIOp::create(
                      sb, iota,
                      vector::BroadcastOp::create(
                          sb, indexVector,
                          i64(sb,
                              arith::AddIOp::create(
                                  sb, j0, index(sb, c * scoreTile.lanes)))));
                  Value ok = arith::CmpIOp::create(
                      sb, arith::CmpIPredicate::slt, cols, srcVector);
                  if (causal)
                    ok = arith::AndIOp::create(
                        sb, ok,
                        arith::CmpIOp::create(sb, arith::CmpIPredicate::sle,
                                              cols, iVector));
                  valid.push_back(ok);
                  Value &s = acc[r * scoreTile.vecs + c];
                  s = arith::SelectOp::create(
                      sb, ok, arith::MulFOp::create(sb, s, scaleVector),
                      masked);
                  if (softmax)
                    rowMax = arith::MaximumFOp::create(
                        sb, rowMax,
                        vector::ReductionOp::create(
                            sb, vector::CombiningKind::MAXIMUMF, s));
                }
                Value correction;
                if (softmax) {
                  correction = math::ExpOp::create(
                      sb, arith::SubFOp::create(sb, carried[3 + r], rowMax));
                  Value maxVector =
                      vector::BroadcastOp::create(sb, scoreVector, rowMax);
                  Value sum;
                  for (int64_t c = 0; c < scoreTile.vecs; ++c) {
                    Value &s = acc[r * scoreTile.vecs + c];
                    s = arith::SelectOp::create(
                        sb, valid[c],
                        math::ExpOp::create(
                            sb, arith::SubFOp::create(sb, s, maxVector)),
                        zeroScores);
                    Value part = vector::ReductionOp::create(
                        sb, vector::CombiningKind::ADD, s,
                        arith::FastMathFlags::reassoc);
                    sum = sum ? arith::AddFOp::create(sb, sum, part) : part;
                  }
                  sums.push_back(arith::AddFOp::create(
                      sb,
                      arith::MulFOp::create(sb, carried[3 + queries + r],
                                            correction),
                      sum));
                  maxima.push_back(rowMax);
                  next[2] = tensor::InsertOp::create(sb, correction, next[2],
                                                     index(sb, r));
                }
                for (int64_t c = 0; c < scoreTile.vecs; ++c)
                  next[1] =
                      writeRow(sb, acc[r * scoreTile.vecs + c], next[1],
                               {index(sb, r), index(sb, c * scoreTile.lanes)});
              }
              // Keys of the block that any of its queries sees and, under
              // the causal mask, those that all of them see (up to i0; the
              // block starts at or before i0); the rest count for a row by
              // a select, so that a masked value (NaN or Inf, say) never
              // reaches it.
              SmallVector<Value> bounds = {
                  index(sb, keys), arith::SubIOp::create(sb, srcIndex, j0)};
              Value seen = arith::MinUIOp::create(sb, bounds[0], bounds[1]);
              Value seenByAll = seen;
              if (causal) {
                seen = arith::MinUIOp::create(
                    sb, seen,
                    arith::SubIOp::create(
                        sb, arith::AddIOp::create(sb, i0, index(sb, queries)),
                        j0));
                seenByAll = arith::MinUIOp::create(
                    sb, seen,
                    arith::SubIOp::create(
                        sb, arith::AddIOp::create(sb, i0, index(sb, 1)), j0));
              }
              next[0] = forEachTile(
                  sb, outTile, queries, p, carried[0],
                  [&](ImplicitLocOpBuilder &tb, Value m0, Value c0,
                      ValueRange outs) {
                    SmallVector<Value> sumsOut;
                    for (int64_t r = 0; r < outTile.rows; ++r) {
                      Value row = arith::AddIOp::create(tb, m0, index(tb, r));
                      Value factor;
                      if (softmax)
                        factor = vector::BroadcastOp::create(
                            tb, outVector,
                            tensor::ExtractOp::create(tb, next[2], row));
                      for (int64_t c = 0; c < outTile.vecs; ++c) {
                        Value col = arith::AddIOp::create(
                            tb, c0, index(tb, c * outTile.lanes));
                        Value old =
                            readRow(tb, outs[0], {row, col}, outTile.lanes, ct);
                        sumsOut.push_back(
                            softmax ? arith::MulFOp::create(tb, old, factor)
                                          .getResult()
                                    : old);
                      }
                    }
                    auto weightAt = [&](ImplicitLocOpBuilder &eb, Value r,
                                        Value j) {
                      return tensor::ExtractOp::create(eb, next[1],
                                                       ValueRange{r, j})
                          .getResult();
                    };
                    auto valueAt = [&](ImplicitLocOpBuilder &eb, Value j,
                                       Value c) {
                      Value key = arith::AddIOp::create(eb, j0, j);
                      return readRow(eb, v, {bi, key, hv, c}, outTile.lanes,
                                     ct);
                    };
                    sumsOut = accumulateTile(tb, outTile, m0, c0, seenByAll,
                                             weightAt, valueAt, sumsOut);
                    if (causal)
                      sumsOut = accumulateTile(
                          tb, outTile, m0, c0, seen, weightAt, valueAt, sumsOut,
                          [&](ImplicitLocOpBuilder &eb, Value r,
                              Value j) -> Value {
                            return arith::CmpIOp::create(
                                eb, arith::CmpIPredicate::ule,
                                arith::AddIOp::create(eb, j0, j),
                                arith::AddIOp::create(eb, i0, r));
                          },
                          seenByAll);
                    return SmallVector<Value>{
                        outTile.store(tb, sumsOut, outs[0], m0, c0)};
                  })[0];
              if (softmax) {
                next.append(maxima);
                next.append(sums);
              } else {
                next.append(carried.begin() + 3, carried.end());
              }
              return next;
            });

        // This block's rows of y (the normalizers into a tensor to index).
        Value normalizers = scratch(lb, {queries}, ct);
        for (int64_t r = 0; r < queries; ++r)
          normalizers =
              tensor::InsertOp::create(lb, keyLoop.getResult(3 + queries + r),
                                       normalizers, index(lb, r));
        OpFoldResult rows = affine::makeComposedFoldedAffineMin(
            lb, loc,
            AffineMap::get(0, 2, {getAffineConstantExpr(queries, ctx), s0 - s1},
                           ctx),
            {len, i0});
        SmallVector<OpFoldResult> offsets = {bi, i0, hi, lb.getIndexAttr(0)};
        SmallVector<OpFoldResult> sizes = {
            lb.getIndexAttr(1), rows, lb.getIndexAttr(1), lb.getIndexAttr(p)};
        std::optional<int64_t> staticRows = getConstantIntValue(rows);
        Value slot = tensor::ExtractSliceOp::create(
            lb,
            RankedTensorType::get(
                {staticRows ? *staticRows : ShapedType::kDynamic, p}, yElement),
            yOut, offsets, sizes, unit4);
        // Row by row, in pieces of one register (a whole row of a long p
        // is slow to compile).
        slot =
            l.forLoop(
                 rows, slot,
                 [&](TensorBuilder &rb, Value r, ValueRange carried) {
                   Value sum;
                   if (softmax)
                     sum = tensor::ExtractOp::create(rb.b, normalizers, r);
                   return SmallVector<Value>(
                       rb.forLoop(
                             rb.b.getIndexAttr(p / outTile.lanes), carried,
                             [&](TensorBuilder &vb, Value v, ValueRange out) {
                               ImplicitLocOpBuilder &wb = vb.b;
                               Value at = arith::MulIOp::create(
                                   wb, v, index(wb, outTile.lanes));
                               Value row = readRow(wb, keyLoop.getResult(0),
                                                   {r, at}, outTile.lanes, ct);
                               if (softmax)
                                 row = normalize(wb, wb.getLoc(), row, sum);
                               return SmallVector<Value>{
                                   writeRow(wb, row, out[0], {r, at})};
                             })
                           .getResults());
                 })
                .getResult(0);
        insertInParallel(lb, {{slot, yOut, offsets, sizes}});
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
    auto [y, state] = s.isEmpty() ? buildEmptyScan(b, s)
                      : reference ? buildRecurrence(b, s, ct)
                                  : buildVectorRecurrence(b, s, ct);
    return {y, state};
  }

  SmallVector<Value> lower(ImplicitLocOpBuilder &b, ChunkedScanOp op,
                           ChunkedScanOp::Adaptor adaptor, Type ct) const {
    // The plain definition of a chunked scan is the recurrence.
    ScanOperands s = ScanOperands::get(op, adaptor);
    auto [y, state] =
        s.isEmpty() ? buildEmptyScan(b, s)
        : reference ? buildRecurrence(b, s, ct)
        : s.diagonal
            ? buildDiagonalChunked(b, s, op.getChunkSizeAttr().getInt(), ct)
            : buildTiledChunked(b, s, op.getChunkSizeAttr().getInt(), ct);
    return {y, state};
  }

  SmallVector<Value> lower(ImplicitLocOpBuilder &b, AttentionOp op,
                           AttentionOp::Adaptor adaptor, Type ct) const {
    // No batch or no queries, statically: an empty y (the kernels' slices
    // at offset 0 of an empty dimension would not verify).
    auto qType = cast<RankedTensorType>(adaptor.getQ().getType());
    if (qType.getDimSize(0) == 0 || qType.getDimSize(1) == 0) {
      TensorBuilder g(b);
      auto yType = cast<RankedTensorType>(op.getY().getType());
      Value y = g.empty({g.dim(adaptor.getQ(), 0), g.dim(adaptor.getQ(), 1),
                         b.getIndexAttr(yType.getDimSize(2)),
                         b.getIndexAttr(yType.getDimSize(3))},
                        yType.getElementType());
      return {g.castTo(y, yType)};
    }
    if (!reference && op.getMask() != Mask::Semiseparable)
      return {buildTiledAttention(b, op, adaptor.getQ(), adaptor.getK(),
                                  adaptor.getV(), ct)};
    auto build = reference ? buildAttention : buildSemiseparableAttention;
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
