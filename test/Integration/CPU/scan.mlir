// interact.scan against the float64 reference: scalar and diagonal decay,
// g = 1, g = h and 1 < g < h, with and without an initial state (the final
// state is a result everywhere), t in {1, 7, 64, 65, 1000}, dynamic b and t.
//
// RUN: interact-run %s --target=%{target} --function=scalar_g1_init --random-inputs=1 --dim=t=1 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=scalar_g1_init --random-inputs=2 --dim=t=7 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=scalar_g1_init --random-inputs=3 --dim=b=3 --dim=t=65 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=scalar_gh --random-inputs=4 --dim=t=64 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=scalar_gh --random-inputs=5 --dim=t=1000 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=diagonal_g2_init --random-inputs=6 --dim=t=7 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=diagonal_g2_init --random-inputs=7 --dim=b=1 --dim=t=1000 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=diagonal_g1 --random-inputs=8 --dim=t=65 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=static_sizes --random-inputs=9 --check | FileCheck %s
// One thread runs the same parallel loops.
// RUN: interact-run %s --target=%{target} --function=diagonal_g2_init --random-inputs=6 --dim=t=7 --num-threads=1 --check | FileCheck %s

// Column tiles and 128-step time blocks: p = 12 (vectors of 4), n = 20 and
// n = 48 (several column tiles on either target), t across block
// boundaries.
// RUN: interact-run %s --target=%{target} --function=scalar_odd_init --random-inputs=21 --dim=t=1 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=scalar_odd_init --random-inputs=22 --dim=b=2 --dim=t=130 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=diagonal_odd --random-inputs=23 --dim=t=65 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=scalar_wide_init --random-inputs=24 --dim=t=200 --check | FileCheck %s

// CHECK: check: output 0: max relative error {{.*}}: ok
// CHECK: check: output 1: max relative error {{.*}}: ok
// CHECK: check: PASSED

func.func @scalar_g1_init(%x: tensor<?x?x4x8xf32>, %a: tensor<?x?x4xf32>,
                          %b: tensor<?x?x1x16xf32>, %c: tensor<?x?x1x16xf32>,
                          %s0: tensor<?x4x8x16xf32>)
    -> (tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c init %s0
      : tensor<?x?x4x8xf32>, tensor<?x?x4xf32>, tensor<?x?x1x16xf32>,
        tensor<?x?x1x16xf32>, tensor<?x4x8x16xf32>
      -> tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
}

func.func @scalar_gh(%x: tensor<?x?x4x8xf32>, %a: tensor<?x?x4xf32>,
                     %b: tensor<?x?x4x16xf32>, %c: tensor<?x?x4x16xf32>)
    -> (tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<?x?x4x8xf32>, tensor<?x?x4xf32>, tensor<?x?x4x16xf32>,
        tensor<?x?x4x16xf32> -> tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
}

func.func @diagonal_g2_init(%x: tensor<?x?x4x8xf32>, %a: tensor<?x?x4x16xf32>,
                            %b: tensor<?x?x2x16xf32>, %c: tensor<?x?x2x16xf32>,
                            %s0: tensor<?x4x8x16xf32>)
    -> (tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c init %s0
      : tensor<?x?x4x8xf32>, tensor<?x?x4x16xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32>, tensor<?x4x8x16xf32>
      -> tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
}

func.func @diagonal_g1(%x: tensor<?x?x2x4xf32>, %a: tensor<?x?x2x8xf32>,
                       %b: tensor<?x?x1x8xf32>, %c: tensor<?x?x1x8xf32>)
    -> (tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<?x?x2x4xf32>, tensor<?x?x2x8xf32>, tensor<?x?x1x8xf32>,
        tensor<?x?x1x8xf32> -> tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>
  return %y, %s : tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>
}

func.func @static_sizes(%x: tensor<2x33x6x8xf32>, %a: tensor<2x33x6xf32>,
                        %b: tensor<2x33x3x4xf32>, %c: tensor<2x33x3x4xf32>)
    -> (tensor<2x33x6x8xf32>, tensor<2x6x8x4xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<2x33x6x8xf32>, tensor<2x33x6xf32>, tensor<2x33x3x4xf32>,
        tensor<2x33x3x4xf32> -> tensor<2x33x6x8xf32>, tensor<2x6x8x4xf32>
  return %y, %s : tensor<2x33x6x8xf32>, tensor<2x6x8x4xf32>
}

func.func @scalar_odd_init(%x: tensor<?x?x6x12xf32>, %a: tensor<?x?x6xf32>, %b: tensor<?x?x2x20xf32>, %c: tensor<?x?x2x20xf32>, %s0: tensor<?x6x12x20xf32>)
    -> (tensor<?x?x6x12xf32>, tensor<?x6x12x20xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c init %s0
      : tensor<?x?x6x12xf32>, tensor<?x?x6xf32>, tensor<?x?x2x20xf32>, tensor<?x?x2x20xf32>, tensor<?x6x12x20xf32>
      -> tensor<?x?x6x12xf32>, tensor<?x6x12x20xf32>
  return %y, %s : tensor<?x?x6x12xf32>, tensor<?x6x12x20xf32>
}

func.func @diagonal_odd(%x: tensor<?x?x3x12xf32>, %a: tensor<?x?x3x20xf32>, %b: tensor<?x?x3x20xf32>, %c: tensor<?x?x3x20xf32>)
    -> (tensor<?x?x3x12xf32>, tensor<?x3x12x20xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<?x?x3x12xf32>, tensor<?x?x3x20xf32>, tensor<?x?x3x20xf32>, tensor<?x?x3x20xf32>
      -> tensor<?x?x3x12xf32>, tensor<?x3x12x20xf32>
  return %y, %s : tensor<?x?x3x12xf32>, tensor<?x3x12x20xf32>
}

func.func @scalar_wide_init(%x: tensor<?x?x2x64xf32>, %a: tensor<?x?x2xf32>, %b: tensor<?x?x1x48xf32>, %c: tensor<?x?x1x48xf32>, %s0: tensor<?x2x64x48xf32>)
    -> (tensor<?x?x2x64xf32>, tensor<?x2x64x48xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c init %s0
      : tensor<?x?x2x64xf32>, tensor<?x?x2xf32>, tensor<?x?x1x48xf32>, tensor<?x?x1x48xf32>, tensor<?x2x64x48xf32>
      -> tensor<?x?x2x64xf32>, tensor<?x2x64x48xf32>
  return %y, %s : tensor<?x?x2x64xf32>, tensor<?x2x64x48xf32>
}
