// A causal grouped-query softmax attention block (batch 2, 64 tokens, model
// width 256): q with 8 heads of size 32, k and v with 2 heads each, causal
// softmax attention scaled by 1/sqrt(32), the output projection and the
// residual connection.

#btd = affine_map<(b, t, d) -> (b, t, d)>

func.func @causal_attention_block(%u: tensor<2x64x256xf32>,
                                  %w_q: tensor<256x256xf32>,
                                  %w_k: tensor<256x64xf32>,
                                  %w_v: tensor<256x64xf32>,
                                  %w_o: tensor<256x256xf32>)
    -> tensor<2x64x256xf32> {
  %zero = arith.constant 0.0 : f32
  %u2 = tensor.collapse_shape %u [[0, 1], [2]]
      : tensor<2x64x256xf32> into tensor<128x256xf32>
  %e256 = tensor.empty() : tensor<128x256xf32>
  %f256 = linalg.fill ins(%zero : f32) outs(%e256 : tensor<128x256xf32>)
      -> tensor<128x256xf32>
  %e64 = tensor.empty() : tensor<128x64xf32>
  %f64 = linalg.fill ins(%zero : f32) outs(%e64 : tensor<128x64xf32>)
      -> tensor<128x64xf32>

  %qp = linalg.matmul ins(%u2, %w_q : tensor<128x256xf32>, tensor<256x256xf32>)
      outs(%f256 : tensor<128x256xf32>) -> tensor<128x256xf32>
  %kp = linalg.matmul ins(%u2, %w_k : tensor<128x256xf32>, tensor<256x64xf32>)
      outs(%f64 : tensor<128x64xf32>) -> tensor<128x64xf32>
  %vp = linalg.matmul ins(%u2, %w_v : tensor<128x256xf32>, tensor<256x64xf32>)
      outs(%f64 : tensor<128x64xf32>) -> tensor<128x64xf32>
  %q = tensor.expand_shape %qp [[0, 1], [2, 3]] output_shape [2, 64, 8, 32]
      : tensor<128x256xf32> into tensor<2x64x8x32xf32>
  %k = tensor.expand_shape %kp [[0, 1], [2, 3]] output_shape [2, 64, 2, 32]
      : tensor<128x64xf32> into tensor<2x64x2x32xf32>
  %v = tensor.expand_shape %vp [[0, 1], [2, 3]] output_shape [2, 64, 2, 32]
      : tensor<128x64xf32> into tensor<2x64x2x32xf32>

  %y = interact.attention softmax causal %q, %k, %v scale 0.176776695
      : tensor<2x64x8x32xf32>, tensor<2x64x2x32xf32>, tensor<2x64x2x32xf32>
      -> tensor<2x64x8x32xf32>

  %y2 = tensor.collapse_shape %y [[0, 1], [2, 3]]
      : tensor<2x64x8x32xf32> into tensor<128x256xf32>
  %o = linalg.matmul ins(%y2, %w_o : tensor<128x256xf32>, tensor<256x256xf32>)
      outs(%f256 : tensor<128x256xf32>) -> tensor<128x256xf32>
  %o3 = tensor.expand_shape %o [[0, 1], [2]] output_shape [2, 64, 256]
      : tensor<128x256xf32> into tensor<2x64x256xf32>
  %e3 = tensor.empty() : tensor<2x64x256xf32>
  %res = linalg.generic {indexing_maps = [#btd, #btd, #btd],
                         iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%o3, %u : tensor<2x64x256xf32>, tensor<2x64x256xf32>)
      outs(%e3 : tensor<2x64x256xf32>) {
  ^bb0(%ov: f32, %uv: f32, %out: f32):
    %r = arith.addf %ov, %uv : f32
    linalg.yield %r : f32
  } -> tensor<2x64x256xf32>
  return %res : tensor<2x64x256xf32>
}
