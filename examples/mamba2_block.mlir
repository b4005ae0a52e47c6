// A Mamba-2 mixer block (batch 2, 64 tokens, model width 256): input
// projections as linalg.matmul, dt = softplus(u W_dt + bias), the log-space
// decay a = -exp(A_log) * dt, the SSD scan over 4 heads of size 64 with one
// group of state size 64, the D skip connection, the silu(z) gate and the
// output projection. The scan is the only interact op; everything around it is
// upstream MLIR.

#rows = affine_map<(r, c) -> (r, c)>
#cols = affine_map<(r, c) -> (c)>
#bth = affine_map<(b, t, h) -> (b, t, h)>
#h3 = affine_map<(b, t, h) -> (h)>
#bthp = affine_map<(b, t, h, p) -> (b, t, h, p)>
#bth_p = affine_map<(b, t, h, p) -> (b, t, h)>
#h4 = affine_map<(b, t, h, p) -> (h)>

func.func @mamba2_block(%u: tensor<2x64x256xf32>,
                        %w_x: tensor<256x256xf32>, %w_z: tensor<256x256xf32>,
                        %w_b: tensor<256x64xf32>, %w_c: tensor<256x64xf32>,
                        %w_dt: tensor<256x4xf32>, %dt_bias: tensor<4xf32>,
                        %a_log: tensor<4xf32>, %d_skip: tensor<4xf32>,
                        %w_out: tensor<256x256xf32>)
    -> (tensor<2x64x256xf32> {interact.name = "y"},
        tensor<2x4x64x64xf32> {interact.name = "state"}) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %u2 = tensor.collapse_shape %u [[0, 1], [2]]
      : tensor<2x64x256xf32> into tensor<128x256xf32>

  // Input projections.
  %e256 = tensor.empty() : tensor<128x256xf32>
  %f256 = linalg.fill ins(%zero : f32) outs(%e256 : tensor<128x256xf32>)
      -> tensor<128x256xf32>
  %e64 = tensor.empty() : tensor<128x64xf32>
  %f64 = linalg.fill ins(%zero : f32) outs(%e64 : tensor<128x64xf32>)
      -> tensor<128x64xf32>
  %e4 = tensor.empty() : tensor<128x4xf32>
  %f4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<128x4xf32>)
      -> tensor<128x4xf32>
  %xp = linalg.matmul ins(%u2, %w_x : tensor<128x256xf32>, tensor<256x256xf32>)
      outs(%f256 : tensor<128x256xf32>) -> tensor<128x256xf32>
  %zp = linalg.matmul ins(%u2, %w_z : tensor<128x256xf32>, tensor<256x256xf32>)
      outs(%f256 : tensor<128x256xf32>) -> tensor<128x256xf32>
  %bp = linalg.matmul ins(%u2, %w_b : tensor<128x256xf32>, tensor<256x64xf32>)
      outs(%f64 : tensor<128x64xf32>) -> tensor<128x64xf32>
  %cp = linalg.matmul ins(%u2, %w_c : tensor<128x256xf32>, tensor<256x64xf32>)
      outs(%f64 : tensor<128x64xf32>) -> tensor<128x64xf32>
  %dtp = linalg.matmul ins(%u2, %w_dt : tensor<128x256xf32>, tensor<256x4xf32>)
      outs(%f4 : tensor<128x4xf32>) -> tensor<128x4xf32>

  // dt = softplus(u W_dt + bias).
  %dt = linalg.generic {indexing_maps = [#rows, #cols, #rows],
                        iterator_types = ["parallel", "parallel"]}
      ins(%dtp, %dt_bias : tensor<128x4xf32>, tensor<4xf32>)
      outs(%e4 : tensor<128x4xf32>) {
  ^bb0(%v: f32, %bias: f32, %out: f32):
    %s = arith.addf %v, %bias : f32
    %ex = math.exp %s : f32
    %sp = math.log1p %ex : f32
    linalg.yield %sp : f32
  } -> tensor<128x4xf32>

  %x = tensor.expand_shape %xp [[0, 1], [2, 3]] output_shape [2, 64, 4, 64]
      : tensor<128x256xf32> into tensor<2x64x4x64xf32>
  %dt3 = tensor.expand_shape %dt [[0, 1], [2]] output_shape [2, 64, 4]
      : tensor<128x4xf32> into tensor<2x64x4xf32>
  %b = tensor.expand_shape %bp [[0, 1], [2, 3]] output_shape [2, 64, 1, 64]
      : tensor<128x64xf32> into tensor<2x64x1x64xf32>
  %c = tensor.expand_shape %cp [[0, 1], [2, 3]] output_shape [2, 64, 1, 64]
      : tensor<128x64xf32> into tensor<2x64x1x64xf32>

  // Log-space decay a = -exp(A_log) * dt and the discretized input x * dt.
  %ea = tensor.empty() : tensor<2x64x4xf32>
  %a = linalg.generic {indexing_maps = [#bth, #h3, #bth],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%dt3, %a_log : tensor<2x64x4xf32>, tensor<4xf32>)
      outs(%ea : tensor<2x64x4xf32>) {
  ^bb0(%d: f32, %al: f32, %out: f32):
    %ex = math.exp %al : f32
    %neg = arith.negf %ex : f32
    %r = arith.mulf %neg, %d : f32
    linalg.yield %r : f32
  } -> tensor<2x64x4xf32>
  %ex4 = tensor.empty() : tensor<2x64x4x64xf32>
  %xdt = linalg.generic {indexing_maps = [#bthp, #bth_p, #bthp],
                         iterator_types = ["parallel", "parallel", "parallel",
                                           "parallel"]}
      ins(%x, %dt3 : tensor<2x64x4x64xf32>, tensor<2x64x4xf32>)
      outs(%ex4 : tensor<2x64x4x64xf32>) {
  ^bb0(%xv: f32, %d: f32, %out: f32):
    %r = arith.mulf %xv, %d : f32
    linalg.yield %r : f32
  } -> tensor<2x64x4x64xf32>

  // The selective state space recurrence.
  %y, %state = interact.scan %xdt, %a, %b, %c
      : tensor<2x64x4x64xf32>, tensor<2x64x4xf32>, tensor<2x64x1x64xf32>,
        tensor<2x64x1x64xf32> -> tensor<2x64x4x64xf32>, tensor<2x4x64x64xf32>

  // y + D * x, then the silu(z) gate.
  %z = tensor.expand_shape %zp [[0, 1], [2, 3]] output_shape [2, 64, 4, 64]
      : tensor<128x256xf32> into tensor<2x64x4x64xf32>
  %gated = linalg.generic {indexing_maps = [#bthp, #bthp, #bthp, #h4, #bthp],
                           iterator_types = ["parallel", "parallel", "parallel",
                                             "parallel"]}
      ins(%y, %x, %z, %d_skip : tensor<2x64x4x64xf32>, tensor<2x64x4x64xf32>,
                                tensor<2x64x4x64xf32>, tensor<4xf32>)
      outs(%ex4 : tensor<2x64x4x64xf32>) {
  ^bb0(%yv: f32, %xv: f32, %zv: f32, %dv: f32, %out: f32):
    %skip = arith.mulf %dv, %xv : f32
    %ys = arith.addf %yv, %skip : f32
    %nz = arith.negf %zv : f32
    %enz = math.exp %nz : f32
    %den = arith.addf %one, %enz : f32
    %silu = arith.divf %zv, %den : f32
    %g = arith.mulf %ys, %silu : f32
    linalg.yield %g : f32
  } -> tensor<2x64x4x64xf32>

  // Output projection.
  %g2 = tensor.collapse_shape %gated [[0, 1], [2, 3]]
      : tensor<2x64x4x64xf32> into tensor<128x256xf32>
  %o = linalg.matmul ins(%g2, %w_out : tensor<128x256xf32>, tensor<256x256xf32>)
      outs(%f256 : tensor<128x256xf32>) -> tensor<128x256xf32>
  %o3 = tensor.expand_shape %o [[0, 1], [2]] output_shape [2, 64, 256]
      : tensor<128x256xf32> into tensor<2x64x256xf32>
  return %o3, %state : tensor<2x64x256xf32>, tensor<2x4x64x64xf32>
}
