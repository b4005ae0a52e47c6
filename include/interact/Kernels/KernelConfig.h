//===- KernelConfig.h - What a CPU kernel knows of its target ---*- C++ -*-===//
//
// The two facts of a target that shape register-tiled CPU kernels: how wide
// a vector register is and how many there are. Every tile, vector width and
// piece size in the kernel library is a function of these two numbers, so
// the same builders serve AVX2 (256 bits, 16 registers) and AVX-512
// (512 bits, 32 registers). A KernelConfig comes from the module's target
// (interact/Target/Target.h) or, in unit tests, is written out.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_KERNELS_KERNELCONFIG_H
#define INTERACT_KERNELS_KERNELCONFIG_H

#include "interact/Target/Target.h"

#include "mlir/IR/Types.h"

#include <algorithm>
#include <cstdint>

namespace mlir::interact::kernels {

/// The register file a CPU kernel is built for.
struct KernelConfig {
  int64_t vectorBits = 0; // width of one vector register
  int64_t registers = 0;  // architectural vector registers

  /// The configuration of a CPU target.
  static KernelConfig get(const Target &target) {
    return {target.vectorBits, target.vectorRegisters};
  }

  /// Lanes of one register of elements `bitWidth` bits wide (at least 1).
  int64_t lanes(int64_t bitWidth) const {
    return std::max<int64_t>(1, vectorBits / bitWidth);
  }
  /// Lanes of one register of `element` (f32: 8 at 256 bits, 16 at 512).
  int64_t lanes(Type element) const {
    return lanes(element.getIntOrFloatBitWidth());
  }

  /// Registers a kernel keeps accumulators (or carried state) in: half the
  /// register file, leaving the other half for operands, broadcasts and
  /// temporaries (16 of AVX-512's 32, 8 of AVX2's 16).
  int64_t accumulatorRegisters() const {
    return std::max<int64_t>(1, registers / 2);
  }
};

} // namespace mlir::interact::kernels

#endif // INTERACT_KERNELS_KERNELCONFIG_H
