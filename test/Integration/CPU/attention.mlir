// interact.attention against the float64 reference: both kernels with every
// mask, scale != 1, grouped-query heads, dynamic b and t, and keys longer
// than queries where the mask allows it.
//
// RUN: interact-run %s --target=%{target} --function=identity_none --random-inputs=1 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=identity_causal --random-inputs=2 --dim=t=7 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=identity_causal --random-inputs=3 --dim=b=1 --dim=t=65 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=identity_semiseparable --random-inputs=4 --dim=t=1 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=identity_semiseparable --random-inputs=5 --dim=t=64 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=softmax_none --random-inputs=6 --dim=t=9 --dim=s=20 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=softmax_causal --random-inputs=7 --dim=t=65 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=softmax_causal --random-inputs=8 --dim=t=1 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=softmax_semiseparable --random-inputs=9 --dim=t=100 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=softmax_causal --random-inputs=10 --dim=t=33 --num-threads=1 --check | FileCheck %s
// Key blocks of 32 and query blocks of 8 in the tiled kernel: head sizes
// of 64 with values of another width (p = 24), lengths off both blocks.
// RUN: interact-run %s --target=%{target} --function=softmax_none_wide --random-inputs=11 --dim=t=13 --dim=s=70 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=softmax_causal_wide --random-inputs=12 --dim=t=100 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=identity_causal_wide --random-inputs=13 --dim=t=41 --check | FileCheck %s

// CHECK: check: output 0: max relative error {{.*}}: ok
// CHECK: check: PASSED

func.func @identity_none(%q: tensor<2x5x4x8xf32>, %k: tensor<2x9x2x8xf32>,
                         %v: tensor<2x9x1x6xf32>) -> tensor<2x5x4x6xf32> {
  %y = interact.attention identity none %q, %k, %v scale 0.5
      : tensor<2x5x4x8xf32>, tensor<2x9x2x8xf32>, tensor<2x9x1x6xf32>
      -> tensor<2x5x4x6xf32>
  return %y : tensor<2x5x4x6xf32>
}

func.func @identity_causal(%q: tensor<?x?x4x8xf32>, %k: tensor<?x?x4x8xf32>,
                           %v: tensor<?x?x4x6xf32>) -> tensor<?x?x4x6xf32> {
  %y = interact.attention identity causal %q, %k, %v
      : tensor<?x?x4x8xf32>, tensor<?x?x4x8xf32>, tensor<?x?x4x6xf32>
      -> tensor<?x?x4x6xf32>
  return %y : tensor<?x?x4x6xf32>
}

// SSD's layout: q = C and k = B with one group, v = x with 4 heads.
func.func @identity_semiseparable(%c: tensor<?x?x1x16xf32>,
                                  %b: tensor<?x?x1x16xf32>,
                                  %x: tensor<?x?x4x8xf32>,
                                  %a: tensor<?x?x4xf32>) -> tensor<?x?x4x8xf32> {
  %y = interact.attention identity semiseparable %c, %b, %x decay %a
      : tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x4x8xf32>,
        tensor<?x?x4xf32> -> tensor<?x?x4x8xf32>
  return %y : tensor<?x?x4x8xf32>
}

func.func @softmax_none(%q: tensor<?x?x4x8xf32>, %k: tensor<?x?x2x8xf32>,
                        %v: tensor<?x?x2x8xf32>) -> tensor<?x?x4x8xf32> {
  %y = interact.attention softmax none %q, %k, %v scale 0.35355339
      : tensor<?x?x4x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>
      -> tensor<?x?x4x8xf32>
  return %y : tensor<?x?x4x8xf32>
}

func.func @softmax_causal(%q: tensor<?x?x8x16xf32>, %k: tensor<?x?x2x16xf32>,
                          %v: tensor<?x?x2x16xf32>) -> tensor<?x?x8x16xf32> {
  %y = interact.attention softmax causal %q, %k, %v scale 0.25
      : tensor<?x?x8x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>
      -> tensor<?x?x8x16xf32>
  return %y : tensor<?x?x8x16xf32>
}

func.func @softmax_semiseparable(%q: tensor<?x?x2x8xf32>,
                                 %k: tensor<?x?x2x8xf32>,
                                 %v: tensor<?x?x2x4xf32>,
                                 %a: tensor<?x?x2xf32>) -> tensor<?x?x2x4xf32> {
  %y = interact.attention softmax semiseparable %q, %k, %v decay %a scale 2.0
      : tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>,
        tensor<?x?x2xf32> -> tensor<?x?x2x4xf32>
  return %y : tensor<?x?x2x4xf32>
}

func.func @softmax_none_wide(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x2x64xf32>,
    %v: tensor<?x?x2x24xf32>) -> tensor<?x?x4x24xf32> {
  %y = interact.attention softmax none %q, %k, %v scale 0.125
      : tensor<?x?x4x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x24xf32>
      -> tensor<?x?x4x24xf32>
  return %y : tensor<?x?x4x24xf32>
}

func.func @softmax_causal_wide(%q: tensor<?x?x2x64xf32>, %k: tensor<?x?x2x64xf32>,
    %v: tensor<?x?x2x64xf32>) -> tensor<?x?x2x64xf32> {
  %y = interact.attention softmax causal %q, %k, %v scale 0.125
      : tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>
      -> tensor<?x?x2x64xf32>
  return %y : tensor<?x?x2x64xf32>
}

func.func @identity_causal_wide(%q: tensor<?x?x2x64xf32>, %k: tensor<?x?x1x64xf32>,
    %v: tensor<?x?x1x24xf32>) -> tensor<?x?x2x24xf32> {
  %y = interact.attention identity causal %q, %k, %v scale 0.125
      : tensor<?x?x2x64xf32>, tensor<?x?x1x64xf32>, tensor<?x?x1x24xf32>
      -> tensor<?x?x2x24xf32>
  return %y : tensor<?x?x2x24xf32>
}
