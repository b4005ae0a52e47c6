//===- InteractInterfaces.td - The interaction op interface -*- tablegen -*-===//

#ifndef INTERACT_DIALECT_INTERACT_IR_INTERACTINTERFACES_TD
#define INTERACT_DIALECT_INTERACT_IR_INTERACTINTERFACES_TD

include "mlir/IR/OpBase.td"

def InteractOpInterface : OpInterface<"InteractOpInterface"> {
  let cppNamespace = "::mlir::interact";
  let description = [{
    An interaction operator `y_i = sum_j W_ij(X) v_j` in one of its
    realizations. Analyses, rewrites and the cost model ask these questions
    and never switch on op names:

    * `getForm()`: recurrent, attention or chunked;
    * `isCausal()`: whether `y_i` depends only on inputs at positions `<= i`;
    * `getDecayKind()`: none (plain causal or no mask), scalar (one decay per
      head and step) or diagonal (one decay per state column);
    * `getDecayOperand()`: the operand holding the log-space decays, if any;
    * `getStateSize()`: elements of recurrent state per batch element
      (`h * p * n`) when the operator has a finite-state recurrence, and
      nothing when it has none (softmax kernels, non-causal masks);
    * `getSizes()`: the problem sizes read off the operand types, with
      `ShapedType::kDynamic` for dynamic batch and length;
    * `getCost(sizes)`: FLOPs and compulsory bytes of this realization for
      fully static sizes (see `docs/Rationale.md` for the counting convention);
    * `getDimensionLayouts()`: each tensor operand and result with the name
      of each of its dimensions (`b`, `t`, `s`, `h`, `p`, `n`, `g`, ...).
  }];

  let methods = [
    InterfaceMethod<"Returns the algorithmic realization this op stands for.",
      "::mlir::interact::Form", "getForm">,
    InterfaceMethod<"Returns true if output `i` depends only on inputs `<= i`.",
      "bool", "isCausal">,
    InterfaceMethod<"Returns the structure of the operator's decay.",
      "::mlir::interact::DecayKind", "getDecayKind">,
    InterfaceMethod<[{
        Returns the operand holding the log-space decays, or a null value
        when the operator has none.
      }],
      "::mlir::Value", "getDecayOperand">,
    InterfaceMethod<[{
        Returns the number of recurrent-state elements per batch element, or
        std::nullopt when the operator has no finite-state recurrence.
      }],
      "std::optional<int64_t>", "getStateSize">,
    InterfaceMethod<[{
        Returns the problem sizes read off the operand and result types;
        dynamic batch and lengths are `ShapedType::kDynamic`.
      }],
      "::mlir::interact::OperatorSizes", "getSizes">,
    InterfaceMethod<[{
        Returns the FLOPs and compulsory memory traffic of this realization
        at `sizes`, which must be fully static (complete `getSizes()` with
        `OperatorSizes::withHints` first).
      }],
      "::mlir::interact::OperatorCost", "getCost",
      (ins "const ::mlir::interact::OperatorSizes &":$sizes)>,
    InterfaceMethod<[{
        Returns each tensor operand and result (absent optional operands
        left out) with the name of each of its dimensions. Dimensions with
        one name have one size; a causal operator's query and key lengths
        (`t` and `s`) are one size too. The verifier checks static sizes
        against these layouts, and interact-compile's libraries check
        dynamic ones at run time.
      }],
      "::llvm::SmallVector<::mlir::interact::DimensionLayout>",
      "getDimensionLayouts">,
  ];
}

#endif // INTERACT_DIALECT_INTERACT_IR_INTERACTINTERFACES_TD
