# perfmon development harness. The kernel itself is built out of tree in build/linux
# (pristine 6.1 + this repo's overlay + patches/series); see build/CONTRACT.md.
#
#   make deps                      host packages + arm64 busybox/libpfm4 (idempotent)
#   make tree                      sync overlay + patches into build/linux
#   make build [ARCH=x86_64|arm64] [FLAVOR=debug|release]   default: both arches, debug
#   make initramfs [ARCH=..] [FLAVOR=..]
#   make boot MODE=x86_64|arm64-exact|arm64-smp|arm64-sw [PFM_MODE=check|run] [FLAVOR=debug]
#                                  arm64-sw = arm64-smp + perfmon.pmu=sw (software PMU on arm64)
#   make static                    checkpatch, sparse, W=1, uapi header test
#   make check                     everything; last line "N passed, M failed"; exit 1 on failures
#   make check-fast [MODE=x86_64]  edit-test loop: rebuild + boot one mode (debug kernel)
#   make run                       arm64 release kernel, arm64-exact, pfm.mode=run demo
#   make bench [BENCH=a,b]         arm64 release kernel, two arm64-exact boots: perfmon vs perf
#                                  benchmarks on the software PMU (perfmon.pmu=sw) and on the
#                                  active PMU (PMUv3: *_pmuv3 lines, perf hardware events), one
#                                  "bench <name> perfmon= perf= ratio= unit= regs=" line each
#   make shell [MODE=..]           interactive busybox shell in the guest (Ctrl-A x quits)
#   make docs                      render the perfmon documentation to build/docs/html (Sphinx,
#                                  warnings are errors) and check the pfmon man page
#   make patchset                  build/patchset/*.patch, a format-patch series against pristine
#   make clean                     remove build outputs (keeps build/linux and downloads)
# Variables: QEMU_TIMEOUT=<s> guest kill timeout, ECHO=1 copy the guest console to stdout.

ROOT   := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
H      := $(ROOT)/harness
ARCH   ?=
FLAVOR ?= debug
MODE   ?= x86_64
PFM_MODE ?= check
ARCHES := $(if $(ARCH),$(ARCH),x86_64 arm64)
# The scripts run their own (kernel) makes with explicit -j and ARCH=; do not leak ours.
RUN    := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES
DEPS   := $(ROOT)/build/.deps.stamp
export QEMU_TIMEOUT ECHO KCONFIG_ALLOW_MISSING

.PHONY: all deps tree build initramfs boot static check test check-fast run bench shell patchset docs \
	clean
all: check

deps: $(DEPS)
$(DEPS): $(H)/deps.sh
	$(RUN) bash $(H)/deps.sh
	@touch $@

tree: deps
	$(RUN) bash $(H)/prepare-tree.sh

build: tree
	@set -e; for a in $(ARCHES); do $(RUN) bash $(H)/build-kernel.sh $$a $(FLAVOR); done

initramfs: build
	@set -e; for a in $(ARCHES); do $(RUN) bash $(H)/mkinitramfs.sh $$a $(FLAVOR); done

boot: deps
	$(RUN) python3 $(H)/qemu-run.py --mode $(MODE) --flavor $(FLAVOR) --pfm-mode $(PFM_MODE) \
		$(if $(QEMU_TIMEOUT),--timeout $(QEMU_TIMEOUT)) $(if $(ECHO),--echo=all)

static: tree
	$(RUN) bash $(H)/static-checks.sh

check: deps
	$(RUN) bash $(H)/check.sh

test: check

check-fast: deps
	$(RUN) bash $(H)/check.sh --fast $(MODE)

run: tree
	$(RUN) bash $(H)/build-kernel.sh arm64 release
	$(RUN) bash $(H)/mkinitramfs.sh arm64 release
	$(RUN) python3 $(H)/qemu-run.py --mode arm64-exact --flavor release --pfm-mode run \
		--echo=init $(if $(QEMU_TIMEOUT),--timeout $(QEMU_TIMEOUT))

# Exact mode (one vCPU, -icount shift=0,sleep=off): guest time counts instructions, so the
# numbers are repeatable. The kernel build output goes to build/logs/ to keep stdout readable.
# Two boots: perfmon.pmu=sw (the software PMU against perf software events; log
# arm64-exact-bench-sw.log), then the PMU the kernel picks (PMUv3 against perf hardware events,
# lines named <bench>_pmuv3; log arm64-exact-bench.log). Both run even if the first fails.
BENCH_BOOT := $(RUN) python3 $(H)/qemu-run.py --mode arm64-exact --flavor release --pfm-mode bench \
	$(if $(QEMU_TIMEOUT),--timeout $(QEMU_TIMEOUT))
BENCH_ARG  := $(if $(BENCH),pfm.bench=$(BENCH))
bench: tree
	@echo "==> build arm64-release + initramfs (log build/logs/bench-build.log)"
	@mkdir -p $(ROOT)/build/logs
	@$(RUN) bash -c 'bash $(H)/build-kernel.sh arm64 release && \
		bash $(H)/mkinitramfs.sh arm64 release' >$(ROOT)/build/logs/bench-build.log 2>&1 || \
		{ tail -30 $(ROOT)/build/logs/bench-build.log; exit 1; }
	@rc=0; \
	$(BENCH_BOOT) --tag arm64-exact-bench-sw --append "$(strip perfmon.pmu=sw $(BENCH_ARG))" || rc=1; \
	$(BENCH_BOOT) $(if $(BENCH_ARG),--append "$(BENCH_ARG)") || rc=1; \
	exit $$rc

shell: deps
	$(RUN) python3 $(H)/qemu-run.py --mode $(MODE) --flavor $(FLAVOR) --pfm-mode shell

patchset: tree
	$(RUN) bash $(H)/mkpatchset.sh

docs: tree
	$(RUN) bash $(H)/docs.sh

clean:
	rm -rf $(ROOT)/build/x86_64-* $(ROOT)/build/arm64-debug $(ROOT)/build/arm64-release \
		$(ROOT)/build/initramfs $(ROOT)/build/selftests $(ROOT)/build/tools \
		$(ROOT)/build/results $(ROOT)/build/logs $(ROOT)/build/patchset
