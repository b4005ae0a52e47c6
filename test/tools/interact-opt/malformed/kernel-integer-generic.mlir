// ERROR: Invalid attribute `kernel` in property conversion: 1 : i32
func.func @f(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>, %b: tensor<1x4x1x16xf32>) {
  %o = "interact.attention"(%x, %x, %x) <{kernel = 1 : i32, mask = #interact<mask causal>}> : (tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>) -> tensor<1x4x2x8xf32>
  return
}
