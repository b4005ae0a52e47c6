// ERROR: expected
func.func @f(%x: tensor<1x-4x2x8xf32>) {
  return
}
