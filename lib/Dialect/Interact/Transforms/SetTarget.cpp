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
    if (kind != "" && kind != "cpu" && kind != "gpu") {
      module.emitError() << "interact-set-target: kind must be cpu or gpu, "
                            "not '"
                         << kind << "'";
      return signalPassFailure();
    }
    if (!targetName.empty()) {
      if (failed(setTarget(module, targetName)))
        return signalPassFailure();
    } else if (!module->hasAttr(kTargetAttrName)) {
      (void)setTarget(module, kind == "gpu" ? "sm_90" : "host");
    }
    FailureOr<Target> target = getTarget(module);
    if (failed(target))
      return signalPassFailure();
    bool gpu = target->kind == TargetKind::GPU;
    if (!kind.empty() && gpu != (kind == "gpu")) {
      module.emitError() << "the pipeline compiles for a " << kind.getValue()
                         << " target, but target '" << target->name << "' is a "
                         << (gpu ? "GPU" : "CPU");
      return signalPassFailure();
    }
    // The chips the pipeline's PTX version (+ptx80) knows; LLVM aborts on
    // others rather than reporting them.
    static constexpr StringLiteral chips[] = {"sm_80", "sm_86", "sm_87",
                                              "sm_89", "sm_90", "sm_90a"};
    if (!chip.empty() && !llvm::is_contained(chips, StringRef(chip))) {
      module.emitError() << "unsupported chip '" << chip.getValue()
                         << "' (supported: sm_80, sm_86, sm_87, sm_89, sm_90, "
                            "sm_90a)";
      return signalPassFailure();
    }
    if (!binaryFormat.empty() && binaryFormat != "bin" &&
        binaryFormat != "fatbin" && binaryFormat != "isa") {
      module.emitError() << "unknown binary format '" << binaryFormat.getValue()
                         << "' (bin, fatbin or isa)";
      return signalPassFailure();
    }
  }
};
} // namespace
