// ERROR: operand 'q' has h_q = 0 (dimension 2), but h_q must be positive
func.func @f(%q: tensor<1x4x0x8xf32>) {
  %o = interact.attention softmax causal %q, %q, %q : tensor<1x4x0x8xf32>, tensor<1x4x0x8xf32>, tensor<1x4x0x8xf32> -> tensor<1x4x0x8xf32>
  return
}
