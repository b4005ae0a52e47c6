// ERROR: floating point value not valid for specified type
func.func @f(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>, %b: tensor<1x4x1x16xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %b chunk_size 1.5 : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}
