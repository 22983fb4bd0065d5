package saio

import (
	"strings"

	"github.com/swiftlet/swiftlet/proxy/tempauth"
)

// user is a tempauth user as the summary shows it.
type user struct{ name, key, note string }

// standardUsers describes tempauth's standard users.
func standardUsers() []user {
	var out []user
	for _, u := range tempauth.StandardUsers() {
		var notes []string
		for _, g := range u.Groups {
			switch g {
			case ".admin":
				notes = append(notes, "admin of AUTH_"+u.Account)
			case ".reseller_admin":
				notes = append(notes, "reseller admin (every account)")
			default:
				notes = append(notes, "group "+g)
			}
		}
		if len(notes) == 0 {
			notes = append(notes, "of AUTH_"+u.Account+", not an admin: needs ACLs")
		}
		out = append(out, user{name: u.Name(), key: u.Key, note: strings.Join(notes, ", ")})
	}
	return out
}
