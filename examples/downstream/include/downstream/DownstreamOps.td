//===- DownstreamOps.td - The downstream dialect -----------*- tablegen -*-===//
//
// A dialect of a project that links interact: one op that stands beside
// interact's ops in the same function.
//
//===----------------------------------------------------------------------===//

#ifndef DOWNSTREAM_OPS
#define DOWNSTREAM_OPS

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Downstream_Dialect : Dialect {
  let name = "downstream";
  let summary = "A dialect of a compiler that links interact";
  let description = [{
    The dialect of `examples/downstream`, an out-of-tree project that finds
    interact with `find_package(Interact)` and registers interact's dialect
    and passes in its own opt tool beside this one.
  }];
  let cppNamespace = "::downstream";
}

def Downstream_GateOp : Op<Downstream_Dialect, "gate",
    [Pure, SameOperandsAndResultType]> {
  let summary = "Gates a layer's output elementwise: y * silu(z)";
  let description = [{
    Mamba's output gate: every element of `y` times `silu` of the element of
    `z` at the same position, `y * z / (1 + exp(-z))`. Kept as one op until
    a lowering of the downstream compiler expands it.

    ```mlir
    %o = downstream.gate %y, %z : tensor<1x64x8x32xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$y, AnyRankedTensor:$z);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$y `,` $z attr-dict `:` type($result)";
}

#endif // DOWNSTREAM_OPS
