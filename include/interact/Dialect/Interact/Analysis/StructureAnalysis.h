//===- StructureAnalysis.h - What interact ops provably are -----*- C++ -*-===//
//
// For each interact op: its decay classes proven from the IR that computes
// the decays (DESIGN.md section 1, the semiseparability condition), its
// semiseparable rank, causality, and which form-to-form rewrites are legal.
// Rewrites and the cost model ask this analysis and the op interface, never
// op names.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_DIALECT_INTERACT_ANALYSIS_STRUCTUREANALYSIS_H
#define INTERACT_DIALECT_INTERACT_ANALYSIS_STRUCTUREANALYSIS_H

#include "interact/Dialect/Interact/IR/InteractInterfaces.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace mlir::interact {

/// A partition of the state columns `0..n-1` into decay classes: columns
/// whose decay sequences are provably identical, for every head.
struct DecayClasses {
  /// Each class's columns, in increasing order; classes ordered by their
  /// first column.
  SmallVector<SmallVector<int64_t>> classes;
  /// Distinct decay sequences within each head's row, where proven from a
  /// constant (`dt x A`); empty otherwise.
  SmallVector<int64_t> perHead;
  /// How the classes were proven, in words ("scalar decay", "broadcast along
  /// n", "dt x constant A", "opaque decay: every column its own class").
  std::string proof;
  /// False when nothing was proven (every column its own class).
  bool proven = true;

  int64_t size() const { return classes.size(); }
  /// Returns a partition of `n` columns into a single class.
  static DecayClasses single(int64_t n, StringRef proof);
  /// Returns the unproven partition of `n` columns into singletons.
  static DecayClasses opaque(int64_t n);
};

/// Proves the decay classes of `op` from the IR that defines its decays.
DecayClasses computeDecayClasses(InteractOpInterface op);

/// Legality of each rewrite, from the interface and the decay classes: the
/// reason the rewrite does not apply, in words for a remark, or none.
std::optional<std::string> whyNotScanToAttention(InteractOpInterface op,
                                                 const DecayClasses &classes);
std::optional<std::string> whyNotAttentionToScan(InteractOpInterface op);
std::optional<std::string> whyNotSplit(InteractOpInterface op,
                                       const DecayClasses &classes);
std::optional<std::string> whyNotToChunked(InteractOpInterface op);

/// The structure of one interact op.
struct OpStructure {
  DecayClasses decayClasses;
  /// Semiseparable rank of the op's interaction matrix per head: `n` for an
  /// operator with a finite state, none for softmax or non-causal attention.
  std::optional<int64_t> semiseparableRank;
  /// Flags of the rewrite passes that apply to the op as it stands.
  SmallVector<std::string> legalRewrites;
};

/// Computes the structure of every interact op under an operation; usable
/// with `getAnalysis<StructureAnalysis>()`.
class StructureAnalysis {
public:
  explicit StructureAnalysis(Operation *root);

  /// Returns the structure of `op`, an interact op under the root.
  const OpStructure &lookup(Operation *op) const;

  /// Computes the structure of one op.
  static OpStructure compute(InteractOpInterface op);

private:
  llvm::DenseMap<Operation *, OpStructure> structures;
};

} // namespace mlir::interact

#endif // INTERACT_DIALECT_INTERACT_ANALYSIS_STRUCTUREANALYSIS_H
