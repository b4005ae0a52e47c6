//===- RegisterTile.cpp - Register tiles of matrix products ---------------===//

#include "interact/Kernels/RegisterTile.h"

#include "interact/Kernels/VectorOps.h"
#include "interact/Utils/TensorBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::kernels;

/// The largest divisor of `n` in [1, most].
static int64_t largestDivisorUpTo(int64_t n, int64_t most) {
  int64_t d = std::clamp<int64_t>(n, 1, std::max<int64_t>(1, most));
  while (n % d != 0)
    --d;
  return d;
}

RegisterTile RegisterTile::forProduct(const KernelConfig &config, int64_t m,
                                      int64_t n, Type ct) {
  RegisterTile tile;
  tile.lanes = lanesFor(config, n, ct);
  int64_t vectors = n / tile.lanes;
  int64_t widest = config.registers >= 32 ? 4 : 2;
  tile.vecs = vectors % widest == 0 ? widest : vectors % 2 == 0 ? 2 : 1;
  tile.rows = largestDivisorUpTo(m, config.accumulatorRegisters() / tile.vecs);
  return tile;
}

RegisterTile RegisterTile::forScores(const KernelConfig &config, Type ct) {
  RegisterTile tile;
  tile.vecs = 2;
  tile.lanes = config.lanes(ct);
  tile.rows = std::max<int64_t>(1, config.accumulatorRegisters() / tile.vecs);
  return tile;
}

SmallVector<Value> RegisterTile::zeros(ImplicitLocOpBuilder &b, Type ct) const {
  return SmallVector<Value>(accumulators(),
                            zeroVector(b, VectorType::get({lanes}, ct)));
}

Value RegisterTile::store(ImplicitLocOpBuilder &b, const KernelConfig &config,
                          ArrayRef<Value> acc, Value out, Value m0,
                          Value n0) const {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t v = 0; v < vecs; ++v)
      out = writeRow(
          b, config, acc[r * vecs + v], out,
          {arith::AddIOp::create(b, m0, arith::ConstantIndexOp::create(b, r)),
           arith::AddIOp::create(
               b, n0, arith::ConstantIndexOp::create(b, v * lanes))});
  return out;
}

SmallVector<Value> kernels::accumulateTile(ImplicitLocOpBuilder &b,
                                           const RegisterTile &tile, Value m0,
                                           Value n0, OpFoldResult kUpper,
                                           ElementAt aAt, RowAt bAt,
                                           ValueRange acc, Visible visible,
                                           OpFoldResult kLower) {
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

SmallVector<Value> kernels::forEachTile(
    ImplicitLocOpBuilder &b, const RegisterTile &tile, int64_t m, int64_t n,
    ValueRange init,
    function_ref<SmallVector<Value>(ImplicitLocOpBuilder &, Value, Value,
                                    ValueRange)>
        body,
    function_ref<OpFoldResult(ImplicitLocOpBuilder &, Value)> columnsOfRow) {
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

int64_t kernels::transposeBlockSize(const KernelConfig &config, Type ct) {
  return config.lanes(ct);
}

SmallVector<Value> kernels::transposeBlock(ImplicitLocOpBuilder &b,
                                           int64_t rows, int64_t columns,
                                           Type ct,
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

RecurrenceTile RecurrenceTile::get(const KernelConfig &config, int64_t p,
                                   int64_t n, Type ct) {
  RecurrenceTile tile;
  tile.lanes = lanesFor(config, p, ct);
  // Two registers of p a task where 16 registers leave no room for more
  // columns, when that fills as many accumulators: each broadcast element
  // of B and C then feeds two fused multiply-adds, not one.
  int64_t accumulators = config.accumulatorRegisters();
  int64_t one = largestDivisorUpTo(n, accumulators);
  int64_t two = largestDivisorUpTo(n, accumulators / 2);
  int64_t registers =
      config.registers < 32 && p % (2 * tile.lanes) == 0 && 2 * two >= one ? 2
                                                                           : 1;
  tile.lanes *= registers;
  tile.columns = registers == 2 ? two : one;
  tile.partials =
      registers > 1 ? 1 : std::clamp<int64_t>(config.registers / 8, 1, 4);
  return tile;
}
