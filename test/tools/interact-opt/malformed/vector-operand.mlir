// ERROR: must be ranked tensor
func.func @f(%q: vector<4x8xf32>) {
  %o = interact.attention softmax none %q, %q, %q : vector<4x8xf32>, vector<4x8xf32>, vector<4x8xf32> -> tensor<1x4x2x8xf32>
  return
}
