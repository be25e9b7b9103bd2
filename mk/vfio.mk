# VFIO (vfio.ko, vfio-pci-core.ko, vfio-pci.ko) rebuilt from Debian's
# linux-source-6.12 with iommufd support and the device cdev, linked against
# this project's Module.symvers.  Only drivers/vfio is unpacked, under
# out/build/vfio/; the Kbuild files are the project's own (vfio/), so no
# VFIO source is committed.
#
# While iommufd.ko lacks the in-kernel device API, VFIO links only with the
# missing symbols allowed; out/modules/vfio.links records whether every
# iommufd_* symbol VFIO needs is exported by iommufd.ko, and load.sh loads
# VFIO only then.

VFIO_SRC_TAR := /usr/src/linux-source-6.12.tar.xz
VFIO_DIR := $(OUT)/build/vfio
VFIO_KOS := vfio.ko pci/vfio-pci-core.ko pci/vfio-pci.ko
VFIO_FLAGS := KBUILD_EXTRA_SYMBOLS=$(OUT)/build/iommufd-test/module/Module.symvers

.PHONY: vfio
vfio: $(OUT)/modules/vfio.ko

$(VFIO_DIR)/.unpacked: $(VFIO_SRC_TAR)
	@rm -rf $(VFIO_DIR) && mkdir -p $(VFIO_DIR)
	tar -xf $< -C $(VFIO_DIR) --strip-components=3 \
		--wildcards --no-wildcards-match-slash \
		'linux-source-6.12/drivers/vfio/*.[ch]' \
		'linux-source-6.12/drivers/vfio/pci/*.[ch]'
	@touch $@

$(OUT)/modules/vfio.ko: $(VFIO_DIR)/.unpacked $(OUT)/build/iommufd-test/module/iommufd.ko \
		vfio/Kbuild vfio/pci/Kbuild
	cp vfio/Kbuild $(VFIO_DIR)/Kbuild
	cp vfio/pci/Kbuild $(VFIO_DIR)/pci/Kbuild
	@# Symbol versions come from iommufd.ko's Module.symvers, which changes
	@# with it: relink (modpost and link only; objects stay).
	@rm -f $(addprefix $(VFIO_DIR)/,$(VFIO_KOS)) $(VFIO_DIR)/Module.symvers \
		$(VFIO_DIR)/*.mod.[co] $(VFIO_DIR)/pci/*.mod.[co]
	$(MAKE) -C $(KDIR) M=$(VFIO_DIR) $(VFIO_FLAGS) KBUILD_MODPOST_WARN=1 \
		modules
	@mkdir -p $(@D)
	cp $(addprefix $(VFIO_DIR)/,$(VFIO_KOS)) $(@D)/
	@missing=$$(nm -u $(addprefix $(VFIO_DIR)/,$(VFIO_KOS)) | \
		awk '$$2 ~ /^iommufd_/ {print $$2}' | sort -u | \
		while read -r sym; do \
			awk -v s="$$sym" '$$2 == s {f=1} END {exit !f}' \
				$(OUT)/build/iommufd-test/module/Module.symvers || echo "$$sym"; \
		done); \
	if [ -n "$$missing" ]; then \
		echo "vfio: built, but not loadable until iommufd.ko exports:" $$missing; \
		echo no >$(@D)/vfio.links; \
	else \
		echo yes >$(@D)/vfio.links; \
	fi

# The /dev/vfio/vfio variant: VFIO without its container, with an iommufd.ko
# built with IOMMUFD_VFIO_CONTAINER=y (test configuration too), together in
# out/modules/container/ with their own load.sh.
VFIO_NC_DIR := $(OUT)/build/vfio-nc
CONTAINER_DIR := $(OUT)/modules/container

.PHONY: vfio-container
vfio-container: $(CONTAINER_DIR)/vfio.ko

$(OUT)/build/iommufd-container/module/iommufd.ko: $(MODULE_SRCS)
	$(call build_module,$(OUT)/build/iommufd-container,IOMMUFD_SELFTEST=y IOMMUFD_VFIO_CONTAINER=y)

$(CONTAINER_DIR)/vfio.ko: $(VFIO_DIR)/.unpacked \
		$(OUT)/build/iommufd-container/module/iommufd.ko \
		vfio/no-container/Kbuild vfio/no-container/undef_container.h \
		vfio/pci/Kbuild vm/guest/load.sh vm/guest/unload.sh
	@rm -rf $(VFIO_NC_DIR) && mkdir -p $(VFIO_NC_DIR)/pci
	cp $(VFIO_DIR)/*.[ch] vfio/no-container/Kbuild \
		vfio/no-container/undef_container.h $(VFIO_NC_DIR)/
	cp $(VFIO_DIR)/pci/*.[ch] vfio/pci/Kbuild $(VFIO_NC_DIR)/pci/
	$(MAKE) -C $(KDIR) M=$(VFIO_NC_DIR) \
		KBUILD_EXTRA_SYMBOLS=$(OUT)/build/iommufd-container/module/Module.symvers \
		modules
	@mkdir -p $(@D)
	cp $(OUT)/build/iommufd-container/module/iommufd.ko $(@D)/
	cp $(addprefix $(VFIO_NC_DIR)/,$(VFIO_KOS)) $(@D)/
	install -m 755 vm/guest/load.sh vm/guest/unload.sh $(@D)/
	echo yes >$(@D)/vfio.links
