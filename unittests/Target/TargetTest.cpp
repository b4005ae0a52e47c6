//===- TargetTest.cpp - The target table and the module attribute ---------===//

#include "interact/Target/Target.h"

#include "interact/Dialect/Interact/IR/InteractDialect.h"
#include "interact/Dialect/Interact/IR/InteractOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::interact;

namespace {

Target lookup(StringRef name) {
  std::string error;
  FailureOr<Target> target = lookupTarget(name, error);
  EXPECT_TRUE(succeeded(target)) << error;
  return succeeded(target) ? *target : Target{};
}

TEST(TargetTest, KnownRowsParse) {
  SmallVector<std::string> names = knownTargetNames();
  ASSERT_GE(names.size(), 5u);
  EXPECT_EQ(names.front(), "host");
  for (StringRef name : {"x86-64-v3", "x86-64-v4", "sm_80", "sm_90"})
    EXPECT_TRUE(llvm::is_contained(names, name)) << name.str();
}

TEST(TargetTest, VectorShapesOfTheX86Levels) {
  MLIRContext ctx;
  Type f32 = Float32Type::get(&ctx), bf16 = BFloat16Type::get(&ctx),
       f64 = Float64Type::get(&ctx);
  Target v3 = lookup("x86-64-v3"), v4 = lookup("x86-64-v4");
  EXPECT_EQ(v3.kind, TargetKind::CPU);
  EXPECT_EQ(v3.lanes(f32), 8);
  EXPECT_EQ(v3.lanes(bf16), 16);
  EXPECT_EQ(v3.lanes(f64), 4);
  EXPECT_EQ(v3.vectorRegisters, 16);
  EXPECT_EQ(v4.lanes(f32), 16);
  EXPECT_EQ(v4.vectorRegisters, 32);
  // The AVX2 level must not be able to use AVX-512, even on a host with it.
  EXPECT_NE(v3.llvmFeatures.find("-avx512f"), std::string::npos);
}

TEST(TargetTest, CostModelAndCapabilities) {
  MLIRContext ctx;
  Type f32 = Float32Type::get(&ctx);
  Target v3 = lookup("x86-64-v3");
  ASSERT_NE(v3.costFor(64), nullptr);
  EXPECT_EQ(v3.costFor(70)->stateDim, 64);
  EXPECT_EQ(v3.costFor(1)->stateDim, 16);
  EXPECT_EQ(v3.costFor(1 << 20)->stateDim, 128);
  EXPECT_TRUE(v3.hasFastKernel(Form::Chunked, DecayKind::Scalar, f32));
  EXPECT_FALSE(v3.hasFastKernel(Form::Chunked, DecayKind::Diagonal, f32));
  Target sm90 = lookup("sm_90");
  EXPECT_EQ(sm90.kind, TargetKind::GPU);
  EXPECT_EQ(sm90.costFor(64), nullptr);
}

TEST(TargetTest, UnknownNameListsTheKnownOnes) {
  std::string error;
  EXPECT_TRUE(failed(lookupTarget("x86-64-v5", error)));
  EXPECT_NE(error.find("unknown target 'x86-64-v5'"), std::string::npos);
  EXPECT_NE(error.find("x86-64-v3"), std::string::npos);
}

TEST(TargetTest, HostIsTheWidestRowTheMachineRuns) {
  std::string error, why;
  FailureOr<Target> host = lookupTarget("host", error);
  ASSERT_TRUE(succeeded(host)) << error;
  EXPECT_EQ(host->name, "host");
  EXPECT_TRUE(hostCanRun(*host, why)) << why;
  Target v4 = lookup("x86-64-v4");
  EXPECT_EQ(host->vectorBits, hostCanRun(v4, why) ? 512 : 256);
  EXPECT_FALSE(hostCanRun(lookup("sm_90"), why));
}

TEST(TargetTest, ModuleAttribute) {
  MLIRContext ctx;
  ctx.loadDialect<InteractDialect>();
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(
      "module attributes {interact.target = #interact.target<\"x86-64-v3\">} "
      "{}",
      &ctx);
  ASSERT_TRUE(module);
  FailureOr<Target> target = getTarget(*module);
  ASSERT_TRUE(succeeded(target));
  EXPECT_EQ(target->name, "x86-64-v3");

  std::string diagnostic;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    diagnostic = d.str();
    return success();
  });
  EXPECT_TRUE(failed(setTarget(*module, "bogus")));
  EXPECT_NE(diagnostic.find("unknown target 'bogus'"), std::string::npos);
  ASSERT_TRUE(succeeded(setTarget(*module, "x86-64-v4")));
  EXPECT_EQ(getTarget(*module)->name, "x86-64-v4");
}

} // namespace
