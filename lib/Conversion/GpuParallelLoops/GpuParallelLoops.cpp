//===- GpuParallelLoops.cpp - Host parallel loops as GPU kernels ----------===//
//
// One thread per point of an outermost scf.parallel in host code: the
// iteration space linearized (last dimension fastest), cut into blocks, and
// delinearized by each thread.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"

#define DEBUG_TYPE "interact-gpu-parallel-loops"

namespace mlir::interact {
#define GEN_PASS_DEF_GPUPARALLELLOOPSPASS
#include "interact/Conversion/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;

namespace {

/// Replaces `loop` by a launch of one thread per point.
void launchPerPoint(scf::ParallelOp loop, int64_t threadsPerBlock) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value one = constant(1), threads = constant(threadsPerBlock);
  // Points per dimension, ceil((ub - lb) / step), and their product.
  SmallVector<Value> counts;
  Value total = one;
  for (auto [lb, ub, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    Value span = arith::SubIOp::create(b, loc, ub, lb);
    Value count = arith::CeilDivSIOp::create(b, loc, span, step);
    count = arith::MaxSIOp::create(b, loc, count, constant(0));
    counts.push_back(count);
    total = arith::MulIOp::create(b, loc, total, count);
  }
  Value blocks = arith::CeilDivSIOp::create(b, loc, total, threads);
  auto launch =
      gpu::LaunchOp::create(b, loc, blocks, one, one, threads, one, one);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value id = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, launch.getBlockIds().x, threads),
      launch.getThreadIds().x);
  Value inside =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, id, total);
  auto guard = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(guard.thenBlock());
  // Delinearize, last dimension fastest.
  IRMapping mapping;
  Value rest = id;
  for (int64_t i = counts.size() - 1; i >= 0; --i) {
    Value index =
        i == 0 ? rest : arith::RemUIOp::create(b, loc, rest, counts[i]);
    if (i > 0)
      rest = arith::DivUIOp::create(b, loc, rest, counts[i]);
    Value iv = arith::AddIOp::create(
        b, loc, loop.getLowerBound()[i],
        arith::MulIOp::create(b, loc, index, loop.getStep()[i]));
    mapping.map(loop.getInductionVars()[i], iv);
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();
}

struct GpuParallelLoopsPass
    : public interact::impl::GpuParallelLoopsPassBase<GpuParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threadsPerBlock <= 0 || threadsPerBlock > 1024) {
      getOperation().emitError()
          << "interact-gpu-parallel-loops: threads-per-block must be in [1, "
             "1024], not "
          << threadsPerBlock;
      return signalPassFailure();
    }
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp, gpu::GPUModuleOp>(op))
        return WalkResult::skip();
      if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
        // A loop with reductions of its own is left to upstream's mapping.
        if (loop.getInitVals().empty())
          loops.push_back(loop);
        return WalkResult::skip();
      }
      return WalkResult::advance();
    });
    for (scf::ParallelOp loop : loops)
      launchPerPoint(loop, threadsPerBlock);
  }
};

} // namespace
