// ERROR: head count h_q = 0 must divide the output head count H = 0
func.func @f(%q: tensor<1x4x0x8xf32>) {
  %o = interact.attention softmax causal %q, %q, %q : tensor<1x4x0x8xf32>, tensor<1x4x0x8xf32>, tensor<1x4x0x8xf32> -> tensor<1x4x0x8xf32>
  return
}
