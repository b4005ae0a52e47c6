//===- Function.cpp - The function a runner calls, and its types ----------===//

#include "interact/Runner/Function.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::runner;

std::optional<npy::DType> runner::getDType(Type type) {
  if (type.isF16())
    return npy::DType::F16;
  if (type.isBF16())
    return npy::DType::BF16;
  if (type.isF32())
    return npy::DType::F32;
  if (type.isF64())
    return npy::DType::F64;
  if (type.isSignlessInteger(32))
    return npy::DType::I32;
  if (type.isSignlessInteger(64))
    return npy::DType::I64;
  return std::nullopt;
}

std::string runner::toString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

std::string runner::shapeToString(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  return llvm::join(
      llvm::map_range(shape, [](int64_t d) { return std::to_string(d); }), "x");
}

llvm::Expected<func::FuncOp>
runner::findFunction(ModuleOp module, StringRef name, StringRef fileName) {
  SmallVector<func::FuncOp> candidates;
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isDeclaration() &&
        (name.empty() ? fn.isPublic() : fn.getSymName() == name))
      candidates.push_back(fn);
  if (candidates.size() == 1)
    return candidates.front();
  SmallVector<std::string> names;
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isDeclaration())
      names.push_back(("@" + fn.getSymName()).str());
  std::string available = names.empty() ? "none" : llvm::join(names, ", ");
  if (!name.empty())
    return llvm::createStringError("no function @" + name + " in " + fileName +
                                   " (functions: " + available + ")");
  if (candidates.empty())
    return llvm::createStringError("no public function to run in " + fileName);
  return llvm::createStringError(fileName + " has several public functions (" +
                                 available +
                                 "): choose one with --function=NAME");
}

llvm::Error runner::checkSignature(func::FuncOp fn) {
  auto check = [&](Type type, StringRef what, unsigned i) -> llvm::Error {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (tensor && getDType(tensor.getElementType()))
      return llvm::Error::success();
    return llvm::createStringError(
        what + " " + llvm::Twine(i) + " of @" + fn.getSymName() + " has type " +
        toString(type) +
        "; a runner passes ranked tensors of f16, bf16, f32, f64, i32 and "
        "i64 only");
  };
  for (auto [i, type] : llvm::enumerate(fn.getArgumentTypes()))
    if (llvm::Error error = check(type, "argument", i))
      return error;
  for (auto [i, type] : llvm::enumerate(fn.getResultTypes()))
    if (llvm::Error error = check(type, "result", i))
      return error;
  return llvm::Error::success();
}
