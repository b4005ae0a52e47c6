//===- VectorOps.cpp - Rows, pieces and maps of register-wide vectors -----===//

#include "interact/Kernels/VectorOps.h"

#include "interact/Utils/TensorBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::kernels;

Value kernels::constantIndex(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIndexOp::create(b, value);
}

Value kernels::zeroVector(ImplicitLocOpBuilder &b, VectorType type) {
  return arith::ConstantOp::create(
      b, DenseElementsAttr::get(type, b.getZeroAttr(type.getElementType())));
}

Value kernels::laneIndices(ImplicitLocOpBuilder &b, int64_t lanes) {
  SmallVector<int64_t> offsets;
  for (int64_t i = 0; i < lanes; ++i)
    offsets.push_back(i);
  return arith::ConstantOp::create(
      b, DenseElementsAttr::get(VectorType::get({lanes}, b.getI64Type()),
                                ArrayRef<int64_t>(offsets)));
}

int64_t kernels::lanesFor(const KernelConfig &config, int64_t size, Type ct) {
  int64_t lanes = config.lanes(ct);
  while (lanes > 1 && size % lanes != 0)
    lanes /= 2;
  return lanes;
}

Value kernels::castRow(ImplicitLocOpBuilder &b, const KernelConfig &config,
                       Value row, VectorType to) {
  auto from = cast<VectorType>(row.getType());
  if (from == to)
    return row;
  int64_t size = from.getDimSize(0);
  int64_t piece = config.lanes(
      std::max(from.getElementTypeBitWidth(), to.getElementTypeBitWidth()));
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

Value kernels::readRow(ImplicitLocOpBuilder &b, const KernelConfig &config,
                       Value tensor, ValueRange indices, int64_t size, Type ct,
                       std::optional<unsigned> dim) {
  auto type = cast<RankedTensorType>(tensor.getType());
  unsigned rank = type.getRank();
  Value pad =
      arith::ConstantOp::create(b, b.getZeroAttr(type.getElementType()));
  AffineMap along = AffineMap::get(
      rank, 0, getAffineDimExpr(dim.value_or(rank - 1), b.getContext()));
  Value row = vector::TransferReadOp::create(
      b, VectorType::get({size}, type.getElementType()), tensor, indices, pad,
      along, ArrayRef<bool>{true});
  return castRow(b, config, row, VectorType::get({size}, ct));
}

Value kernels::writeRow(ImplicitLocOpBuilder &b, const KernelConfig &config,
                        Value row, Value tensor, ValueRange indices) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto rowType = cast<VectorType>(row.getType());
  Value cast =
      castRow(b, config, row,
              VectorType::get(rowType.getShape(), type.getElementType()));
  return vector::TransferWriteOp::create(b, cast, tensor, indices,
                                         ArrayRef<bool>{true})
      .getResult();
}

Value kernels::scratch(ImplicitLocOpBuilder &b, ArrayRef<int64_t> shape,
                       Type ct) {
  return bufferization::AllocTensorOp::create(
      b, RankedTensorType::get(shape, ct), ValueRange{});
}

void kernels::insertInParallel(ImplicitLocOpBuilder &b,
                               ArrayRef<ParallelInsert> inserts) {
  auto inParallel = scf::InParallelOp::create(b);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(inParallel.getBody());
  for (const ParallelInsert &insert : inserts)
    tensor::ParallelInsertSliceOp::create(
        b, insert.slice, insert.into, insert.offsets, insert.sizes,
        SmallVector<OpFoldResult>(insert.sizes.size(), b.getIndexAttr(1)));
}

Value kernels::normalize(OpBuilder &b, Location loc, Value row, Value sum) {
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

namespace {

/// One vectorMap task: the chunk of `length` elements from `c0` of `flat`,
/// whole vectors first, then the remainder by scalars, into `out`.
Value mapChunk(ImplicitLocOpBuilder &lb, const KernelConfig &config, Value flat,
               Value c0, Value length, Value out, Type ct,
               function_ref<Value(OpBuilder &, Location, Value)> fn) {
  TensorBuilder l(lb);
  int64_t lanes = config.lanes(ct);
  auto index = [](ImplicitLocOpBuilder &ib, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(ib, v);
  };
  Value vectors = arith::DivUIOp::create(lb, length, index(lb, lanes));
  Value done =
      l.forLoop(vectors, out, [&](TensorBuilder &vb, Value v, ValueRange into) {
         ImplicitLocOpBuilder &eb = vb.b;
         Value at = arith::MulIOp::create(eb, v, index(eb, lanes));
         Value row = readRow(eb, config, flat,
                             {arith::AddIOp::create(eb, c0, at)}, lanes, ct);
         return SmallVector<Value>{
             writeRow(eb, config, fn(eb, eb.getLoc(), row), into[0], {at})};
       }).getResult(0);
  Value first = arith::MulIOp::create(lb, vectors, index(lb, lanes));
  return l
      .forLoop(
          arith::SubIOp::create(lb, length, first).getResult(), done,
          [&](TensorBuilder &vb, Value i, ValueRange into) {
            ImplicitLocOpBuilder &eb = vb.b;
            Value at = arith::AddIOp::create(eb, first, i);
            Value value = castFloat(
                eb, eb.getLoc(),
                tensor::ExtractOp::create(
                    eb, flat, ValueRange{arith::AddIOp::create(eb, c0, at)}),
                ct);
            return SmallVector<Value>{tensor::InsertOp::create(
                eb, fn(eb, eb.getLoc(), value), into[0], at)};
          })
      .getResult(0);
}

} // namespace

Value kernels::vectorMap(ImplicitLocOpBuilder &b, const KernelConfig &config,
                         Value tensor, Type ct,
                         function_ref<Value(OpBuilder &, Location, Value)> fn) {
  TensorBuilder g(b);
  auto type = cast<RankedTensorType>(tensor.getType());
  ReassociationIndices all;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i)
    all.push_back(i);
  Value flat = tensor::CollapseShapeOp::create(
      b, tensor, SmallVector<ReassociationIndices>{all});
  OpFoldResult size = g.dim(flat, 0);
  AffineExpr s0 = b.getAffineSymbolExpr(0);
  OpFoldResult chunks = affine::makeComposedFoldedAffineApply(
      b, b.getLoc(), s0.ceilDiv(kMapChunk), {size});
  Value total = g.index(size);
  auto forall = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{chunks}, ValueRange{g.empty({size}, ct)},
      std::nullopt, [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder lb(loc, nb);
        Value chunk = arith::ConstantIndexOp::create(lb, kMapChunk);
        Value c0 = arith::MulIOp::create(lb, args[0], chunk);
        Value length = arith::MinUIOp::create(
            lb, chunk, arith::SubIOp::create(lb, total, c0));
        SmallVector<OpFoldResult> offsets = {c0}, sizes = {length};
        SmallVector<OpFoldResult> strides = {lb.getIndexAttr(1)};
        Value slice = tensor::ExtractSliceOp::create(
            lb, RankedTensorType::get({ShapedType::kDynamic}, ct), args[1],
            offsets, sizes, strides);
        Value done = mapChunk(lb, config, flat, c0, length, slice, ct, fn);
        insertInParallel(lb, {{done, args[1], offsets, sizes}});
      });
  return forall.getResult(0);
}

Value kernels::softmaxExp2(ImplicitLocOpBuilder &b, Value x) {
  auto type = cast<VectorType>(x.getType());
  assert(type.getElementType().isF32() && "the polynomial is for f32");
  auto splat = [&](VectorType of, Attribute value) -> Value {
    return arith::ConstantOp::create(
        b, of, DenseElementsAttr::get(of, ArrayRef<Attribute>{value}));
  };
  auto real = [&](double value) {
    return splat(type, b.getF32FloatAttr(value));
  };
  VectorType intType = type.clone(b.getI32Type());
  // maximumf: -inf becomes -125 (whose 2^n keeps the result normal); NaN
  // stays NaN.
  x = arith::MaximumFOp::create(b, x, real(-125.0));
  Value n = math::RoundEvenOp::create(b, x);
  Value f = arith::SubFOp::create(b, x, n);
  // 2^f = 1 + f P(f) on [-1/2, 1/2], P of degree 4: a minimax fit with the
  // constant term held at 1 (exact at f = 0), relative error 9.1e-8, 1.6e-7
  // evaluated in f32.
  static constexpr double kP[] = {1.3264727161155405e-3, 9.671512837645058e-3,
                                  5.5507337451965094e-2, 2.4022242082259965e-1,
                                  6.931469775969831e-1};
  Value poly = real(kP[0]);
  for (double c : ArrayRef<double>(kP).drop_front())
    poly = math::FmaOp::create(b, poly, f, real(c));
  poly = math::FmaOp::create(b, poly, f, real(1.0));
  // Times 2^n, n in [-125, 127], by adding n to the exponent field: the
  // result stays a normal float (poly is in [2^-1/2, 2^1/2]).
  Value shift = arith::ShLIOp::create(b, arith::FPToSIOp::create(b, intType, n),
                                      splat(intType, b.getI32IntegerAttr(23)));
  Value bits = arith::AddIOp::create(
      b, arith::BitcastOp::create(b, intType, poly), shift);
  return arith::BitcastOp::create(b, type, bits);
}
