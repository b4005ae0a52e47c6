// ERROR: attribute 'scale' failed to satisfy constraint: 32-bit float attribute
func.func @f(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>, %b: tensor<1x4x1x16xf32>) {
  %o = "interact.attention"(%x, %x, %x) <{kernel = #interact<kernel softmax>, mask = #interact<mask causal>, scale = 1.0 : f64}> : (tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>) -> tensor<1x4x2x8xf32>
  return
}
