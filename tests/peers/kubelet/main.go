// A stand-in for the kubelet's streaming server, built on
// github.com/moby/spdystream as the kubelet is: pods/exec, pods/attach and
// pods/portforward upgraded from HTTP/1.1 to SPDY/3.1, with the kubelet's
// protocol negotiation, stream set-up and status reporting. The interop
// tests in tests/interop build and drive it.
//
//	peer <token>     listens on 127.0.0.1, prints "listening <port>"
//
// Requests need "Authorization: Bearer <token>" (else 401). Pods:
//
//	missing          404 with a metav1.Status
//	v3-only, v2-only, v1-only   accept that one exec protocol only
//	v9-only          accepts "v9.channel.k8s.io" only (a 403 for everyone)
//	anything else    every protocol
//
// Exec runs the command on this machine ("sh -c ..."); with a tty, stderr
// joins stdout and resize events are printed. Attach runs "cat". Port-forward
// connects to 127.0.0.1:<port>. Events are printed as one JSON object per
// line; the peer exits when its stdin closes.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/moby/spdystream"
)

var outLock sync.Mutex

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

// status writes a metav1.Status as the API server does for refused requests.
func status(w http.ResponseWriter, code int, reason, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]interface{}{
		"kind": "Status", "apiVersion": "v1", "metadata": map[string]interface{}{},
		"status": "Failure", "message": message, "reason": reason, "code": code,
	})
}

// handshake chooses the protocol as the kubelet's httpstream.Handshake does:
// the first of the client's, in the client's order, that the server accepts.
func handshake(w http.ResponseWriter, req *http.Request, server []string) (string, bool) {
	client := req.Header[http.CanonicalHeaderKey("X-Stream-Protocol-Version")]
	if len(client) == 0 {
		return "", true
	}
	for _, c := range client {
		for _, s := range server {
			if c == s {
				w.Header().Add("X-Stream-Protocol-Version", c)
				return c, true
			}
		}
	}
	for _, s := range server {
		w.Header().Add("X-Accepted-Stream-Protocol-Versions", s)
	}
	http.Error(w, fmt.Sprintf("unable to upgrade: unable to negotiate protocol: client supports %v, server accepts %v", client, server), http.StatusForbidden)
	return "", false
}

// upgrade answers 101 and runs spdystream on the connection; every stream
// the client opens is answered at once and handed to `streams`.
func upgrade(w http.ResponseWriter) (*spdystream.Connection, chan *spdystream.Stream) {
	w.Header().Add("Connection", "Upgrade")
	w.Header().Add("Upgrade", "SPDY/3.1")
	w.WriteHeader(http.StatusSwitchingProtocols)
	raw, bufrw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		emit("fatal", map[string]interface{}{"error": err.Error()})
		os.Exit(1)
	}
	conn, err := spdystream.NewConnection(&bufConn{raw, bufrw.Reader}, true)
	if err != nil {
		emit("fatal", map[string]interface{}{"error": err.Error()})
		os.Exit(1)
	}
	streams := make(chan *spdystream.Stream, 64)
	go conn.Serve(func(s *spdystream.Stream) {
		s.SendReply(http.Header{}, false)
		streams <- s
	})
	return conn, streams
}

type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufConn) Read(p []byte) (int, error) { return c.r.Read(p) }

var execProtocols = []string{"v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"}

func handler(token string) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Authorization") != "Bearer "+token {
			status(w, 401, "Unauthorized", "Unauthorized")
			return
		}
		parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
		// api v1 namespaces NS pods POD SUB
		if len(parts) != 7 || parts[0] != "api" || parts[2] != "namespaces" || parts[4] != "pods" {
			status(w, 404, "NotFound", "the server could not find the requested resource")
			return
		}
		pod, sub := parts[5], parts[6]
		if pod == "missing" {
			status(w, 404, "NotFound", fmt.Sprintf("pods %q not found", pod))
			return
		}
		q := req.URL.Query()
		emit("request", map[string]interface{}{
			"method": req.Method, "namespace": parts[3], "pod": pod, "sub": sub, "query": q,
			"protocols": req.Header.Values("X-Stream-Protocol-Version"), "upgrade": req.Header.Get("Upgrade"),
		})
		switch sub {
		case "exec", "attach":
			server := execProtocols
			if strings.HasSuffix(pod, "-only") {
				v := strings.TrimSuffix(pod, "-only")
				if v == "v1" {
					server = []string{"channel.k8s.io"}
				} else {
					server = []string{v + ".channel.k8s.io"}
				}
			}
			protocol, ok := handshake(w, req, server)
			if !ok {
				return
			}
			conn, streams := upgrade(w)
			serveExec(conn, streams, protocol, sub, q)
		case "portforward":
			if _, ok := handshake(w, req, []string{"portforward.k8s.io"}); !ok {
				return
			}
			conn, streams := upgrade(w)
			servePortForward(conn, streams)
		default:
			status(w, 404, "NotFound", "no such subresource")
		}
	}
}

// closeConn ends a connection the kubelet's way: every stream reset, then spdystream's Close.
func closeConn(conn *spdystream.Connection, streams []*spdystream.Stream) {
	for _, s := range streams {
		s.Reset()
	}
	conn.Close()
}

func serveExec(conn *spdystream.Connection, incoming chan *spdystream.Stream, protocol, sub string, q map[string][]string) {
	flag := func(name string) bool { return len(q[name]) > 0 && q[name][0] == "true" }
	tty := flag("tty")
	want := map[string]bool{"error": true, "stdin": flag("stdin"), "stdout": flag("stdout"), "stderr": flag("stderr") && !tty,
		"resize": tty && protocol != "v2.channel.k8s.io" && protocol != "channel.k8s.io" && protocol != ""}
	expected := 0
	for _, v := range want {
		if v {
			expected++
		}
	}
	got := map[string]*spdystream.Stream{}
	var all []*spdystream.Stream
	timeout := time.After(30 * time.Second)
	for len(got) < expected {
		select {
		case s := <-incoming:
			t := s.Headers().Get("streamtype")
			emit("stream", map[string]interface{}{"type": t, "id": s.Identifier()})
			all = append(all, s)
			got[t] = s
		case <-timeout:
			emit("timeout", map[string]interface{}{"got": len(got)})
			closeConn(conn, all)
			return
		}
	}
	args := q["command"]
	if sub == "attach" {
		args = []string{"cat"}
	}
	cmd := exec.Command(args[0], args[1:]...)
	if s := got["stdin"]; s != nil {
		cmd.Stdin = s
	}
	var copies sync.WaitGroup
	var writers []*io.PipeWriter
	pipe := func(s *spdystream.Stream) *io.PipeWriter {
		r, w := io.Pipe()
		writers = append(writers, w)
		copies.Add(1)
		go func() { defer copies.Done(); io.Copy(s, r) }()
		return w
	}
	if s := got["stdout"]; s != nil {
		cmd.Stdout = pipe(s)
		if tty {
			cmd.Stderr = cmd.Stdout
		}
	}
	if s := got["stderr"]; s != nil {
		cmd.Stderr = pipe(s)
	}
	if s := got["resize"]; s != nil {
		go func() {
			d := json.NewDecoder(s)
			for {
				var size struct{ Width, Height uint16 }
				if err := d.Decode(&size); err != nil {
					return
				}
				emit("resize", map[string]interface{}{"width": size.Width, "height": size.Height})
			}
		}()
	}
	runErr := cmd.Run()
	// The kubelet lets the copies finish, reports the status, then drops the connection.
	for _, w := range writers {
		w.Close()
	}
	copies.Wait()
	for _, t := range []string{"stdout", "stderr"} {
		if s := got[t]; s != nil {
			s.Close()
		}
	}
	code := 0
	if ee, ok := runErr.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if runErr != nil {
		code = -1
	}
	emit("exited", map[string]interface{}{"code": code, "protocol": protocol})
	e := got["error"]
	if protocol == "v4.channel.k8s.io" {
		st := map[string]interface{}{"metadata": map[string]interface{}{}, "status": "Success"}
		if code != 0 {
			st = map[string]interface{}{"metadata": map[string]interface{}{}, "status": "Failure",
				"message": fmt.Sprintf("command terminated with non-zero exit code: exit status %d", code),
				"reason":  "NonZeroExitCode",
				"details": map[string]interface{}{"causes": []map[string]interface{}{{"reason": "ExitCode", "message": fmt.Sprint(code)}}}}
		}
		b, _ := json.Marshal(st)
		e.Write(b)
	} else if code != 0 {
		fmt.Fprintf(e, "command terminated with non-zero exit code: exit status %d", code)
	}
	e.Close()
	closeConn(conn, all)
}

func servePortForward(conn *spdystream.Connection, incoming chan *spdystream.Stream) {
	type pair struct{ data, errs *spdystream.Stream }
	pairs := map[string]*pair{}
	for {
		var s *spdystream.Stream
		select {
		case s = <-incoming:
		case <-conn.CloseChan():
			emit("portforward-closed", nil)
			return
		}
		h := s.Headers()
		id := h.Get("requestid")
		p := pairs[id]
		if p == nil {
			p = &pair{}
			pairs[id] = p
		}
		switch h.Get("streamtype") {
		case "data":
			p.data = s
		case "error":
			p.errs = s
		}
		if p.data != nil && p.errs != nil {
			delete(pairs, id)
			go forward(h.Get("port"), id, p.data, p.errs)
		}
	}
}

func forward(port, id string, data, errs *spdystream.Stream) {
	emit("forward", map[string]interface{}{"port": port, "requestid": id})
	c, err := net.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintf(errs, "error forwarding port %s to pod: %v", port, err)
		errs.Close()
		data.Close()
		return
	}
	tcp := c.(*net.TCPConn)
	done := make(chan struct{})
	go func() {
		io.Copy(tcp, data)
		tcp.CloseWrite()
		close(done)
	}()
	io.Copy(data, tcp)
	data.Close()
	<-done
	tcp.Close()
	errs.Close()
	emit("forwarded", map[string]interface{}{"port": port, "requestid": id})
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: peer <token>")
		os.Exit(2)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		emit("fatal", map[string]interface{}{"error": err.Error()})
		os.Exit(1)
	}
	fmt.Printf("listening %d\n", l.Addr().(*net.TCPAddr).Port)
	go http.Serve(l, handler(os.Args[1]))
	io.Copy(io.Discard, os.Stdin)
}
