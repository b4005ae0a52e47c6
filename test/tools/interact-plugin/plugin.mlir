// The installed mlir-opt (not ours) loads interact as a dialect and a pass
// plugin: ops parse, print and verify, and passes run.
//
// RUN: %mlir_opt %s --load-dialect-plugin=%interact_plugin --verify-roundtrip | FileCheck %s
// RUN: %mlir_opt %s --load-dialect-plugin=%interact_plugin --load-pass-plugin=%interact_plugin --pass-pipeline="builtin.module(interact-print-structure)" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PASS
// RUN: %mlir_opt --load-pass-plugin=%interact_plugin --help | FileCheck %s --check-prefix=HELP
// RUN: %mlir_opt %s --load-dialect-plugin=%interact_plugin --load-pass-plugin=%interact_plugin --pass-pipeline="builtin.module(interact-cpu-pipeline)" | FileCheck %s --check-prefix=LOWER
// RUN: %mlir_opt %S/Inputs/invalid.mlir --load-dialect-plugin=%interact_plugin --split-input-file --verify-diagnostics
// RUN: not %mlir_opt %s 2>&1 | FileCheck %s --check-prefix=NOPLUGIN

// CHECK-LABEL: func.func @mamba2_heads
// CHECK: interact.scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x32x4x16xf32>
// CHECK: interact.chunked_scan %{{.*}} chunk_size 64
// CHECK: interact.attention softmax causal

// PASS: remark: recurrent form, causal, scalar decay
// PASS: remark: chunked form, causal, scalar decay
// PASS: remark: attention form, causal, none decay, no finite-state recurrence

// LOWER: llvm.func @mamba2_heads
// LOWER-NOT: interact.
// HELP: --convert-interact-to-linalg
// HELP: --interact-print-structure
// HELP-NEXT: --batch
// HELP: --interact-cpu-pipeline
// NOPLUGIN: error: Dialect `interact' not found for custom op 'interact.scan'

func.func @mamba2_heads(%x: tensor<1x32x4x16xf32>, %a: tensor<1x32x4xf32>,
                        %b: tensor<1x32x1x8xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x32x4x16xf32>, tensor<1x32x4xf32>, tensor<1x32x1x8xf32>,
        tensor<1x32x1x8xf32> -> tensor<1x32x4x16xf32>, tensor<1x4x16x8xf32>
  %y2, %s2 = interact.chunked_scan %x, %a, %b, %b chunk_size 64
      : tensor<1x32x4x16xf32>, tensor<1x32x4xf32>, tensor<1x32x1x8xf32>,
        tensor<1x32x1x8xf32> -> tensor<1x32x4x16xf32>, tensor<1x4x16x8xf32>
  %o = interact.attention softmax causal %x, %x, %x scale 0.25
      : tensor<1x32x4x16xf32>, tensor<1x32x4x16xf32>, tensor<1x32x4x16xf32>
      -> tensor<1x32x4x16xf32>
  return
}
