// yamuxpeer is an interop peer for lrok's Java yamux multiplexer: it runs one
// hashicorp/yamux session (the 2019 version packaged by Debian) over one TCP
// connection, serves a few stream "services" to the other side and opens
// streams to it when told to on stdin. Java tests drive it through
// io.lrok.testing.GoYamuxPeer. Standard library + hashicorp/yamux only.
//
// Build (offline, no modules):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o yamuxpeer main.go
//
// # Flags
//
//	-role server|client   server: listen, accept exactly one TCP connection, yamux.Server.
//	                      client: dial, yamux.Client.
//	-listen 127.0.0.1:0   (server) address to listen on.
//	-connect host:port    (client) address to dial.
//	-accept-backlog N     yamux AcceptBacklog (default 256). Also bounds this side's
//	                      un-ACKed outbound SYNs: OpenStream blocks beyond it.
//	-window N             yamux MaxStreamWindowSize (default 262144, the minimum).
//	-keepalive-ms N       0 (default) disables keepalive; >0 enables it with that interval.
//
// yamux's own log goes to stderr. Stdout carries only the lines below, one
// write per line, guarded by a mutex, so the Java side can parse it.
//
// # Stdout
//
//	LISTENING 127.0.0.1:PORT   (server only) the listener is up.
//	READY                      the yamux session exists.
//	OK <id> [key=value ...]    command <id> succeeded. A value that may contain
//	                           spaces (err=) is always the last one on the line.
//	FAIL <id> <message>        command <id> failed (message on one line).
//	EVENT <name> [args]        something happened that no command asked for:
//	  EVENT session-closed                 the session ended (either side, or the TCP conn).
//	  EVENT reset <streamID>               the expect-reset service saw yamux.ErrConnectionReset.
//	  EVENT eof <streamID> <err>           the expect-reset service ended otherwise (err may be EOF).
//	  EVENT bad-service <line>             an accepted stream asked for an unknown service.
//	  EVENT service-error <streamID> <service> <err>
//	                                       a service failed on I/O (e.g. stream reset, session
//	                                       gone, request line incomplete: service "-").
//	  EVENT accept-held <streamID>         accepting is paused, see pause-accept.
//	  EVENT bad-command <line>             a stdin line without "<id> <verb>".
//
// # Stream services
//
// Whoever opens a stream first writes one line "<service> [args]\n"; the
// accepting side serves it. This peer accepts streams in a loop and serves
// (the Java side is expected to serve the same services for the commands):
//
//	echo          copy all bytes back until EOF from the opener, then Close (FIN).
//	sink N        read exactly N bytes, write "<sha256 hex of them>\n", read until EOF, Close.
//	source N      write N bytes of PATTERN, then Close (FIN).
//	digest        read until EOF, then write "<sha256 hex>\n", then Close. (The opener must
//	              be able to read after its own FIN.)
//	hold          read nothing more, write nothing; keep the stream until the session ends.
//	expect-reset  read until an error; print EVENT reset / EVENT eof (above), then Close.
//
// Unknown service: print "EVENT bad-service <line>" and Close.
//
// # Commands (stdin)
//
// One per line: "<id> <verb> [args]". Each runs in its own goroutine and ends
// with "OK <id> ..." or "FAIL <id> <message>". Commands that arrive before
// READY wait for the session. Stdin EOF closes the session and exits (0).
//
//	echo-many <n> <bytes>   open n streams concurrently; each writes "echo\n" + <bytes> random
//	                        bytes while reading them back, compares, then Close. OK streams=n
//	send <n>                "sink n", write n PATTERN bytes, read the 65-byte reply, compare with
//	                        sha256(PATTERN(n)), Close. OK sha=<hex> ms=<elapsed>
//	recv <n>                "source n", read until EOF, check length and sha256 against
//	                        PATTERN(n), Close. OK sha=<hex> ms=<elapsed>
//	halfclose <n>           "digest", write n PATTERN bytes, Close (FIN), then read the 65-byte
//	                        reply by polling Read (see quirks) for up to 10 s. OK sha=<hex>
//	flood <n>               "hold", write n PATTERN bytes (blocks while the other side does not
//	                        read: flow control), then Close. OK written=n
//	open-reset-expected <service>
//	                        open, write "<service>\n", read until error. OK reset=true if the
//	                        stream was reset (ErrConnectionReset), else FAIL.
//	ping                    session.Ping(). OK rtt_us=<microseconds>
//	goaway                  session.GoAway(). OK
//	open-after-goaway       OpenStream; OK err=<error text> if it failed, FAIL if it succeeded.
//	pause-accept            stop accepting streams. The accept goroutine is always blocked in
//	                        AcceptStream, so the FIRST stream that arrives while paused is still
//	                        taken (and ACKed) by it; it is held unserved, reported by
//	                        "EVENT accept-held <id>", and served after resume-accept. The next
//	                        AcceptBacklog streams wait in yamux's backlog (un-ACKed); any stream
//	                        beyond that is RST by yamux. OK
//	resume-accept           serve the held stream, accept again. OK
//	stats                   OK streams=<session.NumStreams()> goroutines=<runtime.NumGoroutine()>
//	close                   session.Close(). OK
//
// # PATTERN(n)
//
// Deterministic bytes: uint64 x = 0x9E3779B97F4A7C15; for each 8-byte block:
// x ^= x << 13; x ^= x >> 7; x ^= x << 17 (logical shifts); emit x as 8
// little-endian bytes; the final block is truncated to n. The first block is
// the state after one step, not the seed.
//
// # Quirks of this yamux version worth knowing on the Java side
//
//   - After Close() (FIN) a Go stream's Read returns EOF as soon as its buffer
//     is empty, even though the other side may still send. So the Go opener reads
//     everything it expects before closing (echo-many, send, recv), and halfclose
//     polls.
//   - A Stream cannot be reset through the API; the Go side sends RST only when
//     its accept backlog overflows (or when it receives a SYN after its own GoAway).
//   - A stream is forgotten by the Go session only after FINs both ways (or an
//     RST); streams the Java side never closes stay in "stats streams=".
//   - Data that arrives for an unknown stream is discarded with a [WARN] on stderr.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"hash"
	"io"
	"math/rand"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/yamux"
)

// ---------------------------------------------------------------- output

var stdoutMu sync.Mutex

// emit writes one line to stdout. os.Stdout is unbuffered, so each line is
// one write and reaches the Java side at once.
func emit(format string, args ...interface{}) {
	line := oneLine(fmt.Sprintf(format, args...)) + "\n"
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	os.Stdout.WriteString(line)
}

// oneLine replaces control characters, so a message cannot span lines.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

func logf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "yamuxpeer: "+format+"\n", args...)
}

// ---------------------------------------------------------------- PATTERN

const patternSeed uint64 = 0x9E3779B97F4A7C15

// patternGen produces PATTERN bytes in order, whatever the sizes of the reads.
type patternGen struct {
	x       uint64
	pending [8]byte
	npend   int // unread bytes at the end of pending
}

func newPatternGen() *patternGen { return &patternGen{x: patternSeed} }

func (g *patternGen) next() uint64 {
	x := g.x
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	g.x = x
	return x
}

// fill fills b with the next len(b) bytes of the pattern.
func (g *patternGen) fill(b []byte) {
	i := 0
	for g.npend > 0 && i < len(b) {
		b[i] = g.pending[8-g.npend]
		g.npend--
		i++
	}
	for ; i+8 <= len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], g.next())
	}
	if i < len(b) {
		binary.LittleEndian.PutUint64(g.pending[:], g.next())
		g.npend = 8
		for ; i < len(b); i++ {
			b[i] = g.pending[8-g.npend]
			g.npend--
		}
	}
}

// writePattern writes PATTERN(n) to w in 64 KiB writes, and returns how many
// bytes were written.
func writePattern(w io.Writer, n int64) (int64, error) {
	g := newPatternGen()
	buf := make([]byte, 64*1024)
	var done int64
	for done < n {
		chunk := buf
		if rem := n - done; rem < int64(len(chunk)) {
			chunk = chunk[:rem]
		}
		g.fill(chunk)
		k, err := w.Write(chunk)
		done += int64(k)
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

func patternSha256(n int64) string {
	h := sha256.New()
	writePattern(h, n)
	return hexSum(h)
}

// ---------------------------------------------------------------- session state

var (
	sess    *yamux.Session
	readyCh = make(chan struct{})

	pauseMu   sync.Mutex
	paused    bool
	resumedCh chan struct{} // closed by resume-accept
)

func main() {
	role := flag.String("role", "", "server or client")
	listen := flag.String("listen", "127.0.0.1:0", "server: address to listen on")
	connect := flag.String("connect", "", "client: address to dial")
	backlog := flag.Int("accept-backlog", 256, "yamux AcceptBacklog")
	window := flag.Uint("window", 262144, "yamux MaxStreamWindowSize")
	keepaliveMs := flag.Int("keepalive-ms", 0, "keepalive interval in ms; 0 disables keepalive")
	flag.Parse()

	cfg := yamux.DefaultConfig()
	cfg.AcceptBacklog = *backlog
	cfg.MaxStreamWindowSize = uint32(*window)
	cfg.LogOutput = os.Stderr
	if *keepaliveMs > 0 {
		cfg.EnableKeepAlive = true
		cfg.KeepAliveInterval = time.Duration(*keepaliveMs) * time.Millisecond
	} else {
		cfg.EnableKeepAlive = false // KeepAliveInterval keeps its (valid) default
	}
	if err := yamux.VerifyConfig(cfg); err != nil {
		logf("bad config: %v", err)
		os.Exit(2)
	}

	// Stdin first: EOF must end the process even while we wait for a connection.
	go readCommands()

	var conn net.Conn
	var err error
	switch *role {
	case "server":
		ln, lerr := net.Listen("tcp", *listen)
		if lerr != nil {
			logf("listen %s: %v", *listen, lerr)
			os.Exit(1)
		}
		emit("LISTENING %s", ln.Addr().String())
		conn, err = ln.Accept()
		ln.Close()
		if err != nil {
			logf("accept: %v", err)
			os.Exit(1)
		}
		sess, err = yamux.Server(conn, cfg)
	case "client":
		if *connect == "" {
			logf("-connect is required with -role client")
			os.Exit(2)
		}
		conn, err = net.Dial("tcp", *connect)
		if err != nil {
			logf("dial %s: %v", *connect, err)
			os.Exit(1)
		}
		sess, err = yamux.Client(conn, cfg)
	default:
		logf("-role must be server or client")
		os.Exit(2)
	}
	if err != nil {
		logf("yamux session: %v", err)
		os.Exit(1)
	}
	logf("session up: %s local=%s remote=%s", *role, conn.LocalAddr(), conn.RemoteAddr())
	close(readyCh)
	emit("READY")

	go func() {
		<-sess.CloseChan()
		emit("EVENT session-closed")
	}()
	acceptLoop()
	select {} // the process ends with stdin
}

// ---------------------------------------------------------------- accepting and services

func acceptLoop() {
	for {
		st, err := sess.AcceptStream()
		if err != nil {
			logf("accept loop ends: %v", err)
			return
		}
		pauseMu.Lock()
		if paused {
			ch := resumedCh
			pauseMu.Unlock()
			emit("EVENT accept-held %d", st.StreamID())
			select {
			case <-ch:
			case <-sess.CloseChan():
				return
			}
		} else {
			pauseMu.Unlock()
		}
		go serve(st)
	}
}

func serve(st *yamux.Stream) {
	id := st.StreamID()
	br := bufio.NewReaderSize(st, 4096)
	line, err := br.ReadSlice('\n')
	if err != nil {
		emit("EVENT service-error %d - request line: %v (got %q)", id, err, line)
		st.Close()
		return
	}
	req := strings.TrimRight(string(line), "\r\n")
	fields := strings.Fields(req)
	service := ""
	if len(fields) > 0 {
		service = fields[0]
	}
	numArg := func() (int64, bool) {
		if len(fields) != 2 {
			return 0, false
		}
		n, err := strconv.ParseInt(fields[1], 10, 64)
		return n, err == nil && n >= 0
	}
	fail := func(err error) {
		emit("EVENT service-error %d %s %v", id, service, err)
	}
	defer st.Close()

	switch {
	case service == "echo" && len(fields) == 1:
		if _, err := io.Copy(st, br); err != nil {
			fail(err)
		}
	case service == "sink":
		n, ok := numArg()
		if !ok {
			emit("EVENT bad-service %s", req)
			return
		}
		h := sha256.New()
		if _, err := io.CopyN(h, br, n); err != nil {
			fail(err)
			return
		}
		if _, err := st.Write([]byte(hexSum(h) + "\n")); err != nil {
			fail(err)
			return
		}
		if _, err := io.Copy(io.Discard, br); err != nil {
			fail(err)
		}
	case service == "source":
		n, ok := numArg()
		if !ok {
			emit("EVENT bad-service %s", req)
			return
		}
		if _, err := writePattern(st, n); err != nil {
			fail(err)
		}
	case service == "digest" && len(fields) == 1:
		h := sha256.New()
		if _, err := io.Copy(h, br); err != nil {
			fail(err)
			return
		}
		if _, err := st.Write([]byte(hexSum(h) + "\n")); err != nil {
			fail(err)
		}
	case service == "hold" && len(fields) == 1:
		<-sess.CloseChan()
	case service == "expect-reset" && len(fields) == 1:
		_, err := io.Copy(io.Discard, br)
		if errors.Is(err, yamux.ErrConnectionReset) {
			emit("EVENT reset %d", id)
		} else {
			if err == nil {
				err = io.EOF
			}
			emit("EVENT eof %d %v", id, err)
		}
	default:
		emit("EVENT bad-service %s", req)
	}
}

// ---------------------------------------------------------------- commands

func readCommands() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		parts := strings.Fields(line)
		if len(parts) < 2 {
			emit("EVENT bad-command %s", line)
			continue
		}
		go runCommand(parts[0], parts[1], parts[2:])
	}
	logf("stdin closed, exiting")
	select {
	case <-readyCh:
		sess.Close()
	default:
	}
	os.Exit(0)
}

func runCommand(id, verb string, args []string) {
	<-readyCh
	result, err := dispatch(verb, args)
	if err != nil {
		emit("FAIL %s %s: %v", id, verb, err)
		return
	}
	if result == "" {
		emit("OK %s", id)
	} else {
		emit("OK %s %s", id, result)
	}
}

func intArg(args []string, i int) (int64, error) {
	if i >= len(args) {
		return 0, fmt.Errorf("missing argument %d", i+1)
	}
	n, err := strconv.ParseInt(args[i], 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad number %q", args[i])
	}
	return n, nil
}

func dispatch(verb string, args []string) (string, error) {
	switch verb {
	case "echo-many":
		n, err := intArg(args, 0)
		if err != nil {
			return "", err
		}
		size, err := intArg(args, 1)
		if err != nil {
			return "", err
		}
		return cmdEchoMany(int(n), int(size))
	case "send":
		n, err := intArg(args, 0)
		if err != nil {
			return "", err
		}
		return cmdSend(n)
	case "recv":
		n, err := intArg(args, 0)
		if err != nil {
			return "", err
		}
		return cmdRecv(n)
	case "halfclose":
		n, err := intArg(args, 0)
		if err != nil {
			return "", err
		}
		return cmdHalfClose(n)
	case "flood":
		n, err := intArg(args, 0)
		if err != nil {
			return "", err
		}
		return cmdFlood(n)
	case "open-reset-expected":
		if len(args) != 1 {
			return "", fmt.Errorf("usage: open-reset-expected <service>")
		}
		return cmdOpenResetExpected(args[0])
	case "ping":
		rtt, err := sess.Ping()
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("rtt_us=%d", rtt.Microseconds()), nil
	case "goaway":
		return "", sess.GoAway()
	case "open-after-goaway":
		st, err := sess.OpenStream()
		if err != nil {
			return "err=" + err.Error(), nil
		}
		st.Close()
		return "", fmt.Errorf("OpenStream succeeded (stream %d)", st.StreamID())
	case "pause-accept":
		pauseMu.Lock()
		if !paused {
			paused = true
			resumedCh = make(chan struct{})
		}
		pauseMu.Unlock()
		return "", nil
	case "resume-accept":
		pauseMu.Lock()
		if paused {
			paused = false
			close(resumedCh)
		}
		pauseMu.Unlock()
		return "", nil
	case "stats":
		return fmt.Sprintf("streams=%d goroutines=%d", sess.NumStreams(), runtime.NumGoroutine()), nil
	case "close":
		return "", sess.Close()
	}
	return "", fmt.Errorf("unknown verb")
}

// open opens a stream and sends its service request line.
func open(request string) (*yamux.Stream, error) {
	st, err := sess.OpenStream()
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	if _, err := st.Write([]byte(request + "\n")); err != nil {
		st.Close()
		return nil, fmt.Errorf("stream %d: write request: %w", st.StreamID(), err)
	}
	return st, nil
}

func elapsedMs(start time.Time) int64 { return time.Since(start).Milliseconds() }

var echoSeed int64 = time.Now().UnixNano()

func cmdEchoMany(n, size int) (string, error) {
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- echoOnce(size, atomic.AddInt64(&echoSeed, 1))
		}()
	}
	wg.Wait()
	close(errs)
	failed := 0
	var first error
	for err := range errs {
		if err != nil {
			failed++
			if first == nil {
				first = err
			}
		}
	}
	if failed > 0 {
		return "", fmt.Errorf("%d of %d streams failed, first: %v", failed, n, first)
	}
	return fmt.Sprintf("streams=%d", n), nil
}

func echoOnce(size int, seed int64) error {
	data := make([]byte, size)
	rand.New(rand.NewSource(seed)).Read(data)
	st, err := open("echo")
	if err != nil {
		return err
	}
	defer st.Close()
	werr := make(chan error, 1)
	go func() {
		_, err := st.Write(data)
		werr <- err
	}()
	got := make([]byte, size)
	if k, err := io.ReadFull(st, got); err != nil {
		return fmt.Errorf("stream %d: read back %d of %d: %w", st.StreamID(), k, size, err)
	}
	if err := <-werr; err != nil {
		return fmt.Errorf("stream %d: write: %w", st.StreamID(), err)
	}
	if !bytes.Equal(got, data) {
		return fmt.Errorf("stream %d: echoed bytes differ", st.StreamID())
	}
	return nil
}

func cmdSend(n int64) (string, error) {
	start := time.Now()
	st, err := open(fmt.Sprintf("sink %d", n))
	if err != nil {
		return "", err
	}
	defer st.Close()
	h := sha256.New()
	if k, err := writePattern(io.MultiWriter(st, h), n); err != nil {
		return "", fmt.Errorf("stream %d: wrote %d of %d: %w", st.StreamID(), k, n, err)
	}
	want := hexSum(h)
	reply := make([]byte, 65)
	if k, err := io.ReadFull(st, reply); err != nil {
		return "", fmt.Errorf("stream %d: reply: got %q: %w", st.StreamID(), reply[:k], err)
	}
	if string(reply) != want+"\n" {
		return "", fmt.Errorf("stream %d: sha mismatch: peer says %q, sent %s", st.StreamID(), reply, want)
	}
	return fmt.Sprintf("sha=%s ms=%d", want, elapsedMs(start)), nil
}

func cmdRecv(n int64) (string, error) {
	start := time.Now()
	st, err := open(fmt.Sprintf("source %d", n))
	if err != nil {
		return "", err
	}
	defer st.Close()
	h := sha256.New()
	got, err := io.Copy(h, st)
	if err != nil {
		return "", fmt.Errorf("stream %d: read %d of %d: %w", st.StreamID(), got, n, err)
	}
	ms := elapsedMs(start)
	sum := hexSum(h)
	if got != n {
		return "", fmt.Errorf("stream %d: got %d bytes, want %d", st.StreamID(), got, n)
	}
	if want := patternSha256(n); sum != want {
		return "", fmt.Errorf("stream %d: sha %s, want %s", st.StreamID(), sum, want)
	}
	return fmt.Sprintf("sha=%s ms=%d", sum, ms), nil
}

func cmdHalfClose(n int64) (string, error) {
	st, err := open("digest")
	if err != nil {
		return "", err
	}
	defer st.Close()
	h := sha256.New()
	if k, err := writePattern(io.MultiWriter(st, h), n); err != nil {
		return "", fmt.Errorf("stream %d: wrote %d of %d: %w", st.StreamID(), k, n, err)
	}
	want := hexSum(h)
	st.Close() // FIN; from now on Read says EOF whenever the buffer is empty
	reply := make([]byte, 65)
	got := 0
	deadline := time.Now().Add(10 * time.Second)
	for got < len(reply) {
		k, err := st.Read(reply[got:])
		got += k
		if err == io.EOF {
			if time.Now().After(deadline) {
				return "", fmt.Errorf("stream %d: no digest after FIN within 10s (got %q)", st.StreamID(), reply[:got])
			}
			time.Sleep(2 * time.Millisecond)
			continue
		}
		if err != nil {
			return "", fmt.Errorf("stream %d: reading digest: %w", st.StreamID(), err)
		}
	}
	if string(reply) != want+"\n" {
		return "", fmt.Errorf("stream %d: sha mismatch: peer says %q, sent %s", st.StreamID(), reply, want)
	}
	return "sha=" + want, nil
}

func cmdFlood(n int64) (string, error) {
	st, err := open("hold")
	if err != nil {
		return "", err
	}
	defer st.Close()
	if k, err := writePattern(st, n); err != nil {
		return "", fmt.Errorf("stream %d: wrote %d of %d: %w", st.StreamID(), k, n, err)
	}
	return fmt.Sprintf("written=%d", n), nil
}

func cmdOpenResetExpected(service string) (string, error) {
	st, err := sess.OpenStream()
	if err != nil {
		return "", fmt.Errorf("open: %w", err)
	}
	defer st.Close()
	if _, err := st.Write([]byte(service + "\n")); err != nil {
		if errors.Is(err, yamux.ErrConnectionReset) {
			return "reset=true", nil
		}
		return "", fmt.Errorf("stream %d: write request: %w", st.StreamID(), err)
	}
	_, err = io.Copy(io.Discard, st)
	if errors.Is(err, yamux.ErrConnectionReset) {
		return "reset=true", nil
	}
	if err == nil {
		err = io.EOF
	}
	return "", fmt.Errorf("stream %d: expected a reset, got %v", st.StreamID(), err)
}
