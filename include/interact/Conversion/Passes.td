//===- Passes.td - interact conversion passes --------------*- tablegen -*-===//

#ifndef INTERACT_CONVERSION_PASSES_TD
#define INTERACT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertInteractToLinalgPass : Pass<"convert-interact-to-linalg"> {
  let summary = "Lower interact ops to linalg, tensor and scf";
  let description = [{
    Replaces every interact op by tensor-level IR that the upstream
    bufferization and LLVM lowering take from there:

    * `interact.scan`: vector code holding the state by columns (vectors
      over a tile of `p`), so the update and the readout are broadcast
      fused multiply-adds with no sum across lanes. An `scf.forall` over
      (batch, head, tile of `p`); each task walks time in blocks of 64
      steps, gathering the block's `x` rows into a buffer, then carrying
      each tile of up to 16 state columns through the block as `vector`
      loop values (registers) and summing `y` in a block buffer. The
      decays are exponentiated once, before the time loops;
    * `interact.chunked_scan`: Mamba-2's SSD algorithm. Time is zero-padded
      to a multiple of the chunk size (a zero log-decay and zero input
      leave the state unchanged, so the final state is exact) and decays
      are cumulated only inside a chunk. With a scalar decay its products
      are register-tiled vector code in three `scf.forall` phases: chunk
      states per (batch, chunk, head), the recurrence between chunks per
      (batch, head), and `y = exp(cs) C S + (L o C B^T) x` per (batch,
      chunk, head), skipping the tiles above the causal diagonal. With a
      diagonal decay the steps are `linalg.generic`s;
    * `interact.attention` with no mask or the causal one: tiled vector
      code with an online softmax (flash-attention style). `K` is
      transposed once; an `scf.forall` over (batch, head, block of 8
      queries) walks blocks of 32 keys, each an 8 x 32 register tile of
      scores, rescales the running output and adds `P V` (register-tiled),
      so that no `t x s` matrix exists;
    * `interact.attention` with the semiseparable mask: an `scf.forall` over
      (batch, head, query) walking each query's keys once with a running
      output vector (and maximum and normalizer for softmax), the mask's
      log-decays summed directly along the walk.

    f16 and bf16 inputs are computed in f32 and f64 inputs in f64; results
    are rounded to their declared element types at the end.

    With `reference=true`, every op is lowered by its plain definition in
    f64 instead: scans and chunked scans as the sequential recurrence
    (`linalg.generic`s in an `scf.for` over time), attention as the direct
    sum with its scores materialized. `interact-run --check` compares against
    it.

    ```mlir
    // interact-opt --convert-interact-to-linalg
    %y, %s = interact.scan %x, %a, %B, %C : ...
    // becomes
    %r:2 = scf.forall (%b, %h, %tile) in (%B, 8, 4) shared_outs(...) {
      %blocks:4 = scf.for %blk = %c0 to %nblocks step %c1 iter_args(...) {
        // x rows of the block -> buffer; per tile of 16 state columns:
        %cols:17 = scf.for %i = %c0 to %steps step %c1
            iter_args(%yb = ..., %s0 = ..., ...) -> (tensor<64x16xf32>,
                                                    vector<16xf32>, ...) {
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
