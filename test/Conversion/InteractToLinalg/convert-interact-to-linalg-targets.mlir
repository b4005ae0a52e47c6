// RUN: interact-opt %s --interact-set-target=name=x86-64-v3 --convert-interact-to-linalg --canonicalize --split-input-file | FileCheck %s --check-prefix=V3
// RUN: interact-opt %s --interact-set-target=name=x86-64-v4 --convert-interact-to-linalg --canonicalize --split-input-file | FileCheck %s --check-prefix=V4
// RUN: interact-opt %s --interact-set-target=name=x86-64-v3 --convert-interact-to-linalg --split-input-file | FileCheck %s --check-prefix=V3-T
// RUN: interact-opt %s --interact-set-target=name=x86-64-v4 --convert-interact-to-linalg --split-input-file | FileCheck %s --check-prefix=V4-T
// RUN: interact-opt %s --interact-set-target=name=sm_90 --convert-interact-to-linalg=reference=true --split-input-file | FileCheck %s --check-prefix=REF
// RUN: not interact-opt %s --interact-set-target=name=sm_90 --convert-interact-to-linalg --split-input-file 2>&1 | FileCheck %s --check-prefix=GPU

// The CPU kernels take their shapes from the module's target: vectors of
// one register (8 f32 lanes on x86-64-v3, 16 on x86-64-v4) and tiles whose
// accumulators fill half the register file (8 of AVX2's 16 ymm, 16 of
// AVX-512's 32 zmm). The reference lowering knows no target, and CPU
// kernels are refused for a GPU target.
// GPU: error: convert-interact-to-linalg builds CPU kernels, but target 'sm_90' is a GPU

// The recurrence at p = n = 64: tasks own two registers of p on AVX2 (4
// tasks per head) and one on AVX-512 (4), and carry a tile of state columns
// in registers through each 128-step block: 4 columns of two registers in
// 16 tiles on AVX2, 16 of one in 4 tiles on AVX-512. The gather of a
// block's x rows sums its log-decays; a block that forgets (sum <= -2)
// carries the state itself (R columns only), the others R from zero with
// W and A, anchored at the block's start.
// V3-LABEL: func.func @scan_p64_n64
// V3: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}}, 2, 4)
// V3: bufferization.alloc_tensor() : tensor<128x16xf32>
// V3: scf.for {{.*}} -> (tensor<128x16xf32>, f32) {
// V3: %[[FORGETS:.*]] = arith.cmpf ole, %{{.*}}#1, %{{.*}} : f32
// V3: scf.if %[[FORGETS]] -> (tensor<64x16xf32>, tensor<128x16xf32>) {
// V3: scf.for {{.*}} -> (tensor<128x16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// V3: scf.for %{{.*}} = %c0 to %c15 step %c1
// V3: } else {
// V3: scf.for {{.*}} -> (tensor<128x16xf32>, f32, f32, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// V3: scf.for %{{.*}} = %c0 to %c15 step %c1
// V4-LABEL: func.func @scan_p64_n64
// V4: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}}, 2, 4)
// V4: bufferization.alloc_tensor() : tensor<128x16xf32>
// V4: scf.if
// V4: } else {
// V4: scf.for {{.*}} -> (tensor<128x16xf32>, f32, f32, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// V4: scf.for %{{.*}} = %c0 to %c3 step %c1
// REF-LABEL: func.func @scan_p64_n64
// REF-NOT: interact.scan
// REF: arith.extf %{{.*}} : f32 to f64
func.func @scan_p64_n64(%x: tensor<?x?x2x64xf32>, %a: tensor<?x?x2xf32>,
                        %b: tensor<?x?x1x64xf32>)
    -> (tensor<?x?x2x64xf32>, tensor<?x2x64x64xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<?x?x2x64xf32>, tensor<?x?x2xf32>, tensor<?x?x1x64xf32>,
        tensor<?x?x1x64xf32> -> tensor<?x?x2x64xf32>, tensor<?x2x64x64xf32>
  return %y, %s : tensor<?x?x2x64xf32>, tensor<?x2x64x64xf32>
}

// -----

// Causal softmax attention at d = 64: K^T is transposed in blocks of one
// register square; each task holds register tiles of scores, 4 queries x
// 16 keys (8 ymm) on AVX2 and 8 x 32 (16 zmm) on AVX-512, and the outputs
// and weights of its queries. On AVX2 a task is 16 queries and a block of
// keys 64: 4 x 4 tiles of scores in a loop (K^T blocked by tile, V packed
// by head), the running maxima and normalizers carried as two vectors of
// rows (each block's row maxima and sums written to a tensor of 2 x 16 rows
// by the loops over rows), the scores in base 2 and the weights exp2(s - max) (math.roundeven
// splits the exponent), rows walked in loops; one tile of 8 x 32 on AVX-512.
// V3-LABEL: func.func @attention_causal
// V3: -> (tensor<1x2x?x64x8xf32>)
// V3: bufferization.alloc_tensor() : tensor<16x64xf32>
// V3: bufferization.alloc_tensor() : tensor<16x64xf32>
// V3: bufferization.alloc_tensor() : tensor<32xf32>
// V3: scf.for {{.*}} -> (tensor<16x64xf32>, tensor<16x64xf32>, tensor<32xf32>, vector<16xf32>, vector<16xf32>) {
// V3: scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args({{.*}}) -> (tensor<16x64xf32>) {
// V3: scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// V3-COUNT-8: vector.fma %{{.*}} : vector<8xf32>
// V3-NOT: vector.fma
// V3: scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args({{.*}}) -> (tensor<32xf32>, i1) {
// V3: vector.reduction <maximumf>, %{{.*}} : vector<8xf32> into f32
// V3: math.roundeven %{{.*}} : vector<16xf32>
// V3: scf.if
// V3: scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args({{.*}}) -> (tensor<16x64xf32>, tensor<32xf32>) {
// V3: math.roundeven %{{.*}} : vector<8xf32>
// V3: vector.reduction <add>, %{{.*}} : vector<8xf32> into f32
// V4-LABEL: func.func @attention_causal
// V4: bufferization.alloc_tensor() : tensor<8x64xf32>
// V4: bufferization.alloc_tensor() : tensor<8x32xf32>
// V4: scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// V4-COUNT-16: vector.fma %{{.*}} : vector<16xf32>
// V4-NOT: vector.fma
// V4: vector.reduction <maximumf>, %{{.*}} : vector<16xf32> into f32
// V3-T-LABEL: func.func @attention_causal
// V3-T: vector.transpose %{{.*}}, [1, 0] : vector<8x8xf32> to vector<8x8xf32>
// V4-T-LABEL: func.func @attention_causal
// V4-T: vector.transpose %{{.*}}, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
// REF-LABEL: func.func @attention_causal
// REF-NOT: interact.attention
// REF: linalg.generic
func.func @attention_causal(%q: tensor<1x?x2x64xf32>) -> tensor<1x?x2x64xf32> {
  %y = interact.attention softmax causal %q, %q, %q scale 0.125
      : tensor<1x?x2x64xf32>, tensor<1x?x2x64xf32>, tensor<1x?x2x64xf32>
        -> tensor<1x?x2x64xf32>
  return %y : tensor<1x?x2x64xf32>
}

// -----

// The chunked form with a scalar decay at Q = 32, p = n = 64: B^T is
// transposed in blocks of one register square, and every product
// accumulates in a tile of half the registers: 8 ymm or 16 zmm.
// V3-LABEL: func.func @chunked_scalar
// V3: scf.for %{{.*}} = %c0 to %c32 step %c1 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// V4-LABEL: func.func @chunked_scalar
// V4: scf.for %{{.*}} = %c0 to %c32 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// V3-T-LABEL: func.func @chunked_scalar
// V3-T: vector.transpose %{{.*}}, [1, 0] : vector<8x8xf32> to vector<8x8xf32>
// V4-T-LABEL: func.func @chunked_scalar
// V4-T: vector.transpose %{{.*}}, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
func.func @chunked_scalar(%x: tensor<1x?x2x64xf32>, %a: tensor<1x?x2xf32>,
                          %b: tensor<1x?x1x64xf32>)
    -> (tensor<1x?x2x64xf32>, tensor<1x2x64x64xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %b chunk_size 32
      : tensor<1x?x2x64xf32>, tensor<1x?x2xf32>, tensor<1x?x1x64xf32>,
        tensor<1x?x1x64xf32> -> tensor<1x?x2x64xf32>, tensor<1x2x64x64xf32>
  return %y, %s : tensor<1x?x2x64xf32>, tensor<1x2x64x64xf32>
}
