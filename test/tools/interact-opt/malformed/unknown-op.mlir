// ERROR: custom op 'interact.lstm' is unknown
func.func @f(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>, %b: tensor<1x4x1x16xf32>) {
  %y = interact.lstm %x : tensor<1x4x2x8xf32>
  return
}
