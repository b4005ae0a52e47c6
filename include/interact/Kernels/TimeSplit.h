//===- TimeSplit.h - Time split into chunks ---------------------*- C++ -*-===//
//
// The chunked kernels cut the time dimension (dimension 1 of every operand)
// into chunks of Q steps: the length is zero-padded to whole chunks and the
// padded outputs sliced off, and a padded operand is viewed as (chunks, Q).
// Target-neutral: the CPU kernels and the GPU path share it.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_KERNELS_TIMESPLIT_H
#define INTERACT_KERNELS_TIMESPLIT_H

#include "interact/Utils/TensorBuilder.h"

namespace mlir::interact::kernels {

/// Time split into chunks of `chunk` steps: the chunk count and the length
/// padded to whole chunks. A zero log-decay (decay 1) with zero input
/// leaves the state unchanged, so zero padding keeps the final state exact;
/// the padded outputs are sliced off.
struct ChunkedTime {
  OpFoldResult length, numChunks, padded;
  bool needsPadding = false;

  static ChunkedTime get(TensorBuilder &g, OpFoldResult length, int64_t chunk);

  /// Zero-pads dimension 1 (time) of `tensor` to the padded length.
  Value pad(TensorBuilder &g, Value tensor) const;

  /// Drops the padded steps from dimension 1 of `tensor`.
  Value unpad(TensorBuilder &g, Value tensor) const;
};

/// Splits dimension 1 (time, a multiple of `chunk`) of `tensor` into
/// (chunks, chunk).
Value splitTime(TensorBuilder &g, Value tensor, OpFoldResult numChunks,
                int64_t chunk);

} // namespace mlir::interact::kernels

#endif // INTERACT_KERNELS_TIMESPLIT_H
