package snapshot

import "encoding/json"

// keySet is a set of record keys that remembers the order they were added
// in. It saves itself in the checkpoint as a JSON array in that order, so
// the set and its order are one piece of state, never two kept in step.
type keySet struct {
	order []string
	index map[string]struct{}
}

// Add adds k and reports whether it was new.
func (s *keySet) Add(k string) bool {
	if s.Has(k) {
		return false
	}
	if s.index == nil {
		s.index = map[string]struct{}{}
	}
	s.index[k] = struct{}{}
	s.order = append(s.order, k)
	return true
}

// Has reports whether k is in the set.
func (s *keySet) Has(k string) bool {
	_, ok := s.index[k]
	return ok
}

// Len returns the number of keys.
func (s *keySet) Len() int { return len(s.order) }

// Keys returns the keys in the order they were added; the caller must not
// change the slice.
func (s *keySet) Keys() []string { return s.order }

// MarshalJSON writes the keys as an array, in order.
func (s keySet) MarshalJSON() ([]byte, error) {
	if s.order == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(s.order)
}

// UnmarshalJSON reads an array of keys; a key given twice is kept once.
func (s *keySet) UnmarshalJSON(b []byte) error {
	var keys []string
	if err := json.Unmarshal(b, &keys); err != nil {
		return err
	}
	*s = keySet{}
	for _, k := range keys {
		s.Add(k)
	}
	return nil
}
