//===- interact-run.cpp - JIT-compile and run a function on the CPU -------===//
//
// In the style of mlir-runner and iree-run-module: compiles one function of
// an MLIR file with interact-cpu-pipeline, runs it on .npy or seeded random
// inputs, prints or writes its outputs, and optionally checks them against
// the float64 reference lowering or times repeated runs.
//
// Every bad input (file, flag, shape, dtype, function) ends in one
// "interact-run: error: ..." line (after any located MLIR diagnostics) and
// exit code 1.
//
//===----------------------------------------------------------------------===//

#include "interact/Dialect/Interact/IR/InteractOps.h"
#include "interact/InitAll.h"
#include "interact/Pipelines/Pipelines.h"
#include "interact/Support/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <set>

#if __has_include(<unistd.h>)
#include <unistd.h>
#endif

#ifdef __GLIBC__
#include <malloc.h>
#endif

using namespace mlir;
using namespace mlir::interact;
namespace cl = llvm::cl;

static cl::OptionCategory category("interact-run options");

static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<input .mlir file>"),
                                      cl::cat(category));
static cl::opt<std::string>
    functionName("function",
                 cl::desc("Function to run (default: the only public one)"),
                 cl::value_desc("name"), cl::cat(category));
static cl::list<std::string> inputPaths("input",
                                        cl::desc("An input, in argument order"),
                                        cl::value_desc("@path.npy"),
                                        cl::cat(category));
static cl::list<std::string>
    outputPaths("output", cl::desc("Where to write a result, in result order"),
                cl::value_desc("@path.npy"), cl::cat(category));
static cl::opt<uint64_t> randomSeed(
    "random-inputs",
    cl::desc("Make every input from a generator seeded with SEED: decays "
             "-softplus(N(0,1)-4)*U(0.5,3), rank-2 weights N(0,1)/sqrt(rows), "
             "others N(0,1)"),
    cl::value_desc("SEED"), cl::cat(category));
static cl::list<std::string> dimValues(
    "dim",
    cl::desc("Size of a dynamic dimension of random inputs: b (dimension 0, "
             "default 2), t (dimension 1, default 64), s (dimension 1 of "
             "attention keys and values, default t)"),
    cl::value_desc("NAME=VALUE"), cl::cat(category));
static cl::opt<bool>
    check("check",
          cl::desc("Compare the outputs with the float64 reference lowering"),
          cl::cat(category));
static cl::opt<std::string> referenceFrom(
    "reference-from",
    cl::desc("With --check: take the reference from the function of the same "
             "name in FILE (the IR before a rewrite), not from this file"),
    cl::value_desc("FILE"), cl::cat(category));
static cl::opt<unsigned>
    benchmarkRuns("benchmark",
                  cl::desc("Time N runs after a warm-up; print median, min "
                           "and max milliseconds (freed memory is kept for "
                           "reuse, as by a caching allocator)"),
                  cl::value_desc("N"), cl::init(0), cl::cat(category));
static cl::opt<bool> selectForm(
    "select-form",
    cl::desc("Choose each interact op's form with interact-select-form "
             "before lowering (at the inputs' sequence length)"),
    cl::cat(category));
static cl::opt<unsigned>
    threads("num-threads",
            cl::desc("Threads the parallel loops run on, at most 1024 "
                     "(default: all cores; OMP_NUM_THREADS when set)"),
            cl::value_desc("N"), cl::init(0), cl::cat(category));
static cl::opt<bool> printPipeline("print-pipeline",
                                   cl::desc("Print the full pass pipeline"),
                                   cl::cat(category));

namespace {

/// Prints "interact-run: error: <message>" and returns failure.
LogicalResult fail(const llvm::Twine &message) {
  llvm::errs() << "interact-run: error: " << message << "\n";
  return failure();
}

std::string typeString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

std::string shapeString(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  return llvm::join(
      llvm::map_range(shape, [](int64_t d) { return std::to_string(d); }), "x");
}

/// The .npy dtype of an MLIR element type, if interact-run can pass it.
std::optional<npy::DType> dtypeOf(Type type) {
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

/// Checks that every argument and result of `fn` is a ranked tensor of a
/// supported element type.
LogicalResult checkSignature(func::FuncOp fn) {
  auto checkType = [&](Type type, StringRef what, unsigned i) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (tensor && dtypeOf(tensor.getElementType()))
      return success();
    return fail(what + " " + llvm::Twine(i) + " of @" + fn.getSymName() +
                " has type " + typeString(type) +
                "; interact-run passes ranked tensors of f16, bf16, f32, "
                "f64, i32 and i64 only");
  };
  for (auto [i, type] : llvm::enumerate(fn.getArgumentTypes()))
    if (failed(checkType(type, "argument", i)))
      return failure();
  for (auto [i, type] : llvm::enumerate(fn.getResultTypes()))
    if (failed(checkType(type, "result", i)))
      return failure();
  return success();
}

/// Finds the function to run.
FailureOr<func::FuncOp> findFunction(ModuleOp module) {
  SmallVector<func::FuncOp> candidates;
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isDeclaration() &&
        (functionName.getNumOccurrences() ? fn.getSymName() == functionName
                                          : fn.isPublic()))
      candidates.push_back(fn);
  if (candidates.size() == 1)
    return candidates.front();
  SmallVector<std::string> names;
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isDeclaration())
      names.push_back(("@" + fn.getSymName()).str());
  std::string available = names.empty() ? "none" : llvm::join(names, ", ");
  if (functionName.getNumOccurrences())
    return fail("no function @" + functionName + " in " + inputFile +
                " (functions: " + available + ")");
  if (candidates.empty())
    return fail("no public function to run in " + inputFile);
  return fail(inputFile + " has several public functions (" + available +
              "): choose one with --function=NAME");
}

/// Strips the leading '@' of an --input/--output value.
FailureOr<StringRef> npyPath(StringRef value, StringRef flag) {
  if (!value.consume_front("@") || value.empty())
    return fail("--" + flag + " takes @path.npy, got '" + value + "'");
  return value;
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

LogicalResult readInputs(func::FuncOp fn, std::vector<npy::Array> &arrays) {
  unsigned numArgs = fn.getNumArguments();
  if (inputPaths.size() != numArgs)
    return fail("@" + fn.getSymName() + " takes " + llvm::Twine(numArgs) +
                " arguments, but " + llvm::Twine(inputPaths.size()) +
                " --input were given");
  for (auto [i, value] : llvm::enumerate(inputPaths)) {
    FailureOr<StringRef> path = npyPath(value, "input");
    if (failed(path))
      return failure();
    llvm::Expected<npy::Array> array = npy::read(*path);
    if (!array)
      return fail("input " + llvm::Twine(i) + ": " +
                  llvm::toString(array.takeError()));
    auto type = cast<RankedTensorType>(fn.getArgumentTypes()[i]);
    npy::DType expected = *dtypeOf(type.getElementType());
    if (array->dtype != expected)
      return fail("input " + llvm::Twine(i) + " ('" + *path + "') has dtype " +
                  npy::getName(array->dtype) + ", but argument " +
                  llvm::Twine(i) + " of @" + fn.getSymName() + " is " +
                  typeString(type));
    bool fits = static_cast<int64_t>(array->shape.size()) == type.getRank();
    for (int64_t d = 0; fits && d < type.getRank(); ++d)
      fits = type.isDynamicDim(d) || type.getDimSize(d) == array->shape[d];
    if (!fits)
      return fail("input " + llvm::Twine(i) + " ('" + *path + "') has shape " +
                  shapeString(array->shape) + ", but argument " +
                  llvm::Twine(i) + " of @" + fn.getSymName() + " is " +
                  typeString(type));
    arrays.push_back(std::move(*array));
  }
  return success();
}

/// How random values of an argument are drawn and how its dynamic dimension
/// 1 is named, from the interact operands it feeds directly.
struct ArgumentRole {
  bool decay = false;
  bool attentionSource = false;
};

ArgumentRole roleOf(BlockArgument arg) {
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

/// The shapes of random inputs: static sizes from the types, dynamic ones
/// from --dim.
LogicalResult randomInputShapes(func::FuncOp fn,
                                SmallVectorImpl<SmallVector<int64_t>> &shapes) {
  llvm::StringMap<int64_t> sizes = {{"b", 2}, {"t", 64}};
  for (StringRef spec : dimValues) {
    auto [name, value] = spec.split('=');
    int64_t size;
    if (value.getAsInteger(10, size) || size < 0 ||
        !llvm::is_contained({"b", "t", "s"}, name))
      return fail("--dim takes b=N, t=N or s=N with N >= 0, got '" + spec +
                  "'");
    sizes[name] = size;
  }
  if (!sizes.count("s"))
    sizes["s"] = sizes["t"];

  for (BlockArgument arg : fn.getArguments()) {
    auto type = cast<RankedTensorType>(arg.getType());
    bool attentionSource = roleOf(arg).attentionSource;
    SmallVector<int64_t> &shape = shapes.emplace_back();
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d)) {
        shape.push_back(type.getDimSize(d));
        continue;
      }
      if (d > 1)
        return fail("dimension " + llvm::Twine(d) + " of argument " +
                    llvm::Twine(arg.getArgNumber()) + " (" + typeString(type) +
                    ") is dynamic; only dimensions 0 (b) and 1 (t or s) can "
                    "be chosen with --dim");
      shape.push_back(d == 0 ? sizes["b"] : sizes[attentionSource ? "s" : "t"]);
    }
  }
  return success();
}

/// Makes random inputs of `shapes`, which checkMemory has accepted.
std::vector<npy::Array> randomInputs(func::FuncOp fn,
                                     ArrayRef<SmallVector<int64_t>> shapes) {
  std::mt19937_64 generator(randomSeed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.5, 3.0);
  std::vector<npy::Array> arrays;
  for (auto [arg, shape] : llvm::zip(fn.getArguments(), shapes)) {
    auto type = cast<RankedTensorType>(arg.getType());
    ArgumentRole role = roleOf(arg);
    npy::Array array =
        npy::Array::zeros(*dtypeOf(type.getElementType()), shape);
    bool isInteger = type.getElementType().isInteger();
    double weightScale = type.getRank() == 2 && shape[0] > 0
                             ? 1.0 / std::sqrt(double(shape[0]))
                             : 1.0;
    for (int64_t i = 0, e = array.getNumElements(); i < e; ++i) {
      double value;
      if (isInteger) {
        value = std::floor(uniform(generator) * 4);
      } else if (role.decay) {
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

/// Verifies the interact ops fed directly by arguments against the concrete
/// input shapes, so that dynamic sizes that disagree between operands are
/// reported, not run.
LogicalResult checkShapes(func::FuncOp fn,
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
    return fail("the inputs' shapes do not fit @" + fn.getSymName());
  return success();
}

/// Bytes of physical memory, or INT64_MAX where it cannot be asked.
int64_t physicalMemory() {
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
  long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
  int64_t bytes;
  if (pages > 0 && pageSize > 0 &&
      !llvm::MulOverflow<int64_t>(pages, pageSize, bytes))
    return bytes;
#endif
  return std::numeric_limits<int64_t>::max();
}

/// Computes the bytes of every input and output, with overflow checks, and
/// refuses a run whose inputs and outputs (the reference's too, with
/// --check) would not fit in physical memory, before anything is allocated
/// or compiled. A dynamic size of a result is taken as the largest size of
/// that dimension among the inputs (b and t are dimensions 0 and 1 of every
/// interact operand): an estimate, as only the run knows it.
LogicalResult checkMemory(func::FuncOp fn,
                          ArrayRef<SmallVector<int64_t>> inputShapes) {
  struct Operand {
    std::string name;
    RankedTensorType type;
    int64_t bytes;
    bool isResult;
  };
  SmallVector<Operand> operands;
  auto add = [&](const llvm::Twine &name, RankedTensorType type,
                 bool isResult) {
    std::optional<int64_t> bytes =
        npy::getByteSize(*dtypeOf(type.getElementType()), type.getShape());
    if (!bytes)
      return fail(name + " of @" + fn.getSymName() + " would be " +
                  typeString(type) +
                  ", whose size in bytes does not fit in 63 bits");
    operands.push_back({name.str(), type, *bytes, isResult});
    return success();
  };
  for (auto [i, shape] : llvm::enumerate(inputShapes)) {
    auto type = cast<RankedTensorType>(fn.getArgumentTypes()[i]);
    if (failed(add("argument " + llvm::Twine(i),
                   RankedTensorType::get(shape, type.getElementType()),
                   /*isResult=*/false)))
      return failure();
  }
  for (auto [i, type] : llvm::enumerate(fn.getResultTypes())) {
    auto tensor = cast<RankedTensorType>(type);
    SmallVector<int64_t> shape(tensor.getShape());
    for (auto [d, size] : llvm::enumerate(shape)) {
      if (!ShapedType::isDynamic(size))
        continue;
      size = 1;
      for (ArrayRef<int64_t> input : inputShapes)
        if (d < input.size())
          size = std::max(size, input[d]);
    }
    if (failed(add("result " + llvm::Twine(i),
                   RankedTensorType::get(shape, tensor.getElementType()),
                   /*isResult=*/true)))
      return failure();
  }

  uint64_t total = 0;
  const Operand *largest = nullptr;
  for (const Operand &operand : operands) {
    total = llvm::SaturatingAdd<uint64_t>(total, operand.bytes);
    // The reference's outputs are held beside the function's.
    if (check && operand.isResult)
      total = llvm::SaturatingAdd<uint64_t>(total, operand.bytes);
    if (!largest || operand.bytes > largest->bytes)
      largest = &operand;
  }
  int64_t limit = physicalMemory();
  if (total <= static_cast<uint64_t>(limit))
    return success();
  return fail("the inputs and outputs of @" + fn.getSymName() + " need " +
              llvm::Twine(total) + " bytes, more than the " +
              llvm::Twine(limit) +
              " bytes of physical memory; the largest is " + largest->name +
              ", " + typeString(largest->type) + ", of " +
              llvm::Twine(largest->bytes) + " bytes");
}

/// Checks that every --output path can be written, before the run: a file
/// that exists is opened for writing and left as it is; one that does not
/// is created and removed again.
LogicalResult checkOutputs() {
  for (StringRef value : outputPaths) {
    FailureOr<StringRef> path = npyPath(value, "output");
    if (failed(path))
      return failure();
    if (*path == "-")
      continue;
    bool existed = llvm::sys::fs::exists(*path);
    int fd;
    if (std::error_code ec = llvm::sys::fs::openFileForWrite(
            *path, fd, llvm::sys::fs::CD_OpenAlways))
      return fail("cannot write '" + *path + "': " + ec.message());
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
    if (!existed)
      llvm::sys::fs::remove(*path);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Compiling and running
//===----------------------------------------------------------------------===//

/// A memref descriptor as the C interface lays it out: allocated and aligned
/// pointers, offset, sizes, strides; every field 8 bytes.
struct Descriptor {
  SmallVector<int64_t> words;

  static Descriptor forArray(npy::Array &array) {
    Descriptor desc;
    auto ptr = reinterpret_cast<int64_t>(array.data.data());
    desc.words = {ptr, ptr, 0};
    desc.words.append(array.shape.begin(), array.shape.end());
    int64_t stride = 1;
    SmallVector<int64_t> strides(array.shape.size());
    for (int64_t d = array.shape.size() - 1; d >= 0; --d) {
      strides[d] = stride;
      stride *= array.shape[d];
    }
    desc.words.append(strides.begin(), strides.end());
    return desc;
  }
};

/// Sequence length form selection assumes for dynamic lengths: that of the
/// first input of rank 2 or more.
int64_t seqLenHint = 4096;

FailureOr<std::unique_ptr<ExecutionEngine>>
compile(ModuleOp module, func::FuncOp fn, bool reference) {
  OwningOpRef<ModuleOp> clone = module.clone();
  auto target = cast<func::FuncOp>(clone->lookupSymbol(fn.getSymName()));
  // Compile only what the function reaches: another function of the file
  // that does not lower must not stop this one.
  llvm::SmallPtrSet<Operation *, 8> reached = {target};
  SmallVector<Operation *> worklist = {target};
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (std::optional<SymbolTable::UseRange> uses =
            SymbolTable::getSymbolUses(op))
      for (const SymbolTable::SymbolUse &use : *uses)
        if (Operation *callee =
                SymbolTable::lookupSymbolIn(*clone, use.getSymbolRef()))
          if (reached.insert(callee).second)
            worklist.push_back(callee);
  }
  for (auto other : llvm::make_early_inc_range(clone->getOps<func::FuncOp>()))
    if (!reached.contains(other))
      other.erase();
  target->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(module.getContext()));
  // Inputs are the caller's: bufferization must not update them in place
  // (the reference run and every benchmark run read them again).
  for (unsigned i = 0, e = target.getNumArguments(); i < e; ++i)
    target.setArgAttr(i, "bufferization.writable",
                      BoolAttr::get(module.getContext(), false));
  PassManager pm(module.getContext());
  if (failed(applyPassManagerCLOptions(pm)))
    return fail("bad pass manager options");
  applyDefaultTimingPassManagerCLOptions(pm);
  CPUPipelineOptions options;
  options.reference = reference;
  // The reference is the plain definition of the IR as written.
  options.selectForm = selectForm && !reference;
  options.seqLenHint = seqLenHint;
  buildCPUPipeline(pm, options);
  if (printPipeline && !reference) {
    // The passes without their option values, which run to pages.
    std::string text;
    llvm::raw_string_ostream os(text);
    pm.printAsTextualPipeline(os);
    std::string passes;
    int depth = 0;
    for (char c : text) {
      depth += c == '{';
      if (depth == 0)
        passes.push_back(c);
      depth -= c == '}';
    }
    llvm::outs() << "pipeline passes: " << passes << "\n";
  }
  auto doesNotLower = [&] {
    return fail("@" + fn.getSymName() + " does not lower to the CPU" +
                (reference ? " (reference lowering)" : ""));
  };
  if (failed(pm.run(*clone)))
    return doesNotLower();
  // Conversions to LLVM are partial: name the first op they left behind,
  // preferring a real op over the casts that connect it to converted IR.
  Operation *leftover = nullptr;
  clone->walk<WalkOrder::PreOrder>([&](Operation *op) {
    // LLVM and OpenMP ops are what the JIT translates.
    if (isa<ModuleOp>(op) ||
        isa<LLVM::LLVMDialect, omp::OpenMPDialect>(op->getDialect()))
      return WalkResult::advance();
    bool isCast = isa<UnrealizedConversionCastOp>(op);
    if (!leftover || (isa<UnrealizedConversionCastOp>(leftover) && !isCast))
      leftover = op;
    return isCast ? WalkResult::advance() : WalkResult::interrupt();
  });
  if (leftover) {
    leftover->emitError() << "'" << leftover->getName()
                          << "' has no lowering in interact-cpu-pipeline";
    return doesNotLower();
  }

  ExecutionEngineOptions engineOptions;
  auto transformer = makeOptimizingTransformer(/*optLevel=*/3,
                                               /*sizeLevel=*/0, nullptr);
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  // memref.copy between strided views calls MLIR's C runner utilities.
  // scf.forall runs on LLVM's OpenMP runtime.
  SmallVector<StringRef> libraries = {INTERACT_C_RUNNER_UTILS,
                                      INTERACT_OPENMP_RUNTIME};
  engineOptions.sharedLibPaths = libraries;
  auto engine = ExecutionEngine::create(*clone, engineOptions);
  if (!engine)
    return fail("cannot JIT-compile @" + fn.getSymName() + ": " +
                llvm::toString(engine.takeError()));
  return std::move(*engine);
}

/// Has the allocator keep freed memory instead of returning it to the kernel
/// (glibc unmaps large blocks and trims its heap on free), so that repeated
/// runs of a function that allocates megabytes measure the function, not
/// page faults on fresh pages: what a serving runtime's caching allocator
/// gives. The benchmark scripts set the same policy for PyTorch.
static void keepFreedMemory() {
#ifdef __GLIBC__
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
#endif
}

/// Runs the compiled function once on `inputs`; returns its results.
FailureOr<std::vector<npy::Array>> invoke(ExecutionEngine &engine,
                                          func::FuncOp fn,
                                          std::vector<npy::Array> &inputs,
                                          double *milliseconds = nullptr) {
  SmallVector<Descriptor> argDescs;
  for (npy::Array &array : inputs)
    argDescs.push_back(Descriptor::forArray(array));
  SmallVector<int64_t> resultWords;
  for (Type type : fn.getResultTypes())
    resultWords.append(3 + 2 * cast<RankedTensorType>(type).getRank(), 0);

  SmallVector<void *> pointers;
  pointers.push_back(resultWords.data());
  for (Descriptor &desc : argDescs)
    pointers.push_back(desc.words.data());
  SmallVector<void *> args;
  unsigned first = fn.getNumResults() ? 0 : 1;
  for (unsigned i = first; i < pointers.size(); ++i)
    args.push_back(&pointers[i]);

  auto start = std::chrono::steady_clock::now();
  llvm::Error error =
      engine.invokePacked(("_mlir_ciface_" + fn.getSymName()).str(), args);
  auto stop = std::chrono::steady_clock::now();
  if (error)
    return fail("running @" + fn.getSymName() +
                " failed: " + llvm::toString(std::move(error)));
  if (milliseconds)
    *milliseconds =
        std::chrono::duration<double, std::milli>(stop - start).count();

  // Copy every result out (honoring strides) before freeing anything:
  // results may share a buffer (`return %y, %y`, or two results that CSE
  // merged), so a buffer freed after the first copy would be read again.
  std::vector<npy::Array> results;
  size_t offset = 0;
  for (Type type : fn.getResultTypes()) {
    auto tensor = cast<RankedTensorType>(type);
    int64_t rank = tensor.getRank();
    ArrayRef<int64_t> words(resultWords.data() + offset, 3 + 2 * rank);
    offset += 3 + 2 * rank;
    ArrayRef<int64_t> sizes = words.slice(3, rank);
    ArrayRef<int64_t> strides = words.slice(3 + rank, rank);
    npy::Array array =
        npy::Array::zeros(*dtypeOf(tensor.getElementType()), sizes);
    size_t width = npy::getByteWidth(array.dtype);
    auto *base = reinterpret_cast<const char *>(words[1]) + words[2] * width;
    SmallVector<int64_t> index(rank, 0);
    for (int64_t i = 0, e = array.getNumElements(); i < e; ++i) {
      int64_t at = 0;
      for (int64_t d = 0; d < rank; ++d)
        at += index[d] * strides[d];
      std::memcpy(array.data.data() + i * width, base + at * width, width);
      for (int64_t d = rank - 1; d >= 0; --d) {
        if (++index[d] < sizes[d])
          break;
        index[d] = 0;
      }
    }
    results.push_back(std::move(array));
  }

  // Then free each buffer the function allocated exactly once: not the
  // inputs' (a result may be an argument or a view of one), not globals
  // (their descriptors hold 0xdeadbeef as the allocated pointer).
  std::set<int64_t> freed = {0, static_cast<int64_t>(0xdeadbeef)};
  for (Descriptor &desc : argDescs)
    freed.insert(desc.words[0]);
  offset = 0;
  for (Type type : fn.getResultTypes()) {
    int64_t allocated = resultWords[offset];
    offset += 3 + 2 * cast<RankedTensorType>(type).getRank();
    if (freed.insert(allocated).second)
      free(reinterpret_cast<void *>(allocated));
  }
  return results;
}

//===----------------------------------------------------------------------===//
// Reporting
//===----------------------------------------------------------------------===//

void printSummary(const std::vector<npy::Array> &results, func::FuncOp fn) {
  for (auto [i, array] : llvm::enumerate(results)) {
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    int64_t n = array.getNumElements(), nonFinite = 0;
    for (int64_t k = 0; k < n; ++k) {
      double v = array.getAsDouble(k);
      if (!std::isfinite(v)) {
        ++nonFinite;
        continue;
      }
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
    }
    llvm::outs() << "output " << i << ": "
                 << typeString(RankedTensorType::get(
                        array.shape,
                        cast<RankedTensorType>(fn.getResultTypes()[i])
                            .getElementType()));
    if (n > nonFinite)
      llvm::outs() << llvm::format(" min %.6g max %.6g mean %.6g", lo, hi,
                                   sum / (n - nonFinite));
    if (nonFinite)
      llvm::outs() << " (" << nonFinite << " non-finite)";
    llvm::outs() << " [";
    for (int64_t k = 0; k < std::min<int64_t>(n, 6); ++k)
      llvm::outs() << (k ? ", " : "")
                   << llvm::format("%.6g", array.getAsDouble(k));
    llvm::outs() << (n > 6 ? ", ...]" : "]") << "\n";
  }
}

/// Relative tolerance of an output of `dtype` against the reference.
double toleranceFor(npy::DType dtype) {
  switch (dtype) {
  case npy::DType::F64:
    return 1e-9;
  case npy::DType::F32:
    return 1e-4;
  case npy::DType::F16:
    return 1e-2;
  case npy::DType::BF16:
    return 3e-2;
  case npy::DType::I32:
  case npy::DType::I64:
    return 0;
  }
  llvm_unreachable("unknown dtype");
}

/// The largest finite value of a floating-point `dtype`; infinity for
/// integers, which do not overflow into a special value.
double largestFinite(npy::DType dtype) {
  switch (dtype) {
  case npy::DType::F16:
    return llvm::APFloat::getLargest(llvm::APFloat::IEEEhalf())
        .convertToDouble();
  case npy::DType::BF16:
    return llvm::APFloat::getLargest(llvm::APFloat::BFloat()).convertToDouble();
  case npy::DType::F32:
    return std::numeric_limits<float>::max();
  case npy::DType::F64:
    return std::numeric_limits<double>::max();
  case npy::DType::I32:
  case npy::DType::I64:
    return INFINITY;
  }
  llvm_unreachable("unknown dtype");
}

/// A value as the check prints it: "nan" whatever its sign bit.
std::string formatValue(double value) {
  if (std::isnan(value))
    return "nan";
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.9g", value);
  return text;
}

/// Compares one output with its reference: element i passes when
/// |got - ref| <= tol * (|ref| + rms(ref)). The rms term keeps elements that
/// cancel to near zero from demanding a relative accuracy no float has.
/// Values are compared in the output dtype's terms: where either is
/// infinite, an overflow (infinity or the largest finite value) of the same
/// sign on the other side is a match, as values that round to either side
/// of the dtype's overflow threshold agree to the dtype (the reference
/// rounds 65520.3 to inf in f16, the realization 65519.7 to 65504). A NaN
/// never matches, not even a NaN reference.
bool compare(unsigned index, const npy::Array &got, const npy::Array &ref) {
  llvm::outs() << "check: output " << index << ": ";
  if (got.shape != ref.shape) {
    llvm::outs() << "FAILED: shape " << shapeString(got.shape) << ", reference "
                 << shapeString(ref.shape) << "\n";
    return false;
  }
  int64_t n = ref.getNumElements();
  double squares = 0;
  for (int64_t k = 0; k < n; ++k)
    if (std::isfinite(ref.getAsDouble(k)))
      squares += ref.getAsDouble(k) * ref.getAsDouble(k);
  double rms = n ? std::sqrt(squares / n) : 0;
  double tol = toleranceFor(got.dtype);
  double largest = largestFinite(got.dtype);
  auto overflowed = [&](double v) { return std::abs(v) >= largest; };
  double worst = 0;
  int64_t worstAt = -1, numNaN = 0;
  for (int64_t k = 0; k < n; ++k) {
    double g = got.getAsDouble(k), r = ref.getAsDouble(k);
    double ratio;
    // A realization that produces a NaN is broken, and a reference that
    // does says the inputs are out of the op's range.
    if (std::isnan(g) || std::isnan(r)) {
      ratio = NAN;
      ++numNaN;
    } else if (std::isinf(g) || std::isinf(r)) {
      ratio =
          overflowed(g) && overflowed(r) && std::signbit(g) == std::signbit(r)
              ? 0
              : INFINITY;
    } else {
      ratio = std::abs(g - r) / (std::abs(r) + rms + 1e-300);
    }
    // The first NaN is the worst element; else the largest ratio.
    if (worstAt < 0 || (!std::isnan(worst) && !(ratio <= worst))) {
      worst = ratio;
      worstAt = k;
    }
  }
  bool ok = worst <= tol;
  llvm::outs() << "max relative error ";
  if (std::isnan(worst))
    llvm::outs() << "nan";
  else
    llvm::outs() << llvm::format("%.3g", worst);
  llvm::outs() << " (tolerance " << llvm::format("%.0e", tol)
               << "): " << (ok ? "ok" : "FAILED");
  if (!ok && worstAt >= 0) {
    SmallVector<int64_t> position(ref.shape.size());
    int64_t rest = worstAt;
    for (int64_t d = ref.shape.size() - 1; d >= 0; --d) {
      position[d] = rest % ref.shape[d];
      rest /= ref.shape[d];
    }
    llvm::outs() << " at ["
                 << llvm::join(llvm::map_range(
                                   position,
                                   [](int64_t v) { return std::to_string(v); }),
                               ", ")
                 << "]: got " << formatValue(got.getAsDouble(worstAt))
                 << ", reference " << formatValue(ref.getAsDouble(worstAt));
    if (numNaN)
      llvm::outs() << " (a NaN never matches, not even a NaN reference; "
                   << numNaN << " of " << n << " elements have one)";
  }
  llvm::outs() << "\n";
  return ok;
}

/// Parses the MLIR file at `path`, keeping its buffer in `sourceMgr` so that
/// diagnostics show the line.
OwningOpRef<ModuleOp> parseFile(StringRef path, llvm::SourceMgr &sourceMgr,
                                MLIRContext &context) {
  std::string errorMessage;
  auto file = openInputFile(path, &errorMessage);
  if (!file) {
    (void)fail(errorMessage);
    return nullptr;
  }
  StringRef text = file->getBuffer();
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(
      text, ParserConfig(&context), path == "-" ? "<stdin>" : path);
  if (!module)
    (void)fail("cannot parse " + path);
  return module;
}

LogicalResult run(MLIRContext &context) {
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseFile(inputFile, sourceMgr, context);
  if (!module)
    return failure();

  FailureOr<func::FuncOp> fn = findFunction(*module);
  if (failed(fn) || failed(checkSignature(*fn)))
    return failure();
  if (!outputPaths.empty() && outputPaths.size() != fn->getNumResults())
    return fail("@" + fn->getSymName() + " has " +
                llvm::Twine(fn->getNumResults()) + " results, but " +
                llvm::Twine(outputPaths.size()) + " --output were given");

  std::vector<npy::Array> inputs;
  bool random = randomSeed.getNumOccurrences() > 0;
  if (random && !inputPaths.empty())
    return fail("give either --input or --random-inputs, not both");
  if (!random && inputPaths.empty() && fn->getNumArguments() > 0)
    return fail("@" + fn->getSymName() + " takes " +
                llvm::Twine(fn->getNumArguments()) +
                " arguments: give them with --input=@path.npy or "
                "--random-inputs=SEED");
  if (!random && !dimValues.empty())
    return fail("--dim applies to --random-inputs only");
  // The reference: this function, or its namesake before a rewrite.
  OwningOpRef<ModuleOp> referenceModule;
  func::FuncOp referenceFn = *fn;
  if (!referenceFrom.empty()) {
    if (!check)
      return fail("--reference-from applies to --check only");
    referenceModule = parseFile(referenceFrom, sourceMgr, context);
    if (!referenceModule)
      return failure();
    referenceFn = referenceModule->lookupSymbol<func::FuncOp>(fn->getSymName());
    if (!referenceFn || referenceFn.isDeclaration())
      return fail("no function @" + fn->getSymName() + " in " + referenceFrom);
    if (referenceFn.getFunctionType() != fn->getFunctionType())
      return fail("@" + fn->getSymName() + " has type " +
                  typeString(referenceFn.getFunctionType()) + " in " +
                  referenceFrom + " but " + typeString(fn->getFunctionType()) +
                  " in " + inputFile);
  }

  // Every size is known and checked, and every output path tried, before
  // anything is allocated, compiled or run. Random inputs take their roles
  // (decays) from the reference's IR.
  SmallVector<SmallVector<int64_t>> shapes;
  if (random) {
    if (failed(randomInputShapes(referenceFn, shapes)))
      return failure();
  } else {
    if (failed(readInputs(*fn, inputs)))
      return failure();
    for (const npy::Array &array : inputs)
      shapes.push_back(array.shape);
  }
  if (failed(checkShapes(*fn, shapes)) || failed(checkMemory(*fn, shapes)) ||
      failed(checkOutputs()))
    return failure();
  if (random)
    inputs = randomInputs(referenceFn, shapes);

  for (const npy::Array &array : inputs)
    if (array.shape.size() >= 2) {
      seqLenHint = std::max<int64_t>(array.shape[1], 1);
      break;
    }
  llvm::outs() << "function: @" << fn->getSymName() << "\n";
  llvm::outs() << "pipeline: interact-cpu-pipeline\n";
  FailureOr<std::unique_ptr<ExecutionEngine>> engine =
      compile(*module, *fn, /*reference=*/false);
  if (failed(engine))
    return failure();
  FailureOr<std::vector<npy::Array>> results = invoke(**engine, *fn, inputs);
  if (failed(results))
    return failure();
  printSummary(*results, *fn);

  for (auto [value, array] : llvm::zip(outputPaths, *results)) {
    FailureOr<StringRef> path = npyPath(value, "output");
    if (failed(path))
      return failure();
    if (llvm::Error error = npy::write(*path, array))
      return fail(llvm::toString(std::move(error)));
  }

  if (check) {
    FailureOr<std::unique_ptr<ExecutionEngine>> refEngine =
        compile(referenceModule ? *referenceModule : *module, referenceFn,
                /*reference=*/true);
    if (failed(refEngine))
      return failure();
    FailureOr<std::vector<npy::Array>> expected =
        invoke(**refEngine, referenceFn, inputs);
    if (failed(expected))
      return failure();
    bool ok = true;
    for (auto [i, pair] : llvm::enumerate(llvm::zip(*results, *expected)))
      ok &= compare(i, std::get<0>(pair), std::get<1>(pair));
    llvm::outs() << "check: " << (ok ? "PASSED" : "FAILED")
                 << " against the float64 reference\n";
    if (!ok)
      return fail("outputs differ from the float64 reference");
  }

  if (benchmarkRuns > 0) {
    keepFreedMemory();
    if (failed(invoke(**engine, *fn, inputs)))
      return failure();
    std::vector<double> times;
    for (unsigned i = 0; i < benchmarkRuns; ++i) {
      double ms;
      if (failed(invoke(**engine, *fn, inputs, &ms)))
        return failure();
      times.push_back(ms);
    }
    std::sort(times.begin(), times.end());
    double median =
        times.size() % 2
            ? times[times.size() / 2]
            : (times[times.size() / 2 - 1] + times[times.size() / 2]) / 2;
    llvm::outs() << "benchmark: " << benchmarkRuns << " runs: median "
                 << llvm::format("%.3f", median) << " ms, min "
                 << llvm::format("%.3f", times.front()) << " ms, max "
                 << llvm::format("%.3f", times.back()) << " ms\n";
  }
  return success();
}

/// Sets the thread count of the OpenMP runtime, which reads it once, when
/// it starts, from OMP_NUM_THREADS. It aborts when it cannot start the
/// threads asked for (100000 on a 2-core machine), so a count beyond 1024, or
/// beyond the hardware's threads where there are more, is refused, from the
/// flag or the environment.
LogicalResult setThreadCount() {
  unsigned limit =
      std::max(1024u, llvm::hardware_concurrency().compute_thread_count());
  if (threads > limit)
    return fail("--num-threads must be at most " + llvm::Twine(limit) +
                ", got " + llvm::Twine(threads));
  if (const char *env = getenv("OMP_NUM_THREADS"); env && !threads) {
    // A list of positive counts, one per nesting level. libomp aborts on an
    // empty value, a word or a negative count, so those are refused too.
    SmallVector<StringRef> counts;
    StringRef(env).split(counts, ',');
    for (StringRef count : counts) {
      count = count.trim();
      uint64_t n;
      if (count.empty() || !llvm::all_of(count, llvm::isDigit) ||
          count.getAsInteger(10, n) || n == 0)
        return fail("OMP_NUM_THREADS='" + llvm::Twine(env) +
                    "' is not a list of positive thread counts; fix it or "
                    "pass --num-threads");
      if (n > limit)
        return fail("OMP_NUM_THREADS=" + llvm::Twine(env) +
                    " asks for more than " + llvm::Twine(limit) +
                    " threads; set it lower or pass --num-threads");
    }
    return success();
  }
  unsigned numThreads = threads ? threads.getValue()
                        : llvm::get_physical_cores() > 0
                            ? llvm::get_physical_cores()
                            : 1;
  setenv("OMP_NUM_THREADS", std::to_string(numThreads).c_str(), 1);
  return success();
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  // MLIR's own flags (--mlir-timing, --mlir-print-ir-after-all, ...) apply
  // to the compilation; --help lists interact-run's.
  registerMLIRContextCLOptions();
  registerAsmPrinterCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "interact-run: JIT-compile a function with interact-cpu-pipeline and "
      "run it\n");

  if (failed(setThreadCount()))
    return 1;

  DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::interact::registerAllDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  return failed(run(context)) ? 1 : 0;
}
