// RUN: interact-opt %s --interact-set-target=name=sm_90 --convert-interact-to-gpu --cse | FileCheck %s
// RUN: interact-opt %s --interact-set-target=name=sm_90 --convert-interact-to-gpu="attention-block-q=128 attention-block-k=32" --cse | FileCheck %s --check-prefix=OPT

// The benchmark's shape: bf16 causal softmax, 32 heads, n = p = 64, dynamic
// b and t. Tensor-core kernel: grid (ceil(t / 64), 32, b), 4 warps; K and V
// tiles of 64 keys double-buffered in shared memory (rows padded to 72), by
// cp.async; S = Q K^T and O += P V by nvvm.mma.sync (bf16: MLIR 22's
// nvgpu.mma.sync does not lower it), ldmatrix for K and, transposed, V; row
// maxima over the quad (shuffle xor 2, 1); weights exp2; y as pairs.
// CHECK-LABEL: func.func @softmax_causal_bf16
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG:     %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG:     %[[B:.*]] = memref.dim %{{.*}}, %c0 : memref<?x?x32x64xbf16>
// CHECK-DAG:     %[[T:.*]] = memref.dim %{{.*}}, %c1 : memref<?x?x32x64xbf16>
// CHECK:         gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %{{.*}}, %{{.*}} = %[[C32]], %{{.*}} = %[[B]]) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C128]], %{{.*}} = %c1, %{{.*}} = %c1)
// CHECK-SAME:      workgroup(%[[SK:[a-z0-9_]+]] : memref<2x64x72xbf16, #gpu.address_space<workgroup>>, %[[SV:[a-z0-9_]+]] : memref<2x64x72xbf16, #gpu.address_space<workgroup>>)
// CHECK:         nvgpu.device_async_copy %{{.*}}, %[[SK]][%{{.*}}], 8, %{{.*}} {bypassL1} : memref<?x?x32x64xbf16> to memref<2x64x72xbf16, #gpu.address_space<workgroup>>
// CHECK:         nvgpu.device_async_copy %{{.*}}, %[[SV]][%{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK:         llvm.inline_asm has_side_effects "cp.async.commit_group;"
// CHECK:         vector.load %{{.*}} : memref<?x?x32x64xbf16>, vector<2xbf16>
// CHECK:         scf.for
// CHECK:           llvm.inline_asm has_side_effects "cp.async.wait_group 1;"
// CHECK-NEXT:      gpu.barrier
// CHECK:           nvgpu.ldmatrix %[[SK]][{{.*}}] {numTiles = 4 : i32, transpose = false}
// CHECK:           nvvm.mma.sync {{.*}} multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK:           gpu.shuffle xor %{{.*}}, %c2_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f32
// CHECK:           gpu.shuffle xor %{{.*}}, %c1_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f32
// CHECK:           math.exp2
// CHECK:           arith.truncf %{{.*}} : vector<2xf32> to vector<2xbf16>
// CHECK-NOT:       nvvm.vote.sync
// CHECK:           nvgpu.ldmatrix %[[SV]][{{.*}}] {numTiles = 4 : i32, transpose = true}
// CHECK:           nvvm.mma.sync
// CHECK-NOT:       nvvm.vote.sync
// CHECK:           gpu.barrier
// The second loop: tiles crossing the diagonal, masked by select. A 16-key
// P V step that crosses the warp's diagonal (a key past its first row)
// checks its V rows for NaN/Inf (bf16 exponent 0x7f80 in both halves of a
// word, plus its lowest bit 0x0080: 16-byte chunks of the V tile, or over
// the lanes' chunks, vote.sync any); where some is, the step is added by
// selects on key <= row (weights from the quad by shuffle idx, V pairs from
// the tile), else by mma.sync.
// CHECK:         scf.for
// CHECK:           arith.cmpi ule
// CHECK:           arith.select %{{.*}}, %{{.*}}, %cst{{.*}} : f32
// CHECK:           %[[CROSS:.*]] = arith.cmpi ugt
// CHECK:           %[[POISON:.*]] = scf.if %[[CROSS]] -> (i1) {
// CHECK-DAG:         arith.constant dense<2139127680> : vector<4xi32>
// CHECK-DAG:         arith.constant dense<8388736> : vector<4xi32>
// CHECK:             vector.load %[[SV]][{{.*}}] {alignment = 16 : i64} : memref<2x64x72xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK:             vector.reduction <or>
// CHECK:             %[[VOTE:.*]] = nvvm.vote.sync any %{{.*}}, %{{.*}} -> i1
// CHECK:             scf.yield %[[VOTE]] : i1
// CHECK:           scf.if %[[POISON]]
// CHECK:             scf.for %{{.*}} = %c0{{[_0-9]*}} to %c16{{[_0-9]*}} step
// CHECK:               gpu.shuffle idx %{{.*}} : i32
// CHECK:               %[[SEES:.*]] = arith.cmpi ule
// CHECK:               vector.load %[[SV]][{{.*}}] {alignment = 4 : i64} : memref<2x64x72xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK:               %[[TERM:.*]] = math.fma
// CHECK:               arith.select %[[SEES]], %[[TERM]], %{{.*}} : f32
// CHECK:           } else {
// CHECK:             nvgpu.ldmatrix %[[SV]][{{.*}}] {numTiles = 4 : i32, transpose = true}
// CHECK:             nvvm.mma.sync
// CHECK:         llvm.inline_asm has_side_effects "cp.async.wait_group 0;"
// CHECK:         vector.store %{{.*}} : memref<?x?x32x64xbf16>, vector<2xbf16>
// CHECK:         gpu.terminator
// CHECK-NOT:     nvgpu.mma.sync
// CHECK:         return
// OPT-LABEL: func.func @softmax_causal_bf16
// OPT:         gpu.launch
// OPT-SAME:      workgroup(%{{.*}} : memref<2x32x72xbf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<2x32x72xbf16, #gpu.address_space<workgroup>>)
// OPT-NOT:     gpu.launch
// OPT:         gpu.terminator
func.func @softmax_causal_bf16(%q: tensor<?x?x32x64xbf16>, %k: tensor<?x?x32x64xbf16>,
                               %v: tensor<?x?x32x64xbf16>) -> tensor<?x?x32x64xbf16> {
  %y = interact.attention softmax causal %q, %k, %v scale 1.250000e-01
      : tensor<?x?x32x64xbf16>, tensor<?x?x32x64xbf16>, tensor<?x?x32x64xbf16>
        -> tensor<?x?x32x64xbf16>
  return %y : tensor<?x?x32x64xbf16>
}

// f16 identity attention with grouped heads (h_q = 8, h_k = h_v = 2: output
// head h reads head h / 4), s != t, p = 32: nvgpu.mma.sync; no softmax.
// CHECK-LABEL: func.func @identity_none_f16_gqa
// CHECK:         gpu.launch
// CHECK-SAME:      workgroup(%[[SK:[a-z0-9_]+]] : memref<2x64x72xf16, #gpu.address_space<workgroup>>, %[[SV:[a-z0-9_]+]] : memref<2x64x40xf16, #gpu.address_space<workgroup>>)
// CHECK:         arith.divui %{{.*}}, %c4{{[_0-9]*}} : index
// CHECK:         nvgpu.ldmatrix %[[SK]]
// CHECK:         nvgpu.mma.sync(%{{.*}}, %{{.*}}, %{{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-NOT:     math.exp2
// CHECK-NOT:     nvvm.mma.sync
// CHECK-NOT:     nvvm.vote.sync
// CHECK:         gpu.terminator
func.func @identity_none_f16_gqa(%q: tensor<2x128x8x64xf16>, %k: tensor<2x100x2x64xf16>,
                                 %v: tensor<2x100x2x32xf16>) -> tensor<2x128x8x32xf16> {
  %y = interact.attention identity none %q, %k, %v
      : tensor<2x128x8x64xf16>, tensor<2x100x2x64xf16>, tensor<2x100x2x32xf16>
        -> tensor<2x128x8x32xf16>
  return %y : tensor<2x128x8x32xf16>
}

// f16 causal identity attention, p = 32: the diagonal step's check tests
// f16 exponents (0x7c00, lowest bit 0x0400), p / 16 = 2 chunks a lane; the
// select-based step as for softmax.
// CHECK-LABEL: func.func @identity_causal_f16
// CHECK:         gpu.launch
// CHECK-SAME:      %[[SV:[a-z0-9_]+]] : memref<2x64x40xf16, #gpu.address_space<workgroup>>)
// CHECK:         nvgpu.mma.sync
// CHECK-NOT:     math.exp2
// CHECK:         %[[POISON:.*]] = scf.if %{{.*}} -> (i1) {
// CHECK-DAG:       arith.constant dense<2080406528> : vector<4xi32>
// CHECK-DAG:       arith.constant dense<67109888> : vector<4xi32>
// CHECK-COUNT-2:   vector.load %[[SV]][{{.*}}] {alignment = 16 : i64} : memref<2x64x40xf16, #gpu.address_space<workgroup>>, vector<8xf16>
// CHECK-NOT:       vector.load
// CHECK:           nvvm.vote.sync any
// CHECK:         scf.if %[[POISON]]
// CHECK:           scf.for
// CHECK:             gpu.shuffle idx
// CHECK:             math.fma
// CHECK:         } else {
// CHECK:           nvgpu.mma.sync
// CHECK-NOT:     math.exp2
// CHECK:         gpu.terminator
func.func @identity_causal_f16(%q: tensor<1x128x2x32xf16>, %k: tensor<1x128x2x32xf16>,
                               %v: tensor<1x128x2x32xf16>) -> tensor<1x128x2x32xf16> {
  %y = interact.attention identity causal %q, %k, %v
      : tensor<1x128x2x32xf16>, tensor<1x128x2x32xf16>, tensor<1x128x2x32xf16>
        -> tensor<1x128x2x32xf16>
  return %y : tensor<1x128x2x32xf16>
}

// Head dimension 128: 64-key tiles would need 68 KiB, so 32-key tiles (34 KiB).
// CHECK-LABEL: func.func @softmax_none_f16_d128
// CHECK:         gpu.launch
// CHECK-SAME:      workgroup(%{{.*}} : memref<2x32x136xf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<2x32x136xf16, #gpu.address_space<workgroup>>)
// CHECK:         nvgpu.mma.sync
// OPT-LABEL: func.func @softmax_none_f16_d128
// OPT:         gpu.launch
// OPT-SAME:      threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c256{{.*}},
func.func @softmax_none_f16_d128(%q: tensor<?x?x4x128xf16>, %k: tensor<?x?x4x128xf16>,
                                 %v: tensor<?x?x4x128xf16>) -> tensor<?x?x4x128xf16> {
  %y = interact.attention softmax none %q, %k, %v
      : tensor<?x?x4x128xf16>, tensor<?x?x4x128xf16>, tensor<?x?x4x128xf16>
        -> tensor<?x?x4x128xf16>
  return %y : tensor<?x?x4x128xf16>
}

// f32 softmax with the semiseparable mask (SIMT kernel): a warp per query
// row, 4 rows a block, no shared memory; the dot product summed over the
// warp (xor 16 .. 1); keys walked j = i, i-1, ..., 0 with the segment sum
// carried and the decay read at each key; weights exp2 in base 2.
// CHECK-LABEL: func.func @softmax_semiseparable_f32
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK:         gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %{{.*}}, %{{.*}} = %[[C4]], %{{.*}} = %{{.*}}) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c128{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) {
// CHECK:           scf.if
// CHECK:             scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[M:.*]] = %{{.*}}, %[[L:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %[[SEG:.*]] = %{{.*}}) -> (f32, f32, f32, f32)
// CHECK:               %[[KEY:.*]] = arith.subi %{{.*}}, %[[J]] : index
// CHECK:               gpu.shuffle xor %{{.*}}, %c16_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f32
// CHECK:               gpu.shuffle xor %{{.*}}, %c8_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f32
// CHECK:               gpu.shuffle xor %{{.*}}, %c4_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f32
// CHECK:               gpu.shuffle xor %{{.*}}, %c2_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f32
// CHECK:               gpu.shuffle xor %{{.*}}, %c1_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f32
// CHECK:               arith.maximumf %[[M]]
// CHECK:               math.exp2
// CHECK:               %[[A:.*]] = memref.load %{{.*}}[%{{.*}}, %[[KEY]], %{{.*}}] : memref<?x?x4xf32>
// CHECK:               %[[SEG2:.*]] = arith.addf %[[SEG]], %[[A]] : f32
// CHECK:               scf.yield %{{.*}}, %{{.*}}, %{{.*}}, %[[SEG2]]
// CHECK-NOT:     workgroup
// CHECK:         gpu.terminator
func.func @softmax_semiseparable_f32(%q: tensor<?x?x4x32xf32>, %k: tensor<?x?x1x32xf32>,
                                     %v: tensor<?x?x4x32xf32>, %a: tensor<?x?x4xf32>)
    -> tensor<?x?x4x32xf32> {
  %y = interact.attention softmax semiseparable %q, %k, %v decay %a
      : tensor<?x?x4x32xf32>, tensor<?x?x1x32xf32>, tensor<?x?x4x32xf32>,
        tensor<?x?x4xf32> -> tensor<?x?x4x32xf32>
  return %y : tensor<?x?x4x32xf32>
}

// f64 identity attention, semiseparable: computed in f64, the decay weight
// exp of the segment sum saturated at the largest f64; p = 70 gives each
// lane 3 accumulators, the third guarded.
// CHECK-LABEL: func.func @identity_semiseparable_f64
// CHECK:         gpu.launch
// CHECK:           scf.for {{.*}} -> (f64, f64, f64, f64)
// CHECK:             gpu.shuffle xor %{{.*}}, %c16_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f64
// CHECK:             %[[E:.*]] = math.exp %{{.*}} : f64
// CHECK:             arith.minimumf %[[E]], %{{.*}} : f64
// CHECK:           scf.if
// CHECK:             memref.store %{{.*}} : memref<?x?x2x70xf64>
// CHECK-NOT:     math.exp2
// CHECK:         gpu.terminator
func.func @identity_semiseparable_f64(%q: tensor<?x?x2x40xf64>, %k: tensor<?x?x2x40xf64>,
                                      %v: tensor<?x?x2x70xf64>, %a: tensor<?x?x2xf64>)
    -> tensor<?x?x2x70xf64> {
  %y = interact.attention identity semiseparable %q, %k, %v decay %a
      : tensor<?x?x2x40xf64>, tensor<?x?x2x40xf64>, tensor<?x?x2x70xf64>,
        tensor<?x?x2xf64> -> tensor<?x?x2x70xf64>
  return %y : tensor<?x?x2x70xf64>
}

// Odd head dimensions (n = 5, p = 3): SIMT, lanes past n selected out of
// the dot product (their loads clamped to column 4), lanes past p store
// nothing; causal keys j <= i.
// CHECK-LABEL: func.func @softmax_causal_f32_odd
// CHECK:         gpu.launch
// CHECK:           %[[COL:.*]] = arith.minui %{{.*}}, %c4{{[_0-9]*}} : index
// CHECK:           scf.for %{{.*}} = %c0{{[_0-9]*}} to %{{.*}} step %c1{{[_0-9]*}} iter_args({{.*}}) -> (f32, f32, f32)
// CHECK:             arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK:           scf.if
// CHECK:             memref.store %{{.*}} : memref<?x?x2x3xf32>
func.func @softmax_causal_f32_odd(%q: tensor<?x?x2x5xf32>, %k: tensor<?x?x2x5xf32>,
                                  %v: tensor<?x?x2x3xf32>) -> tensor<?x?x2x3xf32> {
  %y = interact.attention softmax causal %q, %k, %v
      : tensor<?x?x2x5xf32>, tensor<?x?x2x5xf32>, tensor<?x?x2x3xf32>
        -> tensor<?x?x2x3xf32>
  return %y : tensor<?x?x2x3xf32>
}

// 16-bit types outside the tensor-core kernel's reach take the SIMT kernel:
// bf16 with the semiseparable mask (f32 decay), f16 with n = 8.
// CHECK-LABEL: func.func @negative_mma_bf16_semiseparable
// CHECK:         gpu.launch
// CHECK-NOT:       workgroup
// CHECK-NOT:       nvvm.mma.sync
// CHECK:           arith.extf %{{.*}} : bf16 to f32
// CHECK:         gpu.terminator
func.func @negative_mma_bf16_semiseparable(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
                                           %v: tensor<1x64x2x64xbf16>, %a: tensor<1x64x2xf32>)
    -> tensor<1x64x2x64xbf16> {
  %y = interact.attention softmax semiseparable %q, %k, %v decay %a
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>,
        tensor<1x64x2xf32> -> tensor<1x64x2x64xbf16>
  return %y : tensor<1x64x2x64xbf16>
}

// CHECK-LABEL: func.func @negative_mma_f16_n8
// CHECK:         gpu.launch
// CHECK-NOT:       nvgpu.mma.sync
// CHECK:         gpu.terminator
func.func @negative_mma_f16_n8(%q: tensor<?x?x2x8xf16>, %k: tensor<?x?x2x8xf16>,
                               %v: tensor<?x?x2x16xf16>) -> tensor<?x?x2x16xf16> {
  %y = interact.attention softmax none %q, %k, %v
      : tensor<?x?x2x8xf16>, tensor<?x?x2x8xf16>, tensor<?x?x2x16xf16>
        -> tensor<?x?x2x16xf16>
  return %y : tensor<?x?x2x16xf16>
}
