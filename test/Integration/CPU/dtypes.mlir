// f16 and bf16 inputs (accumulated in f32, decays and states in f32) and f64,
// for every op, against the float64 reference.
//
// RUN: interact-run %s --target=%{target} --function=scan_f16 --random-inputs=1 --dim=t=65 --check | FileCheck %s --check-prefix=TWO
// RUN: interact-run %s --target=%{target} --function=scan_bf16 --random-inputs=2 --dim=t=65 --check | FileCheck %s --check-prefix=TWO
// RUN: interact-run %s --target=%{target} --function=chunked_f16 --random-inputs=3 --dim=t=100 --check | FileCheck %s --check-prefix=TWO
// RUN: interact-run %s --target=%{target} --function=chunked_bf16_diagonal --random-inputs=4 --dim=t=100 --check | FileCheck %s --check-prefix=TWO
// RUN: interact-run %s --target=%{target} --function=chunked_f64 --random-inputs=5 --dim=t=100 --check | FileCheck %s --check-prefix=TWO
// RUN: interact-run %s --target=%{target} --function=attention_f16 --random-inputs=6 --dim=t=33 --check | FileCheck %s --check-prefix=TWO
// RUN: interact-run %s --target=%{target} --function=attention_bf16 --random-inputs=7 --dim=t=33 --check | FileCheck %s --check-prefix=TWO

// TWO: check: output 0: max relative error {{.*}}: ok
// TWO: check: output 1: max relative error {{.*}}: ok
// TWO: check: PASSED

func.func @scan_f16(%x: tensor<?x?x4x8xf16>, %a: tensor<?x?x4xf32>,
                    %b: tensor<?x?x2x16xf16>, %c: tensor<?x?x2x16xf16>,
                    %s0: tensor<?x4x8x16xf32>)
    -> (tensor<?x?x4x8xf16>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c init %s0
      : tensor<?x?x4x8xf16>, tensor<?x?x4xf32>, tensor<?x?x2x16xf16>,
        tensor<?x?x2x16xf16>, tensor<?x4x8x16xf32>
      -> tensor<?x?x4x8xf16>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf16>, tensor<?x4x8x16xf32>
}

func.func @scan_bf16(%x: tensor<?x?x4x8xbf16>, %a: tensor<?x?x4x16xbf16>,
                     %b: tensor<?x?x1x16xbf16>, %c: tensor<?x?x1x16xbf16>)
    -> (tensor<?x?x4x8xbf16>, tensor<?x4x8x16xbf16>) {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<?x?x4x8xbf16>, tensor<?x?x4x16xbf16>, tensor<?x?x1x16xbf16>,
        tensor<?x?x1x16xbf16> -> tensor<?x?x4x8xbf16>, tensor<?x4x8x16xbf16>
  return %y, %s : tensor<?x?x4x8xbf16>, tensor<?x4x8x16xbf16>
}

func.func @chunked_f16(%x: tensor<?x?x4x8xf16>, %a: tensor<?x?x4xf16>,
                       %b: tensor<?x?x1x16xf16>, %c: tensor<?x?x1x16xf16>,
                       %s0: tensor<?x4x8x16xf16>)
    -> (tensor<?x?x4x8xf16>, tensor<?x4x8x16xf16>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 16
      : tensor<?x?x4x8xf16>, tensor<?x?x4xf16>, tensor<?x?x1x16xf16>,
        tensor<?x?x1x16xf16>, tensor<?x4x8x16xf16>
      -> tensor<?x?x4x8xf16>, tensor<?x4x8x16xf16>
  return %y, %s : tensor<?x?x4x8xf16>, tensor<?x4x8x16xf16>
}

func.func @chunked_bf16_diagonal(%x: tensor<?x?x4x8xbf16>,
                                 %a: tensor<?x?x4x16xf32>,
                                 %b: tensor<?x?x2x16xbf16>,
                                 %c: tensor<?x?x2x16xbf16>)
    -> (tensor<?x?x4x8xbf16>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 32
      : tensor<?x?x4x8xbf16>, tensor<?x?x4x16xf32>, tensor<?x?x2x16xbf16>,
        tensor<?x?x2x16xbf16> -> tensor<?x?x4x8xbf16>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xbf16>, tensor<?x4x8x16xf32>
}

func.func @chunked_f64(%x: tensor<?x?x2x4xf64>, %a: tensor<?x?x2xf64>,
                       %b: tensor<?x?x1x8xf64>, %c: tensor<?x?x1x8xf64>)
    -> (tensor<?x?x2x4xf64>, tensor<?x2x4x8xf64>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 16
      : tensor<?x?x2x4xf64>, tensor<?x?x2xf64>, tensor<?x?x1x8xf64>,
        tensor<?x?x1x8xf64> -> tensor<?x?x2x4xf64>, tensor<?x2x4x8xf64>
  return %y, %s : tensor<?x?x2x4xf64>, tensor<?x2x4x8xf64>
}

func.func @attention_f16(%q: tensor<?x?x4x16xf16>, %k: tensor<?x?x1x16xf16>,
                         %v: tensor<?x?x1x8xf16>, %a: tensor<?x?x4xf32>)
    -> (tensor<?x?x4x8xf16>, tensor<?x?x4x8xf16>) {
  %y = interact.attention softmax causal %q, %k, %v scale 0.25
      : tensor<?x?x4x16xf16>, tensor<?x?x1x16xf16>, tensor<?x?x1x8xf16>
      -> tensor<?x?x4x8xf16>
  %z = interact.attention identity semiseparable %q, %k, %v decay %a
      : tensor<?x?x4x16xf16>, tensor<?x?x1x16xf16>, tensor<?x?x1x8xf16>,
        tensor<?x?x4xf32> -> tensor<?x?x4x8xf16>
  return %y, %z : tensor<?x?x4x8xf16>, tensor<?x?x4x8xf16>
}

func.func @attention_bf16(%q: tensor<?x?x4x16xbf16>, %k: tensor<?x?x2x16xbf16>,
                          %v: tensor<?x?x2x8xbf16>, %a: tensor<?x?x4xbf16>)
    -> (tensor<?x?x4x8xbf16>, tensor<?x?x4x8xbf16>) {
  %y = interact.attention softmax semiseparable %q, %k, %v decay %a
      : tensor<?x?x4x16xbf16>, tensor<?x?x2x16xbf16>, tensor<?x?x2x8xbf16>,
        tensor<?x?x4xbf16> -> tensor<?x?x4x8xbf16>
  %z = interact.attention identity none %q, %k, %v scale 0.5
      : tensor<?x?x4x16xbf16>, tensor<?x?x2x16xbf16>, tensor<?x?x2x8xbf16>
      -> tensor<?x?x4x8xbf16>
  return %y, %z : tensor<?x?x4x8xbf16>, tensor<?x?x4x8xbf16>
}
