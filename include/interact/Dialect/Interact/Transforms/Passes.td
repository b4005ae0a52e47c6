//===- Passes.td - interact dialect transformation passes --*- tablegen -*-===//

#ifndef INTERACT_DIALECT_INTERACT_TRANSFORMS_PASSES_TD
#define INTERACT_DIALECT_INTERACT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SetTargetPass : Pass<"interact-set-target", "::mlir::ModuleOp"> {
  let summary = "Set the module's compilation target";
  let description = [{
    Sets the module attribute `interact.target` to `#interact.target<NAME>`
    after checking that `NAME` is a known target (docs/Targets.md): `host`,
    `x86-64-v3`, `x86-64-v4`, `sm_80` or `sm_90`. With an empty name it
    keeps the module's attribute, or sets `host` where there is none, so
    that every later pass reads one target. An unknown name, or an
    attribute that is not an `#interact.target`, is a located error.

    ```mlir
    // interact-opt --interact-set-target=name=x86-64-v3
    module {}
    // becomes
    module attributes {interact.target = #interact.target<"x86-64-v3">} {}
    ```
  }];
  let options = [
    Option<"targetName", "name", "std::string", /*default=*/"\"\"",
           "Target name; empty keeps the module's (or sets host, or sm_90 "
           "with kind=gpu)">,
    Option<"kind", "kind", "std::string", /*default=*/"\"\"",
           "cpu or gpu: the kind of target the pipeline compiles for, a "
           "located error otherwise; empty accepts either">,
    Option<"chip", "chip", "std::string", /*default=*/"\"\"",
           "GPU pipelines: the SM architecture the binary is for (sm_80, "
           "sm_86, sm_87, sm_89, sm_90, sm_90a), checked here before "
           "anything is lowered; empty checks nothing">,
    Option<"binaryFormat", "binary-format", "std::string",
           /*default=*/"\"\"",
           "GPU pipelines: the binary format (bin, fatbin, isa), checked "
           "here; empty checks nothing">,
  ];
  let dependentDialects = ["::mlir::interact::InteractDialect"];
}

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

def ScanToAttentionPass : Pass<"interact-scan-to-attention"> {
  let summary = "Rewrite scalar-decay scans as semiseparable attention";
  let description = [{
    Rewrites each `interact.scan` whose decay has one proven decay class
    (a scalar decay, or a diagonal one broadcast along `n`) into its dual,
    identity-kernel attention with the 1-semiseparable mask of the same
    decays: `q = C`, `k = B`, `v = x`. An initial state adds
    `exp(a_1 + ... + a_i) S_0 C_i` to `y_i`; a used final state is computed
    as `exp(a_1 + ... + a_T) S_0 + sum_j exp(a_{j+1} + ... + a_T) x_j B_j^T`,
    every exponent a direct sum of decays, never a difference of long sums.
    Scans with `G > 1` decay classes are left alone with a remark that names
    `G` (run `interact-split-decay-classes` first).

    ```mlir
    %y, %s = interact.scan %x, %a, %B, %C : ...
    // becomes
    %y = interact.attention identity semiseparable %C, %B, %x decay %a : ...
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect",
  ];
}

def AttentionToScanPass : Pass<"interact-attention-to-scan"> {
  let summary = "Rewrite causal identity-kernel attention as a scan";
  let description = [{
    Rewrites each identity-kernel `interact.attention` with a causal or
    semiseparable mask into the recurrence it is the dual of: `x = v`,
    `B = k`, `C = q`, the mask's decays (zeros for `causal`), the output
    scaled by `scale`. Heads are broadcast where the scan needs them (`v` to
    `H` heads; `q` and `k` to a common group count). The scan's final state is
    then available to later rewrites.

    Softmax attention is refused with a remark: it has no finite-state
    recurrence, its interaction rank grows with the sequence length (rank
    explosion). Attention with mask `none` is refused as non-causal.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def SplitDecayClassesPass : Pass<"interact-split-decay-classes"> {
  let summary = "Split a diagonal-decay scan into one scalar scan per decay class";
  let description = [{
    A diagonal-decay scan whose state columns fall into `G` proven decay
    classes (see `interact-print-structure`) is exactly the sum of `G`
    scalar-decay scans, one per class over that class's columns of `B`, `C`
    and the initial state. This pass rewrites it so, assembling the final
    state from the classes' final states; `G = 1` becomes one scalar scan.
    Scans whose classes are not proven are left alone with a remark.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ToChunkedPass : Pass<"interact-to-chunked"> {
  let summary = "Rewrite scans and eligible attention into chunked scans";
  let description = [{
    Rewrites each `interact.scan`, and each attention that
    `interact-attention-to-scan` accepts, into `interact.chunked_scan` with
    the given chunk size (Mamba-2's SSD algorithm). The chunk size is
    between 1 and 1024, the bound of `interact.chunked_scan`'s verifier; any
    other value is an error.
  }];
  let options = [
    Option<"chunkSize", "chunk-size", "int64_t", /*default=*/"64",
           "Chunk size of the chunked scans, 1 to 1024">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def SelectFormPass : Pass<"interact-select-form"> {
  let summary = "Choose each op's realization with a cost model";
  let description = [{
    For each interact op, estimates the run time of every exact realization
    it has (recurrent, attention, chunked with chunk sizes 32 to 256) on the
    target from the interface's FLOP and byte counts, a measured throughput
    per form and a measured cost per sequential step, rewrites the op into
    the cheapest, and says why in a remark with the numbers. Dynamic batch and
    length take the `batch` and `seq-len` hints. Softmax and non-causal
    attention have one realization and are left as they are.

    The constants, and which (form, decay kind, element type) combinations
    have a fast kernel, come from the module's target (`interact.target`,
    `host` when absent; docs/Targets.md). Forms without a fast kernel on the
    target compete only when no form has one. A target without a calibrated
    cost model is an error. Every candidate is costed by building an op of
    its form and asking `InteractOpInterface`: no cost formula lives here.

    ```mlir
    // interact-opt --interact-set-target=name=x86-64-v3 --interact-select-form
    // remark: selected recurrent for x86-64-v3 at b=1 t=4096: estimated
    //   recurrent 2.1 ms (...), chunked(32) ..., attention ...
    ```
  }];
  let options = [
    Option<"batchHint", "batch", "int64_t", /*default=*/"1",
           "Batch size assumed where it is dynamic">,
    Option<"seqLenHint", "seq-len", "int64_t", /*default=*/"4096",
           "Sequence length assumed where it is dynamic">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect",
  ];
}

#endif // INTERACT_DIALECT_INTERACT_TRANSFORMS_PASSES_TD
