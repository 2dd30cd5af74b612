;; wasm-smith module (difftest seed 20261207, module 1306) on which the optimizing tier
;; diverged when its analysis, reused from one function to the next, kept the
;; previous function's hoisted instructions while computing liveness: func 3's
;; globals came out wrong. Kept whole: it is what found the bug.
(module
  (type (;0;) (func (param f32)))
  (type (;1;) (func (param i32)))
  (global (;0;) i32 i32.const 2127567229)
  (global (;1;) f64 f64.const -0x1.fac350ec34fe1p+636 (;=-564471651050125300000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;))
  (global (;2;) (mut i32) i32.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (global (;4;) (mut i32) i32.const 0)
  (global (;5;) (mut i64) i64.const 0)
  (global (;6;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;7;) (mut i32) i32.const 100)
  (export "F" (func 0))
  (export "" (func 1))
  (export "2" (func 2))
  (export "3" (func 3))
  (export "4" (func 4))
  (export "5" (global 0))
  (export "6" (global 1))
  (export "7" (global 2))
  (export ".\u{464}" (global 3))
  (export "9" (global 4))
  (export "P6" (global 5))
  (export "11" (global 6))
  (func (;0;) (type 0) (param f32)
    (local v128)
    global.get 7
    i32.eqz
    if ;; label = @1
      unreachable
    end
    global.get 7
    i32.const 1
    i32.sub
    global.set 7
  )
  (func (;1;) (type 0) (param f32)
    global.get 7
    i32.eqz
    if ;; label = @1
      unreachable
    end
    global.get 7
    i32.const 1
    i32.sub
    global.set 7
    global.get 0
    local.get 0
    f32.nearest
    f32x4.splat
    f64x2.floor
    i16x8.extend_low_i8x16_s
    i16x8.neg
    i32x4.extract_lane 1
    call 2
    br_table 0 0
    i32.const 511
    i32.extend8_s
    i64.const -70368744177664
    v128.const i32x4 0x73468327 0x80fb1188 0x17ca1aea 0x022c5178
    i8x16.extract_lane_u 4
    ref.null func
    br 0
    ref.is_null
    i32.xor
    block (result f32) ;; label = @1
      block ;; label = @2
        br 2
        f32.const 0x1.fffp-137 (;=0.000000000000000000000000000000000000000011478;)
        i64.const -17179869185
        f32.convert_i64_s
        i64.trunc_f32_u
        i64.extend16_s
        i64.const -4096
        i64.ne
        f32.convert_i32_u
        f32.gt
        nop
        f32.convert_i32_s
        f32.ceil
        local.get 0
        ref.null extern
        ref.null extern
        i64.const 2008174035364245985
        f64.convert_i64_s
        block ;; label = @3
          f32.const 0x1.bca186p-85 (;=0.000000000000000000000000044896253;)
          f64.promote_f32
          loop (result i32) ;; label = @4
            global.get 7
            i32.eqz
            if ;; label = @5
              unreachable
            end
            global.get 7
            i32.const 1
            i32.sub
            global.set 7
            global.get 1
            ref.null extern
            local.get 0
            i32.trunc_f32_s
            br_if 0 (;@4;)
            loop ;; label = @5
              global.get 7
              i32.eqz
              if ;; label = @6
                unreachable
              end
              global.get 7
              i32.const 1
              i32.sub
              global.set 7
              local.get 0
              i64.trunc_sat_f32_u
              i64.eqz
              ref.null func
              ref.is_null
              i64.const 4286578687
              i64.clz
              br 5
              f32.const -0x1.483c6ap-32 (;=-0.0000000002985289;)
              i64.const 2902461811780505400
              f32.convert_i64_u
              f32.ge
              f64.convert_i32_u
              v128.const i32x4 0x57557d4f 0xe35ddc86 0xa9fdca59 0x4522945f
              i32x4.trunc_sat_f32x4_s
              i32x4.neg
              f32x4.ceil
              i64x2.extend_high_i32x4_s
              local.get 0
              loop (result f64) ;; label = @6
                global.get 7
                i32.eqz
                if ;; label = @7
                  unreachable
                end
                global.get 7
                i32.const 1
                i32.sub
                global.set 7
                i64.const 6654808106398608084
                local.get 0
                i32.const -2049
                i32.const -4194304
                i32.shr_u
                i32.const 1460341608
                i32.shl
                i64.const 256
                f64.convert_i64_u
                f64.floor
                i32.trunc_f64_u
                br 2 (;@4;)
                f32.convert_i32_s
                f32.nearest
                f32.trunc
                i32.reinterpret_f32
                block (result externref) ;; label = @7
                  local.get 0
                  f32.trunc
                  global.get 1
                  i64.trunc_f64_u
                  f32.const -nan:0x3fffff (;=NaN;)
                  i64.trunc_sat_f32_s
                  loop ;; label = @8
                    global.get 7
                    i32.eqz
                    if ;; label = @9
                      unreachable
                    end
                    global.get 7
                    i32.const 1
                    i32.sub
                    global.set 7
                    loop (result i64) ;; label = @9
                      global.get 7
                      i32.eqz
                      if ;; label = @10
                        unreachable
                      end
                      global.get 7
                      i32.const 1
                      i32.sub
                      global.set 7
                      i32.const 32
                      i32.extend16_s
                      i32.ctz
                      block (type 1) (param i32) ;; label = @10
                        f32.const -0x1.222fe2p+62 (;=-5227545000000000000;)
                        i32.trunc_sat_f32_s
                        global.get 2
                        i32.xor
                        global.set 2
                        global.get 2
                        i32.xor
                        global.set 2
                      end
                      i64.const 5340962794332589372
                    end
                    global.get 3
                    i64.xor
                    global.set 3
                  end
                  global.get 3
                  i64.xor
                  global.set 3
                  global.get 3
                  i64.xor
                  global.set 3
                  i32.reinterpret_f32
                  global.get 4
                  i32.xor
                  global.set 4
                  ref.null extern
                end
                drop
                global.get 2
                i32.xor
                global.set 2
                drop
                i32.reinterpret_f32
                global.get 4
                i32.xor
                global.set 4
                global.get 3
                i64.xor
                global.set 3
                f64.const -nan:0xfffffc0000000 (;=NaN;)
              end
              i64.reinterpret_f64
              global.get 5
              i64.xor
              global.set 5
              i32.reinterpret_f32
              global.get 4
              i32.xor
              global.set 4
              global.get 6
              v128.xor
              global.set 6
              i64.reinterpret_f64
              global.get 5
              i64.xor
              global.set 5
              global.get 3
              i64.xor
              global.set 3
              global.get 2
              i32.xor
              global.set 2
              global.get 2
              i32.xor
              global.set 2
            end
            drop
            i64.reinterpret_f64
            global.get 5
            i64.xor
            global.set 5
            i32.const -134217729
          end
          global.get 2
          i32.xor
          global.set 2
          i64.reinterpret_f64
          global.get 5
          i64.xor
          global.set 5
        end
        i64.reinterpret_f64
        global.get 5
        i64.xor
        global.set 5
        drop
        drop
        i32.reinterpret_f32
        global.get 4
        i32.xor
        global.set 4
        i32.reinterpret_f32
        global.get 4
        i32.xor
        global.set 4
      end
      f32.const -0x1.adef6p-17 (;=-0.000012813063;)
    end
    i32.reinterpret_f32
    global.get 4
    i32.xor
    global.set 4
    global.get 2
    i32.xor
    global.set 2
    global.get 3
    i64.xor
    global.set 3
    global.get 2
    i32.xor
    global.set 2
  )
  (func (;2;) (type 1) (param i32)
    (local i64 i64)
    global.get 7
    i32.eqz
    if ;; label = @1
      unreachable
    end
    global.get 7
    i32.const 1
    i32.sub
    global.set 7
    loop (result f32) ;; label = @1
      global.get 7
      i32.eqz
      if ;; label = @2
        unreachable
      end
      global.get 7
      i32.const 1
      i32.sub
      global.set 7
      i64.const -8589934593
      local.get 0
      f32.convert_i32_s
      global.get 1
      f32.demote_f64
      i32.trunc_f32_u
      br 0 (;@1;)
      f32.reinterpret_i32
      i32.trunc_sat_f32_u
      ref.null func
      ref.null func
      ref.null func
      f32.const -0x1.dddddcp+94 (;=-36973140000000000000000000000;)
      f32.nearest
      i32.trunc_sat_f32_u
      if (result f64) ;; label = @2
        global.get 0
        i16x8.splat
        v128.not
        f32x4.sqrt
        f64.const 0x1.4a9f275bb1cf5p+921 (;=22893773845669804000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
        f64.const 0x1.2eee2445fa67fp-625 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000008498756278958275;)
        f64.lt
        i8x16.replace_lane 5
        i16x8.extract_lane_s 3
        br_if 1 (;@1;)
        global.get 0
        i32.ctz
        f32.convert_i32_u
        i64.trunc_f32_u
        i64.extend8_s
        loop (result externref) ;; label = @3
          global.get 7
          i32.eqz
          if ;; label = @4
            unreachable
          end
          global.get 7
          i32.const 1
          i32.sub
          global.set 7
          f64.const 0x1.p-1057 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000064758;)
          ref.null extern
          ref.is_null
          i64.extend_i32_u
          i64.extend8_s
          i64.extend32_s
          ref.null func
          global.get 0
          f32.reinterpret_i32
          f32.floor
          call 4
          i32.const -32
          f64.convert_i32_u
          v128.const i32x4 0xe66035f9 0x77f0e059 0x5bea8912 0xde330156
          block (result i64) ;; label = @4
            loop (result f32) ;; label = @5
              global.get 7
              i32.eqz
              if ;; label = @6
                unreachable
              end
              global.get 7
              i32.const 1
              i32.sub
              global.set 7
              global.get 0
              nop
              i64.const 2
              local.tee 1
              local.set 1
              global.get 0
              block (result f32) ;; label = @6
                global.get 1
                i64.const -4194305
                i64.eqz
                i32.const 1312794258
                i32.lt_u
                i32.ctz
                block (type 1) (param i32) ;; label = @7
                  f64.convert_i32_u
                  f64.trunc
                  i32.trunc_f64_s
                  f64.const -0x1.466b9abca2d7ap-410 (;=-0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004822131081422198;)
                  f64x2.splat
                  f64x2.neg
                  i16x8.all_true
                  i32.le_u
                  global.get 1
                  v128.const i32x4 0x7e06cc4d 0x691e3ff8 0xe8c5313a 0xd018e792
                  f64x2.promote_low_f32x4
                  i32x4.extend_low_i16x8_s
                  global.get 0
                  local.set 0
                  f64x2.promote_low_f32x4
                  f64x2.convert_low_i32x4_u
                  f64x2.nearest
                  i16x8.extract_lane_u 5
                  local.get 2
                  i64.clz
                  local.tee 2
                  global.get 0
                  f32.const 0x1.ffp-141 (;=0.000000000000000000000000000000000000000000716;)
                  i32.reinterpret_f32
                  i32.xor
                  v128.const i32x4 0xedcd4820 0x3a26c5a6 0x3c850179 0x3af10c38
                  i16x8.extadd_pairwise_i8x16_s
                  i64x2.bitmask
                  block ;; label = @8
                    local.get 2
                    i32.const -1048577
                    block (type 1) (param i32) ;; label = @9
                      call 2
                    end
                    i64.extend32_s
                    f64.const -0x1.b145fd70795fdp-382 (;=-0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000017181604451021416;)
                    block (result i32) ;; label = @9
                      i32.const 408743984
                    end
                    global.get 2
                    i32.xor
                    global.set 2
                    i64.reinterpret_f64
                    global.get 5
                    i64.xor
                    global.set 5
                    global.get 3
                    i64.xor
                    global.set 3
                  end
                  global.get 2
                  i32.xor
                  global.set 2
                  global.get 2
                  i32.xor
                  global.set 2
                  global.get 3
                  i64.xor
                  global.set 3
                  global.get 2
                  i32.xor
                  global.set 2
                  i64.reinterpret_f64
                  global.get 5
                  i64.xor
                  global.set 5
                  global.get 2
                  i32.xor
                  global.set 2
                end
                i64.reinterpret_f64
                global.get 5
                i64.xor
                global.set 5
                f32.const -nan:0x6fffff (;=NaN;)
              end
              i32.reinterpret_f32
              global.get 4
              i32.xor
              global.set 4
              global.get 2
              i32.xor
              global.set 2
              global.get 2
              i32.xor
              global.set 2
              f32.const 0x1.p-132 (;=0.000000000000000000000000000000000000000183671;)
            end
            i32.reinterpret_f32
            global.get 4
            i32.xor
            global.set 4
            i64.const -2494699356147706543
          end
          global.get 3
          i64.xor
          global.set 3
          global.get 6
          v128.xor
          global.set 6
          i64.reinterpret_f64
          global.get 5
          i64.xor
          global.set 5
          drop
          global.get 3
          i64.xor
          global.set 3
          i64.reinterpret_f64
          global.get 5
          i64.xor
          global.set 5
          ref.null extern
        end
        drop
        global.get 3
        i64.xor
        global.set 3
        f64.const -0x1.1a864524aeba7p-334 (;=-0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003153534499071794;)
      else
        f64.const 0x1.p-1023 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000011125369292536007;)
      end
      i64.reinterpret_f64
      global.get 5
      i64.xor
      global.set 5
      drop
      drop
      drop
      global.get 2
      i32.xor
      global.set 2
      i32.reinterpret_f32
      global.get 4
      i32.xor
      global.set 4
      global.get 3
      i64.xor
      global.set 3
      f32.const 0x1.8e7eeep-38 (;=0.000000000005662966;)
    end
    i32.reinterpret_f32
    global.get 4
    i32.xor
    global.set 4
  )
  (func (;3;) (type 1) (param i32)
    (local f64 i32 funcref)
    global.get 7
    i32.eqz
    if ;; label = @1
      unreachable
    end
    global.get 7
    i32.const 1
    i32.sub
    global.set 7
    f64.const 0x1.57c29d58f3195p-53 (;=0.00000000000000014908222808668864;)
    i64.trunc_sat_f64_u
    global.get 0
    f64.convert_i32_u
    i64.trunc_f64_s
    i64.shl
    global.get 0
    i64.extend_i32_s
    i64.ge_u
    i32.const 511
    i32.ctz
    f64.convert_i32_u
    f64.abs
    i64.trunc_f64_s
    i64.eqz
    i64.const 2305843009213693951
    ref.null func
    f32.const 0x1p-125 (;=0.000000000000000000000000000000000000023509887;)
    f32.sqrt
    f32.trunc
    f32.trunc
    f32.const 0x1.a76528p-111 (;=0.0000000000000000000000000000000006370542;)
    f32.ceil
    i64.trunc_sat_f32_s
    local.get 2
    f32.reinterpret_i32
    block (result i32) ;; label = @1
      block ;; label = @2
        br 0 (;@2;)
      end
      global.get 1
      i64.const -65537
      nop
      i64.ctz
      f64.reinterpret_i64
      local.tee 1
      i32.trunc_sat_f64_s
      f64.convert_i32_u
      local.tee 1
      v128.const i32x4 0xdc04f166 0xab29b27a 0x698ba096 0x9abee31f
      i8x16.neg
      f64x2.extract_lane 0
      i64.trunc_sat_f64_s
      ref.null extern
      f64.const -nan:0xbffffffffffff (;=NaN;)
      global.get 0
      local.get 1
      f64.const -0x1.2497a8b5c3511p-88 (;=-0.000000000000000000000000003693035516351906;)
      f64.neg
      f64.abs
      global.get 0
      br 0 (;@1;)
      block (result externref) ;; label = @2
        f64.const -nan:0xffbffffffffff (;=NaN;)
        i64.reinterpret_f64
        i64.const -2
        i64.const -33554432
        f32.convert_i64_u
        i32.const -513
        local.set 2
        v128.const i32x4 0xc2083986 0x19c23fdf 0x8730c66e 0xa1a9cd93
        i64x2.abs
        i32x4.extend_low_i16x8_s
        f64x2.convert_low_i32x4_s
        f64x2.convert_low_i32x4_s
        i16x8.extend_low_i8x16_u
        i32x4.trunc_sat_f64x2_u_zero
        local.get 2
        br_table 2 2
        i64x2.extend_high_i32x4_s
        i8x16.bitmask
        i32.extend16_s
        f32.const -0x1.fffffep+112 (;=-10384593000000000000000000000000000;)
        call 4
        br 1 (;@1;)
        local.get 1
        f64.trunc
        f64.neg
        i64.const -288230376151711745
        f32.convert_i64_s
        f32.floor
        ref.null extern
        loop (result i32) ;; label = @3
          global.get 7
          i32.eqz
          if ;; label = @4
            unreachable
          end
          global.get 7
          i32.const 1
          i32.sub
          global.set 7
          global.get 1
          i64.trunc_f64_s
          loop (result i64) ;; label = @4
            global.get 7
            i32.eqz
            if ;; label = @5
              unreachable
            end
            global.get 7
            i32.const 1
            i32.sub
            global.set 7
            nop
            block ;; label = @5
              br 1 (;@4;)
              ref.null extern
              global.get 0
              i64.extend_i32_u
              i64.popcnt
              f64.convert_i64_u
              local.set 1
              f32.const -nan:0x7fffdf (;=NaN;)
              i32.trunc_sat_f32_u
              i32.popcnt
              global.get 1
              f64.ceil
              i64.reinterpret_f64
              global.get 5
              i64.xor
              global.set 5
              global.get 2
              i32.xor
              global.set 2
              drop
            end
            i64.const -5158945013094349076
          end
          global.get 3
          i64.xor
          global.set 3
          global.get 3
          i64.xor
          global.set 3
          i32.const 1892460661
        end
        global.get 2
        i32.xor
        global.set 2
        drop
        i32.reinterpret_f32
        global.get 4
        i32.xor
        global.set 4
        i64.reinterpret_f64
        global.get 5
        i64.xor
        global.set 5
        i32.reinterpret_f32
        global.get 4
        i32.xor
        global.set 4
        global.get 3
        i64.xor
        global.set 3
        global.get 3
        i64.xor
        global.set 3
        ref.null extern
      end
      drop
      drop
      i64.reinterpret_f64
      global.get 5
      i64.xor
      global.set 5
      global.get 2
      i32.xor
      global.set 2
      i64.reinterpret_f64
      global.get 5
      i64.xor
      global.set 5
      drop
      global.get 3
      i64.xor
      global.set 3
      i64.reinterpret_f64
      global.get 5
      i64.xor
      global.set 5
      i64.reinterpret_f64
      global.get 5
      i64.xor
      global.set 5
      i32.const -3
    end
    global.get 2
    i32.xor
    global.set 2
    i32.reinterpret_f32
    global.get 4
    i32.xor
    global.set 4
    global.get 3
    i64.xor
    global.set 3
    i32.reinterpret_f32
    global.get 4
    i32.xor
    global.set 4
    drop
    global.get 3
    i64.xor
    global.set 3
    global.get 2
    i32.xor
    global.set 2
    global.get 2
    i32.xor
    global.set 2
  )
  (func (;4;) (type 0) (param f32)
    (local f32 f32)
    global.get 7
    i32.eqz
    if ;; label = @1
      unreachable
    end
    global.get 7
    i32.const 1
    i32.sub
    global.set 7
    v128.const i32x4 0x7ab5acd5 0x3258ccd8 0xe095a865 0x006c2d08
    f64x2.nearest
    i16x8.extend_high_i8x16_s
    i16x8.extract_lane_u 7
    v128.const i32x4 0x929ea34b 0x1ec1ee68 0xdb0aa080 0x0fe7c114
    v128.not
    i16x8.all_true
    i32.gt_u
    i32.ctz
    i32x4.splat
    i8x16.abs
    i64.const 144115188075855871
    f32.convert_i64_u
    local.tee 0
    global.get 0
    br_table 0 0
    f32.ceil
    f32.const 0x1.fffffcp-127 (;=0.000000000000000000000000000000000000011754942;)
    i64.trunc_sat_f32_s
    i64.eqz
    f32.convert_i32_s
    i32.trunc_f32_u
    i32.extend16_s
    f64.convert_i32_u
    f64.abs
    f64.neg
    local.get 2
    v128.const i32x4 0x93373c00 0x4ec3fe00 0x7c81e171 0xa38b0733
    i16x8.abs
    i32x4.extadd_pairwise_i16x8_u
    i16x8.bitmask
    i32.const 173501176
    local.get 2
    call 1
    f32.convert_i32_u
    f32.sqrt
    f32.nearest
    f64.promote_f32
    i64.reinterpret_f64
    loop (result externref) ;; label = @1
      global.get 7
      i32.eqz
      if ;; label = @2
        unreachable
      end
      global.get 7
      i32.const 1
      i32.sub
      global.set 7
      f64.const -0x1.3c473c76ec782p-821 (;=-0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000008834926567471542;)
      f64x2.splat
      f64x2.sqrt
      i64x2.all_true
      i32.extend16_s
      i32.extend16_s
      global.get 0
      br_if 1
      call 2
      v128.const i32x4 0x511c35b2 0xc817e325 0xf6ea21c8 0x7535d02d
      v128.not
      i16x8.extend_high_i8x16_u
      i16x8.extract_lane_s 5
      i32.extend16_s
      call 3
      global.get 1
      f32.demote_f64
      i32.reinterpret_f32
      i64.extend_i32_u
      v128.const i32x4 0xfb780d46 0x8d37d388 0x0cc040c9 0xc3797d42
      i32x4.extend_high_i16x8_u
      i32x4.extadd_pairwise_i16x8_u
      f64.const -nan:0xfffffffffffff (;=NaN;)
      i64.trunc_sat_f64_s
      f32.const -0x1.61f0fp+90 (;=-1711554400000000000000000000;)
      i64.trunc_sat_f32_u
      i64.add
      loop (result i64) ;; label = @2
        global.get 7
        i32.eqz
        if ;; label = @3
          unreachable
        end
        global.get 7
        i32.const 1
        i32.sub
        global.set 7
        f32.const 0x1p-63 (;=0.00000000000000000010842022;)
        i64.trunc_f32_s
        f64.reinterpret_i64
        i64.reinterpret_f64
        i64.extend16_s
      end
      i64.div_u
      f32.convert_i64_u
      f32.nearest
      i32.reinterpret_f32
      local.get 1
      f32.const -0x1.1d60fep+21 (;=-2337823.8;)
      local.set 1
      f32.ceil
      i32.const 32768
      i64.const -1189534234894719602
      f64.const 0x1.ffffffffffp-1034 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000010864618449737;)
      i32.const -268435456
      f64.convert_i32_u
      f64.ne
      global.get 0
      global.get 1
      br 0 (;@1;)
      f64x2.splat
      i8x16.extract_lane_s 6
      i64.const 8796093022207
      i64.extend32_s
      f64.convert_i64_u
      f64.trunc
      i64.trunc_sat_f64_s
      ref.null extern
      f64.const -nan:0xffffeffffffff (;=NaN;)
      i64.reinterpret_f64
      global.get 5
      i64.xor
      global.set 5
      drop
      global.get 3
      i64.xor
      global.set 3
      global.get 2
      i32.xor
      global.set 2
      global.get 2
      i32.xor
      global.set 2
      global.get 2
      i32.xor
      global.set 2
      global.get 3
      i64.xor
      global.set 3
      global.get 2
      i32.xor
      global.set 2
      drop
      global.get 2
      i32.xor
      global.set 2
      global.get 6
      v128.xor
      global.set 6
      global.get 3
      i64.xor
      global.set 3
      ref.null extern
    end
    drop
    global.get 3
    i64.xor
    global.set 3
    global.get 2
    i32.xor
    global.set 2
    i32.reinterpret_f32
    global.get 4
    i32.xor
    global.set 4
    i64.reinterpret_f64
    global.get 5
    i64.xor
    global.set 5
    i32.reinterpret_f32
    global.get 4
    i32.xor
    global.set 4
    global.get 6
    v128.xor
    global.set 6
  )
)
