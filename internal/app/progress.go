package app

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// progressLine redraws one line on a terminal after every page: the
// datasets begun, pages and rows so far, requests and their rate, and the
// time the tasks left take at that rate. It draws at most every tick.
type progressLine struct {
	w    io.Writer
	now  func() time.Time
	tick time.Duration

	mu       sync.Mutex
	start    time.Time
	drawn    time.Time
	datasets []string
	rows     map[string]int64
	pages    map[string]int64
	shown    bool
}

// newProgressLine returns the progress line drawn on w.
func newProgressLine(w io.Writer, now func() time.Time) *progressLine {
	return &progressLine{w: w, now: now, tick: 200 * time.Millisecond, start: now(),
		rows: map[string]int64{}, pages: map[string]int64{}}
}

// update takes one page's progress (snapshot.Config.Progress).
func (p *progressLine) update(pr snapshot.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !slices.Contains(p.datasets, pr.Dataset) {
		p.datasets = append(p.datasets, pr.Dataset)
	}
	p.rows[pr.Dataset], p.pages[pr.Dataset] = pr.Rows, pr.Pages
	now := p.now()
	if p.shown && now.Sub(p.drawn) < p.tick {
		return
	}
	p.drawn, p.shown = now, true
	fmt.Fprint(p.w, "\r\033[K"+p.text(pr, now))
}

// text is the line for the latest progress.
func (p *progressLine) text(pr snapshot.Progress, now time.Time) string {
	var rows, pages int64
	for _, d := range p.datasets {
		rows += p.rows[d]
		pages += p.pages[d]
	}
	elapsed := now.Sub(p.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(pr.Requests) / elapsed.Minutes()
	}
	left := "?"
	if done := pr.Task; done > 0 && rate > 0 && pr.Tasks >= done {
		perTask := float64(pr.Requests) / float64(done)
		mins := float64(pr.Tasks-done) * perTask / rate
		left = (time.Duration(mins * float64(time.Minute))).Round(time.Second).String()
	}
	return fmt.Sprintf("%s | %d pages, %d rows | task %d/%d | %d requests, %.0f/min | left ~%s",
		strings.Join(p.datasets, ", "), pages, rows, pr.Task, pr.Tasks, pr.Requests, rate, left)
}

// clear erases the line, once the run is over.
func (p *progressLine) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
