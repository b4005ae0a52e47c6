// ERROR: must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<1x4x2x8xindex>'
func.func @f(%q: tensor<1x4x2x8xindex>) {
  %o = interact.attention softmax none %q, %q, %q : tensor<1x4x2x8xindex>, tensor<1x4x2x8xindex>, tensor<1x4x2x8xindex> -> tensor<1x4x2x8xindex>
  return
}
