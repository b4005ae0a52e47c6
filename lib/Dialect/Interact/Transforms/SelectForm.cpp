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
// attention none. The constants are fitted to measurements of this
// project's own CPU code (bench/calibrate.py; docs/Passes.md has the run
// they come from), not taken from data sheets.
//
//===----------------------------------------------------------------------===//

#include "interact/Dialect/Interact/Transforms/Passes.h"
#include "interact/Dialect/Interact/Transforms/Transforms.h"

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

/// Measured model constants of one form on one target.
struct FormModel {
  double callMicros; // fixed cost of one call, in microseconds
  double gflops;     // sustained GFLOP/s on the form's FLOP count
  double stepMicros; // cost of one sequential step, in microseconds
};

/// The cost model of one target, measured at one state size n: the vector
/// code's speed depends on n (tile shapes, reduction lengths), so each
/// calibrated n has its own.
struct TargetModel {
  int64_t stateDim;
  FormModel recurrent, chunked, attention;
  double bandwidthGBs;
};

/// CPU constants, fitted by bench/calibrate.py per form and state size
/// (weighted by 1 / time, so that relative errors count; each time the
/// fastest of three interleaved rounds) to
/// interact-cpu-pipeline's code on this project's 2-core machine, run of
/// 2026-11-22; the bandwidth is the measured copy bandwidth. Recalibrate
/// whenever the CPU lowering changes.
constexpr TargetModel cpuModels[] = {
    {/*stateDim=*/16,
     /*recurrent=*/{2.4, 85.95, 0.000284},
     /*chunked=*/{0.0, 225.7, 6.588},
     /*attention=*/{3.1, 47.66, 0},
     /*bandwidthGBs=*/29.9},
    {/*stateDim=*/64,
     /*recurrent=*/{3.9, 149.4, 4.085e-05},
     /*chunked=*/{0.0, 223.7, 19.77},
     /*attention=*/{4.3, 66.07, 0},
     /*bandwidthGBs=*/29.9},
    {/*stateDim=*/128,
     /*recurrent=*/{4.9, 158.1, 1.93e-05},
     /*chunked=*/{0.0, 207.7, 23.3},
     /*attention=*/{3.0, 68.5, 0},
     /*bandwidthGBs=*/29.9},
};

/// The calibrated model nearest to `stateDim` (in ratio).
const TargetModel &cpuModelFor(int64_t stateDim) {
  const TargetModel *best = &cpuModels[0];
  for (const TargetModel &m : cpuModels)
    if (std::abs(std::log(double(m.stateDim) / stateDim)) <
        std::abs(std::log(double(best->stateDim) / stateDim)))
      best = &m;
  return *best;
}

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
  double micros = 0;

  std::string name() const {
    std::string text = stringifyForm(form).str();
    if (form == Form::Chunked)
      text += "(" + std::to_string(chunkSize) + ")";
    return text;
  }
};

double estimateMicros(const TargetModel &model, Candidate &c) {
  const FormModel &form = c.form == Form::Recurrent ? model.recurrent
                          : c.form == Form::Chunked ? model.chunked
                                                    : model.attention;
  return form.callMicros + c.cost.flops / (form.gflops * 1e3) +
         c.cost.bytes / (model.bandwidthGBs * 1e3) + c.steps * form.stepMicros;
}

/// Builds the candidates of `op` as detached ops over its operands, costs
/// them through the interface at `sizes`, and erases them.
SmallVector<Candidate> candidatesFor(InteractOpInterface op,
                                     const OperatorSizes &sizes,
                                     const DecayClasses &classes) {
  SmallVector<Candidate> result;
  MLIRContext *ctx = op->getContext();
  OpBuilder b(ctx);
  Location loc = op->getLoc();
  auto add = [&](Operation *candidate, Form form, int64_t chunk, double steps) {
    Candidate c;
    c.form = form;
    c.chunkSize = chunk;
    c.cost = cast<InteractOpInterface>(candidate).getCost(sizes);
    c.steps = steps;
    result.push_back(c);
  };
  double t = sizes.seqLen;

  // Every recurrent-capable op has a scan form: the op itself, its chunked
  // form's scan, or the scan that causal linear attention converts to.
  Value x, a, B, C, init;
  TypeRange resultTypes;
  if (auto scan = dyn_cast<ScanOp>(op.getOperation())) {
    x = scan.getX(), a = scan.getA(), B = scan.getB(), C = scan.getC();
    init = scan.getInitState();
    resultTypes = scan->getResultTypes();
  } else if (auto chunked = dyn_cast<ChunkedScanOp>(op.getOperation())) {
    x = chunked.getX(), a = chunked.getA(), B = chunked.getB();
    C = chunked.getC(), init = chunked.getInitState();
    resultTypes = chunked->getResultTypes();
  }
  if (x) {
    Operation *scan = ScanOp::create(b, loc, resultTypes, x, a, B, C, init);
    add(scan, Form::Recurrent, 0, t);
    scan->erase();
    // The CPU lowering tiles the chunked form's products for scalar decays
    // only; with a diagonal decay they are plain loop nests, two orders of
    // magnitude slower than the other forms, which the model (fitted on
    // scalar decays) does not know.
    bool diagonal = cast<RankedTensorType>(a.getType()).getRank() == 4;
    for (int64_t q : diagonal ? ArrayRef<int64_t>() : candidateChunkSizes) {
      Operation *chunked = ChunkedScanOp::create(
          b, loc, resultTypes, x, a, B, C, init, b.getI64IntegerAttr(q));
      add(chunked, Form::Chunked, q, std::ceil(t / q));
      chunked->erase();
    }
    if (classes.size() == 1) {
      Operation *attention = AttentionOp::create(
          b, loc, resultTypes.front(), KernelAttr::get(ctx, Kernel::Identity),
          MaskAttr::get(ctx, Mask::Semiseparable), C, B, x, a,
          b.getF32FloatAttr(1.0f));
      add(attention, Form::Attention, 0, 0);
      attention->erase();
    }
    return result;
  }
  // Attention: itself, and the scan forms when it has a recurrence.
  add(op, Form::Attention, 0, 0);
  if (whyNotAttentionToScan(op))
    return result;
  OperatorCost scanCost = op.getCost(sizes);
  // The dual scan's cost: 5 t n p per head, the attention's bytes.
  Candidate recurrent;
  recurrent.form = Form::Recurrent;
  recurrent.cost = {5.0 * sizes.batch * sizes.numHeads * t * sizes.headDim *
                        sizes.stateDim,
                    scanCost.bytes};
  recurrent.steps = t;
  result.push_back(recurrent);
  for (int64_t q : candidateChunkSizes) {
    Candidate chunked;
    chunked.form = Form::Chunked;
    chunked.chunkSize = q;
    double qq = std::min<double>(q, t);
    chunked.cost = {2.0 * sizes.batch * sizes.numHeads * t *
                        (qq * sizes.stateDim + qq * sizes.headDim +
                         2.0 * sizes.stateDim * sizes.headDim),
                    scanCost.bytes};
    chunked.steps = std::ceil(t / q);
    result.push_back(chunked);
  }
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
    if (target != "cpu") {
      root->emitError() << "interact-select-form: no cost model for target '"
                        << target
                        << "': its constants are measured, and only the CPU "
                           "code exists to measure (target=cpu)";
      return signalPassFailure();
    }
    if (batchHint <= 0 || seqLenHint <= 0) {
      root->emitError() << "interact-select-form: the batch and seq-len hints "
                           "must be positive";
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
    SmallVector<Candidate> candidates = candidatesFor(op, sizes, classes);
    for (Candidate &c : candidates)
      c.micros = estimateMicros(cpuModelFor(sizes.stateDim), c);
    const Candidate *best = &candidates.front();
    for (const Candidate &c : candidates)
      if (c.micros < best->micros)
        best = &c;

    std::string text;
    llvm::raw_string_ostream os(text);
    os << "selected " << best->name() << " for cpu at b=" << sizes.batch
       << " t=" << sizes.seqLen << ": estimated ";
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
};

} // namespace
