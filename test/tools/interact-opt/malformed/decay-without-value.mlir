// ERROR: expected SSA operand
func.func @f(%q: tensor<1x4x2x8xf32>) {
  %o = interact.attention identity semiseparable %q, %q, %q decay : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32> -> tensor<1x4x2x8xf32>
  return
}
