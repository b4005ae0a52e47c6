// A long sequence (t = 65536) with realistic decays: every form of the scan
// gives finite outputs that match the float64 recurrence.
//
// RUN: interact-run %s --target=%{target} --function=scan_scalar --random-inputs=1 --dim=b=1 --dim=t=65536 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=chunked_scalar --random-inputs=2 --dim=b=1 --dim=t=65536 --check | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=chunked_diagonal_bf16 --random-inputs=3 --dim=b=1 --dim=t=65536 --check | FileCheck %s

// CHECK-NOT: non-finite
// CHECK: check: output 0: max relative error {{.*}}: ok
// CHECK: check: output 1: max relative error {{.*}}: ok
// CHECK: check: PASSED

func.func @scan_scalar(%x: tensor<?x?x2x8xf32>, %a: tensor<?x?x2xf32>,
                       %b: tensor<?x?x1x8xf32>, %c: tensor<?x?x1x8xf32>)
    -> (tensor<?x?x2x8xf32>, tensor<?x2x8x8xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<?x?x2x8xf32>, tensor<?x?x2xf32>, tensor<?x?x1x8xf32>,
        tensor<?x?x1x8xf32> -> tensor<?x?x2x8xf32>, tensor<?x2x8x8xf32>
  return %y, %s : tensor<?x?x2x8xf32>, tensor<?x2x8x8xf32>
}

func.func @chunked_scalar(%x: tensor<?x?x2x8xf32>, %a: tensor<?x?x2xf32>,
                          %b: tensor<?x?x1x8xf32>, %c: tensor<?x?x1x8xf32>)
    -> (tensor<?x?x2x8xf32>, tensor<?x2x8x8xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 64
      : tensor<?x?x2x8xf32>, tensor<?x?x2xf32>, tensor<?x?x1x8xf32>,
        tensor<?x?x1x8xf32> -> tensor<?x?x2x8xf32>, tensor<?x2x8x8xf32>
  return %y, %s : tensor<?x?x2x8xf32>, tensor<?x2x8x8xf32>
}

func.func @chunked_diagonal_bf16(%x: tensor<?x?x2x8xbf16>,
                                 %a: tensor<?x?x2x8xf32>,
                                 %b: tensor<?x?x1x8xbf16>,
                                 %c: tensor<?x?x1x8xbf16>)
    -> (tensor<?x?x2x8xbf16>, tensor<?x2x8x8xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 128
      : tensor<?x?x2x8xbf16>, tensor<?x?x2x8xf32>, tensor<?x?x1x8xbf16>,
        tensor<?x?x1x8xbf16> -> tensor<?x?x2x8xbf16>, tensor<?x2x8x8xf32>
  return %y, %s : tensor<?x?x2x8xbf16>, tensor<?x2x8x8xf32>
}
