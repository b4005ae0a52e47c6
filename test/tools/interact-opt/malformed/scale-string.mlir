// ERROR: invalid kind of attribute specified
func.func @f(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>, %b: tensor<1x4x1x16xf32>) {
  %o = interact.attention softmax causal %x, %x, %x scale "big" : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32> -> tensor<1x4x2x8xf32>
  return
}
