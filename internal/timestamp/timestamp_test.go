package timestamp

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestParseAndFormat(t *testing.T) {
	for _, tc := range []struct {
		in, normal, internal string
	}{
		{"1732500000.12345", "1732500000.12345", "1732500000.12345"},
		{"1732500000", "1732500000.00000", "1732500000.00000"},
		{"1.5", "0000000001.50000", "0000000001.50000"},
		{"1402437380.581861", "1402437380.58186", "1402437380.58186"},
		{"1402437380.58186_ff", "1402437380.58186", "1402437380.58186_00000000000000ff"},
		{"1402437380.58186_00000000000000ff", "1402437380.58186", "1402437380.58186_00000000000000ff"},
		{"1.7325e9", "1732500000.00000", "1732500000.00000"},
		{"0", "0000000000.00000", "0000000000.00000"},
		{"9999999999.99999", "9999999999.99999", "9999999999.99999"},
	} {
		ts, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := ts.Normal(); got != tc.normal {
			t.Errorf("Parse(%q).Normal() = %q, want %q", tc.in, got, tc.normal)
		}
		if got := ts.Internal(); got != tc.internal {
			t.Errorf("Parse(%q).Internal() = %q, want %q", tc.in, got, tc.internal)
		}
		back, err := Parse(ts.Internal())
		if err != nil || back != ts {
			t.Errorf("Parse(%q) = %v, %v; want %v", ts.Internal(), back, err, ts)
		}
	}
	for _, bad := range []string{"", "abc", "-1", "10000000000", "1_", "1_xyz", "1_11111111111111111", "NaN", "inf", "1_2_3"} {
		if ts, err := Parse(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) = %v, %v; want ErrInvalid", bad, ts, err)
		}
	}
}

func TestOrder(t *testing.T) {
	a, _ := Parse("1732500000.12345")
	b, _ := Parse("1732500000.12345_1")
	c, _ := Parse("1732500000.12346")
	for _, pair := range [][2]Timestamp{{Timestamp{}, a}, {a, b}, {b, c}, {a, c}} {
		lo, hi := pair[0], pair[1]
		if lo.Compare(hi) != -1 || hi.Compare(lo) != 1 || !hi.After(lo) || lo.After(hi) {
			t.Errorf("%v should sort before %v", lo, hi)
		}
		if bytes.Compare(lo.Append(nil), hi.Append(nil)) != -1 {
			t.Errorf("binary %v should sort before %v", lo, hi)
		}
		if lo.Internal() >= hi.Internal() && !lo.IsZero() {
			t.Errorf("string %q should sort before %q", lo.Internal(), hi.Internal())
		}
	}
	if got, _ := Decode(b.Append(nil)); got != b {
		t.Errorf("Decode(Append(%v)) = %v", b, got)
	}
}

func TestTimeConversions(t *testing.T) {
	tm := time.Unix(1732500000, 123450000)
	ts := New(tm)
	if got := ts.Normal(); got != "1732500000.12345" {
		t.Errorf("New(%v).Normal() = %q", tm, got)
	}
	if !ts.Time().Equal(tm) {
		t.Errorf("Time() = %v, want %v", ts.Time(), tm)
	}
	if got := ts.Seconds(); got != 1732500001 {
		t.Errorf("Seconds() = %d, want 1732500001 (rounded up)", got)
	}
	whole, _ := Parse("1732500000")
	if got := whole.Seconds(); got != 1732500000 {
		t.Errorf("Seconds() of a whole second = %d", got)
	}
	if got := ts.Add(time.Second).Normal(); got != "1732500001.12345" {
		t.Errorf("Add(1s) = %q", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1732500000.12345", "1_ff", "1e9", "-0", "9999999999.999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := Parse(s)
		if err != nil {
			return
		}
		back, err := Parse(ts.Internal())
		if err != nil || back != ts {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, ts, ts.Internal(), back, err)
		}
	})
}
