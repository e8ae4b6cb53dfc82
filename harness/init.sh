#!/bin/busybox sh
# /init of the perfmon test initramfs (busybox ash). The host side (harness/qemu-run.py) reads
# the console; the line protocol is:
#   PFMTEST-BEGIN <name> ... TAP ... PFMTEST-END <name> rc=<rc>   one kselftest binary
#   PFM-BENCH-BEGIN ... bench/# lines ... PFM-BENCH-END rc=<rc>    pfm.mode=bench (make bench)
#   PFM-INIT-DONE                                                  /init finished, powering off
# Kernel command line: pfm.mode=check|run|bench|shell (default check), pfm.timeout=<s per
# selftest>, pfm.bench=<name,name,...> (bench mode: only these benchmarks; default all).
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
# kselftest convention: tools/testing/selftests/perfmon/settings may say timeout=N
[ -f /perfmon/selftests/settings ] && TIMEOUT=$(sed -n 's/^timeout=//p' /perfmon/selftests/settings)
[ -n "$TIMEOUT" ] || TIMEOUT=120
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	pfm.mode=*) MODE=${arg#pfm.mode=} ;;
	pfm.timeout=*) TIMEOUT=${arg#pfm.timeout=} ;;
	pfm.bench=*) BENCH=$(echo "${arg#pfm.bench=}" | tr ',' ' ') ;;
	esac
done
echo "PFM-INIT mode=$MODE kernel=$(uname -r) arch=$(uname -m) cpus=$(grep -c ^processor /proc/cpuinfo)"

run_selftests() {
	cd /perfmon/selftests || return
	for t in $(cat TESTS); do
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

case "$MODE" in
check)
	run_selftests
	;;
run)
	echo "PFM-DEMO-BEGIN"
	show_pmu
	if [ -x /bin/pfmon ]; then
		echo "\$ pfmon --info"
		pfmon --info
		echo "pfmon rc=$?"
	fi
	echo "PFM-DEMO-END"
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
