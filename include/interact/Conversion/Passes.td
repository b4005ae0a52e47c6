//===- Passes.td - interact conversion passes --------------*- tablegen -*-===//

#ifndef INTERACT_CONVERSION_PASSES_TD
#define INTERACT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertInteractToLinalgPass : Pass<"convert-interact-to-linalg"> {
  let summary = "Lower interact ops to linalg, tensor and scf";
  let description = [{
    Replaces every interact op by tensor-level IR (`linalg.generic`,
    `tensor` slicing, `scf.for` over time or chunks) that the upstream
    bufferization and LLVM lowering take from there:

    * `interact.scan`: the sequential recurrence over time, the `p x n` state
      carried by `scf.for`, decays exponentiated once per step;
    * `interact.chunked_scan`: Mamba-2's four-step SSD algorithm. Time is
      zero-padded to a multiple of the chunk size (a zero log-decay and zero
      input leave the state unchanged, so the final state is exact), decays
      are cumulated only inside a chunk, and the chunk states pass through an
      `scf.for` over chunks;
    * `interact.attention`: scores, mask, kernel and the weighted sum of
      values as `linalg.generic`s; the semiseparable mask's cumulative decays
      are summed in f64, so `exp(cs_i - cs_j)` does not lose the short
      differences of long sums to cancellation.

    f16 and bf16 inputs are computed in f32 and f64 inputs in f64; results
    are rounded to their declared element types at the end.

    With `reference=true`, every op is lowered by its plain definition in
    f64 instead: scans and chunked scans as the sequential recurrence,
    attention as the direct sum. `interact-run --check` compares against it.

    ```mlir
    // interact-opt --convert-interact-to-linalg
    %y, %s = interact.scan %x, %a, %B, %C : ...
    // becomes
    %r:2 = scf.for %i = %c0 to %t step %c1 iter_args(%S = %S0, %Y = %Y0) ... {
      %S1 = linalg.generic ... // S * exp(a_i) + x_i B_i^T
      %y1 = linalg.generic ... // S C_i
      ...
    }
    ```
  }];
  let dependentDialects = [
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

#endif // INTERACT_CONVERSION_PASSES_TD
