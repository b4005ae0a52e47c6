// RUN: interact-opt %s --interact-set-target=name=x86-64-v3 --interact-lower-transposes | FileCheck %s --check-prefix=AVX2
// RUN: interact-opt %s --interact-set-target=name=x86-64-v4 --interact-lower-transposes | FileCheck %s --check-prefix=AVX512
// RUN: interact-opt %s --interact-set-target=name=sm_90 --interact-lower-transposes | FileCheck %s --check-prefix=GPU

// The kernels' register transposes, lowered by the shuffles the target has:
// on AVX2 an 8 x 8 f32 block by unpacks, shuffles, blends and 128-bit lane
// permutes of its 8 rows; on AVX-512 a 16 x 16 block by upstream's shuffle
// sequence of its 16 rows. GPU targets are left alone.

// AVX2-LABEL: func.func @transpose_8x8
// AVX2-COUNT-8: vector.extract %{{.*}}[{{[0-7]}}] : vector<8xf32> from vector<8x8xf32>
// AVX2: vector.shuffle %{{.*}}, %{{.*}} [0, 8, 1, 9, 4, 12, 5, 13] : vector<8xf32>, vector<8xf32>
// AVX2: llvm.inline_asm {{.*}}vblendps
// AVX2: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 8, 9, 10, 11] : vector<8xf32>, vector<8xf32>
// AVX2-NOT: vector.transpose
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
