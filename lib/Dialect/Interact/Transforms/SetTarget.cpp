//===- SetTarget.cpp - Set the module's compilation target ----------------===//

#include "interact/Dialect/Interact/Transforms/Passes.h"
#include "interact/Target/Target.h"

#include "mlir/IR/BuiltinOps.h"

#define DEBUG_TYPE "interact-set-target"

namespace mlir::interact {
#define GEN_PASS_DEF_SETTARGETPASS
#include "interact/Dialect/Interact/Transforms/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;
using namespace mlir::interact;

namespace {
struct SetTargetPass : public interact::impl::SetTargetPassBase<SetTargetPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!targetName.empty()) {
      if (failed(setTarget(module, targetName)))
        signalPassFailure();
      return;
    }
    FailureOr<Target> target = getTarget(module);
    if (failed(target))
      return signalPassFailure();
    if (!module->hasAttr(kTargetAttrName))
      (void)setTarget(module, "host");
  }
};
} // namespace
