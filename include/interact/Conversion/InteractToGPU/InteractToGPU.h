//===- InteractToGPU.h - interact ops as NVIDIA GPU kernels -----*- C++ -*-===//
//
// The kernel emitters of convert-interact-to-gpu. Each builds, at a
// builder's insertion point in host code, one `gpu.launch` (body inline,
// outlined later by gpu-kernel-outlining) that computes an interact op from
// device buffers into device buffers. The buffers are memrefs with the
// identity layout (dense, C order) of the op's operand and result types;
// sizes that are dynamic are read with memref.dim inside the launch.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_CONVERSION_INTERACTTOGPU_INTERACTTOGPU_H
#define INTERACT_CONVERSION_INTERACTTOGPU_INTERACTTOGPU_H

#include "interact/Dialect/Interact/IR/InteractOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/Support/LLVM.h"

namespace mlir::interact {

/// Tile sizes of the GPU kernels; 0 leaves each to the kernel's choice.
struct GPUKernelOptions {
  /// Rows of `p` per scan thread block.
  int64_t scanPTile = 0;
  /// Time steps a scan block stages in shared memory at once.
  int64_t scanTimeBlock = 0;
  /// Queries per attention thread block.
  int64_t attentionBlockQ = 0;
  /// Keys per step of the attention kernel's loop.
  int64_t attentionBlockK = 0;
};

/// The device buffers of a scan (`interact.scan` or `interact.chunked_scan`:
/// the same function). Inputs: `x : b x t x h x p`, `a : b x t x h`
/// (scalar decay) or `b x t x h x n` (diagonal), `B`, `C : b x t x g x n`,
/// `initState : b x h x p x n` or null. Outputs, written by the kernel:
/// `y : b x t x h x p`, `finalState : b x h x p x n`. Element types as the
/// ops allow (x, B, C, y one type T of f16/bf16/f32/f64; a and the states T
/// or f32).
struct ScanBuffers {
  Value x, a, B, C, initState;
  Value y, finalState;
};

/// Emits the recurrent scan kernel's launch. Fails, with an error at `loc`,
/// only where the kernel cannot be built (none of the ops' valid inputs).
LogicalResult emitScanKernel(OpBuilder &builder, Location loc,
                             const ScanBuffers &buffers,
                             const GPUKernelOptions &options);

/// The device buffers and attributes of an `interact.attention`: `q : b x t
/// x h_q x n`, `k : b x s x h_k x n`, `v : b x s x h_v x p`, `decay : b x t x
/// H` or null (semiseparable mask only), and the output `y : b x t x H x p`.
struct AttentionBuffers {
  Value q, k, v, decay;
  Value y;
  Kernel kernel;
  Mask mask;
  float scale;
};

/// Emits the flash-attention kernel's launch (tensor cores for f16 and
/// bf16). Fails, with an error at `loc`, only where it cannot be built.
LogicalResult emitAttentionKernel(OpBuilder &builder, Location loc,
                                  const AttentionBuffers &buffers,
                                  const GPUKernelOptions &options);

} // namespace mlir::interact

#endif // INTERACT_CONVERSION_INTERACTTOGPU_INTERACTTOGPU_H
