// timers: time.Sleep and timers across 1,000 goroutines, channels, select
// with timeouts, tickers and AfterFunc. Each idle moment of the scheduler
// is one poll_oneoff on a relative monotonic clock, so elapsed times check
// that sleeps neither return early nor hang.
package main

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// Generous upper bounds: the guest runs on an interpreter, maybe under a
// sanitizer on a busy 2-core machine.
const slack = 10 * time.Second

// The whole program also runs 10,000 ping-pongs and the scheduler's work
// for 1,000 goroutines: under ASan with other tests on both cores that
// alone took 12.8 s once. Its bound only has to catch a hang.
const wholeProgramSlack = 60 * time.Second

func fail(format string, args ...any) {
	fmt.Printf("FAIL "+format+"\n", args...)
	os.Exit(1)
}

func checkElapsed(what string, start time.Time, atLeast time.Duration) {
	checkElapsedWithin(what, start, atLeast, slack)
}

func checkElapsedWithin(what string, start time.Time, atLeast, slack time.Duration) {
	elapsed := time.Since(start)
	if elapsed < atLeast || elapsed > atLeast+slack {
		fail("%s took %v, want at least %v (and less than %v more)", what, elapsed, atLeast, slack)
	}
}

func sleepers() {
	const count = 1000
	start := time.Now()
	done := make(chan int, 16)
	for i := 0; i < count; i++ {
		go func(i int) {
			time.Sleep(time.Duration(20+i%50) * time.Millisecond)
			done <- i
		}(i)
	}
	seen := make([]bool, count)
	deadline := time.After(slack)
	for received := 0; received < count; received++ {
		select {
		case i := <-done:
			if seen[i] {
				fail("goroutine %d reported twice", i)
			}
			seen[i] = true
		case <-deadline:
			fail("only %d of %d sleepers woke within %v", received, count, slack)
		}
	}
	checkElapsed("1000 sleepers", start, 69*time.Millisecond)
	fmt.Println("ok 1000 goroutines slept and reported back")
}

func selectTimeouts() {
	never := make(chan int)
	start := time.Now()
	select {
	case <-never:
		fail("received from a channel nobody sends on")
	case <-time.After(50 * time.Millisecond):
	}
	checkElapsed("select timeout", start, 50*time.Millisecond)

	// A value that arrives before the timeout wins.
	ready := make(chan string, 1)
	go func() {
		time.Sleep(10 * time.Millisecond)
		ready <- "value"
	}()
	select {
	case v := <-ready:
		if v != "value" {
			fail("got %q", v)
		}
	case <-time.After(slack):
		fail("the sender never sent")
	}

	// Timeout 0: a non-blocking poll.
	select {
	case <-never:
		fail("received from a channel nobody sends on")
	default:
	}
	fmt.Println("ok select with timeouts")
}

func timersAndTickers() {
	timer := time.NewTimer(time.Hour)
	if !timer.Stop() {
		fail("stopping an hour-long timer reported it already fired")
	}
	start := time.Now()
	timer.Reset(30 * time.Millisecond)
	<-timer.C
	checkElapsed("reset timer", start, 30*time.Millisecond)

	start = time.Now()
	ticker := time.NewTicker(10 * time.Millisecond)
	for i := 0; i < 5; i++ {
		<-ticker.C
	}
	ticker.Stop()
	checkElapsed("5 ticks", start, 50*time.Millisecond)

	start = time.Now()
	var wg sync.WaitGroup
	wg.Add(1)
	time.AfterFunc(20*time.Millisecond, wg.Done)
	wg.Wait()
	checkElapsed("AfterFunc", start, 20*time.Millisecond)
	fmt.Println("ok timers, tickers, AfterFunc")
}

func pingPong() {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	v := 0
	for i := 0; i < 10000; i++ {
		ping <- v
		v = <-pong
	}
	close(ping)
	if v != 10000 {
		fail("ping-pong ended at %d", v)
	}
	fmt.Println("ok 10000 unbuffered ping-pongs")
}

func main() {
	start := time.Now()
	sleepers()
	selectTimeouts()
	timersAndTickers()
	pingPong()
	time.Sleep(100 * time.Millisecond)
	checkElapsedWithin("the whole program", start, 319*time.Millisecond, wholeProgramSlack)
	fmt.Println("all timer tests passed")
}
