//===- InteractOps.td - interact op definitions ------------*- tablegen -*-===//

#ifndef INTERACT_DIALECT_INTERACT_IR_INTERACTOPS_TD
#define INTERACT_DIALECT_INTERACT_IR_INTERACTOPS_TD

include "interact/Dialect/Interact/IR/InteractBase.td"
include "interact/Dialect/Interact/IR/InteractAttrs.td"
include "interact/Dialect/Interact/IR/InteractInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

/// Operands and results are ranked tensors of f16, bf16, f32 or f64; ranks and
/// shapes are checked by each op's verifier, which names the operand at fault.
def Interact_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;

//===----------------------------------------------------------------------===//
// Recurrent forms: scan and chunked_scan
//===----------------------------------------------------------------------===//

/// `scan` and `chunked_scan` realize the same operator and share operands,
/// results, assembly and verifier; `extraArgs`/`extraFormat` add the
/// realization's own parameters.
class Interact_ScanLikeOp<string mnemonic, dag extraArgs = (ins),
                          string extraFormat = "">
    : Interact_Op<mnemonic, [Pure,
        DeclareOpInterfaceMethods<InteractOpInterface>]> {
  let arguments = !con((ins
    Arg<Interact_FloatTensor, "inputs, b x t x h x p">:$x,
    Arg<Interact_FloatTensor,
        "log-space decays, b x t x h (scalar) or b x t x h x n (diagonal)">:$a,
    Arg<Interact_FloatTensor, "input projections, b x t x g x n">:$B,
    Arg<Interact_FloatTensor, "output projections, b x t x g x n">:$C,
    Arg<Optional<Interact_FloatTensor>, "initial state, b x h x p x n">:
        $init_state), extraArgs);
  let results = (outs
    Res<Interact_FloatTensor, "outputs, b x t x h x p">:$y,
    Res<Interact_FloatTensor, "final state, b x h x p x n">:$final_state);
  // The init clause is a custom directive: ODS's `(`init` $init_state^)?`
  // would accept a bare `init` and silently drop it.
  let assemblyFormat = "$x `,` $a `,` $B `,` $C `` custom<InitState>($init_state) "
      # extraFormat # " attr-dict `:` type(operands) `->` type(results)";
  let hasVerifier = 1;
}

def Interact_ScanOp : Interact_ScanLikeOp<"scan"> {
  let summary = "Selective state space recurrence (the recurrent form)";
  let description = [{
    Runs, per batch element and head, the selective SSM recurrence over a
    `p x n` state `S`:

    ```
    S_t = decay(a_t) * S_{t-1} + x_t B_t^T        y_t = S_t C_t
    ```

    starting from `init_state` (zero when absent). `a` holds log-space
    decays: with rank 3 (`b x t x h`, scalar decay, Mamba-2/SSD) all of `S`
    is multiplied by `exp(a_t)`; with rank 4 (`b x t x h x n`, diagonal decay)
    column `k` of `S` is multiplied by `exp(a_t[k])`. Head `i` reads group
    `i / (h / g)` of `B` and `C`. The results are `y` (`b x t x h x p`) and
    the state after the last step (`b x h x p x n`).

    Every realization meets its dtype's tolerance for any log-decays in
    `[-inf, 0]`: `-inf` is an exact state reset, one huge decay does not
    cancel the small ones after it, and decays near 0 do not drift over long
    sequences. Positive log-decays are accepted without a tolerance promise;
    `a_0` never matters without an initial state, and a decay that
    overflows applied to a zero state gives zero, not NaN
    (docs/Rationale.md, "Numerics").

    Element types: `x`, `B`, `C` and `y` share one element type `T`; the
    decays and the state (initial and final) are `T` or `f32`, so that
    f16/bf16 models can keep decays and states in f32.

    Sizes: `h`, `p`, `n` and `g` are static and positive; `b` and `t` may
    be dynamic, and zero.

    Example (Mamba-2 shapes: 8 heads of size 64, one group, state size 128):

    ```mlir
    %y, %s = interact.scan %x, %a, %B, %C init %s0
        : tensor<?x?x8x64xf32>, tensor<?x?x8xf32>, tensor<?x?x1x128xf32>,
          tensor<?x?x1x128xf32>, tensor<?x8x64x128xf32>
        -> tensor<?x?x8x64xf32>, tensor<?x8x64x128xf32>
    ```
  }];
}

def Interact_ChunkedScanOp : Interact_ScanLikeOp<"chunked_scan",
    (ins I64Attr:$chunk_size), "`chunk_size` $chunk_size"> {
  let summary = "Chunked SSD realization of a scan (the hybrid form)";
  let description = [{
    The same function as `interact.scan` with the same operands and results,
    realized by Mamba-2's chunked algorithm: time is split into chunks of
    `chunk_size` steps (the last chunk may be shorter); inside a chunk the
    attention form computes `Y_diag = (L o C B^T) X`, each chunk's state
    `S_c = sum_l exp(a_{l+1} + ... + a_end) x_l B_l^T` is passed between
    chunks by the recurrence, and `Y_off = exp(a_start + ... + a_l) C_l
    S_{c-1}` adds the carried state. Every decay weight is the exponential
    of a segment sum taken directly, never a difference of cumulative sums,
    so it keeps the numerics rules of `interact.scan`.
    This turns the work into matrix products at about `2t(Qn + Qp + 2np)`
    FLOPs per head.

    `chunk_size` is between 1 and 1024. Mamba-2 uses 64 to 256; code
    generators unroll a chunk's products into vectors of `chunk_size` lanes,
    and beyond a few thousand lanes LLVM's code generator takes minutes
    (32768) or gives up (65536).

    ```mlir
    %y, %s = interact.chunked_scan %x, %a, %B, %C chunk_size 64
        : tensor<2x256x8x64xf32>, tensor<2x256x8xf32>, tensor<2x256x1x64xf32>,
          tensor<2x256x1x64xf32>
        -> tensor<2x256x8x64xf32>, tensor<2x8x64x64xf32>
    ```
  }];
  let extraClassDeclaration = [{
    /// The largest chunk_size the verifier accepts.
    static constexpr int64_t kMaxChunkSize = 1024;
  }];
}

//===----------------------------------------------------------------------===//
// Quadratic form: attention
//===----------------------------------------------------------------------===//

def Interact_AttentionOp : Interact_Op<"attention", [Pure,
    DeclareOpInterfaceMethods<InteractOpInterface>]> {
  let summary = "Masked attention with an identity or softmax kernel";
  let description = [{
    Computes, per batch element and output head, with
    `score_ij = scale * q_i . k_j`:

    ```
    identity kernel:  y_i = sum_j M_ij score_ij v_j
    softmax kernel:   y_i = sum_j softmax_j(score_ij + log M_ij) v_j
    ```

    for `q : b x t x h_q x n`, `k : b x s x h_k x n`, `v : b x s x h_v x p`
    and `y : b x t x H x p`, where `H = max(h_q, h_k, h_v)` and each operand's
    head count divides `H`: output head `i` reads head `i / (H / h_x)` of
    each operand (grouped-query attention; SSD's `q = C`, `k = B`, `v = x`).

    The mask `M` is `none` (all ones), `causal` (`j <= i`) or
    `semiseparable`, `M_ij = exp(a_{j+1} + ... + a_i)` for `j <= i` and 0
    otherwise, built from the scalar log-decays of the `decay` operand
    (`b x t x H`). The decay operand is required by, and only allowed with,
    the semiseparable mask. Causal and semiseparable masks need `t == s`.
    `scale` defaults to 1 and is printed only when it differs.

    Masked positions contribute exactly nothing: a key or value the mask
    excludes for query `i` (`j > i` under a causal or semiseparable mask)
    never reaches `y_i`, even when it holds NaN or Inf. A softmax row with
    no visible key (`s = 0`) is 0, as in PyTorch (since 2.5) and IREE; so is
    an identity-kernel sum over no keys. A log-decay of `-inf` makes
    `M_ij = 0` exactly for every pair it separates (docs/Rationale.md,
    "Numerics").

    Element types: `q`, `k`, `v` and `y` share one element type `T`; `decay`
    is `T` or `f32`.

    Sizes: the head counts, `n` and `p` are static and positive; `b`, `t`
    and `s` may be dynamic, and zero.

    ```mlir
    %y = interact.attention softmax causal %q, %k, %v scale 1.250000e-01
        : tensor<1x128x8x64xf16>, tensor<1x128x2x64xf16>,
          tensor<1x128x2x64xf16> -> tensor<1x128x8x64xf16>
    %z = interact.attention identity semiseparable %c, %b, %x decay %a
        : tensor<?x?x8x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x8x32xf32>,
          tensor<?x?x8xf32> -> tensor<?x?x8x32xf32>
    ```
  }];
  let arguments = (ins
    Interact_KernelAttr:$kernel,
    Interact_MaskAttr:$mask,
    Arg<Interact_FloatTensor, "queries, b x t x h_q x n">:$q,
    Arg<Interact_FloatTensor, "keys, b x s x h_k x n">:$k,
    Arg<Interact_FloatTensor, "values, b x s x h_v x p">:$v,
    Arg<Optional<Interact_FloatTensor>,
        "log-space decays of the semiseparable mask, b x t x H">:$decay,
    DefaultValuedAttr<F32Attr, "1.0f">:$scale);
  let results = (outs Res<Interact_FloatTensor, "outputs, b x t x H x p">:$y);
  let assemblyFormat = [{
    `` $kernel `` $mask $q `,` $k `,` $v `` custom<Decay>($decay)
    (`scale` $scale^)?
    attr-dict `:` type(operands) `->` type($y)
  }];
  let hasVerifier = 1;
}

#endif // INTERACT_DIALECT_INTERACT_IR_INTERACTOPS_TD
