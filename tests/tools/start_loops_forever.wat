;; The start function loops forever: --timeout must cover instantiation too.
(module
  (func $start
    (loop $forever
      (br $forever)))
  (start $start))
