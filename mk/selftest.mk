# Upstream's iommufd selftest (tools/testing/selftests/iommu/iommufd.c of
# Debian's linux-source-6.12), built unchanged and statically against this
# project's uAPI headers.  Only the test's own files are unpacked, under
# out/build/selftest/; its include of the kernel-private
# drivers/iommu/iommufd/iommufd_test.h is answered by a one-line header that
# includes this project's <linux/iommufd_test.h>.

SELFTEST_DIR := $(OUT)/build/selftest
SELFTEST_SRC := $(SELFTEST_DIR)/tools/testing/selftests/iommu
# The newest upstream selftest: see the end of this file.
NEWEST_SERIES ?= 7.3
NEWEST_DIR := $(OUT)/build/selftest-newest
NEWEST_SELFTESTS := $(NEWEST_DIR)/tools/testing/selftests
NEWEST_PROGS := $(OUT)/tests/upstream/iommufd_newest \
	$(OUT)/tests/upstream/iommufd_newest_600s \
	$(OUT)/tests/upstream/iommufd_fail_nth_newest

.PHONY: upstream-selftest
upstream-selftest: $(OUT)/tests/upstream/iommufd $(OUT)/tests/upstream/iommufd_fail_nth \
	$(OUT)/tests/upstream/iommufd_600s $(NEWEST_PROGS)

$(SELFTEST_DIR)/.unpacked: /usr/src/linux-source-6.12.tar.xz
	@rm -rf $(SELFTEST_DIR) && mkdir -p $(SELFTEST_DIR)
	tar -xf $< -C $(SELFTEST_DIR) --strip-components=1 \
		linux-source-6.12/tools/testing/selftests/iommu/iommufd.c \
		linux-source-6.12/tools/testing/selftests/iommu/iommufd_fail_nth.c \
		linux-source-6.12/tools/testing/selftests/iommu/iommufd_utils.h \
		linux-source-6.12/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.12/tools/testing/selftests/kselftest.h
	@mkdir -p $(SELFTEST_DIR)/drivers/iommu/iommufd
	@echo '#include <linux/iommufd_test.h>' \
		>$(SELFTEST_DIR)/drivers/iommu/iommufd/iommufd_test.h
	@touch $@

# $(call selftest_cc,SOURCE[,FLAGS[,LIBS]]): one of them, static, on this
# project's uAPI.  Debian 6.12's are built with IOMMUFD_TEST_ABI_6_12: the
# test ABI's structs as 6.12 had them (<linux/iommufd_test.h>).
define selftest_cc
@mkdir -p $(@D)
$(CC) -static -O2 -Wall -Wno-unused-function -D_GNU_SOURCE $(2) \
	-Iinclude/uapi -I$(OUT)/include -o $@ $(1) $(3)
endef

$(OUT)/tests/upstream/iommufd: $(SELFTEST_DIR)/.unpacked $(OUT)/include/.done \
		$(wildcard include/uapi/linux/*.h)
	$(call selftest_cc,$(SELFTEST_SRC)/iommufd.c,-DIOMMUFD_TEST_ABI_6_12)

# Its fail-nth companion: every case replayed with the Nth failure injected.
# It needs a kernel with fault injection (the debug kernel: make
# check-debug); on Debian's kernel each case skips, saying so.  Unchanged
# too, but built against a copy of the kselftest harness whose alarm per
# case is 600 s instead of 30: under TCG with KASAN a case with hundreds of
# replays takes minutes.  The selftest itself is built against that copy
# too (iommufd_600s), for the debug kernel only, where each ioctl costs
# about a millisecond and cases such as access_rw need more than 30 s;
# Debian's kernel runs it with upstream's 30 s.
FAILNTH_DIR := $(SELFTEST_DIR)/failnth

$(FAILNTH_DIR)/.prepared: $(SELFTEST_DIR)/.unpacked
	@rm -rf $(FAILNTH_DIR) && mkdir -p $(FAILNTH_DIR)
	@cp -r $(SELFTEST_DIR)/tools $(SELFTEST_DIR)/drivers $(FAILNTH_DIR)/
	@sed -i 's/^#define TEST_TIMEOUT_DEFAULT 30$$/#define TEST_TIMEOUT_DEFAULT 600/' \
		$(FAILNTH_DIR)/tools/testing/selftests/kselftest_harness.h
	@grep -q '^#define TEST_TIMEOUT_DEFAULT 600$$' \
		$(FAILNTH_DIR)/tools/testing/selftests/kselftest_harness.h
	@touch $@

$(OUT)/tests/upstream/iommufd_600s: $(FAILNTH_DIR)/.prepared $(OUT)/include/.done \
		$(wildcard include/uapi/linux/*.h)
	$(call selftest_cc,$(FAILNTH_DIR)/tools/testing/selftests/iommu/iommufd.c,-DIOMMUFD_TEST_ABI_6_12)

$(OUT)/tests/upstream/iommufd_fail_nth: $(FAILNTH_DIR)/.prepared $(OUT)/include/.done \
		$(wildcard include/uapi/linux/*.h)
	$(call selftest_cc,$(FAILNTH_DIR)/tools/testing/selftests/iommu/iommufd_fail_nth.c,-DIOMMUFD_TEST_ABI_6_12)

# The newest upstream selftest, beside 6.12's: the same two programs of the
# newest linux-source-$(NEWEST_SERIES) in Debian (trixie-backports or sid),
# fetched by scripts/newest-source.sh without touching the host's apt
# configuration.  Built unchanged, the same way, against this project's
# headers: a module that answers both test ABIs runs both.  Upstream's own
# test ABI and uAPI headers of that version are kept aside under
# upstream-headers/ for reference.  The series is pinned so that a new
# upstream release changes `make check` only when someone moves it.

$(NEWEST_DIR)/.unpacked: scripts/newest-source.sh
	@rm -f $@
	OUT=$(OUT) scripts/newest-source.sh $(NEWEST_SERIES) $(NEWEST_DIR)
	@mkdir -p $(NEWEST_DIR)/upstream-headers
	@mv $(NEWEST_DIR)/drivers/iommu/iommufd/iommufd_test.h \
		$(NEWEST_DIR)/include/uapi/linux/iommufd.h $(NEWEST_DIR)/upstream-headers/
	@echo '#include <linux/iommufd_test.h>' \
		>$(NEWEST_DIR)/drivers/iommu/iommufd/iommufd_test.h
	@cp $(NEWEST_SELFTESTS)/kselftest_harness.h $(NEWEST_SELFTESTS)/kselftest_harness_600s.h
	@sed -i 's/^#define TEST_TIMEOUT_DEFAULT 30$$/#define TEST_TIMEOUT_DEFAULT 600/' \
		$(NEWEST_SELFTESTS)/kselftest_harness_600s.h
	@grep -q '^#define TEST_TIMEOUT_DEFAULT 600$$' $(NEWEST_SELFTESTS)/kselftest_harness_600s.h
	@mkdir -p $(NEWEST_DIR)/h600 && \
		echo '#include "../tools/testing/selftests/kselftest_harness_600s.h"' \
		>$(NEWEST_DIR)/h600/kselftest_harness.h
	@touch $@

NEWEST_DEPS := $(NEWEST_DIR)/.unpacked $(OUT)/include/.done $(wildcard include/uapi/linux/*.h)

$(OUT)/tests/upstream/iommufd_newest: $(NEWEST_DEPS)
	$(call selftest_cc,$(NEWEST_SELFTESTS)/iommu/iommufd.c,-I$(NEWEST_SELFTESTS),-lcap)

$(OUT)/tests/upstream/iommufd_newest_600s: $(NEWEST_DEPS)
	$(call selftest_cc,$(NEWEST_SELFTESTS)/iommu/iommufd.c,-I$(NEWEST_DIR)/h600 -I$(NEWEST_SELFTESTS),-lcap)

$(OUT)/tests/upstream/iommufd_fail_nth_newest: $(NEWEST_DEPS)
	$(call selftest_cc,$(NEWEST_SELFTESTS)/iommu/iommufd_fail_nth.c,-I$(NEWEST_DIR)/h600 -I$(NEWEST_SELFTESTS),-lcap)
