//===- Passes.td - interact dialect transformation passes --*- tablegen -*-===//

#ifndef INTERACT_DIALECT_INTERACT_TRANSFORMS_PASSES_TD
#define INTERACT_DIALECT_INTERACT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def PrintStructurePass : Pass<"interact-print-structure"> {
  let summary = "Report each interact op's structure and cost as remarks";
  let description = [{
    Emits one remark per op that implements `InteractOpInterface`, stating
    what the interface answers: the form (recurrent, attention, chunked),
    causality, the decay kind, the recurrent state size (or that there is no
    finite-state recurrence), the problem sizes, and the FLOP and byte cost
    at those sizes. Dynamic batch and lengths take the `batch` and `seq-len`
    hints. The IR is not changed.

    ```mlir
    // interact-opt --interact-print-structure ssd.mlir
    %y, %s = interact.scan %x, %a, %B, %C
        : tensor<2x64x8x64xf32>, tensor<2x64x8xf32>, tensor<2x64x1x64xf32>,
          tensor<2x64x1x64xf32> -> tensor<2x64x8x64xf32>, tensor<2x8x64x64xf32>
    // remark: recurrent form, causal, scalar decay, state of 32768 elements;
    //   at b=2 t=64 s=64 H=8 h_q=1 h_k=1 h_v=8 p=64 n=64:
    //   2.1e+07 FLOP, 8.56e+05 bytes (24.50 FLOP/byte)
    ```
  }];
  let options = [
    Option<"batchHint", "batch", "int64_t", /*default=*/"1",
           "Batch size assumed where it is dynamic">,
    Option<"seqLenHint", "seq-len", "int64_t", /*default=*/"4096",
           "Sequence length assumed where it is dynamic">,
  ];
}

#endif // INTERACT_DIALECT_INTERACT_TRANSFORMS_PASSES_TD
