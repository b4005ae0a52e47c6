// ERROR: operand 'B' has g = 0 (dimension 2), but g must be positive
func.func @f(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>, %b: tensor<1x4x0x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x0x16xf32>, tensor<1x4x0x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}
