//===- VectorOpsTest.cpp - Rows, pieces, maps and time splits -------------===//
//
// The row vocabulary builds vectors one register wide for the target: a
// long row converts in register-wide pieces, a map walks its tensor by
// registers, a state moves by columns in pieces of one register, and time
// splits into padded chunks.
//
//===----------------------------------------------------------------------===//

#include "KernelTestUtils.h"

#include "interact/Kernels/StateColumns.h"
#include "interact/Kernels/TimeSplit.h"
#include "interact/Kernels/VectorOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::kernels;

namespace {

using VectorOpsTest = KernelTest;

TEST(LanesForTest, LargestPowerOfTwoUpToOneRegister) {
  MLIRContext ctx;
  Type f32 = Float32Type::get(&ctx), f64 = Float64Type::get(&ctx);
  EXPECT_EQ(lanesFor(kAVX2, 64, f32), 8);
  EXPECT_EQ(lanesFor(kAVX512, 64, f32), 16);
  EXPECT_EQ(lanesFor(kAVX512, 24, f32), 8);
  EXPECT_EQ(lanesFor(kAVX2, 12, f32), 4);
  EXPECT_EQ(lanesFor(kAVX2, 7, f32), 1);
  EXPECT_EQ(lanesFor(kAVX2, 64, f64), 4);
}

/// A bf16 row of 64 read as f32 converts one register of f32 at a time:
/// 8 pieces on AVX2, 4 on AVX-512.
TEST_F(VectorOpsTest, ReadRowConvertsByRegisters) {
  Type bf16 = BFloat16Type::get(&context);
  for (auto [config, pieces] :
       {std::pair{kAVX2, int64_t(8)}, std::pair{kAVX512, int64_t(4)}}) {
    auto type = RankedTensorType::get({2, 64}, bf16);
    ImplicitLocOpBuilder &b = startFunction({type}, {type});
    Value zero = arith::ConstantIndexOp::create(b, 0);
    Value row =
        readRow(b, config, function.getArgument(0), {zero, zero}, 64, f32);
    EXPECT_EQ(row.getType(), VectorType::get({64}, f32));
    Value written = writeRow(b, config, row, function.getArgument(0),
                             {arith::ConstantIndexOp::create(b, 1), zero});
    ASSERT_TRUE(succeeded(finish(written)));
    int64_t lanes = config.lanes(f32);
    // Read: pieces of bf16 widened; write: pieces of f32 narrowed.
    EXPECT_EQ(
        count("vector.extract_strided_slice", VectorType::get({lanes}, bf16)),
        pieces);
    EXPECT_EQ(
        count("vector.extract_strided_slice", VectorType::get({lanes}, f32)),
        pieces);
    EXPECT_EQ(count("arith.extf"), pieces);
    EXPECT_EQ(count("arith.truncf"), pieces);
  }
}

/// A row of one register converts at once.
TEST_F(VectorOpsTest, ShortRowsConvertAtOnce) {
  Type bf16 = BFloat16Type::get(&context);
  auto type = RankedTensorType::get({8}, bf16);
  ImplicitLocOpBuilder &b = startFunction({type}, {});
  Value row = readRow(b, kAVX2, function.getArgument(0),
                      {arith::ConstantIndexOp::create(b, 0)}, 8, f32);
  ASSERT_TRUE(succeeded(finish({})));
  EXPECT_EQ(row.getType(), VectorType::get({8}, f32));
  EXPECT_EQ(count("vector.extract_strided_slice"), 0);
  EXPECT_EQ(count("arith.extf"), 1);
}

/// vectorMap: one scf.forall over chunks, vectors of one register, a
/// scalar remainder loop, `fn` applied to a vector and to a scalar.
TEST_F(VectorOpsTest, VectorMapWalksByRegisters) {
  auto type = RankedTensorType::get({ShapedType::kDynamic, 3}, f32);
  ImplicitLocOpBuilder &b = startFunction(
      {type}, {RankedTensorType::get({ShapedType::kDynamic}, f32)});
  Value mapped = vectorMap(b, kAVX2, function.getArgument(0), f32,
                           [](OpBuilder &nb, Location loc, Value v) {
                             return math::ExpOp::create(nb, loc, v);
                           });
  ASSERT_TRUE(succeeded(finish(mapped)));
  EXPECT_EQ(count("scf.forall"), 1);
  EXPECT_EQ(count("scf.for"), 2);
  EXPECT_EQ(count("math.exp", VectorType::get({8}, f32)), 1);
  EXPECT_EQ(count("math.exp", f32), 1);
  EXPECT_EQ(count("tensor.collapse_shape"), 1);
}

/// A state's columns, read from [p, n] in pieces of one register of p.
TEST_F(VectorOpsTest, StateColumnsByRegisterPieces) {
  auto state = RankedTensorType::get({1, 2, 32, 4}, f32);
  auto tile = RankedTensorType::get({32, 4}, f32);
  ImplicitLocOpBuilder &b = startFunction({state, tile}, {tile});
  Value zero = arith::ConstantIndexOp::create(b, 0);
  Value columns = stateColumns(b, kAVX2, function.getArgument(0), zero, zero,
                               zero, /*n=*/4, /*width=*/32, f32);
  EXPECT_EQ(columns.getType(), RankedTensorType::get({4, 32}, f32));
  Value back = writeStateColumns(b, kAVX2, columns, function.getArgument(1));
  ASSERT_TRUE(succeeded(finish(back)));
  // 4 columns x 4 pieces of 8, each loop one piece per iteration.
  EXPECT_EQ(constantTripCounts(), (SmallVector<int64_t>{16, 16}));
  EXPECT_EQ(count("vector.transfer_read", VectorType::get({8}, f32)), 2);
}

/// Time split into chunks: 100 steps in chunks of 64 are 2 chunks padded
/// to 128, split into (2, 64) and cut back to 100.
TEST_F(VectorOpsTest, ChunkedTimePadsAndSplits) {
  auto type = RankedTensorType::get({1, 100, 2}, f32);
  ImplicitLocOpBuilder &b = startFunction({type}, {type});
  TensorBuilder g(b);
  ChunkedTime time = ChunkedTime::get(g, g.dim(function.getArgument(0), 1), 64);
  EXPECT_TRUE(time.needsPadding);
  EXPECT_EQ(getConstantIntValue(time.numChunks), 2);
  EXPECT_EQ(getConstantIntValue(time.padded), 128);
  Value padded = time.pad(g, function.getArgument(0));
  EXPECT_EQ(cast<RankedTensorType>(padded.getType()).getDimSize(1), 128);
  Value split = splitTime(g, padded, time.numChunks, 64);
  EXPECT_EQ(cast<RankedTensorType>(split.getType()).getShape(),
            (ArrayRef<int64_t>{1, 2, 64, 2}));
  Value cut = time.unpad(g, padded);
  ASSERT_TRUE(succeeded(finish(g.castTo(cut, type))));
  EXPECT_EQ(count("tensor.insert_slice"), 1);
  EXPECT_EQ(count("tensor.expand_shape"), 1);

  // Whole chunks need no padding.
  ChunkedTime whole = ChunkedTime::get(g, b.getIndexAttr(128), 64);
  EXPECT_FALSE(whole.needsPadding);
}

} // namespace
