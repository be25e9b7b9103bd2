# iommufd.ko, built out of tree in two configurations from copies of module/
# (Kbuild writes its objects beside the sources, so each configuration gets
# its own tree under out/build/ and the source tree stays clean):
#   out/modules/iommufd.ko  test configuration (test ABI on), what tests load
#   out/release/iommufd.ko  production configuration
# Any compiler warning, W=1 included, fails the build.

MODULE_SRCS := $(shell find module -name '*.[ch]' -o -name Kbuild)
KBUILD_FLAGS := W=1 KCFLAGS=-Werror

# $(call build_module,variant dir,extra make args)
define build_module
	@mkdir -p $(1)
	@rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		--exclude='*.mod*' --exclude='Module.symvers' --exclude=modules.order \
		module/ $(1)/
	$(MAKE) -C $(KDIR) M=$(1) $(KBUILD_FLAGS) $(2) modules
endef

$(OUT)/build/iommufd-test/iommufd.ko: $(MODULE_SRCS)
	$(call build_module,$(OUT)/build/iommufd-test,IOMMUFD_SELFTEST=y)

$(OUT)/build/iommufd/iommufd.ko: $(MODULE_SRCS)
	$(call build_module,$(OUT)/build/iommufd,)

$(OUT)/release/iommufd.ko: $(OUT)/build/iommufd/iommufd.ko
	@mkdir -p $(@D)
	cp $< $@

$(OUT)/modules/.done: $(OUT)/build/iommufd-test/iommufd.ko vm/guest/load.sh vm/guest/unload.sh
	@mkdir -p $(@D)
	cp $< $(@D)/iommufd.ko
	install -m 755 vm/guest/load.sh vm/guest/unload.sh $(@D)/
	@touch $@
