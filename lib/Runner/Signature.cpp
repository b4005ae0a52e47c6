//===- Signature.cpp - The symbolic signature of a compiled function ------===//

#include "interact/Runner/Signature.h"

#include "interact/Dialect/Interact/IR/InteractOps.h"
#include "interact/Runner/Function.h"

#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::runner;

namespace {

/// Classes of (tensor value, dimension) pairs that have one size.
class DimensionClasses {
public:
  unsigned find(Value value, unsigned dim) {
    auto [it, inserted] = ids.try_emplace({value, dim}, parent.size());
    if (inserted) {
      parent.push_back(parent.size());
      members.push_back({value, dim});
    }
    return root(it->second);
  }

  void join(Value a, unsigned dimA, Value b, unsigned dimB) {
    unsigned ra = find(a, dimA), rb = find(b, dimB);
    if (ra != rb)
      parent[std::max(ra, rb)] = std::min(ra, rb);
  }

  /// Joins the dimensions of two values of one shape, position by position.
  void joinShapes(Value a, Value b) {
    auto ta = dyn_cast<RankedTensorType>(a.getType());
    auto tb = dyn_cast<RankedTensorType>(b.getType());
    if (!ta || !tb || ta.getRank() != tb.getRank())
      return;
    for (unsigned d = 0, e = ta.getRank(); d < e; ++d)
      join(a, d, b, d);
  }

  /// Marks (value, dim) as a product or a factor of other dimensions (a
  /// reshape that merges or splits several): its class's size is tied to
  /// others by more than equality.
  void markDerived(Value value, unsigned dim) {
    find(value, dim);
    derived.insert({value, dim});
  }

  /// Whether a member of `classRoot`'s class is marked derived.
  bool isDerived(unsigned classRoot) {
    for (auto [value, dim] : derived)
      if (find(value, dim) == classRoot)
        return true;
    return false;
  }

  /// The static size a member of `root`'s class has, or kDynamic.
  int64_t staticSize(unsigned classRoot) {
    for (auto [i, member] : llvm::enumerate(members))
      if (root(i) == classRoot) {
        int64_t size = cast<RankedTensorType>(member.first.getType())
                           .getDimSize(member.second);
        if (!ShapedType::isDynamic(size))
          return size;
      }
    return ShapedType::kDynamic;
  }

private:
  unsigned root(unsigned i) {
    while (parent[i] != i)
      i = parent[i] = parent[parent[i]];
    return i;
  }

  llvm::DenseMap<std::pair<Value, unsigned>, unsigned> ids;
  llvm::DenseSet<std::pair<Value, unsigned>> derived;
  SmallVector<unsigned> parent;
  SmallVector<std::pair<Value, unsigned>> members;
};

/// Joins what `op` says about the sizes of its operands and results, and
/// records the dimension names of interact ops in `named`.
void joinOp(Operation *op, DimensionClasses &classes,
            SmallVectorImpl<std::tuple<Value, unsigned, StringRef>> &named) {
  if (auto interaction = dyn_cast<InteractOpInterface>(op)) {
    llvm::StringMap<std::pair<Value, unsigned>> first;
    for (const DimensionLayout &layout : interaction.getDimensionLayouts())
      for (auto [dim, name] : llvm::enumerate(layout.dims)) {
        named.push_back({layout.value, dim, name});
        auto [it, inserted] = first.try_emplace(name, layout.value, dim);
        if (!inserted)
          classes.join(it->second.first, it->second.second, layout.value, dim);
      }
    // A causal operator pairs positions of one sequence.
    if (interaction.isCausal() && first.count("t") && first.count("s"))
      classes.join(first["t"].first, first["t"].second, first["s"].first,
                   first["s"].second);
    return;
  }
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    // Operand dimensions indexed by one loop have that loop's size.
    llvm::DenseMap<unsigned, std::pair<Value, unsigned>> loops;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<RankedTensorType>(operand.get().getType()))
        continue;
      AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
      for (auto [dim, expr] : llvm::enumerate(map.getResults()))
        if (auto loop = dyn_cast<AffineDimExpr>(expr)) {
          auto [it, inserted] =
              loops.try_emplace(loop.getPosition(), operand.get(), dim);
          if (!inserted)
            classes.join(it->second.first, it->second.second, operand.get(),
                         dim);
        }
    }
    for (auto [init, result] :
         llvm::zip(linalgOp.getDpsInits(), op->getResults()))
      classes.joinShapes(init, result);
    return;
  }
  if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
    for (unsigned d = 0, e = empty.getType().getRank(); d < e; ++d) {
      if (!empty.getType().isDynamicDim(d))
        continue;
      auto dimOp = empty.getDynamicSize(d).getDefiningOp<tensor::DimOp>();
      std::optional<int64_t> index =
          dimOp ? dimOp.getConstantIndex() : std::nullopt;
      if (index && isa<RankedTensorType>(dimOp.getSource().getType()))
        classes.join(empty.getResult(), d, dimOp.getSource(), *index);
    }
    return;
  }
  // A reshape joins the dimensions it keeps; the ones it merges or splits
  // are products of others.
  auto reshape = [&](Value merged, Value split,
                     ArrayRef<ReassociationIndices> groups) {
    for (auto [d, group] : llvm::enumerate(groups)) {
      if (group.size() == 1) {
        classes.join(merged, d, split, group.front());
        continue;
      }
      classes.markDerived(merged, d);
      for (int64_t g : group)
        classes.markDerived(split, g);
    }
  };
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
    reshape(collapse.getResult(), collapse.getSrc(),
            collapse.getReassociationIndices());
    return;
  }
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
    reshape(expand.getSrc(), expand.getResult(),
            expand.getReassociationIndices());
    return;
  }
  if (isa<tensor::CastOp>(op) ||
      op->hasTrait<OpTrait::SameOperandsAndResultShape>() ||
      op->hasTrait<OpTrait::Elementwise>()) {
    Value first;
    for (Value value : llvm::concat<Value>(op->getOperands(), op->getResults()))
      if (isa<RankedTensorType>(value.getType())) {
        if (first)
          classes.joinShapes(first, value);
        else
          first = value;
      }
  }
}

/// `text` ("%x") as a C identifier ("x"), or `fallback`.
std::string identifier(StringRef text, const std::string &fallback) {
  text.consume_front("%");
  if (text.empty() || llvm::isDigit(text.front()) ||
      !llvm::all_of(text, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return fallback;
  return text.str();
}

StringRef sourceText(llvm::SMRange range) {
  if (!range.isValid())
    return {};
  return StringRef(range.Start.getPointer(),
                   range.End.getPointer() - range.Start.getPointer());
}

/// The SSA name of `value` in the parsed file, or "".
std::string ssaName(Value value, const AsmParserState *names) {
  if (!names)
    return "";
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    const AsmParserState::BlockDefinition *block =
        names->getBlockDef(arg.getOwner());
    if (!block || arg.getArgNumber() >= block->arguments.size())
      return "";
    return sourceText(block->arguments[arg.getArgNumber()].loc).str();
  }
  auto result = cast<OpResult>(value);
  const AsmParserState::OperationDefinition *def =
      names->getOpDef(result.getOwner());
  if (!def)
    return "";
  unsigned number = result.getResultNumber();
  for (auto [i, group] : llvm::enumerate(def->resultGroups)) {
    unsigned end = i + 1 < def->resultGroups.size()
                       ? def->resultGroups[i + 1].startIndex
                       : result.getOwner()->getNumResults();
    if (number < group.startIndex || number >= end)
      continue;
    std::string name = sourceText(group.definition.loc).str();
    if (end - group.startIndex > 1)
      name += "_" + std::to_string(number - group.startIndex);
    return name;
  }
  return "";
}

} // namespace

FunctionSignature runner::getSignature(func::FuncOp fn,
                                       const AsmParserState *names) {
  DimensionClasses classes;
  SmallVector<std::tuple<Value, unsigned, StringRef>> named;
  // `fn` and every function it calls: a call's operands are its callee's
  // arguments, and its results what the callee returns.
  auto returnedBy = [](func::FuncOp f) -> SmallVector<Value> {
    for (Block &block : f.getBody())
      if (auto ret = dyn_cast<func::ReturnOp>(block.getTerminator()))
        return SmallVector<Value>(ret.getOperands());
    return {};
  };
  llvm::SmallPtrSet<Operation *, 8> visited;
  SmallVector<func::FuncOp> worklist = {fn};
  visited.insert(fn);
  while (!worklist.empty()) {
    func::FuncOp current = worklist.pop_back_val();
    current.walk([&](Operation *op) {
      auto call = dyn_cast<func::CallOp>(op);
      if (!call) {
        if (!isa<func::ReturnOp>(op))
          joinOp(op, classes, named);
        return;
      }
      auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
          call, call.getCalleeAttr());
      if (!callee || callee.isDeclaration())
        return;
      for (auto [operand, arg] :
           llvm::zip(call.getOperands(), callee.getArguments()))
        classes.joinShapes(operand, arg);
      for (auto [result, value] :
           llvm::zip(call.getResults(), returnedBy(callee)))
        classes.joinShapes(result, value);
      if (visited.insert(callee).second)
        worklist.push_back(callee);
    });
  }
  SmallVector<Value> returned = returnedBy(fn);

  FunctionSignature sig;
  sig.name = fn.getSymName().str();
  llvm::StringSet<> taken;
  auto unique = [&](std::string name) {
    std::string candidate = name;
    for (int i = 2; !taken.insert(candidate).second; ++i)
      candidate = name + "_" + std::to_string(i);
    return candidate;
  };
  // Symbols in order of first appearance, arguments first.
  llvm::DenseMap<unsigned, int> symbolOf;
  auto describe = [&](Value value, bool argument, std::string name,
                      StringAttr given) {
    auto type = cast<RankedTensorType>(value.getType());
    TensorSignature t;
    t.name = unique(identifier(
        given ? given.getValue().str() : ssaName(value, names), name));
    t.dtype = *getDType(type.getElementType());
    t.shape.assign(type.getShape().begin(), type.getShape().end());
    for (unsigned d = 0, e = type.getRank(); d < e; ++d) {
      if (!type.isDynamicDim(d)) {
        classes.find(value, d);
        t.symbols.push_back(-1);
        continue;
      }
      unsigned root = classes.find(value, d);
      auto [it, inserted] = symbolOf.try_emplace(root, sig.symbols.size());
      if (inserted)
        sig.symbols.push_back({(t.name + "." + std::to_string(d)),
                               classes.staticSize(root), false,
                               classes.isDerived(root)});
      sig.symbols[it->second].bound |= argument;
      t.symbols.push_back(it->second);
    }
    return t;
  };
  for (BlockArgument arg : fn.getArguments())
    sig.arguments.push_back(describe(
        arg, true, "arg" + std::to_string(arg.getArgNumber()),
        fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kNameAttrName)));
  for (auto [i, value] : llvm::enumerate(returned))
    sig.results.push_back(
        describe(value, false, "result" + std::to_string(i),
                 i < fn.getNumResults()
                     ? fn.getResultAttrOfType<StringAttr>(i, kNameAttrName)
                     : StringAttr()));
  // Symbols named by interact ops where one names them.
  llvm::StringSet<> used;
  SmallVector<bool> renamed(sig.symbols.size(), false);
  for (auto [value, dim, name] : named) {
    auto it = symbolOf.find(classes.find(value, dim));
    if (it == symbolOf.end() || renamed[it->second])
      continue;
    std::string candidate = name.str();
    for (int i = 2; !used.insert(candidate).second; ++i)
      candidate = name.str() + std::to_string(i);
    sig.symbols[it->second].name = candidate;
    renamed[it->second] = true;
  }
  return sig;
}

std::string runner::toJSON(ArrayRef<FunctionSignature> functions,
                           StringRef library, StringRef target,
                           StringRef device) {
  auto tensors = [](const FunctionSignature &fn,
                    ArrayRef<TensorSignature> list) {
    llvm::json::Array out;
    for (const TensorSignature &t : list) {
      llvm::json::Array shape;
      for (auto [size, symbol] : llvm::zip(t.shape, t.symbols))
        if (symbol < 0)
          shape.push_back(size);
        else
          shape.push_back(fn.symbols[symbol].name);
      out.push_back(llvm::json::Object{{"name", t.name},
                                       {"dtype", npy::getName(t.dtype)},
                                       {"shape", std::move(shape)}});
    }
    return out;
  };
  llvm::json::Array list;
  for (const FunctionSignature &fn : functions) {
    llvm::json::Array symbols;
    for (const DimensionSymbol &s : fn.symbols)
      symbols.push_back(llvm::json::Object{
          {"name", s.name},
          {"size", ShapedType::isDynamic(s.size) ? llvm::json::Value(nullptr)
                                                 : llvm::json::Value(s.size)},
          {"bound", s.bound}});
    list.push_back(llvm::json::Object{{"name", fn.name},
                                      {"arguments", tensors(fn, fn.arguments)},
                                      {"results", tensors(fn, fn.results)},
                                      {"symbols", std::move(symbols)}});
  }
  llvm::json::Object root{{"abi", 1},
                          {"library", library},
                          {"target", target},
                          {"device", device},
                          {"functions", std::move(list)}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(root));
  return text;
}
