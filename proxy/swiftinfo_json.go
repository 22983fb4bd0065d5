package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// pyJSON writes JSON as Python's json.dumps does, so that /info reads as
// Swift's does: ASCII only (\uXXXX escapes), Python's
// separators, keys in order. Clients parse JSON and do not care; people
// comparing answers do.
type pyJSON struct {
	itemSep, keySep string // Python's defaults ", " and ": "; compact "," and ":"
}

// orderedMap is a JSON object whose keys keep their order.
type orderedMap []keyValue

type keyValue struct {
	key   string
	value any
}

// encode returns v as JSON. v is built of nil, bools, numbers, strings,
// slices, orderedMap and maps with string keys; anything else goes through
// encoding/json first.
func (p pyJSON) encode(v any) ([]byte, error) {
	return p.append(nil, v)
}

func (p pyJSON) append(b []byte, v any) ([]byte, error) {
	var err error
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case string:
		return appendPyString(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case json.Number:
		return append(b, v...), nil
	case float64:
		return appendPyFloat(b, v)
	case []string:
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, p.itemSep...)
			}
			b = appendPyString(b, s)
		}
		return append(b, ']'), nil
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, p.itemSep...)
			}
			if b, err = p.append(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case orderedMap:
		b = append(b, '{')
		for i, kv := range v {
			if i > 0 {
				b = append(b, p.itemSep...)
			}
			b = append(appendPyString(b, kv.key), p.keySep...)
			if b, err = p.append(b, kv.value); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys) // Go maps have no order to keep
		m := make(orderedMap, 0, len(v))
		for _, k := range keys {
			m = append(m, keyValue{k, v[k]})
		}
		return p.append(b, m)
	}
	// Other types: as encoding/json sees them.
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var generic any
	if err := d.Decode(&generic); err != nil {
		return nil, err
	}
	return p.append(b, generic)
}

// appendPyString appends s as json.dumps(ensure_ascii=True) writes it.
func appendPyString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, `\"`...)
		case r == '\\':
			b = append(b, `\\`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r == '\b':
			b = append(b, `\b`...)
		case r == '\f':
			b = append(b, `\f`...)
		case r < 0x20 || r > 0x7f:
			if r == utf8.RuneError {
				r = 0xfffd
			}
			units := []rune{r}
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				units = []rune{r1, r2}
			}
			for _, u := range units {
				b = append(b, '\\', 'u', hex[u>>12&0xf], hex[u>>8&0xf], hex[u>>4&0xf], hex[u&0xf])
			}
		default:
			b = append(b, byte(r))
		}
	}
	return append(b, '"')
}

// appendPyFloat appends f as Python's repr does: the shortest digits,
// positional from 1e-4 up to 1e16 (with ".0" when integral), else with an
// exponent.
func appendPyFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("proxy: %v has no JSON form", f)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(b, "-0.0"...), nil
		}
		return append(b, "0.0"...), nil
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // shortest digits, d.ddde±XX
	if exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:]); exp < -4 || exp >= 16 {
		return append(b, e...), nil
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return append(b, s...), nil
}
