// ERROR: expected ::mlir::interact::Mask to be one of: none, causal, semiseparable
func.func @f(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>, %b: tensor<1x4x1x16xf32>) {
  %o = "interact.attention"(%x, %x, %x) <{kernel = #interact<kernel softmax>, mask = #interact<mask diagonal>}> : (tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>) -> tensor<1x4x2x8xf32>
  return
}
