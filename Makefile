# SPDX-License-Identifier: GPL-2.0-only
#
# make         set up (Debian packages), build iommufd.ko, VFIO, the tests and
#              the VM image; modules end up in out/modules/
# make check   all of that, then every test (host and VM)
# make demo    all of that, then the main job in the VM
# make vm CMD='...'   run one command in the VM by hand (CMD empty: a shell)
# make bench   this iommufd.ko against upstream's and VFIO type1, in the VM;
#              R=rounds (default 3), BENCH_QUICK=1 for sizes divided by 8,
#              BENCH_ICOUNT=1 to time in guest instructions (bench/bench.sh)
# make bench-profile   where the headline row's time goes, both modules,
#              under perf in the same VM (bench/profile.sh)
# make check-debug   the VM tests on a debug kernel (KASAN, lockdep,
#              kmemleak) built from linux-source-6.12 (about 20 minutes once)
# make deb     the iommufd-dkms package: out/deb/iommufd-dkms_VERSION_all.deb
# make check-package   that package installed with apt in a Debian 13 root
#              and proven in it, booted under QEMU (packaging/check/);
#              SUITE=bookworm: the same in Debian 12 with its 6.12 kernel
#
# KDIR=/usr/src/linux-headers-...  builds against other 6.12 headers; the VM
# then boots the matching Debian kernel.

OUT := $(CURDIR)/out
SHELL := /bin/bash

.PHONY: all setup build check check-debug demo vm lint clean bench bench-profile deb check-package
all: setup
	+@$(MAKE) --no-print-directory build

# SETUP_PKGS: Debian packages a target needs beyond the build's.
setup:
	@KVER="$(if $(KDIR),$(patsubst linux-headers-%,%,$(notdir $(KDIR))))" \
		SETUP_PKGS="$(SETUP_PKGS)" scripts/setup.sh

check: all
	@vm/check.sh

check-debug: all
	@scripts/debug-check.sh

demo: all
	@vm/demo.sh

vm: all
	@vm/run.sh --name manual -- $(CMD)

R ?= 3
BENCH_QUICK ?=
BENCH_ICOUNT ?=
bench:
	@# gnuplot (no X) draws out/bench/ratios.png.
	+@$(MAKE) --no-print-directory setup SETUP_PKGS=gnuplot-nox
	+@$(MAKE) --no-print-directory build bench-build
	@BENCH_ICOUNT=$(BENCH_ICOUNT) bench/bench.sh $(R) $(BENCH_QUICK)

# Where the headline row's time goes, under perf in the benchmark VM.
bench-profile:
	+@$(MAKE) --no-print-directory setup SETUP_PKGS=linux-perf
	+@$(MAKE) --no-print-directory build bench-build
	@bench/profile.sh $(BENCH_QUICK)

deb:
	+@$(MAKE) --no-print-directory setup SETUP_PKGS="$(PACKAGE_PKGS)"
	+@$(MAKE) --no-print-directory deb-build

PACKAGE_PKGS := debhelper dh-dkms lintian debootstrap e2fsprogs qemu-system-x86
check-package:
	+@$(MAKE) --no-print-directory setup SETUP_PKGS="$(PACKAGE_PKGS)"
	+@$(MAKE) --no-print-directory check-package-run

lint:
	@scripts/lint.sh

clean:
	rm -rf $(OUT)/build $(OUT)/modules $(OUT)/release $(OUT)/tests $(OUT)/vm \
		$(OUT)/include $(OUT)/logs $(OUT)/bench $(OUT)/deb

# Everything below runs after setup, so the headers exist when it is parsed.
ifneq ($(filter deb-build check-package-run,$(MAKECMDGOALS)),)
include mk/deb.mk
endif

ifneq ($(filter build,$(MAKECMDGOALS)),)
KDIR ?= $(shell ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | sort -V | tail -1)
ifeq ($(KDIR),)
$(error no /usr/src/linux-headers-6.12.*-amd64: run make setup as root)
endif
KVER := $(patsubst linux-headers-%,%,$(notdir $(KDIR)))
KCOMMON := $(patsubst %-amd64,%-common,$(KDIR))
export KDIR KVER OUT

include mk/module.mk
include mk/vfio.mk
include mk/tests.mk
include mk/selftest.mk
include mk/vm.mk
include mk/bench.mk

build: $(OUT)/modules/.done $(OUT)/release/iommufd.ko vfio vfio-container tests upstream-selftest vm-image
	@echo "build: done (kernel $(KVER))"
endif
