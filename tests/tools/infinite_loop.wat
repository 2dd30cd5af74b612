;; A guest that never returns: `loop br 0`. Only the loop-header interrupt
;; check (or fuel) can stop it.
(module
  (func (export "_start")
    (loop $forever
      (br $forever))))
