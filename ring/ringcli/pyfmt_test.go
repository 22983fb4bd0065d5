package ringcli

import (
	"math"
	"slices"
	"testing"
)

// The expected values in this file are what Python 3.11 prints.

func TestPyFloat(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{100, "100.0"},
		{50.5, "50.5"},
		{0.0001, "0.0001"},
		{0.00001, "1e-05"},
		{1e16, "1e+16"},
		{1e15, "1000000000000000.0"},
		{123456789012345678, "1.2345678901234568e+17"},
		{math.Copysign(0, -1), "-0.0"},
		{1.0 / 3, "0.3333333333333333"},
		{2.5e-7, "2.5e-07"},
		{1e300, "1e+300"},
		{0.30000000000000004, "0.30000000000000004"}, // 0.1 + 0.2 at run time
		{7, "7.0"},
		{-1.5, "-1.5"},
		{math.Inf(1), "inf"},
		{math.NaN(), "nan"},
	} {
		if got := pyFloat(tc.in); got != tc.want {
			t.Errorf("pyFloat(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPyRepr(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"abc", `'abc'`},
		{"it's", `"it's"`},
		{`say "hi"`, `'say "hi"'`},
		{`both ' "`, `'both \' "'`},
		{"tab\there", `'tab\there'`},
		{"nl\n", `'nl\n'`},
		{`back\slash`, `'back\\slash'`},
		{"é", `'é'`},
		{"\x00\x7f", `'\x00\x7f'`},
		{"\u200b", `'\u200b'`},
		{"", `''`},
	} {
		if got := pyRepr(tc.in); got != tc.want {
			t.Errorf("pyRepr(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestPyInt(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    int
		wantErr string
	}{
		{" 12 ", 12, ""},
		{"1_000", 1000, ""},
		{"+5", 5, ""},
		{"-0", 0, ""},
		{"007", 7, ""},
		{"1__0", 0, "invalid literal for int() with base 10: '1__0'"},
		{"_1", 0, "invalid literal for int() with base 10: '_1'"},
		{"1_", 0, "invalid literal for int() with base 10: '1_'"},
		{"0x10", 0, "invalid literal for int() with base 10: '0x10'"},
		{"", 0, "invalid literal for int() with base 10: ''"},
		{"x", 0, "invalid literal for int() with base 10: 'x'"},
	} {
		got, err := pyInt(tc.in)
		if gotErr := errString(err); got != tc.want || gotErr != tc.wantErr {
			t.Errorf("pyInt(%q) = %d, %q; want %d, %q", tc.in, got, gotErr, tc.want, tc.wantErr)
		}
	}
}

func TestPyFloatParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    float64
		wantErr string
	}{
		{"1.", 1, ""},
		{".5", 0.5, ""},
		{"1e3", 1000, ""},
		{" 2.5 ", 2.5, ""},
		{"1_0.5", 10.5, ""},
		{"inf", math.Inf(1), ""},
		{"-Infinity", math.Inf(-1), ""},
		{"1e400", math.Inf(1), ""},
		{"0x10", 0, "could not convert string to float: '0x10'"},
		{"1.2.3", 0, "could not convert string to float: '1.2.3'"},
		{"", 0, "could not convert string to float: ''"},
		{".", 0, "could not convert string to float: '.'"},
		{"e5", 0, "could not convert string to float: 'e5'"},
		{"1e", 0, "could not convert string to float: '1e'"},
		{"1_.5", 0, "could not convert string to float: '1_.5'"},
		{"in f", 0, "could not convert string to float: 'in f'"},
		{"abc", 0, "could not convert string to float: 'abc'"},
	} {
		got, err := pyFloatParse(tc.in)
		if gotErr := errString(err); got != tc.want || gotErr != tc.wantErr {
			t.Errorf("pyFloatParse(%q) = %v, %q; want %v, %q", tc.in, got, gotErr, tc.want, tc.wantErr)
		}
	}
	if got, err := pyFloatParse("nan"); err != nil || !math.IsNaN(got) {
		t.Errorf(`pyFloatParse("nan") = %v, %v; want NaN`, got, err)
	}
}

func TestPyTimedelta(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{0, "0:00:00"},
		{7, "0:00:07"},
		{3599, "0:59:59"},
		{3600, "1:00:00"},
		{86399, "23:59:59"},
		{86400, "1 day, 0:00:00"},
		{93784, "1 day, 2:03:04"},
		{172800, "2 days, 0:00:00"},
		{2*86400 + 3661, "2 days, 1:01:01"},
		{-1, "-1 day, 23:59:59"},
	} {
		if got := pyTimedelta(tc.in); got != tc.want {
			t.Errorf("pyTimedelta(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPyQuote(t *testing.T) {
	in, want := "AUTH_test/c 1/o%é~-_.!*()", "AUTH_test/c%201/o%25%C3%A9~-_.%21%2A%28%29"
	if got := pyQuote(in); got != want {
		t.Errorf("pyQuote(%q) = %q, want %q", in, got, want)
	}
}

func TestWrapWords(t *testing.T) {
	words := []string{"add", "create", "dispersion", "list_parts", "pretend_min_part_hours_passed", "rebalance",
		"remove", "search", "set_info", "set_min_part_hours", "set_overload"}
	got := wrapWords(words, 79, "Quick list: ", "            ")
	want := []string{
		"Quick list: add create dispersion list_parts pretend_min_part_hours_passed",
		"            rebalance remove search set_info set_min_part_hours set_overload",
	}
	if !slices.Equal(got, want) {
		t.Errorf("wrapWords = %q, want %q", got, want)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
