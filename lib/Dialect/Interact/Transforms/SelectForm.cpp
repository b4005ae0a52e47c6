//===- SelectForm.cpp - Choose each op's realization with a cost model ----===//
//
// Each candidate realization is costed through InteractOpInterface (FLOPs
// and bytes for the sizes) on a detached op of that form built from the same
// operands, and timed by a per-target, per-form model:
//
//   time = call cost(form) + FLOPs / throughput(form) + bytes / bandwidth
//          + sequential steps * step cost(form)
//
// where a recurrence takes t sequential steps, a chunked scan t / Q and
// attention none. The constants and the forms with fast kernels come from
// the module's target (docs/Targets.md): each row's cost model is fitted by
// bench/calibrate.py --target NAME to this project's own code on that
// target, not taken from data sheets.
//
//===----------------------------------------------------------------------===//

#include "interact/Dialect/Interact/Transforms/Passes.h"
#include "interact/Dialect/Interact/Transforms/Transforms.h"
#include "interact/Target/Target.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/Format.h"

#include <cmath>

#define DEBUG_TYPE "interact-select-form"

namespace mlir::interact {
#define GEN_PASS_DEF_SELECTFORMPASS
#include "interact/Dialect/Interact/Transforms/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;
using namespace mlir::interact;

namespace {

constexpr int64_t candidateChunkSizes[] = {32, 64, 128, 256};
constexpr bool candidatesVerify() {
  for (int64_t q : candidateChunkSizes)
    if (q <= 0 || q > ChunkedScanOp::kMaxChunkSize)
      return false;
  return true;
}
static_assert(candidatesVerify(),
              "every candidate chunk size is one interact.chunked_scan takes");

/// One costed realization.
struct Candidate {
  Form form;
  int64_t chunkSize = 0;
  OperatorCost cost;
  double steps = 0;
  bool fastKernel = true;
  double micros = 0;

  std::string name() const {
    std::string text = stringifyForm(form).str();
    if (form == Form::Chunked)
      text += "(" + std::to_string(chunkSize) + ")";
    return text;
  }
};

double estimateMicros(const Target &target, int64_t stateDim,
                      const Candidate &c) {
  const FormCost &form = target.costFor(stateDim)->of(c.form);
  return form.callMicros + c.cost.flops / (form.gflops * 1e3) +
         c.cost.bytes / (target.bandwidthGBs * 1e3) + c.steps * form.stepMicros;
}

/// Costs `op` (a detached or scratch op of one candidate form) through the
/// interface at its sizes completed by the hints.
Candidate costed(InteractOpInterface op, int64_t chunkSize,
                 const Target &target, int64_t batchHint, int64_t seqLenHint) {
  Candidate c;
  c.form = op.getForm();
  c.chunkSize = chunkSize;
  OperatorSizes sizes = op.getSizes().withHints(batchHint, seqLenHint);
  c.cost = op.getCost(sizes);
  double t = sizes.seqLen;
  c.steps = c.form == Form::Recurrent ? t
            : c.form == Form::Chunked ? std::ceil(t / chunkSize)
                                      : 0;
  Type element = getElementTypeOrSelf(op->getResult(0).getType());
  c.fastKernel = target.hasFastKernel(c.form, op.getDecayKind(), element);
  return c;
}

/// The candidates of a scan-form operator: `scan` itself, its chunked forms,
/// and (with one decay class, unless `attention` already stands for it) its
/// semiseparable attention; each built detached over the scan's operands,
/// costed through the interface, and erased.
void addScanCandidates(ScanOp scan, const DecayClasses &classes,
                       bool withAttention, const Target &target,
                       int64_t batchHint, int64_t seqLenHint,
                       SmallVector<Candidate> &result) {
  MLIRContext *ctx = scan->getContext();
  OpBuilder b(ctx);
  Location loc = scan.getLoc();
  auto add = [&](Operation *candidate, int64_t chunk) {
    result.push_back(costed(cast<InteractOpInterface>(candidate), chunk, target,
                            batchHint, seqLenHint));
    if (candidate != scan.getOperation())
      candidate->erase();
  };
  add(scan, 0);
  for (int64_t q : candidateChunkSizes)
    add(ChunkedScanOp::create(b, loc, scan->getResultTypes(), scan.getX(),
                              scan.getA(), scan.getB(), scan.getC(),
                              scan.getInitState(), b.getI64IntegerAttr(q)),
        q);
  if (withAttention && classes.size() == 1)
    add(AttentionOp::create(b, loc, scan.getY().getType(),
                            KernelAttr::get(ctx, Kernel::Identity),
                            MaskAttr::get(ctx, Mask::Semiseparable),
                            scan.getC(), scan.getB(), scan.getX(), scan.getA(),
                            b.getF32FloatAttr(1.0f)),
        0);
}

/// Every exact realization of `op`, costed on `target`. No cost formula is
/// written here: each candidate is an op of its form, asked through
/// InteractOpInterface. Attention's scan forms come from converting a scratch
/// clone of it.
SmallVector<Candidate> candidatesFor(InteractOpInterface op,
                                     const DecayClasses &classes,
                                     const Target &target, int64_t batchHint,
                                     int64_t seqLenHint) {
  SmallVector<Candidate> result;
  if (auto scan = dyn_cast<ScanOp>(op.getOperation())) {
    addScanCandidates(scan, classes, /*withAttention=*/true, target, batchHint,
                      seqLenHint, result);
  } else if (auto chunked = dyn_cast<ChunkedScanOp>(op.getOperation())) {
    OpBuilder b(op->getContext());
    auto scan = ScanOp::create(b, op->getLoc(), chunked->getResultTypes(),
                               chunked.getX(), chunked.getA(), chunked.getB(),
                               chunked.getC(), chunked.getInitState());
    addScanCandidates(scan, classes, /*withAttention=*/true, target, batchHint,
                      seqLenHint, result);
    scan->erase();
  } else {
    result.push_back(costed(op, 0, target, batchHint, seqLenHint));
    if (whyNotAttentionToScan(op))
      return result;
    // A scratch block holds a clone of the attention and the scan it
    // converts to; both are erased with it.
    OwningOpRef<ModuleOp> scratch = ModuleOp::create(op->getLoc());
    IRRewriter rewriter(op->getContext());
    rewriter.setInsertionPointToEnd(scratch->getBody());
    auto clone = cast<AttentionOp>(rewriter.clone(*op.getOperation()));
    FailureOr<ScanOp> scan = convertAttentionToScan(rewriter, clone);
    if (succeeded(scan))
      addScanCandidates(*scan, classes, /*withAttention=*/false, target,
                        batchHint, seqLenHint, result);
    scratch->getBody()->dropAllDefinedValueUses();
    for (Operation &nested : *scratch->getBody())
      nested.dropAllReferences();
  }
  // Forms without a fast kernel on the target are loop nests orders of
  // magnitude slower than the model (fitted on fast kernels) knows: they
  // compete only when no form has one.
  if (llvm::any_of(result, [](const Candidate &c) { return c.fastKernel; }))
    llvm::erase_if(result, [](const Candidate &c) { return !c.fastKernel; });
  return result;
}

/// Rewrites `op` into the candidate's form.
LogicalResult rewriteInto(RewriterBase &rewriter, InteractOpInterface op,
                          const Candidate &choice,
                          const DecayClasses &classes) {
  if (op.getForm() == choice.form &&
      (choice.form != Form::Chunked ||
       cast<ChunkedScanOp>(op.getOperation()).getChunkSizeAttr().getInt() ==
           choice.chunkSize))
    return success();
  // Go through the scan form, then to the chosen one.
  ScanOp scan;
  if (auto chunked = dyn_cast<ChunkedScanOp>(op.getOperation()))
    scan = convertChunkedToScan(rewriter, chunked);
  else if (auto attention = dyn_cast<AttentionOp>(op.getOperation())) {
    FailureOr<ScanOp> converted = convertAttentionToScan(rewriter, attention);
    if (failed(converted))
      return failure();
    scan = *converted;
  } else {
    scan = cast<ScanOp>(op.getOperation());
  }
  switch (choice.form) {
  case Form::Recurrent:
    return success();
  case Form::Chunked:
    return convertToChunked(rewriter, scan, choice.chunkSize);
  case Form::Attention:
    return convertScanToAttention(rewriter, scan, classes);
  }
  llvm_unreachable("unknown form");
}

struct SelectFormPass
    : public interact::impl::SelectFormPassBase<SelectFormPass> {
  using Base::Base;

  void runOnOperation() override {
    Operation *root = getOperation();
    if (batchHint <= 0 || seqLenHint <= 0) {
      root->emitError() << "interact-select-form: the batch and seq-len hints "
                           "must be positive";
      return signalPassFailure();
    }
    FailureOr<Target> found = getTarget(root);
    if (failed(found))
      return signalPassFailure();
    target = std::move(*found);
    if (target.costs.empty()) {
      root->emitError() << "interact-select-form: target '" << target.name
                        << "' has no calibrated cost model (run "
                           "bench/calibrate.py --target "
                        << target.name << " on one; docs/Targets.md)";
      return signalPassFailure();
    }
    SmallVector<InteractOpInterface> ops;
    root->walk([&](InteractOpInterface op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (InteractOpInterface op : ops)
      if (failed(select(rewriter, op)))
        return signalPassFailure();
  }

  LogicalResult select(RewriterBase &rewriter, InteractOpInterface op) {
    if (op.getForm() == Form::Attention && whyNotAttentionToScan(op)) {
      op->emitRemark() << "kept as attention: " << *whyNotAttentionToScan(op);
      return success();
    }
    OperatorSizes sizes = op.getSizes().withHints(batchHint, seqLenHint);
    DecayClasses classes = computeDecayClasses(op);
    SmallVector<Candidate> candidates =
        candidatesFor(op, classes, target, batchHint, seqLenHint);
    for (Candidate &c : candidates)
      c.micros = estimateMicros(target, sizes.stateDim, c);
    const Candidate *best = &candidates.front();
    for (const Candidate &c : candidates)
      if (c.micros < best->micros)
        best = &c;

    std::string text;
    llvm::raw_string_ostream os(text);
    os << "selected " << best->name() << " for " << target.name
       << " at b=" << sizes.batch << " t=" << sizes.seqLen << ": estimated ";
    for (auto [i, c] : llvm::enumerate(candidates))
      os << (i ? ", " : "") << c.name() << " "
         << llvm::format("%.3g", c.micros / 1e3) << " ms ("
         << llvm::format("%.3g", c.cost.flops) << " FLOP, "
         << llvm::format("%.0f", c.steps) << " steps)";
    op->emitRemark() << text;
    if (failed(rewriteInto(rewriter, op, *best, classes)))
      return op->emitOpError() << "could not be rewritten into the selected "
                               << best->name() << " form";
    return success();
  }

  Target target;
};

} // namespace
