//===- Target.h - What interact knows about the machine it compiles for -===//
//
// One description of a compilation target, read by every layer that depends
// on the machine: form selection (cost constants, fast kernels), the CPU
// kernels (vector width, register budget), the pipelines (transposes, LLVM
// CPU and features) and the tools (`--target=NAME`).
//
// Known targets are data: one JSON row per target under lib/Target/targets/,
// embedded into the library at build time (bench/calibrate.py --target NAME
// rewrites a row's cost model). `host` is detected: the newest x86-64 level
// the running machine executes, with the host's own LLVM CPU name.
//
// A module carries its target as the discardable attribute
// `interact.target = #interact.target<"x86-64-v3">`; passes read it with
// `getTarget`, and modules without one compile for `host`.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_TARGET_TARGET_H
#define INTERACT_TARGET_TARGET_H

#include "interact/Dialect/Interact/IR/InteractInterfaces.h"

#include "mlir/IR/Types.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class Operation;
class ModuleOp;
} // namespace mlir

namespace mlir::interact {

/// Name of the module attribute that carries the target.
inline constexpr llvm::StringLiteral kTargetAttrName = "interact.target";

/// Where a target's code runs.
enum class TargetKind { CPU, GPU };

/// Measured cost constants of one form: time = call + FLOPs / throughput
/// + steps * step (see SelectForm.cpp).
struct FormCost {
  double callMicros = 0; // fixed cost of one call, microseconds
  double gflops = 0;     // sustained GFLOP/s on the form's FLOP count
  double stepMicros = 0; // one sequential step, microseconds
};

/// The cost model measured at one state size n (the kernels' speed depends
/// on n through their tile shapes).
struct StateSizeCost {
  int64_t stateDim = 0;
  FormCost recurrent, chunked, attention;
  const FormCost &of(Form form) const;
};

/// One (form, decay kind, element type) combination that has a fast kernel
/// on the target. Combinations not listed still compile and run, by loop
/// nests two orders of magnitude slower, and form selection never picks
/// them while a fast alternative exists.
struct FastKernel {
  Form form;
  DecayKind decay;
  std::string elementType; // "f32", "f16", "bf16", "f64"
};

/// A compilation target.
struct Target {
  std::string name;        // table key, "x86-64-v3"; "host" when detected
  std::string description; // one line for docs and --help
  TargetKind kind = TargetKind::CPU;
  std::string llvmCPU;           // LLVM target-cpu, "x86-64-v3" or "sm_90"
  std::string llvmFeatures;      // LLVM target-features, "-avx512f"
  std::string tuneCPU;           // LLVM tune-cpu; empty: tune for llvmCPU
  std::string preferVectorWidth; // LLVM prefer-vector-width; empty: default
  SmallVector<std::string> hostFeatures; // what a machine needs to run it
  int64_t vectorBits = 0;                // native vector register width in bits
  int64_t vectorRegisters = 0;           // architectural vector registers
  int64_t threads = 0;                   // 0: every core of the running machine
  SmallVector<FastKernel> fastKernels;
  // The cost model; empty where the target has not been calibrated.
  std::string calibration; // where and when the costs were measured
  double bandwidthGBs = 0;
  SmallVector<StateSizeCost> costs;

  /// Lanes of one native vector register of `elementType` (f32: 8 on AVX2,
  /// 16 on AVX-512).
  int64_t lanes(Type elementType) const;
  /// The calibrated cost model nearest to `stateDim` (in ratio), or null if
  /// the target has none.
  const StateSizeCost *costFor(int64_t stateDim) const;
  /// Whether `form` with `decay` on `elementType` has a fast kernel.
  bool hasFastKernel(Form form, DecayKind decay, Type elementType) const;
};

/// Names of the known targets, `host` first.
SmallVector<std::string> knownTargetNames();

/// The known target called `name` (`host` is detected). Fails with a
/// message that lists the known names.
FailureOr<Target> lookupTarget(StringRef name, std::string &error);

/// The target of the module enclosing `op` (its `interact.target`
/// attribute), or `host` when it has none. Emits a located error and fails
/// if the attribute names no known target or the host cannot run
/// interact's CPU code.
FailureOr<Target> getTarget(Operation *op);

/// Sets `module`'s target attribute to `name`, after checking it is known;
/// emits a located error and fails otherwise.
LogicalResult setTarget(ModuleOp module, StringRef name);

/// Whether the running machine can execute code compiled for `target`
/// (a CPU target whose features the host has); `why` says what it lacks.
bool hostCanRun(const Target &target, std::string &why);

} // namespace mlir::interact

#endif // INTERACT_TARGET_TARGET_H
