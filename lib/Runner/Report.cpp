//===- Report.cpp - Compare outputs and print them ------------------------===//

#include "interact/Runner/Report.h"

#include "interact/Runner/Function.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::runner;

double runner::getTolerance(npy::DType dtype) {
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
static double getLargestFinite(npy::DType dtype) {
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

Comparison runner::compare(const npy::Array &got, const npy::Array &ref) {
  Comparison result;
  result.tolerance = getTolerance(got.dtype);
  if (got.shape != ref.shape) {
    result.shapesDiffer = true;
    return result;
  }
  int64_t n = ref.getNumElements();
  double squares = 0;
  for (int64_t k = 0; k < n; ++k)
    if (std::isfinite(ref.getAsDouble(k)))
      squares += ref.getAsDouble(k) * ref.getAsDouble(k);
  double rms = n ? std::sqrt(squares / n) : 0;
  double largest = getLargestFinite(got.dtype);
  auto overflowed = [&](double v) { return std::abs(v) >= largest; };
  for (int64_t k = 0; k < n; ++k) {
    double g = got.getAsDouble(k), r = ref.getAsDouble(k);
    double ratio;
    // A realization that produces a NaN is broken, and a reference that
    // does says the inputs are out of the op's range.
    if (std::isnan(g) || std::isnan(r)) {
      ratio = NAN;
      ++result.numNaN;
    } else if (std::isinf(g) || std::isinf(r)) {
      ratio =
          overflowed(g) && overflowed(r) && std::signbit(g) == std::signbit(r)
              ? 0
              : INFINITY;
    } else {
      ratio = std::abs(g - r) / (std::abs(r) + rms + 1e-300);
    }
    // The first NaN is the worst element; else the largest ratio.
    if (result.worstAt < 0 ||
        (!std::isnan(result.worst) && !(ratio <= result.worst))) {
      result.worst = ratio;
      result.worstAt = k;
    }
  }
  result.ok = result.worst <= result.tolerance;
  return result;
}

/// A value as the check prints it: "nan" whatever its sign bit.
static std::string formatValue(double value) {
  if (std::isnan(value))
    return "nan";
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.9g", value);
  return text;
}

void runner::printComparison(llvm::raw_ostream &os, unsigned index,
                             const Comparison &c, const npy::Array &got,
                             const npy::Array &ref) {
  os << "check: output " << index << ": ";
  if (c.shapesDiffer) {
    os << "FAILED: shape " << shapeToString(got.shape) << ", reference "
       << shapeToString(ref.shape) << "\n";
    return;
  }
  os << "max relative error ";
  if (std::isnan(c.worst))
    os << "nan";
  else
    os << llvm::format("%.3g", c.worst);
  os << " (tolerance " << llvm::format("%.0e", c.tolerance)
     << "): " << (c.ok ? "ok" : "FAILED");
  if (!c.ok && c.worstAt >= 0) {
    SmallVector<int64_t> position(ref.shape.size());
    int64_t rest = c.worstAt;
    for (int64_t d = ref.shape.size() - 1; d >= 0; --d) {
      position[d] = rest % ref.shape[d];
      rest /= ref.shape[d];
    }
    os << " at ["
       << llvm::join(llvm::map_range(
                         position, [](int64_t v) { return std::to_string(v); }),
                     ", ")
       << "]: got " << formatValue(got.getAsDouble(c.worstAt)) << ", reference "
       << formatValue(ref.getAsDouble(c.worstAt));
    if (c.numNaN)
      os << " (a NaN never matches, not even a NaN reference; " << c.numNaN
         << " of " << ref.getNumElements() << " elements have one)";
  }
  os << "\n";
}

void runner::printSummary(llvm::raw_ostream &os, unsigned index,
                          const npy::Array &array, Type elementType) {
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
  os << "output " << index << ": "
     << RankedTensorType::get(array.shape, elementType);
  if (n > nonFinite)
    os << llvm::format(" min %.6g max %.6g mean %.6g", lo, hi,
                       sum / (n - nonFinite));
  if (nonFinite)
    os << " (" << nonFinite << " non-finite)";
  os << " [";
  for (int64_t k = 0; k < std::min<int64_t>(n, 6); ++k)
    os << (k ? ", " : "") << llvm::format("%.6g", array.getAsDouble(k));
  os << (n > 6 ? ", ..." : "") << "]\n";
}
