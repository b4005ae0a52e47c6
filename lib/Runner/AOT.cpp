//===- AOT.cpp - Shared libraries with a C ABI from a module --------------===//

#include "interact/Runner/AOT.h"

#include "interact/Runner/Function.h"
#include "interact/Target/Target.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::runner;

namespace {

// interact_abi.h, lib/ABI/Library.h and lib/ABI/Library.c, embedded at build
// time: a library is built from them wherever interact-compile runs.
#include "interact/ABI/RuntimeSources.inc"

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(message.str());
}

/// Whether `name` may name a C or C++ function, parameter or prefix: an
/// identifier that is no keyword of either language and does not start
/// with `interact_` (the glue's own names).
bool isIdentifier(StringRef name) {
  static const llvm::StringSet<> keywords = {"alignas",
                                             "alignof",
                                             "and",
                                             "and_eq",
                                             "asm",
                                             "auto",
                                             "bitand",
                                             "bitor",
                                             "bool",
                                             "break",
                                             "case",
                                             "catch",
                                             "char",
                                             "char8_t",
                                             "char16_t",
                                             "char32_t",
                                             "class",
                                             "compl",
                                             "concept",
                                             "const",
                                             "consteval",
                                             "constexpr",
                                             "constinit",
                                             "const_cast",
                                             "continue",
                                             "co_await",
                                             "co_return",
                                             "co_yield",
                                             "decltype",
                                             "default",
                                             "delete",
                                             "do",
                                             "double",
                                             "dynamic_cast",
                                             "else",
                                             "enum",
                                             "explicit",
                                             "export",
                                             "extern",
                                             "false",
                                             "float",
                                             "for",
                                             "friend",
                                             "goto",
                                             "if",
                                             "inline",
                                             "int",
                                             "long",
                                             "mutable",
                                             "namespace",
                                             "new",
                                             "noexcept",
                                             "not",
                                             "not_eq",
                                             "nullptr",
                                             "operator",
                                             "or",
                                             "or_eq",
                                             "private",
                                             "protected",
                                             "public",
                                             "register",
                                             "reinterpret_cast",
                                             "requires",
                                             "restrict",
                                             "return",
                                             "short",
                                             "signed",
                                             "sizeof",
                                             "static",
                                             "static_assert",
                                             "static_cast",
                                             "struct",
                                             "switch",
                                             "template",
                                             "this",
                                             "thread_local",
                                             "throw",
                                             "true",
                                             "try",
                                             "typedef",
                                             "typeid",
                                             "typename",
                                             "union",
                                             "unsigned",
                                             "using",
                                             "virtual",
                                             "void",
                                             "volatile",
                                             "wchar_t",
                                             "while",
                                             "xor",
                                             "xor_eq",
                                             "NULL",
                                             "main"};
  return !name.empty() && !llvm::isDigit(name.front()) &&
         llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; }) &&
         !keywords.contains(name) && !name.starts_with("interact_") &&
         !name.starts_with("__");
}

/// The C name of argument or result `t`, number `index`: its own name where
/// that is safe, else argN or resultN.
std::string cName(const TensorSignature &t, size_t index, StringRef kind) {
  return isIdentifier(t.name) ? t.name : (kind + std::to_string(index)).str();
}

/// The name the compiled code gives public function `name`, so that no
/// function of a model can take the name of a C library routine the
/// runtime calls (a model's @free would otherwise be the runtime's free).
std::string implName(StringRef name) { return ("interact_fn_" + name).str(); }

/// `text` as a C string literal.
std::string quoted(StringRef text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

/// "f32[b x t x 8 x 64]", for the header's comments.
std::string describe(const FunctionSignature &fn, const TensorSignature &t) {
  SmallVector<std::string> dims;
  for (auto [size, symbol] : llvm::zip(t.shape, t.symbols))
    dims.push_back(symbol < 0 ? std::to_string(size) : fn.symbols[symbol].name);
  return (t.name + ": " + npy::getName(t.dtype) + "[" +
          llvm::join(dims, " x ") + "]")
      .str();
}

/// The parameters of PREFIX_NAME.
std::string parameters(const FunctionSignature &fn) {
  SmallVector<std::string> params;
  for (auto [i, t] : llvm::enumerate(fn.arguments))
    params.push_back("const interact_tensor *" + cName(t, i, "arg"));
  for (auto [i, t] : llvm::enumerate(fn.results))
    params.push_back("interact_tensor *" + cName(t, i, "result"));
  return params.empty() ? "void" : llvm::join(params, ", ");
}

/// The header users include: one declaration per function, then the
/// generic entry points.
std::string header(ArrayRef<FunctionSignature> functions, StringRef prefix,
                   const LibraryOptions &options, StringRef target) {
  std::string text;
  llvm::raw_string_ostream os(text);
  std::string guard = StringRef(prefix).upper() + "_H";
  os << "/* " << prefix << ".h: the C interface of lib" << prefix
     << ".so, generated by interact-compile from " << options.sourceName
     << " for target " << target
     << ".\n   The ABI (tensors, errors, threads, outputs) is described in "
        "interact_abi.h. */\n\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include \"interact_abi.h\"\n\n#ifdef __cplusplus\nextern \"C\" "
        "{\n#endif\n\n";
  for (const FunctionSignature &fn : functions) {
    SmallVector<std::string> args, results;
    for (const TensorSignature &t : fn.arguments)
      args.push_back(describe(fn, t));
    for (const TensorSignature &t : fn.results)
      results.push_back(describe(fn, t));
    os << "/* " << fn.name << "(" << llvm::join(args, ", ") << ")\n     -> ("
       << llvm::join(results, ", ") << ") */\n"
       << "int " << prefix << "_" << fn.name << "(" << parameters(fn)
       << ");\n\n";
  }
  os << "const char *" << prefix << "_signature(void);\n"
     << "int " << prefix
     << "_call(const char *function, const interact_tensor *inputs,\n"
        "    int64_t num_inputs, interact_tensor *outputs, int64_t "
        "num_outputs,\n    const interact_call_options *options);\n"
     << "int " << prefix
     << "_output_shapes(const char *function, const interact_tensor "
        "*inputs,\n    int64_t num_inputs, interact_tensor *outputs, "
        "int64_t num_outputs);\n"
     << "const char *" << prefix << "_last_error(void);\n"
     << "int " << prefix << "_set_num_threads(int32_t num_threads);\n"
     << "void " << prefix << "_tensor_free(interact_tensor *tensor);\n\n"
     << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* "
     << guard << " */\n";
  return text;
}

/// The glue: the tables Library.h describes, one invoke per function, and
/// the exported entry points.
std::string glue(ArrayRef<FunctionSignature> functions, StringRef prefix,
                 StringRef signature, int64_t threads, const Target &target) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* Generated by interact-compile. */\n#include \"Library.h\"\n\n"
     << "#include <stddef.h>\n\n"
     << "#define EXPORT __attribute__((visibility(\"default\")))\n\n";
  auto specs = [&](size_t f, StringRef kind,
                   ArrayRef<TensorSignature> tensors) {
    for (auto [i, t] : llvm::enumerate(tensors)) {
      SmallVector<std::string> dims;
      for (auto [size, symbol] : llvm::zip(t.shape, t.symbols))
        dims.push_back(std::to_string(symbol < 0 ? size : -1 - symbol));
      if (dims.empty())
        dims.push_back("0");
      os << "static const int64_t shape_" << f << "_" << kind << i << "[] = {"
         << llvm::join(dims, ", ") << "};\n";
    }
    os << "static const interact_abi_tensor_spec " << kind << "_" << f
       << "[] = {";
    if (tensors.empty())
      os << "{NULL, 0, 0, NULL}";
    for (auto [i, t] : llvm::enumerate(tensors))
      os << (i ? ",\n    " : "\n    ") << "{" << quoted(t.name) << ", "
         << static_cast<int>(t.dtype) << ", " << t.shape.size() << ", shape_"
         << f << "_" << kind << i << "}";
    os << "};\n";
  };
  // A CPU function returns its results (the first parameter of its C
  // interface points at them); a GPU function takes them as destinations
  // after its arguments (buffer-results-to-out-params).
  bool gpu = target.kind == TargetKind::GPU;
  for (auto [f, fn] : llvm::enumerate(functions)) {
    SmallVector<std::string> params, args;
    if (!fn.results.empty() && !gpu) {
      params.push_back("void *");
      args.push_back("results");
    }
    size_t buffers =
        fn.arguments.size() + (gpu ? fn.results.size() : size_t(0));
    for (size_t i = 0; i < buffers; ++i) {
      params.push_back("void *");
      args.push_back("arguments[" + std::to_string(i) + "]");
    }
    os << "\nvoid _mlir_ciface_" << implName(fn.name) << "("
       << (params.empty() ? "void" : llvm::join(params, ", ")) << ");\n"
       << "static void invoke_" << f
       << "(void *results, void **arguments) {\n  (void)results;\n  "
          "(void)arguments;\n  _mlir_ciface_"
       << implName(fn.name) << "(" << llvm::join(args, ", ") << ");\n}\n";
    specs(f, "arguments", fn.arguments);
    specs(f, "results", fn.results);
    os << "static const interact_abi_symbol symbols_" << f << "[] = {";
    if (fn.symbols.empty())
      os << "{NULL, -1, 0}";
    for (auto [i, s] : llvm::enumerate(fn.symbols))
      os << (i ? ", " : "") << "{" << quoted(s.name) << ", "
         << (ShapedType::isDynamic(s.size) ? -1 : s.size) << ", "
         << (s.bound ? 1 : 0) << "}";
    os << "};\n";
  }
  os << "\nstatic const interact_abi_function functions[] = {";
  for (auto [f, fn] : llvm::enumerate(functions))
    os << (f ? ",\n    " : "\n    ") << "{" << quoted(fn.name) << ", "
       << fn.arguments.size() << ", " << fn.results.size() << ", "
       << fn.symbols.size() << ", arguments_" << f << ", results_" << f
       << ", symbols_" << f << ", invoke_" << f << "}";
  // The target's instruction set, checked before every call: code for an
  // ISA the CPU lacks would die of SIGILL.
  SmallVector<std::string> checks = {"1"};
  for (const std::string &feature : target.hostFeatures)
    checks.push_back("__builtin_cpu_supports(" + quoted(feature) + ")");
  os << "};\n\nstatic int cpu_supported(void) {\n  static int known, "
        "supported;\n  if (!__atomic_load_n(&known, __ATOMIC_ACQUIRE)) {\n"
        "    __builtin_cpu_init();\n    supported = "
     << llvm::join(checks, " && ")
     << ";\n    __atomic_store_n(&known, 1, __ATOMIC_RELEASE);\n  }\n  "
        "return supported;\n}\n\n"
     << "static int32_t num_threads;\nstatic const char signature[] = "
     << quoted(signature) << ";\n"
     << "static const interact_abi_module interact_module = {" << quoted(prefix)
     << ", signature, " << quoted(target.name) << ", "
     << quoted(llvm::join(target.hostFeatures, " ")) << ", cpu_supported, "
     << threads << ", " << functions.size()
     << ", functions, &num_threads};\n\n";
  for (auto [f, fn] : llvm::enumerate(functions)) {
    SmallVector<std::string> in, out;
    for (auto [i, t] : llvm::enumerate(fn.arguments))
      in.push_back(cName(t, i, "arg"));
    for (auto [i, t] : llvm::enumerate(fn.results))
      out.push_back(cName(t, i, "result"));
    os << "EXPORT int " << prefix << "_" << fn.name << "(" << parameters(fn)
       << ") {\n  const interact_tensor *interact_in[] = {"
       << (in.empty() ? "NULL" : llvm::join(in, ", "))
       << "};\n  interact_tensor *interact_out[] = {"
       << (out.empty() ? "NULL" : llvm::join(out, ", "))
       << "};\n  return interact_abi_call_pointers(&interact_module, " << f
       << ", interact_in, interact_out, NULL);\n}\n\n";
  }
  os << llvm::formatv(
      R"(EXPORT const char *{0}_signature(void) {{ return signature; }
EXPORT int {0}_call(const char *function, const interact_tensor *inputs,
    int64_t num_inputs, interact_tensor *outputs, int64_t num_outputs,
    const interact_call_options *options) {{
  return interact_abi_call(&interact_module, function, inputs, num_inputs, outputs,
                           num_outputs, options);
}
EXPORT int {0}_output_shapes(const char *function,
    const interact_tensor *inputs, int64_t num_inputs,
    interact_tensor *outputs, int64_t num_outputs) {{
  return interact_abi_output_shapes(&interact_module, function, inputs, num_inputs,
                                    outputs, num_outputs);
}
EXPORT const char *{0}_last_error(void) {{ return interact_abi_last_error(); }
EXPORT int {0}_set_num_threads(int32_t n) {{
  return interact_abi_set_num_threads(&interact_module, n);
}
EXPORT void {0}_tensor_free(interact_tensor *t) {{ interact_abi_tensor_free(t); }
static const interact_library library = {{INTERACT_ABI_VERSION, "{0}",
    {0}_signature, {0}_call, {0}_output_shapes, {0}_last_error,
    {0}_set_num_threads, {0}_tensor_free};
EXPORT const interact_library *interact_library_v1(void) {{ return &library; }
)",
      prefix);
  return text;
}

llvm::Error writeFile(const llvm::Twine &path, StringRef contents) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path.str(), ec);
  if (ec)
    return error("cannot write " + path + ": " + ec.message());
  os << contents;
  os.close();
  if (os.has_error())
    return error("cannot write " + path + ": " + os.error().message());
  return llvm::Error::success();
}

/// Runs `program` with `args`; its output goes to `log`.
llvm::Error run(StringRef program, ArrayRef<std::string> args, StringRef log) {
  SmallVector<StringRef> argv = {program};
  for (const std::string &arg : args)
    argv.push_back(arg);
  std::optional<StringRef> redirects[] = {std::nullopt, log, log};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(program, argv, std::nullopt, redirects,
                                         0, 0, &message);
  if (status == 0)
    return llvm::Error::success();
  auto output = llvm::MemoryBuffer::getFile(log);
  std::string shown = output ? (*output)->getBuffer().str() : "";
  return error("`" + llvm::join(argv, " ") + "` failed" +
               (message.empty() ? "" : ": " + message) +
               (shown.empty() ? "" : "\n" + shown));
}

/// The object file of `llvmDialect`, for `target`'s CPU, position
/// independent, with every symbol but the glue's hidden.
llvm::Error emitObject(ModuleOp llvmDialect, const Target &target,
                       StringRef path) {
  static const bool ready = [] {
    return !llvm::InitializeNativeTarget() &&
           !llvm::InitializeNativeTargetAsmPrinter();
  }();
  if (!ready)
    return error("LLVM has no code generator for this machine");
  registerBuiltinDialectTranslation(*llvmDialect.getContext());
  registerLLVMDialectTranslation(*llvmDialect.getContext());
  registerOpenMPDialectTranslation(*llvmDialect.getContext());
  // A GPU library's host code embeds its kernels' binary (gpu.binary).
  registerGPUDialectTranslation(*llvmDialect.getContext());
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module =
      translateModuleToLLVMIR(llvmDialect, context, "interact");
  if (!module)
    return error("translating to LLVM IR failed");

  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string message;
  const llvm::Target *backend =
      llvm::TargetRegistry::lookupTarget(triple, message);
  if (!backend)
    return error("no LLVM target for " + triple.str() + ": " + message);
  // A GPU target's object is its host code: baseline x86-64.
  bool gpu = target.kind == TargetKind::GPU;
  std::unique_ptr<llvm::TargetMachine> machine(backend->createTargetMachine(
      triple, gpu ? "x86-64" : target.llvmCPU, gpu ? "" : target.llvmFeatures,
      llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  module->setTargetTriple(triple);
  module->setDataLayout(machine->createDataLayout());
  for (llvm::GlobalValue &value : module->global_values())
    if (!value.isDeclaration() && value.hasExternalLinkage())
      value.setVisibility(llvm::GlobalValue::HiddenVisibility);
  if (llvm::Error e =
          makeOptimizingTransformer(3, 0, machine.get())(module.get()))
    return e;

  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return error("cannot write " + path + ": " + ec.message());
  llvm::legacy::PassManager pm;
  if (machine->addPassesToEmitFile(pm, os, nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
    return error("LLVM cannot emit an object file for " + target.name);
  pm.run(*module);
  os.close();
  return llvm::Error::success();
}

} // namespace

llvm::Error runner::writeLibrary(ModuleOp module, const AsmParserState *names,
                                 const LibraryOptions &options) {
  // What the library is called, and where its files go.
  StringRef output = options.output;
  StringRef file = llvm::sys::path::filename(output);
  if (!file.starts_with("lib") || !file.ends_with(".so") || file.size() <= 6)
    return error("the output must be named libNAME.so, not '" + file + "'");
  std::string prefix = options.prefix.empty()
                           ? file.drop_front(3).drop_back(3).str()
                           : options.prefix;
  if (!isIdentifier(prefix) || StringRef(prefix).starts_with("interact"))
    return error("the prefix '" + prefix +
                 "' is not a C identifier of the user's (no keyword, nothing "
                 "starting with 'interact'): pass --prefix");
  SmallString<128> directory = llvm::sys::path::parent_path(output);
  if (directory.empty())
    directory = ".";
  std::string headerPath =
      options.header.empty()
          ? (directory + llvm::sys::path::get_separator() + prefix + ".h").str()
          : options.header;

  std::string targetError;
  // The flag's target, else the module's interact.target, else host.
  FailureOr<Target> target =
      options.compile.target.empty()
          ? getTarget(module)
          : lookupTarget(options.compile.target, targetError);
  if (failed(target))
    return error(targetError.empty() ? "the module's target is not usable"
                                     : targetError);
  bool gpu = target->kind == TargetKind::GPU;
  if (gpu && options.compile.reference)
    return error("--reference computes on the CPU: it makes no library for "
                 "GPU target '" +
                 target->name + "'");

  // The functions and their signatures.
  static const llvm::StringSet<> generic = {
      "call",       "output_shapes",   "signature",
      "last_error", "set_num_threads", "tensor_free"};
  SmallVector<FunctionSignature> functions;
  std::vector<std::string> functionNames;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.getSymName().starts_with("interact_"))
      return error("function @" + fn.getSymName() +
                   ": names starting with 'interact_' are reserved");
    if (!fn.isPublic() || fn.isDeclaration())
      continue;
    if (!isIdentifier(fn.getSymName()) || generic.contains(fn.getSymName()))
      return error("function @" + fn.getSymName() +
                   " has no C name of its own (a keyword, or the name of a "
                   "generic entry point): rename it or make it private");
    if (llvm::Error e = checkSignature(fn))
      return e;
    for (Type type :
         llvm::concat<const Type>(fn.getArgumentTypes(), fn.getResultTypes()))
      if (cast<RankedTensorType>(type).getRank() > 8)
        return error("@" + fn.getSymName() +
                     " has a tensor of rank above 8 (INTERACT_MAX_RANK)");
    FunctionSignature sig = getSignature(fn, names);
    for (const TensorSignature &t : sig.arguments)
      for (auto [d, symbol] : llvm::enumerate(t.symbols))
        if (symbol >= 0 && sig.symbols[symbol].derived)
          return error(
              "@" + fn.getSymName() + ": dimension " + Twine(d) +
              " of argument '" + t.name +
              "' is tied to other dimensions by a reshape that merges or "
              "splits several, which a library cannot check at run time: "
              "make it static");
    functions.push_back(std::move(sig));
    functionNames.push_back(implName(fn.getSymName()));
  }
  if (functions.empty())
    return error("the module has no public function to compile");

  // Every function renamed (implName) in a copy, then lowered.
  OwningOpRef<ModuleOp> renamed = module.clone();
  for (auto fn : llvm::make_early_inc_range(renamed->getOps<func::FuncOp>())) {
    auto name = StringAttr::get(module.getContext(), implName(fn.getSymName()));
    if (failed(SymbolTable::replaceAllSymbolUses(fn, name, *renamed)))
      return error("cannot rename @" + fn.getSymName());
    fn.setSymName(name);
  }
  CompileOptions compile = options.compile;
  compile.target = target->name;
  compile.threads = 0; // set at run time by the library, never compiled in
  llvm::Expected<OwningOpRef<ModuleOp>> lowered =
      lowerToLLVM(*renamed, functionNames, compile);
  if (!lowered)
    return lowered.takeError();

  // Object, glue and runtime in a temporary directory. The library, its
  // header and the OpenMP runtime are written beside `output` under
  // temporary names and renamed into place at the end: a process that has
  // loaded an earlier library of that name keeps its files, and a failed
  // run leaves none.
  SmallString<128> work;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("interact-compile", work))
    return error("cannot create a temporary directory: " + ec.message());
  SmallVector<std::pair<std::string, std::string>> pending; // temp, final
  llvm::scope_exit cleanup([&] {
    llvm::sys::fs::remove_directories(work);
    for (auto &[temporary, final] : pending)
      llvm::sys::fs::remove(temporary);
  });
  auto inWork = [&](StringRef name) { return (work + "/" + name).str(); };
  if (std::error_code ec = llvm::sys::fs::create_directories(directory))
    return error("cannot create " + directory + ": " + ec.message());
  auto staged = [&](const Twine &final) -> llvm::Expected<std::string> {
    SmallString<128> temporary;
    int fd;
    SmallString<128> model(llvm::sys::path::parent_path(final.str()));
    if (model.empty())
      model = ".";
    llvm::sys::path::append(model, ".interact-compile-%%%%%%%%");
    if (std::error_code ec =
            llvm::sys::fs::createUniqueFile(model, fd, temporary))
      return error("cannot write beside " + final + ": " + ec.message());
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
    pending.push_back({temporary.str().str(), final.str()});
    return temporary.str().str();
  };

  std::string signature =
      toJSON(functions, prefix, target->name, gpu ? "cuda" : "cpu");
  if (llvm::Error e = emitObject(**lowered, *target, inWork("model.o")))
    return e;
  std::string glueSource =
      glue(functions, prefix, signature, options.compile.threads, *target);
  if (llvm::Error e =
          llvm::sys::fs::create_directories(inWork("interact/Runtime"))
              ? error("cannot create a temporary directory")
              : llvm::Error::success())
    return e;
  for (auto [name, contents] :
       {std::pair<StringRef, StringRef>{"interact_abi.h", kInteractAbiHeader},
        {"Library.h", kLibraryHeader},
        {"Library.c", kLibrarySource},
        {"interact/Runtime/CudaRuntime.h", kCudaRuntimeHeader},
        {"CudaRuntime.c", kCudaRuntimeSource},
        {"glue.c", glueSource}})
    if (llvm::Error e = writeFile(inWork(name), contents))
      return e;

  // A CPU library ships the OpenMP runtime beside it; a GPU library holds
  // interact's CUDA runtime (lib/Runtime), which opens the driver itself.
  if (!gpu) {
    llvm::Expected<std::string> openmp = staged(directory + "/libomp.so.5");
    if (!openmp)
      return openmp.takeError();
    if (std::error_code ec =
            llvm::sys::fs::copy_file(INTERACT_OPENMP_RUNTIME, *openmp))
      return error("cannot copy the OpenMP runtime beside " + output + ": " +
                   ec.message());
  }
  llvm::ErrorOr<std::string> cc = llvm::sys::findProgramByName(options.cc);
  if (!cc)
    return error("no C compiler '" + options.cc +
                 "' on the PATH (install gcc, or pass --cc)");
  std::string log = inWork("cc.log");
  SmallVector<StringRef> sources = {"glue", "Library"};
  if (gpu)
    sources.push_back("CudaRuntime");
  for (StringRef source : sources) {
    std::vector<std::string> flags = {"-std=c11", "-O2",
                                      "-fPIC",    "-fvisibility=hidden",
                                      "-I",       work.str().str()};
    if (gpu)
      for (std::string flag : {std::string("-DINTERACT_ABI_CUDA"),
                               std::string("-I" INTERACT_CUDA_INCLUDE_DIR)})
        flags.push_back(flag);
    for (std::string flag : {std::string("-c"), inWork((source + ".c").str()),
                             std::string("-o"), inWork((source + ".o").str())})
      flags.push_back(flag);
    if (llvm::Error e = run(*cc, flags, log))
      return e;
  }
  // LLVM's compiler-rt builtins supply the conversions libgcc lacks
  // (__truncdfbf2: f64 to bf16, which the reference lowering emits), kept
  // out of the library's exports. The OpenMP runtime is linked by its
  // soname from the work directory's copy.
  llvm::Expected<std::string> library = staged(output);
  if (!library)
    return library.takeError();
  if (std::error_code ec = llvm::sys::fs::copy_file(INTERACT_OPENMP_RUNTIME,
                                                    inWork("libomp.so.5")))
    return error("cannot copy the OpenMP runtime: " + ec.message());
  std::vector<std::string> link = {"-shared",        "-o",
                                   *library,         inWork("model.o"),
                                   inWork("glue.o"), inWork("Library.o")};
  if (gpu)
    link.push_back(inWork("CudaRuntime.o"));
  if (llvm::sys::fs::exists(INTERACT_COMPILER_RT_BUILTINS))
    link.push_back(INTERACT_COMPILER_RT_BUILTINS);
  std::vector<std::string> libraries = {inWork("libomp.so.5")};
  if (gpu)
    libraries = {"-ldl", "-lpthread"};
  for (std::string flag :
       {std::string("-lm"), std::string("-Wl,-rpath,$ORIGIN"),
        std::string("-Wl,--no-undefined"),
        std::string("-Wl,--exclude-libs,ALL"), "-Wl,-soname," + file.str()})
    libraries.push_back(flag);
  link.insert(link.end(), libraries.begin(), libraries.end());
  if (llvm::Error e = run(*cc, link, log))
    return e;
  for (auto [final, contents] :
       {std::pair<std::string, std::string>{
            headerPath, header(functions, prefix, options, target->name)},
        {(directory + "/interact_abi.h").str(), kInteractAbiHeader}}) {
    llvm::Expected<std::string> temporary = staged(final);
    if (!temporary)
      return temporary.takeError();
    if (llvm::Error e = writeFile(*temporary, contents))
      return e;
  }
  for (auto &[temporary, final] : pending) {
    if (std::error_code ec = llvm::sys::fs::rename(temporary, final))
      return error("cannot write " + final + ": " + ec.message());
    llvm::sys::fs::setPermissions(
        final,
        llvm::sys::fs::perms(StringRef(final).ends_with(".h") ? 0644 : 0755));
  }
  pending.clear();
  return llvm::Error::success();
}

llvm::Error runner::compileFile(MLIRContext &context, StringRef inputFile,
                                LibraryOptions options) {
  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(inputFile, &message);
  if (!file)
    return error(message);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  Block block;
  AsmParserState names;
  ParserConfig config(&context);
  if (failed(parseAsmSourceFile(sourceMgr, &block, config, &names)))
    return error("cannot parse " + inputFile);
  OwningOpRef<ModuleOp> module =
      mlir::detail::constructContainerOpForParserIfNecessary<ModuleOp>(
          &block, &context, FileLineColLoc::get(&context, inputFile, 0, 0));
  if (!module || failed(verify(*module)))
    return error("cannot parse " + inputFile);
  if (options.sourceName.empty())
    options.sourceName = llvm::sys::path::filename(inputFile).str();
  return writeLibrary(*module, &names, options);
}
