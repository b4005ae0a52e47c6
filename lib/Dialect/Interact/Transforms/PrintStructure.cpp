//===- PrintStructure.cpp - Report interact ops' structure as remarks -----===//
//
// Lit tests and users read what InteractOpInterface answers for each op; the
// structure analysis and cost model build on the same answers.
//
//===----------------------------------------------------------------------===//

#include "interact/Dialect/Interact/IR/InteractOps.h"
#include "interact/Dialect/Interact/Transforms/Passes.h"

#include "llvm/Support/Format.h"

#define DEBUG_TYPE "interact-print-structure"

namespace mlir::interact {
#define GEN_PASS_DEF_PRINTSTRUCTUREPASS
#include "interact/Dialect/Interact/Transforms/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;
using namespace mlir::interact;

namespace {

struct PrintStructurePass
    : public interact::impl::PrintStructurePassBase<PrintStructurePass> {
  using Base::Base;

  void runOnOperation() override {
    if (batchHint <= 0 || seqLenHint <= 0) {
      getOperation()->emitError()
          << "interact-print-structure: the batch and seq-len hints must be "
             "positive";
      return signalPassFailure();
    }
    getOperation()->walk([&](InteractOpInterface op) { report(op); });
  }

  void report(InteractOpInterface op) {
    InFlightDiagnostic remark = op->emitRemark();
    remark << stringifyForm(op.getForm()) << " form, "
           << (op.isCausal() ? "causal" : "non-causal") << ", "
           << stringifyDecayKind(op.getDecayKind()) << " decay, ";
    if (std::optional<int64_t> state = op.getStateSize())
      remark << "state of " << *state << " elements";
    else
      remark << "no finite-state recurrence";

    OperatorSizes sizes = op.getSizes().withHints(batchHint, seqLenHint);
    OperatorCost cost = op.getCost(sizes);
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "; at " << sizes << ": " << llvm::format("%.3g", cost.flops)
       << " FLOP, " << llvm::format("%.3g", cost.bytes) << " bytes ("
       << llvm::format("%.2f", cost.intensity()) << " FLOP/byte)";
    remark << text;
  }
};

} // namespace
