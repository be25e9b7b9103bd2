# User-space tests: static binaries for the VM (out/tests/bin/) and the
# harness's own test, built for the host (out/tests/host/).  They include the
# 6.12 uAPI headers of Debian's linux-headers package, sanitized into
# out/include/ at build time (ahead of the older /usr/include/linux ones),
# behind this project's include/uapi for newer uAPI; nothing is committed.

TEST_CFLAGS := -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude/uapi -I$(OUT)/include -Itests/lib
TEST_LIB := tests/lib/harness.c
TEST_HDRS := $(wildcard tests/lib/*.h) $(wildcard include/uapi/linux/*.h) $(OUT)/include/.done
UAPI_HDRS := iommufd.h vfio.h

# One program per source file: tests/AREA/NAME_test.c -> out/tests/bin/AREA_NAME
VM_TEST_SRCS := $(wildcard tests/core/*_test.c tests/ioas/*_test.c tests/device/*_test.c \
	tests/vfio/*_test.c tests/reliability/*_test.c)
VM_TESTS := $(foreach s,$(VM_TEST_SRCS),$(OUT)/tests/bin/$(notdir $(patsubst %/,%,$(dir $(s))))_$(patsubst %_test.c,%,$(notdir $(s))))

# The unit layer: pure parts of the module built from their own source in
# user space, over a shim of the kernel API (tests/unit/shim/), with ASan
# and UBSan; tests/unit/NAME_test.c -> out/tests/host/unit_NAME, each
# with a unit_rule below (vm/check.sh runs every one).
# The kernel's warnings, not user space's: no -Wunused-parameter.
UNIT_CFLAGS := -O1 -g -Wall -Wextra -Wno-unused-parameter -Werror -D_GNU_SOURCE \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Itests/unit/shim -Itests/lib -Iinclude -I$(OUT)/include
UNIT_SHIM := tests/unit/shim/kshim.c $(wildcard tests/unit/shim/*.h tests/unit/shim/linux/*.h)
UNIT_TESTS := $(patsubst tests/unit/%_test.c,$(OUT)/tests/host/unit_%,\
	$(wildcard tests/unit/*_test.c))

.PHONY: tests
tests: $(VM_TESTS) $(OUT)/tests/host/harness_selftest $(UNIT_TESTS)

# $(call unit_rule,NAME,MODULE FILES): what each unit test builds of the
# module, beside its test and the shim.
define unit_rule
$(OUT)/tests/host/unit_$(1): tests/unit/$(1)_test.c tests/unit/unit.h $(2) \
		$(wildcard module/*.h module/*/*.h) $(UNIT_SHIM) $(TEST_LIB) tests/lib/harness.h \
		$(OUT)/include/.done
	@mkdir -p $$(@D)
	$(CC) $(UNIT_CFLAGS) -o $$@ tests/unit/$(1)_test.c $(2) tests/unit/shim/kshim.c $(TEST_LIB)
endef
$(eval $(call unit_rule,iova_space,module/ioas/iova_space.c))
$(eval $(call unit_rule,iova_bitmap,module/hwpt/iova_bitmap.c))
$(eval $(call unit_rule,ioctl,module/core/ioctl.c))
$(eval $(call unit_rule,contig,module/pages/contig.c))

# Sanitized as `make headers_install` would (no __user and friends).
$(OUT)/include/.done: $(addprefix $(KCOMMON)/include/uapi/linux/,$(UAPI_HDRS))
	@mkdir -p $(OUT)/include/linux
	@for h in $(UAPI_HDRS); do \
		(cd $(KDIR) && scripts/headers_install.sh \
			$(KCOMMON)/include/uapi/linux/$$h $(OUT)/include/linux/$$h) || exit 1; \
	done
	@touch $@

define vm_test_rule
$(OUT)/tests/bin/$(notdir $(patsubst %/,%,$(dir $(1))))_$(patsubst %_test.c,%,$(notdir $(1))): $(1) $(TEST_LIB) $(TEST_HDRS)
	@mkdir -p $$(@D)
	$(CC) $(TEST_CFLAGS) -static -o $$@ $(1) $(TEST_LIB)
endef
$(foreach s,$(VM_TEST_SRCS),$(eval $(call vm_test_rule,$(s))))

$(OUT)/tests/host/harness_selftest: tests/harness/harness_selftest.c $(TEST_LIB) $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(TEST_LIB)

$(OUT)/demo/iommufd-demo: demo/iommufd_demo.c tests/lib/edu.h $(OUT)/include/.done
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -static -o $@ $<
