// RUN: interact-opt %s --interact-set-target=name=x86-64-v4 --convert-interact-to-linalg --canonicalize --split-input-file | FileCheck %s
// RUN: interact-opt %s --convert-interact-to-linalg=reference=true --canonicalize --split-input-file | FileCheck %s --check-prefix=REF
// RUN: interact-opt %s --interact-set-target=name=x86-64-v4 --interact-cpu-pipeline --split-input-file | FileCheck %s --check-prefix=LLVM

// The CPU kernels below are checked for x86-64-v4 (AVX-512: 16-lane f32
// vectors, 32 registers); convert-interact-to-linalg-targets.mlir checks
// how the tiles change on x86-64-v3.

// The recurrence as vector code: scf.forall over (batch, head, tile of p),
// the group of head h read at h / (h/g), the decays exponentiated once
// (expm1, as vector code on the threads, over the decays viewed as 1-D)
// before the time loops. Each task walks time in blocks of 128 steps, two
// steps an iteration (then the odd one): the
// block's x rows gathered into a buffer, then the state columns (vectors
// over p) carried through the block's steps as loop values (the state the
// block's own inputs make, with the decay W since the block's start and the
// summed log-decay A, so that the block's decay is applied to its initial
// state once), y summed in a block buffer with no reduction across lanes,
// then written out.
// CHECK-LABEL: func.func @scan_grouped
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x?x4x8xf32>, %[[A:[^:]*]]: tensor<?x?x4xf32>, %[[B:[^:]*]]: tensor<?x?x2x16xf32>
// CHECK: %[[T:.*]] = tensor.dim %[[X]], %c1
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1, 2]] : tensor<?x?x4xf32> into tensor<?xf32>
// CHECK: %[[FACTORS:.*]] = scf.forall
// CHECK: vector.transfer_read %[[FLAT]]{{.*}} : tensor<?xf32>, vector<16xf32>
// CHECK: math.expm1 %{{.*}} : vector<16xf32>
// CHECK: scf.forall (%[[BI:.*]], %[[HI:.*]]) in (%{{.*}}, 4) shared_outs(%[[YOUT:.*]] = %{{.*}}, %[[SOUT:.*]] = %{{.*}})
// CHECK: %[[G:.*]] = arith.divui %[[HI]], %c2
// CHECK: %[[TILE:.*]] = tensor.extract_slice %[[YOUT]][%[[BI]], 0, %[[HI]], 0] [1, %[[T]], 1, 8]
// CHECK: %[[XBUF:.*]] = bufferization.alloc_tensor() : tensor<128x8xf32>
// CHECK: %[[YBUF:.*]] = bufferization.alloc_tensor() : tensor<128x8xf32>
// CHECK: scf.for %{{.*}} iter_args(%{{.*}} = %[[TILE]], %{{.*}} = %{{.*}}, %{{.*}} = %[[XBUF]], %{{.*}} = %[[YBUF]]) -> (tensor<?x8xf32>, tensor<16x8xf32>, tensor<128x8xf32>, tensor<128x8xf32>)
// CHECK: %[[STEPS:.*]] = affine.min
// CHECK: vector.transfer_read %[[X]]
// CHECK: %[[PAIRS:.*]] = affine.apply #{{.*}}()[%[[STEPS]]]
// CHECK: scf.for %[[I:.*]] = %c0 to %[[PAIRS]] step %c1 iter_args({{.*}}) -> (tensor<128x8xf32>, f32, f32, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: %[[I0:.*]] = arith.muli %[[I]], %c2
// CHECK: %[[STEP:.*]] = arith.addi %{{.*}}, %[[I0]]
// CHECK: tensor.extract %[[FACTORS]][%{{.*}}] : tensor<?xf32>
// CHECK: tensor.extract %[[B]][%[[BI]], %[[STEP]], %[[G]], %c0]
// CHECK: vector.fma
// CHECK-NOT: vector.reduction
// CHECK: vector.transfer_write
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[YOUT]]
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[SOUT]]
// The reference is the loop nest of the definition, in f64.
// REF-LABEL: func.func @scan_grouped
// REF-NOT: scf.forall
// REF: scf.for
// REF: arith.extf %{{.*}} : f32 to f64
// REF: arith.truncf %{{.*}} : f64 to f32
// LLVM-LABEL: llvm.func @scan_grouped
// LLVM-NOT: interact.
// LLVM-NOT: linalg.
// LLVM: omp.parallel
// LLVM: omp.wsloop
func.func @scan_grouped(%x: tensor<?x?x4x8xf32>, %a: tensor<?x?x4xf32>,
                        %b: tensor<?x?x2x16xf32>)
    -> (tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<?x?x4x8xf32>, tensor<?x?x4xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32> -> tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
}

// -----

// SSD: time padded from 100 to 112 = 7 chunks of 16 and split, decays
// cumulated in the chunk, the chunk rows walked carrying segment sums, a
// loop over the 7 chunks, padding sliced off; a
// diagonal decay reads its column n in the maps. The reference is the
// recurrence, in f64.
// CHECK-LABEL: func.func @chunked_diagonal
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 0] [1, 100, 2, 4] [1, 1, 1, 1] : tensor<1x100x2x4xf16> into tensor<1x112x2x4xf16>
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 7, 16, 2, 4] : tensor<1x112x2x4xf16> into tensor<1x7x16x2x4xf16>
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: scf.for %{{.*}} = %c0 to %c7 step %c1
// CHECK: tensor.collapse_shape
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 100, 2, 4] [1, 1, 1, 1] : tensor<1x112x2x4xf16> to tensor<1x100x2x4xf16>
// REF-LABEL: func.func @chunked_diagonal
// REF-NOT: tensor.expand_shape
// REF: scf.for %{{.*}} = %c0 to %c100 step %c1
// REF: arith.extf %{{.*}} : f16 to f64
func.func @chunked_diagonal(%x: tensor<1x100x2x4xf16>, %a: tensor<1x100x2x8xf32>,
                            %b: tensor<1x100x1x8xf16>)
    -> (tensor<1x100x2x4xf16>, tensor<1x2x4x8xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %b chunk_size 16
      : tensor<1x100x2x4xf16>, tensor<1x100x2x8xf32>, tensor<1x100x1x8xf16>,
        tensor<1x100x1x8xf16> -> tensor<1x100x2x4xf16>, tensor<1x2x4x8xf32>
  return %y, %s : tensor<1x100x2x4xf16>, tensor<1x2x4x8xf32>
}

// -----

// Softmax attention without the semiseparable mask is tiled, flash-attention
// style: K transposed once into blocks of keys; parallel over (batch, head,
// block of 8 queries); per block of 32 keys an 8 x 32 tile of scores, the
// online softmax's row maxima, exponentials and rescaling, then P V from a
// scratch 8 x 32 tile of weights. No t x t matrix is ever built.
// CHECK-LABEL: func.func @softmax_causal
// CHECK-NOT: tensor<2x4x16x16xf32>
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (2, 2, 2)
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (2, 4, 2)
// CHECK: bufferization.alloc_tensor() : tensor<8x32xf32>
// CHECK: scf.for
// CHECK: vector.fma
// CHECK: vector.reduction <maximumf>
// CHECK: math.exp %{{.*}} : f32
// CHECK: math.exp %{{.*}} : vector<16xf32>
// CHECK: vector.reduction <add>
// CHECK: vector.fma
// CHECK: arith.divf %{{.*}} : vector<8xf32>
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: tensor<2x4x16x16xf32>
// CHECK: return
// REF-LABEL: func.func @softmax_causal
// REF: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x4x16x16xf64>)
func.func @softmax_causal(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x2x8xf32>)
    -> tensor<2x16x4x8xf32> {
  %y = interact.attention softmax causal %q, %k, %k scale 0.5
      : tensor<2x16x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>
      -> tensor<2x16x4x8xf32>
  return %y : tensor<2x16x4x8xf32>
}

// -----

// The semiseparable mask's log-decay from key j to query i is summed
// directly while the keys are walked from i down to 0. The reference builds
// the segment sums row by row in f64 (row i is row i - 1 plus a_i), never as
// a difference of cumulative sums.
// CHECK-LABEL: func.func @identity_semiseparable
// CHECK-SAME: %[[DECAY:[^:]*]]: tensor<1x9x2xf32>
// CHECK: scf.for {{.*}} -> (vector<4xf32>, f32)
// CHECK: math.exp
// CHECK: vector.fma
// CHECK: %[[A:.*]] = tensor.extract %[[DECAY]]
// CHECK: arith.addf %{{.*}}, %[[A]] : f32
// REF-LABEL: func.func @identity_semiseparable
// REF: scf.for %{{.*}} = %c0 to %c9 step %c1 iter_args(%{{.*}}, %{{.*}}) -> (tensor<1x2x9x9xf64>, tensor<1x2x9xf64>)
// REF: arith.addf %{{.*}} : f64
// REF-NOT: arith.subf
func.func @identity_semiseparable(%q: tensor<1x9x1x8xf32>, %v: tensor<1x9x2x4xf32>,
                                  %a: tensor<1x9x2xf32>) -> tensor<1x9x2x4xf32> {
  %y = interact.attention identity semiseparable %q, %q, %v decay %a
      : tensor<1x9x1x8xf32>, tensor<1x9x1x8xf32>, tensor<1x9x2x4xf32>,
        tensor<1x9x2xf32> -> tensor<1x9x2x4xf32>
  return %y : tensor<1x9x2x4xf32>
}

// -----

// Functions without interact ops are left alone.
// CHECK-LABEL: func.func @negative_no_interact_ops
// CHECK-NEXT: return %arg0
func.func @negative_no_interact_ops(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
