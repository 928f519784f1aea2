// yamuxtunnel is the Go baseline for lrok's tunnels in bench/compare: the same shape (an agent dials a relay over
// TLS 1.3, one multiplexed session; the relay opens one stream per public TCP connection; the agent dials the local
// port and copies bytes both ways) built on hashicorp/yamux (the version Debian packages) and Go's crypto/tls.
// Standard library + hashicorp/yamux only. Built offline by GoPrograms:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o yamuxtunnel main.go
//
// Relay:  yamuxtunnel -mode relay -agent 127.0.0.1:0 -public 127.0.0.1:0,127.0.0.1:0 -cert c.pem -key k.pem
//
//	prints "READY agent=<port> public=<port>,<port>". The certificate (self-signed, for 127.0.0.1) and its key are
//	read from -cert/-key, or made and written there when the files do not exist, so that a restarted relay
//	presents the same certificate. Public port i leads to the agent's local address i: the relay writes that
//	index (one byte) at the start of each stream. Public connections go to the newest agent session.
//
// Agent:  yamuxtunnel -mode agent -relay 127.0.0.1:<port> -ca c.pem -local 127.0.0.1:A,127.0.0.1:B
//
//	prints "READY" once its session answers a ping. When the session is lost it dials again with backoff (200 ms
//	doubling to 30 s, each delay drawn from its upper half, as lrok's ReconnectPolicy.defaults()) and prints
//	"RECONNECTED".
//
// Both read commands on stdin, one a line, and answer on stdout: "heap" -> "HEAP <HeapAlloc after GC> <Sys>";
// "sessions N" (agent) -> opens N more idle sessions to the relay (idle tunnels), then "OK". End of stdin exits.
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/yamux"
)

var stdout sync.Mutex

func say(format string, args ...interface{}) {
	stdout.Lock()
	defer stdout.Unlock()
	fmt.Fprintf(os.Stdout, format+"\n", args...)
}

func die(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "yamuxtunnel: "+format+"\n", args...)
	os.Exit(1)
}

func config() *yamux.Config {
	cfg := yamux.DefaultConfig()
	cfg.LogOutput = os.Stderr
	cfg.AcceptBacklog = 1024
	return cfg
}

func main() {
	mode := flag.String("mode", "", "relay or agent")
	agentAddr := flag.String("agent", "127.0.0.1:0", "relay: where agents dial")
	public := flag.String("public", "127.0.0.1:0", "relay: public listen addresses, comma-separated")
	certFile := flag.String("cert", "", "relay: certificate PEM (made when missing)")
	keyFile := flag.String("key", "", "relay: key PEM (made when missing)")
	relay := flag.String("relay", "", "agent: the relay's agent address")
	caFile := flag.String("ca", "", "agent: the certificate to trust")
	local := flag.String("local", "", "agent: local addresses, comma-separated, by public port index")
	flag.Parse()
	switch *mode {
	case "relay":
		runRelay(*agentAddr, strings.Split(*public, ","), *certFile, *keyFile)
	case "agent":
		runAgent(*relay, *caFile, strings.Split(*local, ","))
	default:
		die("-mode relay|agent")
	}
}

// commands serves stdin; extra handles what is not "heap". End of stdin exits the process.
func commands(extra func(cmd []string) bool) {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		cmd := strings.Fields(in.Text())
		if len(cmd) == 0 {
			continue
		}
		if cmd[0] == "heap" {
			var m runtime.MemStats
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&m)
			say("HEAP %d %d", m.HeapAlloc, m.Sys)
		} else if extra == nil || !extra(cmd) {
			say("ERROR unknown command %q", cmd[0])
		}
	}
	os.Exit(0)
}

// ---- relay ----

type relayState struct {
	mu       sync.Mutex // guards sessions
	sessions []*yamux.Session
}

func (r *relayState) newest() *yamux.Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.sessions) > 0 {
		s := r.sessions[len(r.sessions)-1]
		if !s.IsClosed() {
			return s
		}
		r.sessions = r.sessions[:len(r.sessions)-1]
	}
	return nil
}

func runRelay(agentAddr string, public []string, certFile, keyFile string) {
	cert := loadOrMakeCert(certFile, keyFile)
	ln, err := tls.Listen("tcp", agentAddr, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})
	if err != nil {
		die("listen %s: %v", agentAddr, err)
	}
	state := &relayState{}
	var ports []string
	for i, addr := range public {
		pl, err := net.Listen("tcp", addr)
		if err != nil {
			die("listen %s: %v", addr, err)
		}
		ports = append(ports, strconv.Itoa(pl.Addr().(*net.TCPAddr).Port))
		go acceptPublic(pl, byte(i), state)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				die("accept: %v", err)
			}
			go func() {
				if err := c.(*tls.Conn).Handshake(); err != nil {
					c.Close()
					return
				}
				s, err := yamux.Server(c, config())
				if err != nil {
					c.Close()
					return
				}
				state.mu.Lock()
				state.sessions = append(state.sessions, s)
				state.mu.Unlock()
			}()
		}
	}()
	say("READY agent=%d public=%s", ln.Addr().(*net.TCPAddr).Port, strings.Join(ports, ","))
	commands(nil)
}

func acceptPublic(pl net.Listener, index byte, state *relayState) {
	for {
		c, err := pl.Accept()
		if err != nil {
			die("accept: %v", err)
		}
		go func() {
			s := state.newest()
			if s == nil {
				c.Close()
				return
			}
			st, err := s.OpenStream()
			if err != nil {
				c.Close()
				return
			}
			if _, err := st.Write([]byte{index}); err != nil {
				st.Close()
				c.Close()
				return
			}
			pipe(c.(*net.TCPConn), st)
		}()
	}
}

// pipe copies both ways, passing on half-closes: yamux's Close sends FIN and keeps reading.
func pipe(c *net.TCPConn, st *yamux.Stream) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		io.Copy(st, c)
		st.Close()
	}()
	go func() {
		defer wg.Done()
		io.Copy(c, st)
		c.CloseWrite()
	}()
	wg.Wait()
	c.Close()
}

func loadOrMakeCert(certFile, keyFile string) tls.Certificate {
	if cert, err := tls.LoadX509KeyPair(certFile, keyFile); err == nil {
		return cert
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		die("key: %v", err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "yamuxtunnel relay"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(30 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost", "lrok.localhost", "*.lrok.localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		die("certificate: %v", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		die("key: %v", err)
	}
	certPem := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPem := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	if certFile != "" && keyFile != "" {
		if err := os.WriteFile(keyFile, keyPem, 0600); err != nil {
			die("write %s: %v", keyFile, err)
		}
		if err := os.WriteFile(certFile, certPem, 0644); err != nil {
			die("write %s: %v", certFile, err)
		}
	}
	cert, err := tls.X509KeyPair(certPem, keyPem)
	if err != nil {
		die("key pair: %v", err)
	}
	return cert
}

// ---- agent ----

func runAgent(relay, caFile string, local []string) {
	caPem, err := os.ReadFile(caFile)
	if err != nil {
		die("read %s: %v", caFile, err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPem) {
		die("no certificate in %s", caFile)
	}
	host, _, err := net.SplitHostPort(relay)
	if err != nil {
		die("bad -relay %s: %v", relay, err)
	}
	tlsConfig := &tls.Config{RootCAs: roots, ServerName: host, MinVersion: tls.VersionTLS13}
	dial := func() (*yamux.Session, error) {
		c, err := tls.Dial("tcp", relay, tlsConfig)
		if err != nil {
			return nil, err
		}
		s, err := yamux.Client(c, config())
		if err != nil {
			c.Close()
			return nil, err
		}
		if _, err := s.Ping(); err != nil {
			s.Close()
			return nil, err
		}
		return s, nil
	}
	first, err := dial()
	if err != nil {
		die("dial %s: %v", relay, err)
	}
	var idleMu sync.Mutex // guards idle
	var idle []*yamux.Session
	go func() {
		s := first
		for {
			serve(s, local)
			// The session is gone: dial again with backoff, as lrok's ReconnectPolicy.defaults() does.
			for attempt := 0; ; attempt++ {
				delay := 200 * time.Millisecond << uint(attempt)
				if attempt > 10 || delay > 30*time.Second {
					delay = 30 * time.Second
				}
				time.Sleep(delay/2 + time.Duration(mrand.Int63n(int64(delay/2)+1)))
				if next, err := dial(); err == nil {
					s = next
					say("RECONNECTED")
					break
				}
			}
		}
	}()
	say("READY")
	commands(func(cmd []string) bool {
		if cmd[0] != "sessions" || len(cmd) != 2 {
			return false
		}
		n, err := strconv.Atoi(cmd[1])
		if err != nil {
			return false
		}
		for i := 0; i < n; i++ {
			s, err := dial()
			if err != nil {
				say("ERROR %v", err)
				return true
			}
			idleMu.Lock()
			idle = append(idle, s)
			idleMu.Unlock()
		}
		say("OK")
		return true
	})
}

func serve(s *yamux.Session, local []string) {
	for {
		st, err := s.AcceptStream()
		if err != nil {
			return
		}
		go func() {
			var index [1]byte
			if _, err := io.ReadFull(st, index[:]); err != nil || int(index[0]) >= len(local) {
				st.Close()
				return
			}
			c, err := net.Dial("tcp", local[index[0]])
			if err != nil {
				st.Close()
				return
			}
			pipe(c.(*net.TCPConn), st)
		}()
	}
}
