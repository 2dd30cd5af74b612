;; Finite work: _start sums 0..999 (a few thousand instructions), so a
;; small --fuel runs out and a large one lets it finish; "sum" returns it.
(module
  (func $sum (export "sum") (result i32)
    (local $i i32) (local $total i32)
    (loop $next
      (local.set $total (i32.add (local.get $total) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 1000))))
    (local.get $total))
  (func (export "_start") (drop (call $sum))))
