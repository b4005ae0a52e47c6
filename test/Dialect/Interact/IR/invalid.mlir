// RUN: interact-opt %s -split-input-file -verify-diagnostics

// One case per verifier message (and per operand for the shape messages).

//===----------------------------------------------------------------------===//
// Element types checked by ODS
//===----------------------------------------------------------------------===//

func.func @scan_integer_inputs(%x: tensor<1x4x2x8xi32>, %a: tensor<1x4x2xf32>,
                               %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<1x4x2x8xi32>'}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xi32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @attention_unranked(%q: tensor<*xf32>, %v: tensor<1x4x2x8xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<*xf32>'}}
  %y = interact.attention identity causal %q, %q, %v
      : tensor<*xf32>, tensor<*xf32>, tensor<1x4x2x8xf32> -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @scan_f8_state(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                         %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{result #1 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<1x2x8x16xf8E4M3FN>'}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf8E4M3FN>
  return
}

//===----------------------------------------------------------------------===//
// scan: ranks
//===----------------------------------------------------------------------===//

// -----

func.func @scan_x_rank(%x: tensor<4x2x8xf32>, %a: tensor<1x4x2xf32>,
                       %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{'interact.scan' op operand 'x' must have rank 4 (b x t x h x p), but has type 'tensor<4x2x8xf32>'}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_b_rank(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                       %b: tensor<1x4x16xf32>, %c: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{operand 'B' must have rank 4 (b x t x g x n), but has type 'tensor<1x4x16xf32>'}}
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_c_rank(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                       %b: tensor<1x4x1x16xf32>, %c: tensor<1x4x1x16x1xf32>) {
  // expected-error @+1 {{operand 'C' must have rank 4 (b x t x g x n), but has type 'tensor<1x4x1x16x1xf32>'}}
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16x1xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_decay_rank(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4xf32>,
                           %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{operand 'a' must have rank 3 (b x t x h, scalar decay) or rank 4 (b x t x h x n, diagonal decay), but has type 'tensor<1x4xf32>'}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xf32>, tensor<1x4xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_init_state_rank(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                                %b: tensor<1x4x1x16xf32>,
                                %s0: tensor<2x8x16xf32>) {
  // expected-error @+1 {{operand 'init_state' must have rank 4 (b x h x p x n), but has type 'tensor<2x8x16xf32>'}}
  %y, %s = interact.scan %x, %a, %b, %b init %s0
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32>, tensor<2x8x16xf32>
      -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_y_rank(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                       %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{result 'y' must have rank 4 (b x t x h x p), but has type 'tensor<4x2x8xf32>'}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_final_state_rank(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                                 %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{result 'final_state' must have rank 4 (b x h x p x n), but has type 'tensor<1x4x2x8x16xf32>'}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x4x2x8x16xf32>
  return
}

//===----------------------------------------------------------------------===//
// scan: dimensions
//===----------------------------------------------------------------------===//

// -----

func.func @scan_batch_mismatch(%x: tensor<2x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                               %b: tensor<?x4x1x16xf32>) {
  // expected-error @+1 {{operand 'a' has b = 1 (dimension 0), but operand 'x' has b = 2 (dimension 0)}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<2x4x2x8xf32>, tensor<1x4x2xf32>, tensor<?x4x1x16xf32>,
        tensor<?x4x1x16xf32> -> tensor<2x4x2x8xf32>, tensor<2x2x8x16xf32>
  return
}

// -----

func.func @scan_length_mismatch(%x: tensor<1x?x2x8xf32>, %a: tensor<1x4x2xf32>,
                                %b: tensor<1x5x1x16xf32>) {
  // expected-error @+1 {{operand 'a' has t = 4 (dimension 1), but operand 'B' has t = 5 (dimension 1)}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x?x2x8xf32>, tensor<1x4x2xf32>, tensor<1x5x1x16xf32>,
        tensor<1x5x1x16xf32> -> tensor<1x?x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_result_length_mismatch(%x: tensor<1x?x2x8xf32>,
                                       %a: tensor<1x?x2xf32>,
                                       %b: tensor<1x6x1x16xf32>) {
  // expected-error @+1 {{result 'y' has t = 7 (dimension 1), but operand 'B' has t = 6 (dimension 1)}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x?x2x8xf32>, tensor<1x?x2xf32>, tensor<1x6x1x16xf32>,
        tensor<1x6x1x16xf32> -> tensor<1x7x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_state_dim_mismatch(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                                   %b: tensor<1x4x1x16xf32>,
                                   %c: tensor<1x4x1x32xf32>) {
  // expected-error @+1 {{operand 'C' has n = 32 (dimension 3), but operand 'B' has n = 16 (dimension 3)}}
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x32xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_group_mismatch(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                               %b: tensor<1x4x1x16xf32>,
                               %c: tensor<1x4x2x16xf32>) {
  // expected-error @+1 {{operand 'C' has g = 2 (dimension 2), but operand 'B' has g = 1 (dimension 2)}}
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x2x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_head_dim_mismatch(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                                  %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{result 'y' has p = 4 (dimension 3), but operand 'x' has p = 8 (dimension 3)}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x4xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_scalar_decay_heads(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x4xf32>,
                                   %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{operand 'a' has h = 4 (dimension 2), but operand 'x' has h = 2 (dimension 2)}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xf32>, tensor<1x4x4xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_diagonal_decay_state_dim(%x: tensor<1x4x2x8xf32>,
                                         %a: tensor<1x4x2x8xf32>,
                                         %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{operand 'a' has n = 8 (dimension 3), but operand 'B' has n = 16 (dimension 3)}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_init_state_shape(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                                 %b: tensor<1x4x1x16xf32>,
                                 %s0: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{operand 'init_state' has p = 16 (dimension 2), but operand 'x' has p = 8 (dimension 3)}}
  %y, %s = interact.scan %x, %a, %b, %b init %s0
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32>, tensor<1x2x16x8xf32>
      -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_final_state_shape(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                                  %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{result 'final_state' has n = 32 (dimension 3), but operand 'B' has n = 16 (dimension 3)}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x32xf32>
  return
}

// -----

func.func @scan_dynamic_heads(%x: tensor<1x4x?x8xf32>, %a: tensor<1x4x2xf32>,
                              %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{operand 'x' must have a static h (dimension 2)}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x?x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_groups_do_not_divide_heads(%x: tensor<1x4x8x8xf32>,
                                           %a: tensor<1x4x8xf32>,
                                           %b: tensor<1x4x3x16xf32>) {
  // expected-error @+1 {{number of heads h = 8 must be a positive multiple of the number of groups g = 3}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x8x8xf32>, tensor<1x4x8xf32>, tensor<1x4x3x16xf32>,
        tensor<1x4x3x16xf32> -> tensor<1x4x8x8xf32>, tensor<1x8x8x16xf32>
  return
}

//===----------------------------------------------------------------------===//
// scan: element types
//===----------------------------------------------------------------------===//

// -----

func.func @scan_mixed_inputs(%x: tensor<1x4x2x8xf16>, %a: tensor<1x4x2xf32>,
                             %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{operand 'B' has element type 'f32', but operand 'x' has 'f16'}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xf16>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf16>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_bf16_decay_for_f16(%x: tensor<1x4x2x8xf16>, %a: tensor<1x4x2xbf16>,
                                   %b: tensor<1x4x1x16xf16>) {
  // expected-error @+1 {{operand 'a' must have element type f32 or that of operand 'x' ('f16'), but has 'bf16'}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xf16>, tensor<1x4x2xbf16>, tensor<1x4x1x16xf16>,
        tensor<1x4x1x16xf16> -> tensor<1x4x2x8xf16>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_states_disagree(%x: tensor<1x4x2x8xf16>, %a: tensor<1x4x2xf32>,
                                %b: tensor<1x4x1x16xf16>,
                                %s0: tensor<1x2x8x16xf16>) {
  // expected-error @+1 {{operand 'init_state' has element type 'f16', but result 'final_state' has 'f32'}}
  %y, %s = interact.scan %x, %a, %b, %b init %s0
      : tensor<1x4x2x8xf16>, tensor<1x4x2xf32>, tensor<1x4x1x16xf16>,
        tensor<1x4x1x16xf16>, tensor<1x2x8x16xf16>
      -> tensor<1x4x2x8xf16>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_output_type(%x: tensor<1x4x2x8xbf16>, %a: tensor<1x4x2xf32>,
                            %b: tensor<1x4x1x16xbf16>) {
  // expected-error @+1 {{result 'y' has element type 'f32', but operand 'x' has 'bf16'}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xbf16>, tensor<1x4x2xf32>, tensor<1x4x1x16xbf16>,
        tensor<1x4x1x16xbf16> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @scan_f16_state_for_bf16(%x: tensor<1x4x2x8xbf16>,
                                   %a: tensor<1x4x2xf32>,
                                   %b: tensor<1x4x1x16xbf16>) {
  // expected-error @+1 {{result 'final_state' must have element type f32 or that of operand 'x' ('bf16'), but has 'f16'}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xbf16>, tensor<1x4x2xf32>, tensor<1x4x1x16xbf16>,
        tensor<1x4x1x16xbf16> -> tensor<1x4x2x8xbf16>, tensor<1x2x8x16xf16>
  return
}

//===----------------------------------------------------------------------===//
// scan: zero structural sizes (b and t may be 0)
//===----------------------------------------------------------------------===//

// -----

// Each verified, then failed in an upstream pass ("offset 3 is out-of-bounds").
func.func @scan_zero_p(%x: tensor<1x4x2x0xf32>, %a: tensor<1x4x2xf32>,
                       %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{'interact.scan' op operand 'x' has p = 0 (dimension 3), but p must be positive}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x0xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x0xf32>, tensor<1x2x0x16xf32>
  return
}

// -----

func.func @scan_zero_n(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                       %b: tensor<1x4x1x0xf32>) {
  // expected-error @+1 {{operand 'B' has n = 0 (dimension 3), but n must be positive}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x0xf32>,
        tensor<1x4x1x0xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x0xf32>
  return
}

// -----

func.func @scan_zero_h(%x: tensor<1x4x0x8xf32>, %a: tensor<1x4x0xf32>,
                       %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{operand 'x' has h = 0 (dimension 2), but h must be positive}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x0x8xf32>, tensor<1x4x0xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x0x8xf32>, tensor<1x0x8x16xf32>
  return
}

// -----

func.func @scan_zero_g(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                       %b: tensor<1x4x0x16xf32>) {
  // expected-error @+1 {{operand 'B' has g = 0 (dimension 2), but g must be positive}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x0x16xf32>,
        tensor<1x4x0x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

// A zero size is reported before any disagreement with other operands.
func.func @chunked_scan_zero_state_p(%x: tensor<?x?x2x8xf32>,
                                     %a: tensor<?x?x2xf32>,
                                     %b: tensor<?x?x1x16xf32>,
                                     %s0: tensor<?x2x0x16xf32>) {
  // expected-error @+1 {{'interact.chunked_scan' op operand 'init_state' has p = 0 (dimension 2), but p must be positive}}
  %y, %s = interact.chunked_scan %x, %a, %b, %b init %s0 chunk_size 4
      : tensor<?x?x2x8xf32>, tensor<?x?x2xf32>, tensor<?x?x1x16xf32>,
        tensor<?x?x1x16xf32>, tensor<?x2x0x16xf32>
      -> tensor<?x?x2x8xf32>, tensor<?x2x8x16xf32>
  return
}

//===----------------------------------------------------------------------===//
// chunked_scan
//===----------------------------------------------------------------------===//

// -----

func.func @chunked_scan_zero_chunk(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                                   %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{'interact.chunked_scan' op chunk_size must be positive, but is 0}}
  %y, %s = interact.chunked_scan %x, %a, %b, %b chunk_size 0
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @chunked_scan_negative_chunk(%x: tensor<1x4x2x8xf32>,
                                       %a: tensor<1x4x2xf32>,
                                       %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{chunk_size must be positive, but is -16}}
  %y, %s = interact.chunked_scan %x, %a, %b, %b chunk_size -16
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

// 65536 lanes aborted LLVM's code generator; 32768 compiled for minutes.
func.func @chunked_scan_huge_chunk(%x: tensor<1x4x2x8xf32>,
                                   %a: tensor<1x4x2xf32>,
                                   %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{'interact.chunked_scan' op chunk_size must be at most 1024, but is 65536}}
  %y, %s = interact.chunked_scan %x, %a, %b, %b chunk_size 65536
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @chunked_scan_chunk_over_bound(%x: tensor<1x4x2x8xf32>,
                                         %a: tensor<1x4x2xf32>,
                                         %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{chunk_size must be at most 1024, but is 1025}}
  %y, %s = interact.chunked_scan %x, %a, %b, %b chunk_size 1025
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

// chunked_scan shares scan's shape verifier.
func.func @chunked_scan_batch_mismatch(%x: tensor<1x4x2x8xf32>,
                                       %a: tensor<1x4x2xf32>,
                                       %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{'interact.chunked_scan' op result 'final_state' has b = 3 (dimension 0), but operand 'x' has b = 1 (dimension 0)}}
  %y, %s = interact.chunked_scan %x, %a, %b, %b chunk_size 2
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<3x2x8x16xf32>
  return
}

//===----------------------------------------------------------------------===//
// attention
//===----------------------------------------------------------------------===//

// -----

func.func @attention_semiseparable_without_decay(%q: tensor<1x4x2x8xf32>) {
  // expected-error @+1 {{'interact.attention' op mask 'semiseparable' requires a decay operand}}
  %y = interact.attention identity semiseparable %q, %q, %q
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>
      -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_decay_without_semiseparable(%q: tensor<1x4x2x8xf32>,
                                                 %a: tensor<1x4x2xf32>) {
  // expected-error @+1 {{a decay operand is only allowed with mask 'semiseparable', but the mask is 'causal'}}
  %y = interact.attention identity causal %q, %q, %q decay %a
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>,
        tensor<1x4x2xf32> -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_infinite_scale(%q: tensor<1x4x2x8xf32>) {
  // expected-error @+1 {{scale must be finite, but is 0x7F800000 : f32}}
  %y = interact.attention softmax causal %q, %q, %q scale 0x7F800000
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>
      -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_q_rank(%q: tensor<4x2x8xf32>, %k: tensor<1x4x2x8xf32>) {
  // expected-error @+1 {{operand 'q' must have rank 4 (b x t x h_q x n), but has type 'tensor<4x2x8xf32>'}}
  %y = interact.attention softmax causal %q, %k, %k
      : tensor<4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>
      -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_k_rank(%q: tensor<1x4x2x8xf32>, %k: tensor<1x4x16xf32>) {
  // expected-error @+1 {{operand 'k' must have rank 4 (b x s x h_k x n), but has type 'tensor<1x4x16xf32>'}}
  %y = interact.attention softmax causal %q, %k, %q
      : tensor<1x4x2x8xf32>, tensor<1x4x16xf32>, tensor<1x4x2x8xf32>
      -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_v_rank(%q: tensor<1x4x2x8xf32>, %v: tensor<1x4x16xf32>) {
  // expected-error @+1 {{operand 'v' must have rank 4 (b x s x h_v x p), but has type 'tensor<1x4x16xf32>'}}
  %y = interact.attention softmax causal %q, %q, %v
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x16xf32>
      -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_y_rank(%q: tensor<1x4x2x8xf32>) {
  // expected-error @+1 {{result 'y' must have rank 4 (b x t x H x p), but has type 'tensor<1x4x16xf32>'}}
  %y = interact.attention softmax causal %q, %q, %q
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>
      -> tensor<1x4x16xf32>
  return
}

// -----

func.func @attention_diagonal_decay(%q: tensor<1x4x2x8xf32>,
                                    %a: tensor<1x4x2x8xf32>) {
  // expected-error @+1 {{operand 'decay' must have rank 3 (b x t x H), but has type 'tensor<1x4x2x8xf32>'}}
  %y = interact.attention identity semiseparable %q, %q, %q decay %a
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>,
        tensor<1x4x2x8xf32> -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_decay_length(%q: tensor<1x4x2x8xf32>, %a: tensor<1x5x2xf32>) {
  // expected-error @+1 {{operand 'decay' has t = 5 (dimension 1), but operand 'q' has t = 4 (dimension 1)}}
  %y = interact.attention identity semiseparable %q, %q, %q decay %a
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>,
        tensor<1x5x2xf32> -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_decay_heads(%q: tensor<1x4x2x8xf32>, %a: tensor<1x4x1xf32>) {
  // expected-error @+1 {{operand 'decay' has H = 1 (dimension 2), but result 'y' has H = 2 (dimension 2)}}
  %y = interact.attention identity semiseparable %q, %q, %q decay %a
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>,
        tensor<1x4x1xf32> -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_key_dim(%q: tensor<1x4x2x8xf32>, %k: tensor<1x4x2x16xf32>) {
  // expected-error @+1 {{operand 'k' has n = 16 (dimension 3), but operand 'q' has n = 8 (dimension 3)}}
  %y = interact.attention softmax none %q, %k, %q
      : tensor<1x4x2x8xf32>, tensor<1x4x2x16xf32>, tensor<1x4x2x8xf32>
      -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_key_value_length(%q: tensor<1x4x2x8xf32>,
                                      %k: tensor<1x6x2x8xf32>,
                                      %v: tensor<1x7x2x8xf32>) {
  // expected-error @+1 {{operand 'v' has s = 7 (dimension 1), but operand 'k' has s = 6 (dimension 1)}}
  %y = interact.attention softmax none %q, %k, %v
      : tensor<1x4x2x8xf32>, tensor<1x6x2x8xf32>, tensor<1x7x2x8xf32>
      -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_value_dim(%q: tensor<1x4x2x8xf32>, %v: tensor<1x4x2x16xf32>) {
  // expected-error @+1 {{result 'y' has p = 8 (dimension 3), but operand 'v' has p = 16 (dimension 3)}}
  %y = interact.attention softmax causal %q, %q, %v
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x16xf32>
      -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_dynamic_value_dim(%q: tensor<1x4x2x8xf32>,
                                       %v: tensor<1x4x2x?xf32>) {
  // expected-error @+1 {{operand 'v' must have a static p (dimension 3)}}
  %y = interact.attention softmax causal %q, %q, %v
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x?xf32>
      -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_heads_do_not_divide(%q: tensor<1x4x8x8xf32>,
                                         %k: tensor<1x4x3x8xf32>) {
  // expected-error @+1 {{head count h_k = 3 must divide the output head count H = 8}}
  %y = interact.attention softmax causal %q, %k, %k
      : tensor<1x4x8x8xf32>, tensor<1x4x3x8xf32>, tensor<1x4x3x8xf32>
      -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @attention_too_many_output_heads(%q: tensor<1x4x2x8xf32>) {
  // expected-error @+1 {{output head count H = 4 must equal the largest operand head count 2}}
  %y = interact.attention softmax causal %q, %q, %q
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>
      -> tensor<1x4x4x8xf32>
  return
}

// -----

func.func @attention_causal_lengths(%q: tensor<1x4x2x8xf32>,
                                    %k: tensor<1x8x2x8xf32>) {
  // expected-error @+1 {{mask 'causal' requires as many keys as queries, but t = 4 and s = 8}}
  %y = interact.attention identity causal %q, %k, %k
      : tensor<1x4x2x8xf32>, tensor<1x8x2x8xf32>, tensor<1x8x2x8xf32>
      -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_semiseparable_lengths(%q: tensor<1x4x2x8xf32>,
                                           %k: tensor<1x8x2x8xf32>,
                                           %a: tensor<1x4x2xf32>) {
  // expected-error @+1 {{mask 'semiseparable' requires as many keys as queries, but t = 4 and s = 8}}
  %y = interact.attention identity semiseparable %q, %k, %k decay %a
      : tensor<1x4x2x8xf32>, tensor<1x8x2x8xf32>, tensor<1x8x2x8xf32>,
        tensor<1x4x2xf32> -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_mixed_types(%q: tensor<1x4x2x8xbf16>,
                                 %k: tensor<1x4x2x8xf16>) {
  // expected-error @+1 {{operand 'k' has element type 'f16', but operand 'q' has 'bf16'}}
  %y = interact.attention softmax causal %q, %k, %q
      : tensor<1x4x2x8xbf16>, tensor<1x4x2x8xf16>, tensor<1x4x2x8xbf16>
      -> tensor<1x4x2x8xbf16>
  return
}

// -----

func.func @attention_f64_decay_for_f32(%q: tensor<1x4x2x8xf32>,
                                       %a: tensor<1x4x2xf64>) {
  // expected-error @+1 {{operand 'decay' must have element type f32 or that of operand 'q' ('f32'), but has 'f64'}}
  %y = interact.attention identity semiseparable %q, %q, %q decay %a
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>,
        tensor<1x4x2xf64> -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_zero_key_heads(%q: tensor<1x4x2x8xf32>,
                                    %k: tensor<1x4x0x8xf32>) {
  // expected-error @+1 {{'interact.attention' op operand 'k' has h_k = 0 (dimension 2), but h_k must be positive}}
  %y = interact.attention softmax causal %q, %k, %q
      : tensor<1x4x2x8xf32>, tensor<1x4x0x8xf32>, tensor<1x4x2x8xf32>
      -> tensor<1x4x2x8xf32>
  return
}

// -----

func.func @attention_zero_p(%q: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x0xf32>) {
  // expected-error @+1 {{operand 'v' has p = 0 (dimension 3), but p must be positive}}
  %y = interact.attention identity causal %q, %q, %v
      : tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x0xf32>
      -> tensor<?x?x2x0xf32>
  return
}
