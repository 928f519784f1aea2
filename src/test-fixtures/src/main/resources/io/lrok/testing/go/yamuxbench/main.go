// yamuxbench measures hashicorp/yamux (the 2019 version packaged by Debian):
// a yamux client and a yamux server in this one process, talking over a real
// loopback TCP connection (127.0.0.1:0), default config except
// MaxStreamWindowSize. It is the Go baseline for lrok's Java multiplexer.
// Standard library + hashicorp/yamux only; each measurement gets a fresh
// session pair.
//
// Build (offline, no modules):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o yamuxbench main.go
//
// Flags:
//
//	-bytes N        bytes moved by each bulk measurement (default 1 GiB)
//	-duration D     how long open_close runs (default 3s), unless -ops is set
//	-ops N          open_close: run exactly N operations instead (0 = use -duration)
//	-window N       yamux MaxStreamWindowSize (default 262144)
//	-only a,b       run a subset of: bulk_single, bulk_64, open_close, idle_stream_heap
//
// Stdout: ONE JSON object (progress goes to stderr), with the keys of what ran:
//
//	bulk_single_MBps        one stream, the client writes -bytes in 64 KiB writes, the server
//	                        reads to EOF; bytes / 1e6 / seconds (first write to server's EOF).
//	bulk_64_MBps            64 streams at once, -bytes split evenly; aggregate MB/s.
//	open_close_per_s        sequentially: open, write 1 byte; server accepts, reads it, closes;
//	                        client reads EOF, closes. Operations per second.
//	idle_stream_heap_bytes  10,000 streams opened (1 byte written each, the server accepts,
//	                        reads it and keeps the stream); HeapAlloc growth after GC divided
//	                        by 10,000: both ends' cost, as both live in this process.
//	idle_streams            10000
//
// plus the parameters used: bytes, window, and open_close_ops / open_close_seconds.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/yamux"
)

const idleStreams = 10000

var window uint

func logf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "yamuxbench: "+format+"\n", args...)
}

func die(format string, args ...interface{}) {
	logf(format, args...)
	os.Exit(1)
}

func config() *yamux.Config {
	cfg := yamux.DefaultConfig()
	cfg.MaxStreamWindowSize = uint32(window)
	cfg.LogOutput = os.Stderr
	return cfg
}

type pair struct {
	client, server *yamux.Session
}

// newPair connects a yamux client and server over loopback TCP.
func newPair() *pair {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		die("listen: %v", err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			die("accept: %v", err)
		}
		accepted <- c
	}()
	cc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		die("dial: %v", err)
	}
	sc := <-accepted
	server, err := yamux.Server(sc, config())
	if err != nil {
		die("server: %v", err)
	}
	client, err := yamux.Client(cc, config())
	if err != nil {
		die("client: %v", err)
	}
	return &pair{client: client, server: server}
}

func (p *pair) close() {
	p.client.Close()
	p.server.Close()
}

// bulk moves total bytes over n concurrent streams, client to server, and
// returns MB/s from the first write to the last EOF seen by the server.
func bulk(total int64, n int) float64 {
	p := newPair()
	defer p.close()

	var received int64
	var mu sync.Mutex
	var serverWG sync.WaitGroup
	serverWG.Add(n)
	go func() {
		for i := 0; i < n; i++ {
			st, err := p.server.AcceptStream()
			if err != nil {
				die("bulk accept: %v", err)
			}
			go func() {
				defer serverWG.Done()
				buf := make([]byte, 64*1024)
				var got int64
				for {
					k, err := st.Read(buf)
					got += int64(k)
					if err == io.EOF {
						break
					}
					if err != nil {
						die("bulk read: %v", err)
					}
				}
				st.Close()
				mu.Lock()
				received += got
				mu.Unlock()
			}()
		}
	}()

	per := total / int64(n)
	buf := make([]byte, 64*1024)
	for i := range buf {
		buf[i] = byte(i * 31)
	}
	start := time.Now()
	var clientWG sync.WaitGroup
	for i := 0; i < n; i++ {
		size := per
		if i == 0 {
			size += total - per*int64(n)
		}
		clientWG.Add(1)
		go func(size int64) {
			defer clientWG.Done()
			st, err := p.client.OpenStream()
			if err != nil {
				die("bulk open: %v", err)
			}
			for size > 0 {
				chunk := buf
				if size < int64(len(chunk)) {
					chunk = chunk[:size]
				}
				k, err := st.Write(chunk)
				if err != nil {
					die("bulk write: %v", err)
				}
				size -= int64(k)
			}
			st.Close()
		}(size)
	}
	serverWG.Wait()
	secs := time.Since(start).Seconds()
	clientWG.Wait()
	if received != total {
		die("bulk: server received %d bytes, want %d", received, total)
	}
	return float64(total) / 1e6 / secs
}

// openClose runs sequential open/write/accept/read/close cycles.
func openClose(d time.Duration, ops int) (float64, int, float64) {
	p := newPair()
	defer p.close()
	go func() {
		b := make([]byte, 1)
		for {
			st, err := p.server.AcceptStream()
			if err != nil {
				return
			}
			if _, err := io.ReadFull(st, b); err != nil {
				die("open_close server read: %v", err)
			}
			st.Close()
		}
	}()
	one := []byte{42}
	b := make([]byte, 1)
	done := 0
	start := time.Now()
	deadline := start.Add(d)
	for {
		if ops > 0 {
			if done >= ops {
				break
			}
		} else if done%16 == 0 && time.Now().After(deadline) {
			break
		}
		st, err := p.client.OpenStream()
		if err != nil {
			die("open_close open: %v", err)
		}
		if _, err := st.Write(one); err != nil {
			die("open_close write: %v", err)
		}
		if k, err := st.Read(b); err != io.EOF || k != 0 {
			die("open_close: want EOF, got %d bytes, %v", k, err)
		}
		st.Close()
		done++
	}
	secs := time.Since(start).Seconds()
	return float64(done) / secs, done, secs
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// idleHeap opens idleStreams streams and keeps them; returns the heap growth
// per stream (client and server ends together).
func idleHeap() float64 {
	p := newPair()
	defer p.close()
	serverStreams := make([]*yamux.Stream, 0, idleStreams)
	clientStreams := make([]*yamux.Stream, 0, idleStreams)
	before := heapAlloc()

	accepted := make(chan struct{})
	go func() {
		b := make([]byte, 1)
		for i := 0; i < idleStreams; i++ {
			st, err := p.server.AcceptStream()
			if err != nil {
				die("idle accept: %v", err)
			}
			if _, err := io.ReadFull(st, b); err != nil {
				die("idle read: %v", err)
			}
			serverStreams = append(serverStreams, st)
		}
		close(accepted)
	}()
	one := []byte{1}
	for i := 0; i < idleStreams; i++ {
		st, err := p.client.OpenStream()
		if err != nil {
			die("idle open: %v", err)
		}
		if _, err := st.Write(one); err != nil {
			die("idle write: %v", err)
		}
		clientStreams = append(clientStreams, st)
	}
	<-accepted
	after := heapAlloc()
	if n := p.server.NumStreams(); n != idleStreams {
		die("idle: server has %d streams, want %d", n, idleStreams)
	}
	runtime.KeepAlive(serverStreams)
	runtime.KeepAlive(clientStreams)
	return float64(int64(after)-int64(before)) / idleStreams
}

func main() {
	bytes := flag.Int64("bytes", 1<<30, "bytes per bulk measurement")
	duration := flag.Duration("duration", 3*time.Second, "open_close duration")
	ops := flag.Int("ops", 0, "open_close operations (0 = use -duration)")
	flag.UintVar(&window, "window", 262144, "yamux MaxStreamWindowSize")
	only := flag.String("only", "", "comma list: bulk_single,bulk_64,open_close,idle_stream_heap")
	flag.Parse()

	known := map[string]bool{"bulk_single": true, "bulk_64": true, "open_close": true, "idle_stream_heap": true}
	run := map[string]bool{}
	if *only == "" {
		run = known
	} else {
		for _, name := range strings.Split(*only, ",") {
			name = strings.TrimSpace(name)
			if !known[name] {
				die("-only: unknown measurement %q", name)
			}
			run[name] = true
		}
	}
	if err := yamux.VerifyConfig(config()); err != nil {
		die("config: %v", err)
	}

	out := map[string]interface{}{"window": window}
	if run["bulk_single"] || run["bulk_64"] {
		out["bytes"] = *bytes
	}
	if run["bulk_single"] {
		logf("bulk_single: %d bytes over 1 stream", *bytes)
		out["bulk_single_MBps"] = bulk(*bytes, 1)
		logf("bulk_single: %.1f MB/s", out["bulk_single_MBps"])
	}
	if run["bulk_64"] {
		logf("bulk_64: %d bytes over 64 streams", *bytes)
		out["bulk_64_MBps"] = bulk(*bytes, 64)
		logf("bulk_64: %.1f MB/s", out["bulk_64_MBps"])
	}
	if run["open_close"] {
		logf("open_close: duration %v, ops %d", *duration, *ops)
		perS, done, secs := openClose(*duration, *ops)
		out["open_close_per_s"] = perS
		out["open_close_ops"] = done
		out["open_close_seconds"] = secs
		logf("open_close: %d ops in %.2fs = %.0f/s", done, secs, perS)
	}
	if run["idle_stream_heap"] {
		logf("idle_stream_heap: %d streams", idleStreams)
		out["idle_stream_heap_bytes"] = idleHeap()
		out["idle_streams"] = idleStreams
		logf("idle_stream_heap: %.0f bytes/stream", out["idle_stream_heap_bytes"])
	}
	enc, err := json.Marshal(out)
	if err != nil {
		die("json: %v", err)
	}
	os.Stdout.Write(append(enc, '\n'))
}
