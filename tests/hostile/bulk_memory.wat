;; Attacks: bulk memory and table instructions whose ranges straddle the end
;; of memory (or the table), or whose start + length overflows 32 bits
;; (0xFFFFFFF8 + 16 wraps to 8), plus a memory.fill larger than the fuel
;; left under metering.
;; Must happen: MemoryOutOfBounds / TableOutOfBounds traps with nothing
;; written (no partial fill or copy); under fuel, a fill whose dynamic cost
;; (one unit per 64 bytes) exceeds the fuel left traps OutOfFuel before
;; writing anything. In-range forms still work afterwards.
(module
  (memory (export "memory") 1)
  (data $bytes "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
  (table $t 8 funcref)
  (func $f)
  (elem $fs func $f $f $f $f)
  (func (export "fill") (param $dst i32) (param $byte i32) (param $len i32)
    (memory.fill (local.get $dst) (local.get $byte) (local.get $len)))
  (func (export "copy") (param $dst i32) (param $src i32) (param $len i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $len)))
  (func (export "init") (param $dst i32) (param $src i32) (param $len i32)
    (memory.init $bytes (local.get $dst) (local.get $src) (local.get $len)))
  (func (export "table_fill") (param $at i32) (param $len i32)
    (table.fill $t (local.get $at) (ref.func $f) (local.get $len)))
  (func (export "table_copy") (param $dst i32) (param $src i32) (param $len i32)
    (table.copy $t $t (local.get $dst) (local.get $src) (local.get $len)))
  (func (export "table_init") (param $dst i32) (param $src i32) (param $len i32)
    (table.init $t $fs (local.get $dst) (local.get $src) (local.get $len)))
  ;; 1 if slot `at` holds a function, 0 if it is null.
  (func (export "table_has") (param $at i32) (result i32)
    (i32.eqz (ref.is_null (table.get $t (local.get $at))))))
