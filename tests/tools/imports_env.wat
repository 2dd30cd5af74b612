;; A non-WASI import that wasm-run cannot provide: unlinkable.
(module
  (import "env" "callback" (func $callback))
  (func (export "_start") (call $callback)))
