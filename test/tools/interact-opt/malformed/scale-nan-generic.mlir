// ERROR: scale must be finite
func.func @f(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>, %b: tensor<1x4x1x16xf32>) {
  %o = "interact.attention"(%x, %x, %x) <{kernel = #interact<kernel softmax>, mask = #interact<mask causal>, scale = 0x7FC00000 : f32}> : (tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>) -> tensor<1x4x2x8xf32>
  return
}
