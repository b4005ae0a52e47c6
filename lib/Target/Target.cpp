//===- Target.cpp - Known targets, host detection, the module attribute ---===//
//
// The rows of the target table are JSON files (lib/Target/targets/*.json)
// that CMake embeds as KnownTargets.inc; they are parsed with LLVM's JSON
// library on first use. docs/Targets.md documents the fields.
//
//===----------------------------------------------------------------------===//

#include "interact/Target/Target.h"

#include "interact/Dialect/Interact/IR/InteractOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"
#include "llvm/TargetParser/Host.h"

#include <cmath>

using namespace mlir;
using namespace mlir::interact;

namespace {

struct EmbeddedRow {
  const char *file;
  const char *json;
};

// {file name, JSON text} of every row, in file-name order.
constexpr EmbeddedRow embeddedRows[] = {
#include "KnownTargets.inc"
};

struct Table {
  std::vector<Target> rows;
  std::string error; // a malformed row: every lookup reports it
};

std::optional<Form> parseForm(StringRef s) { return symbolizeForm(s); }

/// Parses one row; fills `error` (with the file name) when malformed.
std::optional<Target> parseRow(const EmbeddedRow &row, std::string &error) {
  auto fail = [&](const Twine &what) -> std::optional<Target> {
    error = ("target table row " + Twine(row.file) + ": " + what).str();
    return std::nullopt;
  };
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(row.json);
  if (!parsed)
    return fail(llvm::toString(parsed.takeError()));
  const llvm::json::Object *o = parsed->getAsObject();
  if (!o)
    return fail("not a JSON object");
  Target t;
  auto str = [&](const llvm::json::Object *obj, StringRef key,
                 std::string &out) {
    std::optional<StringRef> v = obj ? obj->getString(key) : std::nullopt;
    if (v)
      out = v->str();
    return v.has_value();
  };
  std::string kind;
  const llvm::json::Object *llvm = o->getObject("llvm");
  if (!str(o, "name", t.name) || !str(o, "description", t.description) ||
      !str(o, "kind", kind) || !str(llvm, "cpu", t.llvmCPU) ||
      !str(llvm, "features", t.llvmFeatures) ||
      !str(llvm, "prefer_vector_width", t.preferVectorWidth))
    return fail("needs the strings name, description, kind, llvm.cpu, "
                "llvm.features and llvm.prefer_vector_width");
  if (kind != "cpu" && kind != "gpu")
    return fail("kind must be \"cpu\" or \"gpu\", not \"" + kind + "\"");
  t.kind = kind == "cpu" ? TargetKind::CPU : TargetKind::GPU;
  std::optional<int64_t> bits = o->getInteger("vector_bits");
  std::optional<int64_t> regs = o->getInteger("vector_registers");
  std::optional<int64_t> threads = o->getInteger("threads");
  if (!bits || !regs || !threads || *bits < 64 || *bits % 64 || *regs < 8 ||
      *threads < 0)
    return fail("vector_bits (a multiple of 64), vector_registers (>= 8) "
                "and threads (>= 0, 0 for every core) are required");
  t.vectorBits = *bits, t.vectorRegisters = *regs, t.threads = *threads;
  if (const llvm::json::Array *features = o->getArray("host_features"))
    for (const llvm::json::Value &f : *features)
      if (std::optional<StringRef> s = f.getAsString())
        t.hostFeatures.push_back(s->str());
  const llvm::json::Array *kernels = o->getArray("fast_kernels");
  if (!kernels)
    return fail("fast_kernels must be a list");
  for (const llvm::json::Value &k : *kernels) {
    const llvm::json::Object *ko = k.getAsObject();
    std::string form;
    const llvm::json::Array *decays = ko ? ko->getArray("decay") : nullptr;
    const llvm::json::Array *types = ko ? ko->getArray("types") : nullptr;
    if (!str(ko, "form", form) || !parseForm(form) || !decays || !types)
      return fail("each fast_kernels entry needs a form (recurrent, chunked, "
                  "attention) and the lists decay and types");
    for (const llvm::json::Value &d : *decays)
      for (const llvm::json::Value &ty : *types) {
        std::optional<StringRef> ds = d.getAsString(), ts = ty.getAsString();
        std::optional<DecayKind> decay =
            ds ? symbolizeDecayKind(*ds) : std::nullopt;
        if (!decay || !ts)
          return fail("fast_kernels: bad decay kind or element type");
        t.fastKernels.push_back({*parseForm(form), *decay, ts->str()});
      }
  }
  const llvm::json::Object *cost = o->getObject("cost_model");
  const llvm::json::Array *sizes =
      cost ? cost->getArray("state_sizes") : nullptr;
  std::optional<double> bandwidth =
      cost ? cost->getNumber("bandwidth_gbs") : std::nullopt;
  if (!sizes || !bandwidth || !str(cost, "calibration", t.calibration))
    return fail("cost_model needs calibration, bandwidth_gbs and state_sizes");
  t.bandwidthGBs = *bandwidth;
  for (const llvm::json::Value &s : *sizes) {
    const llvm::json::Object *so = s.getAsObject();
    std::optional<int64_t> n = so ? so->getInteger("n") : std::nullopt;
    if (!n || *n <= 0)
      return fail("each state_sizes entry needs a positive n");
    StateSizeCost c;
    c.stateDim = *n;
    for (auto [key, form] :
         {std::pair<StringRef, FormCost *>{"recurrent", &c.recurrent},
          {"chunked", &c.chunked},
          {"attention", &c.attention}}) {
      const llvm::json::Object *fo = so->getObject(key);
      std::optional<double> call = fo ? fo->getNumber("call_us") : std::nullopt;
      std::optional<double> gflops =
          fo ? fo->getNumber("gflops") : std::nullopt;
      std::optional<double> step = fo ? fo->getNumber("step_us") : std::nullopt;
      if (!call || !gflops || !step || *gflops <= 0 || *call < 0 || *step < 0)
        return fail("state size " + Twine(*n) + ": " + key +
                    " needs call_us >= 0, gflops > 0 and step_us >= 0");
      *form = {*call, *gflops, *step};
    }
    t.costs.push_back(c);
  }
  if (t.bandwidthGBs <= 0 && !t.costs.empty())
    return fail("a calibrated cost model needs bandwidth_gbs > 0");
  return t;
}

const Table &table() {
  static const Table instance = [] {
    Table t;
    for (const EmbeddedRow &row : embeddedRows) {
      std::optional<Target> target = parseRow(row, t.error);
      if (!target)
        break;
      t.rows.push_back(std::move(*target));
    }
    return t;
  }();
  return instance;
}

/// The host's CPU features (LLVM names), once.
const llvm::StringMap<bool, llvm::MallocAllocator> &hostFeatures() {
  static const llvm::StringMap<bool, llvm::MallocAllocator> features =
      llvm::sys::getHostCPUFeatures();
  return features;
}

/// Which features of `target` the host lacks, comma-separated.
std::string missingFeatures(const Target &target) {
  std::string missing;
  for (const std::string &f : target.hostFeatures)
    if (!hostFeatures().lookup(f))
      missing += (missing.empty() ? "" : ", ") + f;
  return missing;
}

/// `host`: the newest known CPU row whose features the machine has, with the
/// machine's own CPU name for tuning.
FailureOr<Target> detectHost(std::string &error) {
  const Target *best = nullptr;
  for (const Target &row : table().rows)
    if (row.kind == TargetKind::CPU && missingFeatures(row).empty() &&
        (!best || row.vectorBits > best->vectorBits))
      best = &row;
  if (!best) {
    error = "this machine runs none of the known CPU targets (interact's CPU "
            "kernels need at least x86-64-v3: AVX2 and FMA)";
    return failure();
  }
  Target host = *best;
  host.name = "host";
  std::string cpu = llvm::sys::getHostCPUName().str();
  host.description = "this machine (" + cpu + "), as " + best->name;
  // Tune for the machine itself; the ISA stays the row's.
  host.tuneCPU = cpu;
  return host;
}

} // namespace

const FormCost &StateSizeCost::of(Form form) const {
  switch (form) {
  case Form::Recurrent:
    return recurrent;
  case Form::Chunked:
    return chunked;
  case Form::Attention:
    return attention;
  }
  llvm_unreachable("unknown form");
}

int64_t Target::lanes(Type elementType) const {
  return std::max<int64_t>(1, vectorBits / elementType.getIntOrFloatBitWidth());
}

const StateSizeCost *Target::costFor(int64_t stateDim) const {
  const StateSizeCost *best = nullptr;
  auto distance = [&](const StateSizeCost &c) {
    return std::abs(
        std::log(double(c.stateDim) / std::max<int64_t>(1, stateDim)));
  };
  for (const StateSizeCost &c : costs)
    if (!best || distance(c) < distance(*best))
      best = &c;
  return best;
}

bool Target::hasFastKernel(Form form, DecayKind decay, Type elementType) const {
  std::string type;
  llvm::raw_string_ostream os(type);
  os << elementType;
  return llvm::any_of(fastKernels, [&](const FastKernel &k) {
    return k.form == form && k.decay == decay && k.elementType == type;
  });
}

SmallVector<std::string> mlir::interact::knownTargetNames() {
  SmallVector<std::string> names{"host"};
  for (const Target &row : table().rows)
    names.push_back(row.name);
  return names;
}

FailureOr<Target> mlir::interact::lookupTarget(StringRef name,
                                               std::string &error) {
  if (!table().error.empty()) {
    error = table().error;
    return failure();
  }
  if (name == "host")
    return detectHost(error);
  for (const Target &row : table().rows)
    if (row.name == name)
      return row;
  error = ("unknown target '" + name +
           "' (known: " + llvm::join(knownTargetNames(), ", ") + ")")
              .str();
  return failure();
}

FailureOr<Target> mlir::interact::getTarget(Operation *op) {
  ModuleOp module =
      isa<ModuleOp>(op) ? cast<ModuleOp>(op) : op->getParentOfType<ModuleOp>();
  StringRef name = "host";
  Operation *at = module ? module.getOperation() : op;
  if (module) {
    if (Attribute attr = module->getAttr(kTargetAttrName)) {
      auto target = dyn_cast<TargetAttr>(attr);
      if (!target)
        return module->emitError()
               << "'" << kTargetAttrName
               << "' must be a #interact.target<\"NAME\">, not " << attr;
      name = target.getName();
    }
  }
  std::string error;
  FailureOr<Target> target = lookupTarget(name, error);
  if (failed(target))
    return at->emitError() << error;
  return target;
}

LogicalResult mlir::interact::setTarget(ModuleOp module, StringRef name) {
  std::string error;
  if (failed(lookupTarget(name, error)))
    return module->emitError() << error;
  module->setAttr(kTargetAttrName, TargetAttr::get(module->getContext(), name));
  return success();
}

bool mlir::interact::hostCanRun(const Target &target, std::string &why) {
  if (target.kind != TargetKind::CPU) {
    why = "target '" + target.name +
          "' is a GPU: its code does not run on "
          "the CPU";
    return false;
  }
  std::string missing = missingFeatures(target);
  if (!missing.empty()) {
    why = "this machine lacks " + missing + ", which target '" + target.name +
          "' needs";
    return false;
  }
  return true;
}
