// ERROR: expected ::mlir::interact::Kernel to be one of: identity, softmax
func.func @f(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>, %b: tensor<1x4x1x16xf32>) {
  %o = interact.attention causal softmax %x, %x, %x : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32> -> tensor<1x4x2x8xf32>
  return
}
