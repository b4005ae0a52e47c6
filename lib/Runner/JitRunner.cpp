//===- JitRunner.cpp - Run a compiled function on this machine ------------===//

#include "interact/Runner/JitRunner.h"

#include "interact/Runner/Function.h"
#include "interact/Runner/MemRef.h"
#include "interact/Target/Target.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/Threading.h"

#include <chrono>
#include <cstdlib>
#include <limits>
#include <set>

#ifdef __GLIBC__
#include <malloc.h>
#endif

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::runner;

SmallVector<StringRef> runner::getRuntimeLibraries() {
  return {INTERACT_C_RUNNER_UTILS, INTERACT_OPENMP_RUNTIME};
}

JitFunction::JitFunction(std::unique_ptr<ExecutionEngine> engine,
                         StringRef name, FunctionType type)
    : engine(std::move(engine)), name(name.str()), type(type) {}

JitFunction::~JitFunction() = default;

llvm::Expected<std::unique_ptr<JitFunction>>
JitFunction::create(ModuleOp llvmModule, StringRef name, FunctionType type) {
  // The JIT emits code for this machine; LLVM registers its target once.
  static const bool nativeTargetReady = [] {
    return !llvm::InitializeNativeTarget() &&
           !llvm::InitializeNativeTargetAsmPrinter();
  }();
  if (!nativeTargetReady)
    return llvm::createStringError("cannot JIT-compile @" + name +
                                   ": LLVM has no target for this machine");
  ExecutionEngineOptions engineOptions;
  auto transformer = makeOptimizingTransformer(/*optLevel=*/3,
                                               /*sizeLevel=*/0, nullptr);
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  // INTERACT_PERF_JIT=1: a jitdump for `perf record -k 1` and
  // `perf inject --jit`, so that profiles name the compiled functions.
  if (const char *perf = std::getenv("INTERACT_PERF_JIT"))
    engineOptions.enablePerfNotificationListener = StringRef(perf) == "1";
  SmallVector<StringRef> libraries = getRuntimeLibraries();
  engineOptions.sharedLibPaths = libraries;
  auto engine = ExecutionEngine::create(llvmModule, engineOptions);
  if (!engine)
    return llvm::createStringError("cannot JIT-compile @" + name + ": " +
                                   llvm::toString(engine.takeError()));
  return std::unique_ptr<JitFunction>(
      new JitFunction(std::move(*engine), name, type));
}

llvm::Expected<std::unique_ptr<JitFunction>>
JitFunction::compile(ModuleOp module, StringRef name,
                     const CompileOptions &options) {
  auto fn = module.lookupSymbol<func::FuncOp>(name);
  if (!fn)
    return llvm::createStringError("no function @" + name + " to compile");
  llvm::Expected<OwningOpRef<ModuleOp>> lowered =
      lowerToLLVM(module, name, options);
  if (!lowered)
    return lowered.takeError();
  return create(**lowered, name, fn.getFunctionType());
}

llvm::Error JitFunction::invoke(void *results, ArrayRef<void *> arguments) {
  // invokePacked takes a pointer to each C-interface parameter: the results'
  // struct pointer first (where there are results), then each argument's
  // descriptor pointer.
  SmallVector<void *> pointers;
  if (type.getNumResults())
    pointers.push_back(results);
  llvm::append_range(pointers, arguments);
  SmallVector<void *> packed;
  for (void *&pointer : pointers)
    packed.push_back(&pointer);
  if (llvm::Error error = engine->invokePacked("_mlir_ciface_" + name, packed))
    return llvm::createStringError(
        "running @" + name + " failed: " + llvm::toString(std::move(error)));
  return llvm::Error::success();
}

llvm::Expected<std::vector<npy::Array>>
JitFunction::run(MutableArrayRef<npy::Array> inputs, double *milliseconds) {
  MemRefDescriptors arguments = MemRefDescriptors::forArrays(inputs);
  SmallVector<int64_t> ranks;
  for (Type result : type.getResults())
    ranks.push_back(cast<RankedTensorType>(result).getRank());
  MemRefDescriptors results(ranks);
  SmallVector<void *> argumentPointers;
  for (size_t i = 0; i < arguments.size(); ++i)
    argumentPointers.push_back(arguments.get(i));

  auto start = std::chrono::steady_clock::now();
  llvm::Error error =
      invoke(results.size() ? results.get(0) : nullptr, argumentPointers);
  auto stop = std::chrono::steady_clock::now();
  if (error)
    return std::move(error);
  if (milliseconds)
    *milliseconds =
        std::chrono::duration<double, std::milli>(stop - start).count();

  // Copy every result out before freeing anything: results may share a
  // buffer (`return %y, %y`, or two results that CSE merged).
  std::vector<npy::Array> arrays;
  for (auto [i, result] : llvm::enumerate(type.getResults()))
    arrays.push_back(copyToArray(
        results.getView(i),
        *getDType(cast<RankedTensorType>(result).getElementType())));

  // Then free each buffer the function allocated exactly once: not the
  // inputs' (a result may be an argument or a view of one), not globals
  // (their descriptors hold 0xdeadbeef as the allocated pointer).
  std::set<void *> freed = {nullptr, reinterpret_cast<void *>(0xdeadbeef)};
  for (size_t i = 0; i < arguments.size(); ++i)
    freed.insert(arguments.getView(i).basePtr);
  for (size_t i = 0; i < results.size(); ++i)
    if (void *allocated = results.getView(i).basePtr;
        freed.insert(allocated).second)
      free(allocated);
  return arrays;
}

llvm::Expected<int64_t> runner::getThreadCount(unsigned requested,
                                               const Target &target) {
  unsigned limit =
      std::max(1024u, llvm::hardware_concurrency().compute_thread_count());
  if (requested > limit)
    return llvm::createStringError("--num-threads must be at most " +
                                   llvm::Twine(limit) + ", got " +
                                   llvm::Twine(requested));
  std::optional<int64_t> fromEnvironment;
  if (const char *env = getenv("OMP_NUM_THREADS")) {
    // A list of positive counts, one per nesting level. libomp aborts on an
    // empty value or a negative count, so those are refused too.
    SmallVector<StringRef> counts;
    StringRef(env).split(counts, ',');
    for (StringRef count : counts) {
      count = count.trim();
      uint64_t n;
      if (count.empty() || !llvm::all_of(count, llvm::isDigit) ||
          count.getAsInteger(10, n) || n == 0)
        return llvm::createStringError(
            "OMP_NUM_THREADS='" + llvm::Twine(env) +
            "' is not a list of positive thread counts; fix it" +
            (requested ? " or unset it" : " or pass --num-threads"));
      // libomp starts the first level's threads where the code asks for
      // none; --num-threads asks for a count.
      if (n > limit && !requested)
        return llvm::createStringError(
            "OMP_NUM_THREADS=" + llvm::Twine(env) + " asks for more than " +
            llvm::Twine(limit) +
            " threads; set it lower or pass --num-threads");
      if (!fromEnvironment)
        fromEnvironment = n;
    }
  }
  if (requested)
    return requested;
  if (fromEnvironment)
    return *fromEnvironment;
  if (target.threads)
    return target.threads;
  return std::max(1, llvm::get_physical_cores());
}

void runner::keepFreedMemory() {
#ifdef __GLIBC__
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
#endif
}
