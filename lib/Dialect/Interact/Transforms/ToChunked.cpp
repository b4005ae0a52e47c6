//===- ToChunked.cpp - Rewrite scans and linear attention as chunked scans ===//

#include "interact/Dialect/Interact/Transforms/Passes.h"
#include "interact/Dialect/Interact/Transforms/Transforms.h"

#include "RewriteEach.h"

#define DEBUG_TYPE "interact-to-chunked"

namespace mlir::interact {
#define GEN_PASS_DEF_TOCHUNKEDPASS
#include "interact/Dialect/Interact/Transforms/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;
using namespace mlir::interact;

FailureOr<ChunkedScanOp>
mlir::interact::convertToChunked(RewriterBase &rewriter, InteractOpInterface op,
                                 int64_t chunkSize, std::string *reason) {
  if (chunkSize <= 0 || chunkSize > ChunkedScanOp::kMaxChunkSize) {
    if (reason)
      *reason = "the chunk size must be between 1 and " +
                std::to_string(ChunkedScanOp::kMaxChunkSize) + ", not " +
                std::to_string(chunkSize);
    return failure();
  }
  if (std::optional<std::string> why = whyNotToChunked(op)) {
    if (reason)
      *reason = *why;
    return failure();
  }
  ScanOp scan = dyn_cast<ScanOp>(op.getOperation());
  if (auto attention = dyn_cast<AttentionOp>(op.getOperation())) {
    FailureOr<ScanOp> converted =
        convertAttentionToScan(rewriter, attention, reason);
    if (failed(converted))
      return failure();
    scan = *converted;
  }
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(scan);
  auto chunked = ChunkedScanOp::create(
      rewriter, scan.getLoc(), scan->getResultTypes(), scan.getX(), scan.getA(),
      scan.getB(), scan.getC(), scan.getInitState(),
      rewriter.getI64IntegerAttr(chunkSize));
  rewriter.replaceOp(scan, chunked);
  return chunked;
}

ScanOp mlir::interact::convertChunkedToScan(RewriterBase &rewriter,
                                            ChunkedScanOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  auto scan =
      ScanOp::create(rewriter, op.getLoc(), op->getResultTypes(), op.getX(),
                     op.getA(), op.getB(), op.getC(), op.getInitState());
  rewriter.replaceOp(op, scan);
  return scan;
}

namespace {

struct ToChunkedPass : public interact::impl::ToChunkedPassBase<ToChunkedPass> {
  using Base::Base;

  void runOnOperation() override {
    if (chunkSize <= 0 || chunkSize > ChunkedScanOp::kMaxChunkSize) {
      getOperation()->emitError()
          << "interact-to-chunked: chunk-size must be between 1 and "
          << ChunkedScanOp::kMaxChunkSize << ", got "
          << static_cast<int64_t>(chunkSize);
      return signalPassFailure();
    }
    rewriteEach<InteractOpInterface>(
        getOperation(), "not rewritten to a chunked scan",
        [&](RewriterBase &rewriter, InteractOpInterface op,
            std::string &reason) -> LogicalResult {
          // Chunked scans keep their chunk size.
          if (op.getForm() == Form::Chunked)
            return success();
          return convertToChunked(rewriter, op, chunkSize, &reason);
        });
  }
};

} // namespace
