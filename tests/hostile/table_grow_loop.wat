;; Attacks: a guest that grows a table 1,000 elements at a time until
;; refused, then asks for 0xFFFFFFFF elements at once.
;; Must happen: table.grow returns -1 at max_table_elements and the guest
;; returns normally with the size it reached (never a host allocation failure).
(module
  (table $t (export "table") 0 funcref)
  (func $marker (result i32) (i32.const 7))
  (elem declare func $marker)
  (func (export "grow_until_refused") (result i32)
    (loop $again
      (br_if $again
        (i32.ne (table.grow $t (ref.func $marker) (i32.const 1000)) (i32.const -1))))
    (table.size $t))
  (func (export "grow") (param $delta i32) (result i32)
    (table.grow $t (ref.null func) (local.get $delta)))
  ;; The last element must be the function the loop stored.
  (func (export "call_last") (result i32)
    (call_indirect $t (result i32)
      (i32.sub (table.size $t) (i32.const 1)))))
