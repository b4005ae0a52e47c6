//===- RunnerTest.cpp - The runner library: compile, invoke, compare -----===//

#include "interact/InitAll.h"
#include "interact/Runner/Compile.h"
#include "interact/Runner/Function.h"
#include "interact/Runner/Inputs.h"
#include "interact/Runner/JitRunner.h"
#include "interact/Runner/MemRef.h"
#include "interact/Runner/Report.h"
#include "interact/Target/Target.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/MemRefUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdlib>

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::runner;

namespace {

// A scan with dynamic batch and length, and one with static sizes.
constexpr StringLiteral kScans = R"mlir(
func.func @scan(%x: tensor<?x?x2x4xf32>, %a: tensor<?x?x2xf32>,
                %b: tensor<?x?x1x8xf32>)
    -> (tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<?x?x2x4xf32>, tensor<?x?x2xf32>, tensor<?x?x1x8xf32>,
        tensor<?x?x1x8xf32> -> tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>
  return %y, %s : tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>
}
func.func @static_scan(%x: tensor<1x5x2x4xf32>, %a: tensor<1x5x2xf32>,
                       %b: tensor<1x5x1x8xf32>) -> tensor<1x5x2x4xf32> {
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x5x2x4xf32>, tensor<1x5x2xf32>, tensor<1x5x1x8xf32>,
        tensor<1x5x1x8xf32> -> tensor<1x5x2x4xf32>, tensor<1x2x4x8xf32>
  return %y : tensor<1x5x2x4xf32>
}
)mlir";

class RunnerTest : public ::testing::Test {
protected:
  RunnerTest() : context(makeRegistry()) {
    context.loadAllAvailableDialects();
    module = parseSourceString<ModuleOp>(kScans, &context);
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    mlir::registerAllDialects(registry);
    mlir::registerAllExtensions(registry);
    interact::registerAllDialects(registry);
    registerBuiltinDialectTranslation(registry);
    registerLLVMDialectTranslation(registry);
    registerOpenMPDialectTranslation(registry);
    return registry;
  }

  func::FuncOp lookup(StringRef name) {
    return module->lookupSymbol<func::FuncOp>(name);
  }

  /// Compiles `name` (as the reference with `reference`), or fails the test.
  std::unique_ptr<JitFunction> compile(StringRef name, bool reference) {
    CompileOptions options;
    options.reference = reference;
    options.threads = 2;
    llvm::Expected<std::unique_ptr<JitFunction>> fn =
        JitFunction::compile(*module, name, options);
    if (!fn) {
      ADD_FAILURE() << llvm::toString(fn.takeError());
      return nullptr;
    }
    return std::move(*fn);
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

/// The message of `error`, consumed.
std::string message(llvm::Error error) {
  return error ? llvm::toString(std::move(error)) : "";
}

TEST_F(RunnerTest, RandomInputsMatchTheReference) {
  func::FuncOp fn = lookup("scan");
  ASSERT_TRUE(fn);
  DimSizes sizes;
  ASSERT_EQ(message(sizes.parse("t=33")), "");
  llvm::Expected<Shapes> shapes = getRandomInputShapes(fn, sizes);
  ASSERT_TRUE(!!shapes) << message(shapes.takeError());
  EXPECT_EQ((*shapes)[0], (SmallVector<int64_t>{2, 33, 2, 4}));
  EXPECT_EQ((*shapes)[1], (SmallVector<int64_t>{2, 33, 2}));
  std::vector<npy::Array> inputs = makeRandomInputs(fn, *shapes, /*seed=*/7);
  // The decay operand is negative, a log-decay.
  for (int64_t i = 0; i < inputs[1].getNumElements(); ++i)
    ASSERT_LT(inputs[1].getAsDouble(i), 0);

  std::unique_ptr<JitFunction> optimized = compile("scan", false);
  std::unique_ptr<JitFunction> reference = compile("scan", true);
  ASSERT_TRUE(optimized && reference);
  llvm::Expected<std::vector<npy::Array>> got = optimized->run(inputs);
  llvm::Expected<std::vector<npy::Array>> want = reference->run(inputs);
  ASSERT_TRUE(!!got) << message(got.takeError());
  ASSERT_TRUE(!!want) << message(want.takeError());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].shape, (SmallVector<int64_t>{2, 33, 2, 4}));
  EXPECT_EQ((*got)[1].shape, (SmallVector<int64_t>{2, 2, 4, 8}));
  for (unsigned i = 0; i < 2; ++i) {
    Comparison c = compare((*got)[i], (*want)[i]);
    EXPECT_TRUE(c.ok) << "output " << i << ": max relative error " << c.worst;
    EXPECT_LE(c.worst, 1e-4);
  }
}

TEST_F(RunnerTest, InvokeOnUpstreamMemRefs) {
  std::unique_ptr<JitFunction> fn = compile("static_scan", false);
  ASSERT_TRUE(fn);
  // y_t = C_t^T S_t with S_t = exp(a_t) S_{t-1} + B_t x_t^T: with a = 0 and
  // B = C = e_0, y_t is the running sum of x over the steps.
  OwningMemRef<float, 4> x({1, 5, 2, 4}, {}, [](float &v, ArrayRef<int64_t> i) {
    v = float(i[1] + 1);
  });
  OwningMemRef<float, 3> a({1, 5, 2});
  OwningMemRef<float, 4> b({1, 5, 1, 8}, {}, [](float &v, ArrayRef<int64_t> i) {
    v = i[3] == 0 ? 1.0f : 0.0f;
  });
  StridedMemRefType<float, 4> y;
  ASSERT_EQ(message(fn->invoke(&y, {&*x, &*a, &*b})), "");
  for (int64_t t = 0; t < 5; ++t)
    for (int64_t p = 0; p < 4; ++p)
      EXPECT_FLOAT_EQ((y[std::array<int64_t, 4>{0, t, 1, p}]),
                      float((t + 1) * (t + 2) / 2))
          << "t = " << t << ", p = " << p;
  free(y.basePtr);
}

TEST_F(RunnerTest, CompilesForTheNamedTarget) {
  CompileOptions options;
  options.target = "x86-64-v3";
  llvm::Expected<OwningOpRef<ModuleOp>> lowered =
      lowerToLLVM(*module, "static_scan", options);
  ASSERT_TRUE(!!lowered) << message(lowered.takeError());
  // Only what the function reaches is compiled; every function gets the
  // target's CPU.
  EXPECT_FALSE((*lowered)->lookupSymbol("scan"));
  int numFunctions = 0;
  (*lowered)->walk([&](LLVM::LLVMFuncOp f) {
    if (f.isExternal())
      return;
    ++numFunctions;
    ASSERT_TRUE(f.getTargetCpu());
    EXPECT_EQ(*f.getTargetCpu(), "x86-64-v3");
  });
  EXPECT_GE(numFunctions, 2); // the function and its C interface
}

TEST_F(RunnerTest, BadInputsAreErrors) {
  func::FuncOp fn = lookup("scan");
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    diagnostics += d.str();
    return success();
  });

  EXPECT_EQ(message(findFunction(*module, "nope", "f.mlir").takeError()),
            "no function @nope in f.mlir (functions: @scan, @static_scan)");
  EXPECT_EQ(message(findFunction(*module, "", "f.mlir").takeError()),
            "f.mlir has several public functions (@scan, @static_scan): "
            "choose one with --function=NAME");
  EXPECT_EQ(message(readInputs(fn, {"x.npy"}).takeError()),
            "@scan takes 3 arguments, but 1 --input were given");
  DimSizes sizes;
  EXPECT_EQ(message(sizes.parse("q=3")),
            "--dim takes b=N, t=N or s=N with N >= 0, got 'q=3'");

  // Lengths that disagree between operands, caught by the op's verifier.
  Shapes shapes = {{1, 3, 2, 4}, {1, 5, 2}, {1, 3, 1, 8}};
  EXPECT_EQ(message(checkShapes(fn, shapes)),
            "the inputs' shapes do not fit @scan");
  EXPECT_NE(diagnostics.find("has t = 5"), std::string::npos) << diagnostics;

  // Sizes whose bytes overflow.
  Shapes huge = {{int64_t(1) << 61, 1, 2, 4}, {1, 1, 2}, {1, 1, 1, 8}};
  EXPECT_NE(
      message(checkMemory(fn, huge, false)).find("does not fit in 63 bits"),
      std::string::npos);

  std::string error;
  EXPECT_NE(
      message(
          getThreadCount(100000, *lookupTarget("x86-64-v3", error)).takeError())
          .find("--num-threads must be at most"),
      std::string::npos);
}

TEST(CompareTest, NaNNeverMatches) {
  npy::Array got = npy::Array::zeros(npy::DType::F32, {3});
  npy::Array ref = got;
  got.setFromDouble(1, NAN);
  ref.setFromDouble(1, NAN);
  Comparison c = compare(got, ref);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.worstAt, 1);
  EXPECT_EQ(c.numNaN, 1);
  // f16 overflow on both sides, of one sign, matches.
  npy::Array big = npy::Array::zeros(npy::DType::F16, {1});
  npy::Array inf = big;
  big.setFromDouble(0, 65504);
  inf.setFromDouble(0, INFINITY);
  EXPECT_TRUE(compare(big, inf).ok);
}

TEST(MemRefTest, DescriptorsOfArraysReadBack) {
  std::vector<npy::Array> arrays;
  arrays.push_back(npy::Array::zeros(npy::DType::F64, {2, 3}));
  arrays.push_back(npy::Array::zeros(npy::DType::I32, {}));
  for (int64_t i = 0; i < 6; ++i)
    arrays[0].setFromDouble(i, i);
  MemRefDescriptors descriptors = MemRefDescriptors::forArrays(arrays);
  ASSERT_EQ(descriptors.size(), 2u);
  auto *typed = static_cast<StridedMemRefType<double, 2> *>(descriptors.get(0));
  EXPECT_EQ(typed->sizes[1], 3);
  EXPECT_EQ(typed->strides[0], 3);
  EXPECT_EQ(((*typed)[std::array<int64_t, 2>{1, 2}]), 5.0);
  EXPECT_EQ(descriptors.getView(1).rank, 0);
  npy::Array copy = copyToArray(descriptors.getView(0), npy::DType::F64);
  EXPECT_EQ(copy.shape, arrays[0].shape);
  EXPECT_EQ(copy.data, arrays[0].data);
}

/// A strided view (a transpose) and a view with an offset copy out in
/// row-major order, element by element where the innermost stride is not 1.
TEST(MemRefTest, StridedViewsCopyOutInOrder) {
  double data[6] = {0, 1, 2, 3, 4, 5};
  // [3, 2] view of a row-major [2, 3] array: element (i, j) is data[j*3+i].
  StridedMemRefType<double, 2> transposed{data, data, 0, {3, 2}, {1, 3}};
  npy::Array t = copyToArray(
      ::DynamicMemRefType<char>(::UnrankedMemRefType<char>{2, &transposed}),
      npy::DType::F64);
  ASSERT_EQ(t.shape, (SmallVector<int64_t>{3, 2}));
  const double expected[6] = {0, 3, 1, 4, 2, 5};
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(t.getAsDouble(i), expected[i]) << i;
  // Rows 1.. of the [2, 3] array, contiguous rows at an offset.
  StridedMemRefType<double, 2> tail{data, data, 3, {1, 3}, {3, 1}};
  npy::Array r = copyToArray(
      ::DynamicMemRefType<char>(::UnrankedMemRefType<char>{2, &tail}),
      npy::DType::F64);
  for (int64_t i = 0; i < 3; ++i)
    EXPECT_EQ(r.getAsDouble(i), 3.0 + i);
}

} // namespace
