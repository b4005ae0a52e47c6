//===- Report.h - Compare outputs and print them ----------------*- C++ -*-===//
//
// How a runner judges an output against the float64 reference lowering's
// on the same inputs, and how it prints outputs and verdicts.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_RUNNER_REPORT_H
#define INTERACT_RUNNER_REPORT_H

#include "interact/Support/Npy.h"

#include "mlir/IR/Types.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::interact::runner {

/// Relative tolerance of an output of `dtype` against the reference: 1e-9
/// for f64, 1e-4 for f32, 1e-2 for f16, 3e-2 for bf16, 0 for integers.
double getTolerance(npy::DType dtype);

/// How one output compares with its reference.
struct Comparison {
  bool ok = false;
  /// The shapes differ; nothing else is compared.
  bool shapesDiffer = false;
  /// The largest relative error, NaN where an element is NaN.
  double worst = 0;
  double tolerance = 0;
  /// The worst element (the first NaN, if any), in C order; -1 if none.
  int64_t worstAt = -1;
  /// Elements where either side is NaN.
  int64_t numNaN = 0;
};

/// Compares `got` with its reference `ref`: element i passes when
/// |got - ref| <= tol * (|ref| + rms(ref)). The rms term keeps elements that
/// cancel to near zero from demanding a relative accuracy no float has.
/// Values are compared in the output dtype's terms: where either is
/// infinite, an overflow (infinity or the largest finite value) of the same
/// sign on the other side is a match, as values that round to either side of
/// the dtype's overflow threshold agree to the dtype (the reference rounds
/// 65520.3 to inf in f16, the realization 65519.7 to 65504). A NaN never
/// matches, not even a NaN reference.
Comparison compare(const npy::Array &got, const npy::Array &ref);

/// Prints "check: output INDEX: ..." with the verdict of `comparison` and,
/// on failure, the worst element of `got` and `ref`.
void printComparison(llvm::raw_ostream &os, unsigned index,
                     const Comparison &comparison, const npy::Array &got,
                     const npy::Array &ref);

/// Prints "output INDEX: TYPE min .. max .. mean .. [first values]".
void printSummary(llvm::raw_ostream &os, unsigned index,
                  const npy::Array &array, Type elementType);

} // namespace mlir::interact::runner

#endif // INTERACT_RUNNER_REPORT_H
