// RUN: interact-opt %s --interact-set-target=name=x86-64-v3 --interact-lower-transposes | FileCheck %s --check-prefix=AVX2
// RUN: interact-opt %s --interact-set-target=name=x86-64-v4 --interact-lower-transposes | FileCheck %s --check-prefix=AVX512
// RUN: interact-opt %s --interact-set-target=name=sm_90 --interact-lower-transposes | FileCheck %s --check-prefix=GPU

// The kernels' register transposes, lowered by the shuffles the target has:
// on AVX2 an 8 x 8 f32 block by unpacks, in-lane shuffles and 128-bit lane
// permutes of its 8 rows (24 shuffles, no inline assembly); on AVX-512 a 16 x 16 block by upstream's shuffle
// sequence of its 16 rows. GPU targets are left alone.

// AVX2-LABEL: func.func @transpose_8x8
// AVX2-SAME: (%[[M:.*]]: vector<8x8xf32>)
// AVX2-DAG: %[[R0:.*]] = vector.extract %[[M]][0] : vector<8xf32> from vector<8x8xf32>
// AVX2-DAG: %[[R1:.*]] = vector.extract %[[M]][1] : vector<8xf32> from vector<8x8xf32>
// AVX2: %[[LO01:.*]] = vector.shuffle %[[R0]], %[[R1]] [0, 8, 1, 9, 4, 12, 5, 13] : vector<8xf32>, vector<8xf32>
// AVX2: %[[HI01:.*]] = vector.shuffle %[[R0]], %[[R1]] [2, 10, 3, 11, 6, 14, 7, 15] : vector<8xf32>, vector<8xf32>
// AVX2: %[[C04:.*]] = vector.shuffle %[[LO01]], %{{.*}} [0, 1, 8, 9, 4, 5, 12, 13] : vector<8xf32>, vector<8xf32>
// AVX2: vector.shuffle %[[C04]], %{{.*}} [0, 1, 2, 3, 8, 9, 10, 11] : vector<8xf32>, vector<8xf32>
// AVX2: vector.shuffle %[[C04]], %{{.*}} [4, 5, 6, 7, 12, 13, 14, 15] : vector<8xf32>, vector<8xf32>
// AVX2-NOT: vector.transpose
// AVX2-NOT: llvm.inline_asm
// AVX2: return
// AVX512-LABEL: func.func @transpose_8x8
// AVX512-NOT: vector.transpose
// AVX512: return
// GPU-LABEL: func.func @transpose_8x8
// GPU: vector.transpose
func.func @transpose_8x8(%m: vector<8x8xf32>) -> vector<8x8xf32> {
  %t = vector.transpose %m, [1, 0] : vector<8x8xf32> to vector<8x8xf32>
  return %t : vector<8x8xf32>
}

// A 16 x 16 block is not an AVX2 register square: left to vector-to-llvm.
// AVX2-LABEL: func.func @transpose_16x16
// AVX2: vector.transpose %{{.*}}, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
// AVX512-LABEL: func.func @transpose_16x16
// AVX512-COUNT-16: vector.extract %{{.*}}[{{[0-9]+}}] : vector<16xf32> from vector<16x16xf32>
// AVX512: vector.shuffle %{{.*}}, %{{.*}} [0, 16, 1, 17, 4, 20, 5, 21, 8, 24, 9, 25, 12, 28, 13, 29] : vector<16xf32>, vector<16xf32>
// AVX512-NOT: vector.transpose
// AVX512: return
func.func @transpose_16x16(%m: vector<16x16xf32>) -> vector<16x16xf32> {
  %t = vector.transpose %m, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
  return %t : vector<16x16xf32>
}
