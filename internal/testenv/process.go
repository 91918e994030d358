package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// process is a child started in a process group of its own, so that
// stopping it also stops whatever it started.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once the child has exited
}

// startProcess starts cmd in its own process group.
func startProcess(cmd *exec.Cmd) (*process, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// stop sends SIGTERM to the process group, gives the child grace to exit,
// then kills the group and the other groups given (children that made
// groups of their own), and waits for the child.
func (p *process) stop(grace time.Duration, otherGroups ...int) {
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	for _, g := range otherGroups {
		_ = syscall.Kill(-g, syscall.SIGKILL)
	}
	<-p.exited
}

// waitReady calls ready every interval until it returns nil, the child
// exits, or timeout passes; the error says which.
func (p *process) waitReady(timeout, interval time.Duration, ready func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := ready()
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			return errors.New("exited before answering")
		case <-time.After(interval):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not answering after %s: %w", timeout, err)
		}
	}
}

// syncBuffer collects a child's output, safe for concurrent writers. With
// max > 0 it keeps only the first max bytes (the start, where startup
// errors are).
type syncBuffer struct {
	max int
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.max > 0 && b.buf.Len() > b.max {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
