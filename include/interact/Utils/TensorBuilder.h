//===- TensorBuilder.h - Build tensor-level linalg IR -----------*- C++ -*-===//
//
// The few builders every interact rewrite and lowering needs: linalg.generic
// with a body lambda, fills, slices at one position of a dimension, element
// type conversion. One implementation, shared.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_UTILS_TENSORBUILDER_H
#define INTERACT_UTILS_TENSORBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::interact {

namespace tensor_builder {
using utils::IteratorType;
constexpr IteratorType par = IteratorType::parallel;
constexpr IteratorType red = IteratorType::reduction;
} // namespace tensor_builder

using namespace tensor_builder;

/// Converts a float scalar or vector between widths (f16/bf16 <-> f32 <-> f64).
inline Value castFloat(OpBuilder &b, Location loc, Value value, Type to) {
  Type from = value.getType();
  if (from == to)
    return value;
  // Scalars or vectors: the element widths decide.
  if (getElementTypeOrSelf(from).getIntOrFloatBitWidth() <
      getElementTypeOrSelf(to).getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, to, value);
  return arith::TruncFOp::create(b, loc, to, value);
}

/// The float type arithmetic on `elementType` happens in: f32 for 16- and
/// 32-bit floats, f64 for f64.
inline Type computeTypeFor(Type elementType) {
  MLIRContext *ctx = elementType.getContext();
  return elementType.isF64() ? Type(Float64Type::get(ctx))
                             : Type(Float32Type::get(ctx));
}

/// Signature of a linalg.generic body: block arguments (inputs, then the
/// output) to the value yielded.
using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// Builds tensor-level IR (linalg.generic, slices, fills) at one insertion
/// point.
class TensorBuilder {
public:
  explicit TensorBuilder(ImplicitLocOpBuilder &b) : b(b), ctx(b.getContext()) {}

  ImplicitLocOpBuilder &b;
  MLIRContext *ctx;

  AffineExpr d(unsigned i) { return getAffineDimExpr(i, ctx); }

  AffineMap map(unsigned numDims, ArrayRef<AffineExpr> results) {
    return AffineMap::get(numDims, 0, results, ctx);
  }

  OpFoldResult dim(Value tensor, int64_t i) {
    return tensor::getMixedSize(b, b.getLoc(), tensor, i);
  }

  Value index(OpFoldResult ofr) {
    return getValueOrCreateConstantIndexOp(b, b.getLoc(), ofr);
  }

  Value empty(ArrayRef<OpFoldResult> sizes, Type elementType) {
    return tensor::EmptyOp::create(b, sizes, elementType);
  }

  Value filled(ArrayRef<OpFoldResult> sizes, Type elementType, double value) {
    Value scalar =
        arith::ConstantOp::create(b, b.getFloatAttr(elementType, value));
    return linalg::FillOp::create(b, scalar, empty(sizes, elementType))
        .getResult(0);
  }

  /// Builds a linalg.generic with one output.
  Value generic(ValueRange inputs, Value output, ArrayRef<AffineMap> maps,
                ArrayRef<IteratorType> iterators, BodyFn body) {
    auto op = linalg::GenericOp::create(
        b, TypeRange{output.getType()}, inputs, ValueRange{output}, maps,
        iterators, [&](OpBuilder &nb, Location loc, ValueRange args) {
          linalg::YieldOp::create(nb, loc, body(nb, loc, args));
        });
    return op.getResult(0);
  }

  /// Builds the contraction `output += lhs * rhs` in `ct` (operands converted
  /// to it) over `iterators`, the reductions summed into `output`.
  Value contract(Value lhs, Value rhs, Value output, ArrayRef<AffineMap> maps,
                 ArrayRef<IteratorType> iterators, Type ct) {
    return generic({lhs, rhs}, output, maps, iterators,
                   [&](OpBuilder &nb, Location loc, ValueRange args) {
                     Value prod = arith::MulFOp::create(
                         nb, loc, castFloat(nb, loc, args[0], ct),
                         castFloat(nb, loc, args[1], ct));
                     return arith::AddFOp::create(nb, loc, args[2], prod);
                   });
  }

  /// Returns `fn` applied to every element of `tensor`, into a tensor of
  /// `elementType`.
  Value elementwise(Value tensor, Type elementType,
                    function_ref<Value(OpBuilder &, Location, Value)> fn) {
    auto type = cast<RankedTensorType>(tensor.getType());
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0, e = type.getRank(); i < e; ++i)
      sizes.push_back(dim(tensor, i));
    AffineMap id = AffineMap::getMultiDimIdentityMap(type.getRank(), ctx);
    SmallVector<IteratorType> iterators(type.getRank(), par);
    return generic(tensor, empty(sizes, elementType), {id, id}, iterators,
                   [&](OpBuilder &nb, Location loc, ValueRange args) {
                     return fn(nb, loc, args[0]);
                   });
  }

  /// Returns `tensor` converted elementwise to `elementType`.
  Value convert(Value tensor, Type elementType) {
    if (cast<RankedTensorType>(tensor.getType()).getElementType() ==
        elementType)
      return tensor;
    return elementwise(tensor, elementType,
                       [&](OpBuilder &nb, Location loc, Value v) {
                         return castFloat(nb, loc, v, elementType);
                       });
  }

  /// Returns position `position` of `dimension` of `tensor`, with that
  /// dimension dropped.
  Value sliceAt(Value tensor, int64_t dimension, OpFoldResult position) {
    auto type = cast<RankedTensorType>(tensor.getType());
    SmallVector<OpFoldResult> offsets, sizes, strides;
    SmallVector<int64_t> shape;
    for (int64_t i = 0, e = type.getRank(); i < e; ++i) {
      offsets.push_back(i == dimension ? position : b.getIndexAttr(0));
      sizes.push_back(i == dimension ? b.getIndexAttr(1) : dim(tensor, i));
      strides.push_back(b.getIndexAttr(1));
      if (i != dimension)
        shape.push_back(type.getDimSize(i));
    }
    auto sliceType = RankedTensorType::get(shape, type.getElementType());
    return tensor::ExtractSliceOp::create(b, sliceType, tensor, offsets, sizes,
                                          strides);
  }

  /// Inserts `slice` (the rank of `dest` less one) at position `position` of
  /// `dimension` of `dest`.
  Value insertAt(Value slice, Value dest, int64_t dimension,
                 OpFoldResult position) {
    auto type = cast<RankedTensorType>(dest.getType());
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (int64_t i = 0, e = type.getRank(); i < e; ++i) {
      offsets.push_back(i == dimension ? position : b.getIndexAttr(0));
      sizes.push_back(i == dimension ? b.getIndexAttr(1) : dim(dest, i));
      strides.push_back(b.getIndexAttr(1));
    }
    return tensor::InsertSliceOp::create(b, slice, dest, offsets, sizes,
                                         strides);
  }

  /// Builds `scf.for %iv = 0 to upper step 1 iter_args(iterArgs)` whose body
  /// `body` builds with a TensorBuilder and returns the values to yield.
  scf::ForOp
  forLoop(OpFoldResult upper, ValueRange iterArgs,
          function_ref<SmallVector<Value>(TensorBuilder &, Value, ValueRange)>
              body) {
    Value zero = arith::ConstantIndexOp::create(b, 0);
    Value one = arith::ConstantIndexOp::create(b, 1);
    return scf::ForOp::create(
        b, zero, index(upper), one, iterArgs,
        [&](OpBuilder &nb, Location loc, Value iv, ValueRange args) {
          ImplicitLocOpBuilder lb(loc, nb);
          TensorBuilder inner(lb);
          scf::YieldOp::create(lb, body(inner, iv, args));
        });
  }

  /// Returns `value` cast to `type` if their static shapes differ.
  Value castTo(Value value, Type type) {
    if (value.getType() == type)
      return value;
    return tensor::CastOp::create(b, type, value);
  }
};

/// Predicate `linalg.index(first) <= linalg.index(second)` inside a body.
inline Value indexLessEqual(OpBuilder &b, Location loc, unsigned first,
                            unsigned second) {
  Value lhs = linalg::IndexOp::create(b, loc, first);
  Value rhs = linalg::IndexOp::create(b, loc, second);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, lhs, rhs);
}

// Numerics every lowering and rewrite shares (docs/Rationale.md, "Numerics").

/// `value` (a float scalar or vector) capped at the largest finite value of
/// its element type.
inline Value saturate(OpBuilder &b, Location loc, Value value) {
  Type type = value.getType();
  auto element = cast<FloatType>(getElementTypeOrSelf(type));
  TypedAttr largest =
      b.getFloatAttr(element, APFloat::getLargest(element.getFloatSemantics()));
  if (auto vector = dyn_cast<VectorType>(type))
    largest = DenseElementsAttr::get(vector, largest);
  return arith::MinimumFOp::create(b, loc, value,
                                   arith::ConstantOp::create(b, loc, largest));
}

/// exp(x) saturated at the largest finite value: a decay weight that
/// overflows (a positive log-decay sum above ln(max), 88.7 in f32) times a
/// zero state or a zero product is then zero, never inf * 0 = NaN.
inline Value boundedExp(OpBuilder &b, Location loc, Value x) {
  return saturate(b, loc, math::ExpOp::create(b, loc, x));
}

/// expm1(x) = exp(x) - 1, saturated like boundedExp. A decay applied as
/// S + expm1(a) S keeps the full relative precision of a small |a|, where
/// exp(a) rounded to f32 loses it (and the loss compounds over steps); with
/// a = -inf it is S - S, an exact zero.
inline Value boundedExpm1(OpBuilder &b, Location loc, Value x) {
  return saturate(b, loc, math::ExpM1Op::create(b, loc, x));
}

inline Value floatConstant(OpBuilder &b, Location loc, Type type,
                           double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

} // namespace mlir::interact

#endif // INTERACT_UTILS_TENSORBUILDER_H
