//===- LLVMTargetAttrs.cpp - The target's ISA on every llvm.func ----------===//
//
// LLVM picks the instruction set per function from its target-cpu and
// target-features attributes, falling back to the target machine's (the
// host's, for the JIT). Stamping them from interact's target makes the ISA a
// property of the compiled module, not of the machine compiling it.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/Passes.h"
#include "interact/Target/Target.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#define DEBUG_TYPE "interact-llvm-target-attrs"

namespace mlir::interact {
#define GEN_PASS_DEF_LLVMTARGETATTRSPASS
#include "interact/Conversion/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;
using namespace mlir::interact;

namespace {
struct LLVMTargetAttrsPass
    : interact::impl::LLVMTargetAttrsPassBase<LLVMTargetAttrsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<Target> target = getTarget(module);
    if (failed(target))
      return signalPassFailure();
    if (target->kind != TargetKind::CPU) {
      module->emitError() << "interact-llvm-target-attrs: target '"
                          << target->name
                          << "' is a GPU; host functions take a CPU target";
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    auto str = [&](StringRef s) { return StringAttr::get(ctx, s); };
    module.walk([&](LLVM::LLVMFuncOp fn) {
      fn.setTargetCpuAttr(str(target->llvmCPU));
      if (!target->tuneCPU.empty())
        fn.setTuneCpuAttr(str(target->tuneCPU));
      if (!target->llvmFeatures.empty())
        fn.setTargetFeaturesAttr(
            LLVM::TargetFeaturesAttr::get(ctx, target->llvmFeatures));
      if (!target->preferVectorWidth.empty())
        fn.setPreferVectorWidthAttr(str(target->preferVectorWidth));
    });
  }
};
} // namespace
