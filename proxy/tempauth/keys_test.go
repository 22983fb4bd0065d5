package tempauth

import "testing"

func TestKeysEqual(t *testing.T) {
	tests := []struct {
		want, got string
		equal     bool
	}{
		{"testing", "testing", true},
		{"testing", "testinG", false},
		{"testing", "testing2", false},
		{"testing", "testin", false},
		{"testing", "", false},
		{"", "", true},
		{"k\x00", "k", false},
	}
	for _, tt := range tests {
		if got := keysEqual(tt.want, tt.got); got != tt.equal {
			t.Errorf("keysEqual(%q, %q) = %v, want %v", tt.want, tt.got, got, tt.equal)
		}
	}
}
