//===- Attention.cpp - Flash attention as a GPU kernel --------------------===//
//
// emitAttentionKernel: reads the problem's sizes in the host code and picks
// a kernel. f16 and bf16 attention with mask none or causal and head
// dimensions that are multiples of 16 (up to 128) runs on tensor cores
// (AttentionMMA.cpp); everything else (f32, f64, the semiseparable mask,
// other head dimensions) on the SIMT kernel (AttentionSIMT.cpp). Both are
// flash attention: an online softmax over keys, no t x s buffer.
//
//===----------------------------------------------------------------------===//

#include "AttentionKernels.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::attention;

Value attention::butterfly(ImplicitLocOpBuilder &b, Value x, int64_t lanes,
                           bool add) {
  for (int64_t offset = lanes / 2; offset >= 1; offset /= 2) {
    Value other =
        gpu::ShuffleOp::create(b, x, offset, kLanes, gpu::ShuffleMode::XOR)
            .getShuffleResult();
    x = add ? Value(arith::AddFOp::create(b, x, other))
            : Value(arith::MaximumFOp::create(b, x, other));
  }
  return x;
}

Value attention::normalizer(ImplicitLocOpBuilder &b, Value sum) {
  Type type = sum.getType();
  Value zero = floatConst(b, type, 0.0);
  Value empty = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, sum, zero);
  Value inverse = arith::DivFOp::create(b, floatConst(b, type, 1.0), sum);
  return arith::SelectOp::create(b, empty, zero, inverse);
}

bool attention::supportsMMA(const Problem &problem) {
  if (!isa<Float16Type, BFloat16Type>(problem.element))
    return false;
  switch (problem.buffers.mask) {
  case Mask::None:
  case Mask::Causal:
    break;
  case Mask::Semiseparable:
    return false;
  }
  auto fits = [](int64_t dim) { return dim % 16 == 0 && dim <= 128; };
  return fits(problem.n) && fits(problem.p);
}

LogicalResult
mlir::interact::emitAttentionKernel(OpBuilder &builder, Location loc,
                                    const AttentionBuffers &buffers,
                                    const GPUKernelOptions &options) {
  ImplicitLocOpBuilder b(loc, builder);
  auto qType = cast<MemRefType>(buffers.q.getType());
  auto kType = cast<MemRefType>(buffers.k.getType());
  auto vType = cast<MemRefType>(buffers.v.getType());
  auto yType = cast<MemRefType>(buffers.y.getType());
  Problem problem;
  problem.buffers = buffers;
  problem.element = qType.getElementType();
  problem.compute = problem.element.isF64() ? problem.element : b.getF32Type();
  problem.decayElement =
      buffers.decay ? cast<MemRefType>(buffers.decay.getType()).getElementType()
                    : Type();
  problem.hq = qType.getDimSize(2);
  problem.hk = kType.getDimSize(2);
  problem.hv = vType.getDimSize(2);
  problem.heads = yType.getDimSize(2);
  problem.n = qType.getDimSize(3);
  problem.p = vType.getDimSize(3);
  problem.batch = memref::DimOp::create(b, buffers.q, 0);
  problem.len = memref::DimOp::create(b, buffers.q, 1);
  problem.src = memref::DimOp::create(b, buffers.k, 1);
  if (supportsMMA(problem))
    return emitMMAKernel(b, problem, options);
  return emitSIMTKernel(b, problem, options);
}
