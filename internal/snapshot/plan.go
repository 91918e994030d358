package snapshot

import (
	"fmt"
	"slices"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// plan is a run's fetch order, derived from the selected datasets and the
// sources they declare. Datasets are read level by level: first those
// listed once (level 0), then those listed per key of a level-0 dataset,
// and so on. A parent that is needed but not selected is read without
// being written.
//
// Tasks are numbered in that order: one for each level-0 dataset, then,
// for each dataset of the next level, one per key of its parent, in the
// order the parent's keys were first seen. A dataset's tasks are numbered
// as its parent's keys arrive, so that they start while the parent is
// still paged; nothing after a dataset whose parent is not done can be
// numbered yet.
type plan struct {
	levels  [][]dataset.Dataset
	write   map[string]bool // selected
	parents map[string]bool // read for their keys
}

// task is one unit of the plan: the lists of one dataset, or of one
// dataset and one parent key, read in order.
type task struct {
	index  int
	ds     dataset.Dataset
	write  bool
	parent string // the parent key, for a dataset listed per parent
	lists  []keka.List
}

// newPlan returns the plan for sel, or an error when a dataset names a
// parent the registry does not have, or the parents form a cycle.
func newPlan(sel []dataset.Dataset) (plan, error) {
	p := plan{write: map[string]bool{}, parents: map[string]bool{}}
	depth := map[string]int{}
	var add func(d dataset.Dataset, seen []string) error
	add = func(d dataset.Dataset, seen []string) error {
		if _, ok := depth[d.Name]; ok {
			return nil
		}
		if slices.Contains(seen, d.Name) {
			return fmt.Errorf("snapshot: datasets %v name each other as parents", append(seen, d.Name))
		}
		level := 0
		if d.Parent != "" {
			parent, ok := dataset.Lookup(d.Parent)
			if !ok {
				return fmt.Errorf("snapshot: dataset %s names unknown parent %q", d.Name, d.Parent)
			}
			if err := add(parent, append(seen, d.Name)); err != nil {
				return err
			}
			p.parents[parent.Name] = true
			level = depth[parent.Name] + 1
		}
		depth[d.Name] = level
		for len(p.levels) <= level {
			p.levels = append(p.levels, nil)
		}
		p.levels[level] = append(p.levels[level], d)
		return nil
	}
	for _, d := range sel {
		p.write[d.Name] = true
		if d.ChangesOf != "" {
			continue // computed after the fetch (derive), not read
		}
		if err := add(d, nil); err != nil {
			return plan{}, err
		}
	}
	for _, level := range p.levels { // registry order within a level
		slices.SortStableFunc(level, func(a, b dataset.Dataset) int {
			return slices.Index(dataset.Names(), a.Name) - slices.Index(dataset.Names(), b.Name)
		})
	}
	return p, nil
}

// datasets returns every dataset the plan reads, in its order.
func (p plan) datasets() []dataset.Dataset { return slices.Concat(p.levels...) }

// span returns the task numbers [lo, hi) of dataset d; ok is false while
// they cannot be numbered (a dataset before it, or its parent, is not done).
func (p plan) span(name string, s *state) (lo, hi int, ok bool) {
	base := 0
	for _, d := range p.datasets() {
		n := 1
		if d.Parent != "" {
			if !s.done(d.Parent) {
				return 0, 0, false
			}
			n = s.keys(d.Parent).Len()
		}
		if d.Name == name {
			return base, base + n, true
		}
		base += n
	}
	return 0, 0, false
}

// task returns task i. ready is false while it cannot be numbered yet;
// ok is false when there is no task i (every task was numbered).
func (p plan) task(i int, s *state) (t task, ready, ok bool) {
	base := 0
	for _, d := range p.datasets() {
		n := 1
		var keys []string
		if d.Parent != "" {
			keys = s.keys(d.Parent).Keys()
			n = len(keys)
			if !s.done(d.Parent) && i >= base+n {
				return task{}, false, true // its parent's next keys are not read yet
			}
		}
		if i < base+n {
			t := task{index: i, ds: d, write: p.write[d.Name]}
			if keys != nil {
				t.parent = keys[i-base]
			}
			t.lists = d.Lists(t.parent)
			return t, true, true
		}
		base += n
	}
	return task{}, true, false
}

// known returns how many tasks can be numbered so far.
func (p plan) known(s *state) int {
	n := 0
	for _, d := range p.datasets() {
		if d.Parent == "" {
			n++
			continue
		}
		n += s.keys(d.Parent).Len()
		if !s.done(d.Parent) {
			break
		}
	}
	return n
}

// children returns the planned datasets listed per key of name.
func (p plan) children(name string) []dataset.Dataset {
	var out []dataset.Dataset
	for _, d := range p.datasets() {
		if d.Parent == name {
			out = append(out, d)
		}
	}
	return out
}
