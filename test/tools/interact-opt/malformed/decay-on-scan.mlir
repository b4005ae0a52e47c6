// ERROR: expected ':'
func.func @f(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>, %b: tensor<1x4x1x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b decay %a : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}
