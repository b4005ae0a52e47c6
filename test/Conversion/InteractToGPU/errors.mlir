// RUN: interact-opt %s --split-input-file --verify-diagnostics --interact-set-target=name=x86-64-v3 --convert-interact-to-gpu

// GPU kernels for a CPU target are refused, located at the module.
// expected-error @below {{convert-interact-to-gpu builds GPU kernels, but target 'x86-64-v3' is a CPU (its kernels are convert-interact-to-linalg's)}}
module {
  func.func @scan(%x: tensor<1x4x2x3xf32>, %a: tensor<1x4x2xf32>,
                  %B: tensor<1x4x1x5xf32>, %C: tensor<1x4x1x5xf32>)
      -> tensor<1x4x2x3xf32> {
    %y, %s = interact.scan %x, %a, %B, %C
        : tensor<1x4x2x3xf32>, tensor<1x4x2xf32>, tensor<1x4x1x5xf32>,
          tensor<1x4x1x5xf32> -> tensor<1x4x2x3xf32>, tensor<1x2x3x5xf32>
    return %y : tensor<1x4x2x3xf32>
  }
}
