// Every rewrite, and the round trips between forms, against the float64
// reference of the IR before the rewrite (--reference-from=%s): scalar and
// diagonal decay, groups, initial and final state, odd lengths, f16.
//
// scan -> attention, then back: scan -> attention -> scan.
// RUN: interact-opt %s --interact-scan-to-attention | interact-run - --target=%{target} --function=scan_init --random-inputs=1 --dim=t=7 --check --reference-from=%s | FileCheck %s
// RUN: interact-opt %s --interact-scan-to-attention | interact-run - --target=%{target} --function=scan_init --random-inputs=2 --dim=b=1 --dim=t=65 --check --reference-from=%s | FileCheck %s
// RUN: interact-opt %s --interact-scan-to-attention | interact-run - --target=%{target} --function=scan_f16 --random-inputs=3 --dim=t=33 --check --reference-from=%s | FileCheck %s
// RUN: interact-opt %s --interact-scan-to-attention --interact-attention-to-scan | interact-run - --target=%{target} --function=scan_init --random-inputs=4 --dim=t=64 --check --reference-from=%s | FileCheck %s
//
// split by decay class (G = 2, interleaved columns), then each class to
// attention, and a broadcast decay (G = 1).
// RUN: interact-opt %s --interact-split-decay-classes | interact-run - --target=%{target} --function=diagonal_two_classes --random-inputs=5 --dim=t=65 --check --reference-from=%s | FileCheck %s
// RUN: interact-opt %s --interact-split-decay-classes --interact-scan-to-attention | interact-run - --target=%{target} --function=diagonal_two_classes --random-inputs=6 --dim=t=7 --check --reference-from=%s | FileCheck %s
// RUN: interact-opt %s --interact-scan-to-attention | interact-run - --target=%{target} --function=diagonal_broadcast --random-inputs=7 --dim=t=40 --check --reference-from=%s | FileCheck %s
//
// attention -> scan, then back: attention -> scan -> attention.
// RUN: interact-opt %s --interact-attention-to-scan | interact-run - --target=%{target} --function=attention_semiseparable --random-inputs=8 --dim=t=65 --check --reference-from=%s | FileCheck %s --check-prefix=ONE
// RUN: interact-opt %s --interact-attention-to-scan | interact-run - --target=%{target} --function=attention_causal_grouped --random-inputs=9 --dim=t=20 --check --reference-from=%s | FileCheck %s --check-prefix=ONE
// RUN: interact-opt %s --interact-attention-to-scan --interact-scan-to-attention | interact-run - --target=%{target} --function=attention_semiseparable --random-inputs=10 --dim=t=33 --check --reference-from=%s | FileCheck %s --check-prefix=ONE
//
// to chunked, from a scan and from attention; and form selection.
// RUN: interact-opt %s --interact-to-chunked=chunk-size=16 | interact-run - --target=%{target} --function=scan_init --random-inputs=11 --dim=t=100 --check --reference-from=%s | FileCheck %s
// RUN: interact-opt %s --interact-to-chunked=chunk-size=24 | interact-run - --target=%{target} --function=attention_semiseparable --random-inputs=12 --dim=t=100 --check --reference-from=%s | FileCheck %s --check-prefix=ONE
// RUN: interact-opt %s --target=%{target} --interact-select-form=seq-len=16 | interact-run - --target=%{target} --function=scan_init --random-inputs=13 --dim=t=16 --check --reference-from=%s | FileCheck %s
// RUN: interact-run %s --target=%{target} --function=attention_causal_grouped --random-inputs=14 --dim=t=300 --select-form --check | FileCheck %s --check-prefix=ONE

// CHECK: check: output 0: max relative error {{.*}}: ok
// CHECK: check: output 1: max relative error {{.*}}: ok
// CHECK: check: PASSED
// ONE: check: output 0: max relative error {{.*}}: ok
// ONE: check: PASSED

#bth = affine_map<(b, t, h, n) -> (b, t, h)>
#hn = affine_map<(b, t, h, n) -> (h, n)>
#id = affine_map<(b, t, h, n) -> (b, t, h, n)>

func.func @scan_init(%x: tensor<?x?x4x8xf32>, %a: tensor<?x?x4xf32>,
                     %b: tensor<?x?x2x16xf32>, %c: tensor<?x?x2x16xf32>,
                     %s0: tensor<?x4x8x16xf32>)
    -> (tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c init %s0
      : tensor<?x?x4x8xf32>, tensor<?x?x4xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32>, tensor<?x4x8x16xf32>
      -> tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
}

func.func @scan_f16(%x: tensor<?x?x2x8xf16>, %a: tensor<?x?x2xf32>,
                    %b: tensor<?x?x1x16xf16>, %s0: tensor<?x2x8x16xf32>)
    -> (tensor<?x?x2x8xf16>, tensor<?x2x8x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b init %s0
      : tensor<?x?x2x8xf16>, tensor<?x?x2xf32>, tensor<?x?x1x16xf16>,
        tensor<?x?x1x16xf16>, tensor<?x2x8x16xf32>
      -> tensor<?x?x2x8xf16>, tensor<?x2x8x16xf32>
  return %y, %s : tensor<?x?x2x8xf16>, tensor<?x2x8x16xf32>
}

// a = softplus(dt) * A with A's columns {0, 2, 4} and {1, 3, 5} equal.
func.func @diagonal_two_classes(%x: tensor<?x?x2x4xf32>, %dt: tensor<?x?x2xf32>,
                                %b: tensor<?x?x1x6xf32>, %c: tensor<?x?x1x6xf32>,
                                %s0: tensor<?x2x4x6xf32>)
    -> (tensor<?x?x2x4xf32>, tensor<?x2x4x6xf32>) {
  %A = arith.constant dense<[[-1.0, -2.0, -1.0, -2.0, -1.0, -2.0],
                             [-0.5, -3.0, -0.5, -3.0, -0.5, -3.0]]> : tensor<2x6xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %bs = tensor.dim %dt, %c0 : tensor<?x?x2xf32>
  %ts = tensor.dim %dt, %c1 : tensor<?x?x2xf32>
  %e = tensor.empty(%bs, %ts) : tensor<?x?x2x6xf32>
  %a = linalg.generic {indexing_maps = [#bth, #hn, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dt, %A : tensor<?x?x2xf32>, tensor<2x6xf32>) outs(%e : tensor<?x?x2x6xf32>) {
  ^bb0(%d: f32, %av: f32, %o: f32):
    %ex = math.exp %d : f32
    %sp = math.log1p %ex : f32
    %r = arith.mulf %sp, %av : f32
    linalg.yield %r : f32
  } -> tensor<?x?x2x6xf32>
  %y, %s = interact.scan %x, %a, %b, %c init %s0
      : tensor<?x?x2x4xf32>, tensor<?x?x2x6xf32>, tensor<?x?x1x6xf32>,
        tensor<?x?x1x6xf32>, tensor<?x2x4x6xf32>
      -> tensor<?x?x2x4xf32>, tensor<?x2x4x6xf32>
  return %y, %s : tensor<?x?x2x4xf32>, tensor<?x2x4x6xf32>
}

func.func @diagonal_broadcast(%x: tensor<?x?x2x4xf32>, %dt: tensor<?x?x2xf32>,
                              %b: tensor<?x?x1x8xf32>, %s0: tensor<?x2x4x8xf32>)
    -> (tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %bs = tensor.dim %dt, %c0 : tensor<?x?x2xf32>
  %ts = tensor.dim %dt, %c1 : tensor<?x?x2xf32>
  %e = tensor.empty(%bs, %ts) : tensor<?x?x2x8xf32>
  %a = linalg.generic {indexing_maps = [#bth, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dt : tensor<?x?x2xf32>) outs(%e : tensor<?x?x2x8xf32>) {
  ^bb0(%d: f32, %o: f32):
    %ex = math.exp %d : f32
    %sp = math.log1p %ex : f32
    %r = arith.negf %sp : f32
    linalg.yield %r : f32
  } -> tensor<?x?x2x8xf32>
  %y, %s = interact.scan %x, %a, %b, %b init %s0
      : tensor<?x?x2x4xf32>, tensor<?x?x2x8xf32>, tensor<?x?x1x8xf32>,
        tensor<?x?x1x8xf32>, tensor<?x2x4x8xf32>
      -> tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>
  return %y, %s : tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>
}

func.func @attention_semiseparable(%q: tensor<?x?x2x16xf32>,
                                   %k: tensor<?x?x2x16xf32>,
                                   %v: tensor<?x?x4x8xf32>,
                                   %a: tensor<?x?x4xf32>) -> tensor<?x?x4x8xf32> {
  %y = interact.attention identity semiseparable %q, %k, %v decay %a scale 0.5
      : tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x4x8xf32>,
        tensor<?x?x4xf32> -> tensor<?x?x4x8xf32>
  return %y : tensor<?x?x4x8xf32>
}

func.func @attention_causal_grouped(%q: tensor<?x?x8x16xf32>,
                                    %k: tensor<?x?x2x16xf32>,
                                    %v: tensor<?x?x1x8xf32>) -> tensor<?x?x8x8xf32> {
  %y = interact.attention identity causal %q, %k, %v scale 0.25
      : tensor<?x?x8x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x1x8xf32>
      -> tensor<?x?x8x8xf32>
  return %y : tensor<?x?x8x8xf32>
}
