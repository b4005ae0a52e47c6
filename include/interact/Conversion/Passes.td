//===- Passes.td - interact conversion passes --------------*- tablegen -*-===//

#ifndef INTERACT_CONVERSION_PASSES_TD
#define INTERACT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertInteractToLinalgPass : Pass<"convert-interact-to-linalg"> {
  let summary = "Lower interact ops to linalg, tensor and scf";
  let description = [{
    Replaces every interact op by tensor-level IR that the upstream
    bufferization and LLVM lowering take from there:

    The CPU kernels take their vector width and register budget from the
    module's target (`interact.target`, default `host`; see
    docs/Targets.md): vectors are one register wide (8 f32 lanes on
    `x86-64-v3`, 16 on `x86-64-v4`) and register tiles hold at most half the
    register file in accumulators (8 of AVX2's 16, 16 of AVX-512's 32).

    * `interact.scan`: vector code holding the state by columns (vectors
      over a tile of `p`), so the update and the readout are broadcast
      fused multiply-adds with no sum across lanes. An `scf.forall` over
      (batch, head, tile of `p`); each task walks time in blocks of 64
      steps, gathering the block's `x` rows into a buffer, then carrying
      each tile of state columns (up to 16 on AVX-512, 8 on AVX2) through
      the block as `vector` loop values (registers) and summing `y` in a
      block buffer. The decays are exponentiated once, before the time
      loops;
    * `interact.chunked_scan`: Mamba-2's SSD algorithm. Time is zero-padded
      to a multiple of the chunk size (a zero log-decay and zero input
      leave the state unchanged, so the final state is exact) and decays
      are cumulated only inside a chunk. With a scalar decay its products
      are register-tiled vector code in three `scf.forall` phases: chunk
      states per (batch, chunk, head), the recurrence between chunks per
      (batch, head), and `y = exp(cs) C S + (L o C B^T) x` per (batch,
      chunk, head), skipping the tiles above the causal diagonal. With a
      diagonal decay the steps are `linalg.generic`s;
    * `interact.attention` with a mask without a decay (`none`, `causal`):
      tiled vector code with an online softmax (flash-attention style).
      `K` is transposed once; an `scf.forall` over (batch, head, block of
      queries) walks blocks of keys: on AVX-512 each block is one register
      tile of scores (8 queries x 32 keys of f32); on AVX2 a block is 32
      keys in four 8 x 8 tiles, with K^T stored in blocks of 8 keys, V and
      the task's scaled Q rows packed once, and mask selects only in blocks
      that cross the diagonal or the end. Per block it rescales the running
      output once and adds `P V` (register-tiled), so that no `t x s`
      matrix exists;
    * `interact.attention` with a decayed mask (`semiseparable`): an
      `scf.forall` over (batch, head, query) walking each query's keys once
      with a running output vector (and maximum and normalizer for
      softmax), the mask's log-decays summed directly along the walk.

    Register transposes are left as `vector.transpose` of one register
    square for `interact-lower-transposes`. A GPU target is an error here
    (its lowering is the reference).

    f16 and bf16 inputs are computed in f32 and f64 inputs in f64; results
    are rounded to their declared element types at the end.

    With `reference=true`, every op is lowered by its plain definition in
    f64 instead: scans and chunked scans as the sequential recurrence
    (`linalg.generic`s in an `scf.for` over time), attention as the direct
    sum with its scores materialized. `interact-run --check` compares against
    it.

    ```mlir
    // interact-opt --interact-set-target=name=x86-64-v4 --convert-interact-to-linalg
    %y, %s = interact.scan %x, %a, %B, %C : ...
    // becomes (p = 64: four tasks of 16 lanes per head)
    %r:2 = scf.forall (%b, %h, %tile) in (%B, 8, 4) shared_outs(...) {
      %blocks:4 = scf.for %blk = %c0 to %nblocks step %c1 iter_args(...) {
        // x rows of the block -> buffer; per tile of 16 state columns:
        %cols:19 = scf.for %i = %c0 to %steps step %c1
            iter_args(%yb = ..., %w = ..., %a = ..., %s0 = ..., ...)
            -> (tensor<64x16xf32>, f32, f32, vector<16xf32>, ...) {
          // s_j = fma(x_i, bcast(B_ij), bcast(exp a_i) * s_j)
          // y_i += bcast(C_ij) * s_j
        }
      }
      ...
    }
    ```
  }];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
  let options = [
    Option<"reference", "reference", "bool", /*default=*/"false",
           "Lower every op by its plain definition in float64">,
  ];
}

def ConvertInteractToGPUPass : Pass<"convert-interact-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Lower interact ops to NVIDIA GPU kernels (gpu.launch)";
  let description = [{
    Replaces every interact op of a module whose target is a GPU
    (`sm_80`, `sm_90`) by host code that launches a kernel on device
    buffers: each operand becomes a `bufferization.to_buffer`, each result a
    `memref.alloc` the kernel fills (made device memory by
    `interact-gpu-device-buffers` after bufferization) and a
    `bufferization.to_tensor` of it. The kernels are `gpu.launch` ops with
    their bodies inline; `gpu-kernel-outlining` in the NVVM stage makes
    them `gpu.func`s.

    * `interact.scan` and `interact.chunked_scan` (the same function): the
      recurrent scan. One thread block per (batch, head, tile of `p`); the
      tile's `p x n` state lives in registers across the time loop (each
      warp holds rows of it, each lane columns), `x`, the decays, `B` and
      `C` of a block of time steps are staged in shared memory, and the
      readout `y = S C` is reduced over `n` with warp shuffles. Scalar and
      diagonal decays, groups, an initial state and the final state.
    * `interact.attention`: flash attention (online softmax, no `t x s`
      buffer) for the softmax and identity kernels and every mask, grouped
      heads. f16 and bf16 inputs use tensor cores (`mma.sync` m16n8k16,
      f32 accumulation); f32 and f64 inputs a SIMT kernel.

    A CPU target is an error here (its kernels are
    `convert-interact-to-linalg`'s).

    ```mlir
    // interact-opt --interact-set-target=name=sm_90 --convert-interact-to-gpu
    %y, %s = interact.scan %x, %a, %B, %C : ...
    // becomes
    %xb = bufferization.to_buffer %x : ...
    %yb = memref.alloc(%b, %t) : memref<?x?x8x64xf32>
    gpu.launch blocks(%bx, %by, %bz) in (...) threads(...) in (...)
        workgroup(%xs : memref<...xf32, #gpu.address_space<workgroup>>) { ... }
    %y = bufferization.to_tensor %yb restrict writable : ...
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
  let options = [
    Option<"scanPTile", "scan-p-tile", "int64_t", /*default=*/"0",
           "Rows of p per scan thread block (0: the kernel's choice)">,
    Option<"scanTimeBlock", "scan-time-block", "int64_t", /*default=*/"0",
           "Time steps staged in shared memory at once (0: the kernel's "
           "choice)">,
    Option<"attentionBlockQ", "attention-block-q", "int64_t", /*default=*/"0",
           "Queries per attention thread block (0: the kernel's choice)">,
    Option<"attentionBlockK", "attention-block-k", "int64_t", /*default=*/"0",
           "Keys per step of the attention kernel's loop (0: the kernel's "
           "choice)">,
  ];
}

def GpuParallelLoopsPass : Pass<"interact-gpu-parallel-loops",
                                 "::mlir::ModuleOp"> {
  let summary = "Run the host's parallel loops as GPU kernels, one thread a point";
  let description = [{
    In a module compiled for a GPU, the upstream ops around interact ops
    (elementwise maps, broadcasts, reductions over an inner dimension,
    `linalg.matmul`) reach this pass as `scf.parallel` loops on device
    buffers (`convert-linalg-to-parallel-loops`). Each outermost
    `scf.parallel` in host code, without reductions of its own, becomes a
    `gpu.launch` of one thread per point of its iteration space: the space
    is linearized (the last dimension fastest, so neighbouring threads touch
    neighbouring elements), cut into blocks of `threads-per-block`, and each
    thread delinearizes its index, checks it is inside, and runs the loop's
    body. Loops inside the body (a reduction's `scf.for`) stay sequential in
    the thread. Upstream's `gpu-map-parallel-loops` maps a loop's
    dimensions to the grid's three, one thread a block unless the loop is
    tiled first, and makes every dimension beyond the third sequential.

    ```mlir
    // interact-opt --interact-gpu-parallel-loops
    scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c8) step (%c1, %c1) { ... }
    // becomes
    gpu.launch blocks(...) in (%gx = %blocks, ...) threads(...) in (%tx = %c256, ...) {
      // %id = block * 256 + thread; if %id < %n * 8: %i = %id / 8, %j = %id % 8
    }
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::scf::SCFDialect",
  ];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t",
           /*default=*/"256", "Threads of each block">,
  ];
}

def GpuDeviceBuffersPass : Pass<"interact-gpu-device-buffers",
                                "::mlir::ModuleOp"> {
  let summary = "Make every host-side buffer of a GPU module device memory";
  let description = [{
    After bufferization, in a module compiled for a GPU every buffer the
    host code holds is device memory: function arguments and results are
    device pointers, and kernels fill the buffers. This pass rewrites the
    host code's `memref.alloc` (and `alloca`) into `gpu.alloc`,
    `memref.dealloc` into `gpu.dealloc` and `memref.copy` into
    `gpu.memcpy`, so that `gpu-async-region` and `gpu-to-llvm` make them
    stream-ordered runtime calls. Host code that would read or write a
    buffer's elements (`memref.load`, `memref.store`, a constant
    `memref.get_global`, an op left on memrefs outside a kernel) is a
    located error: it would dereference device memory on the host.

    ```mlir
    // interact-opt --interact-gpu-device-buffers
    %m = memref.alloc(%b) : memref<?x8xf32>
    // becomes
    %m = gpu.alloc (%b) : memref<?x8xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def LowerTransposesPass : Pass<"interact-lower-transposes"> {
  let summary = "Lower register transposes by the target's shuffle sequences";
  let description = [{
    The CPU kernels of `convert-interact-to-linalg` transpose blocks of one
    register square in registers (the chunked form's `B^T`, attention's
    `K^T`): `vector.transpose` of 16 x 16 f32 on a 512-bit target, 8 x 8 on
    a 256-bit one. This pass lowers them by the sequence the module's
    target (`interact.target`) executes well: on AVX-512 upstream's 16 x 16
    shuffles, on AVX2 the classic 24-shuffle sequence of an 8 x 8 f32 block
    (`vunpcklps`/`vunpckhps`, `vshufps`, `vperm2f128`; no inline assembly,
    so a JIT needs no assembly parser). Other transposes are left to
    `convert-vector-to-llvm`, and GPU targets are left alone.

    Run it directly after `convert-interact-to-linalg`, before any
    canonicalization: the canonicalizer folds a transpose of rows inserted
    into a vector into `vector.from_elements` of scalars, which LLVM then
    builds element by element.

    ```mlir
    // interact-opt --interact-set-target=name=x86-64-v3 --interact-lower-transposes
    %t = vector.transpose %block, [1, 0] : vector<8x8xf32> to vector<8x8xf32>
    // becomes 24 vector.shuffle ops on its vector<8xf32> rows
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def GpuSubgroupReduceToShufflesPass
    : Pass<"interact-gpu-subgroup-reduce-to-shuffles", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Lower gpu.subgroup_reduce to warp shuffles";
  let description = [{
    A GPU kernel's reductions across a warp (the scan's readout over the
    state dimension, attention's row maxima and sums) are
    `gpu.subgroup_reduce` ops. MLIR 22's `convert-gpu-to-nvvm` does not lower
    them on f32 (only a test pass does), so this pass rewrites them, in
    every `gpu.module`, into a butterfly of `gpu.shuffle xor` ops over a
    warp of 32 lanes, 32 bits a shuffle (upstream's
    `populateGpuLowerSubgroupReduceToShufflePatterns`, clustered reductions
    included). `interact-gpu-pipeline` runs it before `convert-gpu-to-nvvm`.

    ```mlir
    // interact-opt --pass-pipeline='builtin.module(gpu.module(interact-gpu-subgroup-reduce-to-shuffles))'
    %sum = gpu.subgroup_reduce add %partial : (f32) -> f32
    // becomes five gpu.shuffle xor (offsets 1, 2, 4, 8, 16) and adds
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
  ];
}

def ApproximateExpPass : Pass<"interact-approximate-exp"> {
  let summary = "Replace f32 math.exp and math.expm1 by inline polynomial approximations";
  let description = [{
    Rewrites every `math.exp` and `math.expm1` on `f32` (scalars and
    vectors), and the `math.log` that the `expm1` expansion uses, into MLIR's
    polynomial approximation: range reduction to `[-ln 2 / 2, ln 2 / 2]`, a
    polynomial, and the exponent set through integer bit arithmetic. It
    needs only `arith` ops, so a vector `exp` stays a vector computation
    instead of becoming one `expf` library call per lane, and a scalar one
    inside a hot loop no longer spills every vector register around a call.
    The approximation is accurate to a few ulp over the f32 range (it
    saturates to 0 and +inf like `expf`); the differential suite checks
    every lowered form against the f64 reference with it. `expm1` is
    Kahan's `(u - 1) x / log(u)` with `u = exp(x)`, which keeps the full
    relative precision of a small `|x|` (the recurrences apply decays as
    `S + expm1(a) S`, see docs/Rationale.md). f64 `exp` (the reference
    lowering) is left alone. Other `math.log` ops are approximated as well
    (to a few ulp).

    ```mlir
    // interact-opt --interact-approximate-exp
    %e = math.exp %v : vector<16xf32>
    // becomes arith.mulf / math.fma / arith.bitcast ... on vector<16xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def LLVMTargetAttrsPass : Pass<"interact-llvm-target-attrs",
                                "::mlir::ModuleOp"> {
  let summary = "Stamp the module's target CPU and features on every llvm.func";
  let description = [{
    Sets `target_cpu`, `tune_cpu`, `target_features` and
    `prefer_vector_width` of every `llvm.func` from the module's target
    (`interact.target`, docs/Targets.md). LLVM's code generator reads them
    per function, so the code uses exactly the target's instruction set
    whatever machine compiles it: `x86-64-v3` code built on an AVX-512 host
    has no AVX-512 instruction (its features say `-avx512f`), and
    `x86-64-v4` code keeps 512-bit registers (`prefer-vector-width=512`).
    The JIT of `interact-run` and ahead-of-time compilation both honour
    them. A GPU target is an error here: its functions are device code.

    ```mlir
    // interact-opt --interact-llvm-target-attrs
    module attributes {interact.target = #interact.target<"x86-64-v3">} {
      llvm.func @layer(...)
    }
    // becomes
      llvm.func @layer(...) attributes {prefer_vector_width = "256",
          target_cpu = "x86-64-v3",
          target_features = #llvm.target_features<["-avx512f"]>}
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // INTERACT_CONVERSION_PASSES_TD
