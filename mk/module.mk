# iommufd.ko, built out of tree in two configurations from copies of module/
# (Kbuild writes its objects beside the sources, so each configuration gets
# its own tree under out/build/ and the source tree stays clean):
#   out/modules/iommufd.ko  test configuration (test ABI on), what tests load
#   out/release/iommufd.ko  production configuration
# Any compiler warning, W=1 included, fails the build.

MODULE_SRCS := $(shell find module include -name '*.[ch]' -o -name Kbuild)
KBUILD_FLAGS := W=1 KCFLAGS=-Werror

# $(call build_module,variant dir,extra make args): module/ and include/
# are mirrored into DIR/, the module is built in DIR/module/.
define build_module
	@mkdir -p $(1)/module $(1)/include
	@rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		--exclude='*.mod*' --exclude='Module.symvers' --exclude=modules.order \
		module/ $(1)/module/
	@rsync -a --delete include/ $(1)/include/
	$(MAKE) -C $(KDIR) M=$(1)/module $(KBUILD_FLAGS) $(2) modules
endef

$(OUT)/build/iommufd-test/module/iommufd.ko: $(MODULE_SRCS)
	$(call build_module,$(OUT)/build/iommufd-test,IOMMUFD_SELFTEST=y)

$(OUT)/build/iommufd/module/iommufd.ko: $(MODULE_SRCS)
	$(call build_module,$(OUT)/build/iommufd,)

$(OUT)/release/iommufd.ko: $(OUT)/build/iommufd/module/iommufd.ko
	@mkdir -p $(@D)
	cp $< $@

$(OUT)/modules/.done: $(OUT)/build/iommufd-test/module/iommufd.ko vm/guest/load.sh vm/guest/unload.sh
	@mkdir -p $(@D)
	cp $< $(@D)/iommufd.ko
	install -m 755 vm/guest/load.sh vm/guest/unload.sh $(@D)/
	@touch $@
