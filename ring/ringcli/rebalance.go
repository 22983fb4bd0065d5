package ringcli

import (
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/swiftlet/swiftlet/ring"
)

// create makes a new builder (replacing any file of that name, as Swift
// does) and a backup of it.
func (s *session) create() int {
	if len(s.args) < 3 {
		return s.usage("create")
	}
	partPower, err := pyInt(s.args[0])
	if err != nil {
		return s.crash(err)
	}
	replicas, err := pyFloatParse(s.args[1])
	if err != nil {
		return s.crash(err)
	}
	minPartHours, err := pyInt(s.args[2])
	if err != nil {
		return s.crash(err)
	}
	b, err := ring.NewBuilder(partPower, replicas, minPartHours)
	if err != nil {
		return s.crash(err)
	}
	if err := s.makeBackupDir(); err != nil {
		return s.crash(err)
	}
	if err := b.Save(s.backupName(s.builderFile, s.now())); err != nil {
		return s.crash(err)
	}
	s.b = b
	return s.save(exitSuccess)
}

func (s *session) setMinPartHours() int {
	if len(s.args) < 1 {
		return s.usage("set_min_part_hours")
	}
	hours, err := pyInt(s.args[0])
	if err != nil {
		return s.crash(err)
	}
	if err := s.b.SetMinPartHours(hours); err != nil {
		return s.fail(err.Error())
	}
	s.printf("The minimum number of hours before a partition can be reassigned is now set to %s\n", s.args[0])
	return s.save(exitSuccess)
}

func (s *session) setReplicas() int {
	if len(s.args) < 1 {
		return s.usage("set_replicas")
	}
	replicas, err := pyFloatParse(s.args[0])
	if err != nil {
		s.println(commandUsage["set_replicas"])
		return s.fail(fmt.Sprintf("\"%s\" is not a valid number.", s.args[0]))
	}
	if replicas < 1 {
		return s.fail("Replica count must be at least 1.")
	}
	if err := s.b.SetReplicas(replicas); err != nil {
		return s.fail(err.Error())
	}
	s.printf("The replica count is now %.6f.\n", s.b.Replicas())
	s.println("The change will take effect after the next rebalance.")
	return s.save(exitSuccess)
}

// setOverload takes a fraction (0.1) or a percentage (10%). A fraction
// above 1 is allowed with a warning, as it is probably a mistyped
// percentage.
func (s *session) setOverload() int {
	if len(s.args) < 1 {
		return s.usage("set_overload")
	}
	v, percent := s.args[0], false
	if strings.HasSuffix(v, "%") {
		v, percent = strings.TrimRight(v, "%"), true
	}
	overload, err := pyFloatParse(v)
	if err != nil {
		s.println(commandUsage["set_overload"])
		return s.fail(pyRepr(v) + " is not a valid number.")
	}
	if percent {
		overload *= 0.01
	}
	if overload < 0 {
		return s.fail("Overload must be non-negative.")
	}
	status := exitSuccess
	if overload > 1 && !percent {
		s.println("!?! Warning overload is greater than 100% !?!")
		status = exitWarning
	}
	if err := s.b.SetOverload(overload); err != nil {
		return s.fail(err.Error())
	}
	s.printf("The overload factor is now %0.2f%% (%.6f)\n", s.b.Overload()*100, s.b.Overload())
	s.println("The change will take effect after the next rebalance.")
	return s.save(status)
}

func (s *session) pretendMinPartHoursPassed() int {
	s.b.PretendMinPartHoursPassed()
	return s.save(exitSuccess)
}

func (s *session) validate() int {
	if err := s.b.Validate(); err != nil {
		return s.crash(err)
	}
	return exitSuccess
}

// rebalanceFacts is what decides whether a rebalance is worth saving.
type rebalanceFacts struct {
	moved          int  // partition replicas now on another device
	removedDevs    int  // devices that left the ring
	force          bool // --force
	devsChanged    bool // devices changed since the last rebalance
	lastBalance    float64
	balance        float64
	lastDispersion *float64 // nil if never computed
	dispersion     float64
}

type rebalanceVerdict int

const (
	saveRebalance rebalanceVerdict = iota
	nothingMoved                   // "No partitions could be reassigned."
	cowardly                       // moved, but changed too little to be worth a new ring
)

// judgeRebalance is swift-ring-builder's decision, exactly: save if
// forced, if devices changed or were removed, or if the balance or the
// dispersion changed by at least one point (or the balance is stuck at
// MaxBalance, meaning a device without weight still holds partitions).
func judgeRebalance(f rebalanceFacts) rebalanceVerdict {
	if f.moved == 0 && !f.force && f.removedDevs == 0 {
		return nothingMoved
	}
	if f.force || f.devsChanged {
		return saveRebalance
	}
	balanceChanged := math.Abs(f.lastBalance-f.balance) >= 1 ||
		f.lastBalance == ring.MaxBalance && f.balance == ring.MaxBalance
	dispersionChanged := f.lastDispersion == nil || math.Abs(*f.lastDispersion-f.dispersion) >= 1
	if balanceChanged || dispersionChanged {
		return saveRebalance
	}
	return cowardly
}

// rebalance reassigns partitions and, if that changed enough, writes
// backups, the ring file and the builder.
func (s *session) rebalance() int {
	o, pos, err := parseOpts(s.args, rebalanceOpts)
	if err != nil {
		return s.optError(err, commandUsage["rebalance"])
	}
	seed, _ := o.str("seed")
	if seed == "" && len(pos) > 0 {
		seed = pos[0] // Swift also takes the seed as the first argument
	}
	b, now := s.b, s.now()
	facts := rebalanceFacts{force: o.flag("force"), devsChanged: b.DevsChanged()}
	secondsLeft := b.MinPartSecondsLeft(now)
	if facts.lastBalance, err = b.Balance(); err != nil {
		return s.rebalanceFailed(err.Error())
	}
	weighted := 0
	for _, d := range b.Devices() {
		if d.Weight > 0 {
			weighted++
		}
	}
	if float64(weighted) < b.Replicas() {
		return s.rebalanceFailed(fmt.Sprintf("Replica count of %s requires more than %d devices", pyFloat(b.Replicas()), weighted))
	}
	if d, ok := b.Dispersion(); ok {
		facts.lastDispersion = &d
	}
	res, err := b.Rebalance(ring.RebalanceOptions{Now: now, Seed: seedValue(seed)})
	if err != nil {
		return s.rebalanceFailed(err.Error())
	}
	facts.moved, facts.removedDevs = res.Moved, res.RemovedDevices
	facts.balance, facts.dispersion = res.Balance, res.Dispersion

	switch judgeRebalance(facts) {
	case nothingMoved:
		s.println("No partitions could be reassigned.")
		if secondsLeft > 0 {
			s.printf("The time between rebalances must be at least min_part_hours: %d hours (%s remaining)\n",
				b.MinPartHours(), pyTimedelta(b.MinPartSecondsLeft(now)))
		} else {
			s.println("There is no need to do so at this time")
		}
		return exitWarning
	case cowardly:
		s.println("Cowardly refusing to save rebalance as it did not change at least 1%.")
		return exitWarning
	}
	if err := b.Validate(); err != nil {
		return s.rebalanceFailed(err.Error())
	}
	s.printf("Reassigned %d (%.02f%%) partitions. Balance is now %.02f.  Dispersion is now %.02f\n",
		res.Moved, 100*float64(res.Moved)/float64(b.Partitions()), res.Balance, res.Dispersion)
	status := exitSuccess
	rule := strings.Repeat("-", 79)
	switch {
	case res.Dispersion > 0:
		s.println(rule)
		s.printf("NOTE: Dispersion of %.06f indicates some parts are not\n"+
			"      optimally dispersed.\n\n"+
			"      You may want to adjust some device weights, increase\n"+
			"      the overload or review the dispersion report.\n", res.Dispersion)
		s.println(rule)
		status = exitWarning
	case res.Balance > 5 && res.Balance/100 > b.Overload():
		s.println(rule)
		s.printf("NOTE: Balance of %.02f indicates you should push this \n", res.Balance)
		s.printf("      ring, wait at least %d hours, and rebalance/repush.\n", b.MinPartHours())
		s.println(rule)
		status = exitWarning
	}
	r, err := b.Ring(ring.HashSalt{})
	if err != nil {
		return s.crash(err)
	}
	if err := s.makeBackupDir(); err != nil {
		return s.crash(err)
	}
	for _, step := range []func() error{
		func() error { return r.WriteFile(s.backupName(s.ringFile, now)) },
		func() error { return b.Save(s.backupName(s.builderFile, now)) },
		func() error { return r.WriteFile(s.ringFile) },
	} {
		if err := step(); err != nil {
			return s.crash(err)
		}
	}
	return s.save(status)
}

func (s *session) rebalanceFailed(msg string) int {
	rule := strings.Repeat("-", 79)
	s.println(rule)
	s.printf("An error has occurred during ring validation. Common\n"+
		"causes of failure are rings that are empty or do not\n"+
		"have enough devices to accommodate the replica count.\n"+
		"Original exception message:\n %s\n", msg)
	s.println(rule)
	return exitError
}

// seedValue turns --seed into the builder's seed. Swift seeds Python's
// random with any string; an integer is used as is, anything else is
// hashed. Without a seed the rebalance is deterministic (seed 0).
func seedValue(seed string) int64 {
	if seed == "" {
		return 0
	}
	if n, err := strconv.ParseInt(seed, 10, 64); err == nil {
		return n
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(seed)) // hash writes never fail
	return int64(h.Sum64())
}

// writeRing writes the ring file (and a backup) from the builder as it is,
// for changes that need no rebalance, such as set_info.
func (s *session) writeRing() int {
	if len(s.b.Devices()) == 0 {
		return s.fail("Unable to write empty ring.")
	}
	r, err := s.b.Ring(ring.HashSalt{})
	if err != nil {
		return s.crash(err)
	}
	if !s.b.EverRebalanced() {
		s.println("Warning: Writing a ring with no partition assignments but with devices; " +
			"did you forget to run \"rebalance\"?")
	}
	if err := s.makeBackupDir(); err != nil {
		return s.crash(err)
	}
	if err := r.WriteFile(s.backupName(s.ringFile, s.now())); err != nil {
		return s.crash(err)
	}
	if err := r.WriteFile(s.ringFile); err != nil {
		return s.crash(err)
	}
	return exitSuccess
}

// writeBuilder recreates the builder from the ring file (swiftlet's or
// Swift's), refusing to replace an existing builder.
func (s *session) writeBuilder() int {
	if _, err := os.Stat(s.builderFile); err == nil {
		return s.fail("Cowardly refusing to overwrite existing Ring Builder file: " + s.builderFile)
	}
	minPartHours := 24
	if len(s.args) > 0 {
		var err error
		if minPartHours, err = pyInt(s.args[0]); err != nil {
			return s.crash(err)
		}
	} else {
		fmt.Fprintln(s.stderr, "WARNING: default min_part_hours may not match the value in the lost builder.")
	}
	r, err := ring.Load(s.ringFile, ring.HashSalt{})
	if err != nil {
		return s.crash(err)
	}
	b, err := ring.BuilderFromRing(r, minPartHours)
	if err != nil {
		return s.crash(err)
	}
	s.b = b
	return s.save(exitSuccess)
}
