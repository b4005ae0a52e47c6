//===- PrintStructure.cpp - Report interact ops' structure as remarks -----===//
//
// Lit tests and users read what InteractOpInterface answers for each op; the
// structure analysis and cost model build on the same answers.
//
//===----------------------------------------------------------------------===//

#include "interact/Dialect/Interact/Analysis/StructureAnalysis.h"
#include "interact/Dialect/Interact/IR/InteractOps.h"
#include "interact/Dialect/Interact/Transforms/Passes.h"

#include "llvm/ADT/StringExtras.h"
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
    const auto &analysis = getAnalysis<StructureAnalysis>();
    getOperation()->walk(
        [&](InteractOpInterface op) { report(op, analysis.lookup(op)); });
    markAllAnalysesPreserved();
  }

  void report(InteractOpInterface op, const OpStructure &structure) {
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

    const DecayClasses &classes = structure.decayClasses;
    remark << "; decay classes G = " << classes.size() << " (" << classes.proof
           << ")";
    if (classes.size() > 1 && classes.proven) {
      remark << ":";
      for (ArrayRef<int64_t> columns : classes.classes)
        remark << " {"
               << llvm::join(
                      llvm::map_range(
                          columns, [](int64_t c) { return std::to_string(c); }),
                      ",")
               << "}";
    }
    if (!classes.perHead.empty())
      remark << ", distinct decays per head ["
             << llvm::join(llvm::map_range(
                               classes.perHead,
                               [](int64_t c) { return std::to_string(c); }),
                           ", ")
             << "]";
    if (structure.semiseparableRank)
      remark << "; semiseparable rank " << *structure.semiseparableRank;
    else
      remark << "; semiseparable rank unbounded";
    remark << "; legal rewrites: "
           << (structure.legalRewrites.empty()
                   ? std::string("none")
                   : llvm::join(structure.legalRewrites, ", "));
  }
};

} // namespace
