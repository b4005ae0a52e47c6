//===- Transforms.h - Rewrites between interact forms -----------*- C++ -*-===//
//
// Each rewrite is a public function that checks legality first and fails
// without touching the IR when the rewrite does not apply, filling `reason`
// with why, in words for a remark. The passes are thin wrappers.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_DIALECT_INTERACT_TRANSFORMS_TRANSFORMS_H
#define INTERACT_DIALECT_INTERACT_TRANSFORMS_TRANSFORMS_H

#include "interact/Dialect/Interact/Analysis/StructureAnalysis.h"
#include "interact/Dialect/Interact/IR/InteractOps.h"

#include "mlir/IR/PatternMatch.h"

#include <string>

namespace mlir::interact {

/// Rewrites a scan with one decay class as identity-kernel semiseparable
/// attention, adding the initial-state term and computing a used final state.
FailureOr<AttentionOp> convertScanToAttention(RewriterBase &rewriter, ScanOp op,
                                              const DecayClasses &classes,
                                              std::string *reason = nullptr);

/// Rewrites causal identity-kernel attention as a scan.
FailureOr<ScanOp> convertAttentionToScan(RewriterBase &rewriter, AttentionOp op,
                                         std::string *reason = nullptr);

/// Splits a diagonal-decay scan into one scalar-decay scan per class.
FailureOr<SmallVector<ScanOp>>
splitByDecayClasses(RewriterBase &rewriter, ScanOp op,
                    const DecayClasses &classes, std::string *reason = nullptr);

/// Rewrites a scan, or attention that converts to one, as a chunked scan.
FailureOr<ChunkedScanOp> convertToChunked(RewriterBase &rewriter,
                                          InteractOpInterface op,
                                          int64_t chunkSize,
                                          std::string *reason = nullptr);

/// Rewrites a chunked scan as the plain scan it realizes.
ScanOp convertChunkedToScan(RewriterBase &rewriter, ChunkedScanOp op);

} // namespace mlir::interact

#endif // INTERACT_DIALECT_INTERACT_TRANSFORMS_TRANSFORMS_H
