#!/bin/busybox sh
# /init of the perfmon test initramfs (busybox ash). The host side (harness/qemu-run.py) reads
# the console; the line protocol is:
#   PFMTEST-BEGIN <name> ... TAP ... PFMTEST-END <name> rc=<rc>   one kselftest binary
#   PFM-BENCH-BEGIN ... bench/# lines ... PFM-BENCH-END rc=<rc>    pfm.mode=bench (make bench)
#   PFM-INIT-DONE                                                  /init finished, powering off
# Kernel command line: pfm.mode=check|run|bench|shell (default check), pfm.timeout=<s per
# selftest>, pfm.bench=<name,name,...> (bench mode: only these benchmarks; default all),
# pfm.tests=<name,name,...> and pfm.repeat=<n> (check mode: only these selftests, each run n
# times in a row; for chasing a rare failure with qemu-run.py --append, not used by make check).
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmpfs /tmp
# re-open the console in case the kernel found no /dev/console in the initramfs
exec </dev/console >/dev/console 2>&1

MODE=check
TIMEOUT=120
BENCH=
ONLY=
REPEAT=1
# kselftest convention: tools/testing/selftests/perfmon/settings may say timeout=N
[ -f /perfmon/selftests/settings ] && TIMEOUT=$(sed -n 's/^timeout=//p' /perfmon/selftests/settings)
[ -n "$TIMEOUT" ] || TIMEOUT=120
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	pfm.mode=*) MODE=${arg#pfm.mode=} ;;
	pfm.timeout=*) TIMEOUT=${arg#pfm.timeout=} ;;
	pfm.bench=*) BENCH=$(echo "${arg#pfm.bench=}" | tr ',' ' ') ;;
	pfm.tests=*) ONLY=$(echo "${arg#pfm.tests=}" | tr ',' ' ') ;;
	pfm.repeat=*) REPEAT=${arg#pfm.repeat=} ;;
	esac
done
echo "PFM-INIT mode=$MODE kernel=$(uname -r) arch=$(uname -m) cpus=$(grep -c ^processor /proc/cpuinfo)"

run_selftests() {
	cd /perfmon/selftests || return
	list=${ONLY:-$(cat TESTS)}
	for t in $(for t in $list; do seq "$REPEAT" | sed "s|.*|$t|"; done); do
		echo "PFMTEST-BEGIN $t"
		t0=$(cut -d' ' -f1 /proc/uptime)
		if [ -x "./$t" ]; then
			# -s KILL: a hung test must not hang the boot; rc is then 128+9
			timeout -s KILL "$TIMEOUT" "./$t" </dev/null
			rc=$?
			[ $rc = 137 ] && echo "# PFMTEST-TIMEOUT $t killed after ${TIMEOUT}s"
		else
			echo "# $t: not found or not executable"
			rc=127
		fi
		echo "# PFMTEST-TIME $t $(awk -v t0="$t0" '{ printf "%.2f", $1 - t0 }' /proc/uptime)s"
		echo "PFMTEST-END $t rc=$rc"
	done
	cd /
}

show_pmu() {
	d=/sys/kernel/perfmon
	if [ ! -d $d ]; then
		echo "perfmon: $d missing (kernel without CONFIG_PERFMON?)"
		return
	fi
	echo "perfmon version: $(cat $d/version)"
	echo "perfmon syscall base: $(cat $d/syscall 2>/dev/null)"
	echo "PMU model: $(cat $d/pmu_desc/model 2>/dev/null)"
	echo "PMU counter_width: $(cat $d/pmu_desc/counter_width 2>/dev/null)"
	for r in $d/pmu_desc/pmc* $d/pmu_desc/pmd*; do
		[ -d "$r" ] || continue
		line="  $(basename $r): name=$(cat $r/name 2>/dev/null)"
		for a in dfl_val rsvd_msk width addr; do
			[ -f $r/$a ] && line="$line $a=$(cat $r/$a)"
		done
		echo "$line"
	done
}

# make run: what perfmon does, for a newcomer, on the PMU the kernel found.
demo_rc=0
demo_cmd() {
	echo "\$ $*"
	"$@" 2>&1
	rc=$?
	[ $rc = 0 ] || { echo "(exit status $rc)"; demo_rc=$rc; }
}

demo_step() {
	echo
	echo "=== $*"
	echo
}

run_demo() {
	if [ ! -x /bin/pfmon ] || [ ! -x /bin/pfm-workload ]; then
		echo "pfmon or pfm-workload missing from the initramfs"
		demo_rc=1
		return
	fi
	model=$(cat /sys/kernel/perfmon/pmu_desc/model 2>/dev/null)
	case "$model" in
	"ARMv8 PMUv3")
		ev_count=INST_RETIRED:u,INST_RETIRED:k,CPU_CYCLES:u,CPU_CYCLES:k
		ev_smpl=CPU_CYCLES:u; period=100000; ev_sys=CPU_CYCLES:uk,INST_RETIRED:uk ;;
	*)
		ev_count=task-clock,context-switches
		ev_smpl=task-clock; period=1000000; ev_sys=cpu-clock,context-switches ;;
	esac

	demo_step "1. The PMU: perfmon describes it in /sys/kernel/perfmon"
	demo_cmd pfmon --info

	demo_step "2. Counting a program: pfm-workload runs a loop of 4 instructions" \
		"10,000,000 times (user level), then makes 100,000 getppid() system calls" \
		"(kernel level). Under QEMU -icount one cycle is one instruction."
	demo_cmd pfmon -e "$ev_count" -- pfm-workload -n 10000000 -s 100000

	demo_step "3. Sampling: where does the program spend its time? One sample" \
		"every $period events, written to a file, then a flat profile"
	demo_cmd pfmon record --period "$period" -e "$ev_smpl" -o /tmp/demo.pfm -- \
		pfm-workload -n 10000000
	demo_cmd pfmon report --top 5 /tmp/demo.pfm

	demo_step "4. System-wide: everything every CPU ran for one second" \
		"(user and kernel level; the workload runs meanwhile)"
	pfm-workload -d 2 &
	demo_cmd pfmon -a --duration 1 -e "$ev_sys"
	wait
}

case "$MODE" in
check)
	run_selftests
	;;
run)
	echo "PFM-DEMO-BEGIN"
	run_demo
	echo "PFM-DEMO-END rc=$demo_rc"
	;;
bench)
	# make bench: the host echoes what pfm-bench prints between the markers
	echo "PFM-BENCH-BEGIN"
	if [ -x /bin/pfm-bench ]; then
		# shellcheck disable=SC2086 # BENCH is a list of names
		pfm-bench $BENCH </dev/null
		rc=$?
	else
		echo "# /bin/pfm-bench: not found"
		rc=127
	fi
	echo "PFM-BENCH-END rc=$rc"
	;;
shell)
	# interactive debugging: make shell ARCH=...
	setsid cttyhack sh
	;;
*)
	echo "unknown pfm.mode=$MODE"
	;;
esac

echo "PFM-INIT-DONE"
sync
poweroff -f
# not reached when power-off works; with qemu -no-reboot a reboot also ends the guest
sleep 5
reboot -f
