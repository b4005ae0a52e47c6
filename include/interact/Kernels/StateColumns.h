//===- StateColumns.h - A recurrent state held by columns -------*- C++ -*-===//
//
// The recurrent kernels hold a state S (p x n) by columns: column j is a
// vector over a tile of p, so the update and the readout are broadcast
// fused multiply-adds with no sum across lanes. These helpers move a state
// between its own layout ([p, n]) and the by-columns one ([n, p]), one
// register-wide piece at a time.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_KERNELS_STATECOLUMNS_H
#define INTERACT_KERNELS_STATECOLUMNS_H

#include "interact/Kernels/KernelConfig.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::interact::kernels {

/// Walks the n x width elements of a state by columns, each column j in
/// pieces of at most one register of `ct` from offset `at`: `body` returns
/// `carried` updated. (A vector as wide as a long p makes LLVM's code
/// generator slow: seconds at p = 512.)
Value forEachColumnPiece(
    ImplicitLocOpBuilder &b, const KernelConfig &config, int64_t n,
    int64_t width, Type ct, Value carried,
    function_ref<Value(ImplicitLocOpBuilder &, Value j, Value at, int64_t piece,
                       Value carried)>
        body);

/// The state S[bi, hi, p0 : p0 + width, :] of `init` (zeros without one)
/// by columns: column j of S as row j of an [n, width] tensor of `ct`.
Value stateColumns(ImplicitLocOpBuilder &b, const KernelConfig &config,
                   Value init, Value bi, Value hi, Value p0, int64_t n,
                   int64_t width, Type ct);

/// Writes a state by columns (`columns`, [n, width]) into `tile` ([width,
/// n], the state's own layout), converted to the tile's element type.
Value writeStateColumns(ImplicitLocOpBuilder &b, const KernelConfig &config,
                        Value columns, Value tile);

} // namespace mlir::interact::kernels

#endif // INTERACT_KERNELS_STATECOLUMNS_H
