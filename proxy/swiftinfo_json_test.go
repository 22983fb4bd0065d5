package proxy

import (
	"encoding/json"
	"testing"
)

func TestPyJSON(t *testing.T) {
	type custom struct {
		A int    `json:"a"`
		B string `json:"b"`
	}
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"null", nil, "null"},
		{"ascii", "plain", `"plain"`},
		// json.dumps(ensure_ascii=True): escapes, non-ASCII as \u, astral
		// runes as surrogate pairs, DEL and HTML characters as they are.
		{"escapes", "q\"b\\n\n\r\t\b\f\x01\x7f<>&", `"q\"b\\n\n\r\t\b\f\u0001` + "\x7f" + `<>&"`},
		{"non-ascii", "é€😀", `"\u00e9\u20ac\ud83d\ude00"`},
		{"ints", []any{1, int64(-2), json.Number("3")}, "[1, -2, 3]"},
		// Python's repr: json.dumps([0.5, 1.0, 1e-05, 0.0001, 1e20, 1e16,
		// 1e15, 1234567.5, 1.2345678901234568e+17, 0.0]).
		{"floats", []any{0.5, 1.0, 1e-05, 0.0001, 1e20, 1e16, 1e15, 1234567.5, 123456789012345678.0, 0.0},
			"[0.5, 1.0, 1e-05, 0.0001, 1e+20, 1e+16, 1000000000000000.0, 1234567.5, 1.2345678901234568e+17, 0.0]"},
		{"strings", []string{"a", "b"}, `["a", "b"]`},
		{"ordered", orderedMap{{"z", true}, {"a", false}}, `{"z": true, "a": false}`},
		{"map sorted", map[string]any{"b": 1, "a": []any{}}, `{"a": [], "b": 1}`},
		{"other types", custom{A: 1, B: "x"}, `{"a": 1, "b": "x"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pyJSON{itemSep: ", ", keySep: ": "}.encode(tc.v)
			if err != nil || string(got) != tc.want {
				t.Errorf("encode(%#v) = %s, %v; want %s", tc.v, got, err, tc.want)
			}
		})
	}
}
