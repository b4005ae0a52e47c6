//===- Inputs.cpp - A runner's inputs: .npy files or random ---------------===//

#include "interact/Runner/Inputs.h"

#include "interact/Dialect/Interact/IR/InteractOps.h"
#include "interact/Runner/Function.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Process.h"

#include <cmath>
#include <limits>
#include <random>

#if __has_include(<unistd.h>)
#include <unistd.h>
#endif

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::runner;

llvm::Error DimSizes::parse(StringRef spec) {
  auto [name, value] = spec.split('=');
  int64_t size;
  if (value.getAsInteger(10, size) || size < 0 ||
      !llvm::is_contained({"b", "t", "s"}, name))
    return llvm::createStringError(
        "--dim takes b=N, t=N or s=N with N >= 0, got '" + spec + "'");
  if (name == "b")
    batch = size;
  else if (name == "t")
    seqLen = size;
  else
    keyLen = size;
  return llvm::Error::success();
}

llvm::Expected<std::vector<npy::Array>>
runner::readInputs(func::FuncOp fn, ArrayRef<std::string> paths) {
  unsigned numArgs = fn.getNumArguments();
  if (paths.size() != numArgs)
    return llvm::createStringError(
        "@" + fn.getSymName() + " takes " + llvm::Twine(numArgs) +
        " arguments, but " + llvm::Twine(paths.size()) + " --input were given");
  std::vector<npy::Array> arrays;
  for (auto [i, path] : llvm::enumerate(paths)) {
    llvm::Expected<npy::Array> array = npy::read(path);
    if (!array)
      return llvm::createStringError("input " + llvm::Twine(i) + ": " +
                                     llvm::toString(array.takeError()));
    auto type = cast<RankedTensorType>(fn.getArgumentTypes()[i]);
    auto mismatch = [&](StringRef what, StringRef value) {
      return llvm::createStringError(
          "input " + llvm::Twine(i) + " ('" + path + "') has " + what + " " +
          value + ", but argument " + llvm::Twine(i) + " of @" +
          fn.getSymName() + " is " + toString(type));
    };
    if (array->dtype != *getDType(type.getElementType()))
      return mismatch("dtype", npy::getName(array->dtype));
    bool fits = static_cast<int64_t>(array->shape.size()) == type.getRank();
    for (int64_t d = 0; fits && d < type.getRank(); ++d)
      fits = type.isDynamicDim(d) || type.getDimSize(d) == array->shape[d];
    if (!fits)
      return mismatch("shape", shapeToString(array->shape));
    arrays.push_back(std::move(*array));
  }
  return arrays;
}

namespace {
/// How random values of an argument are drawn and how its dynamic dimension
/// 1 is named, from the interact operands it feeds directly.
struct ArgumentRole {
  bool decay = false;
  bool attentionSource = false;
};
} // namespace

static ArgumentRole getRole(BlockArgument arg) {
  ArgumentRole role;
  for (OpOperand &use : arg.getUses()) {
    if (auto op = dyn_cast<InteractOpInterface>(use.getOwner()))
      if (op.getDecayOperand() == arg)
        role.decay = true;
    if (auto op = dyn_cast<AttentionOp>(use.getOwner()))
      if (use.get() == op.getK() || use.get() == op.getV())
        role.attentionSource = true;
  }
  return role;
}

llvm::Expected<Shapes> runner::getRandomInputShapes(func::FuncOp fn,
                                                    const DimSizes &sizes) {
  Shapes shapes;
  for (BlockArgument arg : fn.getArguments()) {
    auto type = cast<RankedTensorType>(arg.getType());
    int64_t length = getRole(arg).attentionSource
                         ? sizes.keyLen.value_or(sizes.seqLen)
                         : sizes.seqLen;
    SmallVector<int64_t> &shape = shapes.emplace_back();
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d)) {
        shape.push_back(type.getDimSize(d));
        continue;
      }
      if (d > 1)
        return llvm::createStringError(
            "dimension " + llvm::Twine(d) + " of argument " +
            llvm::Twine(arg.getArgNumber()) + " (" + toString(type) +
            ") is dynamic; only dimensions 0 (b) and 1 (t or s) can be "
            "chosen with --dim");
      shape.push_back(d == 0 ? sizes.batch : length);
    }
  }
  return shapes;
}

std::vector<npy::Array>
runner::makeRandomInputs(func::FuncOp fn, ArrayRef<SmallVector<int64_t>> shapes,
                         uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.5, 3.0);
  std::vector<npy::Array> arrays;
  for (auto [arg, shape] : llvm::zip(fn.getArguments(), shapes)) {
    auto type = cast<RankedTensorType>(arg.getType());
    bool decay = getRole(arg).decay;
    npy::Array array =
        npy::Array::zeros(*getDType(type.getElementType()), shape);
    bool isInteger = type.getElementType().isInteger();
    double weightScale = type.getRank() == 2 && shape[0] > 0
                             ? 1.0 / std::sqrt(double(shape[0]))
                             : 1.0;
    for (int64_t i = 0, e = array.getNumElements(); i < e; ++i) {
      double value;
      if (isInteger) {
        value = std::floor(uniform(generator) * 4);
      } else if (decay) {
        double z = normal(generator) - 4.0;
        double softplus = z > 20 ? z : std::log1p(std::exp(z));
        value = -softplus * uniform(generator);
      } else {
        value = normal(generator) * weightScale;
      }
      array.setFromDouble(i, value);
    }
    arrays.push_back(std::move(array));
  }
  return arrays;
}

llvm::Error runner::checkShapes(func::FuncOp fn,
                                ArrayRef<SmallVector<int64_t>> shapes) {
  OwningOpRef<func::FuncOp> specialized = fn.clone();
  for (auto [arg, shape] : llvm::zip(specialized->getArguments(), shapes)) {
    auto type = cast<RankedTensorType>(arg.getType());
    arg.setType(RankedTensorType::get(shape, type.getElementType()));
  }
  WalkResult result = specialized->walk([](InteractOpInterface op) {
    return failed(verify(op)) ? WalkResult::interrupt() : WalkResult::advance();
  });
  if (result.wasInterrupted())
    return llvm::createStringError("the inputs' shapes do not fit @" +
                                   fn.getSymName());
  return llvm::Error::success();
}

/// Bytes of physical memory, or INT64_MAX where it cannot be asked.
static int64_t getPhysicalMemory() {
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
  long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
  int64_t bytes;
  if (pages > 0 && pageSize > 0 &&
      !llvm::MulOverflow<int64_t>(pages, pageSize, bytes))
    return bytes;
#endif
  return std::numeric_limits<int64_t>::max();
}

llvm::Error runner::checkMemory(func::FuncOp fn,
                                ArrayRef<SmallVector<int64_t>> shapes,
                                bool withReference) {
  struct Operand {
    std::string name;
    RankedTensorType type;
    int64_t bytes;
    bool isResult;
  };
  SmallVector<Operand> operands;
  auto add = [&](const llvm::Twine &name, RankedTensorType type,
                 bool isResult) -> llvm::Error {
    std::optional<int64_t> bytes =
        npy::getByteSize(*getDType(type.getElementType()), type.getShape());
    if (!bytes)
      return llvm::createStringError(
          name + " of @" + fn.getSymName() + " would be " + toString(type) +
          ", whose size in bytes does not fit in 63 bits");
    operands.push_back({name.str(), type, *bytes, isResult});
    return llvm::Error::success();
  };
  for (auto [i, shape] : llvm::enumerate(shapes)) {
    auto type = cast<RankedTensorType>(fn.getArgumentTypes()[i]);
    if (llvm::Error error =
            add("argument " + llvm::Twine(i),
                RankedTensorType::get(shape, type.getElementType()),
                /*isResult=*/false))
      return error;
  }
  for (auto [i, type] : llvm::enumerate(fn.getResultTypes())) {
    auto tensor = cast<RankedTensorType>(type);
    SmallVector<int64_t> shape(tensor.getShape());
    for (auto [d, size] : llvm::enumerate(shape)) {
      if (!ShapedType::isDynamic(size))
        continue;
      size = 1;
      for (ArrayRef<int64_t> input : shapes)
        if (d < input.size())
          size = std::max(size, input[d]);
    }
    if (llvm::Error error =
            add("result " + llvm::Twine(i),
                RankedTensorType::get(shape, tensor.getElementType()),
                /*isResult=*/true))
      return error;
  }

  uint64_t total = 0;
  const Operand *largest = nullptr;
  for (const Operand &operand : operands) {
    total = llvm::SaturatingAdd<uint64_t>(total, operand.bytes);
    // The reference's outputs are held beside the function's.
    if (withReference && operand.isResult)
      total = llvm::SaturatingAdd<uint64_t>(total, operand.bytes);
    if (!largest || operand.bytes > largest->bytes)
      largest = &operand;
  }
  int64_t limit = getPhysicalMemory();
  if (total <= static_cast<uint64_t>(limit))
    return llvm::Error::success();
  return llvm::createStringError(
      "the inputs and outputs of @" + fn.getSymName() + " need " +
      llvm::Twine(total) + " bytes, more than the " + llvm::Twine(limit) +
      " bytes of physical memory; the largest is " + largest->name + ", " +
      toString(largest->type) + ", of " + llvm::Twine(largest->bytes) +
      " bytes");
}

llvm::Error runner::checkWritable(ArrayRef<std::string> paths) {
  for (StringRef path : paths) {
    if (path == "-")
      continue;
    bool existed = llvm::sys::fs::exists(path);
    int fd;
    if (std::error_code ec = llvm::sys::fs::openFileForWrite(
            path, fd, llvm::sys::fs::CD_OpenAlways))
      return llvm::createStringError("cannot write '" + path +
                                     "': " + ec.message());
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
    if (!existed)
      llvm::sys::fs::remove(path);
  }
  return llvm::Error::success();
}
