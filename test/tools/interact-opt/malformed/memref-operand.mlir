// ERROR: must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'memref<1x4x2x8xf32>'
func.func @f(%x: memref<1x4x2x8xf32>, %a: tensor<1x4x2xf32>, %b: tensor<1x4x1x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b : memref<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}
