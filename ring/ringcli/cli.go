package ringcli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/swiftlet/swiftlet/ring"
)

// Exit codes, as swift-ring-builder's.
const (
	exitSuccess = 0
	exitWarning = 1
	exitError   = 2
)

// progName is how usage texts and option errors name the command.
const progName = "swiftlet ring"

// env is what a command may touch besides files: the clock and the
// standard streams.
type env struct {
	now    func() time.Time
	stdin  *bufio.Reader
	stdout io.Writer
	stderr io.Writer
}

// Main runs "swiftlet ring" with args, what follows "ring" on the command
// line: the builder (or ring) file, then the verb and its arguments. It
// returns the exit code: 0 success, 1 warning, 2 error.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if stdin == nil {
		stdin = strings.NewReader("") // no answers: confirmations are declined
	}
	return run(args, env{now: time.Now, stdin: bufio.NewReader(stdin), stdout: stdout, stderr: stderr})
}

// session is one invocation of "swiftlet ring".
type session struct {
	env
	verb        string
	args        []string // the verb's arguments
	builderFile string
	ringFile    string
	backupDir   string
	b           *ring.Builder // nil if the file does not exist (create, write_builder)
}

// commands maps each verb to its implementation.
var commands = map[string]func(*session) int{
	"default":                       (*session).show,
	"create":                        (*session).create,
	"add":                           (*session).add,
	"remove":                        (*session).remove,
	"set_weight":                    (*session).setWeight,
	"set_region":                    (*session).setRegion,
	"set_zone":                      (*session).setZone,
	"set_info":                      (*session).setInfo,
	"set_min_part_hours":            (*session).setMinPartHours,
	"set_overload":                  (*session).setOverload,
	"set_replicas":                  (*session).setReplicas,
	"rebalance":                     (*session).rebalance,
	"validate":                      (*session).validate,
	"dispersion":                    (*session).dispersion,
	"search":                        (*session).search,
	"list_parts":                    (*session).listParts,
	"write_ring":                    (*session).writeRing,
	"write_builder":                 (*session).writeBuilder,
	"pretend_min_part_hours_passed": (*session).pretendMinPartHoursPassed,

	"prepare_increase_partition_power": (*session).partPowerUnsupported,
	"increase_partition_power":         (*session).partPowerUnsupported,
	"cancel_increase_partition_power":  (*session).partPowerUnsupported,
	"finish_increase_partition_power":  (*session).partPowerUnsupported,
}

func run(args []string, e env) int {
	s := &session{env: e}
	if len(args) == 0 {
		s.printUsage()
		return exitSuccess
	}
	s.builderFile, s.ringFile = builderRingNames(args[0])
	if s.builderFile != args[0] {
		s.printf("Note: using %s instead of %s as builder file\n", s.builderFile, args[0])
	}
	s.verb = "default"
	if len(args) > 1 {
		s.verb, s.args = args[1], args[2:]
	}
	if st, ok := s.load(); !ok {
		return st
	}
	s.backupDir = filepath.Join(filepath.Dir(s.builderFile), "backups")
	cmd := commands[s.verb]
	if cmd == nil {
		return s.fail("Unknown command: " + s.verb)
	}
	return cmd(s)
}

// builderRingNames derives the builder and ring file names from the name
// given, as Swift's parse_builder_ring_filename_args: x.ring.gz and
// x.builder go together, and any other name x is the builder of x.ring.gz.
func builderRingNames(name string) (builderFile, ringFile string) {
	if base, ok := strings.CutSuffix(name, ".ring.gz"); ok {
		return base + ".builder", name
	}
	if base, ok := strings.CutSuffix(name, ".builder"); ok {
		return name, base + ".ring.gz"
	}
	return name, name + ".ring.gz"
}

// load reads the builder file. A missing file is fine for the verbs that
// make one.
func (s *session) load() (int, bool) {
	b, err := ring.LoadBuilder(s.builderFile)
	switch {
	case err == nil:
		s.b = b
		return 0, true
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		if s.verb == "create" || s.verb == "write_builder" {
			return 0, true
		}
		if errors.Is(err, fs.ErrNotExist) {
			return s.fail("Ring Builder file does not exist: " + s.builderFile), false
		}
		return s.fail("Ring Builder file cannot be accessed: " + s.builderFile), false
	case errors.Is(err, ring.ErrCorrupt):
		s.println("Ring Builder file is invalid: " + s.builderFile)
		if looksPickled(s.builderFile) {
			s.println("(it looks like a Swift builder file, which swiftlet cannot read; " +
				"recreate the builder from its ring file with write_builder)")
		}
		return exitError, false
	}
	return s.fail(fmt.Sprintf("Problem occurred while reading builder file: %s. %v", s.builderFile, err)), false
}

// looksPickled reports whether path starts like a Python pickle (protocol
// 2 or later), which is how Swift stores builders.
func looksPickled(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var head [2]byte
	_, err = io.ReadFull(f, head[:])
	return err == nil && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5
}

func (s *session) printf(format string, a ...any) { fmt.Fprintf(s.stdout, format, a...) }
func (s *session) println(a ...any)               { fmt.Fprintln(s.stdout, a...) }

// fail prints msg on stdout, where Swift prints its handled errors, and
// returns the error exit code.
func (s *session) fail(msg string) int {
	s.println(msg)
	return exitError
}

// failUnchanged is fail for add, which also reassures the operator.
func (s *session) failUnchanged(msg string) int {
	s.println(msg)
	s.println("The on-disk ring builder is unchanged.")
	return exitError
}

// crash reports an error where swift-ring-builder dies with a Python
// traceback: the message alone, on stderr, and the error exit code.
func (s *session) crash(err error) int {
	fmt.Fprintln(s.stderr, err)
	return exitError
}

// usage prints the verb's usage and returns the error exit code.
func (s *session) usage(verb string) int {
	return s.fail(commandUsage[verb])
}

// usageWithSearch prints the verb's usage and how search values are
// written.
func (s *session) usageWithSearch(verb string) int {
	s.println(commandUsage[verb])
	s.println()
	return s.fail(searchValueUsage)
}

// optError reports a command line the option parser rejected, as optparse
// does; -h prints the usage and succeeds.
func (s *session) optError(err error, usage string) int {
	if err == errHelp {
		s.printf("Usage: %s\n", usage)
		return exitSuccess
	}
	fmt.Fprintf(s.stderr, "Usage: %s\n\n%s: error: %s\n", usage, progName, err)
	return exitError
}

// save writes the builder and returns status, or the error exit code if
// it could not be written.
func (s *session) save(status int) int {
	if err := s.b.Save(s.builderFile); err != nil {
		return s.crash(err)
	}
	return status
}

// backupName is where a backup of file made at now goes.
func (s *session) backupName(file string, now time.Time) string {
	return filepath.Join(s.backupDir, fmt.Sprintf("%d.%s", now.Unix(), filepath.Base(file)))
}

func (s *session) makeBackupDir() error {
	if err := os.Mkdir(s.backupDir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}

// printUsage prints the usage of every verb, as swift-ring-builder does
// without arguments.
func (s *session) printUsage() {
	var b bytes.Buffer
	b.WriteString("swiftlet ring (swift-ring-builder 1.3 compatible)\n\n")
	b.WriteString(commandUsage["default"] + "\n\n")
	var verbs []string
	for v := range commandUsage {
		if v != "default" {
			verbs = append(verbs, v)
		}
	}
	slices.Sort(verbs)
	for _, v := range verbs {
		b.WriteString(commandUsage[v] + "\n\n")
	}
	b.WriteString(searchValueUsage + "\n\n")
	for _, line := range wrapWords(verbs, 79, "Quick list: ", "            ") {
		b.WriteString(line + "\n")
	}
	b.WriteString("Exit codes: 0 = operation successful\n" +
		"            1 = operation completed with warnings\n" +
		"            2 = error\n")
	_, _ = s.stdout.Write(b.Bytes()) // like every print here, a failed write to stdout is not reported
}

func (s *session) partPowerUnsupported() int {
	return s.fail("Changing the partition power is not supported by swiftlet's ring builder.")
}
