package ringcli

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// swift-ring-builder is written in Python, and operators (and their
// scripts) see Python's spelling of numbers and of parse errors. The
// helpers here reproduce exactly the parts of it that reach the output.

// pyFloat formats f as Python's str(float) does: the shortest string that
// reads back as f, always with a decimal point or an exponent ("100.0",
// "0.0001", "1e-05", "1e+16", "inf", "nan").
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	// Shortest round-trip digits and a decimal exponent, e.g. "1.25e+02".
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expStr, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expStr) // FormatFloat always writes a valid exponent
	sign := ""
	if strings.HasPrefix(mant, "-") {
		sign, mant = "-", mant[1:]
	}
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		esign := "+"
		if exp < 0 {
			esign, exp = "-", -exp
		}
		return fmt.Sprintf("%s%se%s%02d", sign, m, esign, exp)
	}
	var out string
	switch point := exp + 1; {
	case point <= 0:
		out = "0." + strings.Repeat("0", -point) + digits
	case point >= len(digits):
		out = digits + strings.Repeat("0", point-len(digits)) + ".0"
	default:
		out = digits[:point] + "." + digits[point:]
	}
	return sign + out
}

// pyRepr quotes s as Python's repr(str) does: single quotes unless s holds
// a single quote and no double quote, with backslash escapes for the quote,
// backslashes and unprintable characters.
func pyRepr(s string) string {
	quote := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == unicode.ReplacementChar:
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x100 && !unicode.IsPrint(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case !unicode.IsPrint(r) && r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		case !unicode.IsPrint(r):
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// pyIsSpace is the whitespace Python's int() and float() strip.
func pyIsSpace(r rune) bool { return unicode.IsSpace(r) }

var (
	pyIntSyntax   = regexp.MustCompile(`^[+-]?[0-9](_?[0-9])*$`)
	pyFloatSyntax = regexp.MustCompile(`^[+-]?(([0-9](_?[0-9])*)?\.?[0-9](_?[0-9])*|[0-9](_?[0-9])*\.)([eE][+-]?[0-9](_?[0-9])*)?$`)
	pyFloatWords  = regexp.MustCompile(`(?i)^[+-]?(inf|infinity|nan)$`)
)

// pyInt parses s as Python's int(s) does (surrounding whitespace, a sign,
// underscores between digits) and fails with Python's message. Values that
// do not fit an int are rejected with the same message.
func pyInt(s string) (int, error) {
	t := strings.TrimFunc(s, pyIsSpace)
	if pyIntSyntax.MatchString(t) {
		if n, err := strconv.ParseInt(strings.ReplaceAll(t, "_", ""), 10, 0); err == nil {
			return int(n), nil
		}
	}
	return 0, fmt.Errorf("invalid literal for int() with base 10: %s", pyRepr(s))
}

// pyFloatParse parses s as Python's float(s) does and fails with Python's
// message.
func pyFloatParse(s string) (float64, error) {
	t := strings.TrimFunc(s, pyIsSpace)
	if pyFloatSyntax.MatchString(t) || pyFloatWords.MatchString(t) {
		f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
		if err == nil || isRangeErr(err) {
			return f, nil // like Python, 1e400 is inf and 1e-400 is 0.0
		}
	}
	return 0, fmt.Errorf("could not convert string to float: %s", pyRepr(s))
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// pyTimedelta formats a number of seconds as Python's str(timedelta) does:
// "0:59:53", "1 day, 2:03:04", "2 days, 0:00:00".
func pyTimedelta(seconds int64) string {
	days := seconds / 86400
	rem := seconds % 86400
	if rem < 0 { // Python floors: -1s is "-1 day, 23:59:59"
		rem += 86400
		days--
	}
	hms := fmt.Sprintf("%d:%02d:%02d", rem/3600, rem%3600/60, rem%60)
	switch days {
	case 0:
		return hms
	case 1, -1:
		return fmt.Sprintf("%d day, %s", days, hms)
	}
	return fmt.Sprintf("%d days, %s", days, hms)
}

// pyQuote percent-encodes s as Python's urllib.parse.quote(s) does: all but
// letters, digits, "_.-~" and "/".
func pyQuote(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// wrapWords fills words, separated by spaces, into lines of at most width
// characters, the first line starting with first and the others with rest
// (Python's textwrap.wrap with initial_indent and subsequent_indent).
func wrapWords(words []string, width int, first, rest string) []string {
	var lines []string
	indent, cur := first, []string(nil)
	n := len(indent)
	for _, w := range words {
		if len(cur) > 0 && n+1+len(w) > width {
			lines = append(lines, indent+strings.Join(cur, " "))
			indent, cur, n = rest, nil, len(rest)
		}
		if len(cur) > 0 {
			n++
		}
		cur = append(cur, w)
		n += len(w)
	}
	if len(cur) > 0 {
		lines = append(lines, indent+strings.Join(cur, " "))
	}
	return lines
}
