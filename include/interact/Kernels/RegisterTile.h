//===- RegisterTile.h - Register tiles of matrix products -------*- C++ -*-===//
//
// The register-tile vocabulary of interact's CPU kernels: a tile of vector
// accumulators sized to the target's register file, the loops that walk a
// product tile by tile and accumulate one tile, the recurrence's tile of
// state columns, and transposes of one register-square block. Every shape is
// a function of a KernelConfig: on AVX-512 (32 registers of 16 f32) a
// product tile is 16 accumulators, on AVX2 (16 registers of 8 f32) it is 8.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_KERNELS_REGISTERTILE_H
#define INTERACT_KERNELS_REGISTERTILE_H

#include "interact/Kernels/KernelConfig.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpDefinition.h"

namespace mlir::interact::kernels {

/// Reads one element of a matrix operand (row m, reduction index k) as a
/// scalar of the compute type.
using ElementAt = function_ref<Value(ImplicitLocOpBuilder &, Value m, Value k)>;
/// Reads one register of consecutive columns of row k of a matrix operand,
/// from column n, as a vector of the compute type.
using RowAt = function_ref<Value(ImplicitLocOpBuilder &, Value k, Value n)>;
/// Whether the pair (row m, reduction index k) of a product counts, as an
/// i1.
using Visible = function_ref<Value(ImplicitLocOpBuilder &, Value m, Value k)>;

/// The register tile of a matrix product: `rows` x (`vecs` x `lanes`)
/// accumulators, row-major (row r, vector v at r * vecs + v).
struct RegisterTile {
  int64_t rows = 1, vecs = 1, lanes = 1;

  /// The tile for an M x N product in `ct`: rows divide M, vectors of one
  /// register divide N, at most four vectors per row with 32 registers and
  /// two with 16, and at most half the register file of accumulators (4 x 4
  /// x 16 f32 on AVX-512 and 4 x 2 x 8 on AVX2 for a wide N; on Zen 3, 4 x 2
  /// ran 7-10% faster than 2 x 4 in the chunked form).
  static RegisterTile forProduct(const KernelConfig &config, int64_t m,
                                 int64_t n, Type ct);

  /// The tile of attention scores: two registers of keys and as many query
  /// rows as fill half the register file (8 queries x 32 keys of f32 on
  /// AVX-512, 4 x 16 on AVX2). One register of keys a row would need a
  /// broadcast per fused multiply-add: on Zen 3, an 8 x 8 tile ran at about
  /// 60% of the speed of a 4 x 16 one in L1 (broadcast-bound).
  static RegisterTile forScores(const KernelConfig &config, Type ct);

  /// Columns the tile covers.
  int64_t columns() const { return vecs * lanes; }
  /// Vector accumulators the tile holds.
  int64_t accumulators() const { return rows * vecs; }

  /// Accumulators holding zero.
  SmallVector<Value> zeros(ImplicitLocOpBuilder &b, Type ct) const;

  /// Writes the accumulators `acc` into `out` at rows m0.., columns n0..
  Value store(ImplicitLocOpBuilder &b, const KernelConfig &config,
              ArrayRef<Value> acc, Value out, Value m0, Value n0) const;
};

/// Adds sum_{kLower <= k < kUpper} A(m0 + r, k) * B(k, n0 + ...) to the
/// tile `acc`: per k, `vecs` rows of B loaded once and each A element
/// broadcast into `vecs` fused multiply-adds. With `visible`, a pair it
/// rejects leaves its row's sums as they were (a select, not a zero weight:
/// NaN or Inf in a masked-out operand never reaches them).
SmallVector<Value> accumulateTile(ImplicitLocOpBuilder &b,
                                  const RegisterTile &tile, Value m0, Value n0,
                                  OpFoldResult kUpper, ElementAt aAt, RowAt bAt,
                                  ValueRange acc, Visible visible = nullptr,
                                  OpFoldResult kLower = OpFoldResult());

/// The 2-D tile loops of an M x N product in steps of `tile`: `body` gets
/// the tile's first row and column and the values carried, and returns
/// the next ones. `columnsOfRow` bounds the column tiles of a row tile
/// (default: all of N).
SmallVector<Value> forEachTile(
    ImplicitLocOpBuilder &b, const RegisterTile &tile, int64_t m, int64_t n,
    ValueRange init,
    function_ref<SmallVector<Value>(ImplicitLocOpBuilder &, Value, Value,
                                    ValueRange)>
        body,
    function_ref<OpFoldResult(ImplicitLocOpBuilder &, Value)> columnsOfRow =
        nullptr);

/// The side of the square blocks transposeBlock is given: one register of
/// `ct` (16 x 16 f32 on AVX-512, 8 x 8 on AVX2: the blocks the targets'
/// shuffle sequences transpose, see interact-lower-transposes).
int64_t transposeBlockSize(const KernelConfig &config, Type ct);

/// Transposes a block of `rows` x `columns` in registers: `rowAt(j)` reads
/// row j (a vector of `columns`); returns the block's columns (vectors of
/// `rows`). One vector.transpose, which the target's shuffles lower when the
/// block is transposeBlockSize square.
SmallVector<Value> transposeBlock(ImplicitLocOpBuilder &b, int64_t rows,
                                  int64_t columns, Type ct,
                                  function_ref<Value(int64_t)> rowAt);

/// The register tile of the by-columns recurrence (StateColumns.h): a task
/// owns `lanes` rows of the state (of the head dimension p) and carries
/// `columns` of its n columns through a block of time steps in registers,
/// summing the readout y = S C in `partials` independent partial sums so
/// that consecutive fused multiply-adds do not wait on each other.
struct RecurrenceTile {
  int64_t lanes = 1, columns = 1, partials = 1;

  /// AVX-512: one register of p, columns the largest divisor of n up to 16
  /// (half the register file), four partial sums. AVX2 (16 registers): two
  /// registers of p where p allows, so that each broadcast element of B
  /// and C feeds two fused multiply-adds (one a column was
  /// broadcast-bound on Zen 3: 1.2x at n = 64, 1.1x at n = 128), up to 4
  /// columns and one partial sum; else one register, 8 columns, two sums.
  static RecurrenceTile get(const KernelConfig &config, int64_t p, int64_t n,
                            Type ct);
};

} // namespace mlir::interact::kernels

#endif // INTERACT_KERNELS_REGISTERTILE_H
