//===- RewriteEach.h - The loop every rewrite pass runs ---------*- C++ -*-===//

#ifndef INTERACT_LIB_DIALECT_INTERACT_TRANSFORMS_REWRITEEACH_H
#define INTERACT_LIB_DIALECT_INTERACT_TRANSFORMS_REWRITEEACH_H

#include "mlir/IR/PatternMatch.h"

#include <string>

namespace mlir::interact {

/// Applies `rewrite` to every op of type OpTy under `root` (collected first,
/// so rewrites may replace them), and remarks `declined: <reason>` on the
/// ops it declines.
template <typename OpTy, typename RewriteFn>
void rewriteEach(Operation *root, StringRef declined, RewriteFn rewrite) {
  SmallVector<OpTy> ops;
  root->walk([&](OpTy op) { ops.push_back(op); });
  IRRewriter rewriter(root->getContext());
  for (OpTy op : ops) {
    std::string reason;
    if (failed(rewrite(rewriter, op, reason)))
      op->emitRemark() << declined << ": " << reason;
  }
}

} // namespace mlir::interact

#endif // INTERACT_LIB_DIALECT_INTERACT_TRANSFORMS_REWRITEEACH_H
