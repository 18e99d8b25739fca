// A SPDY peer built on github.com/moby/spdystream, shaped the way Kubernetes
// uses it: an HTTP/1.1 request with "Upgrade: SPDY/3.1" answered by
// "101 Switching Protocols", then spdystream.NewConnection on the hijacked
// connection. The interop tests in tests/interop build and drive it.
//
//	peer server                  listens on 127.0.0.1, prints "listening <port>"
//	peer client <port> exec      kubectl-exec-shaped session against our server
//	peer client <port> goaway    waits for our server to send GOAWAY
//
// Everything it observes is printed on stdout as one JSON object per line
// ({"event": ...}), for the test to assert on. It exits when stdin closes.
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moby/spdystream"
)

var outLock sync.Mutex

// emit prints one event line.
func emit(event string, fields map[string]interface{}) {
	if fields == nil {
		fields = map[string]interface{}{}
	}
	fields["event"] = event
	b, _ := json.Marshal(fields)
	outLock.Lock()
	defer outLock.Unlock()
	os.Stdout.Write(append(b, '\n'))
}

func fail(format string, args ...interface{}) {
	emit("fatal", map[string]interface{}{"error": fmt.Sprintf(format, args...)})
	os.Exit(1)
}

// frameErrors keeps the last "frame read error" spdystream logged: with
// DEBUG set, that log line is the only place its protocol errors surface.
type frameErrors struct {
	mu   sync.Mutex
	last string
}

func (f *frameErrors) Write(p []byte) (int, error) {
	line := string(p)
	if i := strings.Index(line, "frame read error: "); i >= 0 {
		f.mu.Lock()
		f.last = strings.TrimSpace(line[i+len("frame read error: "):])
		f.mu.Unlock()
	}
	if i := strings.Index(line, "frame handling error: "); i >= 0 {
		emit("frame-ignored", map[string]interface{}{"error": strings.TrimSpace(line[i+len("frame handling error: "):])})
	}
	return len(p), nil
}

func (f *frameErrors) take() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.last
	f.last = ""
	return s
}

var logged = &frameErrors{}

// watchedConn reads through the HTTP reader (which may hold bytes past the
// handshake) and remembers whether the socket itself failed, so that a
// spdystream session that stops reading can be told apart: socket closed,
// or a frame it refused.
type watchedConn struct {
	net.Conn
	r       io.Reader
	readErr atomic.Value
}

func (c *watchedConn) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil {
		c.readErr.Store(err.Error())
	}
	return n, err
}

func (c *watchedConn) socketFailed() bool {
	return c.readErr.Load() != nil
}

// serveConn runs spdystream's read loop and reports how it ended.
func serveConn(id int, wc *watchedConn, conn *spdystream.Connection, handler spdystream.StreamHandler) {
	goaway := make(chan *spdystream.Stream, 1)
	conn.NotifyClose(goaway, 5*time.Second)
	conn.Serve(handler)
	gotGoaway := false
	select {
	case <-goaway:
		gotGoaway = true
	case <-time.After(500 * time.Millisecond):
	}
	frameErr := logged.take()
	dropped := !gotGoaway && !wc.socketFailed()
	if !dropped {
		// The read loop ended on the socket (or a GOAWAY): not a refused frame.
		frameErr = ""
	}
	emit("closed", map[string]interface{}{
		"conn": id, "goaway": gotGoaway, "dropped": dropped, "frameError": frameErr,
	})
	if dropped {
		wc.Close()
	}
}

func hasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// ---- server ----

var connIDs int32

func upgradeHandler(w http.ResponseWriter, req *http.Request) {
	if !hasToken(req.Header, "Connection", "upgrade") || !hasToken(req.Header, "Upgrade", "SPDY/3.1") {
		http.Error(w, "unable to upgrade: missing upgrade headers in request", http.StatusBadRequest)
		return
	}
	w.Header().Add("Connection", "Upgrade")
	w.Header().Add("Upgrade", "SPDY/3.1")
	w.WriteHeader(http.StatusSwitchingProtocols)
	raw, bufrw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		fail("hijack: %v", err)
	}
	id := int(atomic.AddInt32(&connIDs, 1))
	wc := &watchedConn{Conn: raw, r: bufrw.Reader}
	conn, err := spdystream.NewConnection(wc, true)
	if err != nil {
		fail("NewConnection: %v", err)
	}
	emit("upgraded", map[string]interface{}{
		"conn": id, "method": req.Method, "path": req.URL.Path,
		"protocols": req.Header.Values("X-Stream-Protocol-Version"),
	})
	go func() {
		rtt, err := conn.Ping()
		emit("ping", map[string]interface{}{"conn": id, "ok": err == nil, "rtt": rtt.Seconds()})
	}()
	serveConn(id, wc, conn, func(s *spdystream.Stream) { serverStream(id, s) })
}

// serverStream answers a stream our client opened, by its streamtype header.
func serverStream(id int, s *spdystream.Stream) {
	h := s.Headers()
	base := map[string]interface{}{"conn": id, "stream": s.Identifier(), "headers": h}
	reply := http.Header{}
	for _, name := range []string{"requestid", "port"} {
		if v := h.Get(name); v != "" {
			reply.Set(name, v)
		}
	}
	switch h.Get("streamtype") {
	case "data":
		// Port-forward's data stream, with the remote end an echo server.
		if err := s.SendReply(reply, false); err != nil {
			return
		}
		go func() {
			sum := sha256.New()
			n, err := io.Copy(io.MultiWriter(s, sum), s)
			digest := hex.EncodeToString(sum.Sum(nil))
			base["bytes"], base["sha256"] = n, digest
			if err != nil {
				base["error"] = err.Error()
			}
			emit("echoed", base)
			s.SendHeader(http.Header{"Sha256": {digest}, "Bytes": {strconv.FormatInt(n, 10)}}, false)
			s.Close()
		}()
	case "error":
		// Port-forward's error stream: nothing to report, closed when the client is done.
		if err := s.SendReply(reply, false); err != nil {
			return
		}
		go func() {
			io.Copy(io.Discard, s)
			s.Close()
		}()
	case "reset":
		s.SendReply(reply, false)
		s.Reset()
		emit("reset-sent", base)
	case "drain":
		// Reads until the stream ends, however it ends (spdystream does not
		// tell a RST_STREAM from a FIN).
		s.SendReply(reply, false)
		go func() {
			n, _ := io.Copy(io.Discard, s)
			base["bytes"] = n
			emit("drained", base)
			s.Close()
		}()
	default:
		s.Refuse()
		emit("refused", base)
	}
}

func runServer() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	go http.Serve(ln, http.HandlerFunc(upgradeHandler))
	fmt.Printf("listening %d\n", ln.Addr().(*net.TCPAddr).Port)
	io.Copy(io.Discard, os.Stdin)
}

// ---- client ----

// dialUpgrade connects the way Kubernetes' SpdyRoundTripper does: POST with
// Connection/Upgrade headers, a 101 answer read with http.ReadResponse, and
// the buffered reader kept for the SPDY bytes that may follow it.
func dialUpgrade(port string) (*watchedConn, *spdystream.Connection) {
	raw, err := net.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		fail("dial: %v", err)
	}
	req, _ := http.NewRequest("POST", "http://127.0.0.1:"+port+"/exec?command=cat&input=1&output=1", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "SPDY/3.1")
	req.Header.Add("X-Stream-Protocol-Version", "v4.channel.k8s.io")
	req.Header.Add("X-Stream-Protocol-Version", "channel.k8s.io")
	if err := req.Write(raw); err != nil {
		fail("writing the upgrade request: %v", err)
	}
	br := bufio.NewReader(raw)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		fail("reading the upgrade response: %v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols || !hasToken(resp.Header, "Upgrade", "SPDY/3.1") ||
		!hasToken(resp.Header, "Connection", "upgrade") {
		fail("upgrade refused: %s %v", resp.Status, resp.Header)
	}
	emit("upgraded", map[string]interface{}{"status": resp.StatusCode})
	wc := &watchedConn{Conn: raw, r: br}
	conn, err := spdystream.NewConnection(wc, false)
	if err != nil {
		fail("NewConnection: %v", err)
	}
	return wc, conn
}

func openStream(conn *spdystream.Connection, h http.Header) (*spdystream.Stream, error) {
	s, err := conn.CreateStream(h, nil, false)
	if err != nil {
		return nil, err
	}
	return s, s.WaitTimeout(10 * time.Second)
}

// pattern is the stdin payload: bytes both sides can name by length alone.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>11)
	}
	return b
}

func readAll(s *spdystream.Stream) (int64, string, string) {
	sum := sha256.New()
	var head strings.Builder
	n, _ := io.Copy(io.MultiWriter(sum, &limitedBuilder{&head, 4096}), s)
	return n, hex.EncodeToString(sum.Sum(nil)), head.String()
}

type limitedBuilder struct {
	b   *strings.Builder
	max int
}

func (l *limitedBuilder) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		if len(p) < room {
			room = len(p)
		}
		l.b.Write(p[:room])
	}
	return len(p), nil
}

// clientExec returns the streams it opened, for the close that follows.
func clientExec(conn *spdystream.Connection, size int) []*spdystream.Stream {
	var opened []*spdystream.Stream
	rtt, err := conn.Ping()
	emit("ping", map[string]interface{}{"ok": err == nil, "rtt": rtt.Seconds()})

	streams := map[string]*spdystream.Stream{}
	for _, t := range []string{"error", "stdin", "stdout", "stderr"} {
		h := http.Header{}
		h.Set("streamType", t)
		s, err := openStream(conn, h)
		if err != nil {
			fail("opening the %s stream: %v", t, err)
		}
		streams[t] = s
		opened = append(opened, s)
	}
	// We send nothing on these: kubectl closes its side at once.
	for _, t := range []string{"error", "stdout", "stderr"} {
		streams[t].Close()
	}
	payload := pattern(size)
	sent := sha256.Sum256(payload)
	var wg sync.WaitGroup
	results := map[string][]interface{}{}
	var mu sync.Mutex
	for _, t := range []string{"error", "stdout", "stderr"} {
		wg.Add(1)
		go func(t string) {
			defer wg.Done()
			n, digest, head := readAll(streams[t])
			mu.Lock()
			results[t] = []interface{}{n, digest, head}
			mu.Unlock()
		}(t)
	}
	for off := 0; off < len(payload); off += 32768 {
		end := off + 32768
		if end > len(payload) {
			end = len(payload)
		}
		if _, err := streams["stdin"].Write(payload[off:end]); err != nil {
			fail("writing stdin: %v", err)
		}
	}
	streams["stdin"].Close()
	wg.Wait()
	emit("exec", map[string]interface{}{
		"sentBytes": size, "sentSha256": hex.EncodeToString(sent[:]),
		"stdoutBytes": results["stdout"][0], "stdoutSha256": results["stdout"][1],
		"stderr": results["stderr"][2], "error": results["error"][2],
	})

	// A stream we cancel after its reply.
	h := http.Header{}
	h.Set("streamType", "cancel")
	if s, err := openStream(conn, h); err != nil {
		fail("opening the cancel stream: %v", err)
	} else {
		s.Write([]byte("about to cancel"))
		s.Reset()
		emit("reset-sent", map[string]interface{}{"stream": s.Identifier()})
	}
	// A stream the server refuses with RST_STREAM instead of a reply.
	h = http.Header{}
	h.Set("streamType", "refuse")
	if _, err := openStream(conn, h); err != nil {
		emit("refused", map[string]interface{}{"error": err.Error(), "isReset": errors.Is(err, spdystream.ErrReset)})
	} else {
		emit("refused", map[string]interface{}{"error": ""})
	}
	// A stream the server resets after writing part of its answer.
	h = http.Header{}
	h.Set("streamType", "server-reset")
	if s, err := openStream(conn, h); err != nil {
		fail("opening the server-reset stream: %v", err)
	} else {
		n, _, head := readAll(s)
		emit("server-reset", map[string]interface{}{"bytes": n, "data": head})
		s.Close()
	}
	// Many small streams at once, as port-forward opens per connection.
	const many = 40
	var mwg sync.WaitGroup
	var ok int32
	for i := 0; i < many; i++ {
		mwg.Add(1)
		go func(i int) {
			defer mwg.Done()
			h := http.Header{}
			h.Set("streamType", "echo")
			h.Set("requestID", strconv.Itoa(i))
			s, err := openStream(conn, h)
			if err != nil {
				return
			}
			msg := fmt.Sprintf("message %d", i)
			s.Write([]byte(msg))
			s.Close()
			n, _, got := readAll(s)
			if got == strings.ToUpper(msg) && n == int64(len(msg)) {
				atomic.AddInt32(&ok, 1)
			}
		}(i)
	}
	mwg.Wait()
	emit("echoes", map[string]interface{}{"ok": ok, "of": many})
	return opened
}

func runClient(port, scenario string, size int) {
	wc, conn := dialUpgrade(port)
	served := make(chan struct{})
	go func() {
		serveConn(0, wc, conn, func(s *spdystream.Stream) {
			emit("pushed", map[string]interface{}{"stream": s.Identifier(), "headers": s.Headers()})
			s.Refuse()
		})
		close(served)
	}()
	switch scenario {
	case "exec":
		// Kubernetes' connection.Close(): reset every stream (spdystream sends
		// RST_STREAM only for those whose write side is still open), then GOAWAY.
		for _, s := range clientExec(conn, size) {
			s.Reset()
		}
		done := make(chan error, 1)
		go func() { done <- conn.CloseWait() }()
		select {
		case err := <-done:
			emit("goaway-sent", map[string]interface{}{"ok": err == nil})
		case <-time.After(10 * time.Second):
			fail("the connection did not shut down after GOAWAY: streams left open")
		}
	case "goaway":
		h := http.Header{}
		h.Set("streamType", "hold")
		s, err := openStream(conn, h)
		if err != nil {
			fail("opening the hold stream: %v", err)
		}
		s.Close()
		n, _, head := readAll(s)
		emit("held", map[string]interface{}{"bytes": n, "data": head})
	default:
		fail("unknown scenario %q", scenario)
	}
	select {
	case <-served:
	case <-time.After(10 * time.Second):
		fail("the read loop did not end")
	}
	emit("done", nil)
}

func main() {
	spdystream.DEBUG = "1"
	log.SetFlags(0)
	log.SetOutput(logged)
	if len(os.Args) < 2 {
		fail("usage: peer server | peer client <port> <scenario> [bytes]")
	}
	switch os.Args[1] {
	case "server":
		runServer()
	case "client":
		if len(os.Args) < 4 {
			fail("usage: peer client <port> <scenario> [bytes]")
		}
		size := 1 << 20
		if len(os.Args) > 4 {
			size, _ = strconv.Atoi(os.Args[4])
		}
		runClient(os.Args[2], os.Args[3], size)
	default:
		fail("unknown command %q", os.Args[1])
	}
}
