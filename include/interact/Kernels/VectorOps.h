//===- VectorOps.h - Rows and maps of register-wide vectors -----*- C++ -*-===//
//
// The row vocabulary of interact's CPU kernels: vectors read from and
// written to tensors one row at a time, converted between element types one
// register at a time, elementwise maps as vector code on the threads, and
// the few constants and scratch tensors every kernel needs. Widths come from
// a KernelConfig, never from a literal.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_KERNELS_VECTOROPS_H
#define INTERACT_KERNELS_VECTOROPS_H

#include "interact/Kernels/KernelConfig.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpDefinition.h"

#include <optional>

namespace mlir::interact::kernels {

/// The index constant `value`.
Value constantIndex(ImplicitLocOpBuilder &b, int64_t value);

/// A vector of zeros of `type`.
Value zeroVector(ImplicitLocOpBuilder &b, VectorType type);

/// The i64 vector 0, 1, ..., lanes - 1: the lanes' offsets, for masks.
Value laneIndices(ImplicitLocOpBuilder &b, int64_t lanes);

/// Lanes of vectors over a dimension of `size` elements of `ct`: the
/// largest power of two that divides `size`, up to one register.
int64_t lanesFor(const KernelConfig &config, int64_t size, Type ct);

/// Converts a 1-D float vector to `to` (a vector type of the same size) one
/// register-wide piece at a time: converting a whole row of a long p at once
/// (bf16 conversions are integer arithmetic) makes LLVM's instruction
/// selection take tens of seconds.
Value castRow(ImplicitLocOpBuilder &b, const KernelConfig &config, Value row,
              VectorType to);

/// Reads `size` elements of `tensor` along `dim` (default: the last
/// dimension) from `indices` as a vector of `ct` (in bounds by construction).
Value readRow(ImplicitLocOpBuilder &b, const KernelConfig &config, Value tensor,
              ValueRange indices, int64_t size, Type ct,
              std::optional<unsigned> dim = std::nullopt);

/// Writes `row` (cast to the element type of `tensor`) at `indices`.
Value writeRow(ImplicitLocOpBuilder &b, const KernelConfig &config, Value row,
               Value tensor, ValueRange indices);

/// A tensor a task writes and reads as scratch space. (alloc_tensor rather
/// than tensor.empty, which CSE would merge with another of the same type
/// and One-Shot Bufferize then give one buffer.)
Value scratch(ImplicitLocOpBuilder &b, ArrayRef<int64_t> shape, Type ct);

/// One slice an scf.forall task inserts into a shared output, unit strides.
struct ParallelInsert {
  Value slice, into;
  ArrayRef<OpFoldResult> offsets, sizes;
};

/// Ends an scf.forall body: its terminator, inserting each slice.
void insertInParallel(ImplicitLocOpBuilder &b,
                      ArrayRef<ParallelInsert> inserts);

/// A softmax output (a scalar or a vector row) divided by its normalizer
/// `sum`, or 0 where no key was visible (`sum` is 0): a row with no visible
/// key is 0, as in PyTorch (since 2.5) and IREE (docs/Rationale.md,
/// "Numerics").
Value normalize(OpBuilder &b, Location loc, Value row, Value sum);

/// 2^x for a vector `x` of f32 with every lane <= 127 (or -inf), as
/// softmax weights exp2(s - m) need: attention's reference m may lag a
/// row's maximum by up to 8, so x <= 8 there. Split x = n + f with n =
/// round(x), f in [-1/2, 1/2] exactly; 2^f = 1 + f P(f), P a degree-4
/// minimax fit (relative error 9.1e-8; 1.6e-7 evaluated in f32, about the
/// 1.7e-7 of Cephes' degree-5 exp2f); times 2^n added into the exponent
/// bits. Lanes below -125 (and -inf) give about 2^-125 (never a
/// subnormal), a NaN lane NaN. 5 fused multiply-adds a register, against
/// 11 for math.exp's approximation: in attention on AVX2 the exps share the
/// FMA ports with the two matrix products.
Value softmaxExp2(ImplicitLocOpBuilder &b, Value x);

/// Elements one task of vectorMap maps: enough to amortize a task.
inline constexpr int64_t kMapChunk = 4096;

/// Returns `fn` applied to every element of `tensor` (converted to `ct`) as
/// vector code on the parallel threads, in a 1-D tensor of the elements in
/// row-major order (no expand_shape back: MLIR 22's expand-strided-metadata
/// crashes on a group of two dynamic sizes). The tensor is viewed as 1-D,
/// split into chunks of kMapChunk elements, one scf.forall task each, a chunk
/// walked by vectors of `ct` one register wide and its remainder by
/// scalars. `fn` maps a scalar or a vector of `ct`. (A linalg.generic would
/// become a scalar loop nest: one f32 expm1 per element of a diagonal decay
/// is then a large part of a recurrence's time.)
Value vectorMap(ImplicitLocOpBuilder &b, const KernelConfig &config,
                Value tensor, Type ct,
                function_ref<Value(OpBuilder &, Location, Value)> fn);

} // namespace mlir::interact::kernels

#endif // INTERACT_KERNELS_VECTOROPS_H
