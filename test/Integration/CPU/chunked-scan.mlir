// interact.chunked_scan (the SSD algorithm) against the float64 recurrence:
// chunk sizes 16, 64 and 24 (which divides none of the lengths), scalar and
// diagonal decay, groups, initial and final state, t in {1, 7, 64, 65, 1000}.
//
// RUN: interact-run %s --target=%{target} --function=q16_scalar_init --random-inputs=1 --dim=t=1 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=q16_scalar_init --random-inputs=2 --dim=t=7 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=q16_scalar_init --random-inputs=3 --dim=t=64 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=q16_scalar_init --random-inputs=4 --dim=b=3 --dim=t=65 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=q64_scalar_gh --random-inputs=5 --dim=t=65 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=q64_scalar_gh --random-inputs=6 --dim=t=1000 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=q24_diagonal_g2_init --random-inputs=7 --dim=t=7 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=q24_diagonal_g2_init --random-inputs=8 --dim=t=64 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=q24_diagonal_g2_init --random-inputs=9 --dim=t=1000 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=q16_diagonal_g1 --random-inputs=10 --dim=t=65 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=q64_static --random-inputs=11 --check | FileCheck %s

// Scalar decays take the register-tiled path: odd sizes (p = 12, n = 20,
// Q = 24, 3 heads per group) and AVX-512-sized ones (p = n = 64).
// RUN: interact-run %s --target=%{target} --function=q24_scalar_odd_init --random-inputs=21 --dim=t=1 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=q24_scalar_odd_init --random-inputs=22 --dim=b=2 --dim=t=23 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=q24_scalar_odd_init --random-inputs=23 --dim=t=100 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=q32_scalar_wide_init --random-inputs=24 --dim=t=100 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=q32_scalar_wide_init --random-inputs=25 --dim=t=64 --num-threads=1 --check | FileCheck %s

// CHECK: check: output 0: max relative error {{.*}}: ok
// CHECK: check: output 1: max relative error {{.*}}: ok
// CHECK: check: PASSED

func.func @q16_scalar_init(%x: tensor<?x?x4x8xf32>, %a: tensor<?x?x4xf32>,
                           %b: tensor<?x?x1x16xf32>, %c: tensor<?x?x1x16xf32>,
                           %s0: tensor<?x4x8x16xf32>)
    -> (tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 16
      : tensor<?x?x4x8xf32>, tensor<?x?x4xf32>, tensor<?x?x1x16xf32>,
        tensor<?x?x1x16xf32>, tensor<?x4x8x16xf32>
      -> tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
}

func.func @q64_scalar_gh(%x: tensor<?x?x4x8xf32>, %a: tensor<?x?x4xf32>,
                         %b: tensor<?x?x4x16xf32>, %c: tensor<?x?x4x16xf32>)
    -> (tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 64
      : tensor<?x?x4x8xf32>, tensor<?x?x4xf32>, tensor<?x?x4x16xf32>,
        tensor<?x?x4x16xf32> -> tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
}

func.func @q24_diagonal_g2_init(%x: tensor<?x?x4x8xf32>,
                                %a: tensor<?x?x4x16xf32>,
                                %b: tensor<?x?x2x16xf32>,
                                %c: tensor<?x?x2x16xf32>,
                                %s0: tensor<?x4x8x16xf32>)
    -> (tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 24
      : tensor<?x?x4x8xf32>, tensor<?x?x4x16xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32>, tensor<?x4x8x16xf32>
      -> tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
}

func.func @q16_diagonal_g1(%x: tensor<?x?x2x4xf32>, %a: tensor<?x?x2x8xf32>,
                           %b: tensor<?x?x1x8xf32>, %c: tensor<?x?x1x8xf32>)
    -> (tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 16
      : tensor<?x?x2x4xf32>, tensor<?x?x2x8xf32>, tensor<?x?x1x8xf32>,
        tensor<?x?x1x8xf32> -> tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>
  return %y, %s : tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>
}

func.func @q64_static(%x: tensor<2x130x4x16xf32>, %a: tensor<2x130x4xf32>,
                      %b: tensor<2x130x2x32xf32>, %c: tensor<2x130x2x32xf32>,
                      %s0: tensor<2x4x16x32xf32>)
    -> (tensor<2x130x4x16xf32>, tensor<2x4x16x32xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 64
      : tensor<2x130x4x16xf32>, tensor<2x130x4xf32>, tensor<2x130x2x32xf32>,
        tensor<2x130x2x32xf32>, tensor<2x4x16x32xf32>
      -> tensor<2x130x4x16xf32>, tensor<2x4x16x32xf32>
  return %y, %s : tensor<2x130x4x16xf32>, tensor<2x4x16x32xf32>
}

func.func @q24_scalar_odd_init(%x: tensor<?x?x6x12xf32>, %a: tensor<?x?x6xf32>, %b: tensor<?x?x2x20xf32>, %c: tensor<?x?x2x20xf32>, %s0: tensor<?x6x12x20xf32>)
    -> (tensor<?x?x6x12xf32>, tensor<?x6x12x20xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 24
      : tensor<?x?x6x12xf32>, tensor<?x?x6xf32>, tensor<?x?x2x20xf32>, tensor<?x?x2x20xf32>, tensor<?x6x12x20xf32>
      -> tensor<?x?x6x12xf32>, tensor<?x6x12x20xf32>
  return %y, %s : tensor<?x?x6x12xf32>, tensor<?x6x12x20xf32>
}

func.func @q32_scalar_wide_init(%x: tensor<?x?x2x64xf32>, %a: tensor<?x?x2xf32>, %b: tensor<?x?x1x64xf32>, %c: tensor<?x?x1x64xf32>, %s0: tensor<?x2x64x64xf32>)
    -> (tensor<?x?x2x64xf32>, tensor<?x2x64x64xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 32
      : tensor<?x?x2x64xf32>, tensor<?x?x2xf32>, tensor<?x?x1x64xf32>, tensor<?x?x1x64xf32>, tensor<?x2x64x64xf32>
      -> tensor<?x?x2x64xf32>, tensor<?x2x64x64xf32>
  return %y, %s : tensor<?x?x2x64xf32>, tensor<?x2x64x64xf32>
}
