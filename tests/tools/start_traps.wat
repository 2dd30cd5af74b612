;; A module with only a start function (no _start): a plain run just
;; instantiates it, which runs the start function, which traps.
(module
  (func $start unreachable)
  (start $start))
