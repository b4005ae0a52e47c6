//===- KernelTestUtils.h - A function to build kernel IR into ---*- C++ -*-===//

#ifndef INTERACT_UNITTESTS_KERNELS_KERNELTESTUTILS_H
#define INTERACT_UNITTESTS_KERNELS_KERNELTESTUTILS_H

#include "interact/Kernels/KernelConfig.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include "gtest/gtest.h"

namespace mlir::interact::kernels {

/// The register files of the two x86-64 levels.
inline constexpr KernelConfig kAVX2{256, 16};
inline constexpr KernelConfig kAVX512{512, 32};

/// A context with every dialect the kernels build, and a function whose
/// body a test builds into.
class KernelTest : public ::testing::Test {
protected:
  KernelTest() {
    context
        .loadDialect<affine::AffineDialect, arith::ArithDialect,
                     bufferization::BufferizationDialect, func::FuncDialect,
                     linalg::LinalgDialect, math::MathDialect, scf::SCFDialect,
                     tensor::TensorDialect, vector::VectorDialect>();
    f32 = Float32Type::get(&context);
  }

  /// Starts a function taking `arguments` and returning `results`; the
  /// builder's insertion point is its body.
  ImplicitLocOpBuilder &startFunction(TypeRange arguments, TypeRange results) {
    Location loc = UnknownLoc::get(&context);
    module = ModuleOp::create(loc);
    builder = std::make_unique<ImplicitLocOpBuilder>(loc, &context);
    builder->setInsertionPointToEnd(module->getBody());
    function = func::FuncOp::create(
        *builder, "kernel", builder->getFunctionType(arguments, results));
    builder->setInsertionPointToStart(function.addEntryBlock());
    return *builder;
  }

  /// Returns `values` from the function and verifies the module.
  LogicalResult finish(ValueRange values) {
    func::ReturnOp::create(*builder, values);
    return verify(*module);
  }

  /// Ops named `name` in the function (nested ones too).
  int64_t count(StringRef name) {
    int64_t n = 0;
    function.walk(
        [&](Operation *op) { n += op->getName().getStringRef() == name; });
    return n;
  }

  /// Ops named `name` whose first result has type `type`.
  int64_t count(StringRef name, Type type) {
    int64_t n = 0;
    function.walk([&](Operation *op) {
      n += op->getName().getStringRef() == name && op->getNumResults() > 0 &&
           op->getResult(0).getType() == type;
    });
    return n;
  }

  /// The trip counts of the function's scf.for loops with a constant upper
  /// bound, outer loops first.
  SmallVector<int64_t> constantTripCounts() {
    SmallVector<int64_t> trips;
    function.walk<WalkOrder::PreOrder>([&](scf::ForOp loop) {
      if (auto upper =
              loop.getUpperBound().getDefiningOp<arith::ConstantIndexOp>())
        trips.push_back(upper.value());
    });
    return trips;
  }

  MLIRContext context;
  Type f32;
  OwningOpRef<ModuleOp> module;
  std::unique_ptr<ImplicitLocOpBuilder> builder;
  func::FuncOp function;
};

} // namespace mlir::interact::kernels

#endif // INTERACT_UNITTESTS_KERNELS_KERNELTESTUTILS_H
