//===- RegisterTileTest.cpp - Register tiles sized to the target ----------===//
//
// The tile shapes of both x86-64 levels, that no tile holds more
// accumulators than half the register file, and the IR the tile builders
// make: one fused multiply-add per accumulator and step, one load per
// vector of B, one transpose of one register square.
//
//===----------------------------------------------------------------------===//

#include "KernelTestUtils.h"

#include "interact/Kernels/RegisterTile.h"
#include "interact/Kernels/VectorOps.h"
#include "interact/Target/Target.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::kernels;

namespace {

TEST(KernelConfigTest, FromTheTargetTable) {
  MLIRContext ctx;
  Type f32 = Float32Type::get(&ctx), bf16 = BFloat16Type::get(&ctx),
       f64 = Float64Type::get(&ctx);
  std::string error;
  FailureOr<Target> v3 = lookupTarget("x86-64-v3", error);
  FailureOr<Target> v4 = lookupTarget("x86-64-v4", error);
  ASSERT_TRUE(succeeded(v3) && succeeded(v4)) << error;
  KernelConfig avx2 = KernelConfig::get(*v3), avx512 = KernelConfig::get(*v4);
  EXPECT_EQ(avx2.lanes(f32), 8);
  EXPECT_EQ(avx2.lanes(bf16), 16);
  EXPECT_EQ(avx2.lanes(f64), 4);
  EXPECT_EQ(avx2.accumulatorRegisters(), 8);
  EXPECT_EQ(avx512.lanes(f32), 16);
  EXPECT_EQ(avx512.accumulatorRegisters(), 16);
}

TEST(RegisterTileTest, ProductTilesOfBothLevels) {
  MLIRContext ctx;
  Type f32 = Float32Type::get(&ctx);
  struct Case {
    KernelConfig config;
    int64_t m, n, rows, vecs, lanes;
  };
  const Case cases[] = {
      // AVX-512: the shapes the kernels were tuned with.
      {kAVX512, 64, 64, 4, 4, 16},
      {kAVX512, 64, 32, 8, 2, 16},
      // AVX2: 8-lane vectors, half as many accumulators.
      {kAVX2, 64, 64, 4, 2, 8},
      {kAVX2, 64, 16, 4, 2, 8},
      // Rows divide M, vectors of lanes divide N.
      {kAVX2, 6, 12, 6, 1, 4},
  };
  for (const Case &c : cases) {
    RegisterTile t = RegisterTile::forProduct(c.config, c.m, c.n, f32);
    EXPECT_EQ(t.rows, c.rows) << c.m << " x " << c.n;
    EXPECT_EQ(t.vecs, c.vecs) << c.m << " x " << c.n;
    EXPECT_EQ(t.lanes, c.lanes) << c.m << " x " << c.n;
  }
}

TEST(RegisterTileTest, NoTileOutgrowsHalfTheRegisters) {
  MLIRContext ctx;
  Type f32 = Float32Type::get(&ctx);
  for (KernelConfig config : {kAVX2, kAVX512})
    for (int64_t m : {1, 3, 8, 17, 64, 128})
      for (int64_t n : {1, 8, 24, 64, 96, 512}) {
        RegisterTile t = RegisterTile::forProduct(config, m, n, f32);
        EXPECT_LE(t.accumulators(), config.accumulatorRegisters());
        EXPECT_LE(t.lanes, config.lanes(f32));
        EXPECT_EQ(m % t.rows, 0);
        EXPECT_EQ(n % t.columns(), 0);
      }
}

TEST(RegisterTileTest, ScoreTiles) {
  MLIRContext ctx;
  Type f32 = Float32Type::get(&ctx);
  RegisterTile v4 = RegisterTile::forScores(kAVX512, f32);
  EXPECT_EQ(v4.rows, 8);
  EXPECT_EQ(v4.columns(), 32);
  RegisterTile v3 = RegisterTile::forScores(kAVX2, f32);
  EXPECT_EQ(v3.rows, 4);
  EXPECT_EQ(v3.vecs, 2);
  EXPECT_EQ(v3.columns(), 16);
  // Accumulators, two rows of K^T and one broadcast query element fit.
  EXPECT_LE(v3.accumulators() + v3.vecs + 1, 14);
}

TEST(RegisterTileTest, RecurrenceTiles) {
  MLIRContext ctx;
  Type f32 = Float32Type::get(&ctx);
  RecurrenceTile v4 = RecurrenceTile::get(kAVX512, 64, 128, f32);
  EXPECT_EQ(v4.lanes, 16);
  EXPECT_EQ(v4.columns, 16);
  EXPECT_EQ(v4.partials, 4);
  // AVX2: two registers of p, four columns, one partial sum.
  RecurrenceTile v3 = RecurrenceTile::get(kAVX2, 64, 128, f32);
  EXPECT_EQ(v3.lanes, 16);
  EXPECT_EQ(v3.columns, 4);
  EXPECT_EQ(v3.partials, 1);
  // One register where p has no two: 8 columns, two sums.
  RecurrenceTile narrow = RecurrenceTile::get(kAVX2, 8, 128, f32);
  EXPECT_EQ(narrow.lanes, 8);
  EXPECT_EQ(narrow.columns, 8);
  EXPECT_EQ(narrow.partials, 2);
  // Columns divide n.
  EXPECT_EQ(RecurrenceTile::get(kAVX2, 64, 12, f32).columns, 4);
  EXPECT_EQ(RecurrenceTile::get(kAVX2, 8, 12, f32).columns, 6);
  EXPECT_EQ(RecurrenceTile::get(kAVX512, 64, 12, f32).columns, 12);
  // Two registers only where they fill as many accumulators.
  EXPECT_EQ(RecurrenceTile::get(kAVX2, 64, 7, f32).columns, 7);
  EXPECT_EQ(RecurrenceTile::get(kAVX2, 64, 7, f32).lanes, 8);
  EXPECT_EQ(RecurrenceTile::get(kAVX2, 4, 9, f32).lanes, 4);
}

using TileBuildTest = KernelTest;

/// C += A B over a 4 x 16 tile on AVX2: one loop over k carrying the
/// tile's 8 accumulators, 2 rows of B read, 4 broadcasts and 8 fused
/// multiply-adds per k.
TEST_F(TileBuildTest, AccumulateTileBuildsOneFmaPerAccumulator) {
  auto aType = RankedTensorType::get({4, 32}, f32);
  auto bType = RankedTensorType::get({32, 16}, f32);
  auto cType = RankedTensorType::get({4, 16}, f32);
  ImplicitLocOpBuilder &b = startFunction({aType, bType, cType}, {cType});
  Value a = function.getArgument(0), bm = function.getArgument(1),
        c = function.getArgument(2);
  RegisterTile tile = RegisterTile::forProduct(kAVX2, 4, 16, f32);
  ASSERT_EQ(tile.rows, 4);
  ASSERT_EQ(tile.vecs, 2);
  Value zero = arith::ConstantIndexOp::create(b, 0);
  SmallVector<Value> acc = tile.zeros(b, f32);
  acc = accumulateTile(
      b, tile, zero, zero, b.getIndexAttr(32),
      [&](ImplicitLocOpBuilder &eb, Value m, Value k) -> Value {
        return tensor::ExtractOp::create(eb, a, ValueRange{m, k});
      },
      [&](ImplicitLocOpBuilder &eb, Value k, Value n) {
        return readRow(eb, kAVX2, bm, {k, n}, tile.lanes, f32);
      },
      acc);
  Value out = tile.store(b, kAVX2, acc, c, zero, zero);
  ASSERT_TRUE(succeeded(finish(out)));
  VectorType lane = VectorType::get({8}, f32);
  EXPECT_EQ(count("scf.for"), 1);
  auto loop = *function.getOps<scf::ForOp>().begin();
  EXPECT_EQ(loop.getNumResults(), 8u);
  EXPECT_EQ(count("vector.fma", lane), 8);
  EXPECT_EQ(count("vector.transfer_read", lane), 2);
  EXPECT_EQ(count("vector.broadcast", lane), 4);
  EXPECT_EQ(count("vector.transfer_write"), 8);
  EXPECT_EQ(count("arith.select"), 0);
}

/// With a visibility predicate every sum is kept by a select.
TEST_F(TileBuildTest, AccumulateTileSelectsMaskedPairs) {
  auto aType = RankedTensorType::get({4, 8}, f32);
  auto bType = RankedTensorType::get({8, 8}, f32);
  ImplicitLocOpBuilder &b = startFunction({aType, bType}, {});
  Value a = function.getArgument(0), bm = function.getArgument(1);
  RegisterTile tile{4, 1, 8};
  Value zero = arith::ConstantIndexOp::create(b, 0);
  accumulateTile(
      b, tile, zero, zero, b.getIndexAttr(8),
      [&](ImplicitLocOpBuilder &eb, Value m, Value k) -> Value {
        return tensor::ExtractOp::create(eb, a, ValueRange{m, k});
      },
      [&](ImplicitLocOpBuilder &eb, Value k, Value n) {
        return readRow(eb, kAVX2, bm, {k, n}, 8, f32);
      },
      tile.zeros(b, f32),
      [](ImplicitLocOpBuilder &eb, Value m, Value k) -> Value {
        return arith::CmpIOp::create(eb, arith::CmpIPredicate::ule, k, m);
      });
  ASSERT_TRUE(succeeded(finish({})));
  EXPECT_EQ(count("arith.cmpi"), 4);
  EXPECT_EQ(count("arith.select"), 4);
}

/// The tile loops of an 8 x 32 product in 4 x 16 tiles: 2 x 2 tiles.
TEST_F(TileBuildTest, ForEachTileWalksTheTiles) {
  auto type = RankedTensorType::get({8, 32}, f32);
  ImplicitLocOpBuilder &b = startFunction({type}, {type});
  RegisterTile tile{4, 2, 8};
  int64_t bodies = 0;
  Value out = forEachTile(
      b, tile, 8, 32, function.getArgument(0),
      [&](ImplicitLocOpBuilder &, Value, Value, ValueRange carried) {
        ++bodies;
        return SmallVector<Value>(carried);
      })[0];
  ASSERT_TRUE(succeeded(finish(out)));
  EXPECT_EQ(bodies, 1);
  EXPECT_EQ(constantTripCounts(), (SmallVector<int64_t>{2, 2}));
}

/// One transpose of one register square per target.
TEST_F(TileBuildTest, TransposeBlockIsOneRegisterSquare) {
  for (KernelConfig config : {kAVX2, kAVX512}) {
    int64_t side = transposeBlockSize(config, f32);
    auto type = RankedTensorType::get({side, side}, f32);
    ImplicitLocOpBuilder &b = startFunction({type}, {});
    Value zero = arith::ConstantIndexOp::create(b, 0);
    SmallVector<Value> columns =
        transposeBlock(b, side, side, f32, [&](int64_t j) {
          return readRow(b, config, function.getArgument(0),
                         {arith::ConstantIndexOp::create(b, j), zero}, side,
                         f32);
        });
    ASSERT_TRUE(succeeded(finish({})));
    EXPECT_EQ(static_cast<int64_t>(columns.size()), side);
    VectorType square = VectorType::get({side, side}, f32);
    EXPECT_EQ(count("vector.transpose", square), 1);
    EXPECT_EQ(count("vector.extract", VectorType::get({side}, f32)), side);
  }
  EXPECT_EQ(transposeBlockSize(kAVX2, f32), 8);
  EXPECT_EQ(transposeBlockSize(kAVX512, f32), 16);
}

} // namespace
