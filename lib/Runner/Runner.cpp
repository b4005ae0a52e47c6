//===- Runner.cpp - Run one function of an MLIR file ----------------------===//

#include "interact/Runner/Runner.h"

#include "interact/Runner/Function.h"
#include "interact/Runner/Inputs.h"
#include "interact/Runner/JitRunner.h"
#include "interact/Runner/Report.h"
#include "interact/Target/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::runner;

namespace {

/// Parses the MLIR file at `path`, keeping its buffer in `sourceMgr` so that
/// diagnostics show the line.
llvm::Expected<OwningOpRef<ModuleOp>>
parseFile(StringRef path, llvm::SourceMgr &sourceMgr, MLIRContext &context) {
  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(path, &errorMessage);
  if (!file)
    return llvm::createStringError(errorMessage);
  StringRef text = file->getBuffer();
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(
      text, ParserConfig(&context), path == "-" ? "<stdin>" : path);
  if (!module)
    return llvm::createStringError("cannot parse " + path);
  return module;
}

/// The paths of "@path.npy" values of --`flag`.
llvm::Expected<std::vector<std::string>> stripAt(ArrayRef<std::string> values,
                                                 StringRef flag) {
  std::vector<std::string> paths;
  for (StringRef value : values) {
    if (!value.consume_front("@") || value.empty())
      return llvm::createStringError("--" + flag + " takes @path.npy, got '" +
                                     value + "'");
    paths.push_back(value.str());
  }
  return paths;
}

/// The target the run compiles for: `name`, else the module's, else host;
/// this machine must be able to run it.
llvm::Expected<Target> getRunTarget(StringRef name, ModuleOp module) {
  std::string error;
  FailureOr<Target> target =
      name.empty() ? getTarget(module) : lookupTarget(name, error);
  if (failed(target))
    return llvm::createStringError(
        name.empty() ? "cannot compile for the module's interact.target"
                     : error);
  std::string why;
  if (!hostCanRun(*target, why))
    return llvm::createStringError(why);
  return *target;
}

/// Times `runs` runs of `fn` after a warm-up and prints their median, min
/// and max.
llvm::Error benchmark(JitFunction &fn, std::vector<npy::Array> &inputs,
                      unsigned runs, llvm::raw_ostream &os) {
  keepFreedMemory();
  if (llvm::Error error = fn.run(inputs).takeError())
    return error;
  std::vector<double> times;
  for (unsigned i = 0; i < runs; ++i) {
    double ms;
    if (llvm::Error error = fn.run(inputs, &ms).takeError())
      return error;
    times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  size_t half = times.size() / 2;
  double median =
      times.size() % 2 ? times[half] : (times[half - 1] + times[half]) / 2;
  os << "benchmark: " << runs << " runs: median "
     << llvm::format("%.3f", median) << " ms, min "
     << llvm::format("%.3f", times.front()) << " ms, max "
     << llvm::format("%.3f", times.back()) << " ms\n";
  return llvm::Error::success();
}

/// Parses the module of --reference-from and checks that it defines `fn`
/// with the same type; null without --reference-from.
llvm::Expected<OwningOpRef<ModuleOp>> parseReference(const RunOptions &options,
                                                     func::FuncOp fn,
                                                     llvm::SourceMgr &sourceMgr,
                                                     MLIRContext &context) {
  if (options.referenceFrom.empty())
    return OwningOpRef<ModuleOp>();
  if (!options.check)
    return llvm::createStringError("--reference-from applies to --check only");
  llvm::Expected<OwningOpRef<ModuleOp>> parsed =
      parseFile(options.referenceFrom, sourceMgr, context);
  if (!parsed)
    return parsed.takeError();
  auto namesake = (*parsed)->lookupSymbol<func::FuncOp>(fn.getSymName());
  if (!namesake || namesake.isDeclaration())
    return llvm::createStringError("no function @" + fn.getSymName() + " in " +
                                   options.referenceFrom);
  if (namesake.getFunctionType() != fn.getFunctionType())
    return llvm::createStringError(
        "@" + fn.getSymName() + " has type " +
        toString(namesake.getFunctionType()) + " in " + options.referenceFrom +
        " but " + toString(fn.getFunctionType()) + " in " + options.inputFile);
  return parsed;
}

/// The shapes of the inputs: of the .npy files, which are read into
/// `inputs`, or of the random inputs (which take their roles, such as
/// decays, from `referenceFn`).
llvm::Expected<Shapes> getInputShapes(const RunOptions &options,
                                      func::FuncOp fn, func::FuncOp referenceFn,
                                      std::vector<npy::Array> &inputs) {
  if (options.randomSeed) {
    DimSizes sizes;
    for (StringRef spec : options.dims)
      if (llvm::Error error = sizes.parse(spec))
        return std::move(error);
    return getRandomInputShapes(referenceFn, sizes);
  }
  if (options.inputs.size() != fn.getNumArguments())
    return llvm::createStringError(
        "@" + fn.getSymName() + " takes " + llvm::Twine(fn.getNumArguments()) +
        " arguments, but " + llvm::Twine(options.inputs.size()) +
        " --input were given");
  llvm::Expected<std::vector<std::string>> paths =
      stripAt(options.inputs, "input");
  if (!paths)
    return paths.takeError();
  llvm::Expected<std::vector<npy::Array>> read = readInputs(fn, *paths);
  if (!read)
    return read.takeError();
  inputs = std::move(*read);
  Shapes shapes;
  for (const npy::Array &array : inputs)
    shapes.push_back(array.shape);
  return shapes;
}

/// Runs the reference lowering of `referenceFn` on `inputs` and compares
/// `results` with its outputs, printing a verdict per output and one in all.
llvm::Error checkResults(func::FuncOp referenceFn, CompileOptions options,
                         std::vector<npy::Array> &inputs,
                         ArrayRef<npy::Array> results, llvm::raw_ostream &os) {
  options.reference = true;
  llvm::Expected<std::unique_ptr<JitFunction>> reference =
      JitFunction::compile(referenceFn->getParentOfType<ModuleOp>(),
                           referenceFn.getSymName(), options);
  if (!reference)
    return reference.takeError();
  llvm::Expected<std::vector<npy::Array>> expected = (*reference)->run(inputs);
  if (!expected)
    return expected.takeError();
  bool ok = true;
  for (auto [i, got, ref] : llvm::enumerate(results, *expected)) {
    Comparison comparison = compare(got, ref);
    printComparison(os, i, comparison, got, ref);
    ok &= comparison.ok;
  }
  os << "check: " << (ok ? "PASSED" : "FAILED")
     << " against the float64 reference\n";
  if (!ok)
    return llvm::createStringError("outputs differ from the float64 reference");
  return llvm::Error::success();
}

} // namespace

llvm::Error runner::runFunction(MLIRContext &context, const RunOptions &options,
                                llvm::raw_ostream &os) {
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  llvm::Expected<OwningOpRef<ModuleOp>> module =
      parseFile(options.inputFile, sourceMgr, context);
  if (!module)
    return module.takeError();

  llvm::Expected<func::FuncOp> fn =
      findFunction(**module, options.function, options.inputFile);
  if (!fn)
    return fn.takeError();
  if (llvm::Error error = checkSignature(*fn))
    return error;
  if (!options.outputs.empty() && options.outputs.size() != fn->getNumResults())
    return llvm::createStringError(
        "@" + fn->getSymName() + " has " + llvm::Twine(fn->getNumResults()) +
        " results, but " + llvm::Twine(options.outputs.size()) +
        " --output were given");

  bool random = options.randomSeed.has_value();
  if (random && !options.inputs.empty())
    return llvm::createStringError(
        "give either --input or --random-inputs, not both");
  if (!random && options.inputs.empty() && fn->getNumArguments() > 0)
    return llvm::createStringError(
        "@" + fn->getSymName() + " takes " +
        llvm::Twine(fn->getNumArguments()) +
        " arguments: give them with --input=@path.npy or "
        "--random-inputs=SEED");
  if (!random && !options.dims.empty())
    return llvm::createStringError("--dim applies to --random-inputs only");

  // The reference: this function, or its namesake before a rewrite.
  llvm::Expected<OwningOpRef<ModuleOp>> referenceModule =
      parseReference(options, *fn, sourceMgr, context);
  if (!referenceModule)
    return referenceModule.takeError();
  func::FuncOp referenceFn =
      *referenceModule
          ? (*referenceModule)->lookupSymbol<func::FuncOp>(fn->getSymName())
          : *fn;

  // Every size is known and checked, and every output path tried, before
  // anything is allocated, compiled or run.
  std::vector<npy::Array> inputs;
  llvm::Expected<Shapes> shapes =
      getInputShapes(options, *fn, referenceFn, inputs);
  if (!shapes)
    return shapes.takeError();
  llvm::Expected<std::vector<std::string>> outputPaths =
      stripAt(options.outputs, "output");
  if (!outputPaths)
    return outputPaths.takeError();
  if (llvm::Error error = checkShapes(*fn, *shapes))
    return error;
  if (llvm::Error error = checkMemory(*fn, *shapes, options.check))
    return error;
  if (llvm::Error error = checkWritable(*outputPaths))
    return error;

  llvm::Expected<Target> target = getRunTarget(options.target, **module);
  if (!target)
    return target.takeError();
  llvm::Expected<int64_t> threads = getThreadCount(options.threads, *target);
  if (!threads)
    return threads.takeError();
  if (random)
    inputs = makeRandomInputs(referenceFn, *shapes, *options.randomSeed);

  CompileOptions compileOptions;
  // By name, so that the pipeline's choices follow the module's target too.
  compileOptions.target = target->name;
  compileOptions.selectForm = options.selectForm;
  // Form selection assumes the length of the first input of rank >= 2.
  for (ArrayRef<int64_t> shape : *shapes)
    if (shape.size() >= 2) {
      compileOptions.seqLenHint = std::max<int64_t>(shape[1], 1);
      break;
    }
  compileOptions.threads = *threads;
  compileOptions.configurePassManager = options.configurePassManager;

  os << "function: @" << fn->getSymName() << "\n";
  os << "target: " << target->name;
  if (target->name != target->llvmCPU)
    os << " (" << target->llvmCPU << ")";
  os << "\n";
  os << "pipeline: interact-cpu-pipeline\n";
  if (options.printPipeline)
    os << "pipeline passes: " << describePipeline(compileOptions) << "\n";
  llvm::Expected<std::unique_ptr<JitFunction>> compiled =
      JitFunction::compile(**module, fn->getSymName(), compileOptions);
  if (!compiled)
    return compiled.takeError();
  llvm::Expected<std::vector<npy::Array>> results = (*compiled)->run(inputs);
  if (!results)
    return results.takeError();
  for (auto [i, array, type] : llvm::enumerate(*results, fn->getResultTypes()))
    printSummary(os, i, array, cast<RankedTensorType>(type).getElementType());
  for (auto [path, array] : llvm::zip(*outputPaths, *results))
    if (llvm::Error error = npy::write(path, array))
      return llvm::createStringError(llvm::toString(std::move(error)));

  if (options.check)
    if (llvm::Error error =
            checkResults(referenceFn, compileOptions, inputs, *results, os))
      return error;
  if (options.benchmarkRuns > 0)
    return benchmark(**compiled, inputs, options.benchmarkRuns, os);
  return llvm::Error::success();
}
