//===- InteractBase.td - The interact dialect definition ---*- tablegen -*-===//
//
// The interact dialect holds sequence mixers (attention layers and state space
// models) as interaction operators y_i = sum_j W_ij(X) v_j, each op one
// realization of such an operator.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_DIALECT_INTERACT_IR_INTERACTBASE_TD
#define INTERACT_DIALECT_INTERACT_IR_INTERACTBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Interact_Dialect : Dialect {
  let name = "interact";
  let cppNamespace = "::mlir::interact";
  let summary = "Interaction operators: attention layers and state space models";
  let description = [{
    The `interact` dialect represents the sequence-mixing layers of modern
    models, attention and state space models (SSMs), as *interaction operators*
    `y_i = sum_j W_ij(X) v_j`. The same operator often has several exact
    realizations, and the dialect has one op for each:

    * `interact.scan`: the recurrent form, a linear-time selective SSM
      recurrence with scalar or diagonal log-space decays;
    * `interact.attention`: the quadratic form, masked attention with an
      identity or softmax kernel and a none, causal or semiseparable mask;
    * `interact.chunked_scan`: the chunked hybrid of Mamba-2 (SSD), attention
      inside chunks and the recurrence between them.

    All ops implement `InteractOpInterface`, which states the operator's
    structure (form, causality, decay kind, state size) and its cost, so that
    analyses and the cost model never switch on op names.

    Shapes follow Mamba-2's time-major layout: batch `b`, length `t`, heads
    `h`, head dim `p`, state dim `n`, groups `g` (`h % g == 0`, head `i` reads
    group `i / (h / g)`). Batch and length may be dynamic; heads, head dim,
    state dim and groups are static.
  }];
  let useDefaultAttributePrinterParser = 1;
}

class Interact_Op<string mnemonic, list<Trait> traits = []>
    : Op<Interact_Dialect, mnemonic, traits>;

#endif // INTERACT_DIALECT_INTERACT_IR_INTERACTBASE_TD
