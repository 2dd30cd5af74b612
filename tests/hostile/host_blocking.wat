;; Attacks: host functions that block for a long time (10 s) on behalf of
;; the guest: one in HostContext::sleep_for, one in poll() on
;; HostContext::interrupt_fd().
;; Must happen: the sleeper wakes within about 100 ms once the call's timeout
;; passes (DeadlineExceeded); the poller wakes when another thread calls
;; InterruptHandle::interrupt() (Interrupted); the store then runs `answer`.
(module
  (import "env" "sleep_10s" (func $sleep_10s))
  (import "env" "poll_10s" (func $poll_10s))
  (func (export "sleep") (call $sleep_10s))
  (func (export "poll") (call $poll_10s))
  (func (export "answer") (result i32)
    (i32.const 42)))
