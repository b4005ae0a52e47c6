//===- InteractToLinalg.h - Lower interact ops to tensors -------*- C++ -*-===//
//
// The lowering of interact ops to linalg, tensor, vector and scf, split by
// op family (as upstream's TosaToLinalg): each family adds its patterns with
// its own populate function, and the strategy is chosen by which populate a
// pass calls. The float64 reference lowering is target-neutral; the CPU
// kernels take their vector width and register budget from a KernelConfig
// (the module's target, interact/Target/Target.h).
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_CONVERSION_INTERACTTOLINALG_INTERACTTOLINALG_H
#define INTERACT_CONVERSION_INTERACTTOLINALG_INTERACTTOLINALG_H

#include "interact/Kernels/KernelConfig.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace mlir::interact {

/// Adds the patterns that lower every interact op by its plain definition in
/// float64: scans and chunked scans as the sequential recurrence, attention
/// as the direct sum with its scores materialized. Target-neutral (the
/// CPU's `--check` reference; the GPU path reuses it).
void populateInteractToLinalgReferencePatterns(RewritePatternSet &patterns);

/// Adds the pattern that lowers `interact.scan` to the by-columns vector
/// recurrence (RecurrenceTile) for `config`.
void populateScanToLinalgPatterns(RewritePatternSet &patterns,
                                  const kernels::KernelConfig &config);

/// Adds the pattern that lowers `interact.chunked_scan` by Mamba-2's SSD
/// algorithm: register-tiled products for a scalar decay, linalg.generics
/// for a diagonal one.
void populateChunkedScanToLinalgPatterns(RewritePatternSet &patterns,
                                         const kernels::KernelConfig &config);

/// Adds the pattern that lowers `interact.attention`: flash-style tiled
/// online softmax for masks without a decay, a per-query walk of the keys
/// for a decayed mask.
void populateAttentionToLinalgPatterns(RewritePatternSet &patterns,
                                       const kernels::KernelConfig &config);

/// Adds the CPU kernels of every op family for `config`.
void populateInteractToLinalgPatterns(RewritePatternSet &patterns,
                                      const kernels::KernelConfig &config);

} // namespace mlir::interact

#endif // INTERACT_CONVERSION_INTERACTTOLINALG_INTERACTTOLINALG_H
