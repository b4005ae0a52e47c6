//===- MaskTest.cpp - What each attention mask means ----------------------===//
//
// The mask table of InteractMask.h, and that its one weight builder gives
// each kind the pairs and log-weights the table states.
//
//===----------------------------------------------------------------------===//

#include "interact/Dialect/Interact/IR/InteractMask.h"

#include "interact/Dialect/Interact/IR/InteractOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::interact;

namespace {

TEST(MaskTest, Traits) {
  EXPECT_FALSE(getMaskTraits(Mask::None).causal);
  EXPECT_FALSE(getMaskTraits(Mask::None).decayed);
  EXPECT_TRUE(getMaskTraits(Mask::Causal).causal);
  EXPECT_FALSE(getMaskTraits(Mask::Causal).decayed);
  EXPECT_TRUE(getMaskTraits(Mask::Semiseparable).causal);
  EXPECT_TRUE(getMaskTraits(Mask::Semiseparable).decayed);
  // Every decayed mask is causal: its segment sums run from j to i.
  for (uint32_t i = 0; i <= getMaxEnumValForMask(); ++i) {
    std::optional<Mask> mask = symbolizeMask(i);
    if (mask && getMaskTraits(*mask).decayed) {
      EXPECT_TRUE(getMaskTraits(*mask).causal) << stringifyMask(*mask).str();
    }
  }
}

TEST(MaskTest, WeightBuilder) {
  MLIRContext ctx;
  ctx.loadDialect<arith::ArithDialect>();
  OpBuilder b(&ctx);
  Location loc = UnknownLoc::get(&ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToStart(module->getBody());
  Value i = arith::ConstantIndexOp::create(b, loc, 3);
  Value j = arith::ConstantIndexOp::create(b, loc, 1);
  Value seg = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(-0.5));

  MaskWeight none = buildMaskWeight(b, loc, Mask::None, i, j);
  EXPECT_FALSE(none.visible);
  EXPECT_FALSE(none.logWeight);

  MaskWeight causal = buildMaskWeight(b, loc, Mask::Causal, i, j);
  ASSERT_TRUE(causal.visible);
  auto compare = causal.visible.getDefiningOp<arith::CmpIOp>();
  ASSERT_TRUE(compare);
  EXPECT_EQ(compare.getLhs(), j);
  EXPECT_EQ(compare.getRhs(), i);
  EXPECT_EQ(compare.getPredicate(), arith::CmpIPredicate::ule);
  EXPECT_FALSE(causal.logWeight);

  MaskWeight decayed = buildMaskWeight(b, loc, Mask::Semiseparable, i, j, seg);
  EXPECT_TRUE(decayed.visible);
  EXPECT_EQ(decayed.logWeight, seg);

  // A walk over connected keys only builds no compare.
  MaskWeight walk =
      buildMaskWeight(b, loc, Mask::Semiseparable, Value(), Value(), seg);
  EXPECT_FALSE(walk.visible);
  EXPECT_EQ(walk.logWeight, seg);
}

} // namespace
