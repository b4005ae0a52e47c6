//===- InteractAttrs.td - interact enums and attributes ----*- tablegen -*-===//

#ifndef INTERACT_DIALECT_INTERACT_IR_INTERACTATTRS_TD
#define INTERACT_DIALECT_INTERACT_IR_INTERACTATTRS_TD

include "interact/Dialect/Interact/IR/InteractBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Attention kernel and mask
//===----------------------------------------------------------------------===//

def Interact_Kernel : I32EnumAttr<"Kernel",
    "how attention turns scores into weights", [
      I32EnumAttrCase<"Identity", 0, "identity">,
      I32EnumAttrCase<"Softmax", 1, "softmax">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::interact";
}

def Interact_KernelAttr : EnumAttr<Interact_Dialect, Interact_Kernel, "kernel"> {
  let summary = "attention kernel: identity (linear attention) or softmax";
}

def Interact_Mask : I32EnumAttr<"Mask",
    "which (query, key) pairs attention connects, and with what weight", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"Causal", 1, "causal">,
      I32EnumAttrCase<"Semiseparable", 2, "semiseparable">
    ]> {
  // What each kind means is stated once, as C++, beside the generated enum:
  // getMaskTraits and buildMaskWeight in InteractMask.h. Every other
  // inspection of a Mask is an exhaustive switch.
  let description = [{
    Which (query `i`, key `j`) pairs attention connects, and with what
    weight:

    | mask            | pairs connected | weight                       | decay operand |
    |-----------------|-----------------|------------------------------|---------------|
    | `none`          | all             | 1                            | no            |
    | `causal`        | `j <= i`        | 1                            | no            |
    | `semiseparable` | `j <= i`        | `exp(a_{j+1} + ... + a_i)`   | required      |

    A causal mask needs as many keys as queries. Pairs not connected
    contribute exactly nothing.
  }];
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::interact";
}

def Interact_MaskAttr : EnumAttr<Interact_Dialect, Interact_Mask, "mask"> {
  let summary = "attention mask: none, causal, or 1-semiseparable from decays";
}

//===----------------------------------------------------------------------===//
// Structure answered by InteractOpInterface
//===----------------------------------------------------------------------===//

def Interact_Form : I32EnumAttr<"Form",
    "the algorithmic realization an op stands for", [
      I32EnumAttrCase<"Recurrent", 0, "recurrent">,
      I32EnumAttrCase<"Attention", 1, "attention">,
      I32EnumAttrCase<"Chunked", 2, "chunked">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::interact";
}

def Interact_DecayKind : I32EnumAttr<"DecayKind",
    "the structure of an operator's state decay", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"Scalar", 1, "scalar">,
      I32EnumAttrCase<"Diagonal", 2, "diagonal">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::interact";
}

//===----------------------------------------------------------------------===//
// Compilation target
//===----------------------------------------------------------------------===//

def Interact_TargetAttr : AttrDef<Interact_Dialect, "Target"> {
  let mnemonic = "target";
  let summary = "the compilation target a module is lowered for";
  let description = [{
    Names one row of interact's target table (docs/Targets.md): `host` (the
    machine compiling, detected), `x86-64-v3` (AVX2 + FMA), `x86-64-v4`
    (AVX-512), `sm_80`, `sm_90`. A module carries it as the discardable
    attribute `interact.target`; form selection, the CPU kernels and the
    pipelines read the row it names, and a module without one compiles for
    `host`. Tools set it with `--target=NAME`.

    ```mlir
    module attributes {interact.target = #interact.target<"x86-64-v3">} {
      ...
    }
    ```
  }];
  let parameters = (ins StringRefParameter<"name of a known target">:$name);
  let assemblyFormat = "`<` $name `>`";
}

#endif // INTERACT_DIALECT_INTERACT_IR_INTERACTATTRS_TD
