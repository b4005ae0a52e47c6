// RUN: interact-opt %s --split-input-file --verify-diagnostics --interact-set-target=name=sm_90 --convert-interact-to-gpu
// RUN: not interact-opt %s --interact-set-target=name=sm_90 --convert-interact-to-gpu=scan-p-tile=1000 -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTILE

// A state too large to stage even the smallest time block in 48 KiB of
// shared memory is refused at the op.
func.func @state_too_large(%x: tensor<?x?x2x8xf32>, %a: tensor<?x?x2xf32>,
                           %B: tensor<?x?x1x384xf32>, %C: tensor<?x?x1x384xf32>)
    -> tensor<?x?x2x8xf32> {
  // expected-error @below {{the GPU scan kernel cannot stage state size 384: even its smallest time block (16 steps, the outputs a warp reduces at once) needs 49792 bytes of shared memory}}
  %y, %s = interact.scan %x, %a, %B, %C
      : tensor<?x?x2x8xf32>, tensor<?x?x2xf32>, tensor<?x?x1x384xf32>,
        tensor<?x?x1x384xf32> -> tensor<?x?x2x8xf32>, tensor<?x2x8x384xf32>
  return %y : tensor<?x?x2x8xf32>
}

// A p tile that makes blocks of more than 1024 threads.
// PTILE: error: scan-p-tile=1000 makes blocks of 32000 threads (a warp per 1 rows), more than CUDA's 1024
