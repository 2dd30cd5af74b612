;; Attacks: a guest that grows its memory one page at a time until refused,
;; and asks for absurd deltas (the whole 4 GiB, 0xFFFFFFFF pages) at once.
;; Must happen: memory.grow returns -1 at the host cap (max_memory_pages per
;; memory, max_store_memory_pages across the store's memories) and the guest
;; then returns normally with the size it reached; Store::memory_pages()
;; agrees. The memory declares no maximum, so only the host caps apply.
(module
  (memory (export "memory") 1)
  ;; Grows by one page until memory.grow says -1; returns the final size.
  (func (export "grow_until_refused") (result i32)
    (loop $again
      (br_if $again
        (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    (memory.size))
  ;; memory.grow with an arbitrary delta; -1 when refused.
  (func (export "grow") (param $delta i32) (result i32)
    (memory.grow (local.get $delta)))
  ;; Touches the last byte so the grown pages are really usable.
  (func (export "poke_last") (result i32)
    (local $last i32)
    (local.set $last
      (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)))
    (i32.store8 (local.get $last) (i32.const 0x5a))
    (i32.load8_u (local.get $last))))
