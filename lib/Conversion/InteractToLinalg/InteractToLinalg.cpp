//===- InteractToLinalg.cpp - The convert-interact-to-linalg pass ---------===//
//
// Assembles the per-family lowerings (Reference.cpp, Scan.cpp,
// ChunkedScan.cpp, Attention.cpp): the float64 reference with
// `reference=true`, otherwise the CPU kernels for the module's target.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/InteractToLinalg/InteractToLinalg.h"

#include "interact/Conversion/Passes.h"
#include "interact/Dialect/Interact/IR/InteractOps.h"
#include "interact/Target/Target.h"

#include "mlir/Transforms/DialectConversion.h"

#define DEBUG_TYPE "convert-interact-to-linalg"

namespace mlir::interact {
#define GEN_PASS_DEF_CONVERTINTERACTTOLINALGPASS
#include "interact/Conversion/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;
using namespace mlir::interact;

void mlir::interact::populateInteractToLinalgPatterns(
    RewritePatternSet &patterns, const kernels::KernelConfig &config) {
  populateScanToLinalgPatterns(patterns, config);
  populateChunkedScanToLinalgPatterns(patterns, config);
  populateAttentionToLinalgPatterns(patterns, config);
}

namespace {

struct ConvertInteractToLinalgPass
    : public interact::impl::ConvertInteractToLinalgPassBase<
          ConvertInteractToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    Operation *root = getOperation();
    bool hasInteractOps = root->walk([](Operation *op) {
                                return isa<InteractDialect>(op->getDialect())
                                           ? WalkResult::interrupt()
                                           : WalkResult::advance();
                              })
                              .wasInterrupted();
    if (!hasInteractOps)
      return;
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    if (reference) {
      populateInteractToLinalgReferencePatterns(patterns);
    } else {
      FailureOr<Target> target = getTarget(root);
      if (failed(target))
        return signalPassFailure();
      if (target->kind != TargetKind::CPU) {
        root->emitError() << "convert-interact-to-linalg builds CPU kernels, "
                             "but target '"
                          << target->name
                          << "' is a GPU (its lowering is the reference, "
                             "reference=true)";
        return signalPassFailure();
      }
      populateInteractToLinalgPatterns(patterns,
                                       kernels::KernelConfig::get(*target));
    }
    ConversionTarget target(*ctx);
    target.addIllegalDialect<InteractDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(root, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
