package snapshot

import "github.com/kekaexport/keka-hire-export/internal/keka"

// cursor is where a task stands in its lists: which list, which page of
// which pass, and what this pass has seen so far. It decides, from each
// page taken, what to ask for next; it does no I/O.
type cursor struct {
	List   int    `json:"list"` // index into the task's lists
	Page   int    `json:"page"` // next page to ask for, from 1
	Pass   int    `json:"pass"` // how often the current list was read again
	Total  int    `json:"total"`
	Moving bool   `json:"moving,omitempty"` // the reported total changed during this pass
	Seen   keySet `json:"seen"`             // keys seen in this pass
}

// newCursor returns a cursor at the first page of the first list.
func newCursor() cursor { return cursor{Page: 1, Total: -1} }

// move is what a cursor asks for after a page.
type move int

const (
	moveNext   move = iota // the next page of the same list
	moveReread             // the same list again, from page 1
	moveDone               // the list is done; the cursor is at the next list
)

// outcome is what taking a page decided.
type outcome struct {
	move move
	// For moveDone: the total Keka reported for the list (-1 when it gave
	// none), and, when the list's records could not be made to agree with
	// it, the record of that.
	total    int
	unsolved *Unreconciled
}

// take moves the cursor past page p, whose records have the given keys.
// A list is read again, at most maxRereads times, when its reported total
// moved during the pass or disagrees with the keys seen; a later page of
// nothing but keys this pass already saw means Keka repeats pages, which
// ends the list as unreconciled (a re-read would repeat them again).
func (c *cursor) take(p keka.Page, keys []string, maxRereads int, list string) outcome {
	fresh := 0
	for _, k := range keys {
		if c.Seen.Add(k) {
			fresh++
		}
	}
	last := p.Last
	repeated := !last && c.Page > 1 && len(keys) > 0 && fresh == 0
	last = last || repeated
	if c.Page == 1 {
		c.Total = p.TotalRecords
	} else if p.TotalRecords != c.Total {
		c.Moving = true
	}
	if !last {
		c.Page++
		return outcome{move: moveNext}
	}
	seen := c.Seen.Len()
	agrees := !repeated && (p.TotalRecords < 0 || (!c.Moving && seen == p.TotalRecords))
	if !agrees && !repeated && c.Pass < maxRereads {
		pass := c.Pass + 1
		c.restart()
		c.Pass = pass
		return outcome{move: moveReread}
	}
	out := outcome{move: moveDone, total: p.TotalRecords}
	if !agrees {
		u := Unreconciled{List: list, Reported: p.TotalRecords, Seen: seen, Reason: reasonMoving}
		if repeated {
			u.Reason = repeatedReason(c.Page, p.Stated)
		}
		out.unsolved = &u
	}
	c.nextList()
	return out
}

// skip ends the current list and the rest of the task's lists unread
// (their parent is gone or refused), moving to list end, and returns the
// record of it.
func (c *cursor) skip(list, reason string, end int) Unreconciled {
	u := Unreconciled{List: list, Reported: -1, Seen: c.Seen.Len(), Reason: reason}
	*c = newCursor()
	c.List = end
	return u
}

func (c *cursor) nextList() {
	list := c.List + 1
	*c = newCursor()
	c.List = list
}

func (c *cursor) restart() {
	list := c.List
	*c = newCursor()
	c.List = list
}
