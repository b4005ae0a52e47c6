//===- InteractOps.cpp - interact op verifiers and interface --------------===//
//
// The verifiers name the operand at fault and the symbolic dimension
// (b, t, h, p, n, g, ...) of DESIGN.md that disagrees, so that a message reads
// like the shape contract of the op's description.
//
//===----------------------------------------------------------------------===//

#include "interact/Dialect/Interact/IR/InteractOps.h"
#include "interact/Dialect/Interact/IR/InteractMask.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;
using namespace mlir::interact;

//===----------------------------------------------------------------------===//
// Shape checking shared by all ops
//===----------------------------------------------------------------------===//

namespace {

/// One operand or result as the verifier talks about it: "operand 'x'".
struct NamedValue {
  StringRef kind; // "operand" or "result"
  StringRef name;
  RankedTensorType type;

  std::string label() const { return (kind + " '" + name + "'").str(); }
};

/// Binds symbolic dimension names to sizes across the operands and results of
/// one op. The first static size seen for a name binds it; a later static size
/// that differs is an error naming both values. Batch and lengths may be
/// dynamic; every other dimension must be static.
class ShapeChecker {
public:
  explicit ShapeChecker(Operation *op) : op(op) {}

  /// Checks every value of `layouts` (InteractOpInterface).
  LogicalResult check(ArrayRef<DimensionLayout> layouts) {
    for (const DimensionLayout &layout : layouts)
      if (failed(check({layout.kind, layout.name,
                        cast<RankedTensorType>(layout.value.getType())},
                       layout.dims)))
        return failure();
    return success();
  }

  /// Checks that `value` has one dimension per name in `layout` and binds
  /// each dimension to its name.
  LogicalResult check(const NamedValue &value, ArrayRef<StringRef> layout) {
    if (value.type.getRank() != static_cast<int64_t>(layout.size()))
      return op->emitOpError()
             << value.label() << " must have rank " << layout.size() << " ("
             << llvm::join(layout, " x ") << "), but has type " << value.type;
    for (auto [dim, name] : llvm::enumerate(layout))
      if (failed(bind(value, dim, name)))
        return failure();
    return success();
  }

  /// Returns the size bound to `name`, or kDynamic if none is static.
  int64_t get(StringRef name) const {
    for (const Binding &b : bindings)
      if (b.name == name)
        return b.size;
    return ShapedType::kDynamic;
  }

private:
  struct Binding {
    StringRef name;
    int64_t size;
    NamedValue source;
    unsigned dim;
  };

  /// Names that may be dynamic (and zero); all others are structural and
  /// must be static and positive.
  static bool mayBeDynamic(StringRef name) {
    return name == "b" || name == "t" || name == "s";
  }

  LogicalResult bind(const NamedValue &value, unsigned dim, StringRef name) {
    int64_t size = value.type.getDimSize(dim);
    if (ShapedType::isDynamic(size)) {
      if (mayBeDynamic(name))
        return success();
      return op->emitOpError() << value.label() << " must have a static "
                               << name << " (dimension " << dim << ")";
    }
    // Heads, head and state sizes and groups of zero define no operator;
    // an empty batch or sequence does.
    if (size == 0 && !mayBeDynamic(name))
      return op->emitOpError()
             << value.label() << " has " << name << " = 0 (dimension " << dim
             << "), but " << name << " must be positive";
    for (const Binding &b : bindings) {
      if (b.name != name)
        continue;
      if (b.size == size)
        return success();
      return op->emitOpError() << value.label() << " has " << name << " = "
                               << size << " (dimension " << dim << "), but "
                               << b.source.label() << " has " << name << " = "
                               << b.size << " (dimension " << b.dim << ")";
    }
    bindings.push_back({name, size, value, dim});
    return success();
  }

  Operation *op;
  SmallVector<Binding> bindings;
};

/// Checks that `value` has the element type of `reference`, or f32 when
/// `allowF32` (decays and states of f16/bf16 models are often kept in f32).
LogicalResult checkElementType(Operation *op, const NamedValue &value,
                               const NamedValue &reference, bool allowF32) {
  Type type = value.type.getElementType();
  Type expected = reference.type.getElementType();
  if (type == expected || (allowF32 && type.isF32()))
    return success();
  if (allowF32)
    return op->emitOpError()
           << value.label() << " must have element type f32 or that of "
           << reference.label() << " (" << expected << "), but has " << type;
  return op->emitOpError() << value.label() << " has element type " << type
                           << ", but " << reference.label() << " has "
                           << expected;
}

NamedValue operand(StringRef name, Value value) {
  return {"operand", name, cast<RankedTensorType>(value.getType())};
}

NamedValue result(StringRef name, Value value) {
  return {"result", name, cast<RankedTensorType>(value.getType())};
}

/// Returns the first static size among `dims` (value, dimension) pairs, or
/// kDynamic. The verifier has checked that all static ones agree.
int64_t firstStatic(ArrayRef<std::pair<Value, unsigned>> dims) {
  for (auto [value, dim] : dims) {
    if (!value)
      continue;
    int64_t size = cast<RankedTensorType>(value.getType()).getDimSize(dim);
    if (!ShapedType::isDynamic(size))
      return size;
  }
  return ShapedType::kDynamic;
}

/// Bytes of a tensor of `type`'s element type with `numElements` elements.
double tensorBytes(Value value, double numElements) {
  if (!value)
    return 0;
  Type elementType = cast<RankedTensorType>(value.getType()).getElementType();
  return numElements * llvm::divideCeil(elementType.getIntOrFloatBitWidth(), 8);
}

} // namespace

//===----------------------------------------------------------------------===//
// Custom assembly: `keyword %operand` for an optional operand
//===----------------------------------------------------------------------===//

/// Parses `keyword %value` when `keyword` is present. Unlike ODS's optional
/// group, a keyword without its operand is an error, not an absent operand.
static ParseResult
parseKeywordOperand(OpAsmParser &parser, StringRef keyword,
                    std::optional<OpAsmParser::UnresolvedOperand> &operand) {
  if (failed(parser.parseOptionalKeyword(keyword)))
    return success();
  operand.emplace();
  return parser.parseOperand(*operand);
}

static void printKeywordOperand(OpAsmPrinter &printer, StringRef keyword,
                                Value operand) {
  // The format suppresses the space before the directive, so that an absent
  // operand prints nothing.
  if (operand)
    printer << ' ' << keyword << ' ' << operand;
}

/// `init %state` of scan and chunked_scan.
static ParseResult
parseInitState(OpAsmParser &parser,
               std::optional<OpAsmParser::UnresolvedOperand> &operand) {
  return parseKeywordOperand(parser, "init", operand);
}
static void printInitState(OpAsmPrinter &printer, Operation *, Value operand) {
  printKeywordOperand(printer, "init", operand);
}

/// `decay %a` of attention.
static ParseResult
parseDecay(OpAsmParser &parser,
           std::optional<OpAsmParser::UnresolvedOperand> &operand) {
  return parseKeywordOperand(parser, "decay", operand);
}
static void printDecay(OpAsmPrinter &printer, Operation *, Value operand) {
  printKeywordOperand(printer, "decay", operand);
}

//===----------------------------------------------------------------------===//
// ScanOp and ChunkedScanOp
//===----------------------------------------------------------------------===//

/// Verifies the operands and results shared by `scan` and `chunked_scan`.
template <typename ScanLikeOp>
static LogicalResult verifyScanLike(ScanLikeOp op) {
  ShapeChecker shapes(op);
  NamedValue x = operand("x", op.getX());
  NamedValue a = operand("a", op.getA());
  NamedValue b = operand("B", op.getB());
  NamedValue c = operand("C", op.getC());
  NamedValue y = result("y", op.getY());
  NamedValue finalState = result("final_state", op.getFinalState());

  int64_t decayRank = a.type.getRank();
  if (decayRank != 3 && decayRank != 4)
    return op.emitOpError()
           << a.label()
           << " must have rank 3 (b x t x h, scalar decay) or rank 4 "
           << "(b x t x h x n, diagonal decay), but has type " << a.type;
  if (failed(shapes.check(op.getDimensionLayouts())))
    return failure();

  int64_t heads = shapes.get("h"), groups = shapes.get("g");
  if (groups == 0 || heads % groups != 0)
    return op.emitOpError() << "number of heads h = " << heads
                            << " must be a positive multiple of the number "
                               "of groups g = "
                            << groups;

  if (failed(checkElementType(op, b, x, /*allowF32=*/false)) ||
      failed(checkElementType(op, c, x, /*allowF32=*/false)) ||
      failed(checkElementType(op, y, x, /*allowF32=*/false)) ||
      failed(checkElementType(op, a, x, /*allowF32=*/true)) ||
      failed(checkElementType(op, finalState, x, /*allowF32=*/true)))
    return failure();
  if (op.getInitState() &&
      failed(checkElementType(op, operand("init_state", op.getInitState()),
                              finalState, /*allowF32=*/false)))
    return failure();
  return success();
}

template <typename ScanLikeOp>
static SmallVector<DimensionLayout> getScanLikeLayouts(ScanLikeOp op) {
  bool diagonal = cast<RankedTensorType>(op.getA().getType()).getRank() == 4;
  SmallVector<DimensionLayout> layouts = {
      {"operand", "x", op.getX(), {"b", "t", "h", "p"}},
      {"operand", "B", op.getB(), {"b", "t", "g", "n"}},
      {"operand", "C", op.getC(), {"b", "t", "g", "n"}},
      {"operand", "a", op.getA(), {"b", "t", "h"}}};
  if (diagonal)
    layouts.back().dims.push_back("n");
  if (op.getInitState())
    layouts.push_back(
        {"operand", "init_state", op.getInitState(), {"b", "h", "p", "n"}});
  layouts.push_back({"result", "y", op.getY(), {"b", "t", "h", "p"}});
  layouts.push_back(
      {"result", "final_state", op.getFinalState(), {"b", "h", "p", "n"}});
  return layouts;
}

template <typename ScanLikeOp>
static OperatorSizes getScanLikeSizes(ScanLikeOp op) {
  Value x = op.getX(), a = op.getA(), b = op.getB(), c = op.getC();
  Value init = op.getInitState(), y = op.getY(), s = op.getFinalState();
  OperatorSizes sizes;
  sizes.batch =
      firstStatic({{x, 0}, {a, 0}, {b, 0}, {c, 0}, {init, 0}, {y, 0}, {s, 0}});
  sizes.seqLen = firstStatic({{x, 1}, {a, 1}, {b, 1}, {c, 1}, {y, 1}});
  sizes.srcLen = sizes.seqLen;
  sizes.numHeads = sizes.numValueHeads = firstStatic({{x, 2}});
  sizes.numQueryHeads = sizes.numKeyHeads = firstStatic({{b, 2}});
  sizes.headDim = firstStatic({{x, 3}});
  sizes.stateDim = firstStatic({{b, 3}});
  return sizes;
}

/// Compulsory traffic of a scan-like op: every operand read once, every
/// result written once.
template <typename ScanLikeOp>
static double getScanLikeBytes(ScanLikeOp op, const OperatorSizes &sz) {
  double bt = static_cast<double>(sz.batch) * sz.seqLen;
  double bhpn =
      static_cast<double>(sz.batch) * sz.numHeads * sz.headDim * sz.stateDim;
  double decay = bt * sz.numHeads *
                 (op.getDecayKind() == DecayKind::Diagonal ? sz.stateDim : 1);
  return tensorBytes(op.getX(), bt * sz.numHeads * sz.headDim) +
         tensorBytes(op.getA(), decay) +
         tensorBytes(op.getB(), bt * sz.numKeyHeads * sz.stateDim) +
         tensorBytes(op.getC(), bt * sz.numQueryHeads * sz.stateDim) +
         tensorBytes(op.getInitState(), bhpn) +
         tensorBytes(op.getY(), bt * sz.numHeads * sz.headDim) +
         tensorBytes(op.getFinalState(), bhpn);
}

template <typename ScanLikeOp>
static DecayKind getScanLikeDecayKind(ScanLikeOp op) {
  return cast<RankedTensorType>(op.getA().getType()).getRank() == 3
             ? DecayKind::Scalar
             : DecayKind::Diagonal;
}

/// Returns `h * p * n`, saturated at INT64_MAX for absurd static sizes.
static int64_t getStateElements(const OperatorSizes &sizes) {
  uint64_t elements = llvm::SaturatingMultiply<uint64_t>(
      llvm::SaturatingMultiply<uint64_t>(sizes.numHeads, sizes.headDim),
      sizes.stateDim);
  return static_cast<int64_t>(
      std::min<uint64_t>(elements, std::numeric_limits<int64_t>::max()));
}

template <typename ScanLikeOp>
static int64_t getScanLikeStateSize(ScanLikeOp op) {
  return getStateElements(op.getSizes());
}

LogicalResult ScanOp::verify() { return verifyScanLike(*this); }

Form ScanOp::getForm() { return Form::Recurrent; }
bool ScanOp::isCausal() { return true; }
DecayKind ScanOp::getDecayKind() { return getScanLikeDecayKind(*this); }
Value ScanOp::getDecayOperand() { return getA(); }
std::optional<int64_t> ScanOp::getStateSize() {
  return getScanLikeStateSize(*this);
}
OperatorSizes ScanOp::getSizes() { return getScanLikeSizes(*this); }
SmallVector<DimensionLayout> ScanOp::getDimensionLayouts() {
  return getScanLikeLayouts(*this);
}

OperatorCost ScanOp::getCost(const OperatorSizes &sizes) {
  assert(sizes.isStatic() && "cost needs static sizes");
  // Per head and step: decay the p x n state (pn), add x B^T (2pn), and
  // contract with C (2pn).
  double flops = 5.0 * sizes.batch * sizes.numHeads * sizes.seqLen *
                 sizes.headDim * sizes.stateDim;
  return {flops, getScanLikeBytes(*this, sizes)};
}

LogicalResult ChunkedScanOp::verify() {
  // I64Attr reads back unsigned; the sign matters here.
  int64_t chunkSize = getChunkSizeAttr().getInt();
  if (chunkSize <= 0)
    return emitOpError() << "chunk_size must be positive, but is " << chunkSize;
  if (chunkSize > kMaxChunkSize)
    return emitOpError() << "chunk_size must be at most " << kMaxChunkSize
                         << ", but is " << chunkSize;
  return verifyScanLike(*this);
}

Form ChunkedScanOp::getForm() { return Form::Chunked; }
bool ChunkedScanOp::isCausal() { return true; }
DecayKind ChunkedScanOp::getDecayKind() { return getScanLikeDecayKind(*this); }
Value ChunkedScanOp::getDecayOperand() { return getA(); }
std::optional<int64_t> ChunkedScanOp::getStateSize() {
  return getScanLikeStateSize(*this);
}
OperatorSizes ChunkedScanOp::getSizes() { return getScanLikeSizes(*this); }
SmallVector<DimensionLayout> ChunkedScanOp::getDimensionLayouts() {
  return getScanLikeLayouts(*this);
}

OperatorCost ChunkedScanOp::getCost(const OperatorSizes &sizes) {
  assert(sizes.isStatic() && "cost needs static sizes");
  // Per head: the intra-chunk products C B^T (2tQn) and (L o C B^T) X (2tQp),
  // chunk states (2tnp) and the off-diagonal output C S (2tnp). A sequence
  // shorter than a chunk is one chunk of length t.
  double q = std::min<int64_t>(getChunkSizeAttr().getInt(), sizes.seqLen);
  double n = sizes.stateDim, p = sizes.headDim;
  double flops = 2.0 * sizes.batch * sizes.numHeads * sizes.seqLen *
                 (q * n + q * p + 2 * n * p);
  return {flops, getScanLikeBytes(*this, sizes)};
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

/// The masks that take a decay operand, quoted: "'semiseparable'".
static std::string decayedMaskNames() {
  std::string names;
  for (uint32_t i = 0; i <= getMaxEnumValForMask(); ++i) {
    std::optional<Mask> mask = symbolizeMask(i);
    if (!mask || !getMaskTraits(*mask).decayed)
      continue;
    names += (names.empty() ? "'" : " or '") + stringifyMask(*mask).str() + "'";
  }
  return names;
}

LogicalResult AttentionOp::verify() {
  ShapeChecker shapes(*this);
  NamedValue q = operand("q", getQ());
  NamedValue k = operand("k", getK());
  NamedValue v = operand("v", getV());
  NamedValue y = result("y", getY());

  MaskTraits mask = getMaskTraits(getMask());
  if (mask.decayed && !getDecay())
    return emitOpError() << "mask '" << stringifyMask(getMask())
                         << "' requires a decay operand";
  if (!mask.decayed && getDecay())
    return emitOpError() << "a decay operand is only allowed with mask "
                         << decayedMaskNames() << ", but the mask is '"
                         << stringifyMask(getMask()) << "'";
  if (!getScale().isFinite())
    return emitOpError() << "scale must be finite, but is " << getScaleAttr();

  if (failed(shapes.check(getDimensionLayouts())))
    return failure();

  int64_t numHeads = shapes.get("H");
  int64_t maxHeads = 0;
  for (StringRef name : {"h_q", "h_k", "h_v"}) {
    int64_t heads = shapes.get(name);
    if (heads == 0 || numHeads % heads != 0)
      return emitOpError() << "head count " << name << " = " << heads
                           << " must divide the output head count H = "
                           << numHeads;
    maxHeads = std::max(maxHeads, heads);
  }
  if (numHeads != maxHeads)
    return emitOpError() << "output head count H = " << numHeads
                         << " must equal the largest operand head count "
                         << maxHeads;

  int64_t t = shapes.get("t"), s = shapes.get("s");
  if (mask.causal && !ShapedType::isDynamic(t) && !ShapedType::isDynamic(s) &&
      t != s)
    return emitOpError() << "mask '" << stringifyMask(getMask())
                         << "' requires as many keys as queries, but t = " << t
                         << " and s = " << s;

  if (failed(checkElementType(*this, k, q, /*allowF32=*/false)) ||
      failed(checkElementType(*this, v, q, /*allowF32=*/false)) ||
      failed(checkElementType(*this, y, q, /*allowF32=*/false)))
    return failure();
  if (getDecay() && failed(checkElementType(*this, operand("decay", getDecay()),
                                            q, /*allowF32=*/true)))
    return failure();
  return success();
}

SmallVector<DimensionLayout> AttentionOp::getDimensionLayouts() {
  SmallVector<DimensionLayout> layouts = {
      {"operand", "q", getQ(), {"b", "t", "h_q", "n"}},
      {"operand", "k", getK(), {"b", "s", "h_k", "n"}},
      {"operand", "v", getV(), {"b", "s", "h_v", "p"}},
      {"result", "y", getY(), {"b", "t", "H", "p"}}};
  if (getDecay())
    layouts.push_back({"operand", "decay", getDecay(), {"b", "t", "H"}});
  return layouts;
}

Form AttentionOp::getForm() { return Form::Attention; }
bool AttentionOp::isCausal() { return getMaskTraits(getMask()).causal; }

DecayKind AttentionOp::getDecayKind() {
  // A decayed mask weighs a pair by one decay per step and head: a scalar
  // decay.
  return getMaskTraits(getMask()).decayed ? DecayKind::Scalar : DecayKind::None;
}

Value AttentionOp::getDecayOperand() { return getDecay(); }

std::optional<int64_t> AttentionOp::getStateSize() {
  // Only causal identity-kernel attention is a finite-state recurrence; a
  // softmax kernel's interaction rank grows with the sequence.
  if (getKernel() != Kernel::Identity || !isCausal())
    return std::nullopt;
  return getStateElements(getSizes());
}

OperatorSizes AttentionOp::getSizes() {
  Value q = getQ(), k = getK(), v = getV(), y = getY(), decay = getDecay();
  OperatorSizes sizes;
  sizes.batch = firstStatic({{q, 0}, {k, 0}, {v, 0}, {y, 0}, {decay, 0}});
  sizes.seqLen = firstStatic({{q, 1}, {y, 1}, {decay, 1}});
  sizes.srcLen = firstStatic({{k, 1}, {v, 1}});
  // A causal mask makes the lengths equal even when only one is static.
  if (isCausal()) {
    if (ShapedType::isDynamic(sizes.seqLen))
      sizes.seqLen = sizes.srcLen;
    if (ShapedType::isDynamic(sizes.srcLen))
      sizes.srcLen = sizes.seqLen;
  }
  sizes.numHeads = firstStatic({{y, 2}});
  sizes.numQueryHeads = firstStatic({{q, 2}});
  sizes.numKeyHeads = firstStatic({{k, 2}});
  sizes.numValueHeads = firstStatic({{v, 2}});
  sizes.headDim = firstStatic({{v, 3}});
  sizes.stateDim = firstStatic({{q, 3}});
  return sizes;
}

OperatorCost AttentionOp::getCost(const OperatorSizes &sz) {
  assert(sz.isStatic() && "cost needs static sizes");
  // Per head and (query, key) pair: the score q.k (2n) and its share of the
  // weighted sum of values (2p). Kernel and mask arithmetic is not counted.
  double pairs = OperatorSizes::numPairs(sz.seqLen, sz.srcLen, isCausal());
  double flops = 2.0 * sz.batch * sz.numHeads * pairs *
                 (static_cast<double>(sz.stateDim) + sz.headDim);
  double bt = static_cast<double>(sz.batch) * sz.seqLen;
  double bs = static_cast<double>(sz.batch) * sz.srcLen;
  double bytes = tensorBytes(getQ(), bt * sz.numQueryHeads * sz.stateDim) +
                 tensorBytes(getK(), bs * sz.numKeyHeads * sz.stateDim) +
                 tensorBytes(getV(), bs * sz.numValueHeads * sz.headDim) +
                 tensorBytes(getDecay(), bt * sz.numHeads) +
                 tensorBytes(getY(), bt * sz.numHeads * sz.headDim);
  return {flops, bytes};
}

#define GET_OP_CLASSES
#include "interact/Dialect/Interact/IR/InteractOps.cpp.inc"
