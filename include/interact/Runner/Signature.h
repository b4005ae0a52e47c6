//===- Signature.h - The symbolic signature of a compiled function -*- C++
//-*-===//
//
// What a library made by interact-compile tells its callers about each of
// its functions (include/interact/ABI/interact_abi.h): argument and result
// names and dtypes, and every dimension as a size or a symbol. Dimensions
// with one symbol must agree at run time, and a result's dynamic sizes are
// read off the arguments whose dimensions share their symbols.
//
// Symbols come from a union-find over (value, dimension) pairs, joined by
// what the IR says about sizes: interact ops' dimension layouts
// (InteractOpInterface::getDimensionLayouts), the indexing maps of linalg
// ops, ops whose operands and results share one shape, casts, tensor.empty
// sized by tensor.dim, the dimensions reshapes keep, and calls (into their
// callees). A dimension a reshape merges or splits is marked derived.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_RUNNER_SIGNATURE_H
#define INTERACT_RUNNER_SIGNATURE_H

#include "interact/Support/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir {
class AsmParserState;
} // namespace mlir

namespace mlir::interact::runner {

/// One argument or result.
struct TensorSignature {
  std::string name;
  npy::DType dtype = npy::DType::F32;
  /// Static sizes, ShapedType::kDynamic where dynamic.
  SmallVector<int64_t> shape;
  /// Per dimension, an index into FunctionSignature::symbols, or -1 where
  /// the size is static.
  SmallVector<int> symbols;
};

/// One dimension symbol of a function.
struct DimensionSymbol {
  std::string name;
  /// The static size some value of the class has (its dynamic members must
  /// match it), or ShapedType::kDynamic.
  int64_t size;
  /// Whether an argument has a dimension of this symbol: a result's size
  /// is then known before the call.
  bool bound = false;
  /// Whether the class is also a product or factor of other dimensions (a
  /// reshape merges or splits it): equality checks do not cover it.
  bool derived = false;
};

struct FunctionSignature {
  std::string name;
  std::vector<TensorSignature> arguments, results;
  std::vector<DimensionSymbol> symbols;
};

/// The argument or result attribute that names it in a signature:
/// `-> (tensor<...> {interact.name = "y"})`.
inline constexpr llvm::StringLiteral kNameAttrName = "interact.name";

/// The signature of `fn`, whose arguments and results checkSignature has
/// accepted. An argument or result is named by its `interact.name`
/// attribute, else by its SSA name where `names` (the parser's state of the
/// file `fn` came from) is given (`%x` -> "x"); otherwise, or where a name
/// is not an identifier, it is arg0, ..., result0, ....
FunctionSignature getSignature(func::FuncOp fn, const AsmParserState *names);

/// The signatures of a library as the JSON of its PREFIX_signature();
/// `device` is where its tensors live ("cpu", or "cuda" for a GPU target).
std::string toJSON(ArrayRef<FunctionSignature> functions, StringRef library,
                   StringRef target, StringRef device = "cpu");

} // namespace mlir::interact::runner

#endif // INTERACT_RUNNER_SIGNATURE_H
