package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Other work on the machine during a run: the CPU time the machine spent
// busy (/proc/stat) minus the CPU time of this run's own processes (the
// orchestrator, the children it has waited for, and the live echo
// server). What is left is other processes' work, and the kernel's that no
// process is charged with.

// clockTick is USER_HZ, the unit of /proc/stat and /proc/PID/stat.
const clockTick = 100

// cpuMark is a reading of the machine's and this run's CPU time.
type cpuMark struct {
	wall    time.Time
	machine time.Duration // user + nice + system + irq + softirq, all CPUs
	own     time.Duration
}

func markCPU(serverPid int) (cpuMark, error) {
	m := cpuMark{wall: time.Now()}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return m, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return m, fmt.Errorf("/proc/stat: %q", line)
	}
	for _, i := range []int{1, 2, 3, 6, 7} { // user nice system irq softirq
		v, err := strconv.ParseUint(f[i], 10, 64)
		if err != nil {
			return m, err
		}
		m.machine += time.Duration(v) * time.Second / clockTick
	}
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err != nil {
			return m, err
		}
		m.own += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if serverPid > 0 {
		t, err := procCPU(serverPid)
		if err != nil {
			return m, err
		}
		m.own += t
	}
	return m, nil
}

// procCPU is the user + system time of a live process.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; the fields after it are plain.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	var t time.Duration
	for _, v := range f[11:13] { // utime, stime (fields 14 and 15)
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, err
		}
		t += time.Duration(n) * time.Second / clockTick
	}
	return t, nil
}

// otherLoad is the work of others between two marks.
type otherLoad struct {
	OtherCPU time.Duration // CPU time not charged to this run
	Wall     time.Duration
	CPUs     int
}

func otherBetween(a, b cpuMark, cpus int) otherLoad {
	return otherLoad{OtherCPU: max((b.machine-a.machine)-(b.own-a.own), 0), Wall: b.wall.Sub(a.wall), CPUs: cpus}
}

// share is the other work as a share of the machine's CPU time.
func (o otherLoad) share() float64 {
	if o.Wall <= 0 || o.CPUs <= 0 {
		return 0
	}
	return o.OtherCPU.Seconds() / (o.Wall.Seconds() * float64(o.CPUs))
}
