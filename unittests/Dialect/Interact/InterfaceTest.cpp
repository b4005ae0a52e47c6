//===- InterfaceTest.cpp - InteractOpInterface answers --------------------===//
//
// Checks what the interface answers for each op against sizes and costs
// worked out by hand from the conventions in docs/Rationale.md.
//
//===----------------------------------------------------------------------===//

#include "interact/Dialect/Interact/IR/InteractOps.h"
#include "interact/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace mlir;
using namespace mlir::interact;

namespace {

class InterfaceTest : public ::testing::Test {
protected:
  InterfaceTest() {
    DialectRegistry registry;
    interact::registerAllDialects(registry);
    registry.insert<func::FuncDialect>();
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// Parses `body` as the only op of a function with arguments `args`.
  InteractOpInterface parseOp(StringRef args, StringRef body) {
    std::string source =
        ("func.func @f(" + args + ") {\n" + body + "\n  return\n}").str();
    module = parseSourceString<ModuleOp>(source, &context);
    EXPECT_TRUE(module);
    InteractOpInterface found;
    module->walk([&](InteractOpInterface op) { found = op; });
    EXPECT_TRUE(found);
    return found;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(InterfaceTest, ScalarScan) {
  InteractOpInterface op = parseOp(
      "%x: tensor<2x64x8x32xf32>, %a: tensor<2x64x8xf32>, "
      "%b: tensor<2x64x2x16xf32>, %c: tensor<2x64x2x16xf32>",
      "%y, %s = interact.scan %x, %a, %b, %c : tensor<2x64x8x32xf32>, "
      "tensor<2x64x8xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32> -> "
      "tensor<2x64x8x32xf32>, tensor<2x8x32x16xf32>");
  EXPECT_EQ(op.getForm(), Form::Recurrent);
  EXPECT_TRUE(op.isCausal());
  EXPECT_EQ(op.getDecayKind(), DecayKind::Scalar);
  EXPECT_EQ(op.getStateSize(), std::optional<int64_t>(8 * 32 * 16));

  OperatorSizes sizes = op.getSizes();
  EXPECT_TRUE(sizes.isStatic());
  EXPECT_EQ(sizes.batch, 2);
  EXPECT_EQ(sizes.seqLen, 64);
  EXPECT_EQ(sizes.numHeads, 8);
  EXPECT_EQ(sizes.numKeyHeads, 2);
  EXPECT_EQ(sizes.headDim, 32);
  EXPECT_EQ(sizes.stateDim, 16);

  OperatorCost cost = op.getCost(sizes);
  EXPECT_DOUBLE_EQ(cost.flops, 5.0 * 2 * 8 * 64 * 32 * 16);
  // x and y: 2*64*8*32; a: 2*64*8; B and C: 2*64*2*16; final: 2*8*32*16.
  double elements = 2 * (2 * 64 * 8 * 32) + 2 * 64 * 8 + 2 * (2 * 64 * 2 * 16) +
                    2 * 8 * 32 * 16;
  EXPECT_DOUBLE_EQ(cost.bytes, 4 * elements);
}

TEST_F(InterfaceTest, DynamicDiagonalChunkedScanWithHints) {
  InteractOpInterface op = parseOp(
      "%x: tensor<?x?x4x8xbf16>, %a: tensor<?x?x4x16xf32>, "
      "%b: tensor<?x?x1x16xbf16>, %c: tensor<?x?x1x16xbf16>, "
      "%s0: tensor<?x4x8x16xf32>",
      "%y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 32 "
      ": tensor<?x?x4x8xbf16>, tensor<?x?x4x16xf32>, tensor<?x?x1x16xbf16>, "
      "tensor<?x?x1x16xbf16>, tensor<?x4x8x16xf32> -> tensor<?x?x4x8xbf16>, "
      "tensor<?x4x8x16xf32>");
  EXPECT_EQ(op.getForm(), Form::Chunked);
  EXPECT_EQ(op.getDecayKind(), DecayKind::Diagonal);
  OperatorSizes sizes = op.getSizes();
  EXPECT_FALSE(sizes.isStatic());
  OperatorSizes hinted = sizes.withHints(3, 100);
  EXPECT_TRUE(hinted.isStatic());
  EXPECT_EQ(hinted.batch, 3);
  EXPECT_EQ(hinted.seqLen, 100);
  EXPECT_EQ(hinted.srcLen, 100);

  OperatorCost cost = op.getCost(hinted);
  EXPECT_DOUBLE_EQ(cost.flops,
                   2.0 * 3 * 4 * 100 * (32 * 16 + 32 * 8 + 2 * 16 * 8));
  // bf16 x, y, B, C; f32 diagonal decays and both states.
  double bf16 = 2 * (3 * 100 * 4 * 8) + 2 * (3 * 100 * 1 * 16);
  double f32 = 3 * 100 * 4 * 16 + 2 * (3 * 4 * 8 * 16);
  EXPECT_DOUBLE_EQ(cost.bytes, 2 * bf16 + 4 * f32);

  // A sequence shorter than a chunk is a single chunk of its own length.
  OperatorCost shortCost = op.getCost(sizes.withHints(1, 10));
  EXPECT_DOUBLE_EQ(shortCost.flops,
                   2.0 * 1 * 4 * 10 * (10 * 16 + 10 * 8 + 2 * 16 * 8));
}

TEST_F(InterfaceTest, SoftmaxAttentionHasNoState) {
  InteractOpInterface op =
      parseOp("%q: tensor<1x128x8x64xf16>, %k: tensor<1x128x2x64xf16>, "
              "%v: tensor<1x128x2x32xf16>",
              "%y = interact.attention softmax causal %q, %k, %v scale 0.125 : "
              "tensor<1x128x8x64xf16>, tensor<1x128x2x64xf16>, "
              "tensor<1x128x2x32xf16> -> tensor<1x128x8x32xf16>");
  EXPECT_EQ(op.getForm(), Form::Attention);
  EXPECT_TRUE(op.isCausal());
  EXPECT_EQ(op.getDecayKind(), DecayKind::None);
  EXPECT_EQ(op.getStateSize(), std::nullopt);
  OperatorSizes sizes = op.getSizes();
  EXPECT_EQ(sizes.numHeads, 8);
  EXPECT_EQ(sizes.numQueryHeads, 8);
  EXPECT_EQ(sizes.numKeyHeads, 2);
  EXPECT_EQ(sizes.numValueHeads, 2);
  OperatorCost cost = op.getCost(sizes);
  EXPECT_DOUBLE_EQ(cost.flops, 2.0 * 8 * (128 * 129 / 2) * (64 + 32));
  double elements = 128 * 8 * 64 + 128 * 2 * 64 + 128 * 2 * 32 + 128 * 8 * 32;
  EXPECT_DOUBLE_EQ(cost.bytes, 2 * elements);
}

TEST_F(InterfaceTest, SemiseparableIdentityAttentionIsAScanInDisguise) {
  InteractOpInterface op = parseOp(
      "%q: tensor<?x?x1x16xf32>, %k: tensor<?x?x1x16xf32>, "
      "%v: tensor<?x?x4x8xf32>, %a: tensor<?x?x4xf32>",
      "%y = interact.attention identity semiseparable %q, %k, %v decay %a : "
      "tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x8xf32>, "
      "tensor<?x?x4xf32> -> tensor<?x?x4x8xf32>");
  EXPECT_EQ(op.getDecayKind(), DecayKind::Scalar);
  EXPECT_EQ(op.getStateSize(), std::optional<int64_t>(4 * 8 * 16));
}

TEST_F(InterfaceTest, NonCausalAttentionCountsEveryPair) {
  InteractOpInterface op = parseOp(
      "%q: tensor<2x10x4x16xf32>, %k: tensor<2x30x4x16xf32>, "
      "%v: tensor<2x30x4x16xf32>",
      "%y = interact.attention identity none %q, %k, %v : "
      "tensor<2x10x4x16xf32>, tensor<2x30x4x16xf32>, tensor<2x30x4x16xf32> -> "
      "tensor<2x10x4x16xf32>");
  EXPECT_FALSE(op.isCausal());
  EXPECT_EQ(op.getStateSize(), std::nullopt);
  OperatorSizes sizes = op.getSizes();
  EXPECT_EQ(sizes.seqLen, 10);
  EXPECT_EQ(sizes.srcLen, 30);
  EXPECT_DOUBLE_EQ(op.getCost(sizes).flops, 2.0 * 2 * 4 * (10 * 30) * 32);
}

TEST(OperatorSizesTest, NumPairs) {
  EXPECT_DOUBLE_EQ(OperatorSizes::numPairs(1, 1, /*causal=*/true), 1);
  EXPECT_DOUBLE_EQ(OperatorSizes::numPairs(4, 4, /*causal=*/true), 10);
  EXPECT_DOUBLE_EQ(OperatorSizes::numPairs(4, 6, /*causal=*/false), 24);
  // Sizes whose pair count overflows int64 still count.
  EXPECT_DOUBLE_EQ(OperatorSizes::numPairs(int64_t(1) << 40, 1, false),
                   std::ldexp(1.0, 40));
  EXPECT_DOUBLE_EQ(
      OperatorSizes::numPairs(int64_t(1) << 40, int64_t(1) << 40, false),
      std::ldexp(1.0, 80));
}

} // namespace
