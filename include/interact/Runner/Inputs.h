//===- Inputs.h - A runner's inputs: .npy files or random -------*- C++ -*-===//
//
// The arrays a function runs on, and the checks that come before anything
// is allocated, compiled or run: shapes that fit the function's types and
// its ops' verifiers, sizes that fit in memory, outputs that can be written.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_RUNNER_INPUTS_H
#define INTERACT_RUNNER_INPUTS_H

#include "interact/Support/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::interact::runner {

/// Sizes of the dynamic dimensions of random inputs.
struct DimSizes {
  int64_t batch = 2;             // b: dimension 0
  int64_t seqLen = 64;           // t: dimension 1
  std::optional<int64_t> keyLen; // s: dimension 1 of attention keys and
                                 // values; default t

  /// Sets one size from "b=N", "t=N" or "s=N" (N >= 0).
  llvm::Error parse(StringRef spec);
};

using Shapes = SmallVector<SmallVector<int64_t>>;

/// Reads one .npy array per argument of `fn` from `paths`, in argument
/// order, and checks each one's dtype and shape against its argument.
llvm::Expected<std::vector<npy::Array>> readInputs(func::FuncOp fn,
                                                   ArrayRef<std::string> paths);

/// The shapes of random inputs to `fn`: static sizes from its types, dynamic
/// ones (dimensions 0 and 1 only) from `sizes`.
llvm::Expected<Shapes> getRandomInputShapes(func::FuncOp fn,
                                            const DimSizes &sizes);

/// Inputs of `shapes` from a generator seeded with `seed`: an interact op's
/// decay operand gets -softplus(N(0,1) - 4) * U(0.5, 3), rank-2 arguments
/// (weights) N(0,1) / sqrt(rows), other floats N(0,1), integers
/// floor(4 U(0.5, 3)). Call checkMemory on `shapes` first.
std::vector<npy::Array> makeRandomInputs(func::FuncOp fn,
                                         ArrayRef<SmallVector<int64_t>> shapes,
                                         uint64_t seed);

/// Verifies the interact ops that `fn`'s arguments feed against the
/// concrete input `shapes`, so that dynamic sizes that disagree between
/// operands are reported (located), not run.
llvm::Error checkShapes(func::FuncOp fn, ArrayRef<SmallVector<int64_t>> shapes);

/// Refuses a run whose inputs of `shapes` and outputs (twice over
/// `withReference`) would not fit in physical memory, or whose sizes in
/// bytes overflow. A dynamic size of a result is estimated as the largest
/// size of that dimension among the inputs.
llvm::Error checkMemory(func::FuncOp fn, ArrayRef<SmallVector<int64_t>> shapes,
                        bool withReference);

/// Checks that each of `paths` can be written ("-" is stdout), leaving a file
/// that exists as it is and removing one it had to create.
llvm::Error checkWritable(ArrayRef<std::string> paths);

} // namespace mlir::interact::runner

#endif // INTERACT_RUNNER_INPUTS_H
