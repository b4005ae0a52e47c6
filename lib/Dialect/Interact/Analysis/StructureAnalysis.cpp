//===- StructureAnalysis.cpp - What interact ops provably are -------------===//
//
// Decay classes are proven from the op that computes a diagonal decay. The
// decay at (b, t, h, k) of an elementwise linalg.generic is a pure function
// of its inputs at that point; inputs whose maps do not use the n dimension
// are the same for every column k, and constant inputs indexed by (h, k) are
// known. So columns k and k' of head h provably share a decay sequence when
// every constant input agrees at (h, k) and (h, k'). A broadcast along n is
// the case with no n-dependent input at all.
//
//===----------------------------------------------------------------------===//

#include "interact/Dialect/Interact/Analysis/StructureAnalysis.h"

#include "interact/Dialect/Interact/IR/InteractOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

#include <map>

using namespace mlir;
using namespace mlir::interact;

DecayClasses DecayClasses::single(int64_t n, StringRef proof) {
  DecayClasses result;
  result.classes.push_back(llvm::to_vector(llvm::seq<int64_t>(0, n)));
  result.proof = proof.str();
  return result;
}

DecayClasses DecayClasses::opaque(int64_t n) {
  DecayClasses result;
  for (int64_t k = 0; k < n; ++k)
    result.classes.push_back({k});
  result.proof = "opaque decay: every column its own class";
  result.proven = false;
  return result;
}

namespace {

/// A constant input of the decay's generic: its values and how (h, k) index
/// them.
struct ConstantInput {
  DenseElementsAttr values;
  AffineMap map;

  /// The value at head `h`, column `k` (the map only uses d2 and d3).
  double at(int64_t h, int64_t k) const {
    SmallVector<int64_t> index = map.compose({0, 0, h, k});
    auto type = cast<ShapedType>(values.getType());
    int64_t flat = 0;
    for (auto [i, d] : llvm::enumerate(index))
      flat = flat * type.getDimSize(i) + d;
    if (values.isSplat())
      flat = 0;
    return (*(values.value_begin<APFloat>() + flat)).convertToDouble();
  }
};

/// Proves classes of a rank-4 decay computed by `generic`, or returns none.
std::optional<DecayClasses> classesOfGeneric(linalg::GenericOp generic,
                                             int64_t heads, int64_t n) {
  if (generic.getNumDpsInits() != 1 || generic.getNumLoops() != 4 ||
      !generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))
           .isIdentity() ||
      generic.getNumReductionLoops() != 0)
    return std::nullopt;
  // The body must be a function of its inputs alone.
  bool usesIndex = false;
  generic.getBody()->walk([&](linalg::IndexOp) { usesIndex = true; });
  if (usesIndex || !generic.getRegionOutputArgs().front().use_empty())
    return std::nullopt;

  SmallVector<ConstantInput> constants;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(input);
    if (!map.isFunctionOfDim(3))
      continue;
    DenseElementsAttr values;
    if (!matchPattern(input->get(), m_Constant(&values)) ||
        !isa<FloatType>(values.getElementType()) || map.isFunctionOfDim(0) ||
        map.isFunctionOfDim(1))
      return std::nullopt;
    constants.push_back({values, map});
  }
  if (constants.empty())
    return DecayClasses::single(n, "broadcast along n");

  // Columns agree in head h when every constant agrees at (h, k); they agree
  // for every head when the constants' whole columns agree.
  DecayClasses result;
  result.proof = "dt x constant A";
  std::map<std::vector<double>, int64_t> classOf;
  for (int64_t k = 0; k < n; ++k) {
    std::vector<double> key;
    for (int64_t h = 0; h < heads; ++h)
      for (const ConstantInput &c : constants)
        key.push_back(c.at(h, k));
    auto [it, inserted] = classOf.emplace(key, result.classes.size());
    if (inserted)
      result.classes.emplace_back();
    result.classes[it->second].push_back(k);
  }
  for (int64_t h = 0; h < heads; ++h) {
    std::map<std::vector<double>, int64_t> distinct;
    for (int64_t k = 0; k < n; ++k) {
      std::vector<double> key;
      for (const ConstantInput &c : constants)
        key.push_back(c.at(h, k));
      distinct.emplace(key, 0);
    }
    result.perHead.push_back(distinct.size());
  }
  return result;
}

} // namespace

DecayClasses mlir::interact::computeDecayClasses(InteractOpInterface op) {
  OperatorSizes sizes = op.getSizes();
  int64_t n = sizes.stateDim;
  switch (op.getDecayKind()) {
  case DecayKind::None:
    return DecayClasses::single(n, "no decay");
  case DecayKind::Scalar:
    return DecayClasses::single(n, "scalar decay");
  case DecayKind::Diagonal:
    break;
  }
  Operation *def = op.getDecayOperand().getDefiningOp();
  if (auto broadcast = dyn_cast_or_null<linalg::BroadcastOp>(def))
    if (broadcast.getDimensions() == ArrayRef<int64_t>{3})
      return DecayClasses::single(n, "broadcast along n");
  if (auto generic = dyn_cast_or_null<linalg::GenericOp>(def))
    if (std::optional<DecayClasses> classes =
            classesOfGeneric(generic, sizes.numHeads, n))
      return *classes;
  return DecayClasses::opaque(n);
}

std::optional<std::string>
mlir::interact::whyNotScanToAttention(InteractOpInterface op,
                                      const DecayClasses &classes) {
  if (op.getForm() != Form::Recurrent)
    return std::string("only recurrent scans are rewritten to attention");
  if (classes.size() != 1)
    return "a diagonal decay with G = " + std::to_string(classes.size()) +
           " decay classes (" + classes.proof +
           ") is a sum of G semiseparable attentions, not one: run "
           "interact-split-decay-classes first";
  return std::nullopt;
}

std::optional<std::string>
mlir::interact::whyNotAttentionToScan(InteractOpInterface op) {
  if (op.getForm() != Form::Attention)
    return std::string("only attention is rewritten to a scan");
  if (!op.isCausal()) {
    auto attention = dyn_cast<AttentionOp>(op.getOperation());
    std::string mask =
        attention ? "mask '" + stringifyMask(attention.getMask()).str() + "'"
                  : std::string("its mask");
    return "attention with " + mask +
           " is not causal: it has no forward recurrence";
  }
  if (!op.getStateSize())
    return std::string("softmax attention has no finite-state recurrence: its "
                       "interaction rank grows with sequence length");
  OperatorSizes sizes = op.getSizes();
  if (!ShapedType::isDynamic(sizes.seqLen) &&
      !ShapedType::isDynamic(sizes.srcLen) && sizes.seqLen != sizes.srcLen)
    return std::string("queries and keys differ in length");
  return std::nullopt;
}

std::optional<std::string>
mlir::interact::whyNotSplit(InteractOpInterface op,
                            const DecayClasses &classes) {
  if (op.getForm() != Form::Recurrent ||
      op.getDecayKind() != DecayKind::Diagonal)
    return std::string("only scans with a diagonal decay are split");
  if (!classes.proven)
    return "no decay classes are proven (" + classes.proof +
           "): splitting would give one scan per state column";
  return std::nullopt;
}

std::optional<std::string>
mlir::interact::whyNotToChunked(InteractOpInterface op) {
  switch (op.getForm()) {
  case Form::Recurrent:
    return std::nullopt;
  case Form::Chunked:
    return std::string("the op is already chunked");
  case Form::Attention:
    return whyNotAttentionToScan(op);
  }
  llvm_unreachable("unknown form");
}

OpStructure StructureAnalysis::compute(InteractOpInterface op) {
  OpStructure structure;
  structure.decayClasses = computeDecayClasses(op);
  if (op.getStateSize())
    structure.semiseparableRank = op.getSizes().stateDim;
  if (!whyNotScanToAttention(op, structure.decayClasses))
    structure.legalRewrites.push_back("interact-scan-to-attention");
  if (!whyNotSplit(op, structure.decayClasses))
    structure.legalRewrites.push_back("interact-split-decay-classes");
  if (!whyNotAttentionToScan(op))
    structure.legalRewrites.push_back("interact-attention-to-scan");
  if (!whyNotToChunked(op))
    structure.legalRewrites.push_back("interact-to-chunked");
  return structure;
}

StructureAnalysis::StructureAnalysis(Operation *root) {
  root->walk([&](InteractOpInterface op) {
    structures.try_emplace(op.getOperation(), compute(op));
  });
}

const OpStructure &StructureAnalysis::lookup(Operation *op) const {
  auto it = structures.find(op);
  assert(it != structures.end() && "not an interact op under the root");
  return it->second;
}
