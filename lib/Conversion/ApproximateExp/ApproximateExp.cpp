//===- ApproximateExp.cpp - Inline polynomial f32 exp ---------------------===//
//
// The CPU lowering's decays, softmax weights and chunk masks are f32
// exponentials (exp and expm1) inside vector loops. LLVM lowers `math.exp` to
// `expf` calls, one per lane of a vector; MLIR's polynomial approximation keeps
// them as vector arithmetic.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "interact-approximate-exp"

namespace mlir::interact {
#define GEN_PASS_DEF_APPROXIMATEEXPPASS
#include "interact/Conversion/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;

namespace {
struct ApproximateExpPass
    : interact::impl::ApproximateExpPassBase<ApproximateExpPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      // expm1 expands to exp and log, approximated in turn.
      return name == math::ExpOp::getOperationName() ||
             name == math::ExpM1Op::getOperationName() ||
             name == math::LogOp::getOperationName();
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
